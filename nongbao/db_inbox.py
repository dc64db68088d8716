"""SQL of the admin's inbox pages (a mixin of Storage; nongbao/db.py owns the connection and migrations)."""


class InboxStorage:
    """Named reads and writes for the inbox pages."""

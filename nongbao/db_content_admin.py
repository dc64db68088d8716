"""SQL of the admin's content admin pages (a mixin of Storage; nongbao/db.py owns the connection and migrations)."""


class ContentAdminStorage:
    """Named reads and writes for the content admin pages."""

"""SQL of the admin's webchat pages (a mixin of Storage; nongbao/db.py owns the connection and migrations)."""


class WebChatStorage:
    """Named reads and writes for the webchat pages."""

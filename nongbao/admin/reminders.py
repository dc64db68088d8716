"""Admin pages: reminders (to be built)."""

from . import bp  # noqa: F401

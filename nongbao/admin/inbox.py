"""Admin pages: inbox (to be built)."""

from . import bp  # noqa: F401

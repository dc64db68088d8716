"""Admin pages: freshness (to be built)."""

from . import bp  # noqa: F401

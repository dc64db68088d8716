"""Admin pages: regions (to be built)."""

from . import bp  # noqa: F401

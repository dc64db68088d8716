"""Admin pages: dashboard (to be built)."""

from . import bp  # noqa: F401

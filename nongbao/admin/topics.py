"""Admin pages: topics (to be built)."""

from . import bp  # noqa: F401

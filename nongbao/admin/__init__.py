"""The staff admin under /admin/: one blueprint, one module per page family (auth, topics, regions, freshness,
inbox, reminders, dashboard). Every page needs a login; editors and viewers see only their region and below."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="../templates", static_folder="../static")

from . import auth, dashboard, freshness, inbox, regions, reminders, topics  # noqa: E402,F401  (they add routes to bp)

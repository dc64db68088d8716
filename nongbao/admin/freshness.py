"""Admin pages: freshness. The content check report (freshness.build): unconfirmed figures, figures older than this
year, topics lacking a locale, and the places most often answered on the national root; editors and viewers see
their region only."""

from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_login import current_user

from .. import freshness, places
from ..library import library
from ..web import now, store
from . import bp
from .topics import place_label

ON_ROOT_SHOWN = 20


@bp.get("/freshness")
def freshness_page():
    """What staff should check, limited to the places the account covers."""
    lib = library(store())
    today = now().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    report = freshness.build(store(), lib, today, top=100_000)
    rows = [
        {"code": r.code, "label": place_label(lib, r.code), "unconfirmed": r.unconfirmed, "behind": r.behind, "basis": None}
        for r in report.regions if current_user.covers(r.code)
    ]  # fmt: skip
    mine = current_user.region
    if mine and mine not in lib.regions and places.is_place(mine) and (policy := lib.policy_for(mine)) is not None:
        rows.insert(0, {"code": mine, "label": place_label(lib, mine), "unconfirmed": policy.effective.get("unconfirmed") or [],
                        "behind": freshness.behind(policy.effective, today), "basis": place_label(lib, policy.code)})  # fmt: skip
    on_root = [(code, name, count) for code, name, count in report.on_root if current_user.covers(code)][:ON_ROOT_SHOWN]
    return render_template(
        "admin/freshness.html", rows=rows, topics_missing=report.topics_missing, on_root=on_root, year=today.year
    )

"""Admin pages: coverage insight. Per place and week: messages, intents, the unanswered rate, estimates run,
reminder reach and opt-outs, feedback; charts drawn here as inline SVG (no script), and a CSV export.

The grades farmers compared and settled on are not shown: the estimate dialogue's facts live in the conversation
state only while the dialogue is open, and nothing keeps them afterwards (messages keep the text and the intent).
"""

import csv
import datetime
import io
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from .. import places
from ..web import now, store
from . import bp
from .auth import require_view
from .inbox import default_region, place_name, under

WEEKS = 12  # weeks the dashboard covers, this one included
TOP_INTENTS = 8
COLOURS = ("#1f5f3f", "#c7772b", "#51606f", "#b03a3a")
FIELDS = ("messages", "unanswered", "estimate_farmers", "estimate_messages", "reminders_sent", "reminders_delivered",
          "reminders_failed", "reached", "opt_outs", "feedback", "handoff")  # fmt: skip


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _period() -> tuple[datetime.datetime, str, list[str]]:
    """The first moment counted (a Monday, local), the SQLite modifier to local time, and the weeks' Mondays."""
    local = now().astimezone(_zone())
    monday = local.date() - datetime.timedelta(days=local.weekday())
    first = monday - datetime.timedelta(weeks=WEEKS - 1)
    since = datetime.datetime.combine(first, datetime.time(), tzinfo=_zone())
    minutes = int(local.utcoffset().total_seconds() // 60)
    weeks = [(first + datetime.timedelta(weeks=i)).isoformat() for i in range(WEEKS)]
    return since, f"{minutes:+d} minutes", weeks


def _scope() -> str | None:
    """The region asked for (?region=), else the account's own (None: everything, for an admin without one)."""
    code = (request.args.get("region") or "").strip()
    if code:
        require_view(code)
        return code
    return current_user.region if current_user.role != "admin" else None


def collect(region: str | None) -> tuple[list[str], dict[str, dict[str, dict]]]:
    """The weeks, and per place and week every count the dashboard shows."""
    storage, default = store(), default_region()
    since, shift, weeks = _period()
    table: dict[str, dict[str, dict]] = defaultdict(
        lambda: defaultdict(lambda: {**dict.fromkeys(FIELDS, 0), "intents": Counter()})
    )

    def cells(row):
        place = row["place"]
        if row["week"] not in weeks or not current_user.covers(place) or not under(place, region):
            return None
        return table[place][row["week"]]

    for row in storage.dash_messages(since, shift, default):
        if (cell := cells(row)) is not None:
            cell["messages"] += row["n"]
            if row["intent"]:
                cell["intents"][row["intent"]] += row["n"]
    for row in storage.dash_estimates(since, shift, default):
        if (cell := cells(row)) is not None:
            cell["estimate_farmers"] += row["farmers"]
            cell["estimate_messages"] += row["n"]
    for row in storage.dash_unanswered(since, shift, default):
        if (cell := cells(row)) is not None:
            cell["unanswered"] += row["n"]
    for row in storage.dash_reminders(since, shift, default):
        if (cell := cells(row)) is not None:
            cell["reminders_sent"] += row["sent"]
            cell["reminders_delivered"] += row["delivered"] or 0
            cell["reminders_failed"] += row["failed"] or 0
            cell["reached"] += row["reached"]
    for row in storage.dash_opt_outs(since, shift, default):
        if (cell := cells(row)) is not None:
            cell["opt_outs"] += row["n"]
    for row in storage.dash_followups(since, shift, default):
        if (cell := cells(row)) is not None and row["kind"] in ("feedback", "handoff"):
            cell[row["kind"]] += row["n"]
    return weeks, table


def rate(unanswered: int, messages: int) -> str:
    return f"{100 * unanswered / messages:.0f}%" if messages else "—"


def totals(weeks: list[str], table: dict) -> dict[str, dict]:
    """Every place added up per week."""
    summed = {week: {**dict.fromkeys(FIELDS, 0), "intents": Counter()} for week in weeks}
    for by_week in table.values():
        for week, cell in by_week.items():
            for name in FIELDS:
                summed[week][name] += cell[name]
            summed[week]["intents"].update(cell["intents"])
    return summed


# Charts: plain SVG, sized for a phone (the viewBox scales down), colours as attributes (no style attribute).


def _text_width(text: str, size: int = 12) -> int:
    """About how wide a label is drawn: Chinese characters are square, Latin ones a little over half."""
    return sum(size if ord(ch) > 0x2E80 else round(size * 0.6) for ch in text)


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list[int]]], width: int = 360, height: int = 190) -> Markup:
    """Grouped bars per label (a week), one colour per series, the largest value on the axis, a legend on top."""
    left, right, top, bottom = 34, 6, 26, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max([v for _name, values in series for v in values] + [1])
    slot = plot_w / max(1, len(labels))
    bar = max(1.0, slot * 0.8 / max(1, len(series)))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" font-size="12" font-family="sans-serif"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#9aa5b1"/>',
             f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" fill="#5b6776">{highest}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" fill="#5b6776">0</text>']  # fmt: skip
    x = left
    for i, (name, _values) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="15" fill="#1c2430">{escape(name)}</text>')
        x += 14 + _text_width(name) + 12
    for index, label in enumerate(labels):
        x0 = left + index * slot + slot * 0.1
        for i, (name, values) in enumerate(series):
            value = values[index]
            h = plot_h * value / highest
            parts.append(f'<rect x="{x0 + i * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{COLOURS[i % len(COLOURS)]}"><title>{escape(label)} {escape(name)}: {value}</title></rect>')  # fmt: skip
        if index % 2 == 0 or len(labels) <= 6:
            parts.append(f'<text x="{left + (index + 0.5) * slot:.1f}" y="{height - 8}" text-anchor="middle" '
                         f'fill="#5b6776">{escape(label[5:])}</text>')  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(title: str, items: list[tuple[str, int]], width: int = 360) -> Markup:
    """Horizontal bars with their labels, largest first (the intents asked most)."""
    row, label_w = 20, 170
    height = 10 + row * max(1, len(items))
    highest = max([n for _label, n in items] + [1])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" font-size="12" font-family="sans-serif"><title>{escape(title)}</title>']  # fmt: skip
    for i, (label, n) in enumerate(items):
        y = 5 + i * row
        w = (width - label_w - 40) * n / highest
        short = label if _text_width(label) <= label_w - 8 else label[:20] + "…"
        parts.append(f'<text x="{label_w - 4}" y="{y + 14}" text-anchor="end" fill="#1c2430">{escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{COLOURS[0]}">'
                     f"<title>{escape(label)}: {n}</title></rect>")  # fmt: skip
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" fill="#5b6776">{n}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@bp.get("/dashboard")
def dashboard():
    region = _scope()
    weeks, table = collect(region)
    summed = totals(weeks, table)
    intents = Counter()
    for cell in summed.values():
        intents.update(cell["intents"])
    charts = [
        bar_chart(_("Messages and unanswered questions per week"), weeks,
                  [(_("Messages"), [summed[w]["messages"] for w in weeks]),
                   (_("Unanswered"), [summed[w]["unanswered"] for w in weeks])]),
        bar_chart(_("Reminders per week"), weeks,
                  [(_("Sent"), [summed[w]["reminders_sent"] for w in weeks]),
                   (_("Delivered"), [summed[w]["reminders_delivered"] for w in weeks]),
                   (_("Failed"), [summed[w]["reminders_failed"] for w in weeks])]),
        hbar_chart(_("What farmers asked most"), intents.most_common(TOP_INTENTS)),
    ]  # fmt: skip
    regions = [
        {"code": code, "name": place_name(code),
         "weeks": [(week, by_week[week], rate(by_week[week]["unanswered"], by_week[week]["messages"]),
                    ", ".join(f"{k} {n}" for k, n in by_week[week]["intents"].most_common(3)))
                   for week in reversed(weeks) if week in by_week]}
        for code, by_week in sorted(table.items())
    ]  # fmt: skip
    total = {name: sum(cell[name] for cell in summed.values()) for name in FIELDS}
    return render_template(
        "admin/dashboard.html", charts=charts, regions=regions, total=total, rate=rate(total["unanswered"], total["messages"]),
        region=region, region_name=place_name(region) if region else _("All places"), weeks=weeks,
    )  # fmt: skip


@bp.get("/dashboard.csv")
def dashboard_csv():
    """The dashboard's rows (place and week) as CSV, for the county's own reports and spreadsheets."""
    region = _scope()
    weeks, table = collect(region)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["week", "region", "region_name", "messages", "unanswered", "unanswered_rate", "estimate_farmers",
                     "estimate_messages", "top_intents", "reminders_sent", "reminders_delivered", "reminders_failed",
                     "contacts_reached", "opt_outs", "feedback", "handoff"])  # fmt: skip
    for code, by_week in sorted(table.items()):
        place = places.get(code)
        name = place.name if place else code
        for week in weeks:
            if week not in by_week:
                continue
            c = by_week[week]
            writer.writerow([week, code, name, c["messages"], c["unanswered"], rate(c["unanswered"], c["messages"]),
                             c["estimate_farmers"], c["estimate_messages"],
                             "; ".join(f"{k}:{n}" for k, n in c["intents"].most_common()), c["reminders_sent"],
                             c["reminders_delivered"], c["reminders_failed"], c["reached"], c["opt_outs"], c["feedback"],
                             c["handoff"]])  # fmt: skip
    filename = f"nongbao-{region or 'all'}-{now().astimezone(_zone()).date().isoformat()}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})  # fmt: skip

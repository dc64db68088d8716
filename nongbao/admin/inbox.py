"""Admin pages: the inbox. Questions the service could not answer, grouped by similarity, each group attachable to a
topic as a new example phrasing (a new version of that locale's vocabulary, so every worker's matcher learns it at
its next message); feedback and handoff requests as tickets staff assign, close and answer in the farmer's channel.

An SMS answer goes through the outbox as kind "answer" (the sender lets it through after STOP: it answers the
farmer's own request); an answer on a chat channel (API, web chat) is stored as an outbound message of the contact,
so the chat's history shows it. Phone numbers are masked everywhere but on one contact's page, opened by an admin.
"""

import datetime
import re
import unicodedata
from collections import Counter
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from rapidfuzz import fuzz

from .. import content, places, segments
from ..db_inbox import TICKET_STATUSES
from ..i18n import translator
from ..intents import KNOWLEDGE_TOPICS
from ..library import library
from ..matcher import _TOKENIZER
from ..models import SMS
from ..privacy import mask_address
from ..times import iso
from ..web import now, store
from . import bp
from .auth import Staff, audit, require_edit, require_view
from .topics import page_locale, staff_provenance

SIMILAR = 75  # rapidfuzz score (0-100) from which two questions count as the same question
GROUP_AT_MOST = 2000  # the newest open questions grouped on the page (grouping compares each with every group)
ANSWER_MAX = 500  # characters of a staff answer
EXAMPLE_MAX = 200  # characters of an example phrasing
_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")


# Shared by the inbox, reminders and dashboard pages.


def default_region() -> str | None:
    return current_app.config.get("DEFAULT_REGION")


def place_name(code: str | None) -> str:
    """A place as staff read it: 梅县区 (441403)."""
    if not code:
        return _("Unknown place")
    place = places.get(code)
    if place is None:
        return code
    return f"{place.name_en if page_locale() == 'en' else place.name} ({code})"


def shown_address(address: str, whole: bool = False) -> str:
    """A farmer's address as a list shows it (masked); whole only for an admin on one contact's page."""
    return address if whole and current_user.role == "admin" else mask_address(address)


def form_ids(name: str = "ids") -> list[int]:
    return [int(v) for v in request.form.getlist(name) if v.strip().isdigit()]


def under(code: str | None, region: str | None) -> bool:
    """Whether a place is a region or lies under it (None: everywhere)."""
    if region is None:
        return True
    return places.within(code, region)


@bp.app_template_filter("inbox_time")
def inbox_time(value: str | None) -> str:
    """A stored moment (UTC text) as local time for staff: 2026-03-02 10:00."""
    if not value:
        return ""
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%Y-%m-%d %H:%M")


# Grouping questions by similarity


def _key(text: str, matcher, locale: str) -> str:
    """A question folded for comparing: the matcher's normalisation (synonyms, homophones), then words."""
    vocabulary = matcher.vocabularies.get(locale) if matcher else None
    folded = unicodedata.normalize("NFKC", text).lower()
    if vocabulary is not None:
        folded = vocabulary.normalize(folded, marks=False)
    if _CJK.search(folded):
        return " ".join(w for w in _TOKENIZER.lcut(_PUNCTUATION.sub("", folded)) if w.strip())
    return " ".join(_PUNCTUATION.sub(" ", folded).split())


def similarity(a: str, b: str) -> float:
    """How alike two folded questions are (0-100): word order aside, or character by character."""
    return max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))


def group_questions(rows: list[dict], matcher) -> list[dict]:
    """Questions grouped by similarity within a locale, the largest group first, each with its most common text."""
    groups: list[dict] = []
    for row in rows:
        key = _key(row["text"] or "", matcher, row["locale"] or "zh-Hans")
        best, score = None, 0.0
        for group in groups:
            if group["locale"] == row["locale"]:
                alike = similarity(key, group["key"])
                if alike > score:
                    best, score = group, alike
        if best is not None and score >= SIMILAR:
            best["rows"].append(row)
        else:
            groups.append({"key": key, "locale": row["locale"], "rows": [row]})
    for group in groups:
        texts = Counter((r["text"] or "").strip() for r in group["rows"])
        group["text"] = texts.most_common(1)[0][0]
        group["ids"] = [r["id"] for r in group["rows"]]
        group["count"] = len(group["rows"])
        group["texts"] = texts.most_common(5)
        group["suggested"] = _suggested(matcher, group["text"])
        group["last"] = max(r["created_at"] for r in group["rows"])
    groups.sort(key=lambda g: (-g["count"], g["last"]))
    return groups


def _suggested(matcher, text: str) -> str | None:
    """The knowledge topic the matcher thinks closest, even below its threshold (a hint for staff)."""
    if matcher is None:
        return None
    scores = {k: v for k, v in matcher.match(text).scores.items() if k in KNOWLEDGE_TOPICS}
    return max(scores, key=scores.get) if scores else None


# The inbox page


@bp.get("/inbox")
def inbox():
    """Unanswered questions grouped, and tickets (open by default) of the places this account covers."""
    storage, default = store(), default_region()
    status = request.args.get("status", "open")
    if status not in (*TICKET_STATUSES, "all"):
        status = "open"
    questions = [q for q in storage.inbox_questions(default) if current_user.covers(q["place"])]
    lib = library(storage)
    groups = group_questions(questions[-GROUP_AT_MOST:], lib.matcher)
    for group in groups:
        group["editable"] = all(current_user.may_edit(r["place"]) for r in group["rows"])
        group["places"] = ", ".join(place_name(code) for code in sorted({r["place"] for r in group["rows"] if r["place"]}))
    tickets = [t for t in storage.inbox_tickets(default, None if status == "all" else status) if current_user.covers(t["place"])]
    for ticket in tickets:
        ticket["shown"] = shown_address(ticket["address"])
    counts = Counter(t["status"] for t in storage.inbox_tickets(default) if current_user.covers(t["place"]))
    return render_template(
        "admin/inbox.html", groups=groups, tickets=tickets, status=status, counts=counts, topics=_topics(storage),
        statuses=TICKET_STATUSES, questions=len(questions),
    )  # fmt: skip


def _topics(storage) -> list[tuple[str, str]]:
    """(key, title) of every knowledge topic, titles in the page's language."""
    locale = page_locale()
    found = []
    for key in KNOWLEDGE_TOPICS:
        row = storage.topic(key, locale) or storage.topic(key, "zh-Hans")
        found.append((key, f"{row['title']} ({key})" if row else key))
    return found


def _questions_to_change(storage) -> list[dict]:
    """The open questions a form names, each one this account may change (403 otherwise)."""
    rows = [q for q in storage.inbox_questions_by_id(form_ids(), default_region()) if q["status"] == "open"]
    if not rows:
        flash(_("Those questions were already handled."), "error")
        return []
    for row in rows:
        require_edit(row["place"])
    return rows


@bp.post("/inbox/attach")
def inbox_attach():
    """Add a group's question to a topic's examples (a new vocabulary version) and mark the questions answered."""
    storage = store()
    topic = request.form.get("topic", "")
    example = " ".join((request.form.get("example") or "").split())[:EXAMPLE_MAX]
    rows = _questions_to_change(storage)
    if not rows:
        return redirect(url_for("admin.inbox"))
    if topic not in KNOWLEDGE_TOPICS:
        abort(400)
    locales = {r["locale"] or "zh-Hans" for r in rows}
    if len(locales) != 1 or not example:
        flash(_("Choose questions of one language and give the example phrasing."), "error")
        return redirect(url_for("admin.inbox"))
    locale, ids = locales.pop(), [r["id"] for r in rows]
    with storage.atomic():  # read and write under the write lock: two staff adding examples at once both count
        current = storage.vocabulary(locale)
        if current is None:
            flash(_("There is no vocabulary for this language yet."), "error")
            return redirect(url_for("admin.inbox"))
        data = {k: v for k, v in current.items() if k != "version"}
        examples = data.setdefault("intents", {}).setdefault(topic, {}).setdefault("examples", [])
        if example not in examples:
            examples.append(example)
        content.parse_vocabulary({"locale": locale, **data}, f"intents {locale}")  # still a valid vocabulary
        saved, _before = storage.save_vocabulary(locale, data, staff_provenance(), now())
        storage.inbox_close_questions(ids, "answered", topic)
    audit("inbox attach", f"intents {locale}", {"questions": ids, "version": current["version"]},
          {"topic": topic, "example": example, "version": saved})  # fmt: skip
    flash(_("Added as an example of %(topic)s; %(n)s questions marked answered.", topic=topic, n=len(ids)))
    return redirect(url_for("admin.inbox"))


@bp.post("/inbox/dismiss")
def inbox_dismiss():
    """Close questions that need no topic (greetings, noise, things the service will not answer)."""
    storage = store()
    rows = _questions_to_change(storage)
    if rows:
        ids = [r["id"] for r in rows]
        storage.inbox_close_questions(ids, "dismissed", None)
        audit("inbox dismiss", "unanswered", {"questions": ids, "status": "open"}, {"status": "dismissed"})
        flash(_("%(n)s questions dismissed.", n=len(ids)))
    return redirect(url_for("admin.inbox"))


# Tickets


def _ticket(ticket_id: int, edit: bool = False) -> dict:
    ticket = store().inbox_ticket(ticket_id, default_region())
    if ticket is None:
        abort(404)
    (require_edit if edit else require_view)(ticket["place"])
    return ticket


@bp.get("/inbox/tickets/<int:ticket_id>")
def inbox_ticket(ticket_id: int):
    """One ticket: what the farmer wrote, their recent messages, and the forms to assign, close and answer."""
    storage = store()
    ticket = _ticket(ticket_id)
    return render_template(
        "admin/inbox_ticket.html", ticket=ticket, address=shown_address(ticket["address"]),
        messages=storage.inbox_messages(ticket["contact_id"], 20), staff=_staff_for(storage, ticket["place"]),
        outbox=storage.inbox_ticket_outbox(ticket["contact_id"], ticket["ref"]), statuses=TICKET_STATUSES,
        editable=current_user.may_edit(ticket["place"]), place=place_name(ticket["place"]), answer_max=ANSWER_MAX,
    )  # fmt: skip


def _staff_for(storage, place: str | None) -> list[dict]:
    """The accounts that may act on a ticket of this place (admins, and editors whose region covers it)."""
    return [row for row in storage.inbox_staff() if Staff(row["id"], row["username"], row["role"], row["region"]).may_edit(place)]


@bp.post("/inbox/tickets/<int:ticket_id>/assign")
def inbox_assign(ticket_id: int):
    ticket = _ticket(ticket_id, edit=True)
    username = (request.form.get("assignee") or "").strip()
    if username and username not in {row["username"] for row in _staff_for(store(), ticket["place"])}:
        abort(400)
    status = ticket["status"] if ticket["status"] == "closed" else ("assigned" if username else "open")
    store().inbox_update_ticket(ticket_id, now(), assigned_to=username or None, status=status)
    audit("ticket assign", f"ticket {ticket['ref']}", {"assigned_to": ticket["assigned_to"], "status": ticket["status"]},
          {"assigned_to": username or None, "status": status})  # fmt: skip
    flash(_("Ticket %(ref)s assigned.", ref=ticket["ref"]) if username else _("Ticket %(ref)s unassigned.", ref=ticket["ref"]))
    return redirect(url_for("admin.inbox_ticket", ticket_id=ticket_id))


@bp.post("/inbox/tickets/<int:ticket_id>/status")
def inbox_status(ticket_id: int):
    """Close a ticket, or open it again (assigned when someone has it)."""
    ticket = _ticket(ticket_id, edit=True)
    wanted = request.form.get("status")
    if wanted not in TICKET_STATUSES:
        abort(400)
    if wanted != "closed":
        wanted = "assigned" if ticket["assigned_to"] else "open"
    store().inbox_update_ticket(ticket_id, now(), status=wanted)
    audit("ticket status", f"ticket {ticket['ref']}", {"status": ticket["status"]}, {"status": wanted})
    flash(
        _("Ticket %(ref)s closed.", ref=ticket["ref"]) if wanted == "closed" else _("Ticket %(ref)s reopened.", ref=ticket["ref"])
    )
    return redirect(url_for("admin.inbox_ticket", ticket_id=ticket_id))


@bp.post("/inbox/tickets/<int:ticket_id>/answer")
def inbox_answer(ticket_id: int):
    """Answer the farmer in the channel they used: SMS through the outbox, a chat as a message in its history."""
    storage = store()
    ticket = _ticket(ticket_id, edit=True)
    text = (request.form.get("answer") or "").strip()
    if not text or len(text) > ANSWER_MAX:
        flash(_("Write an answer of at most %(n)s characters.", n=ANSWER_MAX), "error")
        return redirect(url_for("admin.inbox_ticket", ticket_id=ticket_id))
    config, moment = current_app.config, now()
    locale = ticket["locale"] or ticket["last_locale"] or config["DEFAULT_LOCALE"]
    body = translator(locale).gettext("About your request %(ref)s: %(answer)s", ref=ticket["ref"], answer=text)
    channel = ticket["channel"] or SMS
    by_sms = channel == SMS and ticket["address"].startswith("+")
    if by_sms and segments.segments(body, config.get("SMS_SIGNATURE", "")) > int(config["SMS_MAX_PARTS"]):
        flash(_("The answer is too long for %(n)s SMS parts; shorten it.", n=config["SMS_MAX_PARTS"]), "error")
        return redirect(url_for("admin.inbox_ticket", ticket_id=ticket_id))
    close = request.form.get("close") == "1"
    status = "closed" if close else ticket["status"]
    with storage.atomic():
        if by_sms:
            policy = library(storage).policy_for(ticket["place"] or default_region())
            timezone = policy.timezone if policy else config["TIMEZONE"]
            storage.inbox_queue_answer(ticket, body, policy.code if policy else None, timezone, locale, moment)
        else:
            storage.inbox_post_answer(ticket["contact_id"], channel, body, moment)
        storage.inbox_update_ticket(ticket_id, moment, answer=text, answered_at=iso(moment),
                                    channel=channel, status=status)  # fmt: skip
    audit("ticket answer", f"ticket {ticket['ref']}", {"answer": ticket["answer"], "status": ticket["status"]},
          {"answer": text, "channel": channel, "status": status})  # fmt: skip
    if by_sms:
        flash(_("The answer to %(ref)s is queued for SMS.", ref=ticket["ref"]))
    else:
        flash(_("The answer to %(ref)s is in the farmer's chat.", ref=ticket["ref"]))
    return redirect(url_for("admin.inbox_ticket", ticket_id=ticket_id))


@bp.get("/inbox/contacts/<int:contact_id>")
def inbox_contact(contact_id: int):
    """One contact: the whole phone number for an admin (masked for others), their messages and tickets."""
    storage = store()
    contact = storage.inbox_contact(contact_id)
    if contact is None:
        abort(404)
    place = contact["region"] or default_region()
    require_view(place)
    whole = current_user.role == "admin"
    if whole:
        audit("contact view", f"contact {contact_id}")  # who saw a whole phone number
    tickets = [t for t in storage.inbox_tickets(default_region()) if t["contact_id"] == contact_id]
    return render_template(
        "admin/inbox_contact.html", contact=contact, address=shown_address(contact["address"], whole=whole),
        messages=storage.inbox_messages(contact_id, 50), tickets=tickets, place=place_name(place),
    )  # fmt: skip

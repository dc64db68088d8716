"""What a handler sees and says: the Turn it reads, the Outcome it returns (no routing, no SQL)."""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from . import places
from .content import render
from .db import Storage
from .i18n import Translator, translator
from .library import Library, RegionPolicy
from .matcher import Match
from .models import Contact
from .regions import DEFAULT_HOTLINE

KEEP = object()  # an Outcome that leaves the conversation state as it is


class NeedsLock(Exception):
    """A turn worked out without the write lock took an action that must write at once (a reference to quote)."""


@dataclass
class Outcome:
    """What a handler answers, and the effects the engine applies for it in one place.

    A handler that needs another capability says so with `follow` (the engine runs that one
    next, with this text, if any, put before its answer); handlers never call each other.
    """

    text: str
    intent: str
    content_version: int | None = None
    state: object = None  # None ends any dialogue, KEEP leaves it, or a (flow, step, data) tuple
    locale: str | None = None  # set when the handler switched the contact's language
    ask_region: bool = True  # whether the county question may follow this answer
    contact: dict = field(default_factory=dict)  # contact fields to change (region, birth_year, opted_out, ...)
    follow: str | None = None  # a capability key the engine runs next
    intents: list[str] = field(default_factory=list)  # every intent a multi-question reply covers


@dataclass
class Reply:
    """The reply as the channel adapters return it."""

    text: str
    intent: str
    locale: str
    segments: int
    facts: dict | None = None  # what the open estimate dialogue knows after this turn
    intents: list[str] = field(default_factory=list)  # every intent the reply covers, when several
    duplicate: bool = False  # a provider retry answered from the stored reply
    message_id: int | None = None
    content_version: int | None = None  # the topic text that produced the reply


@dataclass
class Turn:
    """One inbound message in context; what handlers read and the named actions they may take."""

    store: Storage
    library: Library
    config: dict
    contact: Contact
    text: str  # as stored: sensitive numbers masked
    locale: str
    now: datetime.datetime
    inbound_id: int
    state: dict | None
    match: Match | None = None
    menus: dict = field(default_factory=dict)  # menu name -> entry keys, from the capability registry
    locked: bool = True  # inside the write transaction: a reference to quote (follow_up) may be written at once
    writes: list = field(default_factory=list)  # actions for the turn's own transaction, each a function of the store
    contact_changes: dict = field(default_factory=dict)  # contact fields the turn's transaction sets
    next_state: dict | None = None  # the dialogue the turn's transaction keeps

    def topic(self, key: str) -> tuple[str, int | None]:
        """A topic rendered with this farmer's figures in their language (Chinese when it lacks one), and its version.

        The published text of the farmer's place or its nearest ancestor with a text of its own, else the national one.
        """
        row = self._topic_row(key)
        if row is None:
            return self._("This topic is being written. Please call %(hotline)s.", hotline=self.hotline), None
        today, place = self.local_today, self.contact.region or self.config.get("DEFAULT_REGION")
        text = self.library.once(  # the place decides the figures (its own file's or its nearest ancestor's)
            ("topic", row["id"], place, self.locale, today), lambda: render(row["body"], self.policy, self.t, today)
        )
        return text, row["id"]

    def entry_titles(self, keys: list[str]) -> list[str]:
        """How menu and either/or entries are named: the words for sub-menus and actions, else the topic's title."""
        _ = self._
        words = {
            "pension": _("Pension"),
            "estimate": _("Pension estimate"),
            "medical": _("Medical insurance"),
            "assistance": _("Dibao and hardship aid"),
            "reminders.subscribe": _("Payment reminders"),
            "handoff": _("Talk to a person"),
            "language": _("Chinese") if self.locale == "en" else "English",
        }
        return [words.get(key) or self.topic_title(key) or key for key in keys]

    def place_choice(self, codes: list[str]) -> str:
        """A numbered choice between places that share a name, each with its parents (朝阳区（北京市）, 朝阳县（辽宁省朝阳市）)."""
        lines = [f"{i} {self.library.place_label(code, self.locale)}" for i, code in enumerate(codes, 1)]
        return self._("Several places have that name. Reply with a number:") + "\n" + "\n".join(lines)

    def topic_title(self, key: str) -> str | None:
        row = self._topic_row(key)
        return row["title"] if row else None

    def _topic_row(self, key: str) -> dict | None:
        chain, locale = self.topic_places, self.locale
        return self.library.once(
            ("topic row", key, locale, tuple(chain)),
            lambda: self.store.topic(key, locale, chain) or self.store.topic(key, "zh-Hans", chain),
        )

    @property
    def topic_places(self) -> list[str]:
        """The farmer's place (else the deployment's default) and the places above it, nearest first."""
        code = self.contact.region if self.library.policy_for(self.contact.region) else self.config.get("DEFAULT_REGION")
        if not code:
            return []
        return places.chain(code)

    def follow_up(self, kind: str) -> str:
        """Record a feedback or handoff for staff; the reference the farmer can quote."""
        if not self.locked:
            raise NeedsLock(kind)
        return self.store.create_followup(kind, self.contact.id, self.inbound_id, self.text, self.region_code, self.now)

    def add_to_follow_up(self, ref: str):
        """Append this message to the farmer's open feedback."""
        text, now = self.text, self.now
        self.later(lambda store: store.add_to_followup(ref, text, now))

    def log_unanswered(self):
        """Keep a question the service could not answer for the staff inbox."""
        row = (self.contact.id, self.inbound_id, self.text, self.locale, self.region_code, self.now)
        self.later(lambda store: store.log_unanswered(*row))

    def erase_contact(self):
        """Erase the farmer's personal data (their confirmed request); the reply is stored on the anonymised contact."""
        address, now = self.contact.address, self.now
        self.later(lambda store: store.forget_contact(address, now))

    def later(self, write):
        """Keep a write for the turn's transaction, which runs it after counting the turn and setting the contact."""
        self.writes.append(write)

    @property
    def t(self) -> Translator:
        return translator(self.locale)

    def _(self, message: str, **params) -> str:
        """Translate a system string into the contact's language."""
        return self.t.gettext(message, **params)

    @property
    def region(self) -> RegionPolicy | None:
        """The figures for the contact's place (its own, or its nearest ancestor's), else the deployment's default."""
        return self.library.policy_for(self.contact.region) or self.library.policy_for(self.config.get("DEFAULT_REGION"))

    @property
    def region_code(self) -> str | None:
        """The code of the region answers use, for what staff see."""
        return self.region.code if self.region else None

    @property
    def policy(self) -> dict:
        return self.region.effective if self.region else {}

    @property
    def local_today(self) -> datetime.date:
        """Today where the farmer lives: the region's time zone, else the deployment's (Asia/Shanghai)."""
        zone = ZoneInfo(self.region.timezone if self.region else self.config["TIMEZONE"])
        return self.now.astimezone(zone).date()

    @property
    def hotline(self) -> str:
        return self.region.hotline if self.region else DEFAULT_HOTLINE

    def state_data(self) -> dict:
        return dict((self.state or {}).get("data") or {})

"""What a handler sees and says: the Turn it reads, the Outcome it returns (no routing, no SQL)."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .db import Storage
from .i18n import Translator, translator
from .library import Library, RegionPolicy
from .matcher import Match
from .models import Contact
from .regions import DEFAULT_HOTLINE

KEEP = object()  # an Outcome that leaves the conversation state as it is


@dataclass
class Outcome:
    """What a handler answers: the text, the intent it served, and the dialogue state to keep."""

    text: str
    intent: str
    content_version: int | None = None
    state: object = None  # None ends any dialogue, KEEP leaves it, or a (flow, step, data) tuple
    locale: str | None = None  # set when the handler switched the contact's language
    ask_region: bool = True  # whether the county question may follow this answer


@dataclass
class Reply:
    """The reply as the channel adapters return it."""

    text: str
    intent: str
    locale: str
    segments: int
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

    @property
    def t(self) -> Translator:
        return translator(self.locale)

    def _(self, message: str, **params) -> str:
        """Translate a system string into the contact's language."""
        return self.t.gettext(message, **params)

    @property
    def region(self) -> RegionPolicy | None:
        """The contact's region policy, else the deployment's default region."""
        return self.library.region(self.contact.region) or self.library.region(self.config.get("DEFAULT_REGION"))

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

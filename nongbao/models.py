"""Shared vocabulary of the service: message directions and statuses, and the contact record."""

from dataclasses import dataclass

# Message directions
INBOUND = "in"  # from a farmer to the service
OUTBOUND = "out"  # from the service to a farmer

# Message statuses (Twilio's delivery words are kept as they come for outbound SMS)
RECEIVED = "received"  # inbound stored, not yet answered
HANDLED = "handled"  # inbound answered
REPLIED = "replied"  # outbound returned in the same exchange (TwiML or API response)
QUEUED = "queued"  # outbound waiting in the outbox for the provider
SENDING = "sending"  # outbox row claimed by a worker under a lease (taken again when the lease runs out)
CANCELED = "canceled"  # outbox row dropped before sending (the contact opted out or was paused)
SENT = "sent"  # outbound accepted by the provider
DELIVERED = "delivered"  # outbound confirmed on the handset
UNDELIVERED = "undelivered"  # outbound the carrier could not deliver
FAILED = "failed"  # outbound the provider refused

# How far along a sent message is; a callback that arrives late never moves it back.
DELIVERY_ORDER = {QUEUED: 1, "accepted": 1, SENDING: 2, SENT: 3, CANCELED: 4, FAILED: 4, UNDELIVERED: 4, DELIVERED: 5, "read": 6}
FINAL = {CANCELED, FAILED, UNDELIVERED, DELIVERED, "read"}  # statuses a message never leaves

# Channels
SMS = "sms"  # Twilio or another SMS provider
API = "api"  # any chat channel through the JSON API
CONSOLE = "console"  # staff trying conversations with `flask chat`

# Where a contact stands with the county question
REGION_UNKNOWN = "unknown"  # not asked yet
REGION_ASKED = "asked"  # asked, no answer yet
REGION_SET = "set"  # the contact chose a region
REGION_SKIPPED = "skipped"  # the contact chose not to say

# Follow-ups staff owe a farmer
FEEDBACK = "feedback"  # a complaint or suggestion
HANDOFF = "handoff"  # a request to talk to a person

# Where a content version came from
FROM_FILE = "file"  # loaded from content/ or `flask content load`
FROM_STAFF = "staff"  # edited by staff in the admin


@dataclass
class Contact:
    """A farmer as the service knows them: one address, a language and a region."""

    id: int
    address: str  # E.164 phone number or a chat id
    channel: str
    locale: str | None  # language the contact chose; None until they choose
    last_locale: str | None  # language of the last exchange
    region: str | None  # region code once known
    region_status: str
    birth_year: int | None
    opted_out: bool
    reminders: bool
    created_at: str
    turns: int = 0  # messages answered so far: a turn commits only if no other turn did meanwhile

    @property
    def erased(self) -> bool:
        """The farmer's data was erased at their request (the row stays, anonymised, for the counts)."""
        return self.address.startswith("erased:")

    @classmethod
    def from_row(cls, row: dict) -> "Contact":
        """Build from a contacts table row."""
        return cls(
            id=row["id"],
            address=row["address"],
            channel=row["channel"],
            locale=row["locale"],
            last_locale=row["last_locale"],
            region=row["region"],
            region_status=row["region_status"],
            birth_year=row["birth_year"],
            opted_out=bool(row["opted_out"]),
            reminders=bool(row["reminders"]),
            created_at=row["created_at"],
            turns=row.get("turns") or 0,
        )

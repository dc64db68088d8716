"""The intent keys of the public contract (topics.md): what the API returns and analytics count."""

# Knowledge topics, answered from the content store.
KNOWLEDGE_TOPICS = (
    "pension.overview", "pension.grades", "pension.eligibility", "pension.benefit",
    "pension.catchup", "pension.payment", "pension.claim", "pension.transfer", "pension.death",
    "pension.subsidized", "pension.account", "pension.payout", "pension.choose_scheme",
    "medical.resident", "medical.serious_illness", "medical.assistance", "medical.enrolment",
    "assistance.dibao", "assistance.disability", "assistance.elderly",
    "supplementary.commercial", "service.where",
)  # fmt: skip
# Action intents, which start or change a conversation.
ACTION_INTENTS = (
    "estimate", "reminders.subscribe", "reminders.unsubscribe", "reminders.paid", "feedback",
    "handoff", "language", "menu", "clarify", "unknown",
)  # fmt: skip
INTENTS = KNOWLEDGE_TOPICS + ACTION_INTENTS

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

# Whole messages that opt out of everything we start, and that opt back in (topics.md); case and
# surrounding punctuation are ignored. Fixed here, not in the editable vocabulary: they are consent.
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "td", "t",
                           "退订", "取消订阅", "取消提醒", "别发了", "不要再发"})  # fmt: skip
OPT_IN_WORDS = frozenset({"start", "unstop", "remind", "订阅", "提醒", "开通提醒"})
YES_WORDS = frozenset({"yes", "y"})  # opts back in only a contact who opted out

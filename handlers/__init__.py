"""The registry of conversation capabilities: one small module each, wired up in these two tables.

HANDLERS maps an intent to the function that answers it; FLOWS maps an open dialogue to the
function that reads the farmer's answer to its question (returning None when the message is
not an answer, so that it is routed like any other).
"""

from nongbao.content import KNOWLEDGE_TOPICS

from . import estimate, followup, knowledge, language, menu, region, subscriptions, unknown

HANDLERS = {
    **{key: knowledge.answer for key in KNOWLEDGE_TOPICS},
    "estimate": estimate.start,
    "reminders.subscribe": subscriptions.subscribe,
    "reminders.unsubscribe": subscriptions.unsubscribe,
    "reminders.paid": subscriptions.paid,
    "feedback": followup.feedback,
    "handoff": followup.handoff,
    "language": language.switch,
    "menu": menu.show,
    "menu.choice": menu.choose,
    "region.named": region.named,  # a message that is only a place name
    "unknown": unknown.answer,
}

FLOWS = {
    "menu": menu.resume,
    "estimate": estimate.resume,
    "region": region.resume,
    "feedback": followup.resume,
}

"""The registry of conversation capabilities: each declared once, with its handler, resume and menu slot.

`handle(turn)` answers the intent; `resume(turn)` reads the farmer's next message while the
capability's dialogue is open (None lets the message be routed like any other); `menu` is the
(menu name, position) where the capability appears. Handlers never import each other: one that
needs another returns an Outcome with `follow`, and the engine runs that capability.
"""

from collections.abc import Callable
from dataclasses import dataclass

from nongbao.intents import KNOWLEDGE_TOPICS
from nongbao.turns import Outcome, Turn

from . import estimate, followup, knowledge, language, menu, privacy, region, subscriptions, topics, unknown


@dataclass(frozen=True)
class Capability:
    key: str  # the intent key (topics.md), or an internal step such as region.named
    handle: Callable[[Turn], Outcome | None]
    resume: Callable[[Turn], Outcome | None] | None = None  # reads answers while its dialogue is open
    menu: tuple[str, int] | None = None  # (menu name, position from 1)


# Where each knowledge topic sits in the sub-menus of the main menu.
TOPIC_MENU = {
    "pension.overview": ("pension", 1), "pension.grades": ("pension", 2), "pension.eligibility": ("pension", 3),
    "pension.benefit": ("pension", 4), "pension.catchup": ("pension", 5), "pension.payment": ("pension", 6),
    "pension.claim": ("pension", 7), "pension.payout": ("pension", 8), "pension.account": ("pension", 9),
    "pension.transfer": ("pension", 10), "pension.choose_scheme": ("pension", 11), "pension.death": ("pension", 12),
    "pension.subsidized": ("pension", 13),
    "medical.resident": ("medical", 1), "medical.enrolment": ("medical", 2), "medical.serious_illness": ("medical", 3),
    "medical.assistance": ("medical", 4),
    "assistance.dibao": ("assistance", 1), "assistance.disability": ("assistance", 2), "assistance.elderly": ("assistance", 3),
    "supplementary.commercial": ("main", 5), "service.where": ("main", 9),
}  # fmt: skip

CAPABILITIES = (
    *(Capability(key, knowledge.answer, menu=TOPIC_MENU.get(key)) for key in KNOWLEDGE_TOPICS),
    Capability("estimate", estimate.start, estimate.resume, ("main", 2)),
    Capability("reminders.subscribe", subscriptions.subscribe, menu=("main", 6)),
    Capability("reminders.unsubscribe", subscriptions.unsubscribe),
    Capability("reminders.paid", subscriptions.paid),
    Capability("feedback", followup.feedback, followup.resume),
    Capability("handoff", followup.handoff, menu=("main", 7)),
    Capability("language", language.switch, menu=("main", 8)),
    Capability("menu", menu.show, menu.resume),
    Capability("clarify", topics.clarify, topics.resume_clarify),
    Capability("topics", topics.several),  # a message asking several things at once
    Capability("region", region.named, region.resume),  # a message that names a place
    Capability("unknown", unknown.answer),
    Capability("privacy", privacy.ask, privacy.resume),  # "删除我的信息": erasure after 确认删除 (intent "menu")
    Capability("privacy.notice", privacy.notice),  # "隐私": what is kept, why and for how long (intent "menu")
)
REGISTRY = {capability.key: capability for capability in CAPABILITIES}
# The main menu's sub-menus and where they sit.
SUBMENUS = {"pension": ("main", 1), "medical": ("main", 3), "assistance": ("main", 4)}


def menus() -> dict[str, list[str]]:
    """Each menu's entries in order (a capability key or a sub-menu name), built from the slots above."""
    slots = [(c.menu, c.key) for c in CAPABILITIES if c.menu] + [(slot, name) for name, slot in SUBMENUS.items()]
    built: dict[str, list[str]] = {}
    for (name, _position), key in sorted(slots):
        built.setdefault(name, []).append(key)
    return built


MENUS = menus()

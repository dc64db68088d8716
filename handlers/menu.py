"""The numbered menu: a main menu and topic sub-menus, answered by number in any state."""

import re

from nongbao.matcher import Match
from nongbao.models import REGION_ASKED, REGION_SKIPPED, REGION_UNKNOWN
from nongbao.numerals import parse_choice
from nongbao.turns import Outcome, Turn

from . import knowledge, language, region

PENSION_TOPICS = (
    "pension.overview", "pension.grades", "pension.eligibility", "pension.benefit", "pension.catchup",
    "pension.payment", "pension.claim", "pension.transfer", "pension.death", "pension.subsidized",
)  # fmt: skip
MEDICAL_TOPICS = ("medical.resident", "medical.serious_illness", "medical.assistance")
SUBMENUS = {"pension": PENSION_TOPICS, "medical": MEDICAL_TOPICS}
# Main menu entries in order: a sub-menu name or an intent.
MAIN = ("pension", "estimate", "medical", "assistance.dibao", "supplementary.commercial",
        "reminders.subscribe", "handoff", "language")  # fmt: skip


def _main_labels(turn: Turn) -> dict[str, str]:
    _ = turn._
    return {
        "pension": _("Pension"),
        "estimate": _("Pension estimate"),
        "medical": _("Medical insurance"),
        "assistance.dibao": _("Dibao and hardship aid"),
        "supplementary.commercial": _("Extra insurance"),
        "reminders.subscribe": _("Payment reminders"),
        "handoff": _("Talk to a person"),
        "language": _("Chinese") if turn.locale == "en" else "English",
    }


def _numbered(turn: Turn, labels: list[str]) -> str:
    """Numbered entries: on one line in Chinese (cheap in SMS), one per line in English."""
    if turn.locale == "zh-Hans":
        return " ".join(f"{i}{label}" for i, label in enumerate(labels, 1))
    return "\n".join(f"{i} {label}" for i, label in enumerate(labels, 1))


def main_menu_text(turn: Turn) -> str:
    """The main menu: a header, numbered entries, and how to opt out."""
    labels = _main_labels(turn)
    entries = _numbered(turn, [labels[key] for key in MAIN])
    return "\n".join((turn._("Rural insurance helper. Reply with a number:"), entries, turn._("Reply TD to stop messages.")))


def submenu_text(turn: Turn, name: str) -> str:
    """A topic sub-menu built from the topics' own titles, so staff edits show up here."""
    header = turn._("Pension. Reply with a number:") if name == "pension" else turn._("Medical. Reply with a number:")
    entries = _numbered(turn, [knowledge.title(turn, key) for key in SUBMENUS[name]])
    return "\n".join((header, entries, turn._("0 Main menu")))


COURTESY = re.compile(
    r"^((谢谢|多谢|谢了|好的|好|行|嗯|收到|知道了|明白了|ok|okay|thanks?|thank you|thx|got it)"
    r"[,，!！。.~～\s]*(你|您|啦|了|啊|a lot|so much|very much|you)?[,，!！。.~～\s]*)+$",
    re.IGNORECASE,
)
GOODBYE = re.compile(r"^(再见|拜拜|回见|bye|goodbye|see you)[!！。.~～\s]*$", re.IGNORECASE)
SKIP = region.SKIP


def show(turn: Turn) -> Outcome:
    """The main menu, remembered so that the next number picks from it; thanks get a short word back."""
    text = turn.text.strip()
    if SKIP.match(text) and turn.contact.region_status in (REGION_UNKNOWN, REGION_ASKED):
        turn.store.update_contact(turn.contact.id, turn.now, region_status=REGION_SKIPPED)
        return Outcome(turn._("All right. Reply MENU to see what I can answer."), "menu", ask_region=False)
    if GOODBYE.match(text):
        return Outcome(turn._("Goodbye. Text us any time you have a question."), "menu", ask_region=False)
    if COURTESY.match(text):
        return Outcome(turn._("You are welcome. Text us any time; reply MENU for the menu."), "menu", ask_region=False)
    return Outcome(main_menu_text(turn), "menu", state=("menu", "main", {"menu": "main"}), ask_region=False)


def _pick(turn: Turn, menu: str, number: int) -> Outcome | None:
    from . import HANDLERS

    if number == 0:
        return show(turn)
    entries = MAIN if menu == "main" else SUBMENUS[menu]
    if not 1 <= number <= len(entries):
        return None
    key = entries[number - 1]
    if key in SUBMENUS:
        return Outcome(submenu_text(turn, key), "menu", state=("menu", key, {"menu": key}), ask_region=False)
    if key == "language":
        return language.switch_to(turn, "zh-Hans" if turn.locale == "en" else "en")
    turn.match = Match(key, 1.0, turn.locale)
    return HANDLERS[key](turn)


def choose(turn: Turn, number: int) -> Outcome:
    """A number with no menu open picks from the main menu; a wrong one shows the menu again."""
    outcome = _pick(turn, "main", number)
    if outcome is None:
        menu = show(turn)
        prefix = turn._("Please reply with a number from the menu.")
        return Outcome(f"{prefix}\n{menu.text}", "menu", state=menu.state, ask_region=False)
    return outcome


def resume(turn: Turn) -> Outcome | None:
    """A number answers the menu shown last; anything else is routed as usual."""
    number = parse_choice(turn.text)
    if number is None:
        return None
    menu = turn.state_data().get("menu", "main")
    outcome = _pick(turn, menu, number)
    if outcome is None:
        again = submenu_text(turn, menu) if menu in SUBMENUS else main_menu_text(turn)
        prefix = turn._("Please reply with a number from the menu.")
        return Outcome(f"{prefix}\n{again}", "menu", state=("menu", menu, {"menu": menu}), ask_region=False)
    return outcome

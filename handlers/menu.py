"""The numbered menu: a main menu and topic sub-menus; a number means something only while one is showing."""

import re

from nongbao.models import REGION_ASKED, REGION_SKIPPED, REGION_UNKNOWN
from nongbao.numerals import parse_choice
from nongbao.parsing import SKIP_COUNTY
from nongbao.turns import KEEP, Outcome, Turn

COURTESY = re.compile(
    r"^((谢谢|多谢|谢了|感谢|好的|好|行|嗯|收到|知道了|明白了|懂了|ok|okay|thanks?|thank you|thx|got it)"
    r"[,，!！。.~～\s]*(你|您|啦|了|啊|a lot|so much|very much|you)?[,，!！。.~～\s]*)+$",
    re.IGNORECASE,
)
GOODBYE = re.compile(r"^(再见|拜拜|回见|bye|goodbye|see you)[!！。.~～\s]*$", re.IGNORECASE)


def _numbered(turn: Turn, labels: list[str]) -> str:
    """Numbered entries: on one line in Chinese (cheap in SMS), one per line in English."""
    if turn.locale == "zh-Hans":
        return " ".join(f"{i}{label}" for i, label in enumerate(labels, 1))
    return "\n".join(f"{i} {label}" for i, label in enumerate(labels, 1))


def menu_text(turn: Turn, name: str) -> str:
    """A menu built from the registry's slots, so staff edits of topic titles show up here."""
    entries = _numbered(turn, turn.entry_titles(turn.menus[name]))
    if name == "main":
        header, footer = turn._("Rural insurance helper. Reply with a number:"), turn._("Reply TD to stop messages.")
    else:
        header = {
            "pension": turn._("Pension. Reply with a number:"),
            "medical": turn._("Medical. Reply with a number:"),
        }.get(name, turn._("Reply with a number:"))
        footer = turn._("0 Main menu")
    return "\n".join((header, entries, footer))


def _open(turn: Turn, name: str, prefix: str = "") -> Outcome:
    text = menu_text(turn, name)
    return Outcome(f"{prefix}\n{text}" if prefix else text, "menu", state=("menu", name, {"menu": name}), ask_region=False)


def show(turn: Turn) -> Outcome:
    """The main menu, remembered so that the next number picks from it; thanks and goodbyes get a short word."""
    text = turn.text.strip()
    if SKIP_COUNTY.match(text) and turn.contact.region_status in (REGION_UNKNOWN, REGION_ASKED):
        return Outcome(
            turn._("All right. Reply MENU to see what I can answer."), "menu", ask_region=False,
            contact={"region_status": REGION_SKIPPED},
        )  # fmt: skip
    if GOODBYE.match(text):
        return Outcome(turn._("Goodbye. Text us any time you have a question."), "menu", ask_region=False)
    if COURTESY.match(text):
        return Outcome(
            turn._("You are welcome. Text us any time; reply MENU for the menu."), "menu", state=KEEP, ask_region=False
        )
    if parse_choice(text) not in (None, 0):  # a number with no menu showing picks nothing: show the menu it could pick from
        return _open(turn, "main", turn._("Please reply with a number from the menu."))
    return _open(turn, "main")


def resume(turn: Turn) -> Outcome | None:
    """A number answers the menu shown last; anything else is routed as usual."""
    number = parse_choice(turn.text)
    if number is None:
        return None
    name = turn.state_data().get("menu", "main")
    if number == 0:
        return _open(turn, "main")
    entries = turn.menus.get(name, [])
    if not 1 <= number <= len(entries):
        return _open(turn, name, turn._("Please reply with a number from the menu."))
    key = entries[number - 1]
    if key in turn.menus:
        return _open(turn, key)
    return Outcome("", "menu", state=("menu", name, {"menu": name}), follow=key, ask_region=False)

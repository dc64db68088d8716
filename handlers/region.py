"""The county question: a farmer names their county or city (or skips), with a choice when names repeat."""

import re

from nongbao.models import REGION_SET, REGION_SKIPPED
from nongbao.numerals import parse_number
from nongbao.turns import Outcome, Turn

SKIP = re.compile(r"^(跳过|不说|不用了?|不知道|算了|不|否|skip|no|later|n/a)[!！。.~～\s]*$", re.IGNORECASE)


def _label(turn: Turn, region) -> str:
    """A region with its parents, so that 朝阳区（北京市） and 朝阳县（辽宁省朝阳市） differ."""
    chain, parent = [], turn.library.region(region.effective.get("parent"))
    while parent and len(chain) < 3:
        chain.append(parent.name(turn.locale))
        parent = turn.library.region(parent.effective.get("parent"))
    name = region.name(turn.locale)
    if not chain:
        return name
    joined = "".join(reversed(chain)) if turn.locale == "zh-Hans" else ", ".join(chain)
    return f"{name}（{joined}）" if turn.locale == "zh-Hans" else f"{name} ({joined})"


def _set(turn: Turn, region) -> Outcome:
    """Remember the region; an estimate just given is worked out again with its figures."""
    turn.store.update_contact(turn.contact.id, turn.now, region=region.code, region_status=REGION_SET)
    turn.contact.region = region.code
    state = turn.state or {}
    if state.get("flow") == "estimate" and state.get("step") == "done":
        from . import estimate

        again = estimate.answer_again(turn)
        if again is not None:
            return again
    text = turn._(
        "Thank you. From now on I answer with the figures of %(region)s. Reply MENU for the menu.", region=_label(turn, region)
    )
    return Outcome(text, "menu", ask_region=False)


def _from_name(turn: Turn, text: str) -> Outcome | None:
    """Set the region a place name stands for, or offer a numbered choice when several share it."""
    found = turn.library.find_regions(text)
    if len(found) == 1:
        return _set(turn, found[0])
    if len(found) > 1:
        codes = [r.code for r in found[:9]]
        lines = [f"{i} {_label(turn, r)}" for i, r in enumerate(found[:9], 1)]
        text = turn._("Several places have that name. Reply with a number:") + "\n" + "\n".join(lines)
        return Outcome(text, "menu", state=("region", "choose", {"codes": codes}), ask_region=False)
    return None


def named(turn: Turn) -> Outcome | None:
    """A message that is only a place name sets the region, whatever was asked before."""
    text = turn.text.strip()
    if not text or len(text) > 12 or parse_number(text) is not None:
        return None
    return _from_name(turn, text)


def resume(turn: Turn) -> Outcome | None:
    """Read the answer to the county question; None when the message is something else."""
    text = turn.text.strip()
    step, data = turn.state["step"], turn.state_data()
    if step == "choose":
        number = parse_number(text)
        codes = data.get("codes", [])
        if number is not None and 1 <= number <= len(codes) and turn.library.region(codes[number - 1]):
            return _set(turn, turn.library.region(codes[number - 1]))
    if SKIP.match(text):
        turn.store.update_contact(turn.contact.id, turn.now, region_status=REGION_SKIPPED)
        return Outcome(turn._("All right. Reply MENU to see what I can answer."), "menu", ask_region=False)
    if parse_number(text) is not None or len(text) > 20:
        return None
    return _from_name(turn, text)

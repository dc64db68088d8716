"""The county question: a farmer names their place (or skips), with a numbered choice when names repeat."""

from nongbao.models import REGION_SET, REGION_SKIPPED
from nongbao.numerals import parse_number
from nongbao.parsing import SKIP_COUNTY
from nongbao.turns import Outcome, Turn


def _set(turn: Turn, code: str) -> Outcome:
    """Remember the place; answers use its figures, or its nearest ancestor's, from now on."""
    text = turn._(
        "Thank you. From now on I answer with the figures of %(region)s. Reply MENU for the menu.",
        region=turn.library.basis_label(code, turn.locale),
    )
    return Outcome(text, "menu", ask_region=False, contact={"region": code, "region_status": REGION_SET})


def choice(turn: Turn, codes: list[str]) -> Outcome:
    """A numbered choice between places that share a name."""
    return Outcome(turn.place_choice(codes[:9]), "menu", state=("region", "choose", {"codes": codes[:9]}), ask_region=False)


def named(turn: Turn) -> Outcome | None:
    """A message that is only a place name sets the place, whatever was asked before."""
    text = turn.text.strip()
    if not text or len(text) > 40 or parse_number(text) is not None:
        return None
    found = turn.library.find_places(text)
    if found is None or not found.only_place:
        return None
    return _set(turn, found.codes[0]) if len(found.codes) == 1 else choice(turn, found.codes)


def resume(turn: Turn) -> Outcome | None:
    """Read the answer to the county question or the numbered choice; None when the message is something else."""
    text = turn.text.strip()
    step, data = turn.state["step"], turn.state_data()
    if step == "choose":
        number = parse_number(text)
        codes = data.get("codes", [])
        if number is not None and 1 <= number <= len(codes):
            return _set(turn, codes[number - 1])
    if SKIP_COUNTY.match(text):
        return Outcome(
            turn._("All right. Reply MENU to see what I can answer."), "menu", ask_region=False,
            contact={"region_status": REGION_SKIPPED},
        )  # fmt: skip
    return None

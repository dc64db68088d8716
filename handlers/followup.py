"""Feedback and requests for a person: recorded for staff with a reference the farmer can quote."""

import re

from nongbao.models import FEEDBACK, HANDOFF
from nongbao.turns import KEEP, Outcome, Turn


def _is_bare_request(text: str) -> bool:
    """'提个意见' or 'I have a suggestion' says there is feedback without giving it."""
    words = re.findall(r"[A-Za-z']+", text)
    cjk = re.findall(r"[\u4e00-\u9fff]", text)
    return len(cjk) <= 8 and len(words) <= 5


def feedback(turn: Turn) -> Outcome:
    """Record the complaint or suggestion; ask for the details when only the wish to give one came."""
    ref = turn.follow_up(FEEDBACK)
    if _is_bare_request(turn.text):
        text = turn._("Please tell us your complaint or suggestion in your next message (reference %(ref)s).", ref=ref)
        return Outcome(text, "feedback", state=("feedback", "details", {"ref": ref}), ask_region=False)
    text = turn._("Thank you, staff will read it. Your reference is %(ref)s.", ref=ref)
    return Outcome(text, "feedback")


def resume(turn: Turn) -> Outcome | None:
    """The details of the feedback announced in the previous message."""
    ref = turn.state_data().get("ref")
    if not ref or not turn.text.strip():
        return None
    turn.add_to_follow_up(ref)
    text = turn._("Thank you, staff will read it. Your reference is %(ref)s.", ref=ref)
    return Outcome(text, "feedback")


def handoff(turn: Turn) -> Outcome:
    """Record the wish to talk to a person and give the hotline at once."""
    ref = turn.follow_up(HANDOFF)
    text = turn._(
        "We have asked staff to contact you (reference %(ref)s). For urgent questions call %(hotline)s.",
        ref=ref,
        hotline=turn.hotline,
    )
    return Outcome(text, "handoff", state=KEEP, ask_region=False)

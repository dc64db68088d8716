"""Questions outside the service: logged for staff, answered with what the service can do."""

from nongbao.turns import KEEP, Outcome, Turn


def answer(turn: Turn) -> Outcome:
    """Say what we can answer and keep the question for staff; an open dialogue stays open."""
    turn.log_unanswered()
    text = turn._(
        "Sorry, I cannot answer that yet; staff will see your question. I can help with pension grades and "
        "benefits, back payments, medical insurance, serious illness cover and dibao. Reply MENU for the menu."
    )
    return Outcome(text, "unknown", state=KEEP)

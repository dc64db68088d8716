"""Knowledge topics: the content store's text for the contact's language, with their region's figures."""

from nongbao.content import render
from nongbao.turns import KEEP, Outcome, Turn


def _row(turn: Turn, key: str) -> dict | None:
    """The topic in force in the contact's language, or in Chinese when that locale lacks it."""
    return turn.store.topic(key, turn.locale) or turn.store.topic(key, "zh-Hans")


def topic_text(turn: Turn, key: str) -> tuple[str, int | None]:
    """The rendered topic and the content version it came from."""
    row = _row(turn, key)
    if row is None:
        return turn._("This topic is being written. Please call %(hotline)s.", hotline=turn.hotline), None
    return render(row["body"], turn.policy, turn.t), row["id"]


def answer(turn: Turn) -> Outcome:
    """Answer a knowledge topic; an open dialogue or menu stays open, so its next number still works."""
    key = turn.match.intent
    text, version = topic_text(turn, key)
    return Outcome(text, key, version, state=KEEP)


def title(turn: Turn, key: str) -> str:
    """The short menu title of a topic."""
    row = _row(turn, key)
    return row["title"] if row else key

"""Knowledge topics: the content store's text for the contact's language, with their region's figures."""

from nongbao.turns import KEEP, Outcome, Turn


def answer(turn: Turn) -> Outcome:
    """Answer a knowledge topic; an open dialogue or menu stays open, so its next number still works."""
    key = turn.match.intent
    text, version = turn.topic(key)
    return Outcome(text, key, version, state=KEEP)

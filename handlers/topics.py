"""Messages that ask several things, and the either/or question when two readings are equally likely."""

from nongbao import segments
from nongbao.numerals import parse_choice
from nongbao.turns import KEEP, Outcome, Turn


def several(turn: Turn) -> Outcome:
    """One reply covering each question of the message: the opening of each answer, the rest behind MORE."""
    keys = [key for key in turn.match.intents if key]
    texts = [(key, *turn.topic(key)) for key in keys]
    texts = [(key, text, version) for key, text, version in texts if version is not None]
    if len(texts) < 2:
        return Outcome("", keys[0] if keys else "menu", follow=keys[0] if keys else "menu")
    signature = turn.config.get("SMS_SIGNATURE", "")
    share = max(1, int(turn.config["SMS_MAX_PARTS"]) // len(texts))
    cuts = [segments.fit(text, share, signature) for _, text, _ in texts]
    shown = "\n".join(f"{i}) {head}" for i, (head, _rest) in enumerate(cuts, 1))
    rest = "\n".join(f"{i}) {remainder}" for i, (_head, remainder) in enumerate(cuts, 1) if remainder)
    text = f"{shown}\n{rest}" if rest else shown  # the engine pages what does not fit behind MORE
    return Outcome(text, texts[0][0], texts[0][2], state=KEEP, intents=[key for key, _, _ in texts])


def clarify(turn: Turn) -> Outcome:
    """Ask which of two close readings the farmer meant; the answer (1, 2 or words) routes it."""
    options = turn.match.intents[:2]
    labels = turn.entry_titles(options)
    text = turn._("Do you mean 1 %(first)s or 2 %(second)s? Reply 1 or 2.", first=labels[0], second=labels[1])
    return Outcome(text, "clarify", state=("clarify", "choose", {"options": options}), ask_region=False)


def resume_clarify(turn: Turn) -> Outcome | None:
    """1 or 2 picks the reading; any other message is routed afresh."""
    options = turn.state_data().get("options", [])
    number = parse_choice(turn.text)
    if number is None or not 1 <= number <= len(options):
        return None
    key = options[number - 1]
    return Outcome("", key, follow=key)

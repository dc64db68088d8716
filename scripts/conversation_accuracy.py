"""Whole conversations through POST /api/v1/messages, checked turn by turn on the intent and the facts kept.

A conversation file is a YAML list of conversations:

    - id: zh01
      turns:
        - text: "俺今年五十二了 想算算能领多少"
          intent: estimate            # "a|b" for either
          intents: [a, b]             # optional: every topic a multi-question reply must cover
          facts: {age: 52}            # what the open estimate knows after the turn; `none`: no dialogue open
          locale: zh-Hans             # optional: the language of the reply

`age`, `grade`, `years_paid`, `balance` and `collective` are compared strictly (a fact the file does not
list must be absent); `place` (a code or the full name such as 河北省邢台市), `birth_year` and
`past_grade` only where the file gives them. Prints the share of turns with the right intent and of
conversations with every fact right, then each miss.
"""

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nongbao import places  # noqa: E402

STRICT = ("age", "grade", "years_paid", "balance", "collective")
LENIENT = ("place", "birth_year", "past_grade")
TOKEN = "conversation-check"


@dataclass
class Result:
    turns: int = 0
    intents_right: int = 0
    conversations: int = 0
    facts_right: int = 0
    misses: list = field(default_factory=list)

    @property
    def intent_share(self) -> float:
        return self.intents_right / max(1, self.turns)

    @property
    def facts_share(self) -> float:
        return self.facts_right / max(1, self.conversations)


def _same(key: str, expected, actual) -> bool:
    """Whether a fact matches what the file expects (a list gives several acceptable values)."""
    if isinstance(expected, list):
        return any(_same(key, option, actual) for option in expected)
    if expected is None or actual is None:
        return expected is None and actual is None
    if key == "place":
        wanted = str(expected)
        return actual == wanted or places.full_name(actual) == wanted or places.full_name(actual).endswith(wanted)
    try:
        return Decimal(str(expected)) == Decimal(str(actual))
    except ArithmeticError:
        return str(expected) == str(actual)


def fact_problems(expected, actual: dict | None) -> list[str]:
    """What differs between the facts a turn should leave and those it left."""
    if expected is None or expected == "none":
        return [] if not actual else [f"no dialogue expected, got {actual}"]
    actual = actual or {}
    problems = []
    for key in STRICT:
        if not _same(key, expected.get(key), actual.get(key)):
            problems.append(f"{key}: expected {expected.get(key)}, got {actual.get(key)}")
    for key in LENIENT:
        if key in expected and not _same(key, expected[key], actual.get(key)):
            problems.append(f"{key}: expected {expected[key]}, got {actual.get(key)}")
    return problems


def intent_right(turn: dict, body: dict) -> bool:
    accepted = set(str(turn["intent"]).split("|"))
    covered = set(body.get("intents") or [body["intent"]])
    if not ({body["intent"]} & accepted or covered & accepted):
        return False
    return set(turn.get("intents") or []) <= covered | {body["intent"]}


def run(conversations: list[dict], client, start_phone: int = 13900000000, token: str = TOKEN) -> Result:
    """Send every conversation, each from a new contact, and compare."""
    result = Result()
    for number, conversation in enumerate(conversations):
        phone = f"+86{start_phone + number}"
        facts_ok = True
        for index, turn in enumerate(conversation["turns"]):
            response = client.post(
                "/api/v1/messages", json={"from": phone, "text": str(turn["text"])}, headers={"Authorization": f"Bearer {token}"}
            )
            body = response.get_json()
            result.turns += 1
            where = f"{conversation.get('id', number)}#{index + 1} {turn['text']!r}"
            if intent_right(turn, body) and (not turn.get("locale") or body["locale"] == turn["locale"]):
                result.intents_right += 1
            else:
                got = f"{body['intent']} {body.get('intents') or ''} {body['locale']}".strip()
                result.misses.append(f"{where}: intent {turn['intent']} ({turn.get('locale', '')}) got {got}")
            if "facts" in turn:
                problems = fact_problems(turn["facts"], body.get("facts"))
                if problems:
                    facts_ok = False
                    result.misses.append(f"{where}: facts {'; '.join(problems)}")
        result.conversations += 1
        result.facts_right += facts_ok
    return result


def client_for(database: Path):
    """A test client of the app on a fresh database with the shipped content."""
    from app import create_app

    app = create_app({"TESTING": True, "DATABASE": str(database), "API_TOKENS": [TOKEN], "SECRET_KEY": "check",
                      "DEFAULT_REGION": "441403", "DEFAULT_LOCALE": "zh-Hans", "API_RATE_PER_MINUTE": 0,
                      "LOG_LEVEL": "WARNING"})  # fmt: skip
    return app.test_client()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", type=Path, nargs="+", help="conversation YAML files")
    parser.add_argument("--quiet", action="store_true", help="figures only, no misses")
    args = parser.parse_args(argv)
    conversations = [c for path in args.paths for c in yaml.safe_load(path.read_text(encoding="utf-8"))]
    with tempfile.TemporaryDirectory() as folder:
        result = run(conversations, client_for(Path(folder) / "check.db"))
    print(f"turns with the right intent: {result.intent_share:.1%} ({result.intents_right}/{result.turns})")
    print(f"conversations with every fact right: {result.facts_share:.1%} ({result.facts_right}/{result.conversations})")
    if not args.quiet:
        for miss in result.misses:
            print("  " + miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

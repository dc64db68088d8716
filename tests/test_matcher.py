"""The intent matcher on our own labelled phrasings (separate from any shared development file)."""

from pathlib import Path

import pytest

from nongbao import pinyin
from nongbao.matcher import commonness
from scripts.intent_accuracy import evaluate, read_labelled, shipped_matcher

DATA = Path(__file__).parent / "data"
LABELLED = [DATA / name for name in ("intents_labelled.tsv", "intents_holdout.tsv", "intents_varied.tsv", "intents_helpline.tsv",
                                     "intents_blind.tsv")]  # fmt: skip


@pytest.fixture(scope="module")
def matcher():
    return shipped_matcher()


@pytest.mark.parametrize("path", LABELLED, ids=lambda p: p.name)
def test_accuracy_on_our_labelled_phrasings_is_at_least_95_percent(matcher, path):
    accuracy, _recall, misses = evaluate(matcher, read_labelled(path))
    assert accuracy >= 0.95, misses


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("养老保线一年交多少", "pension.grades"),  # typo of 养老保险
        ("新农合住院能报多少", "medical.resident"),  # old name of the medical scheme
        ("低保户养老保险谁帮交", "pension.subsidized"),
        ("我四十五岁交五百能领多少", "estimate"),  # Chinese numerals
        ("how much pensoin will I get", "estimate"),  # English typo
        ("STOP", "reminders.unsubscribe"),
        ("td", "reminders.unsubscribe"),
        ("菜单", "menu"),
        ("明天下不下雨", "unknown"),
    ],
)
def test_colloquial_typos_and_numerals_route_correctly(matcher, text, intent):
    assert matcher.match(text).intent == intent


def test_nonsense_is_unknown(matcher):
    assert matcher.match("asdkjh qwe zzz").intent == "unknown"
    assert matcher.match("啊啊啊啊").intent == "unknown"


def test_staff_can_teach_a_new_phrase_without_code(matcher):
    from nongbao.matcher import IntentMatcher

    vocab = {
        "locale": "zh-Hans",
        "synonyms": {},
        "commands": {},
        "intents": {"pension.death": {"keywords": ["驾鹤西去"], "examples": []}},
    }
    assert IntentMatcher({"zh-Hans": vocab}).match("老人驾鹤西去了账户怎么办").intent == "pension.death"


def test_pinyin_spelling_shared_by_words_reads_as_the_common_word_whatever_their_order():
    """保险, 保现 and 包险 all spell baoxian: the everyday word wins in every run, not the first in a set."""
    words = ["保现", "保险", "包险", "养老"]
    for order in (words, list(reversed(words))):
        converter = pinyin.Converter(order, commonness=commonness)
        assert converter.to_hanzi("yanglao baoxian") == "养老保险"

"""Whole conversations through POST /api/v1/messages, checked on the facts kept after each turn."""

from pathlib import Path

import pytest
import yaml

from nongbao.matcher import IntentMatcher, Match
from scripts.conversation_accuracy import fact_problems, intent_right, run
from tests.conftest import API_TOKEN

DATA = Path(__file__).parent / "data"
ISSUE_CONVERSATIONS = yaml.safe_load((DATA / "conversations_issue.yaml").read_text(encoding="utf-8"))
PHONE = "+8613700000077"


def converse(api, turns: list[dict], phone: str = PHONE) -> list[str]:
    """Send each turn; the problems found (wrong intent, language or facts), as readable lines."""
    problems = []
    for index, turn in enumerate(turns, 1):
        body = api.send(phone, str(turn["text"]))
        if not intent_right(turn, body):
            problems.append(
                f"#{index} {turn['text']!r}: intent {body['intent']} {body.get('intents', '')}, expected {turn['intent']}"
            )
        if turn.get("locale") and body["locale"] != turn["locale"]:
            problems.append(f"#{index} {turn['text']!r}: answered in {body['locale']}")
        if "facts" in turn:
            problems += [f"#{index} {turn['text']!r}: {p}" for p in fact_problems(turn["facts"], body.get("facts"))]
    return problems


def test_conversations_written_blind_keep_their_facts_and_route_their_turns(client):
    """70 conversations written by people who had not seen the vocabulary (first measured at 87.2% / 54.3%)."""
    conversations = [c for name in ("conversations_heldout_zh.yaml", "conversations_heldout_mixed.yaml")
                     for c in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))]  # fmt: skip
    result = run(conversations, client, token=API_TOKEN)
    assert result.intent_share >= 0.95 and result.facts_share >= 0.95, "\n".join(result.misses)


@pytest.mark.parametrize("conversation", ISSUE_CONVERSATIONS, ids=[c["id"] for c in ISSUE_CONVERSATIONS])
def test_conversations_keep_every_fact_and_route_every_turn(api, conversation):
    assert converse(api, conversation["turns"]) == []


def test_a_what_if_on_the_grade_keeps_the_years_already_paid_at_the_old_grade(api):
    api.send(PHONE, "我45岁 每年交600 交了5年")
    body = api.send(PHONE, "交1800呢")
    assert body["facts"]["grade"] == 1800 and body["facts"]["past_grade"] == 600
    assert "按以前每年交600元估算" in body["reply"]


def test_a_spouses_age_is_not_kept_as_the_farmers_birth_year(api, store):
    api.send(PHONE, "俺媳妇46 也交600 她能领多少")
    api.send(PHONE, "没交过")
    assert store.contact(PHONE).birth_year is None
    api.send(PHONE, "我自己50岁 交600 没交过")
    assert store.contact(PHONE).birth_year is not None


def test_a_grade_the_place_does_not_offer_keeps_the_estimate_and_lists_the_grades(api):
    api.send(PHONE, "我45岁 每年交600 没交过")
    body = api.send(PHONE, "3000呢")
    assert body["facts"]["grade"] == 600 and "4800" in body["reply"]


def test_naming_a_place_tells_whose_figures_answer(api, store):
    api.send(PHONE, "我45岁 每年交500 没交过")
    body = api.send(PHONE, "河北邢台")
    assert body["facts"]["place"] == "130500" and store.contact(PHONE).region == "130500"
    assert "河北省" in body["reply"]


def test_facts_are_absent_when_no_dialogue_is_open(api):
    body = api.send(PHONE, "医保一年交多少")
    assert "facts" not in body


def test_cancel_alone_ends_the_estimate_and_never_opts_out(api, store):
    api.send(PHONE, "我45岁 算算养老金")
    body = api.send(PHONE, "取消")
    assert body["intent"] == "menu" and "facts" not in body
    assert not store.contact(PHONE).opted_out


@pytest.mark.parametrize("text", ["n", "退", "no", "N"])
def test_short_answers_never_opt_out(api, store, text):
    api.send(PHONE, "我45岁 算算养老金")
    assert api.send(PHONE, text)["intent"] != "reminders.unsubscribe"
    assert not store.contact(PHONE).opted_out


@pytest.mark.parametrize("text", ["6", "哈哈哈哈", "1234567", "😂😂", "hahaha"])
def test_numbers_laughter_and_digits_alone_start_nothing_and_open_no_ticket(api, store, text):
    body = api.send(PHONE, text)
    contact = store.contact(PHONE)
    assert body["intent"] == "menu"
    assert not contact.reminders and not contact.opted_out
    assert store.unanswered() == [] and store.count("followups") == 0


def test_yes_from_an_opted_out_contact_opts_back_in(api, store):
    api.send(PHONE, "退订")
    assert store.contact(PHONE).opted_out
    assert api.send(PHONE, "YES")["intent"] == "reminders.subscribe"
    assert not store.contact(PHONE).opted_out


def test_more_with_nothing_left_keeps_the_estimate_open(api):
    api.send(PHONE, "我45岁 每年交600 没交过")
    body = api.send(PHONE, "MORE")
    assert body["facts"]["grade"] == 600
    assert api.send(PHONE, "全部")["intent"] == "estimate"


def test_several_questions_get_one_reply_covering_each_within_three_parts(api):
    body = api.send(PHONE, "一年交多少 啥时候交 在哪交")
    assert set(body["intents"]) >= {"pension.grades", "pension.payment"}
    assert body["intent"] == body["intents"][0] and body["segments"] <= 3
    assert "1)" in body["reply"] and "2)" in body["reply"]


@pytest.mark.parametrize(
    "text", ["nongbao zai na jiao", "yibao duoshao qian", "yǎnglǎo bǎoxiǎn fēn jǐ dàng", "di bao zen me shen qing"]
)
def test_pinyin_is_understood_and_answered_in_chinese(api, text):
    body = api.send(PHONE, text)
    assert body["locale"] == "zh-Hans" and body["intent"] not in ("unknown", "menu")


def test_an_english_word_that_spells_pinyin_stays_english(api):
    api.send(PHONE, "I am 45 and pay 600 a year, how much pension will I get?")
    assert api.send(PHONE, "none")["locale"] == "en"


def test_two_close_intents_are_asked_about_and_the_answer_routes_it(api, monkeypatch):
    close = Match("clarify", 1.0, "zh-Hans", intents=["pension.grades", "pension.payment"])
    original = IntentMatcher.route
    monkeypatch.setattr(IntentMatcher, "route", lambda self, text: close if text == "交钱那个事" else original(self, text))
    body = api.send(PHONE, "交钱那个事")
    assert body["intent"] == "clarify" and "1" in body["reply"] and "2" in body["reply"]
    assert api.send(PHONE, "2")["intent"] == "pension.payment"


def test_the_matcher_asks_when_two_intents_score_alike():
    vocabulary = {
        "locale": "en",
        "intents": {"pension.grades": {"keywords": ["tier"]}, "pension.payment": {"keywords": ["tier"]}},
    }
    routed = IntentMatcher({"en": vocabulary}).route("which tier")
    assert routed.intent == "clarify" and set(routed.intents) == {"pension.grades", "pension.payment"}

"""Topic content: every topic in both locales, within three SMS parts, with safe placeholders."""

import copy
import datetime
import re

import pytest
from conftest import answer_parts

from nongbao import segments
from nongbao.content import ContentError, check_template, render
from nongbao.i18n import LOCALES, translator
from nongbao.intents import KNOWLEDGE_TOPICS
from nongbao.library import library
from nongbao.loader import load
from nongbao.segments import encoding_of


@pytest.mark.parametrize("locale", LOCALES)
def test_every_topic_renders_within_three_parts_for_every_shipped_region(store, locale):
    lib = library(store)
    assert lib.regions, "the shipped regions are loaded"
    for code, region in lib.regions.items():
        for key in KNOWLEDGE_TOPICS:
            row = store.topic(key, locale)
            assert row, f"{key} has no {locale} text"
            text = render(row["body"], region.effective, translator(locale))
            assert "{" not in text and "http" not in text
            signature = "【农保助手】" if locale == "zh-Hans" else ""  # mainland providers sign Chinese SMS
            parts = segments.segments(text, signature)
            assert parts <= 3, f"{key} {locale} in {code} takes {parts} parts: {text}"


QUESTIONS = {
    "pension.overview": ("农保是干什么的", "what is the residents pension"),
    "pension.grades": ("养老保险有几个档次", "what grades can I choose"),
    "pension.eligibility": ("谁可以参加养老保险", "who is eligible to join"),
    "pension.benefit": ("养老金怎么计算", "how is the pension calculated"),
    "pension.catchup": ("以前没交的能补交吗", "can I make up missed years"),
    "pension.payment": ("养老保险在哪里交", "where do I pay the contribution"),
    "pension.claim": ("60岁了怎么办理领取", "what documents do I need to claim"),
    "pension.transfer": ("养老保险能转到外省吗", "can I transfer my pension to another province"),
    "pension.death": ("人去世了账户里的钱能继承吗", "can my family inherit the account if I die"),
    "pension.subsidized": ("重度残疾人交养老保险政府帮交吗", "does the government pay for disabled people"),
    "medical.resident": ("医保住院能报销多少", "how much does medical insurance cover in hospital"),
    "medical.serious_illness": ("大病保险怎么二次报销", "how does serious illness insurance work"),
    "medical.assistance": ("看不起病有医疗救助吗", "is there medical assistance for hospital bills"),
    "assistance.dibao": ("怎么申请低保", "how do I apply for dibao"),
    "supplementary.commercial": ("惠民保值得买吗", "should I buy commercial insurance"),
    "pension.account": ("我交了几年养老保险怎么查", "how do I check my contribution record"),
    "pension.payout": ("养老金这个月没到账", "my pension did not arrive this month"),
    "pension.choose_scheme": ("灵活就业交职工养老还是居民养老", "I am self employed which pension scheme is better"),
    "medical.enrolment": ("新生儿怎么参加医保", "how do I enrol my newborn baby in medical insurance"),
    "assistance.disability": ("残疾人有什么补贴", "is there a disability allowance"),
    "assistance.elderly": ("高龄津贴多大岁数能领", "is there an old age allowance for people over 80"),
    "service.where": ("医保的事找哪个部门", "which office handles medical insurance"),
}


@pytest.mark.parametrize("key", KNOWLEDGE_TOPICS)
def test_every_topic_answers_in_both_locales_within_three_parts(api, key):
    for locale, question in zip(LOCALES, QUESTIONS[key]):
        body = api.send(f"+86139000{KNOWLEDGE_TOPICS.index(key):05d}", question)
        assert (body["intent"], body["locale"]) == (key, locale), question
        assert answer_parts(body["reply"]) <= 3
        assert body["reply"].split("\n")[0] == body["reply"].split("\n")[0].strip()
        if locale == "en":
            assert encoding_of(body["reply"]) == "GSM-7"  # one SMS part holds 153 characters, not 67


def test_a_missing_figure_leaves_its_sentence_out_and_points_to_the_office_once():
    policy = {"name": {"zh-Hans": "某县"}, "pension": {"year": 2025}}
    text = render("交费时间：{pension_window}。每年交一次。", policy, translator("zh-Hans"))
    assert text == "每年交一次。本地的具体数字，请问当地社保局或打12333。"


def test_a_missing_medical_figure_points_to_the_medical_insurance_office():
    policy = {"name": {"zh-Hans": "某县"}, "contact": {"medical_office": {"zh-Hans": "某县医保局"}}}
    text = render("{medical_year}年居民医保：个人交{medical_individual}。", policy, translator("zh-Hans"))
    assert text == "本地的具体数字，请问某县医保局或打12393。"


def test_an_unconfirmed_figure_reads_about_with_one_note_for_the_reply():
    policy = {"pension": {"basic_pension": {"central": 143, "local": 20}, "interest_rate": "0.015"},
              "unconfirmed": ["pension.basic_pension.local", "pension.interest_rate"]}  # fmt: skip
    text = render("基础养老金{basic_pension}，利率{interest_rate}。", policy, translator("zh-Hans"))
    assert text == "基础养老金约163元，利率约1.5%。（“约”数以当地为准）"


def test_a_figure_of_an_earlier_year_says_its_year():
    policy = {"pension": {"year": 2025, "basic_pension": {"central": 143, "local": 20}}}
    text = render("基础养老金{basic_pension}。", policy, translator("zh-Hans"), datetime.date(2026, 12, 1))
    assert text == "基础养老金163元。（2025年标准，可能已提高）"
    assert "2025" not in render("基础养老金{basic_pension}。", policy, translator("zh-Hans"), datetime.date(2025, 12, 1))


POINTERS = {"zh-Hans": "本地的具体数字", "en": "For this place's figures"}
OPTIONAL = ["pension.long_service", "pension.hardship_grade", "pension.catchup", "pension.scheme_start", "pension.age_extra",
            "pension.window", "pension.basic_pension", "pension.grades", "pension.interest_rate", "medical", "medical.window",
            "contact", "name"]  # fmt: skip


def _without(policy: dict, path: str) -> dict:
    trimmed = copy.deepcopy(policy)
    *parents, last = path.split(".")
    node = trimmed
    for part in parents:
        node = node.get(part) or {}
    node.pop(last, None)
    return trimmed


@pytest.mark.parametrize("locale", LOCALES)
def test_no_topic_in_any_region_splices_a_fallback_into_a_sentence(store, locale):
    lib = library(store)
    policies = {code: region.effective for code, region in lib.regions.items()}
    root = lib.regions["000000"].effective
    policies.update({f"000000 without {path}": _without(root, path) for path in OPTIONAL})
    policies["nothing but a name"] = {"name": {"zh-Hans": "某县", "en": "A county"}}
    for label, policy in policies.items():
        for key in KNOWLEDGE_TOPICS:
            text = render(store.topic(key, locale)["body"], policy, translator(locale), datetime.date(2026, 12, 1))
            assert "{" not in text and "None" not in text, (label, key, text)
            for found in re.finditer(re.escape(POINTERS[locale]), text):
                before = text[: found.start()].rstrip()
                assert not before or before[-1] in "。！？.!?)）", (label, key, text)  # a sentence of its own


@pytest.mark.parametrize(
    "template",
    ["{grades.__class__}", "{grades!r}", "{grades:>10}", "{unknown_figure}", "{", "see https://example.com"],
)
def test_unsafe_or_unknown_placeholders_are_rejected_when_saved(template):
    with pytest.raises(ContentError):
        check_template(template, "test.yaml", "body.zh-Hans")


def test_loading_a_changed_topic_creates_a_new_version_and_keeps_the_old(store, tmp_path):
    before = store.topic("pension.death", "zh-Hans")
    path = tmp_path / "death.yaml"
    path.write_text(
        "key: pension.death\ntitle: {zh-Hans: 去世, en: Death}\nbody: {zh-Hans: 新的说法。, en: New wording.}\n",
        encoding="utf-8",
    )
    report = load(store, [path])
    assert "topic pension.death zh-Hans" in report.created
    now = store.topic("pension.death", "zh-Hans")
    assert now["version"] == before["version"] + 1 and now["body"] == "新的说法。"
    assert len(store.topic_history("pension.death", "zh-Hans")) == 2
    assert load(store, [path]).created == []  # same text again: no new version


def test_a_bad_topic_file_changes_nothing(store, tmp_path):
    good = tmp_path / "a.yaml"
    good.write_text(
        "key: pension.death\ntitle: {zh-Hans: 去世, en: Death}\nbody: {zh-Hans: 改了。, en: Changed.}\n", encoding="utf-8"
    )
    bad = tmp_path / "b.yaml"
    bad.write_text("key: pension.claim\ntitle: {zh-Hans: 领取, en: Claim}\nbody: {zh-Hans: '{oops}', en: x}\n", encoding="utf-8")
    before = store.topic("pension.death", "zh-Hans")["id"]
    with pytest.raises(ContentError) as error:
        load(store, [good, bad])
    assert "b.yaml" in str(error.value) and "body.zh-Hans" in str(error.value)
    assert store.topic("pension.death", "zh-Hans")["id"] == before


def test_content_load_command_reports_new_versions(runner, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "key: pension.death\ntitle: {zh-Hans: 去世, en: Death}\nbody: {zh-Hans: 第二版。, en: Second.}\n", encoding="utf-8"
    )
    result = runner.invoke(args=["content", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "new version: topic pension.death zh-Hans" in result.output


def test_a_topic_too_long_for_three_sms_parts_is_rejected_with_the_region(store, tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(
        f"key: pension.death\ntitle: {{zh-Hans: 去世, en: Death}}\nbody: {{zh-Hans: {'很长的说明。' * 40}, en: Short.}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as error:
        load(store, [path])
    assert "long.yaml" in str(error.value) and "body.zh-Hans" in str(error.value) and "SMS parts" in str(error.value)


def test_a_topic_asking_for_an_id_number_is_rejected():
    with pytest.raises(ContentError):
        check_template("请回复您的身份证号。", "t.yaml", "body.zh-Hans")


def test_a_key_written_twice_in_a_file_is_an_error(store, tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text(
        "key: pension.death\nkey: pension.claim\ntitle: {zh-Hans: a, en: a}\nbody: {zh-Hans: a, en: a}\n", encoding="utf-8"
    )
    with pytest.raises(ContentError) as error:
        load(store, [path])
    assert "written twice" in str(error.value)

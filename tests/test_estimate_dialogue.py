"""The estimate by SMS and chat: what the first message gives, one question at a time, corrections, regions."""

import pytest

PHONE = "+8613800138000"
GRADES = ["180", "240", "360", "600", "900", "1200", "1800", "3600", "4800"]
# Monthly totals of the default region 441403 from age 45, 15 years, nothing paid yet (see test_estimate_api).
TOTAL_AT_45 = {180: "260.58", 240: "267.89", 360: "282.51", 600: "315.40", 900: "351.94", 1200: "388.49",
               1800: "461.58", 3600: "680.85", 4800: "827.02"}  # fmt: skip
AGE_QUESTION = "您今年多大岁数"
GRADE_QUESTION = "您每年交哪一档"
YEARS_QUESTION = "您已经交了几年"
COUNTY_QUESTION = "您是哪个县（区）的"


def plain(text: str) -> str:
    """The reply with thousands separators removed, so 1,200 reads as 1200."""
    return text.replace(",", "")


def lists_every_grade(text: str) -> bool:
    return all(grade in plain(text) for grade in GRADES)


# The whole question in one message


def test_full_question_then_years_paid_gives_the_estimate_in_two_messages(api):
    first = api.send(PHONE, "我45岁，每年交600，60岁能领多少？")
    assert first["intent"] == "estimate"
    assert YEARS_QUESTION in first["reply"]
    answer = api.send(PHONE, "0")
    reply = answer["reply"]
    assert answer["intent"] == "estimate"
    assert "315.40元" in reply
    assert "以当地" in reply
    assert "2025" in reply
    assert "全部" in reply
    assert answer["segments"] <= 3
    assert first["segments"] <= 3


def test_full_question_by_sms_gives_the_same_estimate(sms):
    assert YEARS_QUESTION in sms.receive(PHONE, "我45岁，每年交600，60岁能领多少？")
    reply = sms.receive(PHONE, "0")
    assert "每月约315.40元" in reply
    assert "以当地" in reply


def test_years_paid_in_the_first_message_is_not_asked_again(api):
    reply = api.send(PHONE, "我45岁，每年交600，已交5年")["reply"]
    assert YEARS_QUESTION not in reply
    # 20 contribution years: 3 yuan a month more for each beyond 15 (basic 250); the 5 years paid are
    # rebuilt at 600 + 60 a year at 1.5% (3,451.50), then 15 more years: 15,490.6 / 139 = 111.44.
    assert "每月约361.44元" in reply
    assert "按以前每年交600元估算" in reply


# Chinese numerals and birth years


@pytest.mark.parametrize(
    "message, grade",
    [("我四十五岁，每年交九百", 900), ("我45岁，交1千2", 1200), ("我四十五岁，每年交一千八", 1800),
     ("我45岁，每年交两百四", 240), ("我45岁，每年交三千六", 3600), ("我45岁，每年交4千8", 4800)],
)  # fmt: skip
def test_chinese_numerals_for_age_and_grade(api, message, grade):
    assert YEARS_QUESTION in api.send(PHONE, message)["reply"]
    reply = plain(api.send(PHONE, "0")["reply"])
    assert f"每年交{grade}元" in reply
    assert f"每月约{TOTAL_AT_45[grade]}元" in reply


@pytest.mark.parametrize("message", ["我今年45，每年交600", "我今年四十五，每年交600"])
def test_age_after_jinnian_without_sui_is_understood(api, message):
    reply = api.send(PHONE, message)["reply"]
    assert AGE_QUESTION not in reply, reply
    assert YEARS_QUESTION in reply


def test_birth_year_gives_the_age_from_the_clock(api, store):
    # The clock says 2026-03-02, so a farmer born in 1980 is 46 and pays 14 more years: one year short.
    assert YEARS_QUESTION in api.send(PHONE, "1980年生，交1800")["reply"]
    reply = plain(api.send(PHONE, "0")["reply"])
    assert "46岁起每年交1800元" in reply
    assert reply.startswith("差1年")
    assert store.contact_fields(store.contact(PHONE).id, "birth_year")["birth_year"] == 1980


# One question at a time


def test_missing_age_grade_and_years_are_asked_one_at_a_time(api):
    first = api.send(PHONE, "我想算算养老金能领多少")["reply"]
    assert AGE_QUESTION in first and GRADE_QUESTION not in first
    second = api.send(PHONE, "45")["reply"]
    assert GRADE_QUESTION in second and lists_every_grade(second)
    assert AGE_QUESTION not in second and YEARS_QUESTION not in second
    third = api.send(PHONE, "600")["reply"]
    assert YEARS_QUESTION in third and GRADE_QUESTION not in third
    answer = api.send(PHONE, "0")
    assert "每月约315.40元" in answer["reply"]
    assert answer["segments"] <= 3


def test_unreadable_answer_gets_a_reprompt_and_the_conversation_continues(api):
    api.send(PHONE, "我想算算养老金能领多少")
    reprompt = api.send(PHONE, "不知道")
    assert reprompt["intent"] == "estimate"
    assert "没看懂" in reprompt["reply"] and AGE_QUESTION in reprompt["reply"]
    assert GRADE_QUESTION in api.send(PHONE, "45")["reply"]
    assert YEARS_QUESTION in api.send(PHONE, "600")["reply"]
    assert "每月约315.40元" in api.send(PHONE, "0")["reply"]


def test_grade_not_offered_gets_a_reprompt_listing_the_grades(api):
    reply = api.send(PHONE, "我45岁，每年交700")["reply"]
    assert "没有这个档次" in reply
    assert GRADE_QUESTION in reply and lists_every_grade(reply)
    assert YEARS_QUESTION in api.send(PHONE, "900")["reply"]
    assert "每月约351.94元" in api.send(PHONE, "0")["reply"]


def test_years_paid_over_age_minus_16_gets_a_reprompt(api):
    api.send(PHONE, "我45岁，每年交600")
    reply = api.send(PHONE, "40")["reply"]
    assert "16" in reply and YEARS_QUESTION in reply
    assert "每月约" in api.send(PHONE, "0")["reply"]


@pytest.mark.parametrize(
    "before, bad, expected, question",
    [([], "200", "年龄应在16到100岁之间", AGE_QUESTION), (["45"], "700", "没有这个档次", GRADE_QUESTION)],
    ids=["age-200", "grade-700"],
)
def test_out_of_range_answer_is_reprompted_at_once(api, before, bad, expected, question):
    api.send(PHONE, "我想算算养老金能领多少")
    for answer in before:
        api.send(PHONE, answer)
    reply = api.send(PHONE, bad)["reply"]
    assert expected in reply and question in reply, reply


# After the answer: corrections and every grade


def test_correction_after_the_answer_recomputes_with_the_new_grade(api):
    api.send(PHONE, "我45岁，每年交600，60岁能领多少？")
    assert "每月约315.40元" in api.send(PHONE, "0")["reply"]
    corrected = api.send(PHONE, "不对，是900")
    assert corrected["intent"] == "estimate"
    assert "每年交900元" in corrected["reply"]
    assert "每月约351.94元" in corrected["reply"]


def test_age_correction_after_the_answer_recomputes_with_the_new_age(api):
    api.send(PHONE, "我45岁，每年交600，60岁能领多少？")
    api.send(PHONE, "0")
    corrected = api.send(PHONE, "不对，我50岁")["reply"]
    assert "50岁起每年交600元" in corrected
    assert "差5年" in corrected  # 10 years by 60: five short


def test_correction_with_gaicheng_recomputes_with_the_new_grade(api):
    api.send(PHONE, "我45岁，每年交600，60岁能领多少？")
    api.send(PHONE, "0")
    corrected = api.send(PHONE, "改成1800")
    assert corrected["intent"] == "estimate", corrected
    assert "每月约461.58元" in corrected["reply"]


def test_all_after_the_answer_lists_every_grade(api):
    api.send(PHONE, "我45岁，每年交600，60岁能领多少？")
    api.send(PHONE, "0")
    everything = api.send(PHONE, "全部")
    assert everything["intent"] == "estimate"
    text = plain(everything["reply"])
    for grade, total in TOTAL_AT_45.items():
        assert f"{grade}元：{total}元" in text
    assert everything["segments"] <= 3


def test_all_grades_reply_states_the_assumptions(api):
    api.send(PHONE, "我45岁，每年交600，60岁能领多少？")
    api.send(PHONE, "0")
    everything = api.send(PHONE, "全部")["reply"]
    assert "2025" in everything
    assert "1.5%" in everything, everything
    assert "未计以后调待遇" in everything


# English


def test_english_flow_asks_in_english_and_answers_in_english(api):
    first = api.send(PHONE, "estimate my pension")
    assert first["intent"] == "estimate" and first["locale"] == "en"
    assert "How old are you?" in first["reply"]
    reprompt = api.send(PHONE, "abc")["reply"]
    assert "did not understand" in reprompt and "How old are you?" in reprompt
    grade_question = api.send(PHONE, "45")["reply"]
    assert "Which grade" in grade_question and lists_every_grade(grade_question)
    assert "How many years" in api.send(PHONE, "600")["reply"]
    answer = api.send(PHONE, "0")
    assert answer["locale"] == "en"
    assert "315.40 a month" in answer["reply"]
    assert "2025" in answer["reply"] and "check locally" in answer["reply"] and "ALL" in answer["reply"]
    assert answer["segments"] <= 3
    everything = plain(api.send(PHONE, "all")["reply"])
    for grade, total in TOTAL_AT_45.items():
        assert f"{grade}: CN¥{total}" in everything


def test_english_question_with_figures_needs_only_years_paid(api):
    assert "How many years" in api.send(PHONE, "I am 45 and pay 600 a year, how much pension will I get?")["reply"]
    assert "315.40 a month" in api.send(PHONE, "none")["reply"]


def test_more_after_an_unpaged_estimate_does_not_unsubscribe(api, store):
    api.send(PHONE, "I'm 45, I pay 600 yuan per year")
    assert "315.40 a month" in api.send(PHONE, "0")["reply"]
    reply = api.send(PHONE, "more")
    assert reply["intent"] != "reminders.unsubscribe", reply
    assert not store.contact(PHONE).opted_out


# Choosing the region by SMS


def test_new_contact_is_asked_for_the_county_and_a_county_name_sets_it(sms, store):
    first = sms.receive(PHONE, "今天天气怎么样")
    assert COUNTY_QUESTION in first
    reply = sms.receive(PHONE, "梅县区")
    assert "梅县区" in reply and "谢谢" in reply
    assert store.contact(PHONE).region == "441403"


def test_estimate_uses_the_region_the_farmer_chose(sms, store):
    sms.receive(PHONE, "今天天气怎么样")
    sms.receive(PHONE, "山东省")
    assert store.contact(PHONE).region == "370000"
    assert YEARS_QUESTION in sms.receive(PHONE, "我45岁，每年交两千")
    reply = plain(sms.receive(PHONE, "0"))
    assert "山东省" in reply and "每年交2000元" in reply
    corrected = plain(sms.receive(PHONE, "不对，是1千5"))
    assert "每年交1500元" in corrected


def test_a_name_shared_by_several_places_gets_a_numbered_choice(sms, store):
    assert COUNTY_QUESTION in sms.receive(PHONE, "今天天气怎么样")
    choice = sms.receive(PHONE, "朝阳区")  # Beijing's and Changchun's
    lines = {line.split(" ", 1)[0]: line for line in choice.splitlines() if line[:1].isdigit()}
    assert set(lines) == {"1", "2"}, choice
    assert {"北京市" in lines["1"], "北京市" in lines["2"]} == {True, False}
    assert {"吉林省" in lines["1"], "吉林省" in lines["2"]} == {True, False}
    assert store.contact(PHONE).region is None
    picked = sms.receive(PHONE, "1")
    expected = "110105" if "北京市" in lines["1"] else "220104"
    assert "朝阳区" in picked
    assert store.contact(PHONE).region == expected


def test_the_birth_year_is_kept_for_the_turning_60_reminder(api, store):
    api.send("+8613800000030", "1975年生，每年交600")
    api.send("+8613800000030", "0")
    assert store.contact_fields(store.contact("+8613800000030").id, "birth_year") == {"birth_year": 1975}

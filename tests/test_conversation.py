"""The conversation engine through SMS and the API: menus, numbers, global words, state, onboarding."""

import pytest
from conftest import answer_parts

PHONE = "+8613811112222"


def test_a_new_contacts_first_question_is_answered_then_the_county_is_asked(api):
    body = api.send(PHONE, "养老保险分几档")
    assert body["intent"] == "pension.grades"
    answer, question, privacy = body["reply"].rsplit("\n", 2)
    assert "档" in answer and "县" in question and "跳过" in question and "隐私" in privacy


def test_the_first_reply_to_a_new_contact_names_the_privacy_word_and_it_explains_what_is_kept(api):
    first = api.send("+8613811113333", "how much is the pension")
    assert first["reply"].endswith("Reply PRIVACY to see how we use your data.") and first["segments"] <= 4
    assert "PRIVACY" not in api.send("+8613811113333", "thanks")["reply"]
    notice = api.send(PHONE, "隐私")["reply"]
    assert "删除我的信息" in notice and "365" in notice and "不出售" in notice.replace("绝不出售", "不出售")


def test_the_county_question_can_be_skipped(api, store):
    api.send(PHONE, "养老保险分几档")
    api.send(PHONE, "跳过")
    assert store.contact(PHONE).region_status == "skipped"
    body = api.send(PHONE, "医保一年交多少")
    assert body["intent"] == "medical.resident" and "跳过" not in body["reply"]


def test_a_question_instead_of_a_county_is_answered_as_a_question(api):
    api.send(PHONE, "养老保险分几档")
    assert api.send(PHONE, "大病保险怎么报销")["intent"] == "medical.serious_illness"


def test_naming_the_county_sets_the_region(api, store):
    api.send(PHONE, "养老保险分几档")
    reply = api.send(PHONE, "梅县区")["reply"]
    assert "梅县区" in reply and store.contact(PHONE).region == "441403"


def test_menu_word_shows_a_numbered_menu_in_any_state(api):
    api.send(PHONE, "估算一下我的养老金")  # opens a dialogue
    body = api.send(PHONE, "菜单")
    assert body["intent"] == "menu" and "1养老保险" in body["reply"]


@pytest.mark.parametrize("number", ["2", "二", "２"])
def test_a_number_picks_from_the_main_menu(api, number):
    api.send(PHONE, "菜单")
    assert api.send(PHONE, number)["intent"] == "estimate"


def test_a_number_opens_a_submenu_and_the_next_number_picks_a_topic(api):
    api.send(PHONE, "菜单")
    submenu = api.send(PHONE, "1")
    assert submenu["intent"] == "menu" and "缴费档次" in submenu["reply"]
    assert api.send(PHONE, "2")["intent"] == "pension.grades"


def test_a_number_with_no_menu_showing_picks_nothing_and_shows_the_menu(api, store):
    body = api.send(PHONE, "6")  # 6 would be reminders on the main menu
    assert body["intent"] == "menu" and "1" in body["reply"]
    assert not store.contact(PHONE).reminders
    assert api.send(PHONE, "3")["intent"] == "menu"  # now the menu is showing: 3 opens the medical sub-menu
    assert api.send(PHONE, "1")["intent"] == "medical.resident"


def test_a_number_outside_the_menu_shows_the_menu_again(api):
    api.send(PHONE, "菜单")
    body = api.send(PHONE, "42")
    assert body["intent"] == "menu" and "请回复菜单里的数字" in body["reply"]


def test_a_number_answers_an_open_dialogue_question_before_the_menu(api):
    api.send(PHONE, "菜单")
    api.send(PHONE, "2")  # estimate: asks the age
    body = api.send(PHONE, "45")
    assert body["intent"] == "estimate" and "档" in body["reply"]


def test_switching_language_sticks_to_the_contact(api, store):
    body = api.send(PHONE, "切换成英文")
    assert body["intent"] == "language" and body["locale"] == "en" and body["reply"].isascii()
    assert api.send(PHONE, "养老保险分几档")["locale"] == "en"
    assert api.send(PHONE, "中文")["locale"] == "zh-Hans"
    assert store.contact(PHONE).locale == "zh-Hans"


def test_menu_number_eight_switches_language(api):
    api.send(PHONE, "菜单")
    assert api.send(PHONE, "8")["locale"] == "en"


def test_an_english_message_from_a_new_contact_is_answered_in_english(api):
    assert api.send("+8613811113333", "how many years must I pay")["locale"] == "en"


def test_a_dialogue_expires_after_thirty_minutes_of_silence(api, clock):
    api.send(PHONE, "估算一下我的养老金")
    clock.advance(minutes=31)
    body = api.send(PHONE, "45")
    assert body["intent"] != "estimate" or "多大" in body["reply"]
    assert "档" not in body["reply"] or body["intent"] == "menu"


def test_a_dialogue_within_thirty_minutes_continues(api, clock):
    api.send(PHONE, "估算一下我的养老金")
    clock.advance(minutes=29)
    assert api.send(PHONE, "45")["intent"] == "estimate"


@pytest.mark.parametrize("word", ["STOP", "退订", "TD", "t", "取消订阅", "Stop!", "不要再发", "cancel"])
def test_stop_words_opt_out_at_once_in_any_state(api, store, word):
    api.send(PHONE, "估算一下我的养老金")
    body = api.send(PHONE, word)
    assert body["intent"] == "reminders.unsubscribe"
    contact = store.contact(PHONE)
    assert contact.opted_out and not contact.reminders
    assert store.conversation(contact.id, __import__("datetime").datetime.now(__import__("datetime").timezone.utc)) is None


def test_a_chinese_farmer_typing_td_is_answered_in_chinese(api):
    api.send(PHONE, "你好")
    assert api.send(PHONE, "TD")["locale"] == "zh-Hans"


def test_subscribing_again_lifts_the_opt_out(api, store):
    api.send(PHONE, "退订")
    assert api.send(PHONE, "开通缴费提醒")["intent"] == "reminders.subscribe"
    contact = store.contact(PHONE)
    assert contact.reminders and not contact.opted_out


def test_paid_records_the_year_in_shanghai_time(api, store, clock):
    import datetime

    clock.now = datetime.datetime(2026, 12, 31, 17, 0, tzinfo=datetime.UTC)  # already 1 January in Shanghai
    assert api.send(PHONE, "已交")["intent"] == "reminders.paid"
    assert store.contact_fields(store.contact(PHONE).id, "paid_year") == {"paid_year": 2027}


def test_handoff_is_recorded_with_the_hotline_in_the_reply(api, store):
    body = api.send(PHONE, "我想和真人说话")
    assert body["intent"] == "handoff" and "12333" in body["reply"]
    assert store.followups("handoff")[0]["ref"] in body["reply"]


def test_feedback_asks_for_details_then_records_them_with_a_reference(api, store):
    first = api.send(PHONE, "提个意见")
    assert first["intent"] == "feedback"
    second = api.send(PHONE, "村里收钱不给收据")
    record = store.followups("feedback")[0]
    assert record["ref"] in second["reply"] and "收据" in record["text"]


def test_unknown_questions_are_logged_for_staff_and_answered_with_what_we_can_do(api, store):
    body = api.send(PHONE, "今天猪肉什么价")
    assert body["intent"] == "unknown" and "菜单" in body["reply"]
    assert store.unanswered()[0]["text"] == "今天猪肉什么价"


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "？？？", "👍"])
def test_empty_or_emoji_only_messages_get_the_menu(api, text):
    body = api.send(PHONE, text)
    assert body["intent"] == "menu" and body["segments"] <= 3


def test_a_very_long_message_is_stored_whole_and_answered_within_three_parts(api, store):
    text = "我想问一下养老保险的档次" * 120
    body = api.send(PHONE, text)
    assert answer_parts(body["reply"]) <= 3
    stored = store.messages_of(store.contact(PHONE).id)[0]
    assert stored["text"] == text and stored["direction"] == "in"


def test_every_inbound_message_is_stored_with_its_intent_and_reply(api, store):
    api.send(PHONE, "养老保险分几档")
    inbound, outbound = store.messages_of(store.contact(PHONE).id)
    assert inbound["direction"] == "in" and inbound["status"] == "handled" and inbound["intent"] == "pension.grades"
    assert outbound["reply_to"] == inbound["id"] and outbound["content_version"] == store.topic("pension.grades", "zh-Hans")["id"]


def test_identity_and_bank_numbers_are_masked_before_storage(api, store):
    body = api.send(PHONE, "我的身份证440102199001011234，银行卡6222 0212 3456 7890 123")
    stored = store.messages_of(store.contact(PHONE).id)[0]["text"]
    assert "440102199001011234" not in stored and "1234" in stored
    assert "6222 0212 3456 7890 123" not in stored
    assert "440102199001011234" not in body["reply"]


def test_answers_never_contain_links(api):
    for text in ("养老保险怎么交费", "how do I pay online", "惠民保值不值得买", "菜单"):
        reply = api.send(PHONE, text)["reply"]
        assert "http" not in reply and "www." not in reply


def test_a_long_reply_is_paged_and_more_gives_the_rest(app, api):
    app.config["SMS_MAX_PARTS"] = 1
    first = api.send(PHONE, "养老保险分几档")
    assert first["segments"] == 1 and "更多" in first["reply"]
    rest = api.send(PHONE, "更多")
    assert rest["intent"] == "pension.grades" and rest["reply"]


def test_the_chat_console_answers_as_a_farmer(runner):
    result = runner.invoke(args=["chat", "--phone", "+8613899990000"], input="养老保险分几档\n菜单\n")
    assert result.exit_code == 0, result.output
    assert "pension.grades" in result.output and "menu" in result.output


def test_a_place_name_alone_sets_the_region_in_any_state(api, store):
    api.send(PHONE, "跳过")
    body = api.send(PHONE, "河北省")
    assert "河北省" in body["reply"] and store.contact(PHONE).region == "130000"


def test_naming_the_county_after_an_estimate_works_it_out_again_for_that_region(api, store):
    first = api.send(PHONE, "我45岁，每年交1200，60岁能领多少？")
    api.send(PHONE, "0")
    again = api.send(PHONE, "河北省")
    assert store.contact(PHONE).region == "130000"
    # Hebei has no 1,200 grade: the farmer is asked to choose among Hebei's grades, then answered.
    assert again["intent"] == "estimate" and "8000" in again["reply"]
    answer = api.send(PHONE, "1000")
    assert "河北省" in answer["reply"] and "以当地" in answer["reply"] and first["reply"] != answer["reply"]


@pytest.mark.parametrize(
    ("reply", "code"), [("广东梅州梅县区", "441403"), ("梅县", "441403"), ("河北石家庄", "130100"), ("我在山东", "370000")]
)
def test_counties_are_recognised_as_farmers_write_them(api, store, reply, code):
    api.send(PHONE, "养老保险分几档")
    api.send(PHONE, reply)
    assert store.contact(PHONE).region == code


def test_a_question_naming_a_county_is_answered_as_a_question(api, store):
    api.send(PHONE, "跳过")
    assert api.send(PHONE, "梅县区医保多少钱")["intent"] == "medical.resident"


@pytest.mark.parametrize("text", ["谢谢", "好的", "thanks a lot", "ok"])
def test_thanks_get_a_short_word_back_and_are_not_logged_for_staff(api, store, text):
    api.send(PHONE, "养老保险分几档")
    api.send(PHONE, "跳过")
    body = api.send(PHONE, text)
    assert body["intent"] == "menu" and body["segments"] == 1
    assert store.unanswered() == []


@pytest.mark.parametrize("text", ["我妈今年交了没有", "帮我查一下交了几年", "交了十年不交了能领吗"])
def test_a_question_about_paying_never_marks_the_year_paid(api, store, text):
    assert api.send(PHONE, text)["intent"] != "reminders.paid"
    assert store.contact_fields(store.contact(PHONE).id, "paid_year") == {"paid_year": None}


def test_a_side_question_during_an_estimate_keeps_the_estimate_open(api):
    api.send(PHONE, "帮我算算，我四十岁交五百")  # 500 is not a grade here: asks for the grade
    api.send(PHONE, "600")
    assert api.send(PHONE, "补缴怎么弄")["intent"] == "pension.catchup"
    assert "每月约" in api.send(PHONE, "没交过")["reply"]


def test_a_submenu_stays_open_after_one_of_its_answers(api):
    api.send(PHONE, "菜单")
    api.send(PHONE, "1")
    assert api.send(PHONE, "3")["intent"] == "pension.eligibility"
    assert api.send(PHONE, "4")["intent"] == "pension.benefit"


def test_zero_leaves_an_estimate_question_for_the_menu(api):
    api.send(PHONE, "估算一下我的养老金")
    body = api.send(PHONE, "0")
    assert body["intent"] == "menu" and "1养老保险" in body["reply"]


def test_a_bare_age_is_not_a_menu_number(api):
    assert api.send(PHONE, "50岁")["intent"] == "estimate"


def test_a_grade_given_when_years_are_asked_is_taken_as_the_grade(api):
    api.send(PHONE, "我45岁，每年交600")
    reply = api.send(PHONE, "三百六")["reply"]
    assert "几年" in reply  # still asks the years, now with grade 360
    assert "360元" in api.send(PHONE, "0")["reply"]


def test_a_bad_answer_says_how_to_leave(api):
    api.send(PHONE, "估算一下我的养老金")
    assert "菜单" in api.send(PHONE, "200")["reply"]


def test_skipping_after_a_question_is_acknowledged_not_logged(api, store):
    api.send(PHONE, "养老保险分几档")
    api.send(PHONE, "医保多少钱")
    body = api.send(PHONE, "跳过")
    assert body["intent"] == "menu" and store.contact(PHONE).region_status == "skipped"
    assert store.unanswered() == []


def test_more_keeps_an_open_estimate_so_all_still_works(app, api):
    app.config["SMS_MAX_PARTS"] = 2
    api.send(PHONE, "我45岁，每年交600")
    first = api.send(PHONE, "0")
    assert "更多" in first["reply"]
    api.send(PHONE, "更多")
    assert api.send(PHONE, "全部")["intent"] == "estimate"

"""Every place of China answered on its own figures or its nearest ancestor's, honestly, through whole conversations."""

import json

PHONE = "+8613600000066"


def test_a_county_of_a_province_without_a_file_is_answered_on_the_national_root_named(api, store):
    api.send(PHONE, "跳过")
    body = api.send(PHONE, "甘肃天水")  # Gansu has no file: the national minimums answer
    assert store.contact(PHONE).region == "620500"
    assert "全国" in body["reply"]
    estimate = api.send(PHONE, "我45岁 每年交500 没交过 能领多少")
    assert estimate["intent"] == "estimate" and estimate["facts"]["place"] == "620500"
    assert "全国最低标准" in estimate["reply"] or "全国" in estimate["reply"]


def test_a_county_of_a_province_with_a_file_is_answered_on_the_province_named(api, store):
    body = api.send(PHONE, "我是河南南阳邓州的 45岁 交500 没交过 能领多少")
    assert body["facts"]["place"] == "411381" and store.contact(PHONE).region == "411381"
    assert "河南省" in body["reply"]


def test_a_farmer_short_of_years_is_told_the_price_of_catching_up(api):
    body = api.send(PHONE, "我52岁 每年交600 交了2年 能领多少")
    assert body["intent"] == "estimate"
    assert body["reply"].startswith("差") and "补缴" in body["reply"] and "约需" in body["reply"]


def test_a_medical_question_names_the_medical_insurance_office(api):
    body = api.send(PHONE, "医保一年交多少钱")
    assert body["intent"] == "medical.resident"
    assert "12393" in body["reply"] or "医保局" in body["reply"]
    assert "12333" not in body["reply"]


def test_an_unconfirmed_figure_is_said_to_be_approximate(api):
    api.send(PHONE, "跳过")
    api.send(PHONE, "河南")  # Henan's provincial top-up is derived, not published
    body = api.send(PHONE, "基础养老金每月多少")
    assert "约" in body["reply"] and "以当地为准" in body["reply"]


def test_the_estimate_api_answers_any_place_on_its_basis(api):
    response = api.post("/api/v1/pension/estimate", {"region": "620500", "age": 45, "grade": 500})
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["basis"] == {"code": "000000", "name": "全国"}
    assert "pension.basic_pension.central" in body["unconfirmed"]
    assert api.post("/api/v1/pension/estimate", {"region": "999999", "age": 45, "grade": 500}).status_code == 404


def test_the_regions_api_gives_any_place_with_its_basis_and_marks(api):
    body = api.get("/api/v1/regions/411381").get_json()
    assert body["code"] == "411381" and body["name"]["zh-Hans"] == "邓州市"
    assert body["basis"]["code"] == "410000" and "pension.basic_pension.local" in body["unconfirmed"]
    assert api.get("/api/v1/regions/999999").status_code == 404


def test_content_check_lists_unconfirmed_and_dated_figures_missing_locales_and_root_places(runner, api):
    api.send(PHONE, "跳过")
    api.send(PHONE, "甘肃天水")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "130000" in result.output and "pension.basic_pension.local" in result.output
    assert "pension 2025" in result.output  # Hebei's figures are for 2025
    assert "620500" in result.output  # a farmer answered on the national root
    report = json.loads(runner.invoke(args=["content", "check", "--json"]).output)
    assert report["topics_missing"] == {}

"""POST /api/v1/pension/estimate: the api.md contract, its errors, and agreement with the CLI and the module."""

import json
import re
from decimal import Decimal

import pytest
from conftest import API_MD_EXAMPLE

from nongbao.estimator import PensionPolicy, as_json, estimate, parse_input

ENDPOINT = "/api/v1/pension/estimate"
MEIZHOU_GRADES = ["180.00", "240.00", "360.00", "600.00", "900.00", "1200.00", "1800.00", "3600.00", "4800.00"]
MONEY = re.compile(r"^\d+\.\d\d$")
TOP_FIELDS = ["region", "policy_year", "years_remaining", "contribution_years", "eligible", "shortfall_years",
              "account_at_claim", "monthly_basic", "monthly_account", "monthly_total", "total_paid", "payback_years",
              "by_grade", "assumptions", "text", "balance_rebuilt", "required_years", "catchup", "unconfirmed",
              "past_grade", "as_of"]  # fmt: skip
MONEY_FIELDS = ["account_at_claim", "monthly_basic", "monthly_account", "monthly_total", "total_paid"]


def post(api, body, **kwargs):
    return api.post(ENDPOINT, body, **kwargs)


def assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    if field is not None:
        assert error["field"] == field
    return error


def test_estimate_for_the_default_region_has_every_documented_field(api):
    response = post(api, {"region": "441403", "age": 45, "grade": 600})
    assert response.status_code == 200
    body = response.get_json()
    for name in TOP_FIELDS:
        assert name in body, name
    assert body["region"] == "441403"
    assert body["policy_year"] == 2025
    assert (body["years_remaining"], body["contribution_years"], body["eligible"], body["shortfall_years"]) == (15, 15, True, 0)
    for name in MONEY_FIELDS:
        assert MONEY.match(body[name]), (name, body[name])
    assert body["monthly_basic"] == "235.00"
    assert body["monthly_total"] == "315.40"
    assert body["total_paid"] == "9000.00"
    assert body["payback_years"] == "2.4"
    assert body["assumptions"]["interest_rate"] == "0.015"
    assert body["assumptions"]["divisor"] == 139
    assert body["assumptions"]["claim_age"] == 60
    assert isinstance(body["text"], str) and "315.40" in body["text"]


def test_by_grade_has_one_entry_per_region_grade_with_money_strings(api):
    body = post(api, {"region": "441403", "age": 45, "grade": 600}).get_json()
    assert [row["grade"] for row in body["by_grade"]] == MEIZHOU_GRADES
    for row in body["by_grade"]:
        for name in ("grade", "subsidy", "monthly_total"):
            assert MONEY.match(row[name]), (name, row)
        assert re.match(r"^\d+\.\d$", row["payback_years"])
    chosen = next(row for row in body["by_grade"] if row["grade"] == "600.00")
    assert chosen["monthly_total"] == body["monthly_total"]
    assert chosen["subsidy"] == "60.00"


def test_api_example_of_api_md_for_hebei(api):
    body = post(api, {"region": "130000", "age": 45, "grade": 500, "years_paid": 0}).get_json()
    assert {key: body[key] for key in API_MD_EXAMPLE} == API_MD_EXAMPLE
    assert [row["grade"] for row in body["by_grade"]][0] == "200.00"  # the 100-yuan hardship grade is not listed


def test_a_farmer_short_of_years_gets_the_catchup_first(api):
    body = post(api, {"region": "441403", "age": 50, "grade": 600, "years_paid": 2, "as_of": "2026-03-02"}).get_json()
    assert (body["eligible"], body["shortfall_years"], body["required_years"]) == (False, 3, 15)
    assert body["balance_rebuilt"] is True and body["past_grade"] == "600.00" and body["as_of"] == "2026-03-02"
    catchup = body["catchup"]
    assert (catchup["path"], catchup["years"], catchup["cost"]) == ("arrears", 3, "1800.00")
    assert MONEY.match(catchup["monthly_total"]) and re.match(r"^\d+\.\d$", catchup["payback_years"])
    assert "pension.catchup" in body["unconfirmed"]  # no shipped file writes a catchup policy
    assert body["text"].startswith("差3年；按600元档补缴3年约需1800元，补缴后每月约" + catchup["monthly_total"] + "元")
    assert body["monthly_total"] not in body["text"]


def test_an_eligible_farmer_has_no_catchup(api):
    body = post(api, {"region": "441403", "age": 45, "grade": 600}).get_json()
    assert body["catchup"] is None and body["balance_rebuilt"] is False
    assert "pension.basic_pension.local" in body["unconfirmed"]  # Guangdong's top-up is derived, and says so


@pytest.mark.parametrize("name, value", [("as_of", "2026-13-01"), ("as_of", 20260302), ("past_grade", -5), ("past_grade", "x")])
def test_bad_as_of_or_past_grade_is_400_naming_it(api, name, value):
    assert_error(post(api, {"region": "441403", "age": 45, "grade": 600, name: value}), 400, name)


def test_numeric_strings_are_accepted(api):
    as_numbers = post(api, {"region": "441403", "age": 45, "grade": 600, "years_paid": 0}).get_json()
    as_strings = post(api, {"region": "441403", "age": "45", "grade": "600", "years_paid": "0"}).get_json()
    assert as_strings == as_numbers


def test_region_defaults_to_the_deployment_region(api):
    body = post(api, {"age": 45, "grade": 600}).get_json()
    assert body["region"] == "441403"
    assert body["monthly_total"] == "315.40"


def test_text_follows_the_requested_locale(api):
    body = post(api, {"region": "441403", "age": 45, "grade": 600, "locale": "en"}).get_json()
    assert "a month" in body["text"] and "315.40" in body["text"]
    assert "以当地" in post(api, {"region": "441403", "age": 45, "grade": 600}).get_json()["text"]


def test_text_lists_no_higher_grade_when_the_top_grade_is_chosen(api):
    body = post(api, {"region": "441403", "age": 45, "grade": 4800, "locale": "en"}).get_json()
    assert body["monthly_total"] == "827.02"
    assert "Higher grades" not in body["text"], body["text"]


@pytest.mark.parametrize("age", [15, 101, -1])
def test_age_out_of_range_is_400_naming_age(api, age):
    assert_error(post(api, {"region": "441403", "age": age, "grade": 600}), 400, "age")


@pytest.mark.parametrize("age", ["abc", "", True, 45.5, [45], {"n": 45}])
def test_age_not_a_whole_number_is_400_naming_age(api, age):
    assert_error(post(api, {"region": "441403", "age": age, "grade": 600}), 400, "age")


def test_missing_age_is_400_naming_age(api):
    assert_error(post(api, {"region": "441403", "grade": 600}), 400, "age")


def test_grade_not_offered_is_400_listing_valid_grades(api):
    error = assert_error(post(api, {"region": "441403", "age": 45, "grade": 700}), 400, "grade")
    for amount in ("180", "240", "360", "600", "900", "1200", "1800", "3600", "4800"):
        assert amount in error["message"]
    assert "700" in error["message"]


def test_hardship_grade_is_not_a_grade_to_estimate_with(api):
    assert_error(post(api, {"region": "130000", "age": 45, "grade": 100}), 400, "grade")


def test_negative_balance_is_400_naming_balance(api):
    assert_error(post(api, {"region": "441403", "age": 45, "grade": 600, "balance": -1}), 400, "balance")


def test_years_paid_over_age_minus_16_is_400_naming_years_paid(api):
    assert_error(post(api, {"region": "441403", "age": 45, "grade": 600, "years_paid": 30}), 400, "years_paid")


def test_unknown_region_is_404(api):
    assert_error(post(api, {"region": "999999", "age": 45, "grade": 600}), 404, "region")


def test_missing_token_is_401(api):
    assert_error(post(api, {"region": "441403", "age": 45, "grade": 600}, token=None), 401)


def test_unknown_token_is_401(api):
    assert_error(post(api, {"region": "441403", "age": 45, "grade": 600}, token="not-a-token"), 401)


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"45"', ""])
def test_malformed_json_is_400(api, body):
    assert_error(post(api, body), 400)


def cli_estimate(runner, region, age, grade, years_paid=0) -> dict:
    result = runner.invoke(args=["estimate", "--region", region, "--age", str(age), "--grade", str(grade),
                                 "--years-paid", str(years_paid), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "region, age, grade, years_paid",
    [("441403", 45, 600, 0), ("441403", 52, 4800, 3), ("130000", 30, 3000, 5), ("370000", 58, 800, 10),
     ("441403", 63, 180, 15)],
)  # fmt: skip
def test_api_cli_and_module_agree(api, runner, region, age, grade, years_paid):
    from_api = post(api, {"region": region, "age": age, "grade": grade, "years_paid": years_paid}).get_json()
    from_cli = cli_estimate(runner, region, age, grade, years_paid)
    effective = api.get(f"/api/v1/regions/{region}").get_json()
    policy = PensionPolicy.from_region(effective)
    from_module = as_json(estimate(policy, parse_input({"age": age, "grade": grade, "years_paid": years_paid}, policy)), region)
    assert from_api["monthly_total"] == from_cli["monthly_total"] == from_module["monthly_total"]
    assert from_api["by_grade"] == from_cli["by_grade"] == from_module["by_grade"]
    assert from_api["text"] == from_cli["text"]
    assert Decimal(from_api["monthly_total"]) > 0


def test_cli_reports_a_bad_input_with_its_field(runner):
    result = runner.invoke(args=["estimate", "--region", "441403", "--age", "45", "--grade", "700"])
    assert result.exit_code != 0
    assert "grade" in result.output and "1200" in result.output

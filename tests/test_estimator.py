"""The pension estimate as a pure module: estimator.md's rules and published examples, to the fen."""

from decimal import Decimal

import pytest
from conftest import API_MD_EXAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nongbao import estimate_text
from nongbao.estimator import (
    EstimateError,
    EstimateInput,
    Grade,
    PensionPolicy,
    as_json,
    estimate,
    money,
    parse_input,
)
from nongbao.i18n import translator

D = Decimal
MEIZHOU_GRADES = (180, 240, 360, 600, 900, 1200, 1800, 3600, 4800)


def policy(grades=((100, 30),), *, interest="0", central=55, local=0, claim_age=60, min_years=15, divisor=139,
           long_after=0, long_per_year=0, **catchup) -> PensionPolicy:  # fmt: skip
    return PensionPolicy(
        year=2025,
        claim_age=claim_age,
        min_years=min_years,
        divisor=divisor,
        interest_rate=D(interest),
        basic_central=D(central),
        basic_local=D(local),
        grades=tuple(Grade(D(a), D(s)) for a, s in grades),
        long_service_after=long_after,
        long_service_per_year=D(long_per_year),
        **catchup,
    )


def hebei() -> PensionPolicy:
    """The Hebei-like figures of regions.md (the API example)."""
    return policy(
        ((200, 30), (300, 45), (500, 60), (1000, 75), (3000, 90), (5000, 105), (8000, 120)),
        interest="0.015", central=143, local=20, long_after=15, long_per_year=2,
    )  # fmt: skip


def meizhou_default() -> PensionPolicy:
    """The shipped default region 441403 (inherited from 广东省)."""
    return policy(
        tuple((a, 30 if a <= 360 else 60) for a in MEIZHOU_GRADES),
        interest="0.015", central=143, local=47, long_after=15, long_per_year=3,
    )  # fmt: skip


def run(p: PensionPolicy, **raw):
    return estimate(p, parse_input(raw, p))


# Published worked examples


def test_published_example_1_grade_100_for_15_years_at_3_5_percent():
    p = policy(((100, 30),), interest="0.035", central=55)
    result = run(p, age=45, grade=100)
    c = result.chosen
    assert result.years_remaining == 15
    assert money(c.account_at_claim) == D("2596.23")
    assert money(c.account_at_claim - 130 * 15) == D("646.23")  # interest earned
    assert money(c.monthly_account) == D("18.68")
    assert money(c.monthly_basic) == D("55.00")
    assert money(c.monthly_total) == D("73.68")


def test_published_example_2_meizhou_table_without_interest_or_subsidy():
    expected = {180: "189.42", 240: "195.90", 360: "208.85", 600: "234.75", 900: "267.12",
                1800: "364.24", 3600: "558.49", 4800: "687.99"}  # fmt: skip
    p = policy(tuple((a, 0) for a in expected), interest="0", central=170)
    result = run(p, age=45, grade=180)
    assert len(result.by_grade) == 8
    assert {int(r.grade.amount): str(money(r.monthly_total)) for r in result.by_grade} == expected
    for amount, total in expected.items():
        assert str(money(run(p, age=45, grade=amount).chosen.monthly_total)) == total


def test_api_example_hebei_age_45_grade_500():
    body = as_json(run(hebei(), age=45, grade=500, years_paid=0), "130000")
    assert {key: body[key] for key in API_MD_EXAMPLE} == API_MD_EXAMPLE
    assert (body["years_remaining"], body["contribution_years"], body["eligible"], body["shortfall_years"]) == (15, 15, True, 0)


def test_money_rounds_half_up_to_the_fen():
    assert money(D("0.005")) == D("0.01")
    assert money(D("2.675")) == D("2.68")
    assert money(D("18.674999")) == D("18.67")


def test_long_service_adds_per_year_beyond_after_years():
    p = meizhou_default()
    result = run(p, age=40, grade=600, years_paid=5)  # 5 + 20 = 25 contribution years
    assert result.contribution_years == 25
    assert result.chosen.monthly_basic == D(143 + 47 + 3 * 10)


# Properties


@st.composite
def grade_tables(draw):
    """Grades rising strictly in amount with amount + subsidy never falling, as the loader requires."""
    amounts = sorted(draw(st.sets(st.integers(100, 10000), min_size=1, max_size=8)))
    grades, floor = [], 0
    for amount in amounts:
        subsidy = draw(st.integers(0, 200))
        subsidy = max(subsidy, floor - amount)  # keep amount + subsidy from falling
        floor = amount + subsidy
        grades.append((amount, subsidy))
    return grades


rates = st.sampled_from(["0", "0.01", "0.015", "0.025", "0.035", "0.05"])
fast = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(grades=grade_tables(), rate=rates, age=st.integers(16, 100), data=st.data())
def test_higher_grade_never_gives_lower_monthly_total(grades, rate, age, data):
    years_paid = data.draw(st.integers(0, age - 16))
    balance = data.draw(st.integers(0, 50000))
    p = policy(grades, interest=rate, central=143, local=20, long_after=15, long_per_year=2)
    result = run(p, age=age, grade=grades[0][0], years_paid=years_paid, balance=balance)
    totals = [r.monthly_total for r in result.by_grade]
    assert totals == sorted(totals)


@fast
@given(grades=grade_tables(), rate=rates, age=st.integers(16, 100), data=st.data())
def test_more_years_paid_never_gives_less(grades, rate, age, data):
    fewer = data.draw(st.integers(0, age - 16))
    more = data.draw(st.integers(fewer, age - 16))
    grade = data.draw(st.sampled_from(grades))[0]
    p = policy(grades, interest=rate, central=143, local=20, long_after=15, long_per_year=3)
    low = run(p, age=age, grade=grade, years_paid=fewer).chosen.monthly_total
    high = run(p, age=age, grade=grade, years_paid=more).chosen.monthly_total
    assert high >= low


@fast
@given(grades=grade_tables(), age=st.integers(16, 100), collective=st.integers(0, 500), data=st.data())
def test_zero_interest_account_is_deposits_times_years_over_divisor(grades, age, collective, data):
    amount, subsidy = data.draw(st.sampled_from(grades))
    divisor = data.draw(st.sampled_from([139, 101, 195]))
    p = policy(grades, interest="0", divisor=divisor)
    result = run(p, age=age, grade=amount, collective=collective)
    years = max(0, 60 - age)
    assert result.chosen.account_at_claim == D(amount + subsidy + collective) * years
    assert result.chosen.monthly_account == D(amount + subsidy + collective) * years / divisor


# Rules 9-11


@pytest.mark.parametrize("age", [60, 61, 75])
def test_at_or_past_claim_age_nothing_more_is_paid(age):
    p = meizhou_default()
    result = run(p, age=age, grade=600, years_paid=20, balance="12345.67")
    assert result.years_remaining == 0
    assert result.contribution_years == 20
    for r in result.by_grade:
        assert r.account_at_claim == D("12345.67")  # as given, no further interest
        assert r.total_paid == 0
        assert r.payback_years is None
    body = as_json(result, "441403")
    assert body["payback_years"] is None
    assert body["total_paid"] == "0.00"
    assert body["account_at_claim"] == "12345.67"


def test_past_claim_age_eligibility_rests_on_years_paid():
    p = meizhou_default()
    short = run(p, age=65, grade=600, years_paid=10, balance=5000)
    assert (short.eligible, short.shortfall_years) == (False, 5)
    enough = run(p, age=65, grade=600, years_paid=15, balance=5000)
    assert (enough.eligible, enough.shortfall_years) == (True, 0)


def test_not_eligible_gives_shortfall_years_and_still_every_figure():
    p = meizhou_default()
    result = run(p, age=50, grade=600, years_paid=2)  # 2 + 10 = 12 < 15
    assert result.eligible is False
    assert result.shortfall_years == 3
    assert result.chosen.monthly_total > 0
    assert all(r.account_at_claim > 0 for r in result.by_grade)
    text = estimate_text.summary(translator("zh-Hans"), result, "梅县区")
    assert text.startswith("到60岁只交满12年"), text
    assert "3年" in text and "补缴" in text
    en = estimate_text.summary(translator("en"), result, "Meixian")
    assert en.startswith("By 60 you will have paid 12 years, 3 short of the 15 needed."), en


def test_not_eligible_text_names_paying_past_claim_age_where_allowed():
    p = policy(((600, 60),), interest="0.015", central=190, arrears_allowed=False, pay_past_claim_age=True)
    result = run(p, age=55, grade=600)
    text = estimate_text.summary(translator("en"), result, "X")
    assert text.startswith("By 60 you will have paid 5 years, 10 short of the 15 needed.")
    assert "after 60" in text and "pay back" not in text


def test_years_paid_without_balance_says_account_money_is_left_out():
    p = meizhou_default()
    text = estimate_text.summary(translator("en"), run(p, age=45, grade=600, years_paid=5), "X")
    assert "Money already in your account is not counted." in text
    with_balance = estimate_text.summary(translator("en"), run(p, age=45, grade=600, years_paid=5, balance=3000), "X")
    assert "not counted." not in with_balance.replace("future rises not counted", "")


def test_by_grade_excludes_the_hardship_grade():
    effective = {
        "pension": {
            "year": 2025, "claim_age": 60, "min_years": 15, "divisor": 139, "interest_rate": "0.015",
            "basic_pension": {"central": "143", "local": "20"},
            "grades": [{"amount": "200", "subsidy": "30"}, {"amount": "300", "subsidy": "45"}],
            "hardship_grade": {"amount": "100", "subsidy": "30", "paid_by_government": ["dibao"]},
            "window": {"start": "01-01", "end": "12-31"},
        }
    }  # fmt: skip
    p = PensionPolicy.from_region(effective)
    result = run(p, age=45, grade=200)
    assert [r.grade.amount for r in result.by_grade] == [D(200), D(300)]
    assert [g["grade"] for g in as_json(result, "130000")["by_grade"]] == ["200.00", "300.00"]
    with pytest.raises(EstimateError) as problem:
        parse_input({"age": 45, "grade": 100}, p)
    assert problem.value.field == "grade"


# Input errors


@pytest.mark.parametrize(
    "age, code",
    [(15, "out_of_range"), (101, "out_of_range"), ("abc", "invalid"), (45.5, "invalid"), ("45.5", "invalid"),
     (True, "invalid"), (float("nan"), "invalid"), ("NaN", "invalid"), (float("inf"), "invalid"), (None, "required")],
)  # fmt: skip
def test_bad_age_is_an_error_naming_age(age, code):
    with pytest.raises(EstimateError) as problem:
        parse_input({"age": age, "grade": 600}, meizhou_default())
    assert problem.value.field == "age"
    assert problem.value.code == code


@pytest.mark.parametrize("age", [16, 100])
def test_age_bounds_are_accepted(age):
    assert parse_input({"age": age, "grade": 600}, meizhou_default()).age == age


def test_grade_not_offered_is_an_error_listing_valid_grades():
    with pytest.raises(EstimateError) as problem:
        parse_input({"age": 45, "grade": 700}, meizhou_default())
    error = problem.value
    assert error.field == "grade"
    assert [D(v) for v in error.valid] == [D(a) for a in MEIZHOU_GRADES]
    for amount in MEIZHOU_GRADES:
        assert str(amount) in error.message


@pytest.mark.parametrize("grade", [True, "abc", float("nan"), None])
def test_unreadable_grade_is_an_error_naming_grade(grade):
    with pytest.raises(EstimateError) as problem:
        parse_input({"age": 45, "grade": grade}, meizhou_default())
    assert problem.value.field == "grade"


@pytest.mark.parametrize("name", ["balance", "collective"])
def test_negative_money_is_an_error_naming_it(name):
    with pytest.raises(EstimateError) as problem:
        parse_input({"age": 45, "grade": 600, name: -1}, meizhou_default())
    assert problem.value.field == name


@pytest.mark.parametrize("years_paid", [30, 31, -1, 2.5])
def test_years_paid_beyond_age_minus_16_is_an_error(years_paid):
    with pytest.raises(EstimateError) as problem:
        parse_input({"age": 45, "grade": 600, "years_paid": years_paid}, meizhou_default())
    assert problem.value.field == "years_paid"


def test_years_paid_of_age_minus_16_is_accepted():
    assert parse_input({"age": 45, "grade": 600, "years_paid": 29}, meizhou_default()).years_paid == 29


@pytest.mark.parametrize(
    "years_paid",
    [True, False],
)
def test_boolean_years_paid_is_an_error(years_paid):
    with pytest.raises(EstimateError) as problem:
        parse_input({"age": 45, "grade": 600, "years_paid": years_paid}, meizhou_default())
    assert problem.value.field == "years_paid"


def test_numeric_strings_are_accepted():
    p = hebei()
    from_strings = run(p, age="45", grade="500", years_paid="0", balance="0", collective="0")
    from_numbers = run(p, age=45, grade=500)
    assert from_strings.inputs == EstimateInput(45, D(500), 0, D(0), D(0), balance_given=True)
    assert from_strings.chosen.monthly_total == from_numbers.chosen.monthly_total
    assert money(from_strings.chosen.monthly_total) == D("231.22")

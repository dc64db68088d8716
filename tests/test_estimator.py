"""The pension estimate as a pure module: estimator.md's rules and published examples, to the fen."""

import datetime
from decimal import Decimal

import pytest
from conftest import API_MD_EXAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nongbao import estimate_text
from nongbao.estimator import (
    AgeStep,
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
from nongbao.segments import segments

D = Decimal
TODAY = datetime.date(2026, 3, 2)  # the estimates below are for this day unless they say otherwise
MEIZHOU_GRADES = (180, 240, 360, 600, 900, 1200, 1800, 3600, 4800)


def policy(grades=((100, 30),), *, interest="0", central=55, local=0, claim_age=60, min_years=15, divisor=139,
           long_after=0, long_per_year=0, year=2025, **extra) -> PensionPolicy:  # fmt: skip
    return PensionPolicy(
        year=year,
        claim_age=claim_age,
        min_years=min_years,
        divisor=divisor,
        interest_rate=D(interest),
        basic_central=D(central),
        basic_local=D(local),
        grades=tuple(Grade(D(a), D(s)) for a, s in grades),
        long_service_after=long_after,
        long_service_per_year=D(long_per_year),
        **extra,
    )


def hebei() -> PensionPolicy:
    """The Hebei-like figures of regions.md (the API example)."""
    return policy(
        ((200, 30), (300, 45), (500, 60), (1000, 75), (3000, 90), (5000, 105), (8000, 120)),
        interest="0.015", central=143, local=20, long_after=15, long_per_year=2,
    )  # fmt: skip


def meizhou_default(**extra) -> PensionPolicy:
    """The shipped default region 441403 (inherited from 广东省)."""
    return policy(
        tuple((a, 30 if a <= 360 else 60) for a in MEIZHOU_GRADES),
        interest="0.015", central=143, local=47, long_after=15, long_per_year=3, **extra,
    )  # fmt: skip


def run(p: PensionPolicy, **raw):
    return estimate(p, parse_input(raw, p, today=TODAY))


def zh(result, region="梅县区", **kwargs) -> str:
    return estimate_text.summary(translator("zh-Hans"), result, region, today=TODAY, **kwargs)


def en(result, region="Meixian", **kwargs) -> str:
    return estimate_text.summary(translator("en"), result, region, today=TODAY, **kwargs)


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


@fast
@given(grades=grade_tables(), rate=rates, age=st.integers(16, 100), data=st.data())
def test_catching_up_never_gives_less_and_eligibility_is_the_shortfall(grades, rate, age, data):
    years_paid = data.draw(st.integers(0, age - 16))
    grade = data.draw(st.sampled_from(grades))[0]
    scheme_start = data.draw(st.one_of(st.none(), st.integers(1990, 2026)))
    extra = {"arrears_allowed": data.draw(st.booleans()), "arrears_subsidized": data.draw(st.booleans()),
             "pay_past_claim_age_until": data.draw(st.one_of(st.none(), st.integers(60, 70)))}  # fmt: skip
    p = policy(grades, interest=rate, central=143, local=20, long_after=15, long_per_year=2, scheme_start=scheme_start,
               **extra)  # fmt: skip
    result = run(p, age=age, grade=grade, years_paid=years_paid)
    assert 0 <= result.required_years <= p.min_years
    assert result.eligible == (result.shortfall_years == 0)
    assert result.shortfall_years == max(0, result.required_years - result.contribution_years)
    if result.eligible:
        assert result.catchup is None
    elif result.catchup is not None:
        assert result.catchup.years == result.shortfall_years
        assert result.catchup.cost == grade * result.shortfall_years
        assert result.catchup.monthly_total >= result.chosen.monthly_total
    elif p.arrears_allowed:
        raise AssertionError("arrears allowed but no catch-up")


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
    assert body["balance_rebuilt"] is False


def test_at_claim_age_a_balance_not_given_is_rebuilt_and_earns_nothing_more():
    p = policy(((100, 30), (600, 60)), interest="0", central=55)
    result = run(p, age=62, grade=600, years_paid=15)
    # 15 past years at 600 with the 600 grade's subsidy 60, no interest: 15 * 660 = 9900.
    # Account pension 9900 / 139 = 71.2230... -> 71.22; with the basic 55: 126.22.
    assert result.balance_rebuilt
    assert result.chosen.account_at_claim == D(9900)
    assert money(result.chosen.monthly_account) == D("71.22")
    assert money(result.chosen.monthly_total) == D("126.22")
    body = as_json(result, "X")
    assert (body["total_paid"], body["payback_years"], body["balance"]) == ("0.00", None, "9900.00")
    assert "按以前每年交600元估算" in zh(result)


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
    text = zh(result)
    assert text.startswith("差3年；按600元档补缴3年约需1800元，补缴后每月约"), text
    assert "50岁起每年交600元到60岁共12年，要交满15年" in text
    # never the top-level figure, which is not paid without the missing years
    assert str(money(result.chosen.monthly_total)) not in text
    assert en(result).startswith("3 years short: paying them back at the CN¥600 grade costs about CN¥1,800, then about")


def test_a_balance_given_is_used_as_it_is_and_0_is_an_empty_account():
    p = policy(((100, 30), (600, 60)), interest="0", central=55)
    empty = run(p, age=62, grade=600, years_paid=15, balance=0)
    assert not empty.balance_rebuilt
    assert empty.chosen.account_at_claim == 0
    assert empty.chosen.monthly_total == D(55)
    # below the claim age: 0 now, then 2 years of 660 without interest = 1320
    young = run(p, age=58, grade=600, years_paid=15, balance=0)
    assert young.chosen.account_at_claim == D(1320)
    given = run(p, age=58, grade=600, years_paid=15, balance="100.50")
    assert given.chosen.account_at_claim == D("1420.50")
    assert "按以前" not in zh(given)


# Rule 12: the past rebuilt


def test_the_past_is_rebuilt_at_past_grade_with_the_subsidy_of_the_highest_grade_not_above_it():
    p = policy(((200, 30), (500, 60), (1000, 75)), interest="0.05", central=100)
    result = run(p, age=58, grade=1000, years_paid=2, past_grade=600, collective=40)
    # past deposit: 600 + 60 (the 500 grade's subsidy; 500 <= 600 < 1000) + 40 collective = 700
    # year 1: 700 * 1.05 = 735; year 2: (735 + 700) * 1.05 = 1506.75
    assert result.balance_rebuilt and result.balance == D("1506.75")
    # the chosen 1000 grade: deposit 1000 + 75 + 40 = 1115
    # (1506.75 + 1115) * 1.05 = 2752.8375; (2752.8375 + 1115) * 1.05 = 4061.229375 -> 4061.23
    assert money(result.chosen.account_at_claim) == D("4061.23")
    # the 200 row starts from the same past: deposit 270
    # (1506.75 + 270) * 1.05 = 1865.5875; (1865.5875 + 270) * 1.05 = 2242.366875 -> 2242.37
    assert money(result.by_grade[0].account_at_claim) == D("2242.37")
    body = as_json(result, "X")
    assert (body["balance_rebuilt"], body["balance"], body["past_grade"]) == (True, "1506.75", "600.00")
    assert "按以前每年交600元估算" in zh(result)
    assert "Past years counted as CN¥600 a year" in en(result)


@pytest.mark.parametrize(
    "past_grade, expected",
    [(100, 390),  # below every grade: the lowest grade's subsidy, (100 + 30) * 3
     (200, 690),  # a grade itself: (200 + 30) * 3
     (999, 3177),  # the 500 grade's subsidy: (999 + 60) * 3
     (5000, 15225),  # above every grade: the top grade's subsidy, (5000 + 75) * 3
     (None, 1680)],  # not given: the grade, (500 + 60) * 3
)  # fmt: skip
def test_past_grade_subsidy_without_interest(past_grade, expected):
    p = policy(((200, 30), (500, 60), (1000, 75)), interest="0", central=100)
    raw = {"age": 62, "grade": 500, "years_paid": 3}
    if past_grade is not None:
        raw["past_grade"] = past_grade
    result = run(p, **raw)
    assert result.balance == D(expected)
    assert result.chosen.account_at_claim == D(expected)  # at 62: nothing more paid, no further interest


def test_nothing_paid_yet_is_not_rebuilt():
    result = run(policy(), age=45, grade=100)
    assert not result.balance_rebuilt and result.balance == 0


# Rule 13: catching up


def short_policy(**extra) -> PensionPolicy:
    """One grade of 600 with subsidy 60, 10% interest, basic 100, and 5 years needed."""
    return policy(((600, 60),), interest="0.1", central=100, min_years=5, **extra)


def test_arrears_below_claim_age_are_paid_now_and_earn_interest():
    result = run(short_policy(), age=57, grade=600, balance=0)
    # 3 years to 60, 5 needed: 2 short
    assert (result.years_remaining, result.eligible, result.shortfall_years) == (3, False, 2)
    # without catching up: 660 * 1.1 = 726; (726 + 660) * 1.1 = 1524.6; (1524.6 + 660) * 1.1 = 2403.06
    # 2403.06 / 139 = 17.2882 -> 17.29; 100 + 17.29 = 117.29
    assert money(result.chosen.monthly_total) == D("117.29")
    # catching up: 2 * 600 = 1200 (no subsidy) into the account now, then rule 2:
    # (1200 + 660) * 1.1 = 2046; (2046 + 660) * 1.1 = 2976.6; (2976.6 + 660) * 1.1 = 4000.26
    # 4000.26 / 139 = 28.77885 -> 28.78; 100 + 28.78 = 128.78; payback 1200 / (128.77885 * 12) = 0.78 -> 0.8
    c = result.catchup
    assert (c.path, c.years, c.cost, c.start_age) == ("arrears", 2, D(1200), 60)
    assert c.account_at_claim == D("4000.26")
    assert money(c.monthly_total) == D("128.78")
    body = as_json(result, "X")
    assert body["catchup"] == {"path": "arrears", "years": 2, "cost": "1200.00", "start_age": 60,
                               "account_at_claim": "4000.26", "monthly_basic": "100.00", "monthly_account": "28.78",
                               "monthly_total": "128.78", "payback_years": "0.8"}  # fmt: skip
    assert body["monthly_total"] == "117.29"  # the top-level figures never include the catch-up
    text = zh(result)
    assert text.startswith("差2年；按600元档补缴2年约需1200元，补缴后每月约128.78元"), text
    assert "117.29" not in text
    assert en(result).startswith(
        "2 years short: paying them back at the CN¥600 grade costs about CN¥1,200, then about CN¥128.78 a month"
    )


def test_subsidized_arrears_bring_their_subsidy_but_cost_the_same():
    result = run(short_policy(arrears_subsidized=True), age=57, grade=600, balance=0)
    # 2 * (600 + 60) = 1320 now: (1320 + 660) * 1.1 = 2178; (2178 + 660) * 1.1 = 3121.8;
    # (3121.8 + 660) * 1.1 = 4159.98; / 139 = 29.9279 -> 29.93; 129.93
    assert result.catchup.account_at_claim == D("4159.98")
    assert money(result.catchup.monthly_total) == D("129.93")
    assert result.catchup.cost == D(1200)


def test_arrears_past_claim_age_are_added_as_they_are_and_the_basic_pension_counts_required_years():
    p = policy(((600, 60),), interest="0.1", central=100, long_after=10, long_per_year=2)
    result = run(p, age=62, grade=600, years_paid=10, balance=5000)
    assert (result.eligible, result.shortfall_years, result.required_years) == (False, 5, 15)
    # without catching up: 100 + 2 * (10 - 10) = 100; 5000 / 139 = 35.971 -> 35.97; 135.97
    assert money(result.chosen.monthly_total) == D("135.97")
    # catching up: 5 * 600 = 3000 added as it is: 8000; 8000 / 139 = 57.55396 -> 57.55
    # basic with the 15 required years: 100 + 2 * (15 - 10) = 110; total 167.55
    # payback 3000 / (167.55396 * 12) = 1.492 -> 1.5
    c = result.catchup
    assert (c.path, c.cost, c.account_at_claim, c.monthly_basic) == ("arrears", D(3000), D(8000), D(110))
    assert money(c.monthly_total) == D("167.55")
    assert c.payback_years == D("1.5")
    assert zh(result).startswith("差5年；按600元档补缴5年约需3000元，补缴后每月约167.55元")


def test_paying_past_claim_age_where_arrears_are_not_allowed():
    p = policy(((600, 60),), interest="0", central=100, arrears_allowed=False, pay_past_claim_age_until=65)
    result = run(p, age=58, grade=600, years_paid=10, balance=0)
    # 2 years to 60: 12 years, 3 short; 3 more from 60 to 62, the pension from 63 (63 <= 65)
    # account: 660 * (2 + 3) = 3300; / 139 = 23.741 -> 23.74; total 123.74
    # cost 3 * 600 = 1800; payback 1800 / (123.741 * 12) = 1.212 -> 1.2
    c = result.catchup
    assert (c.path, c.years, c.cost, c.start_age, c.account_at_claim) == ("past_claim_age", 3, D(1800), 63, D(3300))
    assert money(c.monthly_total) == D("123.74")
    assert as_json(result, "X")["catchup"]["path"] == "past_claim_age"
    assert as_json(result, "X")["catchup"]["payback_years"] == "1.2"
    text = zh(result)
    assert text.startswith("差3年；60岁后可按600元档再交3年，约需1800元，63岁起每月约123.74元"), text
    assert "补缴" not in text
    assert en(result).startswith("3 years short: you may keep paying CN¥600 a year after 60 for 3 more years")


@pytest.mark.parametrize("until", [62, None])
def test_neither_arrears_nor_paying_past_claim_age_fits(until):
    p = policy(((600, 60),), interest="0", central=100, arrears_allowed=False, pay_past_claim_age_until=until)
    result = run(p, age=58, grade=600, years_paid=10, balance=0)  # 3 short; from 60 that ends at 63 > 62
    assert result.catchup is None
    assert as_json(result, "X")["catchup"] is None
    text = zh(result)
    # the account at 60: 660 * 2 = 1320
    assert text.startswith("差3年，这里不能补缴，领不到基础养老金；个人账户里约1320.00元仍归你"), text
    assert en(result).startswith("3 years short, and they cannot be paid back here: the basic pension is not paid.")


def test_paying_past_claim_age_fits_exactly_to_the_last_age():
    p = policy(((600, 60),), interest="0", central=100, arrears_allowed=False, pay_past_claim_age_until=63)
    assert run(p, age=58, grade=600, years_paid=10, balance=0).catchup.start_age == 63


def test_eligible_has_no_catchup():
    result = run(short_policy(), age=50, grade=600)
    assert result.eligible and result.catchup is None and as_json(result, "X")["catchup"] is None


# Rule 14: the transitional rule


@pytest.mark.parametrize(
    "age, as_of, required",
    [(70, TODAY, 6),  # 54 in 2010: 60 - 54 = 6
     (76, TODAY, 0),  # 60 in 2010: nothing to pay
     (80, TODAY, 0),
     (62, TODAY, 14),  # 46 in 2010
     (50, TODAY, 15),  # 34 in 2010: min(15, 26)
     (70, datetime.date(2030, 1, 1), 10)],  # 50 in 2010
)  # fmt: skip
def test_required_years_under_the_transitional_rule(age, as_of, required):
    p = policy(scheme_start=2010)
    assert p.required_years(age, as_of) == required
    assert policy().required_years(age, as_of) == 15  # without scheme_start


def test_transitional_rule_decides_eligibility_and_is_in_the_response():
    p = policy(((600, 60),), interest="0", central=100, scheme_start=2010)
    enough = run(p, age=70, grade=600, years_paid=6, balance=1000)
    assert (enough.required_years, enough.eligible, enough.shortfall_years) == (6, True, 0)
    short = run(p, age=70, grade=600, years_paid=5, balance=1000)
    assert (short.required_years, short.eligible, short.shortfall_years) == (6, False, 1)
    # 1 year of arrears: 1000 + 600 = 1600; 1600 / 139 = 11.5108 -> 11.51; 100 + 11.51 = 111.51
    assert money(short.catchup.monthly_total) == D("111.51")
    old = run(p, age=76, grade=600, balance=0)
    assert old.eligible and old.chosen.monthly_total == D(100)
    body = as_json(short, "X")
    assert body["required_years"] == 6 and body["assumptions"]["scheme_start"] == 2010
    assert as_json(run(p, age=70, grade=600, years_paid=6, as_of="2030-06-01"), "X")["required_years"] == 10


# Rule 15: extra from an age


AGE_STEPS = (AgeStep(65, D(10)), AgeStep(75, D(20)))


@pytest.mark.parametrize("age, basic", [(45, 100), (64, 100), (65, 110), (68, 110), (75, 120), (80, 120)])
def test_the_highest_age_step_reached_is_added_to_the_basic_pension(age, basic):
    p = policy(((600, 60),), interest="0", central=100, age_extra=AGE_STEPS)
    result = run(p, age=age, grade=600, years_paid=min(15, age - 16), balance=0)
    assert result.chosen.monthly_basic == D(basic)  # steps do not add up: 120 at 80, not 130


@pytest.mark.parametrize("age, mention", [(45, "65岁后每月再加10元"), (64, "65岁后每月再加10元"), (70, "75岁后每月再加20元")])
def test_the_text_mentions_the_next_step(age, mention):
    p = policy(((600, 60),), interest="0", central=100, age_extra=AGE_STEPS)
    assert mention in zh(run(p, age=age, grade=600, years_paid=15, balance=0))
    assert "再加" not in zh(run(p, age=80, grade=600, years_paid=15, balance=0))


def test_the_text_says_what_the_pension_is_made_of_at_claim_age():
    p = policy(((600, 60),), interest="0", central=100, age_extra=AGE_STEPS, long_after=15, long_per_year=2)
    result = run(p, age=68, grade=600, years_paid=20, balance=1390)
    # basic 100 + 2 * (20 - 15) + 10 = 120; account 1390 / 139 = 10; total 130
    assert money(result.chosen.monthly_total) == D(130)
    text = zh(result)
    assert text.startswith("按梅县区2025年标准，每月约130.00元：基础养老金120.00元（含缴费超15年加发10元、65岁以上加发10元）"
                           "+个人账户10.00元（账户1390.00元÷139）。"), text  # fmt: skip
    assert "75岁后每月再加20元" in text


# Rule 16: unconfirmed figures


def effective(unconfirmed=(), catchup=True, **pension):
    data = {
        "pension": {
            "year": 2025, "claim_age": 60, "min_years": 15, "divisor": 139, "interest_rate": "0.015",
            "basic_pension": {"central": "143", "local": "20"},
            "grades": [{"amount": "200", "subsidy": "30"}, {"amount": "500", "subsidy": "60"}],
            "window": {"start": "01-01", "end": "12-31"}, **pension,
        },
        "unconfirmed": list(unconfirmed),
    }  # fmt: skip
    if catchup:
        data["pension"]["catchup"] = {"arrears_allowed": True, "arrears_subsidized": False}
    return data


def test_unconfirmed_lists_the_figures_used_that_the_region_marks():
    p = PensionPolicy.from_region(effective(["pension.basic_pension.local", "pension.interest_rate", "medical"]))
    young = run(p, age=45, grade=500)
    assert young.unconfirmed == ["pension.basic_pension.local", "pension.interest_rate"]  # medical is not used
    assert as_json(young, "X")["unconfirmed"] == young.unconfirmed
    paid_up = run(p, age=65, grade=500, years_paid=20, balance=3000)
    assert paid_up.unconfirmed == ["pension.basic_pension.local"]  # no interest is credited any more


def test_a_marked_mapping_lists_the_figures_used_under_it():
    p = PensionPolicy.from_region(effective(["pension.basic_pension", "pension"]))
    result = run(p, age=45, grade=500)
    assert result.unconfirmed[:5] == ["pension.claim_age", "pension.min_years", "pension.divisor",
                                      "pension.basic_pension.central", "pension.basic_pension.local"]  # fmt: skip
    assert "pension.interest_rate" in result.unconfirmed and "pension.catchup" not in result.unconfirmed


def test_a_default_catchup_is_unconfirmed_once_it_is_used():
    p = PensionPolicy.from_region(effective(catchup=False))
    assert "pension.catchup" in p.unconfirmed
    assert run(p, age=45, grade=500).unconfirmed == []
    assert run(p, age=50, grade=500).unconfirmed == ["pension.catchup"]
    written = PensionPolicy.from_region(effective())
    assert run(written, age=50, grade=500).unconfirmed == []


def test_an_unconfirmed_figure_gives_one_note_for_the_whole_reply():
    marked = PensionPolicy.from_region(effective(["pension.basic_pension.local", "pension.interest_rate"]))
    text = zh(run(marked, age=45, grade=500, years_paid=3))
    assert text.count("以当地为准") == 1 and "以当地社保部门为准" not in text
    assert text.count("约") >= 1
    assert en(run(marked, age=45, grade=500)).count("check locally") == 1
    plain = zh(run(PensionPolicy.from_region(effective()), age=45, grade=500))
    assert "以当地社保部门为准" in plain and "推算" not in plain


# Rule 17: the SMS text


SIGNATURE = "【农保助手】"
MORE = "\n（回复“更多”看其余）"


@pytest.mark.parametrize(
    "extra, raw",
    [({}, {"age": 45, "grade": 600}),
     ({}, {"age": 45, "grade": 600, "years_paid": 5, "past_grade": 360}),
     ({}, {"age": 50, "grade": 600, "years_paid": 2}),
     ({"age_extra": AGE_STEPS}, {"age": 68, "grade": 600, "years_paid": 25}),
     ({"arrears_allowed": False, "pay_past_claim_age_until": 65}, {"age": 57, "grade": 4800, "years_paid": 9}),
     ({"arrears_allowed": False}, {"age": 57, "grade": 4800, "years_paid": 5})],
)  # fmt: skip
def test_what_matters_the_assumptions_and_the_note_fit_in_three_parts(extra, raw):
    p = meizhou_default(**extra)
    result = run(p, **raw)
    text = zh(result)
    end = text.index("以当地") + text[text.index("以当地") :].index("。") + 1  # the end of the one note
    assert segments(text[:end] + MORE, SIGNATURE) <= 3, text
    assert "对比" not in text[:end] and "全部" not in text[:end]  # the comparison comes after
    english = en(result)
    note = "prevail." if "prevail." in english else "check locally."
    end = english.index(note) + len(note)
    assert segments(english[:end] + "\n(Reply MORE for the rest)", "[Nongbao] ") <= 3, english


def test_the_order_is_headline_assumptions_then_grades():
    text = zh(run(meizhou_default(), age=45, grade=600))
    assert text.index("每月约") < text.index("利率按1.5%") < text.index("以当地社保部门为准") < text.index("对比")
    assert text.index("对比") < text.index("回复“全部”")


def test_an_old_policy_year_says_its_year_and_that_it_may_have_risen():
    old = zh(run(policy(year=2025), age=45, grade=100))
    assert "2025年的标准现在可能已提高" in old
    current = zh(run(policy(year=2026), age=45, grade=100))
    assert "可能已提高" not in current
    assert "the 2025 figures may have risen since" in en(run(policy(year=2025), age=45, grade=100))


def test_figures_of_another_region_say_whose_they_are():
    result = run(meizhou_default(), age=45, grade=600)
    text = zh(result, "邓州市", basis_name="广东省")
    assert text.startswith("按广东省2025年标准") and "邓州市没有单独的数字，按广东省的算。" in text
    national = zh(result, "邓州市", basis_name="全国", national=True)
    assert "这是全国最低标准，各省另有加发。" in national


def test_every_grade_lists_each_grade_and_says_when_the_missing_years_are_needed():
    t = translator("zh-Hans")
    young = estimate_text.every_grade(t, run(meizhou_default(), age=45, grade=600), today=TODAY)
    assert young.count("元：") == len(MEIZHOU_GRADES) and "1.5%" in young and "未计以后调待遇" in young
    short = estimate_text.every_grade(t, run(meizhou_default(), age=50, grade=600), today=TODAY)
    assert "差的5年补足后才能领" in short


def test_years_paid_without_balance_is_rebuilt_not_left_out():
    p = meizhou_default()
    text = en(run(p, age=45, grade=600, years_paid=5))
    assert "Past years counted as CN¥600 a year" in text
    with_balance = en(run(p, age=45, grade=600, years_paid=5, balance=3000))
    assert "Past years" not in with_balance


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
    assert from_strings.inputs == EstimateInput(45, D(500), 0, D(0), D(0), True, D(500), TODAY)
    assert from_strings.chosen.monthly_total == from_numbers.chosen.monthly_total
    assert money(from_strings.chosen.monthly_total) == D("231.22")

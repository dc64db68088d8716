"""The estimate as a farmer reads it: short SMS text in their language, figures formatted by Babel."""

from .estimator import Estimate, money
from .i18n import Translator


def _next_up(result: Estimate):
    grades = result.by_grade
    index = next(i for i, r in enumerate(grades) if r.grade.amount == result.chosen.grade.amount)
    return grades[index + 1] if index + 1 < len(grades) else None


def _shortfall(t: Translator, result: Estimate) -> str:
    p = result.policy
    options = []
    if p.arrears_allowed:
        options.append(t._("pay back missed years"))
    if p.pay_past_claim_age:
        options.append(t._("keep paying after %(age)s", age=p.claim_age))
    if not options:
        options.append(t._("ask the local office"))
    return t._(
        "By %(age)s you will have paid %(years)s years, %(missing)s short of the %(min)s needed. You may %(options)s.",
        age=p.claim_age,
        years=result.contribution_years,
        missing=result.shortfall_years,
        min=p.min_years,
        options=t._(" or ").join(options) if t.locale == "en" else "或".join(options),
    )


def summary(t: Translator, result: Estimate, region_name: str) -> str:
    """Monthly total and its parts, the next grade up and the top grade, the policy year and caveats."""
    c, p, i = result.chosen, result.policy, result.inputs
    parts = []
    if not result.eligible:
        parts.append(_shortfall(t, result))
    if result.years_remaining:
        parts.append(
            t._(
                "%(region)s %(year)s rules: paying %(grade)s a year from age %(age)s to %(claim)s, about %(total)s a month (basic %(basic)s + account %(account)s).",
                region=region_name, year=p.year, grade=t.money(i.grade), age=i.age, claim=p.claim_age,
                total=t.money(money(c.monthly_total), cents=True), basic=t.money(money(c.monthly_basic), cents=True),
                account=t.money(money(c.monthly_account), cents=True),
            )
        )  # fmt: skip
    else:
        parts.append(
            t._(
                "%(region)s %(year)s rules: about %(total)s a month (basic %(basic)s + account %(account)s).",
                region=region_name, year=p.year, total=t.money(money(c.monthly_total), cents=True),
                basic=t.money(money(c.monthly_basic), cents=True), account=t.money(money(c.monthly_account), cents=True),
            )
        )  # fmt: skip
    if result.years_remaining:
        up, top = _next_up(result), result.by_grade[-1]
        compare = [r for r in (up, top) if r is not None and r is not c]
        if len(compare) == 2 and compare[0] is compare[1]:
            compare = compare[:1]
        if compare:
            listed = t.join(
                [
                    t._(
                        "%(grade)s: %(total)s a month",
                        grade=t.money(r.grade.amount),
                        total=t.money(money(r.monthly_total), cents=True),
                    )
                    for r in compare
                ]
            )
            parts.append(t._("Higher grades: %(list)s.", list=listed))
    if i.years_paid and not i.balance_given:
        parts.append(t._("Money already in your account is not counted."))
    parts.append(
        t._("Interest %(rate)s, future rises not counted; the local bureau's figures prevail.", rate=t.percent(p.interest_rate))
    )
    parts.append(t._("Reply ALL for every grade."))
    return ("" if t.locale == "zh-Hans" else " ").join(parts)


def every_grade(t: Translator, result: Estimate) -> str:
    """Every grade's monthly total side by side."""
    rows = [
        t._("%(grade)s: %(total)s", grade=t.money(r.grade.amount), total=t.money(money(r.monthly_total), cents=True))
        for r in result.by_grade
    ]
    header = t._(
        "Monthly pension by grade (%(year)s rules, to age %(claim)s):", year=result.policy.year, claim=result.policy.claim_age
    )
    footer = t._(
        "Interest %(rate)s, future rises not counted; the local bureau's figures prevail.",
        rate=t.percent(result.policy.interest_rate),
    )
    return header + "\n" + "\n".join(rows) + "\n" + footer

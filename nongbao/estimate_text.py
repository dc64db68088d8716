"""The estimate as a farmer reads it: short SMS text in their language, figures formatted by Babel."""

from .estimator import Estimate, GradeResult, money
from .i18n import Translator


def _yuan(t: Translator, value) -> str:
    """A computed amount, to the fen."""
    return t.money(money(value), cents=True)


def _options(t: Translator, result: Estimate) -> str:
    p, options = result.policy, []
    if p.arrears_allowed:
        options.append(t._("pay back missed years"))
    if p.pay_past_claim_age:
        options.append(t._("keep paying after %(age)s", age=p.claim_age))
    return t._(" or ").join(options) if options else t._("ask the local office")


def _shortfall(t: Translator, result: Estimate) -> str:
    """Not eligible: how many years are missing and what the region allows, said first."""
    p = result.policy
    figures = {"years": result.contribution_years, "missing": result.shortfall_years, "min": p.min_years}
    if result.years_remaining:
        text = t._(
            "By %(age)s you will have paid %(years)s years, %(missing)s short of the %(min)s needed.", age=p.claim_age, **figures
        )
    else:
        text = t._("You have paid %(years)s years, %(missing)s short of the %(min)s needed.", **figures)
    return text + ("" if t.locale == "zh-Hans" else " ") + t._("You may %(options)s.", options=_options(t, result))


def _headline(t: Translator, result: Estimate, region_name: str) -> str:
    """The monthly total for the chosen grade and its two parts."""
    c, p, i = result.chosen, result.policy, result.inputs
    parts = {"total": _yuan(t, c.monthly_total), "basic": _yuan(t, c.monthly_basic), "account": _yuan(t, c.monthly_account)}
    if not result.years_remaining:
        return t._(
            "%(region)s %(year)s rules: about %(total)s a month (basic %(basic)s + account %(account)s).",
            region=region_name,
            year=p.year,
            **parts,
        )
    return t._(
        "%(region)s %(year)s rules: paying %(grade)s a year from age %(age)s to %(claim)s, about %(total)s a month (basic %(basic)s + account %(account)s).",
        region=region_name, year=p.year, grade=t.money(i.grade), age=i.age, claim=p.claim_age, **parts,
    )  # fmt: skip


def _higher_grades(t: Translator, result: Estimate) -> str:
    """The next grade up and the top grade, so the farmer sees what paying more changes."""
    grades, chosen = result.by_grade, result.chosen
    above = [r for r in grades if r.grade.amount > chosen.grade.amount]
    compare: list[GradeResult] = above[:1] + above[-1:] if len(above) > 1 else above
    if not compare or not result.years_remaining:
        return ""
    listed = t.join(
        [t._("%(grade)s: %(total)s a month", grade=t.money(r.grade.amount), total=_yuan(t, r.monthly_total)) for r in compare]
    )
    return t._("Higher grades: %(list)s.", list=listed)


def _assumptions(t: Translator, result: Estimate) -> str:
    return t._(
        "Interest %(rate)s, future rises not counted; the local bureau's figures prevail.",
        rate=t.percent(result.policy.interest_rate),
    )


def summary(t: Translator, result: Estimate, region_name: str) -> str:
    """Monthly total and its parts, the next grade up and the top grade, the policy year and caveats."""
    i = result.inputs
    parts = [
        "" if result.eligible else _shortfall(t, result),
        _headline(t, result, region_name),
        _higher_grades(t, result),
        t._("Money already in your account is not counted.") if i.years_paid and not i.balance_given else "",
        _assumptions(t, result),
        t._("Reply ALL for every grade."),
    ]
    return ("" if t.locale == "zh-Hans" else " ").join(p for p in parts if p)


def every_grade(t: Translator, result: Estimate) -> str:
    """Every grade's monthly total side by side, with the assumptions."""
    rows = [t._("%(grade)s: %(total)s", grade=t.money(r.grade.amount), total=_yuan(t, r.monthly_total)) for r in result.by_grade]
    header = t._(
        "Monthly pension by grade (%(year)s rules, to age %(claim)s):", year=result.policy.year, claim=result.policy.claim_age
    )
    return "\n".join([header, *rows, _assumptions(t, result)])

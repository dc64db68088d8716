"""The estimate as a farmer reads it: short SMS text in their language, figures formatted by Babel.

estimator.md rule 17: what matters most comes first (the shortfall and the catch-up, or the monthly
total and what it is made of), then one short clause of assumptions with one 约/以当地为准 note for
the whole reply; the grade comparison and the rest come last, where the engine pages them behind
更多/MORE, and every grade waits for 全部/ALL (every_grade).
"""

import datetime

from .estimator import Estimate, GradeResult, money
from .i18n import Translator
from .places import ROOT


def _yuan(t: Translator, value) -> str:
    """A computed amount, to the fen."""
    return t.money(money(value), cents=True)


def _plain_yuan(t: Translator, value) -> str:
    """An amount the farmer pays or a policy figure: whole yuan unless it has fen."""
    return t.money(money(value))


def _parts(t: Translator, basic, account) -> dict:
    return {"basic": _yuan(t, basic), "account": _yuan(t, account)}


def _catchup_lead(t: Translator, result: Estimate) -> str:
    """Not eligible: the shortfall first, with what catching up costs and brings, or that it cannot be caught up."""
    c, i, p = result.catchup, result.inputs, result.policy
    missing = result.shortfall_years
    if c is not None and c.path == "arrears":
        return t._(
            "%(missing)s years short: paying them back at the %(grade)s grade costs about %(cost)s, then about %(total)s a month (basic %(basic)s + account %(account)s).",
            missing=missing, grade=t.money(i.grade), cost=_plain_yuan(t, c.cost), total=_yuan(t, c.monthly_total),
            **_parts(t, c.monthly_basic, c.monthly_account),
        )  # fmt: skip
    if c is not None:
        return t._(
            "%(missing)s years short: you may keep paying %(grade)s a year after %(claim)s for %(missing)s more years (about %(cost)s), then about %(total)s a month from %(start)s (basic %(basic)s + account %(account)s).",
            missing=missing, grade=t.money(i.grade), claim=p.claim_age, cost=_plain_yuan(t, c.cost), start=c.start_age,
            total=_yuan(t, c.monthly_total), **_parts(t, c.monthly_basic, c.monthly_account),
        )  # fmt: skip
    return t._(
        "%(missing)s years short, and they cannot be paid back here: the basic pension is not paid. The account (about %(account)s) stays yours; it is usually paid out in one sum.",
        missing=missing, account=_yuan(t, result.chosen.account_at_claim),
    )  # fmt: skip


def _shortfall_context(t: Translator, result: Estimate, label: str) -> str:
    """Where the shortfall comes from; no monthly figure, since none is paid without the missing years."""
    i, p = result.inputs, result.policy
    figures = {"region": label, "year": p.year, "years": result.contribution_years, "required": result.required_years}
    if result.years_remaining:
        return t._(
            "%(region)s %(year)s rules: paying %(grade)s a year from age %(age)s to %(claim)s gives %(years)s years; %(required)s are needed.",
            grade=t.money(i.grade), age=i.age, claim=p.claim_age, **figures,
        )  # fmt: skip
    return t._("%(region)s %(year)s rules: %(years)s years paid; %(required)s are needed.", **figures)


def _made_of(t: Translator, result: Estimate, label: str) -> str:
    """At or past the claim age: what the pension is made of."""
    c, p = result.chosen, result.policy
    extras = []
    if result.long_service_extra:
        extras.append(t._("%(amount)s for years beyond %(after)s", amount=_plain_yuan(t, result.long_service_extra),
                          after=p.long_service_after))  # fmt: skip
    if result.age_extra:
        step = p.age_step(max(result.inputs.age, p.claim_age))
        extras.append(t._("%(amount)s from age %(age)s", amount=_plain_yuan(t, result.age_extra), age=step.from_age))
    included = t._(" (incl. %(list)s)", list=t.join(extras)) if extras else ""
    return t._(
        "%(region)s %(year)s rules: about %(total)s a month: basic pension %(basic)s%(included)s + account %(account)s (%(balance)s / %(divisor)s).",
        region=label, year=p.year, total=_yuan(t, c.monthly_total), included=included, balance=_yuan(t, c.account_at_claim),
        divisor=p.divisor, **_parts(t, c.monthly_basic, c.monthly_account),
    )  # fmt: skip


def _headline(t: Translator, result: Estimate, label: str) -> str:
    """The monthly total for the chosen grade and its two parts."""
    c, p, i = result.chosen, result.policy, result.inputs
    if not result.years_remaining:
        return _made_of(t, result, label)
    parts = {"total": _yuan(t, c.monthly_total), **_parts(t, c.monthly_basic, c.monthly_account)}
    return t._(
        "%(region)s %(year)s rules: paying %(grade)s a year from age %(age)s to %(claim)s, about %(total)s a month (basic %(basic)s + account %(account)s).",
        region=label, year=p.year, grade=t.money(i.grade), age=i.age, claim=p.claim_age, **parts,
    )  # fmt: skip


def _next_step(t: Translator, result: Estimate) -> str:
    """Rule 15: the next age_extra step for one who has not reached it."""
    p = result.policy
    step = p.next_age_step(max(result.inputs.age, p.claim_age))
    if step is None:
        return ""
    return t._("From age %(age)s, %(amount)s a month more.", age=step.from_age, amount=_plain_yuan(t, step.per_month))


def _higher_grades(t: Translator, result: Estimate) -> str:
    """The next grade up and the top grade, so the farmer sees what paying more changes."""
    grades, chosen = result.by_grade, result.chosen
    above = [r for r in grades if r.grade.amount > chosen.grade.amount]
    compare: list[GradeResult] = above[:1] + above[-1:] if len(above) > 1 else above
    if not compare or not result.years_remaining or not result.eligible:
        return ""
    listed = t.join(
        [t._("%(grade)s: %(total)s a month", grade=t.money(r.grade.amount), total=_yuan(t, r.monthly_total)) for r in compare]
    )
    return t._("Higher grades: %(list)s.", list=listed)


def _assumptions(t: Translator, result: Estimate, today: datetime.date | None = None) -> str:
    """One clause: the past rebuilt, the interest, rises not counted, an old policy year, and one note."""
    p = result.policy
    clauses = []
    if result.balance_rebuilt:
        clauses.append(t._("past years counted as %(grade)s a year", grade=t.money(result.past_grade)))
    clauses.append(t._("interest %(rate)s, future rises not counted", rate=t.percent(p.interest_rate)))
    current = (today or result.as_of or p.today()).year
    if p.year < current:
        clauses.append(t._("the %(year)s figures may have risen since", year=p.year))
    if result.unconfirmed:
        clauses.append(t._("some figures are estimates: check locally"))
    else:
        clauses.append(t._("the local bureau's figures prevail"))
    zh = t.locale == "zh-Hans"
    text = ("，" if zh else ", ").join(clauses)
    return (text if zh else text[:1].upper() + text[1:]) + ("。" if zh else ".")


def summary(
    t: Translator,
    result: Estimate,
    region_name: str,
    *,
    basis_name: str | None = None,
    national: bool = False,
    today: datetime.date | None = None,
) -> str:
    """The estimate in a few SMS parts, most important first.

    basis_name: the region whose figures were used when it is not region_name (a place without a
    file answered on its province); national: those are the national root's minimums.
    today: the current date in the region's time zone (default: the estimate's as_of date).
    """
    label = basis_name or region_name
    if national:
        basis_note = t._("These are national minimums; your province adds its own.")
    elif basis_name and basis_name != region_name:
        basis_note = t._("No figures of %(place)s's own: those of %(basis)s are used.", place=region_name, basis=basis_name)
    else:
        basis_note = ""
    if result.eligible:
        lead = [_headline(t, result, label)]
    else:
        lead = [_catchup_lead(t, result), _shortfall_context(t, result, label)]
    more_grades = result.years_remaining or result.catchup is not None
    parts = [
        *lead,
        _next_step(t, result),
        basis_note,
        _assumptions(t, result, today),
        _higher_grades(t, result),
        t._("Reply ALL for every grade.") if more_grades else "",
    ]
    return t.sentences(parts)


def every_grade(t: Translator, result: Estimate, *, today: datetime.date | None = None) -> str:
    """Every grade's monthly total side by side, with the assumptions."""
    rows = [t._("%(grade)s: %(total)s", grade=t.money(r.grade.amount), total=_yuan(t, r.monthly_total)) for r in result.by_grade]
    header = t._(
        "Monthly pension by grade (%(year)s rules, to age %(claim)s):", year=result.policy.year, claim=result.policy.claim_age
    )
    lines = [header, *rows]
    if not result.eligible:
        lines.append(
            t._("Paid only once the %(missing)s missing years are made up; these figures leave them out.",
                missing=result.shortfall_years)
        )  # fmt: skip
    return "\n".join([*lines, _assumptions(t, result, today)])


def for_place(t: Translator, result: Estimate, lib, region, place: str, today: datetime.date) -> str:
    """The summary for a place, on its own figures or, named as such, on those of the nearest region with a file."""
    own = region.code == place
    return summary(
        t, result, region.name(t.locale) if own else lib.short_name(place, t.locale),
        basis_name=None if own else region.name(t.locale), national=region.code == ROOT, today=today,
    )  # fmt: skip

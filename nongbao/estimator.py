"""The residents' pension estimate of the estimate convention, in exact Decimal arithmetic."""

import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

# What a region without a `catchup` policy allows (the region format's defaults).
CATCHUP_DEFAULTS = {"arrears_allowed": True, "arrears_subsidized": False, "pay_past_claim_age_until": None}
DEFAULT_TIMEZONE = "Asia/Shanghai"
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
MIN_AGE, MAX_AGE = 16, 100
MAX_AMOUNT = Decimal(100_000_000)  # yuan; anything larger is a typing error, and keeps Decimal exact
MAX_DIGITS = 15  # an input of 10**16 or more is refused before any arithmetic


class EstimateError(ValueError):
    """An input the estimate cannot use; `field` names it for the API and the SMS re-prompt."""

    def __init__(self, field_name: str, code: str, message: str, valid: list | None = None):
        super().__init__(message)
        self.field, self.code, self.message, self.valid = field_name, code, message, valid or []


@dataclass(frozen=True)
class Grade:
    amount: Decimal  # yuan a year paid by the farmer
    subsidy: Decimal  # yuan a year added by government


@dataclass(frozen=True)
class AgeStep:
    from_age: int  # from this age on
    per_month: Decimal  # yuan a month added to the basic pension


@dataclass(frozen=True)
class PensionPolicy:
    """The figures of one region's pension policy that the estimate uses."""

    year: int
    claim_age: int
    min_years: int
    divisor: int
    interest_rate: Decimal
    basic_central: Decimal
    basic_local: Decimal
    grades: tuple[Grade, ...]
    long_service_after: int = 0
    long_service_per_year: Decimal = Decimal(0)
    arrears_allowed: bool = True
    arrears_subsidized: bool = False
    pay_past_claim_age_until: int | None = None  # contributing past claim_age allowed up to this age
    scheme_start: int | None = None  # the year the resident pension began there (rule 14)
    age_extra: tuple[AgeStep, ...] = ()  # rising from_age (rule 15)
    unconfirmed: tuple[str, ...] = ()  # dotted paths the region marks unconfirmed (rule 16)
    timezone: str = DEFAULT_TIMEZONE

    @classmethod
    def from_region(cls, effective: dict) -> "PensionPolicy":
        """Build from a region's effective policy mapping (with its effective `unconfirmed` marks)."""
        p = effective["pension"]
        long_service = p.get("long_service") or {}
        catchup = {**CATCHUP_DEFAULTS, **(p.get("catchup") or {})}
        unconfirmed = list(effective.get("unconfirmed") or [])
        if "catchup" not in p and "pension.catchup" not in unconfirmed:
            unconfirmed.append("pension.catchup")  # the loader's default, written in no file (rule 13)
        return cls(
            year=p["year"],
            claim_age=p["claim_age"],
            min_years=p["min_years"],
            divisor=p["divisor"],
            interest_rate=Decimal(p["interest_rate"]),
            basic_central=Decimal(p["basic_pension"]["central"]),
            basic_local=Decimal(p["basic_pension"]["local"]),
            grades=tuple(Grade(Decimal(g["amount"]), Decimal(g["subsidy"])) for g in p["grades"]),
            long_service_after=long_service.get("after_years", 0),
            long_service_per_year=Decimal(long_service.get("per_year", 0)),
            arrears_allowed=catchup["arrears_allowed"],
            arrears_subsidized=catchup["arrears_subsidized"],
            pay_past_claim_age_until=catchup["pay_past_claim_age_until"],
            scheme_start=p.get("scheme_start"),
            age_extra=tuple(AgeStep(s["from_age"], Decimal(s["per_month"])) for s in p.get("age_extra") or ()),
            unconfirmed=tuple(unconfirmed),
            timezone=effective.get("timezone") or DEFAULT_TIMEZONE,
        )

    def grade(self, amount: Decimal) -> Grade | None:
        """The grade with this yearly amount, if the region offers it."""
        return next((g for g in self.grades if g.amount == amount), None)

    def past_subsidy(self, amount: Decimal) -> Decimal:
        """Rule 12: the subsidy of the highest grade not above amount, or the lowest grade's when it is below all."""
        below = [g for g in self.grades if g.amount <= amount]
        return (below[-1] if below else self.grades[0]).subsidy

    def age_step(self, age: int) -> AgeStep | None:
        """Rule 15: the highest age_extra step reached at this age (steps do not add up)."""
        reached = [s for s in self.age_extra if s.from_age <= age]
        return reached[-1] if reached else None

    def next_age_step(self, age: int) -> AgeStep | None:
        """The first age_extra step above this age, for the text."""
        return next((s for s in self.age_extra if s.from_age > age), None)

    def required_years(self, age: int, as_of: datetime.date) -> int:
        """Rule 14: contribution years this farmer needs (the transitional rule where scheme_start is given)."""
        if self.scheme_start is None:
            return self.min_years
        age_at_start = age - (as_of.year - self.scheme_start)
        return min(self.min_years, max(0, self.claim_age - age_at_start))

    def today(self) -> datetime.date:
        """Today in the region's time zone."""
        return datetime.datetime.now(ZoneInfo(self.timezone)).date()


@dataclass(frozen=True)
class EstimateInput:
    age: int
    grade: Decimal
    years_paid: int = 0
    balance: Decimal = Decimal(0)
    collective: Decimal = Decimal(0)
    balance_given: bool = False  # whether the farmer told us the balance
    past_grade: Decimal | None = None  # yearly amount paid in past years (rule 12); None: the grade
    as_of: datetime.date | None = None  # the date the estimate is for; None: today in the region's time zone


@dataclass
class GradeResult:
    grade: Grade
    account_at_claim: Decimal
    monthly_basic: Decimal
    monthly_account: Decimal
    monthly_total: Decimal
    total_paid: Decimal
    payback_years: Decimal | None


@dataclass
class Catchup:
    """Rule 13: what paying the missing years would cost and bring."""

    path: str  # "arrears" (paid now) or "past_claim_age" (yearly contributions after claim_age)
    years: int
    cost: Decimal  # the farmer's own money for the missing years
    start_age: int  # the age the pension starts at after catching up
    account_at_claim: Decimal  # the account when the pension starts
    monthly_basic: Decimal
    monthly_account: Decimal
    monthly_total: Decimal
    payback_years: Decimal | None  # cost over the pension it unlocks


@dataclass
class Estimate:
    inputs: EstimateInput
    policy: PensionPolicy
    years_remaining: int
    contribution_years: int
    eligible: bool
    shortfall_years: int
    chosen: GradeResult
    by_grade: list[GradeResult] = field(default_factory=list)
    required_years: int = 0
    balance: Decimal = Decimal(0)  # the account now (or when payment began): given, rebuilt or 0
    balance_rebuilt: bool = False  # rule 12
    past_grade: Decimal = Decimal(0)
    as_of: datetime.date | None = None
    catchup: Catchup | None = None
    long_service_extra: Decimal = Decimal(0)  # yuan a month in monthly_basic for years beyond after_years
    age_extra: Decimal = Decimal(0)  # yuan a month in monthly_basic from age_extra (rule 15)
    unconfirmed: list[str] = field(default_factory=list)  # rule 16


def money(value: Decimal) -> Decimal:
    """A money figure as shown: to the fen, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(raw, field_name: str, *, integer: bool) -> Decimal:
    """A JSON number or numeric string as Decimal; booleans, NaN, infinities and fractions of integers are errors."""
    if isinstance(raw, bool) or raw is None or not isinstance(raw, (int, float, str, Decimal)):
        raise EstimateError(field_name, "invalid", f"{field_name} must be a number")
    if isinstance(raw, int) and raw.bit_length() > 64:  # str() of a 5,000-digit int raises ValueError
        raise EstimateError(field_name, "out_of_range", f"{field_name} is far too large")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise EstimateError(field_name, "invalid", f"{field_name} must be a finite number")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise EstimateError(field_name, "invalid", f"{field_name} must be a number, not {raw!r}") from None
    if not value.is_finite():
        raise EstimateError(field_name, "invalid", f"{field_name} must be a finite number")
    if value and value.adjusted() > MAX_DIGITS:  # "1e999999" would take minutes to turn into an int
        raise EstimateError(field_name, "out_of_range", f"{field_name} is far too large")
    if integer and value != value.to_integral_value():
        raise EstimateError(field_name, "invalid", f"{field_name} must be a whole number")
    return value


def check_age(age: int):
    """Raise unless the age is one the scheme covers (16 to 100)."""
    if not MIN_AGE <= age <= MAX_AGE:
        raise EstimateError("age", "out_of_range", f"age must be between {MIN_AGE} and {MAX_AGE}")


def check_grade(policy: PensionPolicy, grade: Decimal, written=None):
    """Raise unless the region offers this grade; the error lists the valid ones."""
    if policy.grade(grade) is None:
        valid = [str(g.amount) for g in policy.grades]
        shown = grade if written is None else written
        raise EstimateError(
            "grade", "unknown_grade", f"grade {shown} is not offered here; valid grades: {', '.join(valid)}", valid
        )


def check_years_paid(years_paid: int, age: int):
    """Raise unless the years already paid fit the age (paying starts at 16)."""
    if not 0 <= years_paid <= age - MIN_AGE:
        raise EstimateError("years_paid", "out_of_range", f"years_paid must be between 0 and {age - MIN_AGE} (age - 16)")


def _date(raw, field_name: str) -> datetime.date:
    """An ISO date string or a date; anything else is an error naming the field."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise EstimateError(field_name, "invalid", f"{field_name} must be a date such as 2026-03-02")


def parse_input(raw: dict, policy: PensionPolicy, *, today: datetime.date | None = None) -> EstimateInput:
    """Validated inputs from a request mapping (age, grade, years_paid, balance, collective, past_grade, as_of).

    `as_of` defaults to today (given by the caller in the region's time zone, else worked out here).
    """
    if raw.get("age") is None:
        raise EstimateError("age", "required", "age is required")
    age = int(_number(raw["age"], "age", integer=True))
    check_age(age)
    if raw.get("grade") is None:
        valid = [str(g.amount) for g in policy.grades]
        raise EstimateError("grade", "required", f"grade is required; valid grades: {', '.join(valid)}", valid)
    grade = _number(raw["grade"], "grade", integer=False)
    check_grade(policy, grade, raw["grade"])
    years_paid = int(_number(raw["years_paid"], "years_paid", integer=True)) if raw.get("years_paid") is not None else 0
    check_years_paid(years_paid, age)
    amounts = {}
    for name in ("balance", "collective", "past_grade"):
        value = _number(raw[name], name, integer=False) if raw.get(name) is not None else None
        if value is not None and value < 0:
            raise EstimateError(name, "negative", f"{name} must not be negative")
        if value is not None and value > MAX_AMOUNT:
            raise EstimateError(name, "out_of_range", f"{name} must be at most {MAX_AMOUNT}")
        amounts[name] = value
    if amounts["past_grade"] is not None and amounts["past_grade"] == 0:
        raise EstimateError("past_grade", "out_of_range", "past_grade must be more than 0 (the yearly amount paid before)")
    as_of = _date(raw["as_of"], "as_of") if raw.get("as_of") is not None else (today or policy.today())
    return EstimateInput(
        age,
        grade,
        years_paid,
        amounts["balance"] if amounts["balance"] is not None else Decimal(0),
        amounts["collective"] if amounts["collective"] is not None else Decimal(0),
        amounts["balance"] is not None,
        amounts["past_grade"] if amounts["past_grade"] is not None else grade,
        as_of,
    )


def _grow(balance: Decimal, deposit: Decimal, years: int, rate: Decimal) -> Decimal:
    """Rule 2: each year the deposit at its start, then the whole balance earns the year's interest."""
    for _ in range(years):
        balance = (balance + deposit) * (1 + rate)
    return balance


def _long_service(policy: PensionPolicy, years: int) -> Decimal:
    return (
        policy.long_service_per_year * max(0, years - policy.long_service_after) if policy.long_service_per_year else Decimal(0)
    )


def _basic(policy: PensionPolicy, years: int, at_age: int) -> Decimal:
    """Rule 5, with the age_extra step reached at the age the pension is paid (rule 15)."""
    step = policy.age_step(at_age)
    return policy.basic_central + policy.basic_local + _long_service(policy, years) + (step.per_month if step else 0)


def _payback(cost: Decimal, monthly_total: Decimal) -> Decimal | None:
    if not cost or monthly_total <= 0:
        return None
    return (cost / (monthly_total * 12)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _for_grade(
    policy: PensionPolicy, inputs: EstimateInput, grade: Grade, start: Decimal, years_remaining: int, years: int
) -> GradeResult:
    balance = _grow(start, grade.amount + grade.subsidy + inputs.collective, years_remaining, policy.interest_rate)
    monthly_basic = _basic(policy, years, max(inputs.age, policy.claim_age))
    monthly_account = balance / policy.divisor
    monthly_total = monthly_basic + monthly_account
    total_paid = grade.amount * years_remaining
    payback = _payback(total_paid, monthly_total) if years_remaining else None
    return GradeResult(grade, balance, monthly_basic, monthly_account, monthly_total, total_paid, payback)


def _catchup(
    policy: PensionPolicy,
    inputs: EstimateInput,
    grade: Grade,
    start: Decimal,
    years_remaining: int,
    shortfall: int,
    required: int,
) -> Catchup | None:
    """Rule 13: arrears paid now where allowed, else contributions past claim_age where they fit, else None."""
    deposit = grade.amount + grade.subsidy + inputs.collective
    rate, begin = policy.interest_rate, max(inputs.age, policy.claim_age)
    if policy.arrears_allowed:
        arrears = (grade.amount + (grade.subsidy if policy.arrears_subsidized else 0)) * shortfall
        path, start_age = "arrears", begin
        account = _grow(start + arrears, deposit, years_remaining, rate)  # at/past claim age: added as it is
    elif policy.pay_past_claim_age_until is not None and begin + shortfall <= policy.pay_past_claim_age_until:
        path, start_age = "past_claim_age", begin + shortfall
        account = _grow(_grow(start, deposit, years_remaining, rate), deposit, shortfall, rate)
    else:
        return None
    cost = grade.amount * shortfall
    monthly_basic = _basic(policy, required, start_age)
    monthly_account = account / policy.divisor
    total = monthly_basic + monthly_account
    return Catchup(path, shortfall, cost, start_age, account, monthly_basic, monthly_account, total, _payback(cost, total))


def under(path: str, top: str) -> bool:
    """Whether a dotted path is top itself or a path inside it (pension.window.start is under pension.window)."""
    return path == top or path.startswith(top + ".")


def _unconfirmed_used(policy: PensionPolicy, used: list[str]) -> list[str]:
    """Rule 16: the figures used that the region marks unconfirmed, as the more precise of mark and figure."""
    found = []
    for figure in used:
        for mark in policy.unconfirmed:
            path = figure if under(figure, mark) else mark if under(mark, figure) else None
            if path and path not in found:
                found.append(path)
    return found


def estimate(policy: PensionPolicy, inputs: EstimateInput) -> Estimate:
    """The estimate for the chosen grade and, side by side, for every grade of the region."""
    as_of = inputs.as_of or policy.today()
    past_grade = inputs.grade if inputs.past_grade is None else inputs.past_grade
    years_remaining = max(0, policy.claim_age - inputs.age)
    years = inputs.years_paid + years_remaining
    required = policy.required_years(inputs.age, as_of)
    rebuilt = not inputs.balance_given and inputs.years_paid > 0
    start = inputs.balance
    if rebuilt:  # rule 12: the past rebuilt at past_grade, the same for every row
        deposit = past_grade + policy.past_subsidy(past_grade) + inputs.collective
        start = _grow(Decimal(0), deposit, inputs.years_paid, policy.interest_rate)
    results = [_for_grade(policy, inputs, g, start, years_remaining, years) for g in policy.grades]
    chosen = next(r for r in results if r.grade.amount == inputs.grade)
    eligible, shortfall = years >= required, max(0, required - years)
    catchup = None
    if not eligible:
        catchup = _catchup(policy, inputs, chosen.grade, start, years_remaining, shortfall, required)
    pension_age = max(inputs.age, policy.claim_age)
    step = policy.age_step(pension_age)
    used = ["pension.claim_age", "pension.min_years", "pension.divisor", "pension.basic_pension.central",
            "pension.basic_pension.local"]  # fmt: skip
    if years_remaining or rebuilt or catchup is not None:
        used += ["pension.interest_rate", "pension.grades"]
    if policy.long_service_per_year:
        used.append("pension.long_service")
    if policy.scheme_start is not None:
        used.append("pension.scheme_start")
    if policy.age_extra:
        used.append("pension.age_extra")
    if not eligible:
        used.append("pension.catchup")
    return Estimate(
        inputs=inputs,
        policy=policy,
        years_remaining=years_remaining,
        contribution_years=years,
        eligible=eligible,
        shortfall_years=shortfall,
        chosen=chosen,
        by_grade=results,
        required_years=required,
        balance=start,
        balance_rebuilt=rebuilt,
        past_grade=past_grade,
        as_of=as_of,
        catchup=catchup,
        long_service_extra=_long_service(policy, years),
        age_extra=step.per_month if step else Decimal(0),
        unconfirmed=_unconfirmed_used(policy, used),
    )


def _fmt(value: Decimal | None) -> str | None:
    return None if value is None else str(money(value))


def _tenth(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def catchup_json(catchup: Catchup | None) -> dict | None:
    """Rule 13's catch-up in the response: null, or its years, cost, monthly total and payback."""
    if catchup is None:
        return None
    return {
        "path": catchup.path,
        "years": catchup.years,
        "cost": _fmt(catchup.cost),
        "start_age": catchup.start_age,
        "account_at_claim": _fmt(catchup.account_at_claim),
        "monthly_basic": _fmt(catchup.monthly_basic),
        "monthly_account": _fmt(catchup.monthly_account),
        "monthly_total": _fmt(catchup.monthly_total),
        "payback_years": _tenth(catchup.payback_years),
    }


def as_json(result: Estimate, region_code: str, basis: dict | None = None) -> dict:
    """The estimate response body of the API, money as two-decimal strings.

    basis ({"code", "name"}: whose figures were used) is included when the caller gives it.
    """
    c, p = result.chosen, result.policy
    body = {
        "region": region_code,
        "policy_year": p.year,
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "age": result.inputs.age,
        "grade": _fmt(result.inputs.grade),
        "years_paid": result.inputs.years_paid,
        "past_grade": _fmt(result.past_grade),
        "balance": _fmt(result.balance),
        "balance_rebuilt": result.balance_rebuilt,
        "years_remaining": result.years_remaining,
        "contribution_years": result.contribution_years,
        "required_years": result.required_years,
        "eligible": result.eligible,
        "shortfall_years": result.shortfall_years,
        "account_at_claim": _fmt(c.account_at_claim),
        "monthly_basic": _fmt(c.monthly_basic),
        "monthly_account": _fmt(c.monthly_account),
        "monthly_total": _fmt(c.monthly_total),
        "total_paid": _fmt(c.total_paid),
        "payback_years": _tenth(c.payback_years),
        "catchup": catchup_json(result.catchup),
        "by_grade": [
            {
                "grade": _fmt(r.grade.amount),
                "subsidy": _fmt(r.grade.subsidy),
                "account_at_claim": _fmt(r.account_at_claim),
                "monthly_account": _fmt(r.monthly_account),
                "monthly_total": _fmt(r.monthly_total),
                "total_paid": _fmt(r.total_paid),
                "payback_years": _tenth(r.payback_years),
            }
            for r in result.by_grade
        ],
        "options": {
            "arrears_allowed": p.arrears_allowed,
            "arrears_subsidized": p.arrears_subsidized,
            "pay_past_claim_age_until": p.pay_past_claim_age_until,
        },
        "assumptions": {
            "interest_rate": str(p.interest_rate),
            "divisor": p.divisor,
            "claim_age": p.claim_age,
            "min_years": p.min_years,
            "policy_year": p.year,
            "scheme_start": p.scheme_start,
            "basic_pension_increases_counted": False,
            "balance_included": True,  # given, rebuilt from the years paid (rule 12), or nothing paid yet
        },
        "unconfirmed": list(result.unconfirmed),
    }
    if basis is not None:
        body["basis"] = basis
    return body

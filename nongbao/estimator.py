"""The residents' pension estimate of the estimate convention, in exact Decimal arithmetic."""

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# What a region without a `catchup` policy allows (the region format's defaults).
CATCHUP_DEFAULTS = {"arrears_allowed": True, "arrears_subsidized": False, "pay_past_claim_age": False}
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
MIN_AGE, MAX_AGE = 16, 100
MAX_AMOUNT = Decimal(100_000_000)  # yuan; anything larger is a typing error, and keeps Decimal exact


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
    pay_past_claim_age: bool = False

    @classmethod
    def from_region(cls, effective: dict) -> "PensionPolicy":
        """Build from a region's effective policy mapping."""
        p = effective["pension"]
        long_service = p.get("long_service") or {}
        catchup = {**CATCHUP_DEFAULTS, **(p.get("catchup") or {})}
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
            pay_past_claim_age=catchup["pay_past_claim_age"],
        )

    def grade(self, amount: Decimal) -> Grade | None:
        """The grade with this yearly amount, if the region offers it."""
        return next((g for g in self.grades if g.amount == amount), None)


@dataclass(frozen=True)
class EstimateInput:
    age: int
    grade: Decimal
    years_paid: int = 0
    balance: Decimal = Decimal(0)
    collective: Decimal = Decimal(0)
    balance_given: bool = False  # whether the farmer told us the balance


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
class Estimate:
    inputs: EstimateInput
    policy: PensionPolicy
    years_remaining: int
    contribution_years: int
    eligible: bool
    shortfall_years: int
    chosen: GradeResult
    by_grade: list[GradeResult] = field(default_factory=list)


def money(value: Decimal) -> Decimal:
    """A money figure as shown: to the fen, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(raw, field_name: str, *, integer: bool) -> Decimal:
    """A JSON number or numeric string as Decimal; booleans, NaN, infinities and fractions of integers are errors."""
    if isinstance(raw, bool) or raw is None or not isinstance(raw, (int, float, str, Decimal)):
        raise EstimateError(field_name, "invalid", f"{field_name} must be a number")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise EstimateError(field_name, "invalid", f"{field_name} must be a finite number")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise EstimateError(field_name, "invalid", f"{field_name} must be a number, not {raw!r}") from None
    if not value.is_finite():
        raise EstimateError(field_name, "invalid", f"{field_name} must be a finite number")
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


def parse_input(raw: dict, policy: PensionPolicy) -> EstimateInput:
    """Validated inputs from a request mapping (age, grade, years_paid, balance, collective)."""
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
    for name in ("balance", "collective"):
        value = _number(raw[name], name, integer=False) if raw.get(name) is not None else Decimal(0)
        if value < 0:
            raise EstimateError(name, "negative", f"{name} must not be negative")
        if value > MAX_AMOUNT:
            raise EstimateError(name, "out_of_range", f"{name} must be at most {MAX_AMOUNT}")
        amounts[name] = value
    return EstimateInput(age, grade, years_paid, amounts["balance"], amounts["collective"], raw.get("balance") is not None)


def _for_grade(policy: PensionPolicy, inputs: EstimateInput, grade: Grade, years_remaining: int, years: int) -> GradeResult:
    balance = inputs.balance
    deposit = grade.amount + grade.subsidy + inputs.collective
    for _ in range(years_remaining):
        balance = (balance + deposit) * (1 + policy.interest_rate)
    extra_years = max(0, years - policy.long_service_after) if policy.long_service_per_year else 0
    monthly_basic = policy.basic_central + policy.basic_local + policy.long_service_per_year * extra_years
    monthly_account = balance / policy.divisor
    monthly_total = monthly_basic + monthly_account
    total_paid = grade.amount * years_remaining
    payback = None
    if years_remaining and monthly_total > 0:
        payback = (total_paid / (monthly_total * 12)).quantize(TENTH, rounding=ROUND_HALF_UP)
    return GradeResult(grade, balance, monthly_basic, monthly_account, monthly_total, total_paid, payback)


def estimate(policy: PensionPolicy, inputs: EstimateInput) -> Estimate:
    """The estimate for the chosen grade and, side by side, for every grade of the region."""
    years_remaining = max(0, policy.claim_age - inputs.age)
    years = inputs.years_paid + years_remaining
    results = [_for_grade(policy, inputs, g, years_remaining, years) for g in policy.grades]
    chosen = next(r for r in results if r.grade.amount == inputs.grade)
    return Estimate(
        inputs=inputs,
        policy=policy,
        years_remaining=years_remaining,
        contribution_years=years,
        eligible=years >= policy.min_years,
        shortfall_years=max(0, policy.min_years - years),
        chosen=chosen,
        by_grade=results,
    )


def _fmt(value: Decimal | None) -> str | None:
    return None if value is None else str(money(value))


def as_json(result: Estimate, region_code: str) -> dict:
    """The estimate response body of the API, money as two-decimal strings."""
    c, p = result.chosen, result.policy
    return {
        "region": region_code,
        "policy_year": p.year,
        "age": result.inputs.age,
        "grade": _fmt(result.inputs.grade),
        "years_paid": result.inputs.years_paid,
        "years_remaining": result.years_remaining,
        "contribution_years": result.contribution_years,
        "eligible": result.eligible,
        "shortfall_years": result.shortfall_years,
        "account_at_claim": _fmt(c.account_at_claim),
        "monthly_basic": _fmt(c.monthly_basic),
        "monthly_account": _fmt(c.monthly_account),
        "monthly_total": _fmt(c.monthly_total),
        "total_paid": _fmt(c.total_paid),
        "payback_years": None if c.payback_years is None else str(c.payback_years),
        "by_grade": [
            {
                "grade": _fmt(r.grade.amount),
                "subsidy": _fmt(r.grade.subsidy),
                "account_at_claim": _fmt(r.account_at_claim),
                "monthly_account": _fmt(r.monthly_account),
                "monthly_total": _fmt(r.monthly_total),
                "total_paid": _fmt(r.total_paid),
                "payback_years": None if r.payback_years is None else str(r.payback_years),
            }
            for r in result.by_grade
        ],
        "options": {
            "arrears_allowed": p.arrears_allowed,
            "arrears_subsidized": p.arrears_subsidized,
            "pay_past_claim_age": p.pay_past_claim_age,
        },
        "assumptions": {
            "interest_rate": str(p.interest_rate),
            "divisor": p.divisor,
            "claim_age": p.claim_age,
            "min_years": p.min_years,
            "policy_year": p.year,
            "basic_pension_increases_counted": False,
            "balance_included": result.inputs.balance_given or result.inputs.years_paid == 0,
        },
    }

"""The estimate dialogue: take what the first message gives, ask for the rest one question at a time."""

import re
from decimal import Decimal

from nongbao import estimate_text
from nongbao.engine import Outcome, Turn
from nongbao.estimator import EstimateError, estimate, parse_input
from nongbao.numerals import parse_number, to_arabic

FIELDS = ("age", "grade", "years_paid")  # asked in this order; years paid is always asked once
ALL_WORDS = {"全部", "所有", "各档", "全部档次", "all", "every", "all grades"}
NONE_WORDS = {"没有", "没交过", "没交", "无", "none", "no", "never", "0年"}


def _age_or_birth(text: str, this_year: int) -> dict:
    found = {}
    birth = re.search(r"((?:19|20)\d\d)\s*年?\s*(?:生|出生|的)|born\s*(?:in\s*)?((?:19|20)\d\d)", text)
    short_birth = re.search(r"(?<!\d)([4-9]\d)\s*年\s*(?:生|出生|的)", text)
    if birth:
        found["birth_year"] = int(birth.group(1) or birth.group(2))
    elif short_birth:
        found["birth_year"] = 1900 + int(short_birth.group(1))
    age = re.search(
        r"(?<!\d)(\d{2,3})\s*(?:岁|周岁)|\bi\s*(?:am|'m)\s*(\d{2,3})\b|\b(\d{2,3})\s*(?:years?|yrs?)\s*old|\baged?\s*(\d{2,3})|\bim\s*(\d{2})\b|^我?(\d{2})(?=了|,|，|\s)|(?<![\d年])([1-9]\d)\s*了|今年\s*(\d{2})(?![\d年岁])",
        text,
    )
    if age:
        found["age"] = int(next(g for g in age.groups() if g))
    elif "birth_year" in found:
        found["age"] = this_year - found["birth_year"]
    return found


def extract(text: str, this_year: int) -> dict:
    """Age (or birth year), grade and years paid named in a message such as 我45岁，每年交500。"""
    text = to_arabic(text).lower()
    found = _age_or_birth(text, this_year)
    years = re.search(
        r"(?:交|缴|paid|pay)\s*(?:了|过|for)?\s*(\d{1,2})\s*(?:年|years?|yrs?)|已交\s*(\d{1,2})\s*年|(\d{1,2})\s*(?:年了)", text
    )
    if years:
        found["years_paid"] = int(next(g for g in years.groups() if g))
    grade = re.search(
        r"(\d{3,5})\s*(?:元|块|档|的档|yuan|rmb)|(?:交|缴|pay|paying|选|grade|at)\s*(?:了)?\s*(\d{3,5})(?!\s*年)", text
    )
    if grade:
        found["grade"] = int(next(g for g in grade.groups() if g))
    return found


def _question(turn: Turn, field: str) -> str:
    if field == "age":
        return turn._("How old are you? (Or reply with your birth year, such as 1980.)")
    if field == "grade":
        grades = turn.t.join([turn.t.number(g.amount) for g in turn.region.pension.grades])
        return turn._("Which grade do you pay each year? Reply with one of: %(grades)s (yuan).", grades=grades)
    return turn._("How many years have you already paid? Reply 0 if none.")


def _missing(data: dict) -> str | None:
    for field in FIELDS:
        if field == "years_paid" and not data.get("asked_years") and "years_paid" not in data:
            return field
        if field not in data:
            return field
    return None


def _check(turn: Turn, data: dict) -> str:
    """Drop an answer the estimate cannot use at once, and say what was wrong ("" when all is well)."""
    if "age" in data and not 16 <= data["age"] <= 100:
        data.pop("age")
        data.pop("birth_year", None)
        return turn._("The age must be between 16 and 100.")
    if "grade" in data and turn.region.pension.grade(Decimal(data["grade"])) is None:
        data.pop("grade")
        return turn._("That is not a grade offered here.")
    if "age" in data and data.get("years_paid", 0) > data["age"] - 16:
        data.pop("years_paid")
        data["asked_years"] = False
        return turn._("Years paid cannot be more than your age minus 16.")
    return ""


def _ask_or_answer(turn: Turn, data: dict, prefix: str = "") -> Outcome:
    prefix = _check(turn, data) or prefix
    field = _missing(data)
    if field:
        if field == "years_paid":
            data["asked_years"] = True
        text = (prefix + "\n" if prefix else "") + _question(turn, field)
        return Outcome(text, "estimate", state=("estimate", field, data), ask_region=False)
    return _answer(turn, data)


def _answer(turn: Turn, data: dict) -> Outcome:
    policy, region = turn.region.pension, turn.region
    try:
        inputs = parse_input({k: data.get(k) for k in FIELDS}, policy)
    except EstimateError as error:
        data.pop(error.field, None)
        data["asked_years"] = data.get("asked_years") and error.field != "years_paid"
        return _ask_or_answer(turn, data, _error_text(turn, error))
    result = estimate(policy, inputs)
    if data.get("birth_year"):
        turn.store.update_contact(turn.contact.id, turn.now, birth_year=data["birth_year"])
    text = estimate_text.summary(turn.t, result, region.name(turn.locale))
    return Outcome(text, "estimate", state=("estimate", "done", {**data, "done": True}))


def answer_again(turn: Turn) -> Outcome | None:
    """The estimate just given, worked out again (after the farmer named their county)."""
    data = turn.state_data()
    if not data.pop("done", False):
        return None
    return _ask_or_answer(turn, data)


def _error_text(turn: Turn, error: EstimateError) -> str:
    if error.field == "age":
        return turn._("The age must be between 16 and 100.")
    if error.field == "grade":
        return turn._("That is not a grade offered here.")
    return turn._("Years paid cannot be more than your age minus 16.")


def start(turn: Turn) -> Outcome:
    """Begin an estimate with whatever the message already says."""
    if turn.region is None:
        return Outcome(turn._("No region figures are loaded yet. Please call %(hotline)s.", hotline=turn.hotline), "estimate")
    data = extract(turn.text, turn.local_today.year)
    return _ask_or_answer(turn, data)


def _assign(data: dict, step: str, text: str, turn: Turn) -> bool:
    """Put the farmer's answer where it belongs: explicit units first, then the open question."""
    found = extract(text, turn.local_today.year)
    number = parse_number(
        re.sub(r"^(不对|不是|错了|改成|改为|应该是|改|是|no|sorry|actually)[，,。.\s]*", "", text.strip().lower())
    )
    if not found and number is None:
        if step == "years_paid" and text.strip().lower() in NONE_WORDS:
            data["years_paid"] = 0
            return True
        return False
    if number is not None and not found:
        if step == "done":
            grade_amounts = {int(g.amount) for g in turn.region.pension.grades}
            field = "grade" if number in grade_amounts else ("age" if 16 <= number <= 100 else "grade")
        else:
            field = step
        if field == "age" and number > 1900:
            data["birth_year"], number = number, turn.local_today.year - number
        found = {field: number}
    data.update(found)
    return True


def resume(turn: Turn) -> Outcome | None:
    """An answer to the open question, a correction, or ALL; None lets another question through."""
    step, data = turn.state["step"], turn.state_data()
    text = turn.text.strip()
    if step == "done" and text.lower() in ALL_WORDS:
        result = estimate(turn.region.pension, parse_input({k: data.get(k) for k in FIELDS}, turn.region.pension))
        return Outcome(estimate_text.every_grade(turn.t, result), "estimate", state=("estimate", "done", data))
    if _assign(data, step, text, turn):
        return _ask_or_answer(turn, data)
    if step == "done" or turn.library.matcher.match(text).intent not in ("unknown", "estimate", "menu"):
        return None
    return Outcome(
        turn._("Sorry, I did not understand.") + "\n" + _question(turn, step),
        "estimate",
        state=("estimate", step, data),
        ask_region=False,
    )

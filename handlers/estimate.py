"""The estimate dialogue: take what the first message gives, ask for the rest one question at a time."""

import re
from decimal import Decimal

from nongbao import estimate_text
from nongbao.estimator import EstimateError, check_age, check_grade, check_years_paid, estimate, parse_input
from nongbao.i18n import N_
from nongbao.models import REGION_SET, REGION_SKIPPED
from nongbao.numerals import parse_number
from nongbao.parsing import read_inputs
from nongbao.turns import Outcome, Turn

FIELDS = ("age", "grade", "years_paid")  # asked in this order; years paid is always asked once
ALL_WORDS = {"全部", "所有", "各档", "全部档次", "all", "every", "all grades"}
NONE_WORDS = {"没有", "没交过", "没交", "无", "none", "no", "never", "0年"}
CANCEL_WORDS = {"算了", "不算了", "不用了", "取消估算", "cancel", "quit", "never mind"}
CORRECTION = re.compile(
    r"^(?:(?:不对|不是|错了|改成|改为|应该是|改|是|(?:no|sorry|actually|it's|it is|its|make it)\b)[，,。.!\s]*)+", re.IGNORECASE
)
PROBLEMS = {
    "age": N_("The age must be between 16 and 100."),
    "grade": N_("That is not a grade offered here."),
    "years_paid": N_("Years paid cannot be more than your age minus 16."),
}


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
    try:
        if "age" in data:
            check_age(data["age"])
        if "grade" in data:
            check_grade(turn.region.pension, Decimal(data["grade"]))
        if "age" in data and "years_paid" in data:
            check_years_paid(data["years_paid"], data["age"])
    except EstimateError as error:
        data.pop(error.field)
        if error.field == "age":
            data.pop("birth_year", None)
        if error.field == "years_paid":
            data["asked_years"] = False
        return turn._(PROBLEMS[error.field])
    return ""


def _result(turn: Turn, data: dict):
    """The estimate for answers that _check has already accepted."""
    policy = turn.region.pension
    return estimate(policy, parse_input({k: data.get(k) for k in FIELDS}, policy))


def _ask_or_answer(turn: Turn, data: dict, prefix: str = "") -> Outcome:
    prefix = _check(turn, data) or prefix
    field = _missing(data)
    if field:
        if field == "years_paid":
            data["asked_years"] = True
        text = _question(turn, field)
        if prefix:  # a re-prompt also says how to leave
            text = f"{prefix}\n{text}{turn._(' (MENU to leave)')}"
        return Outcome(text, "estimate", state=("estimate", field, data), ask_region=False)
    return _answer(turn, data)


def _answer(turn: Turn, data: dict) -> Outcome:
    result = _result(turn, data)
    # Kept for the turning-60 reminder; from the age alone the year may be one off, which a reminder tolerates.
    birth_year = data.get("birth_year") or turn.local_today.year - data["age"]
    turn.store.update_contact(turn.contact.id, turn.now, birth_year=birth_year)
    text = estimate_text.summary(turn.t, result, turn.region.name(turn.locale))
    if turn.contact.region_status not in (REGION_SET, REGION_SKIPPED):
        text += "\n" + turn._("Reply with your county's name to use its figures.")
    return Outcome(text, "estimate", state=("estimate", "done", {**data, "done": True}))


def answer_again(turn: Turn) -> Outcome | None:
    """The estimate just given, worked out again (after the farmer named their county)."""
    data = turn.state_data()
    if not data.pop("done", False):
        return None
    return _ask_or_answer(turn, data)


def start(turn: Turn) -> Outcome:
    """Begin an estimate with whatever the message already says."""
    if turn.region is None:
        return Outcome(turn._("No region figures are loaded yet. Please call %(hotline)s.", hotline=turn.hotline), "estimate")
    data = read_inputs(turn.text, turn.local_today.year)
    return _ask_or_answer(turn, data)


def _assign(turn: Turn, data: dict, step: str, text: str) -> bool:
    """Put the farmer's answer where it belongs; False when the message does not answer the estimate."""
    lowered = text.strip().lower()
    cleaned = CORRECTION.sub("", lowered)
    corrected = cleaned != lowered
    number = parse_number(cleaned)
    found = read_inputs(cleaned, turn.local_today.year)
    grades = {int(g.amount) for g in turn.region.pension.grades}
    if step != "done":
        if number is not None:  # a bare answer to the open question, or a grade given late
            found = {"grade": number} if number in grades and number > 100 else {step: number}
            if step == "age" and number >= 1900:
                found = {"birth_year": number, "age": turn.local_today.year - number}
        elif not found and step == "years_paid" and cleaned in NONE_WORDS:
            found = {"years_paid": 0}
    elif number is not None:  # after the answer, a bare number is a grade of the region or a corrected age
        if number in grades:
            found = {"grade": number}
        elif corrected and 16 <= number <= 100:
            found = {"age": number}
        else:
            return False
    elif not corrected and turn.library.matcher.match(text).intent not in ("estimate", "unknown"):
        return False  # another question, which happens to name a number
    data.update(found)
    return bool(found)


def resume(turn: Turn) -> Outcome | None:
    """An answer to the open question, a correction, or ALL; None lets another question through."""
    step, data = turn.state["step"], turn.state_data()
    text = turn.text.strip()
    if text.lower() in CANCEL_WORDS or (step in ("age", "grade") and text == "0"):
        from . import menu

        return menu.show(turn)  # 0 means "back", as in the menus
    if step == "done" and text.lower() in ALL_WORDS:
        return Outcome(estimate_text.every_grade(turn.t, _result(turn, data)), "estimate", state=("estimate", "done", data))
    if _assign(turn, data, step, text):
        return _ask_or_answer(turn, data)
    if step == "done" or turn.library.matcher.match(text).intent not in ("unknown", "estimate", "menu"):
        return None
    return Outcome(
        turn._("Sorry, I did not understand.") + "\n" + _question(turn, step) + turn._(" (MENU to leave)"),
        "estimate",
        state=("estimate", step, data),
        ask_region=False,
    )

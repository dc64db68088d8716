"""The estimate dialogue: a set of facts any message may add to or correct; it asks only for what is missing.

Once every fact is known, a message that changes one (a grade, an age, years paid, a balance, the
place) works the estimate out again at once and says what changed; what-ifs ("交3000呢") work for as
long as the dialogue lives. A what-if on the grade changes the years to come, not those already paid.
"""

import re
from decimal import Decimal

from nongbao import estimate_text, segments
from nongbao.estimator import EstimateError, check_age, check_grade, check_years_paid, estimate, parse_input
from nongbao.i18n import N_
from nongbao.models import REGION_SET, REGION_SKIPPED
from nongbao.numerals import parse_choice
from nongbao.parsing import Reading, read
from nongbao.turns import Outcome, Turn

FIELDS = ("age", "grade", "years_paid")  # asked in this order; years paid is asked once, then taken as 0
MONEY_FACTS = ("balance", "collective")
ALL_WORDS = {"全部", "所有", "各档", "全部档次", "所有档次", "每档", "all", "every", "all grades", "every grade"}
CANCEL_WORDS = {"取消", "算了", "不算了", "不用了", "不用算了", "取消估算", "退出", "never mind", "stop estimate"}
NO_WORDS = {"no", "skip"}  # answers to the years question that mean none or unknown
QUESTION = re.compile(r"[?？]|吗|么|呢$|不$|还用|能不能|是不是|要不要|咋|怎么|\b(how|what|when|why|do|does|can|should)\b", re.I)
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


def _missing(facts: dict, data: dict) -> str | None:
    for field in FIELDS:
        if field not in facts and not (field == "years_paid" and data.get("asked_years")):
            return field
    return None


def _check(turn: Turn, facts: dict, before: dict | None = None) -> tuple[str, str]:
    """Drop a fact the estimate cannot use (back to its earlier value, if any): (field, what was wrong), or ("", "")."""
    try:
        if "age" in facts:
            check_age(facts["age"])
        if "grade" in facts:
            check_grade(turn.region.pension, Decimal(facts["grade"]))
        if "age" in facts and "years_paid" in facts:
            check_years_paid(facts["years_paid"], facts["age"])
    except EstimateError as error:
        facts.pop(error.field)
        if error.field == "age":
            facts.pop("birth_year", None)
        earlier = (before or {}).get(error.field)
        if earlier is not None and earlier != facts.get(error.field):  # a what-if that does not fit keeps what was there
            facts[error.field] = earlier
            for key in ("birth_year", "past_grade"):
                if key in before:
                    facts[key] = before[key]
                else:
                    facts.pop(key, None)
        problem = turn._(PROBLEMS[error.field])
        if error.field == "grade" and earlier is not None:
            grades = turn.t.join([turn.t.number(g.amount) for g in turn.region.pension.grades])
            problem += turn._(" Grades here: %(grades)s.", grades=grades)
        return error.field, problem
    return "", ""


def _inputs(facts: dict) -> dict:
    """The estimator's inputs from the dialogue's facts (years not given count as none)."""
    raw = {key: facts.get(key) for key in ("age", "grade", "years_paid", "past_grade", *MONEY_FACTS)}
    raw["years_paid"] = raw["years_paid"] or 0
    return raw


def _result(turn: Turn, facts: dict):
    policy = turn.region.pension
    return estimate(policy, parse_input(_inputs(facts), policy, today=turn.local_today))


def _describe(turn: Turn, key: str, value) -> str:
    """One changed fact as the farmer would say it."""
    t = turn.t
    if key == "age":
        return turn._("age %(age)s", age=value)
    if key == "grade":
        return turn._("grade %(amount)s", amount=t.money(Decimal(value)))
    if key == "years_paid":
        return turn._("%(years)s years paid", years=value)
    if key == "balance":
        return turn._("account balance %(amount)s", amount=t.money(Decimal(value)))
    if key == "collective":
        return turn._("collective subsidy %(amount)s a year", amount=t.money(Decimal(value)))
    if key == "place":
        return turn.library.place_label(value, turn.locale)
    return ""


def _answer(turn: Turn, data: dict, notes: list[str], changed: list[str], contact: dict) -> Outcome:
    facts = data["facts"]
    result = _result(turn, facts)
    place = facts.get("place") or turn.contact.region or turn.config.get("DEFAULT_REGION")
    text = estimate_text.for_place(turn.t, result, turn.library, turn.region, place, turn.local_today)
    prompt = turn._("Reply with your county's name to use its figures.")
    asks_place = turn.contact.region_status not in (REGION_SET, REGION_SKIPPED) and "place" not in facts
    if (
        asks_place
        and segments.segments(f"{text}\n{prompt}", turn.config.get("SMS_SIGNATURE", "")) <= turn.config["SMS_MAX_PARTS"]
    ):
        text += "\n" + prompt
    lead = []
    if changed and data.get("done"):
        lead.append(turn._("Worked out again with %(changes)s.", changes=turn.t.join(changed)))
    text = "\n".join([*lead, *notes, text])
    if not data.get("other"):  # a spouse's or parent's age is not the farmer's own
        contact["birth_year"] = facts.get("birth_year") or turn.local_today.year - facts["age"]
    data["done"] = True
    return Outcome(text, "estimate", state=("estimate", "done", data), contact=contact)


def _changes(turn: Turn, before: dict | None, facts: dict) -> list[str]:
    """What a message changed in an estimate already given, as the farmer would say it."""
    if before is None:
        return []
    keys = [k for k in ("place", "age", "grade", "years_paid", "balance", "collective") if facts.get(k) != before.get(k)]
    return [_describe(turn, key, facts[key]) for key in keys if key in facts]


def _ask_or_answer(turn: Turn, data: dict, notes: list[str], contact: dict, before=None) -> Outcome:
    wrong, problem = _check(turn, data["facts"], before)
    if wrong == "years_paid":
        data["asked_years"] = False  # ask again rather than take none
    changed = _changes(turn, before, data["facts"])

    field = _missing(data["facts"], data)
    if field is None:
        return _answer(turn, data, ([problem] if problem else []) + notes, changed, contact)
    if field == "years_paid":
        data["asked_years"] = True
    text = _question(turn, field)
    if problem:  # a re-prompt also says how to leave
        text = f"{problem}\n{text}{turn._(' (MENU to leave)')}"
    text = "\n".join([*notes, text])
    return Outcome(text, "estimate", state=("estimate", field, data), ask_region=False, contact=contact)


def start(turn: Turn) -> Outcome:
    """Begin an estimate with whatever the message already says."""
    if turn.region is None:
        return Outcome(turn._("No region figures are loaded yet. Please call %(hotline)s.", hotline=turn.hotline), "estimate")
    data = {"facts": {}}
    reading = read(turn.text, turn.local_today.year)
    if reading.subject == "other":
        data.update(other=True, who=reading.who)
    if turn.contact.region and turn.contact.region_status == REGION_SET:
        data["facts"]["place"] = turn.contact.region  # the place the farmer gave before: its figures answer
    return _take(turn, data, reading, turn.library.find_places(turn.text))


def _grade_named(turn: Turn, reading: Reading) -> int | None:
    grades = turn.region.pension.grades
    if reading.grade_word == "lowest":
        return int(grades[0].amount)
    if reading.grade_word == "highest":
        return int(grades[-1].amount)
    return None


def _take(turn: Turn, data: dict, reading: Reading, places) -> Outcome:
    """Add what the message says to the facts (a correction replaces), then ask for the rest or answer."""
    facts, notes, contact = data.setdefault("facts", {}), [], {}
    before = dict(facts) if data.get("done") else None
    values = dict(reading.facts)
    other = reading.subject == "other"
    someone_else = other != bool(data.get("other")) or (other and reading.who != data.get("who"))
    if reading.subject and "age" in values and facts.get("age") and someone_else:
        place = facts.get("place")  # another person: only the household's place carries over
        facts.clear()
        facts.update({"place": place} if place else {})
        data.update(other=other, who=reading.who, done=False, asked_years=False)
        before = None
    if "age" in reading.approximate:  # 四十来岁: ask the exact age rather than guess
        approximate = values.pop("age")
        notes.append(turn._("About %(age)s: please reply with the exact age.", age=approximate))
    if places is not None and places.codes:
        if len(places.codes) > 1:
            data["codes"] = places.codes[:9]
            return Outcome(turn.place_choice(places.codes[:9]), "estimate", state=("estimate", "place", data), ask_region=False)
        notes += _set_place(turn, data, places.codes[0], contact)
    grade = _grade_named(turn, reading)
    if grade is not None:
        values["grade"] = grade
    if "age" in values and "birth_year" not in values:
        facts.pop("birth_year", None)
    if "grade" in values and data.get("done") and facts.get("years_paid") and "past_grade" not in facts:
        facts["past_grade"] = facts["grade"]  # the years already paid stay at the old grade
    for key in MONEY_FACTS:
        if key in values:
            values[key] = str(values[key])
    facts.update(values)
    if reading.pay_until:
        notes.append(_pay_until_note(turn))
    return _ask_or_answer(turn, data, notes, contact, before)


def _set_place(turn: Turn, data: dict, code: str, contact: dict) -> list[str]:
    """The place named: its figures from now on; a grade it does not offer is asked again."""
    facts = data["facts"]
    if facts.get("place") == code:
        return []
    facts["place"] = code
    turn.contact.region = code
    contact.update(region=code, region_status=REGION_SET)
    notes = [turn._("Place set: %(place)s.", place=turn.library.basis_label(code, turn.locale))]
    if turn.region is not None and "grade" in facts and turn.region.pension.grade(Decimal(facts["grade"])) is None:
        notes.append(turn._("%(place)s has no grade of %(amount)s.", place=turn.library.place_label(code, turn.locale),
                            amount=turn.t.money(Decimal(facts.pop("grade")))))  # fmt: skip
        facts.pop("past_grade", None)
    return notes


def _pay_until_note(turn: Turn) -> str:
    p = turn.region.pension
    return turn._(
        "Contributions stop at %(claim)s, when the pension starts; only someone still short of %(min)s years may pay on where the region allows it.",
        claim=p.claim_age,
        min=p.min_years,
    )


def _lone_number(turn: Turn, reading: Reading, step: str):
    """A message that is one number: a grade of this place wherever it fits, else what the step makes of it."""
    number, year = reading.number, turn.local_today.year
    if number is None or set(reading.facts) - {"age", "birth_year", "years_paid", "grade"}:
        return
    grades = {int(g.amount) for g in turn.region.pension.grades}
    if number in grades and number >= 100 and step != "grade":
        reading.facts.clear()
        reading.facts["grade"] = number  # 三百六 when the years were asked: the grade, given late
    elif step == "done" and not reading.facts:
        if 1900 <= number <= year:
            reading.facts.update(birth_year=number, age=year - number)
        elif 16 <= number <= 100 and (reading.correction or reading.what_if):
            reading.facts["age"] = number
        elif number >= 100:
            reading.facts["grade"] = number  # not offered here: the farmer is told which are


def _for_estimate(turn: Turn, reading: Reading, places, asking: str | None) -> bool:
    """Whether a message speaks to the estimate, rather than asking about another topic in passing."""
    if places is not None and places.codes and (places.only_place or reading or not _asks_a_topic(turn)):
        return True  # 哦 忘说了俺是河北邯郸的
    if asking == "years_paid" and reading.answer in NO_WORDS:
        return True
    if not reading:
        return False
    if asking in reading.facts or (asking in (None, "grade") and reading.grade_word):
        return True
    if asking and set(reading.facts) & set(FIELDS) and not QUESTION.search(turn.text):
        return True  # another of the estimate's facts, given before it was asked
    if any(key in reading.facts for key in ("balance", "collective", "past_grade")) or reading.pay_until:
        return True
    if reading.correction or reading.what_if:
        return True
    return not _asks_a_topic(turn)


def _asks_a_topic(turn: Turn) -> bool:
    """Whether the message asks about another topic (医保呢, 16岁能交不) rather than giving the estimate a fact."""
    return turn.library.matcher.route(turn.text).intent not in ("estimate", "unknown", "menu")


def resume(turn: Turn) -> Outcome | None:
    """An answer to the open question, a correction, a what-if or ALL; None lets another question through."""
    step, data = turn.state["step"], turn.state_data()
    text = turn.text.strip()
    if text.lower() in CANCEL_WORDS or (step in ("age", "grade") and text == "0"):  # 0 means back, as in the menus
        return Outcome(turn._("All right, the estimate is closed."), "menu", follow="menu")
    if turn.region is None:
        return None
    if step == "done" and text.lower() in ALL_WORDS:
        text = estimate_text.every_grade(turn.t, _result(turn, data["facts"]), today=turn.local_today)
        return Outcome(text, "estimate", state=("estimate", "done", data))
    if step == "place":
        number, codes = parse_choice(text), data.pop("codes", [])
        if number is not None and 1 <= number <= len(codes):
            contact: dict = {}
            before = dict(data["facts"]) if data.get("done") else None
            notes = _set_place(turn, data, codes[number - 1], contact)
            return _ask_or_answer(turn, data, notes, contact, before)
    asking = step if step in FIELDS else None
    reading = read(text, turn.local_today.year, asking)
    _lone_number(turn, reading, step)
    places = turn.library.find_places(text)
    if _for_estimate(turn, reading, places, asking):
        if asking == "years_paid" and reading.answer in NO_WORDS and "years_paid" not in reading.facts:
            reading.facts["years_paid"] = 0
        if asking == "years_paid" and "years_paid" not in reading.facts:
            data["asked_years"] = False  # the years are still to be answered
        return _take(turn, data, reading, places)
    if step == "done" or len(text) > 8 or _asks_a_topic(turn):
        return None  # another question, or something to log for staff; the dialogue stays open
    question = _question(turn, asking) if asking else ""
    return Outcome(
        turn._("Sorry, I did not understand.") + "\n" + question + turn._(" (MENU to leave)"),
        "estimate",
        state=("estimate", step, data),
        ask_region=False,
    )

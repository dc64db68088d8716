"""What a farmer's message says about their age, birth year, grade and years paid (pure, no Flask).

One parser serves the estimate dialogue and the intent matcher's number signals, so both read
"我45岁，每年交500，60岁能领多少" the same way: 45 is the age, 60 the claim age, 500 the grade.
"""

import re

from .numerals import to_arabic

# "到60岁", "满60岁": the age the farmer asks about, not the age they are.
_TARGET_BEFORE = re.compile(r"(到|满|等到|到了|过了|至)\s*$")
_TARGET_AFTER = re.compile(r"^\s*(以后|之后|后|时|的时候|能领|可以领|开始|退休|领|每月|每个月)")
_AGE_WITH_UNIT = re.compile(r"(?<!\d)(\d{2,3})\s*(?:岁|周岁)")
_AGE_OTHER = re.compile(
    r"\bi\s*(?:am|'m)\s*(\d{2,3})\b"  # i am 52
    r"|\bim\s*(\d{2})\b"  # im 52
    r"|\b(\d{2,3})\s*(?:years?|yrs?)\s*old"  # 52 years old
    r"|\baged?\s*(\d{2,3})\b"  # aged 52
    r"|\b(?:mum|mom|dad|father|mother|wife|husband|he|she)\s+is\s+(\d{2})\b"  # my mum is 50
    r"|今年\s*(\d{2})(?![\d年岁])"  # 我今年45
    r"|^我?(\d{2})(?=了|,|\s(?!years?|yrs?|年))"  # 我45, ...
    r"|(?<![\d年])([1-9]\d)\s*了(?!年)"  # 老伴56了
)
_BIRTH = re.compile(r"((?:19|20)\d\d)\s*年?\s*(?:生|出生|的)|born\s*(?:in\s*)?((?:19|20)\d\d)")
_SHORT_BIRTH = re.compile(r"(?<!\d)([4-9]\d)\s*年\s*(?:生|出生|的)")  # 八三年的 -> 1983
_YEARS = re.compile(
    r"(?:交|缴|paid|pay|paying)\s*(?:了|过|for)?\s*(\d{1,2})\s*(?:年|years?|yrs?)"
    r"|已交\s*(\d{1,2})\s*年"
    r"|(?<!\d)(\d{1,2})\s*年了"
    r"|(\d{1,2})\s*(?:years?|yrs?)\s*(?:paid|already|so far|of paying)"
)
_GRADE = re.compile(
    r"(\d{3,5})\s*(?:元|块|档|的档|yuan|rmb|a year|per year)"
    r"|(?:交|缴|pay|paying|选|grade|at)\s*(?:了)?\s*(\d{3,5})(?!\s*(?:年|岁|years?|yrs?))"
)


def _first(match: re.Match | None) -> int | None:
    return int(next(g for g in match.groups() if g)) if match else None


def age_of(text: str) -> int | None:
    """The farmer's own age: '45岁' counts, '到60岁' and '60岁以后' are the claim age and do not."""
    for match in _AGE_WITH_UNIT.finditer(text):
        if not (_TARGET_BEFORE.search(text[: match.start()]) or _TARGET_AFTER.match(text[match.end() :])):
            return int(match.group(1))
    return _first(_AGE_OTHER.search(text))


def birth_year_of(text: str) -> int | None:
    """A birth year written as 1980年生, 八三年的 or born in 1980."""
    full = _first(_BIRTH.search(text))
    if full:
        return full
    short = _first(_SHORT_BIRTH.search(text))
    return 1900 + short if short else None


def read_inputs(text: str, this_year: int) -> dict:
    """Age (or birth year), grade and years paid named in a message; only what is there."""
    text = to_arabic(text).lower()
    found = {}
    birth = birth_year_of(text)
    if birth:
        found["birth_year"] = birth
    age = age_of(text)
    if age is not None:
        found["age"] = age
    elif birth:
        found["age"] = this_year - birth
    for key, pattern in (("years_paid", _YEARS), ("grade", _GRADE)):
        value = _first(pattern.search(text))
        if value is not None:
            found[key] = value
    return found

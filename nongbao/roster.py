"""Village rosters as staff keep them: a CSV with a header row, read and checked row by row (pure).

Columns: phone (required), place (a region code or a place name), village, birth_year, birth_month,
enrolled (yes/no), paid_year, pensioner (yes/no), check_month, locale. A bad row is reported with
its line number, and nothing of the file is imported.
"""

import csv
import io
from dataclasses import dataclass

from . import places
from .i18n import supported
from .privacy import normalize_address

COLUMNS = (
    "phone",
    "place",
    "village",
    "birth_year",
    "birth_month",
    "enrolled",
    "paid_year",
    "pensioner",
    "check_month",
    "locale",
)
YES = {"yes", "y", "1", "true", "是", "已", "有", "参保", "已参保"}
NO = {"no", "n", "0", "false", "否", "未", "没有", "无", "未参保"}


@dataclass
class RosterError(ValueError):
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


def _whole(value: str, column: str, line: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise RosterError(line, column, f"must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise RosterError(line, column, f"must be between {low} and {high}")
    return number


def _yes_no(value: str, column: str, line: int) -> int:
    folded = value.strip().lower()
    if folded in YES:
        return 1
    if folded in NO:
        return 0
    raise RosterError(line, column, f"must be yes or no, not {value!r}")


def _place(value: str, line: int) -> str:
    if value.isdigit() and places.is_place(value):
        return value
    hit = places.find(value)
    if hit is None or not hit.candidates:
        raise RosterError(line, "place", f"{value!r} is no place of China we know")
    if len(hit.candidates) > 1:
        names = ", ".join(f"{p.code} {places.full_name(p.code)}" for p in hit.candidates[:5])
        raise RosterError(line, "place", f"{value!r} could be several places: write the code ({names})")
    return hit.candidates[0].code


def read(text: str, this_year: int) -> list[dict]:
    """The rows of a roster, checked; raises RosterError naming the first bad line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "phone" not in header:
        raise RosterError(1, "phone", "the header row must name a phone column")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise RosterError(1, unknown[0], f"unknown column; known: {', '.join(COLUMNS)}")
    rows, seen = [], {}
    for line, raw in enumerate(reader, start=2):
        values = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        rows.append(_row(values, line, this_year, seen))
    return rows


def _row(values: dict, line: int, this_year: int, seen: dict) -> dict:
    phone = normalize_address(values.get("phone", ""))
    if not phone.startswith("+") or not phone[1:].isdigit() or len(phone) < 8:
        raise RosterError(line, "phone", f"{values.get('phone')!r} is not a phone number")
    if phone in seen:
        raise RosterError(line, "phone", f"the same number is on line {seen[phone]}")
    seen[phone] = line
    row = {"phone": phone}
    if values.get("place"):
        row["region"] = _place(values["place"], line)
    if values.get("village"):
        row["village"] = values["village"][:100]
    checks = {"birth_year": (this_year - 110, this_year - 16), "birth_month": (1, 12), "paid_year": (2009, this_year + 1),
              "check_month": (1, 12)}  # fmt: skip
    for column, (low, high) in checks.items():
        if values.get(column):
            row[column] = _whole(values[column], column, line, low, high)
    for column in ("enrolled", "pensioner"):
        if values.get(column):
            row[column] = _yes_no(values[column], column, line)
    if values.get("locale"):
        locale = supported(values["locale"])
        if locale is None:
            raise RosterError(line, "locale", "must be zh-Hans or en")
        row["locale"] = locale
    return row

"""Region policy files: validation that names the file and key, and parent inheritance."""

import copy
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from . import yamlfiles

DEFAULT_HOTLINE = "12333"
DEFAULT_TIMEZONE = "Asia/Shanghai"


class RegionError(ValueError):
    """A region file that cannot be loaded; says which file and which key."""

    def __init__(self, source: str, key: str, message: str):
        super().__init__(f"{source}: {key}: {message}")
        self.source, self.key, self.message = source, key, message


# Expected shape: a type name per leaf, a dict for mappings, ["grade"] for the grade list.
MONEY, INT, BOOL, TEXT, MONTH_DAY, RATE = "money", "int", "bool", "text", "month_day", "rate"
LOCALIZED = {"zh-Hans": TEXT, "en": TEXT}
WINDOW = {"start": MONTH_DAY, "end": MONTH_DAY}
GRADE = {"amount": MONEY, "subsidy": MONEY}
SCHEMA = {
    "code": TEXT,
    "name": LOCALIZED,
    "parent": TEXT,
    "pension": {
        "year": INT,
        "claim_age": INT,
        "min_years": INT,
        "divisor": INT,
        "interest_rate": RATE,
        "basic_pension": {"central": MONEY, "local": MONEY},
        "long_service": {"after_years": INT, "per_year": MONEY},
        "grades": [GRADE],
        "hardship_grade": {"amount": MONEY, "subsidy": MONEY, "paid_by_government": [TEXT]},
        "window": WINDOW,
        "catchup": {"arrears_allowed": BOOL, "arrears_subsidized": BOOL, "pay_past_claim_age": BOOL},
    },
    "medical": {"year": INT, "individual": MONEY, "subsidy": MONEY, "window": WINDOW},
    "contact": {"hotline": TEXT, "office": LOCALIZED},
    "timezone": TEXT,
}
REQUIRED = {
    "": ["code", "name", "pension"],
    "pension": ["year", "claim_age", "min_years", "divisor", "interest_rate", "basic_pension",
                "grades", "window"],
    "pension.basic_pension": ["central", "local"],
    "pension.window": ["start", "end"],
    "medical": ["year", "individual", "subsidy"],
}  # fmt: skip
NOT_INHERITED = ("code", "name", "parent")


def _check_leaf(kind: str, value, source: str, key: str):
    """The leaf value in canonical form (Decimal as string, int, bool, str) or a RegionError."""
    if kind in (MONEY, RATE):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise RegionError(source, key, "must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise RegionError(source, key, f"must be a number, not {value!r}") from None
        if not number.is_finite():
            raise RegionError(source, key, "must be a finite number")
        if number < 0:
            raise RegionError(source, key, f"must not be negative ({value})")
        if kind == RATE and number >= 1:
            raise RegionError(source, key, "is a yearly rate such as 0.015, not a percentage")
        return str(number)
    if kind == INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RegionError(source, key, "must be a whole number")
        if value < 0:
            raise RegionError(source, key, f"must not be negative ({value})")
        return value
    if kind == BOOL:
        if not isinstance(value, bool):
            raise RegionError(source, key, "must be true or false")
        return value
    if kind == MONTH_DAY:
        if not isinstance(value, str) or not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", value):
            raise RegionError(source, key, 'must be a month and day such as "09-01"')
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key.endswith(("code", "parent", "hotline")):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise RegionError(source, key, "must be a non-empty text")
    return value.strip()


def _check(shape, value, source: str, key: str):
    """Recursively check value against shape, returning the canonical copy."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise RegionError(source, key or "(file)", "must be a mapping")
        result = {}
        for name, item in value.items():
            path = f"{key}.{name}" if key else str(name)
            if name not in shape:
                raise RegionError(source, path, "unknown key")
            result[name] = None if item is None and name == "parent" else _check(shape[name], item, source, path)
        return result
    if isinstance(shape, list):
        if not isinstance(value, list):
            raise RegionError(source, key, "must be a list")
        return [_check(shape[0], item, source, f"{key}[{i}]") for i, item in enumerate(value)]
    return _check_leaf(shape, value, source, key)


def _check_grades(policy: dict, source: str):
    grades = policy.get("pension", {}).get("grades")
    if grades is None:
        return
    if not grades:
        raise RegionError(source, "pension.grades", "must list at least one grade")
    seen = set()
    for i, grade in enumerate(grades):
        key = f"pension.grades[{i}]"
        for field in ("amount", "subsidy"):
            if field not in grade:
                raise RegionError(source, f"{key}.{field}", "missing required key")
        amount = Decimal(grade["amount"])
        if amount in seen:
            raise RegionError(source, f"{key}.amount", f"grade {grade['amount']} is listed twice")
        seen.add(amount)
        if i and amount <= Decimal(grades[i - 1]["amount"]):
            raise RegionError(source, f"{key}.amount", "grades must rise strictly in amount")
        total, before = amount + Decimal(grade["subsidy"]), grades[i - 1] if i else None
        if before and total < Decimal(before["amount"]) + Decimal(before["subsidy"]):
            raise RegionError(source, f"{key}.subsidy", "amount + subsidy must not fall from one grade to the next")


def validate(data, source: str) -> dict:
    """One region file's own values, checked and canonical; raises RegionError naming file and key."""
    if not isinstance(data, dict):
        raise RegionError(source, "(file)", "must be a YAML mapping of a region")
    region = _check(SCHEMA, data, source, "")
    for field in ("code", "name"):
        if field not in region:
            raise RegionError(source, field, "missing required key")
    if not re.fullmatch(r"\d{6}", region["code"]):
        raise RegionError(source, "code", "must be a six-digit division code such as 130000")
    if "zh-Hans" not in region["name"]:
        raise RegionError(source, "name.zh-Hans", "missing required key")
    if region.get("parent") == region["code"]:
        raise RegionError(source, "parent", "a region cannot be its own parent")
    _check_grades(region, source)
    for key in ("divisor", "claim_age", "year"):
        if region.get("pension", {}).get(key) == 0:
            raise RegionError(source, f"pension.{key}", "must be greater than 0")
    if "timezone" in region:
        try:
            ZoneInfo(region["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise RegionError(source, "timezone", f"unknown time zone {region['timezone']!r}; e.g. Asia/Shanghai") from None
    hardship = region.get("pension", {}).get("hardship_grade")
    if hardship is not None:
        for field in ("amount", "subsidy"):
            if field not in hardship:
                raise RegionError(source, f"pension.hardship_grade.{field}", "missing required key")
    return region


def merge(parent: dict, child: dict) -> dict:
    """Child over parent: mappings merge key by key, lists and leaves are replaced whole."""
    result = copy.deepcopy(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def check_complete(effective: dict, source: str):
    """Raise when the merged policy lacks a key that a region without parent must give."""
    for section, keys in REQUIRED.items():
        node = effective
        for part in filter(None, section.split(".")):
            node = node.get(part)
            if node is None:
                break
        if node is None:
            if section == "medical":
                continue  # medical figures are optional as a whole
            raise RegionError(source, section, "missing required key")
        for key in keys:
            if key not in node:
                raise RegionError(source, f"{section}.{key}" if section else key, "missing required key")
    _check_grades(effective, source)
    pension = effective["pension"]
    hardship = pension.get("hardship_grade")
    if hardship and Decimal(hardship["amount"]) > Decimal(pension["grades"][0]["amount"]):
        raise RegionError(source, "pension.hardship_grade.amount", "must not be above the lowest grade")


def resolve(own: dict[str, dict], sources: dict[str, str] | None = None) -> dict[str, dict]:
    """Effective policy of every region (own values over inherited ones); rejects missing parents and cycles."""
    sources = sources or {}
    effective: dict[str, dict] = {}

    def build(code: str, trail: tuple) -> dict:
        if code in effective:
            return effective[code]
        region, source = own[code], sources.get(code, code)
        parent = region.get("parent")
        if parent in trail + (code,):
            start = sources.get(parent, parent)  # where the walk began: the file being loaded comes first
            raise RegionError(start, "parent", f"parent cycle: {' -> '.join(trail + (code, parent))}")
        base = {}
        if parent:
            if parent not in own:
                raise RegionError(source, "parent", f"parent region {parent} does not exist")
            base = {k: v for k, v in build(parent, trail + (code,)).items() if k not in NOT_INHERITED}
        merged = merge(base, {k: v for k, v in region.items()})
        check_complete(merged, source)
        effective[code] = merged
        return merged

    for code in own:
        build(code, ())
    return effective


def read_file(path: Path) -> dict:
    """Parse and validate one region YAML file."""
    try:
        data = yamlfiles.load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RegionError(str(path), "(file)", f"not valid YAML: {error}") from None
    return validate(data, str(path))


def localized(value, locale: str) -> str:
    """A {zh-Hans, en} mapping read in locale, falling back to Chinese."""
    if isinstance(value, dict):
        return value.get(locale) or value.get("zh-Hans") or next(iter(value.values()), "")
    return value or ""

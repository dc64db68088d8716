"""Region policy files: validation that names the file and key, and parent inheritance."""

import copy
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from . import estimator, yamlfiles
from .estimator import under

DEFAULT_HOTLINE = "12333"
DEFAULT_MEDICAL_HOTLINE = "12393"  # National Healthcare Security Administration
DEFAULT_TAX_HOTLINE = "12366"  # tax bureau, which collects most contributions
DEFAULT_TIMEZONE = estimator.DEFAULT_TIMEZONE  # farmers live in China's one time zone


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
AGE_STEP = {"from_age": INT, "per_month": MONEY}
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
        "catchup": {"arrears_allowed": BOOL, "arrears_subsidized": BOOL, "pay_past_claim_age_until": INT},
        "scheme_start": INT,  # the year the resident pension began there (transitional rule)
        "age_extra": [AGE_STEP],  # yuan a month more from an age on; the highest step reached applies
    },
    "medical": {"year": INT, "individual": MONEY, "subsidy": MONEY, "window": WINDOW},
    "contact": {
        "hotline": TEXT,
        "office": LOCALIZED,
        "medical_hotline": TEXT,
        "medical_office": LOCALIZED,
        "tax_hotline": TEXT,
    },
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
NULLABLE = ("parent", "pension.catchup.pay_past_claim_age_until")  # keys that may be written as null
# Marks on the figures rather than figures: `unconfirmed` (dotted paths of assumed or derived values) and
# `sources` (dotted path -> where the figure comes from, for staff). Inherited by their own rule (marks()).
MARKS = ("unconfirmed", "sources")
RENAMED = {"pension.catchup.pay_past_claim_age": "replaced by pay_past_claim_age_until (an age such as 65, or null)"}
EARLIEST_SCHEME_YEAR, LATEST_YEAR = 1986, 2100  # the first rural pension pilots; anything later is a typing error


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
                raise RegionError(source, path, RENAMED.get(path, "unknown key"))
            result[name] = None if item is None and path in NULLABLE else _check(shape[name], item, source, path)
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


def known_path(path: str) -> bool:
    """Whether a dotted path names a figure or a mapping of the region format (`medical`, `pension.window.start`)."""
    node = SCHEMA
    parts = path.split(".")
    if parts[0] in NOT_INHERITED:
        return False
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _check_marks(data: dict, source: str) -> dict:
    """A file's `unconfirmed` list and `sources` mapping, checked; every path must name a known field."""
    marks = {}
    if data.get("unconfirmed") is not None:
        listed = data["unconfirmed"]
        if not isinstance(listed, list):
            raise RegionError(source, "unconfirmed", "must be a list of dotted paths such as pension.interest_rate")
        paths = []
        for i, path in enumerate(listed):
            if not isinstance(path, str) or not known_path(path.strip()):
                raise RegionError(source, f"unconfirmed[{i}]", f"{path!r} names no field of a region")
            if path.strip() not in paths:
                paths.append(path.strip())
        marks["unconfirmed"] = paths
    if data.get("sources") is not None:
        given = data["sources"]
        if not isinstance(given, dict):
            raise RegionError(source, "sources", "must be a mapping from a dotted path to where the figure comes from")
        sources = {}
        for path, text in given.items():
            if not isinstance(path, str) or not known_path(path.strip()):
                raise RegionError(source, f"sources.{path}", f"{path!r} names no field of a region")
            sources[path.strip()] = _check_leaf(TEXT, text, source, f"sources.{path}")
        marks["sources"] = sources
    return marks


def _check_pension_extras(pension: dict, source: str):
    """scheme_start, age_extra and pay_past_claim_age_until: plausible and in order."""
    start = pension.get("scheme_start")
    if start is not None and not EARLIEST_SCHEME_YEAR <= start <= LATEST_YEAR:
        raise RegionError(source, "pension.scheme_start", f"must be a year such as 2010, not {start}")
    steps = pension.get("age_extra")
    if steps is not None:
        for i, step in enumerate(steps):
            for field in ("from_age", "per_month"):
                if field not in step:
                    raise RegionError(source, f"pension.age_extra[{i}].{field}", "missing required key")
            if step["from_age"] > 120:
                raise RegionError(source, f"pension.age_extra[{i}].from_age", "must be an age")
            if i and step["from_age"] <= steps[i - 1]["from_age"]:
                raise RegionError(source, f"pension.age_extra[{i}].from_age", "steps must rise strictly in from_age")
    until = (pension.get("catchup") or {}).get("pay_past_claim_age_until")
    if until is not None and until > 120:
        raise RegionError(source, "pension.catchup.pay_past_claim_age_until", "must be an age such as 65, or null")


def validate(data, source: str) -> dict:
    """One region file's own values, checked and canonical; raises RegionError naming file and key."""
    if not isinstance(data, dict):
        raise RegionError(source, "(file)", "must be a YAML mapping of a region")
    own_marks = _check_marks(data, source)
    region = _check(SCHEMA, {k: v for k, v in data.items() if k not in MARKS}, source, "")
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
    _check_pension_extras(region.get("pension", {}), source)
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
    return {**region, **own_marks}


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
    until = (pension.get("catchup") or {}).get("pay_past_claim_age_until")
    if until is not None and until < pension["claim_age"]:
        raise RegionError(source, "pension.catchup.pay_past_claim_age_until", "must not be below claim_age")


def set_paths(own: dict, prefix: str = "") -> set[str]:
    """The dotted paths of the values a region file sets itself (mappings merge, so their leaves; lists whole)."""
    paths = set()
    for key, value in own.items():
        if not prefix and key in NOT_INHERITED + MARKS:
            continue
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            paths |= set_paths(value, path)
        else:
            paths.add(path)
    return paths


def _value_at(effective: dict, path: str):
    node = effective
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _inherit(marked: dict, own_paths: set[str], merged: dict) -> dict:
    """An ancestor's marks that still apply: those under a value set here drop; a marked mapping that is
    partly set here stays marked on the keys it still inherits."""
    kept = {}

    def keep(path: str, mark):
        if any(under(path, own) for own in own_paths):
            return  # set here: the ancestor's mark no longer applies
        if not any(under(own, path) for own in own_paths):
            kept[path] = mark
            return
        node = _value_at(merged, path)
        for key in node if isinstance(node, dict) else ():
            keep(f"{path}.{key}", mark)

    for path, mark in marked.items():
        keep(path, mark)
    return kept


def marks(parent: dict | None, own: dict, merged: dict) -> tuple[list[str], dict[str, str]]:
    """A region's effective `unconfirmed` list and `sources` (regions.md).

    parent: the parent's effective policy with its own marks (None for a region without parent);
    own: the region's own values and marks; merged: its effective values. A place's marks are its
    own plus its ancestors' marks on values it inherits. A `catchup` that no file on the chain writes
    (the loader's default) and a `scheme_start` inherited from a parent count as unconfirmed
    (estimator.md rules 13 and 14).
    """
    parent = parent or {}
    own_paths = set_paths(own)
    inherited = _inherit(dict.fromkeys(parent.get("unconfirmed") or [], True), own_paths, merged)
    unconfirmed = set(own.get("unconfirmed") or []) | set(inherited)
    pension = merged.get("pension") or {}
    if "catchup" not in pension:
        unconfirmed.add("pension.catchup")
    if "scheme_start" in pension and "scheme_start" not in (own.get("pension") or {}):
        unconfirmed.add("pension.scheme_start")
    sources = {**_inherit(parent.get("sources") or {}, own_paths, merged), **(own.get("sources") or {})}
    return sorted(unconfirmed), dict(sorted(sources.items()))


def chain_marks(chain: list[dict]) -> tuple[list[str], dict[str, str]]:
    """The effective `unconfirmed` list and `sources` of the last region of a chain of own values, root first."""
    effective = None
    for own in chain:
        base = {k: v for k, v in (effective or {}).items() if k not in NOT_INHERITED + MARKS}
        merged = merge(base, {k: v for k, v in own.items() if k not in MARKS})
        merged["unconfirmed"], merged["sources"] = marks(effective, own, merged)
        effective = merged
    return (effective or {}).get("unconfirmed", []), (effective or {}).get("sources", {})


def as_inherited(effective: dict) -> dict:
    """A region's effective policy as a place without a file of its own inherits it (a county answered
    on its province): the same values, with the marks of inherited values (an inherited scheme_start)."""
    values = {k: v for k, v in effective.items() if k not in MARKS}
    result = copy.deepcopy(values)
    result["unconfirmed"], result["sources"] = marks(effective, {}, values)
    return result


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
        base, above = {}, None
        if parent:
            if parent not in own:
                raise RegionError(source, "parent", f"parent region {parent} does not exist")
            above = build(parent, trail + (code,))
            base = {k: v for k, v in above.items() if k not in NOT_INHERITED + MARKS}
        merged = merge(base, {k: v for k, v in region.items() if k not in MARKS})
        check_complete(merged, source)
        merged["unconfirmed"], merged["sources"] = marks(above, region, merged)
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

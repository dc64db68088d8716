"""Topic texts and their placeholders: checked when saved, filled from the region's policy when sent."""

import datetime
import re
import string
from decimal import Decimal
from pathlib import Path

import yaml

from . import segments, yamlfiles
from .estimator import CATCHUP_DEFAULTS, under
from .i18n import LOCALES, N_, Translator
from .intents import INTENTS, KNOWLEDGE_TOPICS
from .places import ROOT  # the national root: its figures are minimums that provinces raise
from .regions import DEFAULT_HOTLINE, DEFAULT_MEDICAL_HOTLINE, DEFAULT_TAX_HOTLINE, localized


class ContentError(ValueError):
    """A content file or text that cannot be saved; says where."""

    def __init__(self, source: str, key: str, message: str):
        super().__init__(f"{source}: {key}: {message}")
        self.source, self.key, self.message = source, key, message


def _pension(policy: dict, *keys):
    node = policy.get("pension") or {}
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _medical(policy: dict, key: str):
    return (policy.get("medical") or {}).get(key)


def _window(t: Translator, window: dict | None) -> str | None:
    if not window:
        return None
    return t._("%(start)s to %(end)s", start=t.month_day(window["start"]), end=t.month_day(window["end"]))


def _grades(t: Translator, policy: dict) -> str | None:
    """The grades grouped by subsidy, so that eleven grades still fit an SMS."""
    grades = _pension(policy, "grades")
    if not grades:
        return None
    groups: list[tuple[str, list]] = []
    for grade in grades:
        if groups and Decimal(groups[-1][0]) == Decimal(grade["subsidy"]):
            groups[-1][1].append(grade["amount"])
        else:
            groups.append((grade["subsidy"], [grade["amount"]]))
    items = [
        t._("%(amount)s (subsidy %(subsidy)s)", amount=t.money_list(amounts), subsidy=t.money(subsidy))
        for subsidy, amounts in groups
    ]
    listed = ("；" if t.locale == "zh-Hans" else "; ").join(items)
    if len(groups) <= GRADE_GROUPS_LISTED:
        return listed
    subsidies = [Decimal(g["subsidy"]) for g in grades]  # too many to list in an SMS: the range
    return t._(
        "%(count)s grades from %(low)s to %(high)s a year, subsidy %(smin)s to %(smax)s",
        count=len(grades), low=t.money(grades[0]["amount"]), high=t.money(grades[-1]["amount"]),
        smin=t.money(min(subsidies)), smax=t.money(max(subsidies)),
    )  # fmt: skip


GRADE_GROUPS_LISTED = 4  # more subsidy steps than this are shown as a range


def _long_service(t: Translator, policy: dict) -> str:
    rule = _pension(policy, "long_service")
    if not rule or not Decimal(rule.get("per_year", 0)):
        return t._(
            "Whether long contribution earns extra basic pension here: ask the local office or %(hotline)s.",
            hotline=_hotline(policy),
        )
    return t._(
        "For each year paid beyond %(after)s years, the basic pension rises by %(amount)s a month.",
        after=rule["after_years"],
        amount=t.money(rule["per_year"]),
    )


def _hardship(t: Translator, policy: dict) -> str:
    hardship = _pension(policy, "hardship_grade")
    if not hardship:
        return t._(
            "Which groups the government pays for, and how much: ask the local office or %(hotline)s.", hotline=_hotline(policy)
        )
    groups = [t._(GROUP_NAMES.get(g, g)) for g in hardship.get("paid_by_government", [])]
    return t._(
        "For %(groups)s the government pays the %(amount)s grade in part or in full.",
        groups=t.join(groups) if groups else t._("hard-up groups"),
        amount=t.money(hardship["amount"]),
    )


def _catchup(t: Translator, policy: dict) -> str:
    """The region's back-payment rule; a region that publishes none gets the usual practice, hedged."""
    if not _pension(policy, "catchup"):
        return t._("Most places let you pay back missed years, usually without a government subsidy.")
    rule = {**CATCHUP_DEFAULTS, **_pension(policy, "catchup")}
    parts = [
        t._("Missed years can be paid back.") if rule["arrears_allowed"] else t._("Missed years cannot be paid back here."),
    ]
    if rule["arrears_allowed"]:
        parts.append(
            t._("Back-paid years get a government subsidy.")
            if rule["arrears_subsidized"]
            else t._("Back-paid years get no government subsidy.")
        )
    if rule.get("pay_past_claim_age_until"):
        parts.append(t._("Those short of the minimum years may keep paying until %(age)s.", age=rule["pay_past_claim_age_until"]))
    return t.sentences(parts)


def _hotline(policy: dict) -> str:
    return (policy.get("contact") or {}).get("hotline") or DEFAULT_HOTLINE


def _contact(policy: dict, key: str, default: str) -> str:
    return (policy.get("contact") or {}).get(key) or default


# What {office} and {medical_office} say where a region names no office of its own. English stays
# plain ASCII (one non-ASCII character would turn the whole SMS into the 67-character encoding).
OFFICE_DEFAULTS = {
    "office": {"zh-Hans": "当地社保局", "en": "the local social insurance office"},
    "medical_office": {"zh-Hans": "当地医保局", "en": "the local medical insurance bureau (yibaoju)"},
}


def _office(key: str):
    def render(t: Translator, policy: dict) -> str:
        own = localized((policy.get("contact") or {}).get(key), t.locale)
        return own or OFFICE_DEFAULTS[key].get(t.locale) or OFFICE_DEFAULTS[key]["zh-Hans"]

    return render


GROUP_NAMES = {
    "dibao": N_("dibao recipients"),
    "tekun": N_("the extremely poor (tekun)"),
    "severe_disability": N_("the severely disabled"),
    "low_income": N_("low-income families"),
    "poverty_relapse": N_("families at risk of falling back into poverty"),
}


def _money_or_none(t: Translator, value) -> str | None:
    return None if value is None else t.money(value)


PLACEHOLDERS = {
    "region_name": lambda t, p: localized(p.get("name"), t.locale) or None,
    "pension_year": lambda t, p: _pension(p, "year") and str(_pension(p, "year")),
    "grades": _grades,
    "grade_min": lambda t, p: _pension(p, "grades") and t.money(_pension(p, "grades")[0]["amount"]),
    "grade_max": lambda t, p: _pension(p, "grades") and t.money(_pension(p, "grades")[-1]["amount"]),
    "subsidy_min": lambda t, p: _pension(p, "grades") and t.money(min(Decimal(g["subsidy"]) for g in _pension(p, "grades"))),
    "subsidy_max": lambda t, p: _pension(p, "grades") and t.money(max(Decimal(g["subsidy"]) for g in _pension(p, "grades"))),
    "basic_pension": lambda t, p: (
        _pension(p, "basic_pension")
        and t.money(Decimal(_pension(p, "basic_pension")["central"]) + Decimal(_pension(p, "basic_pension")["local"]))
    ),
    "basic_central": lambda t, p: _money_or_none(t, _pension(p, "basic_pension", "central")),
    "basic_local": lambda t, p: _money_or_none(t, _pension(p, "basic_pension", "local")),
    "long_service": _long_service,
    "claim_age": lambda t, p: _pension(p, "claim_age") and str(_pension(p, "claim_age")),
    "min_years": lambda t, p: _pension(p, "min_years") and str(_pension(p, "min_years")),
    "divisor": lambda t, p: _pension(p, "divisor") and str(_pension(p, "divisor")),
    "interest_rate": lambda t, p: _pension(p, "interest_rate") and t.percent(_pension(p, "interest_rate")),
    "pension_window": lambda t, p: _window(t, _pension(p, "window")),
    "hardship": _hardship,
    "catchup": _catchup,
    "medical_year": lambda t, p: _medical(p, "year") and str(_medical(p, "year")),
    "medical_individual": lambda t, p: _money_or_none(t, _medical(p, "individual")),
    "medical_subsidy": lambda t, p: _money_or_none(t, _medical(p, "subsidy")),
    "medical_window": lambda t, p: _window(t, _medical(p, "window")),
    "hotline": lambda t, p: _hotline(p),
    "office": _office("office"),
    "medical_hotline": lambda t, p: _contact(p, "medical_hotline", DEFAULT_MEDICAL_HOTLINE),
    "tax_hotline": lambda t, p: _contact(p, "tax_hotline", DEFAULT_TAX_HOTLINE),
    "medical_office": _office("medical_office"),
}


SENSITIVE_WORDS = ("身份证号", "银行卡号", "卡号", "id number", "card number", "bank account number")


def check_template(text: str, source: str, key: str, allowed=None):
    """Reject anything but plain {name} placeholders from the allowed list (no attributes, formats or links)."""
    allowed = PLACEHOLDERS if allowed is None else allowed
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError as error:
        raise ContentError(source, key, f"unbalanced braces: {error}") from None
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if spec or conversion or name not in allowed:
            raise ContentError(source, key, f"unknown placeholder {{{name}}}; allowed: {', '.join(sorted(allowed))}")
    lowered = text.lower()
    if "http" in lowered or "www." in lowered or ".com" in lowered or ".cn" in lowered:
        raise ContentError(source, key, "answers must not contain links")
    if any(word in lowered for word in SENSITIVE_WORDS):
        raise ContentError(source, key, "the service never asks for identity or bank card numbers")


# The figure each placeholder shows, as a dotted path of the region format (for unconfirmed marks and years).
FIGURE_PATHS = {
    "grades": "pension.grades", "grade_min": "pension.grades", "grade_max": "pension.grades",
    "subsidy_min": "pension.grades", "subsidy_max": "pension.grades", "basic_pension": "pension.basic_pension",
    "basic_central": "pension.basic_pension.central", "basic_local": "pension.basic_pension.local",
    "long_service": "pension.long_service", "interest_rate": "pension.interest_rate", "pension_window": "pension.window",
    "hardship": "pension.hardship_grade", "catchup": "pension.catchup", "claim_age": "pension.claim_age",
    "min_years": "pension.min_years", "divisor": "pension.divisor", "medical_individual": "medical.individual",
    "medical_subsidy": "medical.subsidy", "medical_window": "medical.window",
}  # fmt: skip
SENTENCES = {"long_service", "hardship", "catchup"}  # placeholders that are whole sentences: marked by the note only
_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+")


def is_unconfirmed(path: str, marks) -> bool:
    """Whether a figure is assumed or derived: marked itself, or within a marked mapping, or holding a marked part."""
    return any(under(path, m) or under(m, path) for m in marks or ())


def _subject(name: str) -> str:
    return "medical" if name.startswith("medical_") else "pension"


def render(text: str, policy: dict, t: Translator, today: datetime.date | None = None) -> str:
    """Fill the placeholders from the region's policy, honestly.

    An unconfirmed figure reads 约… with one "check locally" note for the reply; a figure whose
    policy year is behind `today` says its year; a sentence whose figure the region lacks is left
    out, and one clean sentence points to the office for its subject instead.
    """
    marks, values, missing, hedged, dated = policy.get("unconfirmed") or [], {}, [], False, set()
    for _literal, name, _spec, _conv in string.Formatter().parse(text):
        if not name or name in values:
            continue
        value = PLACEHOLDERS[name](t, policy)
        path = FIGURE_PATHS.get(name)
        if value is None or value == "":
            missing.append(name)
            continue
        if path and is_unconfirmed(path, marks):
            hedged = True
            value = value if name in SENTENCES else _about(t, value)
        if path and today is not None:
            year = (policy.get(path.split(".")[0]) or {}).get("year")
            if isinstance(year, int) and year < today.year:
                dated.add((path.split(".")[0], year))
        values[name] = value
    sentences = [s for s in _SENTENCE_END.split(text) if s and s.strip()]
    kept = [s for s in sentences if not any("{" + name + "}" in s for name in missing)]
    body = ("" if t.locale == "zh-Hans" else " ").join(s.strip() for s in kept).format_map(values)
    notes = [_pointer(t, subject, policy) for subject in dict.fromkeys(_subject(n) for n in missing)]
    caveats = [_dated_note(t, subject, year) for subject, year in sorted(dated)]
    if policy.get("code") == ROOT and any(FIGURE_PATHS.get(name) for name in values):
        caveats.insert(0, t._("national minimums, provinces add more"))
    if hedged:
        caveats.append(t._("about: check locally"))
    if caveats:
        notes.append(t._("(%(caveats)s)", caveats=("；" if t.locale == "zh-Hans" else "; ").join(caveats)))
    return _join_sentences(t, [body, *notes])


def figure(name: str, policy: dict, t: Translator) -> str | None:
    """One placeholder's figure on its own (约… when unconfirmed), or None when the region lacks it."""
    value = PLACEHOLDERS[name](t, policy)
    if not value:
        return None
    path = FIGURE_PATHS.get(name)
    return _about(t, value) if path and is_unconfirmed(path, policy.get("unconfirmed")) else value


def _about(t: Translator, value: str) -> str:
    """An assumed or derived figure as farmers read it: 约…, about …."""
    return t._("about %(value)s", value=value)


def _pointer(t: Translator, subject: str, policy: dict) -> str:
    """One sentence that sends the farmer to the right office for figures this place has not published."""
    if subject == "medical":
        office = _office("medical_office")(t, policy)
        return t._("For this place's figures, ask %(office)s or call %(hotline)s.", office=office,
                   hotline=_contact(policy, "medical_hotline", DEFAULT_MEDICAL_HOTLINE))  # fmt: skip
    return t._("For this place's figures, ask %(office)s or call %(hotline)s.", office=_office("office")(t, policy),
               hotline=_hotline(policy))  # fmt: skip


def _dated_note(t: Translator, subject: str, year: int) -> str:
    """A short clause: the year a figure is for, when it is behind this year."""
    if subject == "medical":
        return t._("medical figures for %(year)s", year=year)
    return t._("%(year)s figures, may have risen", year=year)


def _join_sentences(t: Translator, parts: list[str]) -> str:
    return t.sentences([p.strip() for p in parts if p])


def check_fits(topic: dict, source: str, regions: dict, max_parts: int, signature: str):
    """Every body, filled in for every region, must fit the SMS part limit (Chinese with the signature)."""
    for locale, body in topic["body"].items():
        for code, policy in regions.items():
            text = render(body, policy, Translator(locale))
            signed = signature if locale == "zh-Hans" else ""  # English is sent without a Chinese signature
            if segments.segments(text, signed) > max_parts:
                raise ContentError(source, f"body.{locale}", f"takes more than {max_parts} SMS parts for region {code}")


REMINDER_KINDS = ("pension_open", "pension_open_unconfirmed", "pension_close_14", "pension_close_3", "enrollment",
                  "turning_60", "qualification_check", "medical_open", "medical_close", "intro")  # fmt: skip
REMINDER_PLACEHOLDERS = {"region_name", "year", "window_end", "cover_year", "individual", "office", "hotline",
                         "medical_hotline", "claim_age", "birthday_month", "sender", "basis"}  # fmt: skip
OPT_OUT_HINTS = {"zh-Hans": "TD", "en": "STOP"}  # every reminder but the intro says how to stop


def parse_reminder(data, source: str) -> dict:
    """A reminders/<kind>.yaml file checked: kind, a body per shipped locale saying how to stop, an optional template."""
    if not isinstance(data, dict) or set(data) - {"kind", "body", "template"}:
        raise ContentError(source, "(file)", "must hold kind, body and an optional template")
    kind = data.get("kind")
    if kind not in REMINDER_KINDS:
        raise ContentError(source, "kind", f"must be one of {', '.join(REMINDER_KINDS)}")
    body = data.get("body")
    if not isinstance(body, dict) or set(body) != set(LOCALES):
        raise ContentError(source, "body", f"needs exactly the locales {', '.join(LOCALES)}")
    for locale, text in body.items():
        if not isinstance(text, str) or not text.strip():
            raise ContentError(source, f"body.{locale}", "must be a text")
        check_template(text, source, f"body.{locale}", REMINDER_PLACEHOLDERS)
        if kind != "intro" and OPT_OUT_HINTS[locale] not in text:
            raise ContentError(source, f"body.{locale}", f"must say how to stop ({OPT_OUT_HINTS[locale]})")
    template = data.get("template")
    if template is not None and not (isinstance(template, dict) and isinstance(template.get("id"), str)):
        raise ContentError(source, "template", "must be {id: TEXT, params: [names]}")
    return {"kind": kind, "body": {k: v.strip() for k, v in body.items()}, "template": template}


def parse_topic(data, source: str) -> dict:
    """A topic file checked: key, title and body per shipped locale, every body a valid template."""
    if not isinstance(data, dict):
        raise ContentError(source, "(file)", "must be a YAML mapping")
    unknown = set(data) - {"key", "title", "body"}
    if unknown:
        raise ContentError(source, sorted(unknown)[0], "unknown key")
    key = data.get("key")
    if key not in KNOWLEDGE_TOPICS:
        raise ContentError(source, "key", f"{key!r} is not a knowledge topic")
    for part in ("title", "body"):
        value = data.get(part)
        if not isinstance(value, dict):
            raise ContentError(source, part, "must map each locale to a text")
        for locale in LOCALES:
            if not isinstance(value.get(locale), str) or not value[locale].strip():
                raise ContentError(source, f"{part}.{locale}", "missing text")
        for locale, text in value.items():
            if locale not in LOCALES:
                raise ContentError(source, f"{part}.{locale}", "unknown locale")
            check_template(text, source, f"{part}.{locale}")
    return {"key": key, "title": data["title"], "body": {k: v.strip() for k, v in data["body"].items()}}


def parse_vocabulary(data, source: str) -> dict:
    """An intents/<locale>.yaml file checked: synonyms, and keywords and examples per known intent."""
    if not isinstance(data, dict) or data.get("locale") not in LOCALES:
        raise ContentError(source, "locale", f"must be one of {', '.join(LOCALES)}")
    synonyms = data.get("synonyms") or {}
    if not isinstance(synonyms, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in synonyms.items()):
        raise ContentError(source, "synonyms", "must map words to words")
    commands = data.get("commands") or {}
    if not isinstance(commands, dict) or not all(v in INTENTS for v in commands.values()):
        raise ContentError(source, "commands", "must map whole-message words to intents")
    commands = {str(k): v for k, v in commands.items()}
    consent = [k for k, v in commands.items() if v in ("reminders.unsubscribe", "reminders.subscribe")]
    if consent:
        raise ContentError(source, "commands", f"opt-out and opt-in words are fixed by the service, not vocabulary: {consent}")
    sound_alike = data.get("sound_alike") or []
    if not isinstance(sound_alike, list) or not all(isinstance(w, str) and len(w) >= 2 for w in sound_alike):
        raise ContentError(source, "sound_alike", "must be a list of words of two or more characters")
    intents = data.get("intents")
    if not isinstance(intents, dict):
        raise ContentError(source, "intents", "must map intents to keywords and examples")
    for intent, entry in intents.items():
        if intent not in INTENTS:
            raise ContentError(source, f"intents.{intent}", "unknown intent")
        if not isinstance(entry, dict) or set(entry) - {"keywords", "examples"}:
            raise ContentError(source, f"intents.{intent}", "must hold keywords and examples only")
        for i, keyword in enumerate(entry.get("keywords") or []):
            if not (isinstance(keyword, str) or (isinstance(keyword, dict) and isinstance(keyword.get("text"), str))):
                raise ContentError(source, f"intents.{intent}.keywords[{i}]", "must be a word or {text, weight}")
        if not all(isinstance(e, str) for e in entry.get("examples") or []):
            raise ContentError(source, f"intents.{intent}.examples", "must be a list of texts")
    unknown = set(data) - {"locale", "commands", "synonyms", "sound_alike", "intents"}
    if unknown:
        raise ContentError(source, sorted(unknown)[0], "unknown key")
    return {"locale": data["locale"], "commands": commands, "synonyms": synonyms, "sound_alike": sound_alike, "intents": intents}


def read_yaml(path: Path):
    """The YAML document of a content file, with a clear error for broken YAML."""
    try:
        return yamlfiles.load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ContentError(str(path), "(file)", f"not valid YAML: {error}") from None

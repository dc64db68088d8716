"""What staff must check: figures assumed or derived, figures of an earlier year, topics lacking a language,
and the places whose farmers are answered only on the national minimums (pure reads, no Flask)."""

import datetime
from dataclasses import dataclass, field

from .db import Storage
from .i18n import LOCALES
from .intents import KNOWLEDGE_TOPICS
from .library import Library
from .places import ROOT


@dataclass
class RegionReport:
    code: str
    name: str
    unconfirmed: list[str]  # dotted paths of assumed or derived figures, inherited ones included
    behind: list[tuple[str, int]] = field(default_factory=list)  # (pension|medical, policy year) older than this year


@dataclass
class Report:
    regions: list[RegionReport]
    topics_missing: dict[str, list[str]]  # topic key -> locales without a text
    on_root: list[tuple[str, str, int]]  # (place code, place name, contacts answered on the national root)


def behind(policy: dict, today: datetime.date) -> list[tuple[str, int]]:
    """(subject, year) of a policy's pension and medical figures that are of an earlier year than today's."""
    return [
        (subject, year)
        for subject in ("pension", "medical")
        if isinstance(year := (policy.get(subject) or {}).get("year"), int) and year < today.year
    ]


def build(store: Storage, lib: Library, today: datetime.date, top: int = 10) -> Report:
    """The freshness report of the content in force."""
    regions = []
    for code, region in sorted(lib.regions.items()):
        unconfirmed = list(region.effective.get("unconfirmed") or [])
        regions.append(RegionReport(code, region.name("zh-Hans"), unconfirmed, behind(region.effective, today)))
    missing = {}
    for key in KNOWLEDGE_TOPICS:
        lacking = [locale for locale in LOCALES if store.topic(key, locale) is None]
        if lacking:
            missing[key] = lacking
    on_root = []
    for code, count in store.contacts_by_region():
        policy = lib.policy_for(code)
        if code != ROOT and policy is not None and policy.code == ROOT:
            on_root.append((code, lib.place_label(code, "zh-Hans"), count))
    on_root.sort(key=lambda row: (-row[2], row[0]))
    return Report(regions, missing, on_root[:top])


def as_text(report: Report) -> str:
    """The report as staff read it in a terminal."""
    lines = ["Regions (unconfirmed figures; figures of an earlier year):"]
    for region in report.regions:
        behind = ", ".join(f"{subject} {year}" for subject, year in region.behind) or "-"
        lines.append(f"  {region.code} {region.name}: behind: {behind}")
        lines.append(f"    unconfirmed: {', '.join(region.unconfirmed) or '-'}")
    lines.append("Topics lacking a locale:")
    lines += [f"  {key}: {', '.join(locales)}" for key, locales in report.topics_missing.items()] or ["  none"]
    lines.append("Places with the most farmers answered on the national root (no provincial file):")
    lines += [f"  {code} {name}: {count}" for code, name, count in report.on_root] or ["  none"]
    return "\n".join(lines)

"""Loading content files (topics, vocabularies, regions) as new versions, all or nothing."""

from dataclasses import dataclass, field
from pathlib import Path

from . import content, regions
from .db import Storage, utcnow
from .models import FROM_FILE, FROM_STAFF


@dataclass(frozen=True)
class SmsLimits:
    """How long an answer may be once the region's figures are filled in (SMS_MAX_PARTS, SMS_SIGNATURE)."""

    max_parts: int = 3
    signature: str = "【农保助手】"  # the longest signature a mainland provider adds; Chinese answers must allow for it


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)  # "topic pension.grades zh-Hans v2"
    unchanged: int = 0
    superseded_staff_edits: list[str] = field(default_factory=list)  # loaded over a staff edit with --force
    skipped_staff_edits: list[str] = field(default_factory=list)  # a staff edit is in force: the file was not loaded


def content_files(paths) -> list[Path]:
    """The YAML files named, folders searched recursively, in a stable order."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.exists():
            found.append(path)
        else:
            raise content.ContentError(str(path), "(file)", "no such file or folder")
    return found


def _kind(data, path: Path) -> str:
    if isinstance(data, dict) and "intents" in data:
        return "vocabulary"
    if isinstance(data, dict) and "kind" in data and "body" in data:
        return "reminder"
    if isinstance(data, dict) and "body" in data:
        return "topic"
    if isinstance(data, dict) and ({"code", "pension", "parent"} & set(data)) or "regions" in path.parts:
        return "region"
    raise content.ContentError(str(path), "(file)", "is neither a topic, a vocabulary nor a region file")


def parse_files(paths) -> tuple[list, list, dict, dict, list]:
    """Topics, vocabularies, regions (own values and sources by code) and reminder texts, all checked before any write."""
    topics, vocabularies, own, sources, reminders = [], [], {}, {}, []
    for path in content_files(paths):
        data = content.read_yaml(path)
        kind = _kind(data, path)
        if kind == "topic":
            topics.append((content.parse_topic(data, str(path)), str(path)))
        elif kind == "vocabulary":
            vocabularies.append((content.parse_vocabulary(data, str(path)), str(path)))
        elif kind == "reminder":
            reminders.append((content.parse_reminder(data, str(path)), str(path)))
        else:
            region = regions.validate(data, str(path))
            if region["code"] in own:
                raise regions.RegionError(str(path), "code", f"region {region['code']} is also in {sources[region['code']]}")
            own[region["code"]], sources[region["code"]] = region, str(path)
    return topics, vocabularies, own, sources, reminders


def load(store: Storage, paths, author: str | None = None, limits: SmsLimits = SmsLimits(), force: bool = False) -> LoadReport:
    """Load files as new versions in one transaction; a bad file raises and changes nothing.

    An item whose newest version staff made in the admin is skipped and reported, unless `force`.
    """
    topics, vocabularies, own, sources, reminders = parse_files(paths)
    in_force = {code: {k: v for k, v in r.items() if not k.startswith("_")} for code, r in store.regions_in_force().items()}
    combined = dict(own)  # files first, so that errors name the file being loaded
    for code, region in in_force.items():
        combined.setdefault(code, region)
    effective = regions.resolve(combined, {**{c: f"region {c} (database)" for c in in_force}, **sources})
    for topic, path in topics:
        content.check_fits(topic, path, effective, limits.max_parts, limits.signature)
    report, now = LoadReport(), utcnow()

    def provenance(path: str) -> tuple:
        return (FROM_FILE, path, author)

    def staff_kept(current: dict | None, label: str) -> bool:
        if force or not current or current.get("source") != FROM_STAFF:
            return False
        report.skipped_staff_edits.append(f"{label} v{current['version']}")
        return True

    with store.atomic():
        for topic, path in topics:
            for locale, body in topic["body"].items():
                label = f"topic {topic['key']} {locale}"
                if not staff_kept(store.topic(topic["key"], locale), label):
                    saved = store.save_topic(topic["key"], locale, topic["title"][locale], body, provenance(path), now)
                    _note(report, saved, label)
        for vocabulary, path in vocabularies:
            data = {k: v for k, v in vocabulary.items() if k != "locale"}
            label = f"intents {vocabulary['locale']}"
            if not staff_kept(store.vocabulary_row(vocabulary["locale"]), label):
                _note(report, store.save_vocabulary(vocabulary["locale"], data, provenance(path), now), label)
        for reminder, path in reminders:
            for locale, body in reminder["body"].items():
                label = f"reminder {reminder['kind']} {locale}"
                if not staff_kept(store.reminder_text(reminder["kind"], locale), label):
                    saved = store.save_reminder_text(reminder["kind"], locale, body, reminder["template"], provenance(path), now)
                    _note(report, saved, label)
        for code, region in own.items():
            if not staff_kept(store.region_row(code), f"region {code}"):
                _note(report, store.save_region(region, provenance(sources[code]), now), f"region {code}")
    return report


def _note(report: LoadReport, saved: tuple, label: str):
    new_id, current = saved
    if new_id is None:
        report.unchanged += 1
        return
    report.created.append(label)
    if current and current.get("source") == FROM_STAFF:
        report.superseded_staff_edits.append(f"{label} v{current['version']}")


def load_if_empty(store: Storage, content_dir: Path, limits: SmsLimits = SmsLimits()) -> LoadReport | None:
    """Load the shipped content into a new database so it answers at once."""
    if not store.content_is_empty():
        return None
    return load(store, [content_dir], limits=limits)


def limits_from(config) -> SmsLimits:
    """The SMS limits of a deployment's configuration."""
    return SmsLimits(int(config["SMS_MAX_PARTS"]), config.get("SMS_SIGNATURE") or SmsLimits.signature)

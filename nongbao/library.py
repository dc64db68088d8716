"""The content in force (topics, regions, matcher), built once per content version and shared."""

import threading
from dataclasses import dataclass

from . import regions
from .db import Storage
from .estimator import PensionPolicy
from .matcher import IntentMatcher

_cache: dict[str, "Library"] = {}
_lock = threading.Lock()


@dataclass
class RegionPolicy:
    code: str
    effective: dict  # own values over the parent's
    version: int  # id of the region version in force

    def name(self, locale: str) -> str:
        return regions.localized(self.effective.get("name"), locale)

    @property
    def pension(self) -> PensionPolicy:
        return PensionPolicy.from_region(self.effective)

    @property
    def hotline(self) -> str:
        return (self.effective.get("contact") or {}).get("hotline") or regions.DEFAULT_HOTLINE

    @property
    def timezone(self) -> str:
        return self.effective.get("timezone") or regions.DEFAULT_TIMEZONE


class Library:
    """Regions with inheritance resolved and the intent matcher, for one content version."""

    def __init__(self, store: Storage, stamp: tuple):
        self.stamp = stamp
        own = store.regions_in_force()
        versions = {code: r.pop("_version") for code, r in own.items()}
        for r in own.values():
            r.pop("_source", None)
        self.effective = regions.resolve(own) if own else {}
        self.regions = {code: RegionPolicy(code, eff, versions[code]) for code, eff in self.effective.items()}
        vocabularies = {}
        for locale in ("zh-Hans", "en"):
            vocabulary = store.vocabulary(locale)
            if vocabulary:
                vocabularies[locale] = vocabulary
        self.matcher = IntentMatcher(vocabularies)

    def region(self, code: str | None) -> RegionPolicy | None:
        return self.regions.get(code) if code else None

    def find_regions(self, name: str) -> list[RegionPolicy]:
        """Regions whose name matches what a farmer typed (朝阳, 朝阳县, meixian), best first."""
        wanted = name.strip().lower().replace(" ", "")
        if not wanted:
            return []
        suffixes = ("自治县", "自治州", "省", "市", "县", "区", "旗", "镇", "乡", "province", "city", "county", "district")
        bare = wanted
        for suffix in suffixes:
            if bare.endswith(suffix) and len(bare) > len(suffix) + 1:
                bare = bare[: -len(suffix)]
                break
        exact, partial = [], []
        for region in self.regions.values():
            names = [n.lower().replace(" ", "") for n in (region.effective.get("name") or {}).values()]
            stems = set()
            for n in names:
                stems.add(n)
                for suffix in suffixes:
                    if n.endswith(suffix) and len(n) > len(suffix) + 1:
                        stems.add(n[: -len(suffix)])
            if wanted in names:
                exact.append(region)
            elif bare in stems or wanted in stems:
                partial.append(region)
        return exact or partial


def library(store: Storage) -> Library:
    """The shared Library for this database, rebuilt when content has changed."""
    stamp = store.content_version_stamp()
    key = str(store.db.execute("PRAGMA database_list").fetchone()[2])
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached.stamp != stamp:
            cached = _cache[key] = Library(store, stamp)
        return cached

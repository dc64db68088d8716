"""The content in force (topics, regions, matcher), built once per content version and shared."""

import functools
import re
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
    version: int  # the region's version in force (1, 2, ...)

    def name(self, locale: str) -> str:
        return regions.localized(self.effective.get("name"), locale)

    @functools.cached_property
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
        versions = {code: r["_version"] for code, r in own.items()}
        own = {code: {k: v for k, v in r.items() if not k.startswith("_")} for code, r in own.items()}
        self.effective = regions.resolve(own) if own else {}
        self.regions = {code: RegionPolicy(code, eff, versions[code]) for code, eff in self.effective.items()}
        vocabularies = {}
        for locale in ("zh-Hans", "en"):
            vocabulary = store.vocabulary(locale)
            if vocabulary:
                vocabularies[locale] = vocabulary
        self.matcher = IntentMatcher(vocabularies)
        self._place_names = {code: place_names(eff) for code, eff in self.effective.items()}

    def region(self, code: str | None) -> RegionPolicy | None:
        return self.regions.get(code) if code else None

    def find_regions(self, text: str) -> list[RegionPolicy]:
        """The regions a reply names: 梅县区, 梅县, 广东梅州梅县区, or 河北石家庄 (河北省 when 石家庄 is not loaded).

        Several equally good matches (朝阳区 and 朝阳县 for 朝阳) are all returned, for a choice.
        """
        wanted = _PLACE_FILLER.sub("", re.sub(r"[\s,，.。!！]", "", text.lower()))
        hits = {code: names for code, names in self._place_names.items() if any(n in wanted for n in names)}
        if not hits or not self._only_places(wanted, hits):
            return []

        def rank(code: str) -> tuple[int, int]:
            ancestors = self._ancestors(code)
            return (sum(a in hits for a in ancestors), len(ancestors))

        best = max(rank(code) for code in hits)
        deepest = [code for code in hits if rank(code) == best]
        # A region whose child is also named is not the answer (广东梅州梅县区 is 梅县区, not 广东省).
        return [self.regions[c] for c in deepest if not any(c in self._ancestors(o) for o in deepest)]

    def _only_places(self, wanted: str, hits: dict) -> bool:
        """Whether the reply is nothing but place names ("梅县区医保多少钱" is a question, not a county)."""
        leftover = wanted
        for name in sorted({n for names in hits.values() for n in names}, key=len, reverse=True):
            leftover = leftover.replace(name, "")
        leftover = leftover.strip("省市县区镇乡村")
        return not leftover or (len(leftover) <= 5 and self.matcher.match(leftover).intent == "unknown")

    def _ancestors(self, code: str) -> list[str]:
        chain, parent = [], self.effective.get(code, {}).get("parent")
        while parent and parent in self.effective and parent not in chain:
            chain.append(parent)
            parent = self.effective[parent].get("parent")
        return chain


_PLACE_FILLER = re.compile(r"^(我家在|我住在|我们在|我们是|我在|我是|住在|在|i live in|i am in|im in|in)|(的|人|这边|那边|这里)$")
_ADMIN_SUFFIXES = (
    "自治县",
    "自治州",
    "自治区",
    "省",
    "市",
    "县",
    "区",
    "旗",
    "镇",
    "乡",
    " province",
    " city",
    " county",
    " district",
)


def place_names(effective: dict) -> set[str]:
    """A region's names as farmers write them: 梅县区, 梅县; meixian district, meixian."""
    names = set()
    for name in (effective.get("name") or {}).values():
        name = name.lower().strip()
        names.add(name.replace(" ", ""))
        for suffix in _ADMIN_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                names.add(name[: -len(suffix)].replace(" ", ""))
    return names


def library(store: Storage) -> Library:
    """The shared Library for this database, rebuilt when content has changed."""
    stamp = store.content_version_stamp()
    key = str(store.path)
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached.stamp != stamp:
            cached = _cache[key] = Library(store, stamp)
        return cached

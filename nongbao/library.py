"""The content in force (topics, regions, matcher), built once per content version and shared."""

import functools
import re
import threading
from dataclasses import dataclass

from . import places, regions
from .db import Storage
from .estimator import PensionPolicy
from .matcher import IntentMatcher
from .memo import Once

_cache: dict[str, "Library"] = {}
MADE_LIMIT = 20_000  # rendered texts kept per content version (topics x places x languages x days)
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
        self._inherited: dict[str, RegionPolicy | None] = {}  # place code -> the ancestor's figures answering for it
        self.find_places = functools.lru_cache(maxsize=2048)(self._find_places)  # asked twice per message
        self.once = Once(MADE_LIMIT)  # texts made from this content version (topic rows, rendered topics)

    def region(self, code: str | None) -> RegionPolicy | None:
        return self.regions.get(code) if code else None

    def policy_for(self, code: str | None) -> RegionPolicy | None:
        """The figures answering for a place: its own file, else its nearest ancestor's, else the national root's."""
        if not code:
            return None
        if code in self.regions:
            return self.regions[code]
        if code not in self._inherited:
            basis = next((self.regions[a.code] for a in places.ancestors(code) if a.code in self.regions), None)
            if basis is not None:  # the ancestor's figures, marked as a place without a file inherits them
                basis = RegionPolicy(basis.code, regions.as_inherited(basis.effective), basis.version)
            self._inherited[code] = basis
        return self._inherited[code]

    def _find_places(self, text: str) -> "PlaceFind | None":
        """The places a message names (the best first), and whether it names nothing else."""
        hit = places.find(text)
        if hit is None or not hit.candidates:
            return None
        leftover = text
        for start, end in sorted(hit.spans, reverse=True):
            leftover = leftover[:start] + " " + leftover[end:]
        leftover = _PLACE_FILLER.sub("", re.sub(r"[\s,，.。!！?？~～、]", "", leftover.lower()))
        only = not leftover or (len(leftover) <= 4 and self.matcher.match(leftover).intent in ("unknown", "menu"))
        return PlaceFind(_meant(hit.candidates, text), only)

    def place_label(self, code: str, locale: str) -> str:
        """A place as farmers know it, with its parents: 河北省邢台市, or Xingtai, Hebei."""
        if places.is_place(code):
            return places.full_name(code, locale)
        region = self.regions.get(code)
        return region.name(locale) if region else code

    def short_name(self, code: str, locale: str) -> str:
        """A place's own name (邢台市, Xingtai), for sentences that already say whose figures they use."""
        place = places.get(code)
        if place is None:
            region = self.regions.get(code)
            return region.name(locale) if region else code
        return place.name if locale == "zh-Hans" else place.name_en

    def basis_label(self, code: str, locale: str) -> str:
        """A place, and whose figures answer for it when it has none of its own: 邢台市（按河北省的标准）."""
        label, policy = self.place_label(code, locale), self.policy_for(code)
        if policy is None or policy.code == code:
            return label
        basis = policy.name(locale)
        return f"{label}（用{basis}的数字）" if locale == "zh-Hans" else f"{label} (using {basis} figures)"


def _meant(candidates: list, text: str) -> list[str]:
    """The places a name most likely means: 邵阳 is the city, not also its county 邵阳县; in pinyin a
    prefecture (Linyi) before a county of the same sound."""
    codes = [p.code for p in candidates]
    for place in candidates:
        if all(other is place or places.within(other.code, place.code) for other in candidates):
            return [place.code]  # every other candidate lies under this one
    if not re.search(r"[\u3400-\u9fff]", text):
        levels = [p.level for p in candidates]
        if levels.count("prefecture") == 1 and "province" not in levels:
            return [next(p.code for p in candidates if p.level == "prefecture")]
    return codes


@dataclass
class PlaceFind:
    codes: list[str]  # the place meant, or several that share the name, best first
    only_place: bool  # the message is nothing but the place ("俺是河北的 邢台"), not a question naming it


_PLACE_FILLER = re.compile(
    r"^(我家在|我住在|我们在|我们是|俺家在|俺们|俺是|咱是|咱们|我是|我在|俺在|咱在|他家在|她家在|他在|她在|他是|她是|家住|住在|在|老家在|老家"
    r"|(i|we|they)livein|(he|she)livesin|livesin|livein|(i|we)(am|are)?in|i'?min|(i|we)(am|are)?from|i'?mfrom|in|from)+"
    r"|(的人|的|人|这边|那边|这里|那里|这块|那块|地区|一带|来的|嘞|哩|呢|啊)+$"
)


def library(store: Storage) -> Library:
    """The shared Library for this database, rebuilt when content has changed."""
    stamp = store.content_version_stamp()
    key = str(store.path)
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached.stamp != stamp:
            cached = _cache[key] = Library(store, stamp)
        return cached

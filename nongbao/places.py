"""Every province, prefecture and county of China, by GB/T 2260 code and by the names farmers write.

Pure and light: reads nongbao/data/places.tsv (built by scripts/build_places.py) once, on first use.
The national root 000000 (全国 / China) is a place too: provinces name it as their parent.

    get("411381").name                 -> "邓州市"
    full_name("411381")                -> "河南省南阳市邓州市"
    full_name("411381", "en")          -> "Dengzhou, Nanyang, Henan"
    find("咱是南阳邓州的").candidates   -> [Place(411381 邓州市)]
    find("朝阳").candidates            -> 朝阳市, then the districts and the county named 朝阳 (a choice)
"""

import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "places.tsv"
ROOT = "000000"
LEVELS = ("country", "province", "prefecture", "county")


@dataclass(frozen=True)
class Place:
    code: str
    parent: str | None  # None for the national root
    level: str  # country, province, prefecture or county
    name: str  # official: 邓州市, 恩施土家族苗族自治州
    name_en: str  # pinyin without the suffix: Dengzhou
    short: tuple[str, ...] = ()  # what farmers write: 邓州; 恩施, 恩施州
    ordinary: tuple[str, ...] = ()  # the names that are also ordinary words (和平, 城区): need a consistent neighbour

    def __repr__(self):
        return f"Place({self.code} {self.name})"


@dataclass
class PlaceHit:
    candidates: list[Place]  # the place meant, or the choices, best first
    spans: list[tuple[int, int]]  # character ranges of the text that name places

    @property
    def place(self) -> Place | None:
        """The one place named, when there is no choice to make."""
        return self.candidates[0] if len(self.candidates) == 1 else None


_ROOT_PLACE = Place(ROOT, None, "country", "全国", "China")


class _Data:
    def __init__(self, path: Path):
        self.places: dict[str, Place] = {ROOT: _ROOT_PLACE}
        self.aliases: dict[str, list[tuple[str, bool]]] = {}  # name -> [(code, is an ordinary word there)]
        self.english: dict[str, list[tuple[str, int, bool]]] = {}  # pinyin letters -> [(code, words, needs ')]
        self.logp: dict[str, float] = {}  # segmentation lexicon: log probability of a word
        total = 0
        freqs = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or line.startswith("code\t"):
                    continue
                fields = line.rstrip("\n").split("\t")
                if fields[0] == "@total":
                    total = int(fields[1])
                    continue
                if fields[0] == "@lex":
                    for item in fields[1].split(" "):
                        word, _, freq = item.rpartition(":")
                        freqs[word] = int(freq)
                    continue
                code, parent, level, name, name_en, short, ordinary = fields
                short_names = tuple(short.split(",")) if short else ()
                weak = tuple(ordinary.split(",")) if ordinary else ()
                self.places[code] = Place(code, parent, level, name, name_en, short_names, weak)
                for alias in dict.fromkeys((name, *short_names)):
                    self.aliases.setdefault(alias, []).append((code, alias in weak))
        self.chain = {code: _chain(code, self.places) for code in self.places}  # ancestors' codes, nearest first
        provinces = {_letters(p.name_en) for p in self.places.values() if p.level == "province"}
        for place in self.places.values():
            key = _letters(place.name_en)
            if len(key) < 4 or key in ENGLISH_ORDINARY or (place.level != "province" and key in provinces):
                continue  # Hebei is the province, not Tianjin's 河北区 (as 河北 is in Chinese)
            # Xi'an, Ji'an, Yu'an: written without the apostrophe they are one syllable of typed pinyin (xian, yuan)
            needs_apostrophe = "'" in place.name_en and len(key) <= 5
            for spelling in {key, key.replace("v", "u")}:  # Lüliang: lvliang or luliang
                self.english.setdefault(spelling, []).append((place.code, len(place.name_en.split()), needs_apostrophe))
        log_total = math.log(total or sum(freqs.values()) or 1)
        self.unknown = -log_total  # a character the lexicon does not know (frequency 1, as jieba does)
        self.logp = {w: math.log(f) - log_total for w, f in freqs.items()}
        # a place name is at least as likely as a moderately common word
        self.place_logp = {a: max(self.logp.get(a, -math.inf), math.log(PLACE_FREQ) - log_total) for a in self.aliases}
        self.max_len = max(map(len, list(self.aliases) + list(self.logp)))
        self.english_max_words = max((words for entries in self.english.values() for _, words, _ in entries), default=1)


# pinyin names that are English words
ENGLISH_ORDINARY = {"guide", "mile", "saga", "jingle", "bole"}
CHAIN_BONUS = 10.0  # log-probability bonus for a place name next to one it lies in or contains
PLACE_FREQ = 2000  # the frequency a place name counts as when segmenting (a common word, not a very common one)
_data: _Data | None = None
_lock = threading.Lock()


def _load() -> _Data:
    global _data
    if _data is None:
        with _lock:
            if _data is None:
                _data = _Data(DATA)
    return _data


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower().replace("ü", "v"))


def get(code: str) -> Place | None:
    return _load().places.get(str(code))


def is_place(code: str) -> bool:
    return str(code) in _load().places


def all_places() -> list[Place]:
    return list(_load().places.values())


def chain(code: str) -> list[str]:
    """The code of a place and of every place above it, nearest first (a region's text and figures pass down it)."""
    return [str(code), *_load().chain.get(str(code), ())]


def within(code: str | None, top: str) -> bool:
    """Whether a place is top or lies under it."""
    return bool(code) and str(top) in chain(code)


def ancestors(code: str) -> list[Place]:
    """The places above this one, nearest first, ending with the national root; [] for the root or an unknown code."""
    data = _load()
    return [data.places[c] for c in data.chain.get(str(code), ())]


def full_name(code: str, locale: str = "zh-Hans") -> str:
    """河南省南阳市邓州市 / "Dengzhou, Nanyang, Henan"; the root alone is 全国 / China; '' for an unknown code."""
    place = get(code)
    if place is None:
        return ""
    if place.code == ROOT:
        return place.name_en if locale.startswith("en") else place.name
    chain = [place] + [p for p in ancestors(code) if p.code != ROOT]
    if locale.startswith("en"):
        return ", ".join(p.name_en for p in chain)
    return "".join(p.name for p in reversed(chain))


def _chain(code: str, places: dict[str, Place]) -> tuple[str, ...]:
    out = []
    place = places.get(code)
    while place is not None and place.parent and place.parent not in out:
        out.append(place.parent)
        place = places.get(place.parent)
    return tuple(out)


def _related(a: str, b: str, data: _Data) -> bool:
    """a is an ancestor or a descendant of b (not b itself, nor the root: every place is under it)."""
    return a != b and ROOT not in (a, b) and (a in data.chain[b] or b in data.chain[a])


def _segment(text: str, data: _Data) -> list[tuple[int, int]]:
    """The place names in text, as spans, on the most probable segmentation of the text into words.

    As jieba does, but a place name right before a place it contains or lies in (信阳|新县, not
    信|阳新县) earns a bonus, so that a written chain is read as one.
    """
    n = len(text)
    # best[i]: for each first place name in text[i:] (None: none), (log probability, step length, next key)
    best: list[dict] = [{} for _ in range(n + 1)]
    best[n][None] = (0.0, 0, None)
    related = {}

    def bonus(alias: str, following: str | None) -> float:
        if following is None:
            return 0.0
        if (alias, following) not in related:
            related[alias, following] = any(
                _related(a, b, data) for a, _ in data.aliases[alias] for b, _ in data.aliases[following]
            )
        return CHAIN_BONUS if related[alias, following] else 0.0

    for i in range(n - 1, -1, -1):
        here = best[i]
        options = [(1, data.logp.get(text[i], data.unknown), False)]
        for j in range(i + 2, min(n, i + data.max_len) + 1):
            piece = text[i:j]
            if piece in data.place_logp:
                options.append((j - i, data.place_logp[piece], True))
            elif piece in data.logp:
                options.append((j - i, data.logp[piece], False))
        for length, logp, is_place in options:
            piece = text[i : i + length]
            for key, (score, _, _) in best[i + length].items():
                mine = piece if is_place else key
                total = score + logp + (bonus(piece, key) if is_place else 0.0)
                if mine not in here or total > here[mine][0]:
                    here[mine] = (total, length, key)
    spans, i = [], 0
    key = max(best[0], key=lambda k: best[0][k][0])
    while i < n:
        _, length, nxt = best[i][key]
        if key is not None and text[i : i + length] == key:
            spans.append((i, i + length))
        i, key = i + length, nxt
    return spans


def _english(text: str, data: _Data) -> list[tuple[int, int, list[str]]]:
    """Places named in Latin letters: Xingtai, Hebei; dengzhou; Xi'an; Inner Mongolia."""
    words = list(re.finditer(r"[A-Za-zÜü]+(?:['’][A-Za-zÜü]+)*", text))
    found, i = [], 0
    while i < len(words):
        for size in range(min(data.english_max_words, len(words) - i), 0, -1):
            group = words[i : i + size]
            key = "".join(_letters(w.group()) for w in group)
            apostrophe = any(q in w.group() for w in group for q in "'’")
            codes = [c for c, n, needs in data.english.get(key, ()) if n == size and (apostrophe or not needs)]
            if codes:
                found.append((group[0].start(), group[-1].end(), codes))
                i += size
                break
        else:
            i += 1
    return found


_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def find(text: str) -> PlaceHit | None:
    """The place(s) a message names: the deepest of a consistent chain (河南南阳邓州 -> 邓州市), or,
    for a name several places share (朝阳), all of them, those consistent with the rest of the
    message first, then provinces and prefectures before counties. None when no place is named."""
    data = _load()
    text = (text or "").translate(_FULL_WIDTH)
    matches = []  # (start, end, [(code, ordinary)])
    for start, end in _segment(text, data):
        matches.append((start, end, data.aliases[text[start:end]]))
    for start, end, codes in _english(text, data):
        matches.append((start, end, [(code, False) for code in codes]))
    if not matches:
        return None
    matches.sort()
    places = data.places
    strong = [{code for code, weak in m[2] if not weak} for m in matches]
    # an ordinary word names a place only next to a (not ordinary) name consistent with it
    kept = []
    for index, (start, end, codes) in enumerate(matches):
        chosen = []
        for code, weak in codes:
            if weak and not any(_related(code, other, data) for k, group in enumerate(strong) if k != index for other in group):
                continue
            chosen.append(code)
        if chosen:
            kept.append((start, end, chosen))
    if not kept:
        return None
    scored = {}  # code -> (support, match index)
    for index, (_s, _e, codes) in enumerate(kept):
        for code in codes:
            support = sum(
                1 for k, (_s2, _e2, others) in enumerate(kept) if k != index and any(_related(code, o, data) for o in others)
            )
            if code not in scored or support > scored[code][0]:
                scored[code] = (support, index)
    top = max(s for s, _ in scored.values())
    best = {code: index for code, (s, index) in scored.items() if s == top}
    # the deepest of a chain: drop a place another match's place lies under
    final = [
        code
        for code, index in best.items()
        if not any(other_index != index and code in data.chain[other] for other, other_index in best.items())
    ]
    final.sort(key=lambda c: (LEVELS.index(places[c].level), best[c], c))
    spans = sorted({(s, e) for s, e, _ in kept})
    return PlaceHit([places[c] for c in final], spans)

"""Pure intent matching: keywords and example phrasings per locale, robust to typos and no spaces."""

import functools
import itertools
import logging
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import jieba
from rapidfuzz import fuzz, process

from . import pinyin, places
from .intents import KNOWLEDGE_TOPICS, OPT_IN_WORDS, OPT_OUT_WORDS
from .numerals import to_arabic
from .parsing import read

jieba.setLogLevel(logging.WARNING)
_TOKENIZER = jieba.Tokenizer()
_CJK = re.compile(r"[\u3400-\u9fff]")
_KEEP = re.compile(r"[^0-9a-z#\u3400-\u9fff]+")
EN_STOPWORDS = set(
    "a an the i me my we our you your to of in on at for is are am be do does did can could will would "
    "should it its this that there please pls and or if so with about".split()
)
# Intents that need the whole message to be a statement (topics.md: "the whole message says
# this year's contribution is paid"): a question that mentions paying is never one of them.
STATEMENT_ONLY = {"reminders.paid"}
_QUESTION = re.compile(
    r"[?？吗呢么没查哪啥咋]|(\w)不\1|几|多少|怎么|什么|是否|\b(how|what|when|why|did|do|does|is|can|have|check)\b", re.IGNORECASE
)
STATEMENT_MAX = {True: 12, False: 40}  # characters (Chinese, English): a longer message says something else
MIN_SCORE = 0.45  # below this the message is not about any topic
EXAMPLE_WEIGHT = 1.6  # an example phrasing that matches fully counts this much
FUZZY_KEYWORD = 0.6  # share of a keyword's weight earned by a near miss (one typo)
NEAR_CUTOFF = 74  # partial_ratio at which a keyword of four or more characters counts as a near miss
CLARIFY_BELOW = 1.6  # a best score this low, with a runner-up this close, is asked about instead of guessed
CLARIFY_RATIO = 0.95  # measured on the labelled sets: where this fires the best guess is wrong about one time in four
CLARIFIABLE = set(KNOWLEDGE_TOPICS) | {"estimate"}
SEVERAL_TOPICS = set(KNOWLEDGE_TOPICS)  # questions answered side by side in one reply
SEVERAL_MIN = 1.0  # each separate question must match its topic at least this well
_LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f0-9'\s]*[A-Za-z\u00c0-\u024f0-9]|[A-Za-z]")
_CLAUSES = {True: re.compile(r"[，,。.!！?？；;、\s]+|(?<=[吗呢])"), False: re.compile(r"[,.!?;\n]+|\band\b|\balso\b")}


@dataclass
class Match:
    intent: str  # the intent chosen, "unknown" when nothing scored enough
    score: float
    locale: str | None  # vocabulary the text matched in
    scores: dict = field(default_factory=dict)  # every intent's score, for explanations
    intents: list[str] = field(default_factory=list)  # several questions asked at once, or the two readings of a clarify
    text: str | None = None  # the text as matched (pinyin turned into Chinese)


def _stem(word: str) -> str:
    """A crude English stem so that calculate, calculated and calculating meet."""
    if len(word) <= 3 or word in ("paid", "news", "yes", "this", "has", "was", "does", "less"):
        return word
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not (suffix == "s" and word.endswith(("ss", "us", "is"))):
            word = word[: len(word) - len(suffix)] + keep
            if suffix in ("ing", "ed") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "sl":
                word = word[:-1]  # stopped -> stop
            break
    if word.endswith("e") and len(word) > 3:  # move/moving, estimate/estimated
        word = word[:-1]
    return word


# What may follow a keyword written as a stem (disab -> disabled, contribut -> contribution); "dead" does
# not match "deadline".
_ENDINGS = ("", "s", "es", "d", "ed", "led", "ing", "ling", "er", "ers", "y", "ies", "ity", "ility", "ilities", "ion", "ions",
            "ation", "ment", "ments", "al", "ly", "e", "le")  # fmt: skip


def _word_matches(keyword: str, word: str) -> bool:
    return word == keyword or (len(keyword) >= 4 and word.startswith(keyword) and word[len(keyword) :] in _ENDINGS)


def _phrase_in(phrase: list[str], words: list[str]) -> bool:
    """Whether the words hold the phrase in a row, whole words only (a stem of 4+ letters takes an ending)."""
    n = len(phrase)
    for start in range(len(words) - n + 1):
        if all(_word_matches(p, w) for p, w in zip(phrase, words[start : start + n])):
            return True
    return False


@functools.lru_cache(maxsize=4096)  # a message is looked up as a command several times per turn
def command_key(text: str) -> str:
    """A whole message as command words are compared: folded, lower case, without spaces or punctuation."""
    return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", str(text)).lower())


def consent(text: str) -> str | None:
    """The consent intent a whole message is the word for (topics.md's opt-out and opt-in sets), else None."""
    key = command_key(text)
    if key in OPT_OUT_WORDS:
        return "reminders.unsubscribe"
    return "reminders.subscribe" if key in OPT_IN_WORDS else None


def commonness(word: str) -> int:
    """How often a word occurs in everyday Chinese (jieba's dictionary frequency; 0 for one it does not know)."""
    _TOKENIZER.check_initialized()
    return _TOKENIZER.FREQ.get(word, 0)


@functools.lru_cache(maxsize=4096)
def signals(text: str) -> frozenset[str]:
    """Pseudo-words for what numbers in a message mean: #age, #money, #years, #birth."""
    reading = read(text, this_year=2000)
    found = {k: v for k, v in reading.facts.items() if not (k == "years_paid" and reading.never_paid)}
    names = {"age": "#age", "grade": "#money", "years_paid": "#years", "birth_year": "#birth", "past_grade": "#money"}
    return frozenset({names[key] for key in found if key in names} | ({"#grade"} if reading.grade_word else set()))


class Vocabulary:
    """One locale's keywords, examples and synonyms, prepared for matching."""

    def __init__(self, locale: str, data: dict):
        self.locale = locale
        self.chinese = locale.startswith("zh")
        self.synonyms = sorted(
            ((self._fold(k), self._fold(v)) for k, v in (data.get("synonyms") or {}).items()), key=lambda kv: -len(kv[0])
        )
        self.keywords: list[tuple[str, float, str, bool]] = []  # (phrase, weight, intent, as written)
        self.examples: list[tuple[dict, str]] = []
        words = set()
        self.sounds: dict[str, str] = {}  # pinyin -> insurance term, for typos by sound (大兵 -> 大病)
        self.sound_terms = set(data.get("sound_alike") or [])
        self.terms = set()  # the words as written, for turning pinyin back into them
        for intent, entry in (data.get("intents") or {}).items():
            for keyword in entry.get("keywords") or []:
                text, weight = (
                    (keyword, 1.0) if isinstance(keyword, str) else (keyword["text"], float(keyword.get("weight", 1.0)))
                )
                parts = text.split("+")
                self.terms.update(self._fold(part) for part in parts)
                full = "+".join(self.normalize(part, keep_stopwords=True, marks=part.startswith("#")) for part in parts)
                short = "+".join(self.normalize(part, marks=part.startswith("#")) for part in parts)
                # A keyword with small words ("pay for me") must appear as written; one without them
                # may have small words in between ("how much do I pay" has "how much pay").
                if full.strip("+"):
                    self.keywords.append((full, weight, intent, full != short))
                    words.update(full.replace("+", " ").split())
            for example in entry.get("examples") or []:
                self.examples.append((self.features(example), intent))
                if self.chinese:
                    self.terms.update(_TOKENIZER.lcut(self._fold(example)))
                words.update(self.normalize(example).split())
        self.commands = {command_key(k): v for k, v in (data.get("commands") or {}).items()}
        self.terms.update(w for pair in self.synonyms for w in pair)
        self.sounds = self._sounds(data.get("sound_alike") or []) if self.chinese else {}
        self._sound_shapes = self._shapes(set(self.sounds.values()))
        self.words = sorted(w for w in words if not w.startswith("#"))
        self.known = set(self.words)
        self._idf = self._inverse_document_frequency()
        self.examples = [(self._weigh(f), intent) for f, intent in self.examples]
        self._index_examples()
        self._index_keywords()
        self.score = functools.lru_cache(maxsize=2048)(self._score)  # one message is scored several times per turn

    def command(self, text: str) -> str | None:
        """The intent of a whole-message command word such as STOP, TD, 菜单 or HELP."""
        return self.commands.get(command_key(text))

    @staticmethod
    def _sounds(terms: list[str]) -> dict[str, str]:
        """Pinyin -> the insurance term it spells, for words typed with the wrong character (大兵 for 大病)."""
        sounds = {}
        for term in sorted(terms, key=len):
            if 2 <= len(term) <= 6 and all(_CJK.match(c) for c in term):
                for spelling in pinyin.spellings(term, limit=4):
                    sounds.setdefault(spelling, term)
        return sounds

    @staticmethod
    def _shapes(terms: set[str]) -> dict[int, tuple[frozenset[str], list[set[str]]]]:
        """By length: the readings the terms start with, and the characters at each position (to skip windows fast)."""
        table, shapes = pinyin.readings(), {}
        for term in terms:
            heads, positions = shapes.setdefault(len(term), (set(), [set() for _ in term]))
            heads.update(table.get(term[0], ()))
            for position, character in enumerate(term):
                positions[position].add(character)
        return {length: (frozenset(heads), positions) for length, (heads, positions) in shapes.items()}

    def _may_sound_like_a_term(self, window: str) -> bool:
        """Whether a term of the window's length starts with a reading of its first character and shares a
        character in place with it (both needed for a typo by sound to be fixed)."""
        shape = self._sound_shapes.get(len(window))
        if shape is None or shape[0].isdisjoint(pinyin.readings().get(window[0], ())):
            return False
        return any(character in chars for character, chars in zip(window, shape[1]))

    def _fix_homophones(self, text: str) -> str:
        """Replace a run of characters that sounds like a known term but is not one (养老保线 -> 养老保险)."""
        out, i = [], 0
        while i < len(text):
            for length in range(min(6, len(text) - i), 1, -1):
                window = text[i : i + length]
                if window in self.sound_terms or not _CJK.match(window[0]) or not self._may_sound_like_a_term(window):
                    continue
                term = next((self.sounds[s] for s in pinyin.spellings(window, limit=4) if s in self.sounds), None)
                # One character typed wrong keeps the others: 大兵 for 大病 shares 大; 能并 shares nothing with 大病.
                if term and term != window and sum(a == b for a, b in zip(term, window)) >= max(1, len(term) // 2):
                    out.append(term)
                    i += length
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    @staticmethod
    def _fold(text: str) -> str:
        return unicodedata.normalize("NFKC", text).lower().strip()

    def normalize(self, text: str, keep_stopwords: bool = False, marks: bool = True) -> str:
        """Folded text with synonyms applied; Chinese loses spaces, English becomes stemmed words.

        Keywords are phrases and keep their small words ("pay for me"); examples are compared
        without them.
        """
        text = self._fold(text)
        marks = " ".join(sorted(signals(text))) if marks else ""
        if self.chinese:
            text = _KEEP.sub("", to_arabic(text))  # 一百三十九 and 139 match alike
            if self.sounds:
                text = self._fix_homophones(text)
            for _ in range(2):  # a rewrite may reveal another (低包户 -> 低保户 -> 低保)
                for source, target in self.synonyms:
                    text = text.replace(source, target)
            return (text + " " + marks).strip()
        text = " ".join(_KEEP.sub(" ", text.replace("'", "")).split())
        for source, target in self.synonyms:
            text = re.sub(rf"\b{re.escape(source)}s?\b", target, text)  # levels -> grade too
        words = [_stem(w) for w in text.split() if keep_stopwords or w not in EN_STOPWORDS]
        return (" ".join(words) + " " + marks).strip()

    def correct(self, normal: str) -> str:
        """English words fixed to the nearest vocabulary word when one typo away (pensoin -> pension)."""
        if self.chinese or not self.words:
            return normal
        fixed = []
        for word in normal.split():
            if len(word) >= 5 and not word.startswith("#") and word not in self._idf and word not in self.known:
                best = process.extractOne(word, self.words, scorer=fuzz.ratio, score_cutoff=85)
                word = best[0] if best else word
            fixed.append(word)
        return " ".join(fixed)

    def features(self, text: str) -> set[str]:
        """Words and character pairs of a text, the units examples are compared by."""
        normal = self.normalize(text)
        return self._features_of(normal)

    def _features_of(self, normal: str) -> set[str]:
        marks = {w for w in normal.split() if w.startswith("#")}
        body = " ".join(w for w in normal.split() if not w.startswith("#"))
        if self.chinese:
            chars = body.replace(" ", "")
            grams = {chars[i : i + 2] for i in range(len(chars) - 1)}
            words = {w for w in _TOKENIZER.lcut(chars) if len(w) >= 2 or _CJK.match(w) is None and w.isalpha()}
            return grams | words | marks | ({chars} if len(chars) == 1 else set())
        words = body.split()
        return set(words) | {f"{a}_{b}" for a, b in zip(words, words[1:])} | marks

    def _inverse_document_frequency(self) -> dict[str, float]:
        counts: dict[str, int] = {}
        for feats, _ in self.examples:
            for f in feats:
                counts[f] = counts.get(f, 0) + 1
        total = max(1, len(self.examples))
        return {f: math.log(1 + total / c) for f, c in counts.items()}

    def _weigh(self, feats: set[str]) -> dict[str, float]:
        default = math.log(1 + max(1, len(self.examples)))
        return {f: self._idf.get(f, default) for f in feats}

    def _index_examples(self):
        """Feature -> (example, weight) postings and each example's norm, so a message meets only examples it shares with."""
        self._postings: dict[str, list[tuple[int, float]]] = {}
        self._norms: list[float] = []
        for number, (example, _intent) in enumerate(self.examples):
            for feature, weight in example.items():
                self._postings.setdefault(feature, []).append((number, weight))
            self._norms.append(math.sqrt(sum(v * v for v in example.values())) or 1.0)

    def _index_keywords(self):
        """What each keyword needs in a text to hit (its characters, or its words), to try only those that may."""
        self._needs: list[frozenset[str]] = []
        self._char_postings: dict[str, list[int]] = {}
        self._always: set[int] = set()  # keywords every text may hit: marks alone, near misses with a repeated character
        self._near_length: dict[int, int] = {}  # Chinese keywords a near miss counts for, by number: their length
        for number, (keyword, *_rest) in enumerate(self.keywords):
            parts = [part.strip() for part in keyword.split("+") if not part.strip().startswith("#")]
            if self.chinese:
                needs = frozenset("".join(parts))
                for character in needs:
                    self._char_postings.setdefault(character, []).append(number)
                if len(keyword) >= 4 and "+" not in keyword and not keyword.startswith("#"):
                    self._near_length[number] = len(keyword)
                    if len(needs) != len(keyword):
                        self._always.add(number)
            else:
                needs = frozenset(word for part in parts for word in part.split())
            if not needs:
                self._always.add(number)
            self._needs.append(needs)
        self._need_counts = [len(needs) for needs in self._needs]

    def _candidates(self, normal: str, squashed: str) -> set[int]:
        """The keywords that can hit this text: all their characters are in it, or enough for a near miss."""
        postings = self._char_postings
        shared = Counter(itertools.chain.from_iterable(postings[c] for c in set(normal) if c in postings))
        cutoff, needs = NEAR_CUTOFF / 100, self._need_counts
        possible = set(self._always)
        for number, count in shared.items():
            if count == needs[number]:
                possible.add(number)
            elif (length := self._near_length.get(number)) is not None:
                # partial_ratio is at most 2m / (n + m) for m shared characters and the shorter length n (edge windows).
                if count >= cutoff * min(length, len(squashed)) / (2 - cutoff):
                    possible.add(number)
        return possible

    def _english_candidates(self, *texts: str) -> set[int]:
        """The keywords whose words could all be in one of the texts (as written, or a stem with an ending)."""
        stems = set()
        for word in " ".join(texts).split():
            stems.add(word)
            stems.update(
                word[: len(word) - len(end)] for end in _ENDINGS if end and word.endswith(end) and len(word) - len(end) >= 4
            )
        return {number for number, needs in enumerate(self._needs) if needs <= stems}

    def _score(self, text: str) -> dict[str, float]:
        """Every intent's score for a text in this vocabulary's language."""
        normal = self.correct(self.normalize(text))
        phrase = normal if self.chinese else self.correct(self.normalize(text, keep_stopwords=True))
        scores: dict[str, float] = {}
        tokens = set(normal.split())
        short = normal.replace(" ", "") if self.chinese else f" {normal} "
        full = phrase.replace(" ", "") if self.chinese else f" {phrase} "
        possible = self._candidates(normal, short) if self.chinese else self._english_candidates(normal, phrase)
        for number in sorted(possible):
            keyword, weight, intent, as_written = self.keywords[number]
            squashed = full if as_written else short
            if "+" in keyword:
                hit = 1.0 if all(self._contains(part, tokens, squashed) for part in keyword.split("+")) else 0.0
            elif keyword.startswith("#"):
                hit = 1.0 if keyword in tokens else 0.0
            elif self.chinese:
                hit = 1.0 if keyword in squashed else self._near(keyword, squashed)
            else:
                hit = 1.0 if _phrase_in(keyword.split(), squashed.split()) else 0.0
            if hit:
                scores[intent] = scores.get(intent, 0.0) + weight * hit
        for intent, similarity in self._similar_examples(normal).items():
            scores[intent] = scores.get(intent, 0.0) + EXAMPLE_WEIGHT * similarity
        return scores

    def _similar_examples(self, normal: str) -> dict[str, float]:
        """Each intent's best cosine similarity between the text and one of its examples (idf-weighted features)."""
        query = self._weigh(self._features_of(normal))
        query_norm = math.sqrt(sum(v * v for v in query.values())) or 1.0
        shared: dict[int, float] = {}
        for feature, weight in query.items():
            for number, example_weight in self._postings.get(feature, ()):
                shared[number] = shared.get(number, 0.0) + weight * example_weight
        best: dict[str, float] = {}
        for number, dot in shared.items():
            if dot:
                intent = self.examples[number][1]
                best[intent] = max(best.get(intent, 0.0), dot / (query_norm * self._norms[number]))
        return best

    def _contains(self, part: str, tokens: set[str], squashed: str) -> bool:
        part = part.strip()
        if part.startswith("#"):
            return part in tokens
        return part in squashed if self.chinese else _phrase_in(part.split(), squashed.split())

    @staticmethod
    def _near(keyword: str, text: str) -> float:
        """Partial credit for a keyword of four or more characters written with one wrong character."""
        if len(keyword) < 4 or len(text) < len(keyword) - 1:
            return 0.0
        return FUZZY_KEYWORD if fuzz.partial_ratio(keyword, text) >= NEAR_CUTOFF else 0.0


class IntentMatcher:
    """Routes a message to one intent using the vocabularies of every shipped locale."""

    def __init__(self, vocabularies: dict[str, dict]):
        self.vocabularies = {locale: Vocabulary(locale, data) for locale, data in vocabularies.items()}
        terms = [t for v in self.vocabularies.values() if v.chinese for t in v.terms if _CJK.search(t)]
        terms += [name for p in places.all_places() if p.level in ("province", "prefecture") for name in (p.name, *p.short)]
        counties = [name for p in places.all_places() if p.level == "county" for name in p.short if len(name) >= 2]
        self.pinyin = pinyin.Converter(terms, counties, commonness) if terms else None
        self._routes = functools.lru_cache(maxsize=2048)(self._route)  # handlers and the engine may route a text again

    def command(self, text: str) -> Match | None:
        """A global command word, recognised in any language and any conversation state."""
        if intent := consent(text):
            return Match(intent, 10.0, None)
        for locale, vocabulary in self.vocabularies.items():
            intent = vocabulary.command(text)
            if intent:
                return Match(intent, 10.0, locale)
        return None

    def as_chinese(self, text: str) -> str:
        """Pinyin turned into the Chinese words it spells (also runs of it inside Chinese); any other text as it is."""
        if self.is_pinyin(text):
            return self.pinyin.to_hanzi(text)
        if self.pinyin and _CJK.search(text):
            return _LATIN_RUN.sub(lambda m: self._mixed(m.group(0)), text)
        return text

    def _mixed(self, run: str) -> str:
        return self.pinyin.to_hanzi(run) if pinyin.looks_like_pinyin(run) else run

    def is_pinyin(self, text: str) -> bool:
        """Whether a Latin-letter message is pinyin: it spells syllables, and reads better as Chinese than as English."""
        if not self.pinyin or not pinyin.looks_like_pinyin(text):
            return False
        if self.command(self.pinyin.to_hanzi(text)) and not self.command(text):
            return True  # xiexie, caidan
        chinese = [v for v in self.vocabularies.values() if v.chinese]
        english = [v for v in self.vocabularies.values() if not v.chinese]
        as_chinese = max(chinese[0].score(self.pinyin.to_hanzi(text)).values(), default=0.0)
        as_english = max(english[0].score(text).values(), default=0.0) if english else 0.0
        return as_chinese > 0 and as_chinese >= as_english

    def match(self, text: str) -> Match:
        """The best intent for a message, or unknown when nothing matches well enough."""
        command = self.command(text)
        if command:
            return command
        if not any(ch.isalnum() for ch in text):
            return Match("menu", 0.0, None)  # empty, emoji or punctuation only: show what we can do
        text = self.as_chinese(text)
        chinese = bool(_CJK.search(text))
        ranked: list[tuple[float, str, str, dict]] = []
        for locale, vocabulary in self.vocabularies.items():
            if vocabulary.chinese != chinese and (chinese or re.search(r"[a-zA-Z]", text) is None):
                continue
            scores = vocabulary.score(text)
            if _QUESTION.search(text) or len(text.strip()) > STATEMENT_MAX[chinese] or signals(text):
                scores = {k: v for k, v in scores.items() if k not in STATEMENT_ONLY}
            if scores:
                intent = max(scores, key=scores.get)
                ranked.append((scores[intent], intent, locale, scores))
        if not ranked:
            return Match("unknown", 0.0, None, text=text)
        score, intent, locale, scores = max(ranked)
        if score < MIN_SCORE:
            return Match("unknown", score, locale, scores, text=text)
        return Match(intent, score, locale, scores, text=text)

    def route(self, text: str) -> Match:
        """What to answer: one intent, several questions or an either/or question (remembered per text)."""
        return self._routes(text)

    def _route(self, text: str) -> Match:
        """What to answer: one intent, several questions asked at once, or an either/or question when two are close."""
        whole = self.match(text)
        if whole.score >= 10:
            return whole
        marks = signals(whole.text or text)
        if "#age" in marks and marks & {"#money", "#years", "#grade"} and whole.intent not in STATEMENT_ONLY:
            return Match("estimate", max(whole.score, 1.0), whole.locale, whole.scores, text=whole.text)  # 38岁 交最低档
        if whole.intent in ("unknown", "menu"):
            return whole
        several = self._several(whole.text or text)
        if len(several) > 1:
            return Match(several[0], whole.score, whole.locale, whole.scores, intents=several, text=whole.text)
        ranked = sorted(whole.scores.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and whole.intent in CLARIFIABLE and ranked[1][0] in CLARIFIABLE:
            (first, top), (second, runner_up) = ranked[0], ranked[1]
            if top < CLARIFY_BELOW and runner_up >= CLARIFY_RATIO * top:
                return Match("clarify", top, whole.locale, whole.scores, intents=[first, second], text=whole.text)
        return whole

    def _several(self, text: str) -> list[str]:
        """The distinct topics of a message's separate questions ("一年交多少 啥时候交 在哪交"), in order."""
        chinese = bool(_CJK.search(text))
        clauses = [c for c in _CLAUSES[chinese].split(text) if c and (len(_CJK.findall(c)) >= 3 or len(c.split()) >= 3)]
        if len(clauses) < 2:
            return []
        found: list[str] = []
        for clause in clauses:
            if not _QUESTION.search(clause) and not re.search(r"啥|咋|哪|怎|什么|不\s*$|where|which|who|whens?|whats", clause):
                continue  # "俺爹是特困" tells, it does not ask: it belongs to the question after it
            match = self.match(clause)
            if match.intent in SEVERAL_TOPICS and match.score >= SEVERAL_MIN and match.intent not in found:
                found.append(match.intent)
        return found

"""Pinyin typed by farmers without a Chinese keyboard: recognised, and turned back into the words we know (pure).

"nongbao zai na jiao", "yi3 bao3 duo1shao3", "yanglaobaoxian" become 农保在哪交, 医保多少, 养老保险:
the readings come from pypinyin's dictionary (a small table of the GB 2312 characters, built by
scripts/build_pinyin.py), and the words from the vocabulary the matcher already knows.
"""

import functools
import itertools
import re
import unicodedata
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "pinyin.tsv"
_CJK = re.compile(r"[\u3400-\u9fff]")
_TONE_DIGIT = re.compile(r"(?<=[a-z])[1-5](?=[^0-9]|$)")
_LETTERS = re.compile(r"[a-z]+")
# Short English words that happen to be pinyin syllables; a message of only these is English.
ENGLISH = set("a an me he she die ten man men pin bang long hang change tie mine pen ban dang ping gang sue you"
              " no yes ok hi ha hey ma".split())  # fmt: skip
# Everyday words of a question, so that the words around the vocabulary convert too.
COMMON = (
    "我 你 您 俺 咱 他 她 在 哪里 哪儿 那里 这里 缴 多少 钱 怎么 怎样 什么 啥 能 领 吗 的 了 是 有 没 没有 岁 年 元 块"
    " 每年 每月 一个月 今年 明年 去年 可以 还 要 想 给 去 到 和 跟 问 问问 请问 一下 现在 以后 几 个 都 也 就 不 时候 啥时候"
    " 什么时候 截止 到账 退 补 办 办理 手续 需要 材料 电话 地方 哪个 谁 为什么 咋 咋办 怎么办 多久 家里 老人 父母 爸妈 老伴"
    " 已经 如果 要是 改成 换成 换 最高 最低 档 从 过 从没 没交过 不对 谢谢 村里 村 账户 里 算 算算 拿 以前 我妈 我爸 俺妈"
    " 俺爹 媳妇 老婆 儿子 女儿 万一 去世 要不要 好的 知道 哪天 几号 每个月 呢 养老 养老金 医保 农保 社保 低保 大病 交费"
    " 缴费 领取 认证 能领 能拿 多少钱 是不是 我的 我家 交 的 块"
).split()


PARTICLES = {"ne", "ba", "le", "ma", "la", "sui", "nian", "kuai", "yuan", "dang", "de"}


def strip_tones(text: str) -> str:
    """Lower case, tone marks and tone digits removed, ü as v: 'Yī Bǎo' -> 'yi bao', 'nong2' -> 'nong'."""
    text = text.lower().replace("ü", "v").replace("u:", "v")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _TONE_DIGIT.sub("", text)


@functools.cache
def readings() -> dict[str, tuple[str, ...]]:
    """Character -> its toneless readings."""
    table = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            char, values = line.split("\t")
            table[char] = tuple(values.split(","))
    return table


ODD = {"m", "n", "ng", "hm", "hng", "o", "lo", "yo", "ei", "den", "dia", "nou", "kei", "tei", "shei", "ca"}  # rare readings


@functools.cache
def syllables() -> frozenset[str]:
    """Syllables as farmers type them (interjection-only readings such as m, ng, hm left out)."""
    return frozenset(r for values in readings().values() for r in values if r not in ODD)


@functools.cache
def _typed_syllables() -> frozenset[str]:
    """Syllables, and each with the 儿 ending typed as r (nar)."""
    return syllables() | {s + "r" for s in syllables() if not s.endswith("r")}


def split_syllables(word: str) -> list[str] | None:
    """A run of letters as pinyin syllables ('yanglao' -> ['yang', 'lao'], 'nar' -> ['nar']), or None when it is not pinyin."""
    valid, best = _typed_syllables(), {0: []}
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if start in best and word[start:end] in valid:
                candidate = best[start] + [word[start:end]]
                if end not in best or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best.get(len(word))


def looks_like_pinyin(text: str) -> bool:
    """Whether a message without Chinese characters is pinyin rather than English."""
    if _CJK.search(text):
        return False
    folded = strip_tones(text)
    words = _LETTERS.findall(folded)
    splits = [split_syllables(w) for w in words]
    if not words or None in splits:
        return False
    if folded != text.lower() and any(unicodedata.combining(c) for c in unicodedata.normalize("NFKD", text)):
        return True  # tone marks
    if all(w in ENGLISH for w in words):
        return False
    if re.search(r"\d", folded) and any(w in PARTICLES for w in words):
        return True  # "360 ne", "55 sui"
    return sum(len(s) for s in splits) >= 2


def spellings(word: str, limit: int = 8) -> list[str]:
    """The pinyin a Chinese word may be typed as (every reading of a heteronym, up to a limit)."""
    table = readings()
    options = [table.get(c) for c in word]
    if not word or any(o is None for o in options):
        return []
    spelled = ["".join(combo) for combo in itertools.islice(itertools.product(*options), limit)]
    if word.endswith("儿") and len(word) > 1:  # 哪儿 is typed nar as well as naer
        spelled += [s[:-2] + "r" for s in spelled if s.endswith("er")]
    return spelled


class Converter:
    """Pinyin back to Chinese, using a word list (the matcher's vocabulary and everyday words)."""

    def __init__(self, words, places=(), commonness=lambda word: 0.0):
        self.words: dict[str, str] = {}
        self.everyday: set[str] = set()
        self.placenames: set[str] = set()

        def weakest_first(word: str):  # longer, then more common words win a shared spelling, the same in every run
            return len(word), commonness(word), word

        for word in sorted(set(places), key=weakest_first):  # county names: only where no vocabulary word spells the same
            for spelling in spellings(word, limit=2):
                self.words[spelling] = word
                self.placenames.add(spelling)
        for word in sorted(set(words) - set(COMMON), key=weakest_first):
            for spelling in spellings(word):
                self.words[spelling] = word
                self.placenames.discard(spelling)
        for word in COMMON:  # everyday words win over rarer vocabulary of the same sound (在 over 再, 呢 over 哪)
            for spelling in spellings(word, limit=2):
                self.words[spelling] = word
                self.everyday.add(spelling)
                self.placenames.discard(spelling)
        self.longest = max((len(s) for s in self.words), default=0)

    def to_hanzi(self, text: str) -> str:
        """Each run of pinyin (spaces inside it ignored) as the known words it spells; the rest kept."""
        folded = strip_tones(text)
        return re.sub(r"[a-z]+(?:[\s']+[a-z]+)*", lambda m: self._convert(re.sub(r"[\s']+", "", m.group(0))), folded)

    def _convert(self, letters: str) -> str:
        """Fewest pieces: known words cost 1, a lone syllable 3, a stray letter 5."""
        valid = syllables()
        best: dict[int, tuple[float, list[str]]] = {0: (0, [])}
        for end in range(1, len(letters) + 1):
            for start in range(max(0, end - self.longest), end):
                if start not in best:
                    continue
                piece = letters[start:end]
                if piece in self.words:
                    cost = 0.9 if piece in self.everyday else 1.1 if piece in self.placenames else 1
                    out = self.words[piece]
                elif piece in valid:
                    cost, out = 3, f" {piece} "
                elif end - start == 1:
                    cost, out = 5, piece
                else:
                    continue
                total = best[start][0] + cost
                if end not in best or total < best[end][0]:
                    best[end] = (total, best[start][1] + [out])
        return "".join(best[len(letters)][1]) if len(letters) in best else letters

"""Chinese and Arabic numerals as farmers type them (四十五, 两千, 1千5), turned into integers."""

import re
import unicodedata
from decimal import Decimal

DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "俩": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "k": 1000, "万": 10000}

_RUN = re.compile(
    r"\d+\.\d+[kK千万](?![a-zA-Z])|\d+[kK](?![a-zA-Z])|"  # 1.8千, 1.5万, 2k
    + r"(?:\d|[%s%s])+" % ("".join(DIGITS), "".join(u for u in UNITS if u != "k"))
)


def _parse_run(run: str) -> int | None:
    """Value of one run such as 四十五, 1千5, 一九八零 or 2k; None when it holds no digit."""
    if re.fullmatch(r"\d+(\.\d+)?[kK]|\d+\.\d+[千万]", run):  # 2k, 1.5k, 1.8千, 1.5万
        return int(Decimal(run[:-1]) * (10000 if run[-1] == "万" else 1000))
    chars = [str(DIGITS[c]) if c in DIGITS else c for c in run.lower()]
    if not any(c.isdigit() for c in chars) and not any(c in UNITS for c in chars):
        return None
    if not any(c in UNITS for c in chars):
        return int("".join(chars))
    total, section, pending, last_unit = 0, 0, "", 0
    for c in chars:
        if c.isdigit():
            pending += c
            continue
        unit = UNITS[c]
        value = int(pending) if pending else (0 if unit == 10000 and section else 1)  # 十万: 万 multiplies the 十
        if unit == 10000:
            total += (section + value) * unit
            section = 0
        else:
            section += value * unit
        pending, last_unit = "", unit
    if pending:
        value = int(pending)
        # 1千5 is 1500 and 三百五 is 350: a lone digit after a unit counts in the next unit down.
        if len(pending) == 1 and last_unit >= 100 and pending != "0":
            value *= last_unit // 10
        section += value
    return total + section


def to_arabic(text: str) -> str:
    """The text with full-width digits folded and every numeral run written in Arabic digits."""
    text = unicodedata.normalize("NFKC", text)

    def replace(match: re.Match) -> str:
        value = _parse_run(match.group(0))
        return match.group(0) if value is None else str(value)

    return _RUN.sub(replace, text)


def parse_choice(text: str) -> int | None:
    """A menu choice: a message that is only a numeral ('2', '二', '２', '第2'), not '50岁' or '500元'."""
    cleaned = re.sub(r"^(第|选)|[\s.。!！]", "", unicodedata.normalize("NFKC", text.strip()))
    if not cleaned or len(cleaned) > 4 or not _RUN.fullmatch(cleaned):
        return None
    return parse_number(cleaned)


def parse_number(text: str) -> int | None:
    """The single number a short reply like '五百' or '1千5' stands for, else None."""
    cleaned = re.sub(r"\b(years?|yrs?|yuan|rmb|old|a year|per year)\b", "", to_arabic(text.strip()).lower())
    cleaned = re.sub(r"[\s,，元块档岁年号.。!！]", "", cleaned)
    cleaned = re.sub(r"^(第|选|是)", "", cleaned)
    return int(cleaned) if cleaned.isdigit() and len(cleaned) <= 9 else None

"""Message catalogues and Babel formatting of numbers, money and dates, per contact locale."""

import datetime
import functools
import re
from decimal import Decimal
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("zh-Hans", "en")  # the locales the service ships; keys of content bodies
BABEL_NAMES = {"zh-Hans": "zh_Hans_CN", "en": "en"}  # for number and date formats
CATALOG_NAMES = {"zh-Hans": "zh_Hans", "en": "en"}  # folder names under locales/
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def N_(message: str) -> str:
    """Mark a string for the catalogue; it is translated where it is used."""
    return message


def supported(locale: str | None) -> str | None:
    """The shipped locale a tag like 'zh', 'zh-CN', 'en-US' or 'zh_Hans' stands for."""
    if not locale:
        return None
    tag = locale.replace("_", "-").lower()
    if tag.startswith("zh"):
        return "zh-Hans"
    if tag.startswith("en"):
        return "en"
    return None


def detect_language(text: str) -> str | None:
    """The locale a message is written in, or None when it has no letters (digits, emoji)."""
    cjk, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    if cjk:
        return "zh-Hans"
    if latin >= 4:  # "ok", "abc" or "T" say nothing about the language
        return "en"
    return None


def negotiate(preference: str | None, text: str, previous: str | None, default: str) -> str:
    """Contact preference, then the message's language, then the last one used, then the default."""
    return supported(preference) or detect_language(text) or supported(previous) or supported(default) or "zh-Hans"


@functools.cache
def _catalog(locale: str) -> NullTranslations:
    """Compiled catalogue for locale, compiled in memory from the .po when the .mo is missing or stale."""
    folder = LOCALES_DIR / CATALOG_NAMES[locale] / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle)
    if not po.exists():
        return NullTranslations()
    import io

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=CATALOG_NAMES[locale])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


class Translator:
    """Everything a reply needs in one locale: gettext plus Babel number, money and date formats."""

    def __init__(self, locale: str):
        self.locale = supported(locale) or "zh-Hans"
        self.babel = Locale.parse(BABEL_NAMES[self.locale])
        self._catalog = _catalog(self.locale)

    def gettext(self, message: str, **params) -> str:
        """The translated message with %(name)s parameters filled in."""
        text = self._catalog.gettext(message)
        return text % params if params else text

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int, **params) -> str:
        """Plural-aware translation; n is also available as %(num)s."""
        text = self._catalog.ngettext(singular, plural, n)
        return text % {"num": self.number(n), **params}

    def number(self, value, places: int | None = None) -> str:
        """A number in the locale's format (Chinese SMS writes 4800, English 4,800); places fixes the decimals."""
        grouping = "" if self.locale == "zh-Hans" else "#,##"
        if places is None:
            return numbers.format_decimal(Decimal(str(value)), format=grouping + "0.##", locale=self.babel)
        pattern = grouping + "0" + ("." + "0" * places if places else "")
        return numbers.format_decimal(Decimal(str(value)), format=pattern, locale=self.babel, decimal_quantization=True)

    def money(self, amount, cents: bool = False) -> str:
        """Yuan as a farmer reads them: 200元 / CN¥200; cents shows 0.01 precision."""
        value = Decimal(str(amount))
        if self.locale == "zh-Hans":
            return self.number(value, 2 if cents else None) + self.gettext("yuan")
        pattern = "¤#,##0.00" if cents else "¤#,##0.##"
        return numbers.format_currency(value, "CNY", format=pattern, locale=self.babel, currency_digits=False)

    def money_list(self, amounts: list) -> str:
        """Several amounts with the currency said once: 500、600元 / CN¥500, 600."""
        plain = [self.number(a) for a in amounts]
        if self.locale == "zh-Hans":
            return "、".join(plain) + self.gettext("yuan")
        return self.money(amounts[0]) + "".join(", " + p for p in plain[1:])

    def percent(self, rate) -> str:
        """A rate such as 0.015 as 1.5%."""
        return numbers.format_percent(Decimal(str(rate)), format="#,##0.##%", locale=self.babel)

    def month_day(self, month_day: str) -> str:
        """A "09-01" policy date as 9月1日 / Sep 1."""
        month, day = (int(part) for part in month_day.split("-"))
        return dates.format_skeleton("MMMd", datetime.date(2000, month, day), locale=self.babel)

    def month(self, value: datetime.date) -> str:
        """A month of a year: 2027年3月 / Mar 2027."""
        return dates.format_skeleton("yMMM", value, locale=self.babel)

    def date(self, value: datetime.date) -> str:
        """A calendar date in the locale's medium format."""
        return dates.format_date(value, format="medium", locale=self.babel)

    def sentences(self, parts: list[str]) -> str:
        """Sentences run together the locale's way: no space between Chinese ones, one between English ones."""
        return ("" if self.locale == "zh-Hans" else " ").join(p for p in parts if p)

    def join(self, items: list[str]) -> str:
        """A list joined the way the locale lists things: 甲、乙和丙 is written 甲、乙、丙; a, b and c."""
        if self.locale == "zh-Hans" or len(items) < 2:
            return "、".join(items) if self.locale == "zh-Hans" else "".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]


@functools.cache
def translator(locale: str) -> Translator:
    """A shared Translator per locale."""
    return Translator(locale)

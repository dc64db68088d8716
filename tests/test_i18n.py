"""Catalogues and Babel formatting: every shipped locale has every message."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from nongbao.i18n import CATALOG_NAMES, LOCALES, detect_language, negotiate, translator

ROOT = Path(__file__).resolve().parent.parent
PARAMS = re.compile(r"%\((\w+)\)s")


def source_messages() -> set[str]:
    """Every message the code marks for translation, extracted as `make messages` does."""
    found = set()
    for folder in ("nongbao", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / folder, keywords={"_": None, "N_": None}):
            found.add(message)
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_shipped_locale_translates_every_message(locale):
    with open(ROOT / "locales" / CATALOG_NAMES[locale] / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - set(translated))
    assert not missing, f"{locale} lacks: {missing}"
    for message, string in translated.items():
        assert set(PARAMS.findall(message)) == set(PARAMS.findall(string)), f"{locale}: parameters differ in {message!r}"


def test_english_messages_stay_in_the_gsm_alphabet():
    from nongbao.segments import encoding_of

    t = translator("en")
    for message in source_messages():
        assert encoding_of(t.gettext(message)) == "GSM-7", message


def test_money_numbers_and_dates_are_formatted_by_babel_per_locale():
    zh, en = translator("zh-Hans"), translator("en")
    assert zh.money(Decimal("4800")) == "4800元" and en.money(Decimal("4800")) == "CN¥4,800"
    assert zh.money(Decimal("231.2"), cents=True) == "231.20元" and en.money(Decimal("231.2"), cents=True) == "CN¥231.20"
    assert zh.percent("0.015") == "1.5%"
    assert zh.month_day("09-01") == "9月1日" and en.month_day("09-01") == "Sep 1"
    assert en.date(datetime.date(2026, 12, 31)) == "Dec 31, 2026"


@pytest.mark.parametrize(
    ("preference", "text", "previous", "expected"),
    [("en", "养老保险", None, "en"), (None, "养老保险", "en", "zh-Hans"), (None, "pension please", None, "en"),
     (None, "1", "en", "en"), (None, "🙂", None, "zh-Hans")],
)  # fmt: skip
def test_locale_negotiation_prefers_the_contact_then_the_message_then_the_default(preference, text, previous, expected):
    assert negotiate(preference, text, previous, "zh-Hans") == expected


def test_language_detection_ignores_digits_and_emoji():
    assert detect_language("123") is None and detect_language("👍") is None
    assert detect_language("我45岁") == "zh-Hans" and detect_language("help") == "en"


def test_a_few_latin_letters_do_not_switch_a_chinese_conversation(api):
    api.send("+8613800000012", "养老保险分几档")
    assert api.send("+8613800000012", "ok")["locale"] == "zh-Hans"
    assert api.send("+8613800000012", "abc")["locale"] == "zh-Hans"

"""Switching the conversation's language; the choice sticks to the contact."""

import re

from nongbao.i18n import translator
from nongbao.turns import KEEP, Outcome, Turn


def target_locale(turn: Turn) -> str:
    """The language asked for (英文/English -> en, 中文/Chinese -> zh-Hans), else the other one."""
    text = turn.text.lower()
    wants_en = re.search(r"英文|英语|english", text)
    wants_zh = re.search(r"中文|汉语|普通话|chinese|mandarin|zhongwen", text)
    if wants_en and not wants_zh:
        return "en"
    if wants_zh and not wants_en:
        return "zh-Hans"
    return "en" if turn.locale == "zh-Hans" else "zh-Hans"


def switch(turn: Turn) -> Outcome:
    """Remember the language asked for and confirm in it."""
    locale = target_locale(turn)
    text = translator(locale).gettext("I will reply in English from now on. Reply MENU for the menu.")
    return Outcome(
        text, "language", state=KEEP if turn.state else None, locale=locale, ask_region=False, contact={"locale": locale}
    )

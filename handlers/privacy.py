"""Erasure asked for by the farmer: "删除我的信息" / "delete my data", confirmed with 确认删除 / CONFIRM DELETE.

The engine checks `requested` on every message, like a command word, before the open dialogue and
the matcher. The question and the confirmation are system interactions: their intent is "menu".
Only the confirmation words erase; a refusal says nothing was deleted; any other message drops the
request and is answered as usual.
"""

import re
import unicodedata

from nongbao.i18n import N_
from nongbao.turns import KEEP, Outcome, Turn

QUESTION = N_(
    "Do you want us to delete your number and all your messages? Reminders will stop and this cannot be undone. "
    "Reply CONFIRM DELETE to delete them."
)
DELETED = N_("Your number and your messages have been deleted, and reminders are off.")
NOT_DELETED = N_("Nothing was deleted.")

_OBJECT = r"(我的)?(所有|全部)?的?(个人)?(信息|数据|资料|记录|聊天记录|号码|手机号|手机号码|电话号码|账号|账户)"
_DELETE = r"(删除|删掉|删了|删去|清除|清空|注销|抹掉|销毁)"
_CHINESE = re.compile(
    rf"^(请|麻烦)?(你|您)?(帮我|给我)?(我要|我想|我想要|要)?({_DELETE}掉?{_OBJECT}|把?{_OBJECT}都?{_DELETE}掉?)(吧|谢谢)?$"
)
_ENGLISH = re.compile(
    r"^(please )?((delete|erase|remove|wipe|forget) (all )?(of )?my (personal )?"
    r"(data|info|information|details|number|phone number|records?|account|messages)|forget me|delete me)( please)?$"
)
NOTICE = N_(
    "We keep your number and messages only to answer you, to send reminders you agree to and to improve our answers; "
    "we never sell them. Reply DELETE MY DATA to erase them, STOP to end reminders."
)
RETENTION = N_("Message texts are deleted after %(days)s days.")
NOTICE_WORDS = frozenset(
    {"隐私", "隐私政策", "隐私说明", "隐私声明", "个人信息保护", "privacy", "privacy policy", "privacy notice"}
)
CONFIRM_WORDS = frozenset({"确认删除", "确定删除", "confirm delete", "confirm deletion", "confirm delete my data"})
# Words that look like a yes but are not the confirmation: the question is asked again.
NEAR_CONFIRM = frozenset(
    {"确认", "确定", "是", "是的", "对", "好", "好的", "删除", "删吧", "yes", "y", "ok", "confirm", "delete"}
)
REFUSE_WORDS = frozenset({"不", "不要", "不用", "否", "算了", "取消", "取消删除", "不删", "不删除", "no", "n", "keep", "don t"})


def _words(text: str) -> str:
    """Lower case, punctuation as single spaces (English); Chinese compares without spaces."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).lower()).strip()


def _key(text: str) -> str:
    words = _words(text)
    return words.replace(" ", "") if re.search(r"[\u4e00-\u9fff]", words) else words


def requested(text: str) -> bool:
    """Whether a whole message asks us to delete the farmer's data."""
    key = _key(text)
    return bool(key) and bool(_CHINESE.match(key) or _ENGLISH.match(key))


def notice_asked(text: str) -> bool:
    """Whether a whole message asks how the service uses the farmer's data (the word the first reply names)."""
    return _key(text) in NOTICE_WORDS


def notice(turn: Turn) -> Outcome:
    """What is kept, why, for how long, and how to erase it (China's Personal Information Protection Law)."""
    days = int(turn.config.get("MESSAGE_RETENTION_DAYS") or 0)
    retention = turn._(RETENTION, days=turn.t.number(days)) if days else ""
    return Outcome(turn.t.sentences([turn._(NOTICE), retention]), "menu", state=KEEP, ask_region=False)


def ask(turn: Turn) -> Outcome:
    """The request: ask for the confirmation within the dialogue."""
    return Outcome(turn._(QUESTION), "menu", state=("privacy", "confirm", {}), ask_region=False)


def resume(turn: Turn) -> Outcome | None:
    """The answer to the question: erase on the confirmation words only."""
    key = _key(turn.text)
    if key in CONFIRM_WORDS:
        turn.erase_contact()
        return Outcome(turn._(DELETED), "menu", ask_region=False)
    if key in NEAR_CONFIRM:
        return ask(turn)
    if key in REFUSE_WORDS:
        return Outcome(turn._(NOT_DELETED) + "\n" + turn._("Reply MENU for the menu."), "menu", ask_region=False)
    turn.state = None  # anything else drops the request (the dialogue ends) and is answered like any other message
    return None

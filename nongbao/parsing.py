"""What a farmer's message says, slot by slot (pure, no Flask).

One reading serves the estimate dialogue and the intent matcher's number signals, so both read
"俺52了，每年交600，交了8年" the same way: the age, the grade, the years paid. Facts are found
wherever they stand in the message, in any order, with or without units, in Chinese or Arabic
numerals; the dialogue adds what it asked ("asking") to read a bare answer such as "那就600吧".
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from .numerals import to_arabic

FACT_KEYS = ("age", "birth_year", "grade", "past_grade", "years_paid", "balance", "collective")

# Someone other than the farmer: an estimate for them never touches the farmer's own record.
_KIN = (
    r"媳妇儿?|老婆|老伴儿?|爱人|对象|老公|丈夫|俺男人|我男人|当家的|孩子他爹|孩子他妈|孩子他爸|俺娘|我娘|俺妈|我妈|老娘|老妈|母亲|俺爹|我爹|俺爸|我爸|老爹|老爸|父亲|"
    r"婆婆|公公|丈母娘|岳母|岳父|儿子|闺女|女儿|儿媳妇?|女婿|哥哥?|姐姐?|弟弟?|妹妹?|嫂子|大哥|大姐|奶奶|爷爷|姥姥|"
    r"\b(?:(?:my|his|her|our)\s+)?(?:wife|husband|mother|mom|mum|mam|mama|father|dad|papa|son|daughter|parents?|brother|sister|"
    r"grandma|grandpa|granny|grandmother|grandfather|auntie|uncle)\b"
)
_KIN_RE = re.compile(_KIN, re.IGNORECASE)
_KIN_AGE = re.compile(rf"(?:{_KIN})\s*(?:今年|现在|都|已经|是|is|,|，)?\s*(\d{{2}})(?![\d年块元档])", re.IGNORECASE)
_SELF = re.compile(
    r"(我|俺|咱)(自己|本人)|(^|[,，\s])(我|俺|咱)\s*(今年|都|已经|是)?\s*\d{2}\s*(岁|了)|\b(i am|i'm|im|myself)\b", re.IGNORECASE
)
_SELF_BEFORE = re.compile(r"(我|俺|咱|本人|今年|i\s*am|i'm|im)\s*(是|都|已经|也|才)?\s*$", re.IGNORECASE)
# "到60岁", "满60岁": the age asked about, not the age the person is.
_TARGET_BEFORE = re.compile(r"(到|满|等到|到了|过了|至|超过|以上|岁数到)\s*$")
_TARGET_AFTER = re.compile(r"^\s*(以后|之后|后|时候?|的时候|开始|退休|以上|那年|起)")
_CLAIM_WORDS = re.compile(r"^\s*(能领|可以领|才能领|领|拿)")
_AGE_UNIT = re.compile(r"(?<![\d.])(\d{2,3})\s*(多|来)?\s*(?:周岁|岁)")
_AGE_APPROX = re.compile(r"(?<![\d.])([2-9]0)\s*(多|来)(?=了|$|\s|,|，)")  # 五十多了, 四十来
_AGE_FORMS = (
    re.compile(r"\bi\s*(?:am|'m)\s*(?:now\s*)?(\d{2,3})\b(?!\s*(?:yuan|rmb|years?\s+(?:paid|of)))", re.IGNORECASE),
    re.compile(r"\bim\s*(\d{2})\b", re.IGNORECASE),
    re.compile(r"^[a-z'\s,]*,\s*([1-9]\d)\s*,", re.IGNORECASE),  # "im from linyi shandong, 38, want the lowest"
    re.compile(r"\b(?:he|she)(?:'s|s|\s+is)\s*(?:now\s*)?(\d{2})\b(?!\s*(?:yuan|rmb|years?\s+paid|%))", re.IGNORECASE),
    re.compile(r"\b(\d{2,3})\s*(?:years?|yrs?|y/?o)\s*old\b|\b(\d{2,3})\s*yo\b", re.IGNORECASE),
    re.compile(r"\b(?:aged?|age\s*is|age:?)\s*(\d{2,3})\b", re.IGNORECASE),
    re.compile(r"\b(?:is|turned?|turning)\s*(\d{2})\b(?!\s*(?:yuan|rmb|years?\s+paid|%))", re.IGNORECASE),
    re.compile(r"今年\s*(?:都|已经|才|整|满)?\s*(\d{2})(?![\d年块元档])"),
    re.compile(r"(?:年龄|岁数|年纪)\s*(?:是|有|:)?\s*(\d{2,3})(?![\d年块元档])"),
    re.compile(r"(?:他|她)\s*(?:今年|都|已经|是)?\s*(\d{2})(?![\d年块元档])"),
    re.compile(r"(?:我|俺|咱|本人)\s*(?:是|都|已经|也|才)?\s*(\d{2})(?=了|啦|岁|,|，|。|\s|$|的人)(?!年)"),
    re.compile(r"(?<![\d年交缴.])([1-9]\d)\s*(?:了|啦)(?!年)"),
)
_BIRTH = re.compile(
    r"(?:出生于|出生在|生于|出生年份?是?|出生年)\s*((?:19|20)\d\d)|((?:19|20)\d\d)\s*年?\s*(?:生|出生|的人|属)|born\s*(?:in\s*)?((?:19|20)\d\d)|((?:19|20)\d\d)\s*年的(?![\d])",
    re.IGNORECASE,
)
_SHORT_BIRTH = re.compile(r"(?<![\d.])([4-9]\d)\s*年\s*(?:生|出生|的)")  # 八三年的 -> 1983
_YEARS = (
    re.compile(
        r"(?:交|缴|缴费|交费|交钱|买|参保|paid|pay|paying|contributed)\s*(?:了|过|够|满|有|for)?\s*(\d{1,2})\s*(?:多|来)?\s*(?:个)?\s*(?:年|years?|yrs?)",
        re.IGNORECASE,
    ),
    re.compile(r"已(?:经)?(?:交|缴)?\s*(\d{1,2})\s*(?:多)?\s*年"),
    re.compile(r"(?:缴费年限|缴费年数|年限)\s*(?:是|有|:)?\s*(\d{1,2})"),
    re.compile(r"(?<![\d第])(\d{1,2})\s*(?:多)?\s*年了"),
    re.compile(r"(?<![\d第每])(\d{1,2})\s*(?:个)?年头"),
    re.compile(r"\b(\d{1,2})\s*(?:years?|yrs?)\s*(?:paid|already|so far|of paying|of contributions?|in)\b", re.IGNORECASE),
    re.compile(r"\bfor\s*(\d{1,2})\s*(?:years?|yrs?)\b", re.IGNORECASE),
    re.compile(r"\b(?:it'?s|its|it is)\s*(\d{1,2})\s*(?:years?|yrs?)\b", re.IGNORECASE),
)
_NEVER_PAID = re.compile(
    r"(从来?没|一直没|还没|都没|没有?|木有|未)(有)?\s*(开始)?\s*(交|缴|参保|买)(过|过钱)?|(一年|每年)都没(交|缴)|没(交|缴)过"
    r"|\bnever\s+(paid|pay|contributed|joined)|\b(haven'?t|have not|hasn'?t|has not|did ?n[o']?t)\s+(paid|pay|contributed|joined)(?!\s+(this|for this))"
    r"|\bnot\s+paid\s+(any|yet)|\bno\s+years|\bzero\s+years|^(0|零)\s*年?$|^none$|^never$",
    re.IGNORECASE,
)
_BALANCE = re.compile(
    r"(?:个人账户|账户|帐户|余额|账上|账里|存了|攒了|account|balance)[^\d]{0,10}?(\d+(?:\.\d+)?)\s*(?:多|来)?\s*(?:块|元|yuan|rmb)?",
    re.IGNORECASE,
)
_COLLECTIVE = re.compile(
    r"(?:集体补助|集体补贴|村集体|村[^\d，,。;；补]{0,5}补(?:助|贴)?|集体[^\d，,。;；补]{0,4}补(?:助|贴)?|collective(?:\s+subsidy)?"
    r"|village\s+(?:adds|gives|pays|puts in|tops up))[^\d]{0,8}(\d+(?:\.\d+)?)",
    re.IGNORECASE,
)
_NO_COLLECTIVE = re.compile(
    r"(村|集体)\S{0,3}(没有|没|不)\S{0,2}(补|给)|no collective|village (gives|pays) nothing", re.IGNORECASE
)
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_EN_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_EN_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
             "seventeen": 17, "eighteen": 18, "nineteen": 19}  # fmt: skip
_EN_NUMBER = re.compile(
    r"\b(%s)(?:[-\s](%s))?\b|\b(%s)\b" % ("|".join(_EN_TENS), "|".join(_EN_UNITS), "|".join(_EN_TEENS)), re.IGNORECASE
)
_PAST_WORDS = re.compile(
    r"以前|之前|原来|过去|前几年|前些年|以往|早先|头几年|那些年|这些年|一直"
    r"|\b(before|previously|used to|in the past|so far|been paying|has paid|have paid|was paying|were paying)\b",
    re.I,
)
_FUTURE_WORDS = re.compile(
    r"以后|今后|往后|将来|现在想|想交|想换|打算|准备|换成|换到|改成|改交|从现在|明年|\b(from now|in future|going forward|instead|want to|plan to|from next)\b",
    re.I,
)
_COMPARISON = re.compile(r"差多少|区别|差别|哪个|哪种|还是|比较|划算|\b(or|difference|compare|versus|vs)\b", re.I)
_GRADE_FORMS = (
    re.compile(r"(?:what about|how about|what if|\btry|\band|\bif)\s*(\d{3,5})(?!\s*(?:年|岁|years?|yrs?))", re.IGNORECASE),
    re.compile(r"(?<![\d.])(\d{3,5})\s*instead", re.IGNORECASE),
    re.compile(r"(?:档次|档位|grade|tier|level)\s*(?:是|选|为|of|is)?\s*(\d{3,5})(?!\s*(?:年|岁))", re.IGNORECASE),
    re.compile(r"(?<![\d.])(\d{3,5})\s*(?:每年|per year|a year|from now|going forward|from next year|in future)", re.IGNORECASE),
    re.compile(r"(\d{3,5})\s*(?:元|块钱?|档|的档|那档|一档|yuan|rmb|a year|per year|each year|/year|a yr)", re.IGNORECASE),
    re.compile(
        r"(?:交|缴|选|按|换成|换到|改成|改为|改交|换|升到|提到|降到|pay|paying|pick|choose|grade|tier|level|at|instead of|switch to|change to)"
        r"\s*(?:了|的都是|都是|的是|的|是|个|到|的话)?\s*(\d{3,5})(?!\s*(?:年|岁|years?|yrs?|多年))",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:每年|每个?年度|per year|a year|yearly|annually)\s*(?:都|就|只)?\s*(?:交|缴|pay)?\s*(?:了|的|是)?\s*(\d{3,5})(?!\s*(?:年|岁))",
        re.IGNORECASE,
    ),
    re.compile(r"(?<![\d.])(\d{3,5})\s*(?:的|呢|吧|行不|中不|怎么样|咋样)"),
)
_LOWEST = re.compile(
    r"最(低|少|便宜)(的|档|那档|一档|档次|那个)|最(低|少|便宜)[吧呢啊]?[?？!！。.]*$|\b(the\s+)?(lowest|cheapest|minimum|smallest)\b(?!\s+years?)",
    re.IGNORECASE,
)
_HIGHEST = re.compile(
    r"最(高|多|贵)(的|档|那档|一档|档次|那个)|最(高|多|贵)[吧呢啊]?[?？!！。.]*$|\b(the\s+)?(highest|top|maximum|biggest)\b(?!\s+years?)",
    re.IGNORECASE,
)
_PAY_UNTIL = re.compile(r"(?:交|缴|pay|paying)\s*(?:到|until|till|to)\s*(\d{2})\s*(?:岁|周岁)?", re.IGNORECASE)
_CORRECTION = re.compile(
    r"^\s*(刚才|刚刚|俺|我|哦|噢|啊)?\s*(不对|不是|错了|说错了|打错了|搞错了|弄错了|写错了|更正|改一下|应该是|其实|sorry|oops|no[,，]|actually|correction|i mean|i meant)",
    re.IGNORECASE,
)
_WHAT_IF = re.compile(
    r"呢[?？]*\s*$|要是|如果|假如|假设|换成|改成|改交|想换|what if|what about|instead|\bif i\b|how about|and if", re.IGNORECASE
)
_FILLER = re.compile(
    r"^(那就|那|就|好|嗯|行|那么|还是|是|选|交|我选|我交|要|俺是|我是|俺|我)?\s*(.+?)\s*(吧|呗|好了|就行|的|呢|啊|了|嘛|嘞|哩|啦|呀|哈)*[!！。.?？~～\s]*$"
)
_YES = re.compile(
    r"^(是|是的|对|对的|对呀|嗯|嗯嗯|中|行|好|好的|可以|没错|yes|y|yeah|yep|ok|okay|sure|right|correct)[!！。.~～\s]*$",
    re.IGNORECASE,
)
_NO = re.compile(r"^(不|不是|不对|没有|没|否|不要|不用|no|n|nope|not really)[!！。.~～\s]*$", re.IGNORECASE)
_SKIP = re.compile(
    r"^(俺|我)?(跳过|不知道|不晓得|不清楚|不记得了?|记不清了?|忘了|算了吧|skip|i? ?don'?t know|idk|dunno|not sure|no idea)[!！。.~～\s]*$",
    re.IGNORECASE,
)
# Answers that decline the county question (跳过, 不说, skip), shared by the menu and the county dialogue.
SKIP_COUNTY = re.compile(r"^(跳过|不说|不用了?|不知道|算了|不|否|skip|no|later|n/a)[!！。.~～\s]*$", re.IGNORECASE)
# "一年" is per year unless years are being counted ("交了一年").
_PER_YEAR = re.compile(r"(?<![了过交缴满够第零一二三四五六七八九十两])一年(?!多|半|了|的时间)")
_PER_MONTH = re.compile(r"(?<![了过第\d])一个月")


_RULE_QUESTION = re.compile(r"吗|么|[?？]|不\s*$|才能|就能|能不能|是不是")


@dataclass
class Reading:
    """Everything a message says that the dialogue can use; only what is there is set."""

    facts: dict = field(default_factory=dict)  # age, birth_year, grade, past_grade, years_paid, balance, collective
    approximate: set = field(default_factory=set)  # facts given loosely (五十多岁)
    grade_word: str | None = None  # "lowest" or "highest"
    subject: str | None = None  # "other" for a spouse or parent, "self" when the farmer speaks of themselves
    answer: str | None = None  # "yes", "no" or "skip"
    correction: bool = False  # 不对, 说错了, actually
    what_if: bool = False  # 要是, ...呢, what if, instead
    pay_until: int | None = None  # 交到65岁
    number: int | None = None  # the one number a short reply stands for
    who: str | None = None  # the relative spoken of (媳妇, 俺娘 -> 娘, my mum -> mum)
    never_paid: bool = False  # 没交过: years paid read as 0 from words, not a number

    def __bool__(self) -> bool:
        return bool(self.facts or self.grade_word or self.pay_until)


def normalize(text: str) -> str:
    """Folded, lower-cased text with numerals in Arabic digits; 一年 and 一个月 read as 每年, 每月."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # 3,500
    text = _EN_NUMBER.sub(_english_number, text)
    text = _PER_MONTH.sub("每月", _PER_YEAR.sub("每年", text))
    return to_arabic(text)


def _english_number(match: re.Match) -> str:
    """fifty-two -> 52, eighteen -> 18."""
    if match.group(3):
        return str(_EN_TEENS[match.group(3).lower()])
    return str(_EN_TENS[match.group(1).lower()] + (_EN_UNITS[match.group(2).lower()] if match.group(2) else 0))


def _int(match: re.Match | None) -> int | None:
    return int(next(g for g in match.groups() if g and g[0].isdigit())) if match else None


def _target(text: str, start: int, end: int, value: int) -> bool:
    """Whether 'N岁' at text[start:end] is an age asked about (到60岁, 60岁以后) rather than the person's."""
    before, after = text[:start], text[end:]
    if _SELF_BEFORE.search(before) or _KIN_RE.search(before[-8:]):
        return False
    if _TARGET_BEFORE.search(before) or _TARGET_AFTER.match(after):
        return True
    return value >= 55 and bool(_CLAIM_WORDS.match(after))


def _age(text: str, reading: Reading) -> int | None:
    for match in _AGE_UNIT.finditer(text):
        value = int(match.group(1))
        if _target(text, match.start(), match.end(), value):
            continue  # "60岁能领多少": an age asked about, not the person's
        if match.group(2):
            reading.approximate.add("age")
        return value
    approx = _AGE_APPROX.search(text)
    if approx and not re.match(r"\s*(块|元|档|年)", text[approx.end() :]):
        reading.approximate.add("age")
        return int(approx.group(1))
    kin = _KIN_AGE.search(text)
    if kin:
        return int(kin.group(1))
    for pattern in _AGE_FORMS:
        match = pattern.search(text)
        if match and not re.match(r"\s*(块|元|档|yuan|rmb)", text[match.end() :]):
            return _int(match)
    return None


def _birth_year(text: str) -> int | None:
    full = _int(_BIRTH.search(text))
    if full:
        return full
    short = _int(_SHORT_BIRTH.search(text))
    return 1900 + short if short else None


def _money(match: re.Match | None) -> Decimal | None:
    if not match:
        return None
    value = Decimal(match.group(1))
    return value if value == value.to_integral_value() else value.quantize(Decimal("0.01"))


def _strip(text: str, match: re.Match | None) -> str:
    """The text with a matched span blanked, so one number is not read twice."""
    if not match:
        return text
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def _grade_mentions(text: str) -> list[tuple[int, int]]:
    """Every (position, amount) the message gives as a yearly grade, in order."""
    found: dict[int, int] = {}
    for pattern in _GRADE_FORMS:
        for match in pattern.finditer(text):
            value, start = int(match.group(1)), match.start(1)
            if 1900 <= value <= 2030 and re.match(r"\s*年", text[match.end(1) :]):
                continue  # a year, not a grade
            found.setdefault(start, value)
    return sorted(found.items())


def _grades(text: str) -> tuple[int | None, int | None]:
    """(grade from now on, grade paid in past years): a clause with 以前/before holds the past one,
    one with 以后/想交/from now on the future one; two amounts without such words are a comparison."""
    mentions = _grade_mentions(text)
    amounts = list(dict.fromkeys(value for _, value in mentions))
    if not amounts:
        return None, None
    past = future = None
    for position, value in mentions:
        clause = _clause_around(text, position)
        if _PAST_WORDS.search(clause) and past is None:
            past = value
        elif _FUTURE_WORDS.search(clause) and future is None:
            future = value
    if len(amounts) == 1:
        return (None, amounts[0]) if past is not None and future is None else (amounts[0], None)
    if future is None and past is None:
        return (None, None) if _COMPARISON.search(text) else (amounts[0], None)
    if future is None:
        future = next((a for a in amounts if a != past), None)
    if past is None:
        past = next((a for a in amounts if a != future), None)
    return future, past


def _clause_around(text: str, position: int) -> str:
    marks = ",，。;；!！?？\n" + (" " if re.search(r"[\u3400-\u9fff]", text) else "")  # Chinese texters split clauses by spaces
    start = max(text.rfind(mark, 0, position) for mark in marks)
    ends = [i for i in (text.find(mark, position) for mark in marks) if i != -1]
    return text[start + 1 : min(ends) if ends else len(text)]


def read(text: str, this_year: int, asking: str | None = None) -> Reading:
    """The facts a message gives; `asking` (age, grade, years_paid) reads a bare number as that answer."""
    reading = Reading()
    normal = normalize(text)
    reading.correction = bool(_CORRECTION.search(normal))
    reading.what_if = bool(_WHAT_IF.search(normal))
    kin = _KIN_RE.search(normal)
    if kin:
        reading.subject = "other"
        reading.who = re.sub(r"^(俺|我|my|his|her|our)\s*", "", kin.group(0).strip())
    elif _SELF.search(normal):
        reading.subject = "self"
    facts = reading.facts
    rest = normal
    for key, pattern in (("balance", _BALANCE), ("collective", _COLLECTIVE)):
        match = pattern.search(rest)
        if match:
            facts[key] = _money(match)
            rest = _strip(rest, match)
    if "collective" not in facts and _NO_COLLECTIVE.search(rest):
        facts["collective"] = Decimal(0)
    until = _PAY_UNTIL.search(rest)
    if until:
        reading.pay_until = int(until.group(1))
        rest = _strip(rest, until)
    birth = _birth_year(rest)
    if birth and this_year - 100 <= birth <= this_year - 16:
        facts["birth_year"] = birth
    age = _age(rest, reading)
    if age is not None:
        facts["age"] = age
    elif birth and "birth_year" in facts:
        facts["age"] = this_year - birth
    asks_rule = bool(_RULE_QUESTION.search(rest))
    for pattern in _YEARS:
        match = pattern.search(rest)
        more = match and re.search(r"(再|还要|还得|还需|多)\s*$", rest[: match.start()])  # 再交一年: years to come
        if match and not more and not (asks_rule and re.search(r"(满|够)\s*\d", match.group(0))):  # 交满15年才能领吗
            facts["years_paid"] = int(match.group(1))
            rest = _strip(rest, match)
            break
    else:
        if _NEVER_PAID.search(rest) and not re.search(r"(吗|么|没有?\?|[?？])\s*$", rest.strip()):
            facts["years_paid"], reading.never_paid = 0, True
    grade, past = _grades(rest)
    if grade is not None:
        facts["grade"] = grade
    if past is not None:
        facts["past_grade"] = past
    if _LOWEST.search(normal):
        reading.grade_word = "lowest"
    elif _HIGHEST.search(normal):
        reading.grade_word = "highest"
    short = re.sub(r"^(不是|不对)\s*\d+\s*[,，。]?\s*", "", normal.strip())  # 不是53，是54
    short = re.sub(
        r"^((不对|不是|错了|说错了|改成|改为|应该是|是|actually|sorry|oops|no|nope)[,，。.!\s]*)*(i\s*meant?|i mean)?\s*",
        "",
        short,
    )
    bare = _FILLER.match(short)
    core = bare.group(2) if bare else ""
    core = re.sub(r"\s*(元|块钱?|档|岁|周岁|年|yuan|rmb|years?|yrs?|years? old)$", "", core.strip())
    if core.isdigit() and len(core) <= 5:
        reading.number = int(core)
        if asking == "age" and len(core) == 2 and re.search(r"\d\s*年", short):  # 75年: born in 1975
            reading.number = 1900 + int(core)
        _bare_answer(reading, asking, this_year)
    if _YES.match(normal):
        reading.answer = "yes"
    elif _SKIP.match(normal):
        reading.answer = "skip"
    elif _NO.match(normal):
        reading.answer = "no"
    if asking == "years_paid" and reading.answer == "no" and not facts:
        facts["years_paid"], reading.never_paid = 0, True  # 没有: none paid
    return reading


def _bare_answer(reading: Reading, asking: str | None, this_year: int):
    """A message that is one number answers the open question (50 -> age when the age was asked)."""
    number, facts = reading.number, reading.facts
    if facts:
        return
    if asking == "age":
        if 1900 <= number <= this_year:
            facts["birth_year"], facts["age"] = number, this_year - number
        else:
            facts["age"] = number
    elif asking == "years_paid" and 1900 <= number <= this_year:
        facts["birth_year"], facts["age"] = number, this_year - number  # a birth year, corrected while years were asked
    elif asking == "years_paid":
        facts["years_paid"] = number
    elif asking == "grade":
        facts["grade"] = number

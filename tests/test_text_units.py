"""Pure helpers: SMS segments, numerals, addresses and masking."""

import pytest

from nongbao import segments
from nongbao.numerals import parse_number, to_arabic
from nongbao.privacy import mask_address, mask_sensitive_numbers, normalize_address


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters cost two septets
        ("€" * 81, "GSM-7", 2),
        ("养" * 70, "UCS-2", 1),
        ("养" * 71, "UCS-2", 2),
        ("养" * 134, "UCS-2", 2),
        ("养" * 135, "UCS-2", 3),
        ("a" * 100 + "养", "UCS-2", 2),  # one Chinese character switches the whole message
        ("", "GSM-7", 0),
    ],
)
def test_segment_counts_follow_gsm7_and_ucs2_limits(text, encoding, parts):
    info = segments.count(text)
    assert (info.encoding, info.segments) == (encoding, parts)


def test_the_signature_counts_towards_the_segments():
    assert segments.segments("养" * 64) == 1
    assert segments.segments("养" * 65, "【农保助手】") == 2


def test_emoji_are_two_units_and_never_split_across_parts():
    assert segments.count("😀" * 35).units == 70
    assert segments.segments("😀" * 35) == 1
    assert segments.segments("a" + "😀" * 35) == 2  # 71 units: two parts, no emoji cut in half


def test_fit_cuts_a_long_reply_at_a_clean_break_within_the_limit():
    text = "第一句话说明情况。" * 30
    shown, rest = segments.fit(text, 3, suffix="（更多）")
    assert segments.segments(shown) <= 3 and shown.endswith("。（更多）")
    assert (shown[: -len("（更多）")] + rest).replace(" ", "") == text


@pytest.mark.parametrize(
    ("text", "number"),
    [("45", 45), ("四十五", 45), ("五百", 500), ("两千", 2000), ("1千5", 1500), ("一万二", 12000), ("三百五", 350),
     ("一百零五", 105), ("十", 10), ("十万", 100000), ("二十万", 200000), ("三万五", 35000), ("2k", 2000), ("1.5k", 1500), ("２", 2), ("第二", 2), ("500元", 500), ("一九八零", 1980), ("abc", None), ("", None)],
)  # fmt: skip
def test_chinese_and_arabic_numerals_parse(text, number):
    assert parse_number(text) == number


def test_numerals_inside_a_sentence_become_arabic():
    assert to_arabic("我四十五岁，每年交两千") == "我45岁,每年交2000"  # NFKC folds full-width punctuation too


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("13800138000", "+8613800138000"), ("+86 138-0013-8000", "+8613800138000"), ("008613800138000", "+8613800138000"),
     ("8613800138000", "+8613800138000"), ("+14155550100", "+14155550100"), ("wechat:abc123", "wechat:abc123")],
)  # fmt: skip
def test_addresses_normalise_to_e164(raw, normal):
    assert normalize_address(raw) == normal


def test_phone_numbers_are_masked_for_logs():
    assert mask_address("+8613800138000") == "+86138****8000"
    assert "abc123" not in mask_address("wechat:abc123")


def test_id_and_bank_numbers_are_masked_but_phone_numbers_and_amounts_are_not():
    text = "身份证44010219900101123X 卡号6222021234567890123 电话13800138000 交500元"
    masked = mask_sensitive_numbers(text)
    assert "44010219900101123X" not in masked and "123X" in masked
    assert "6222021234567890123" not in masked and "0123" in masked
    assert "13800138000" in masked and "500" in masked

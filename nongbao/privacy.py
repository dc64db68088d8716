"""Personal data hygiene: one address per farmer, and no ID or bank numbers kept or logged."""

import re

_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 15 to 19 digits, possibly grouped by spaces or dashes, with an optional final X of an ID card.
_LONG_NUMBER = re.compile(r"(?<![\d])(?:\d[ \-]?){14,18}[\dXx](?![\d])")


def normalize_address(address: str) -> str:
    """E.164 for phone numbers (mainland numbers without +86 get it); other ids are kept trimmed."""
    raw = address.strip()
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if _MAINLAND_MOBILE.match(digits):
        return "+86" + digits
    if re.fullmatch(r"86(1[3-9]\d{9})", digits):
        return "+" + digits
    if re.fullmatch(r"\+\d{6,15}", digits):
        return digits
    return raw


def mask_address(address: str) -> str:
    """A phone number fit for logs and staff lists: +86138****5678."""
    if re.fullmatch(r"\+\d{8,15}", address):
        return address[:-8] + "****" + address[-4:]
    if len(address) <= 4:
        return "****"
    return address[:2] + "****" + address[-2:]


def mask_sensitive_numbers(text: str) -> str:
    """Text with identity-card and bank-card numbers replaced by stars, keeping the last four."""

    def star(match: re.Match) -> str:
        chars = re.sub(r"[ \-]", "", match.group(0))
        return "*" * (len(chars) - 4) + chars[-4:]

    return _LONG_NUMBER.sub(star, text)

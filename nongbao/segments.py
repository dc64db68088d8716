"""SMS segment arithmetic: how many parts a reply costs, and cutting long replies cleanly."""

from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")  # each costs two septets (escape + char)
GSM7 = GSM7_BASIC | GSM7_EXTENDED
LIMITS = {"GSM-7": (160, 153), "UCS-2": (70, 67)}  # (single message, per part of a long one)
CLEAN_BREAKS = ("\n", "。", "！", "？", "；", ". ", "! ", "? ", "; ", "，", "、", ", ", " ")


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets or UTF-16 code units, signature included
    segments: int  # parts the phone receives


def encoding_of(text: str) -> str:
    """GSM-7 when every character is in the GSM alphabet, else UCS-2."""
    return "GSM-7" if set(text) <= GSM7 else "UCS-2"


def _unit_costs(text: str, encoding: str) -> list[int]:
    if encoding == "GSM-7":
        return [2 if c in GSM7_EXTENDED else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def count(text: str, signature: str = "") -> SegmentInfo:
    """Parts a message takes, counting the provider's signature; characters never straddle parts."""
    full = signature + text
    characters = set(full)
    if characters <= GSM7:
        encoding, wide = "GSM-7", characters & GSM7_EXTENDED
        units = len(full) + sum(full.count(c) for c in wide)
    else:
        encoding = "UCS-2"
        units = len(full.encode("utf-16-le")) // 2
        wide = units != len(full)  # characters beyond the BMP take two units
    single, per_part = LIMITS[encoding]
    if units <= single:
        return SegmentInfo(encoding, units, 1 if full else 0)
    if not wide:  # every character one unit: parts fill up exactly
        return SegmentInfo(encoding, units, -(-units // per_part))
    parts, used = 1, 0
    for cost in _unit_costs(full, encoding):
        if used + cost > per_part:
            parts, used = parts + 1, 0
        used += cost
    return SegmentInfo(encoding, units, parts)


def segments(text: str, signature: str = "") -> int:
    """Number of SMS parts for text (0 for an empty text without signature)."""
    return count(text, signature).segments


def fit(text: str, max_parts: int, signature: str = "", suffix: str = "") -> tuple[str, str]:
    """Split text into what fits in max_parts (with suffix appended) and the rest, at a clean break."""
    if segments(text, signature) <= max_parts:
        return text, ""
    low, high = 0, len(text)
    while low < high:  # longest prefix that fits with the suffix
        mid = (low + high + 1) // 2
        if segments(text[:mid].rstrip() + suffix, signature) <= max_parts:
            low = mid
        else:
            high = mid - 1
    head = text[:low]
    for mark in CLEAN_BREAKS:
        cut = head.rfind(mark)
        if cut > len(head) // 2:
            head = head[: cut + len(mark)]
            break
    return head.rstrip() + suffix, text[len(head) :].lstrip()

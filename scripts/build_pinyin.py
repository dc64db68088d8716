"""Build nongbao/data/pinyin.tsv: the toneless readings of the 6,763 GB 2312 characters, from pypinyin.

The web process reads this small table instead of importing pypinyin's full dictionary (about
50 MB and a second to load). Run after upgrading pypinyin: `.venv/bin/python scripts/build_pinyin.py`.
"""

import unicodedata
from importlib.metadata import version
from pathlib import Path

from pypinyin.pinyin_dict import pinyin_dict

TARGET = Path(__file__).resolve().parent.parent / "nongbao" / "data" / "pinyin.tsv"


def toneless(reading: str) -> str:
    """nǚ -> nv, xíng -> xing."""
    reading = reading.replace("ü", "v").replace("ǖ", "v").replace("ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    return "".join(c for c in unicodedata.normalize("NFKD", reading) if not unicodedata.combining(c))


def gb2312_characters():
    """Every hanzi of GB 2312 (rows 16-87), the characters in everyday use."""
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                yield bytes([row, cell]).decode("gb2312")
            except UnicodeDecodeError:
                continue


def main():
    lines = [f"# character<TAB>toneless readings; from pypinyin {version('pypinyin')} (scripts/build_pinyin.py)"]
    for char in gb2312_characters():
        readings = pinyin_dict.get(ord(char))
        if readings:
            unique = dict.fromkeys(toneless(r) for r in readings.split(","))
            lines.append(f"{char}\t{','.join(unique)}")
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} characters -> {TARGET}")


if __name__ == "__main__":
    main()

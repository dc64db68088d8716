"""nongbao.places: every province, prefecture and county of China, by code and by the names farmers write."""

import itertools

import pytest

from nongbao import places

# --- the data -------------------------------------------------------------------------------------


def test_levels_and_counts():
    everything = places.all_places()
    by_level = {level: [p for p in everything if p.level == level] for level in places.LEVELS}
    assert [p.code for p in by_level["country"]] == ["000000"]
    assert len(by_level["province"]) == 31  # the mainland's provinces, autonomous regions and municipalities
    assert 330 <= len(by_level["prefecture"]) <= 340
    assert 2800 <= len(by_level["county"]) <= 2900
    for place in everything:
        if place.code == "000000":
            continue
        assert len(place.code) == 6 and place.code.isdigit()
        parent = places.get(place.parent)
        assert parent is not None, place
        assert places.LEVELS.index(parent.level) < places.LEVELS.index(place.level)
        assert place.name not in ("市辖区", "县") and "直辖县级行政区划" not in place.name
        assert not 71 <= int(place.code[4:]) <= 79, place  # statistical development zones are not divisions
        assert place.name_en and place.name_en[0].isupper() and place.name_en.replace("ü", "u").isascii(), place
        assert all(len(s) >= 2 for s in place.short), place


def test_data_file_is_small_and_names_its_source():
    head = places.DATA.read_text(encoding="utf-8")[:1000]
    assert "china-division 2.7.0" in head
    assert places.DATA.stat().st_size < 500_000


def test_the_data_file_loads_every_county_level_place():
    data = places._Data(places.DATA)  # its load time is printed by `make bench`, not asserted here
    assert len(data.places) > 3000


# Places renamed or re-organised since 2015, as GB/T 2260 has them now; None: the code is gone.
RENAMED = [
    ("370116", "莱芜区", "山东省济南市莱芜区"),  # 莱芜市 merged into 济南市, 2019
    ("371200", None, None),
    ("130881", "平泉市", "河北省承德市平泉市"),  # 平泉县 -> 平泉市, 2017
    ("130823", None, None),
    ("411381", "邓州市", "河南省南阳市邓州市"),
    ("130503", "信都区", "河北省邢台市信都区"),  # 邢台县 -> 信都区, 2020
    ("130521", None, None),
    ("370114", "章丘区", "山东省济南市章丘区"),  # 章丘市 -> 章丘区, 2016
    ("370181", None, None),
    ("110118", "密云区", "北京市密云区"),  # 密云县 -> 密云区, 2015
    ("110228", None, None),
    ("120119", "蓟州区", "天津市蓟州区"),  # 蓟县 -> 蓟州区, 2016
    ("330383", "龙港市", "浙江省温州市龙港市"),  # new county-level city, 2019
    ("330113", "临平区", "浙江省杭州市临平区"),  # 余杭 split, 2021
    ("610482", "彬州市", "陕西省咸阳市彬州市"),  # 彬县 -> 彬州市, 2018
    ("520204", "水城区", "贵州省六盘水市水城区"),  # 水城县 -> 水城区, 2020
    ("520221", None, None),
    ("540600", "那曲市", "西藏自治区那曲市"),  # 那曲地区 -> 那曲市, 2017
    ("659011", "新星市", "新疆维吾尔自治区新星市"),  # 2021, under the region directly
    ("659012", "白杨市", "新疆维吾尔自治区白杨市"),  # 2023
    ("653228", "和康县", "新疆维吾尔自治区和田地区和康县"),  # 2024
    ("500156", "武隆区", "重庆市武隆区"),  # 武隆县 -> 武隆区, 2016
]


@pytest.mark.parametrize("code, name, full", RENAMED)
def test_renamed_places(code, name, full):
    place = places.get(code)
    assert (place.name if place else None) == name
    assert places.is_place(code) == (name is not None)
    if full:
        assert places.full_name(code) == full


# --- lookups --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, zh, en",
    [
        ("411381", "河南省南阳市邓州市", "Dengzhou, Nanyang, Henan"),
        ("411300", "河南省南阳市", "Nanyang, Henan"),
        ("410000", "河南省", "Henan"),
        ("110105", "北京市朝阳区", "Chaoyang, Beijing"),  # no prefecture level in the municipalities
        ("500229", "重庆市城口县", "Chengkou, Chongqing"),
        ("419001", "河南省济源市", "Jiyuan, Henan"),  # a county-level city under the province directly
        ("422800", "湖北省恩施土家族苗族自治州", "Enshi, Hubei"),
        ("441403", "广东省梅州市梅县区", "Meixian, Meizhou, Guangdong"),
        ("610100", "陕西省西安市", "Xi'an, Shaanxi"),
        ("140100", "山西省太原市", "Taiyuan, Shanxi"),
        ("150200", "内蒙古自治区包头市", "Baotou, Inner Mongolia"),
        ("000000", "全国", "China"),
        ("999999", "", ""),
    ],
)
def test_full_name(code, zh, en):
    assert places.full_name(code) == zh
    assert places.full_name(code, "zh-Hans") == zh
    assert places.full_name(code, "en") == en


def test_get_and_is_place():
    root = places.get("000000")
    assert (root.name, root.name_en, root.parent, root.level) == ("全国", "China", None, "country")
    assert places.is_place("000000")
    assert not places.is_place("999999") and places.get("999999") is None
    assert not places.is_place("110100")  # Beijing's 市辖区 pseudo-level is not a place
    dengzhou = places.get("411381")
    assert dengzhou == places.Place("411381", "411300", "county", "邓州市", "Dengzhou", ("邓州",), ())
    with pytest.raises(AttributeError):
        dengzhou.name = "x"  # frozen
    assert places.get("110000").parent == "000000"
    assert places.get("110108").parent == "110000"
    assert places.get("429004").parent == "420000"  # 仙桃: a province-administered city


@pytest.mark.parametrize(
    "code, short",
    [
        ("150000", ("内蒙古",)),
        ("450000", ("广西",)),
        ("540000", ("西藏",)),
        ("110000", ("北京",)),
        ("422800", ("恩施", "恩施州")),
        ("411381", ("邓州",)),
        ("441403", ("梅县",)),
        ("310115", ("浦东",)),
        ("420528", ("长阳", "长阳县")),  # 长阳土家族自治县
        ("150723", ("鄂伦春", "鄂伦春旗")),  # 鄂伦春自治旗: the people's name is the place's
        ("632324", ("河南县",)),  # 河南蒙古族自治县: 河南 alone is the province
        ("632500", ("海南州",)),
        ("220200", ()),  # 吉林市: 吉林 alone is the province
        ("320322", ()),  # 沛县: one character left, never a name alone
    ],
)
def test_short_names(code, short):
    assert places.get(code).short == short


def test_ancestors():
    assert [p.code for p in places.ancestors("411381")] == ["411300", "410000", "000000"]
    assert [p.code for p in places.ancestors("110105")] == ["110000", "000000"]
    assert [p.code for p in places.ancestors("410000")] == ["000000"]
    assert places.ancestors("000000") == [] and places.ancestors("999999") == []


def test_pinyin_names():
    expected = {"411381": "Dengzhou", "130500": "Xingtai", "211300": "Chaoyang", "140400": "Changzhi", "610000": "Shaanxi",
                "341500": "Lu'an", "340300": "Bengbu", "411100": "Luohe", "310112": "Minhang", "140428": "Zhangzi", "141100": "Lüliang"}  # fmt: skip
    assert {code: places.get(code).name_en for code in expected} == expected


# --- finding places in messages -------------------------------------------------------------------

# text -> the codes of the candidates, in order
FIND = [
    ("河南南阳邓州", ["411381"]),
    ("河南省南阳市邓州市", ["411381"]),
    ("南阳邓州市", ["411381"]),
    ("邓州的", ["411381"]),
    ("邓州", ["411381"]),
    ("dengzhou", ["411381"]),
    ("Dengzhou", ["411381"]),
    ("咱是周口沈丘", ["411624"]),
    ("俺是河北的 邢台", ["130500"]),
    ("河北邢台", ["130500"]),
    ("Xingtai, Hebei", ["130500"]),
    ("广东梅州梅县区", ["441403"]),
    ("梅县", ["441403"]),
    ("我在山东临沂", ["371300"]),
    ("石家庄", ["130100"]),
    ("Hebei", ["130000"]),  # the province, not Tianjin's 河北区
    ("河北", ["130000"]),
    ("内蒙古包头", ["150200"]),
    ("I live in Inner Mongolia", ["150000"]),
    ("广西", ["450000"]),
    ("恩施州", ["422800"]),
    ("湖北恩施", ["422800", "422801"]),  # the prefecture, or its seat 恩施市
    ("北京朝阳", ["110105"]),
    ("吉林朝阳", ["220104"]),
    ("辽宁朝阳", ["211300", "211321"]),
    ("北京海淀", ["110108"]),
    ("上海浦东", ["310115"]),
    ("重庆万州", ["500101"]),
    ("湖北仙桃", ["429004"]),
    ("济源", ["419001"]),
    ("中山", ["442000", "210202"]),  # 广东中山市, or 大连中山区
    ("我是北京东城的", ["110101"]),
    ("信阳新县", ["411523"]),  # not 阳新县 in 信阳|新县
    ("我家在河北省保定市易县", ["130633"]),
    ("沛县", ["320322"]),
    ("莱芜", ["370116"]),
    ("莱芜市", ["370116"]),  # the old city's name still finds the district
    ("平泉", ["130881"]),
    ("新疆和康县", ["653228"]),
    ("天津和平", ["120101"]),  # an ordinary word next to a place it lies in
    ("阳泉城区", ["140302"]),
    ("重庆长寿", ["500115"]),
    ("长寿区", ["500115"]),
    ("陕西安康", ["610900"]),
    ("安康市", ["610900"]),
    ("兰州城关区", ["620102"]),
    ("海南东方", ["469007"]),
    ("山东平原", ["371426"]),
    ("我在白云区", ["440111", "520113"]),
    ("广州白云", ["440111"]),
    ("在保定期间", ["130600"]),
    ("河南县", ["632324"]),
    ("我是海南州的", ["632500"]),
    ("Xi'an", ["610100", "220403", "231005"]),
    ("Shaanxi Ankang", ["610900"]),
    ("Lüliang", ["141100"]),
    ("Luliang", ["141100", "530322"]),  # 吕梁 or 陆良
    ("lvliang", ["141100"]),
    ("ｄｅｎｇｚｈｏｕ", ["411381"]),  # full-width letters
    ("我在长沙打工，老家是邵阳的", ["430100", "430500", "430121", "430523"]),
]


@pytest.mark.parametrize("text, codes", FIND)
def test_find(text, codes):
    hit = places.find(text)
    assert hit is not None, text
    assert [p.code for p in hit.candidates] == codes


def test_find_shared_name_offers_every_place_prefecture_first():
    hit = places.find("朝阳")
    codes = [p.code for p in hit.candidates]
    assert codes[0] == "211300"  # 辽宁朝阳市
    assert {"110105", "211321", "220104"} <= set(codes)
    levels = [places.LEVELS.index(p.level) for p in hit.candidates]
    assert levels == sorted(levels)
    assert hit.place is None
    assert places.find("邓州").place.code == "411381"


@pytest.mark.parametrize(
    "text, spans",
    [
        ("邓州的", [(0, 2)]),
        ("咱是周口沈丘", [(2, 4), (4, 6)]),
        ("河南南阳邓州", [(0, 2), (2, 4), (4, 6)]),
        ("广东梅州梅县区", [(0, 2), (2, 4), (4, 7)]),
        ("我想问邓州的养老金每月多少", [(3, 5)]),
        ("Xingtai, Hebei", [(0, 7), (9, 14)]),
    ],
)
def test_find_spans(text, spans):
    assert places.find(text).spans == spans


# Ordinary words and questions that name no place.
NOT_PLACES = [
    "城区", "新区", "郊区", "矿区", "市区", "开发区", "高新区", "和平", "长安", "新华", "永安", "太平", "安全", "中心",
    "东方", "白云", "龙华", "城关", "城关镇", "东方红", "长寿", "我长子在外打工", "安康", "祝您安康", "我们城区的",
    "在新区", "高新区上班", "我爸在永安", "新县", "互助", "比如说", "合作医疗", "武功", "惠民保怎么买",
    "确保定期领取", "每年交城乡居民养老保险", "和县里的人说", "保险规定", "缴费档次怎么选", "社保交了多少年",
    "领取养老金需要认证吗", "低保户能交吗", "大病保险报多少", "我想问一下养老金每个月领多少", "医保认证在哪里办",
    "交了15年能领多少", "补缴怎么弄", "今年的缴费档次有哪些", "新农合交多少钱", "城乡居民医保", "农村养老保险一年交多少",
    "去年没交今年能补吗", "江南", "商城", "平原", "河口", "中原", "南海", "六十岁以后能领多少", "死亡了账户里的钱怎么办", "残疾人有补贴吗", "平安保险",
    "guide", "yuan", "xian zai", "how much is the pension", "wo zai he nan", "", "   ", "12345",
]  # fmt: skip


@pytest.mark.parametrize("text", NOT_PLACES)
def test_not_places(text):
    assert places.find(text) is None


INSURANCE_WORDS = (
    "养老 医保 低保 大病 补缴 档次 缴费 认证 社保 交了 领取 养老金 保险 城乡 居民 农保 新农合 政府 补贴 年限 "
    "账户 个人 基础 每月 一年 多少 定期 规定 确保 办理 村委会 乡镇 县城 市区 户口 手续 证明 银行 存折 参保 "
    "退休 待遇 标准 提高 调整 一次性 继承 死亡 残疾 困难 五保 特困 重度 代缴 划算 交费 交钱 报销 住院 门诊 "
    "参保 续保 断缴 投保 统筹 补发 发放 到账 多久 怎么 可以 能不能 还是 我们 老人 孩子 父母 农民 农村 自己"
).split()


def test_no_place_in_pairs_of_insurance_words():
    found = {}
    for a, b in itertools.product(INSURANCE_WORDS, repeat=2):
        hit = places.find(a + b)
        if hit:
            found[a + b] = [p.name for p in hit.candidates]
    assert found == {}

"""Region policy files: load errors that name the file and key, inheritance, versions, the shipped files."""

import copy
from pathlib import Path

import pytest
import yaml

from nongbao import loader, regions
from nongbao.regions import RegionError

CONTENT_REGIONS = Path(__file__).resolve().parent.parent / "content" / "regions"
SHIPPED = {"440000", "441400", "441403", "130000", "370000"}
ALL_SHIPPED = {path.stem for path in (Path(__file__).resolve().parent.parent / "content" / "regions").glob("*.yaml")}

ROOT = {
    "code": "620000",
    "name": {"zh-Hans": "测试省", "en": "Test Province"},
    "parent": None,
    "pension": {
        "year": 2025,
        "claim_age": 60,
        "min_years": 15,
        "divisor": 139,
        "interest_rate": "0.015",
        "basic_pension": {"central": 143, "local": 30},
        "grades": [{"amount": 200, "subsidy": 30}, {"amount": 500, "subsidy": 60}],
        "window": {"start": "01-01", "end": "12-31"},
    },
}
COUNTY = {"code": "441499", "name": {"zh-Hans": "测试县"}, "parent": "441400", "contact": {"hotline": "0753-1234567"}}


def write(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def snapshot(store):
    return store.regions_in_force(), store.count("regions")


def root(**changes):
    data = copy.deepcopy(ROOT)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = data
        for part in parents:
            node = node[part]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value
    return data


_DELETE = object()

BAD_FILES = {
    "unknown-key": (root(pension__grade_table="x"), "pension.grade_table"),
    "unknown-top-key": ({**COUNTY, "pensoin": {}}, "pensoin"),
    "duplicate-grade": (
        root(pension__grades=[{"amount": 200, "subsidy": 30}, {"amount": 200, "subsidy": 30}]),
        "pension.grades[1].amount",
    ),  # fmt: skip
    "negative-subsidy": (root(pension__grades=[{"amount": 200, "subsidy": -30}]), "pension.grades[0].subsidy"),
    "negative-basic": (root(pension__basic_pension={"central": 143, "local": -5}), "pension.basic_pension.local"),
    "missing-parent": ({**COUNTY, "parent": "449999"}, "parent"),
    "missing-divisor": (root(pension__divisor=_DELETE), "pension.divisor"),
    "missing-grades": (root(pension__grades=_DELETE), "pension.grades"),
    "missing-pension": (root(pension=_DELETE), "pension"),
    "missing-name": (root(name=_DELETE), "name"),
    "missing-basic-local": (root(pension__basic_pension={"central": 143}), "pension.basic_pension.local"),
}


@pytest.mark.parametrize("data, key", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_region_file_raises_naming_file_and_key_and_changes_nothing(store, tmp_path, data, key):
    path = write(tmp_path, "bad.yaml", data)
    before = snapshot(store)
    with pytest.raises(RegionError) as problem:
        loader.load(store, [path])
    message = str(problem.value)
    assert str(path) in message
    assert key in message
    assert problem.value.key == key
    assert snapshot(store) == before


@pytest.mark.parametrize("folder", ["", "regions"], ids=["any-folder", "regions-folder"])
def test_root_region_missing_code_names_the_code_key(store, tmp_path, folder):
    (tmp_path / folder).mkdir(exist_ok=True)
    path = write(tmp_path / folder, "nocode.yaml", root(code=_DELETE))
    before = snapshot(store)
    with pytest.raises(RegionError) as problem:
        loader.load(store, [path])
    assert str(path) in str(problem.value) and problem.value.key == "code"
    assert snapshot(store) == before


def test_parent_cycle_across_two_files_is_an_error_and_changes_nothing(store, tmp_path):
    a = write(tmp_path, "a.yaml", {**COUNTY, "code": "441498", "name": {"zh-Hans": "甲县"}, "parent": "441497"})
    b = write(tmp_path, "b.yaml", {**COUNTY, "code": "441497", "name": {"zh-Hans": "乙县"}, "parent": "441498"})
    before = snapshot(store)
    with pytest.raises(RegionError) as problem:
        loader.load(store, [a, b])
    message = str(problem.value)
    assert str(a) in message or str(b) in message
    assert problem.value.key == "parent"
    assert "cycle" in message
    assert snapshot(store) == before


def test_parent_cycle_through_the_database_names_the_file_being_loaded(store, tmp_path):
    province = yaml.safe_load((CONTENT_REGIONS / "440000.yaml").read_text(encoding="utf-8"))
    province["parent"] = "441403"  # 440000 -> 441403 -> 441400 -> 440000
    path = write(tmp_path, "440000.yaml", province)
    before = snapshot(store)
    with pytest.raises(RegionError) as problem:
        loader.load(store, [path])
    assert snapshot(store) == before
    assert problem.value.key == "parent"
    assert str(path) in str(problem.value), str(problem.value)


def test_zero_divisor_is_a_load_error(store, tmp_path):
    path = write(tmp_path, "county.yaml", {**COUNTY, "pension": {"divisor": 0}})
    before = snapshot(store)
    with pytest.raises(RegionError) as problem:
        loader.load(store, [path])
    assert problem.value.key == "pension.divisor"
    assert snapshot(store) == before


def test_a_bad_file_among_good_ones_loads_none_of_them(store, tmp_path):
    good = write(tmp_path, "a_good.yaml", COUNTY)
    bad = write(tmp_path, "b_bad.yaml", root(pension__grades=[{"amount": 200, "subsidy": -1}]))
    before = snapshot(store)
    with pytest.raises(RegionError) as problem:
        loader.load(store, [good, bad])
    assert str(bad) in str(problem.value)
    assert snapshot(store) == before
    assert "441499" not in store.regions_in_force()


def test_the_same_code_in_two_files_is_an_error(store, tmp_path):
    one = write(tmp_path, "one.yaml", COUNTY)
    two = write(tmp_path, "two.yaml", COUNTY)
    before = snapshot(store)
    with pytest.raises(RegionError) as problem:
        loader.load(store, [one, two])
    assert str(two) in str(problem.value) and problem.value.key == "code"
    assert snapshot(store) == before


# Inheritance, through the API's effective policy


def test_county_with_only_code_name_parent_contact_inherits_the_pension(store, api, tmp_path):
    loader.load(store, [write(tmp_path, "county.yaml", COUNTY)])
    response = api.get("/api/v1/regions/441499")
    assert response.status_code == 200
    policy = response.get_json()
    province = api.get("/api/v1/regions/440000").get_json()
    assert policy["pension"] == province["pension"]
    assert [g["amount"] for g in policy["pension"]["grades"]] == ["180", "240", "360", "600", "900", "1200", "1800",
                                                                 "3600", "4800"]  # fmt: skip
    assert policy["pension"]["basic_pension"] == {"central": "143", "local": "92"}
    assert policy["contact"]["hotline"] == "0753-1234567"
    assert policy["contact"]["office"] == province_office(api)  # mapping merged key by key from 梅州市


def province_office(api):
    return api.get("/api/v1/regions/441400").get_json()["contact"]["office"]


def test_county_mappings_merge_key_by_key_and_lists_replace_whole(store, api, tmp_path):
    county = {**COUNTY, "pension": {"basic_pension": {"local": 60}, "grades": [{"amount": 300, "subsidy": 40},
                                                                               {"amount": 700, "subsidy": 70}]}}  # fmt: skip
    loader.load(store, [write(tmp_path, "county.yaml", county)])
    pension = api.get("/api/v1/regions/441499").get_json()["pension"]
    assert pension["basic_pension"] == {"central": "143", "local": "60"}
    assert pension["grades"] == [{"amount": "300", "subsidy": "40"}, {"amount": "700", "subsidy": "70"}]
    assert pension["long_service"] == {"after_years": 15, "per_year": "3"}
    assert pension["divisor"] == 139


def test_code_name_and_parent_are_not_inherited(store, api, tmp_path):
    # 441403 has parent 441400 and an English name; its child gives only a Chinese name.
    child = {"code": "441496", "name": {"zh-Hans": "测试镇"}, "parent": "441403"}
    loader.load(store, [write(tmp_path, "child.yaml", child)])
    policy = api.get("/api/v1/regions/441496").get_json()
    assert policy["code"] == "441496"
    assert policy["parent"] == "441403"
    assert policy["name"] == {"zh-Hans": "测试镇"}
    listed = {r["code"]: r for r in api.get("/api/v1/regions").get_json()["regions"]}
    assert listed["441496"]["parent"] == "441403"
    assert listed["441496"]["name"] == {"zh-Hans": "测试镇"}


def test_effective_policy_of_the_default_region_comes_from_its_province(api):
    policy = api.get("/api/v1/regions/441403").get_json()
    assert policy["code"] == "441403" and policy["parent"] == "441400"
    assert policy["name"]["zh-Hans"] == "梅县区"
    assert policy["pension"]["long_service"] == {"after_years": 15, "per_year": "3"}
    assert "梅县区" in policy["contact"]["office"]["zh-Hans"]


def test_unknown_region_is_404(api):
    response = api.get("/api/v1/regions/999999")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_region"


# Versions


def test_loading_an_identical_file_twice_creates_no_new_version(store, tmp_path):
    path = write(tmp_path, "county.yaml", COUNTY)
    first = loader.load(store, [path])
    assert first.created == ["region 441499"]
    before = snapshot(store)
    again = loader.load(store, [path])
    assert again.created == [] and again.unchanged == 1
    assert snapshot(store) == before
    assert store.region_row("441499")["version"] == 1


def test_loading_a_changed_file_creates_version_2_which_is_in_force(store, api, tmp_path):
    path = write(tmp_path, "441403.yaml", yaml.safe_load((CONTENT_REGIONS / "441403.yaml").read_text(encoding="utf-8")))
    assert loader.load(store, [path]).created == []  # same values as the shipped file
    changed = yaml.safe_load(path.read_text(encoding="utf-8"))
    changed["contact"]["hotline"] = "0753-2271133"
    count = store.count("regions")
    report = loader.load(store, [write(tmp_path, "441403.yaml", changed)])
    assert report.created == ["region 441403"]
    assert store.count("regions") == count + 1
    assert store.region_row("441403")["version"] == 2
    assert store.regions_in_force()["441403"]["contact"]["hotline"] == "0753-2271133"
    assert api.get("/api/v1/regions/441403").get_json()["contact"]["hotline"] == "0753-2271133"


# The shipped regions


def test_every_shipped_region_is_listed_by_the_api(api):
    response = api.get("/api/v1/regions")
    assert response.status_code == 200
    listed = {r["code"]: r for r in response.get_json()["regions"]}
    assert SHIPPED <= set(listed)
    assert listed["441403"]["parent"] == "441400"
    assert listed["441400"]["parent"] == "440000"
    assert listed["440000"]["parent"] == "000000" and listed["000000"]["parent"] is None
    assert listed["441403"]["name"]["zh-Hans"] == "梅县区"


@pytest.mark.parametrize("path", sorted(CONTENT_REGIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_region_file_validates(path):
    region = regions.read_file(path)
    assert region["code"] == path.stem


def test_every_shipped_region_resolves_to_a_complete_policy(store):
    effective = regions.resolve({code: regions.read_file(CONTENT_REGIONS / f"{code}.yaml") for code in ALL_SHIPPED})
    assert set(effective) == ALL_SHIPPED
    for code, policy in effective.items():
        regions.check_complete(policy, code)


def test_reloading_the_shipped_regions_changes_nothing(store):
    before = snapshot(store)
    report = loader.load(store, [CONTENT_REGIONS])
    assert report.created == [] and report.unchanged == len(ALL_SHIPPED)
    assert snapshot(store) == before


# The CLI


def test_cli_content_load_with_a_bad_file_exits_nonzero_naming_file_and_key(runner, store, tmp_path):
    path = write(tmp_path, "bad.yaml", root(pension__grades=[{"amount": 200, "subsidy": -30}]))
    before = snapshot(store)
    result = runner.invoke(args=["content", "load", str(path)])
    assert result.exit_code != 0
    assert str(path) in result.output
    assert "pension.grades[0].subsidy" in result.output
    assert snapshot(store) == before


def test_cli_content_load_with_a_good_file_reports_the_new_version(runner, store, tmp_path):
    result = runner.invoke(args=["content", "load", str(write(tmp_path, "county.yaml", COUNTY))])
    assert result.exit_code == 0, result.output
    assert "region 441499" in result.output
    assert "441499" in store.regions_in_force()


def test_an_unknown_time_zone_is_a_load_error(store, tmp_path):
    path = tmp_path / "tz.yaml"
    path.write_text('code: "441499"\nname: {zh-Hans: 测试县}\nparent: "441400"\ntimezone: Mars/Base\n', encoding="utf-8")
    with pytest.raises(RegionError) as problem:
        loader.load(store, [path])
    assert "tz.yaml" in str(problem.value) and "timezone" in str(problem.value)


def test_a_code_written_twice_is_a_load_error(store, tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text('code: "441499"\ncode: "441498"\nname: {zh-Hans: 测试县}\nparent: "441400"\n', encoding="utf-8")
    with pytest.raises(Exception) as problem:
        loader.load(store, [path])
    assert "dup.yaml" in str(problem.value) and "twice" in str(problem.value)


# The new fields: scheme_start, age_extra, pay_past_claim_age_until, unconfirmed, sources


def test_new_pension_fields_and_marks_validate_and_are_kept():
    data = root(
        pension__scheme_start=2010,
        pension__age_extra=[{"from_age": 65, "per_month": 10}, {"from_age": 75, "per_month": 20}],
        pension__catchup={"arrears_allowed": False, "pay_past_claim_age_until": 65},
    )
    data["unconfirmed"] = ["pension.basic_pension.local", "medical", "pension.window"]
    data["sources"] = {"pension.basic_pension.local": "某省人社厅通知（2024-07-01）"}
    region = regions.validate(data, "x.yaml")
    assert region["pension"]["scheme_start"] == 2010
    assert region["pension"]["age_extra"] == [{"from_age": 65, "per_month": "10"}, {"from_age": 75, "per_month": "20"}]
    assert region["pension"]["catchup"]["pay_past_claim_age_until"] == 65
    assert region["unconfirmed"] == ["pension.basic_pension.local", "medical", "pension.window"]
    assert region["sources"] == {"pension.basic_pension.local": "某省人社厅通知（2024-07-01）"}
    none = regions.validate(root(pension__catchup={"pay_past_claim_age_until": None}), "x.yaml")
    assert none["pension"]["catchup"] == {"pay_past_claim_age_until": None}


def _with(key, value, **changes):
    data = root(**changes)
    data[key] = value
    return data


NEW_BAD_FILES = {
    "old-flag": (root(pension__catchup={"pay_past_claim_age": True}), "pension.catchup.pay_past_claim_age"),
    "until-not-an-age": (root(pension__catchup={"pay_past_claim_age_until": "65"}), "pension.catchup.pay_past_claim_age_until"),
    "until-below-claim-age": (root(pension__catchup={"pay_past_claim_age_until": 55}), "pension.catchup.pay_past_claim_age_until"),
    "scheme-start-text": (root(pension__scheme_start="2010"), "pension.scheme_start"),
    "scheme-start-not-a-year": (root(pension__scheme_start=10), "pension.scheme_start"),
    "age-extra-falling": (
        root(pension__age_extra=[{"from_age": 75, "per_month": 20}, {"from_age": 65, "per_month": 10}]),
        "pension.age_extra[1].from_age",
    ),
    "age-extra-missing": (root(pension__age_extra=[{"from_age": 65}]), "pension.age_extra[0].per_month"),
    "age-extra-negative": (root(pension__age_extra=[{"from_age": 65, "per_month": -1}]), "pension.age_extra[0].per_month"),
    "unconfirmed-unknown": (_with("unconfirmed", ["pension.basic_pension.locale"]), "unconfirmed[0]"),
    "unconfirmed-not-a-list": (_with("unconfirmed", "medical"), "unconfirmed"),
    "unconfirmed-code": (_with("unconfirmed", ["code"]), "unconfirmed[0]"),
    "sources-unknown": (_with("sources", {"pension.rate": "x"}), "sources.pension.rate"),
    "sources-not-a-mapping": (_with("sources", ["pension.interest_rate"]), "sources"),
    "sources-empty-text": (_with("sources", {"medical": ""}), "sources.medical"),
}  # fmt: skip


@pytest.mark.parametrize("data, key", NEW_BAD_FILES.values(), ids=NEW_BAD_FILES.keys())
def test_bad_new_fields_are_load_errors_naming_the_key(store, tmp_path, data, key):
    path = write(tmp_path, "bad.yaml", data)
    before = snapshot(store)
    with pytest.raises(RegionError) as problem:
        loader.load(store, [path])
    assert problem.value.key == key and str(path) in str(problem.value)
    assert snapshot(store) == before


def test_the_old_flag_names_its_replacement():
    with pytest.raises(RegionError) as problem:
        regions.validate(root(pension__catchup={"pay_past_claim_age": True}), "x.yaml")
    assert "pay_past_claim_age_until" in problem.value.message


def test_no_shipped_region_uses_the_old_flag():
    for path in CONTENT_REGIONS.glob("*.yaml"):
        assert "pay_past_claim_age:" not in path.read_text(encoding="utf-8"), path


# Marks: own plus the ancestors' on inherited values


PROVINCE = _with(
    "sources",
    {"pension.basic_pension.local": "province notice 2024", "medical": "national notice", "pension.window": "guide"},
    pension__scheme_start=2010,
)
PROVINCE["unconfirmed"] = ["pension.basic_pension.local", "pension.interest_rate", "medical", "contact"]
PROVINCE["medical"] = {"year": 2025, "individual": 400, "subsidy": 670}
PROVINCE["contact"] = {"hotline": "12333", "office": {"zh-Hans": "省社保局"}}
CITY = {
    "code": "620100",
    "name": {"zh-Hans": "测试市"},
    "parent": "620000",
    "pension": {"basic_pension": {"local": 40}},
    "medical": {"individual": 420},
    "contact": {"hotline": "0931-1234567"},
    "unconfirmed": ["pension.window"],
    "sources": {"pension.basic_pension.local": "city notice 2025"},
}
TOWN = {"code": "620102", "name": {"zh-Hans": "测试区"}, "parent": "620100", "pension": {"scheme_start": 2011}}


def resolved(*regions_):
    own = {r["code"]: regions.validate(copy.deepcopy(r), r["code"]) for r in regions_}
    return regions.resolve(own)


def test_a_region_without_parent_has_its_own_marks_and_the_default_catchup():
    effective = resolved(PROVINCE)["620000"]
    assert effective["unconfirmed"] == ["contact", "medical", "pension.basic_pension.local", "pension.catchup",
                                        "pension.interest_rate"]  # fmt: skip
    assert effective["sources"]["medical"] == "national notice"


def test_a_value_set_below_drops_the_ancestors_marks_and_sources_under_it():
    effective = resolved(PROVINCE, CITY)["620100"]
    # local is set by the city: the province's mark and source on it go; the city's own source replaces it.
    # medical and contact are marked whole by the province and partly set by the city: the keys the city
    # still inherits stay marked. The city's own mark is added; scheme_start is inherited, so unconfirmed.
    assert effective["unconfirmed"] == ["contact.office", "medical.subsidy", "medical.year", "pension.catchup",
                                        "pension.interest_rate", "pension.scheme_start", "pension.window"]  # fmt: skip
    assert effective["sources"] == {"medical.subsidy": "national notice", "medical.year": "national notice",
                                    "pension.basic_pension.local": "city notice 2025", "pension.window": "guide"}  # fmt: skip
    assert effective["pension"]["basic_pension"] == {"central": "143", "local": "40"}  # values merge as before


def test_marks_pass_down_a_chain_and_a_scheme_start_set_here_is_confirmed():
    everything = resolved(PROVINCE, CITY, TOWN)
    town = everything["620102"]
    assert "pension.scheme_start" not in town["unconfirmed"]  # the town sets its own
    assert "pension.window" in town["unconfirmed"] and "medical.year" in town["unconfirmed"]  # from the city
    own = [regions.validate(copy.deepcopy(r), r["code"]) for r in (PROVINCE, CITY, TOWN)]
    assert regions.chain_marks(own) == (town["unconfirmed"], town["sources"])


def test_a_written_catchup_is_not_unconfirmed_and_covers_its_children():
    province = copy.deepcopy(PROVINCE)
    province["pension"]["catchup"] = {"arrears_allowed": True}
    everything = resolved(province, CITY)
    assert "pension.catchup" not in everything["620000"]["unconfirmed"]
    assert "pension.catchup" not in everything["620100"]["unconfirmed"]


def test_a_place_without_a_file_inherits_the_scheme_start_as_unconfirmed():
    province = resolved(PROVINCE)["620000"]
    assert "pension.scheme_start" not in province["unconfirmed"]
    county = regions.as_inherited(province)
    assert "pension.scheme_start" in county["unconfirmed"]
    assert county["pension"] == province["pension"] and county["sources"] == province["sources"]


def test_marks_reach_the_estimate_through_the_effective_policy():
    from nongbao.estimator import PensionPolicy

    policy = PensionPolicy.from_region(resolved(PROVINCE, CITY)["620100"])
    assert "pension.interest_rate" in policy.unconfirmed and "pension.basic_pension.local" not in policy.unconfirmed
    assert policy.scheme_start == 2010


def test_shipped_regions_resolve_with_marks(store):
    effective = regions.resolve({code: regions.read_file(CONTENT_REGIONS / f"{code}.yaml") for code in ALL_SHIPPED})
    for policy in effective.values():
        assert isinstance(policy["unconfirmed"], list) and isinstance(policy["sources"], dict)

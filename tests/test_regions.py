"""Region policy files: load errors that name the file and key, inheritance, versions, the shipped files."""

import copy
from pathlib import Path

import pytest
import yaml

from nongbao import loader, regions
from nongbao.regions import RegionError

CONTENT_REGIONS = Path(__file__).resolve().parent.parent / "content" / "regions"
SHIPPED = {"440000", "441400", "441403", "130000", "370000"}

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
    assert listed["440000"]["parent"] is None
    assert listed["441403"]["name"]["zh-Hans"] == "梅县区"


@pytest.mark.parametrize("path", sorted(CONTENT_REGIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_region_file_validates(path):
    region = regions.read_file(path)
    assert region["code"] == path.stem


def test_every_shipped_region_resolves_to_a_complete_policy(store):
    effective = regions.resolve({code: regions.read_file(CONTENT_REGIONS / f"{code}.yaml") for code in SHIPPED})
    assert set(effective) == SHIPPED
    for code, policy in effective.items():
        regions.check_complete(policy, code)


def test_reloading_the_shipped_regions_changes_nothing(store):
    before = snapshot(store)
    report = loader.load(store, [CONTENT_REGIONS])
    assert report.created == [] and report.unchanged == len(SHIPPED)
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

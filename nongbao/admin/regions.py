"""Admin pages: regions. A region's own policy as YAML with the loader's validation, its `unconfirmed` and `sources`
marks, the effective (inherited) values, a confirm button per unconfirmed figure, and import and export of region
files. Only places the account covers; editors change them, viewers read them."""

import io
import json
import zipfile

import yaml
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import places, regions, yamlfiles
from ..content import is_unconfirmed
from ..i18n import LOCALES
from ..library import Library, library
from ..regions import RegionError
from ..web import now, store
from . import bp
from .auth import audit, require_edit, require_view
from .topics import _download, describe, dump_yaml, place_label, staff_provenance, upload_page

FILE_ORDER = ("code", "name", "parent", "pension", "medical", "contact", "timezone", "unconfirmed", "sources")


def _own(code: str) -> dict | None:
    """A region's own values in force (with its marks), or None when it has no file of its own."""
    row = store().region_row(code)
    return json.loads(row["data"]) if row else None


def canonical(own: dict) -> dict:
    """Own values in the order a region file is written (names: Chinese first, as the shipped files write them, so
    that saving or loading the same values again makes no new version)."""
    ordered = {key: own[key] for key in FILE_ORDER if key in own}
    result = {**ordered, **{k: v for k, v in own.items() if k not in ordered}}
    if isinstance(result.get("name"), dict):
        names = result["name"]
        result["name"] = {**{loc: names[loc] for loc in LOCALES if loc in names}, **names}
    return result


region_file = canonical


def _nearest_region(lib: Library, code: str) -> str | None:
    return next((p.code for p in places.ancestors(code) if p.code in lib.regions), None)


def _template(lib: Library, code: str) -> dict:
    """The start of a new region file for a place without one: its code, names and nearest region as parent."""
    place = places.get(code)
    return {"code": code, "name": {"zh-Hans": place.name, "en": place.name_en}, "parent": _nearest_region(lib, code)}


def _policy_text(own: dict) -> str:
    return dump_yaml(region_file({k: v for k, v in own.items() if k not in regions.MARKS}))


def _leaves(node, prefix: str = ""):
    """(dotted path, value) of an effective policy's figures; lists are one value."""
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value and not set(value) <= set(LOCALES):  # a text per language is one value
            yield from _leaves(value, path)
        else:
            yield path, value


def _chain_owns(lib: Library, code: str) -> list[tuple[str, dict]]:
    """(code, own values) of the place and the regions above it that have a file, nearest first."""
    return [(c, own) for c in places.chain(code) if c in lib.regions and (own := _own(c)) is not None]


def _owner(owns: list[tuple[str, dict]], path: str) -> str | None:
    """The nearest region on the chain whose own file sets a value at path."""
    for candidate, own in owns:
        if any(path == p or path.startswith(p + ".") for p in regions.set_paths(own)):
            return candidate
    return None


def _mark_owner(owns: list[tuple[str, dict]], path: str) -> str | None:
    """The nearest region on the chain whose own `unconfirmed` list holds this mark."""
    return next((candidate for candidate, own in owns if path in (own.get("unconfirmed") or [])), None)


def _format(value) -> str:
    if isinstance(value, dict) and value and set(value) <= set(LOCALES):
        return " / ".join(str(v) for v in value.values())
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


@bp.get("/regions")
def regions_list():
    """The regions with a file of their own that the account covers."""
    lib = library(store())
    rows = [
        {"code": code, "label": place_label(lib, code), "parent": region.effective.get("parent"),
         "version": region.version, "unconfirmed": len(region.effective.get("unconfirmed") or [])}
        for code, region in sorted(lib.regions.items()) if current_user.covers(code)
    ]  # fmt: skip
    mine = current_user.region
    own_place = None
    if mine and mine not in lib.regions and places.is_place(mine):
        basis = lib.policy_for(mine)
        own_place = {"code": mine, "label": place_label(lib, mine), "basis": place_label(lib, basis.code) if basis else None}
    return render_template("admin/regions.html", rows=rows, own_place=own_place)


@bp.get("/regions/open")
def regions_open():
    code = (request.args.get("code") or "").strip()
    return redirect(url_for("admin.region_page", code=code)) if code else redirect(url_for("admin.regions_list"))


def _page(code: str, form: dict | None = None, status: int = 200):
    lib = library(store())
    own = _own(code)
    policy = lib.policy_for(code)
    effective = policy.effective if policy else {}
    marks = effective.get("unconfirmed") or []
    sources = effective.get("sources") or {}
    own_paths = regions.set_paths(own) if own else set()
    owns = _chain_owns(lib, code)
    figures = []
    for path, value in _leaves({k: v for k, v in effective.items() if k not in regions.MARKS + regions.NOT_INHERITED}):
        mine = any(path == p or path.startswith(p + ".") for p in own_paths)
        owner = code if mine else _owner(owns, path)
        source = next((text for mark, text in sources.items() if path == mark or path.startswith(mark + ".")), None)
        figures.append({"path": path, "value": _format(value), "own": mine,
                        "from": place_label(lib, owner) if owner and not mine else None,
                        "unconfirmed": is_unconfirmed(path, marks), "source": source})  # fmt: skip
    own_marks = set((own or {}).get("unconfirmed") or [])
    mark_rows = []
    for path in marks:
        owner = None if path in own_marks else _mark_owner(owns, path)
        mark_rows.append({"path": path, "own": path in own_marks, "owner": owner,
                          "owner_label": place_label(lib, owner) if owner else None,
                          "may_confirm_owner": bool(owner) and current_user.may_edit(owner)})  # fmt: skip
    start = own or (_template(lib, code) if places.is_place(code) else {"code": code})
    return render_template(
        "admin/regions_edit.html",
        code=code, label=place_label(lib, code), has_file=own is not None,
        basis=place_label(lib, policy.code) if policy and policy.code != code else None,
        figures=figures, marks=mark_rows, may_edit=current_user.may_edit(code),
        policy=form["policy"] if form else _policy_text(start),
        unconfirmed=form["unconfirmed"] if form else "\n".join((own or {}).get("unconfirmed") or []),
        sources=form["sources"] if form else (dump_yaml(own["sources"]) if own and own.get("sources") else ""),
        versions=store().region_versions(code), log=store().audit_log(f"region {code}", limit=20),
    ), status  # fmt: skip


def _known(code: str) -> None:
    if not places.is_place(code) and code not in library(store()).regions:
        abort(404)


@bp.get("/regions/<code>")
def region_page(code: str):
    """A region's own policy and marks (editable), and the values in force there with where they come from."""
    _known(code)
    require_view(code)
    return _page(code)


def parse_form(code: str, policy_text: str, unconfirmed_text: str, sources_text: str) -> dict:
    """The region's own values from the three fields, checked as the loader checks a file; RegionError names the key."""
    source = f"region {code}"
    try:
        data = yamlfiles.load(policy_text) if policy_text.strip() else {}
    except yaml.YAMLError as error:
        raise RegionError(source, "(policy)", f"not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise RegionError(source, "(policy)", "must be a YAML mapping of a region")
    for mark in regions.MARKS:
        if mark in data:
            raise RegionError(source, mark, "write the marks in their own fields")
    unconfirmed = [line.strip() for line in unconfirmed_text.splitlines() if line.strip()]
    if unconfirmed:
        data["unconfirmed"] = unconfirmed
    if sources_text.strip():
        try:
            given = yamlfiles.load(sources_text)
        except yaml.YAMLError as error:
            raise RegionError(source, "sources", f"not valid YAML: {error}") from None
        data["sources"] = given
    own = regions.validate(data, source)
    if own["code"] != code:
        raise RegionError(source, "code", f"must stay {code}")
    return canonical(own)


def check_in_force(own: dict):
    """Resolve every region with this one changed (missing parents, cycles, required keys): RegionError names the key."""
    in_force = {code: {k: v for k, v in r.items() if not k.startswith("_")} for code, r in store().regions_in_force().items()}
    in_force[own["code"]] = own
    regions.resolve(in_force, {own["code"]: f"region {own['code']}"})


@bp.post("/regions/<code>")
def region_save(code: str):
    """Save the region's own values as a new version (FROM_STAFF), or change nothing and say which key is wrong."""
    _known(code)
    require_edit(code)
    form = {name: request.form.get(name) or "" for name in ("policy", "unconfirmed", "sources")}
    before = _own(code)
    try:
        own = parse_form(code, form["policy"], form["unconfirmed"], form["sources"])
        if current_user.role != "admin":
            parent = before.get("parent") if before else _template(library(store()), code)["parent"]
            if own.get("parent") != parent:
                raise RegionError(f"region {code}", "parent", f"only an administrator may change the parent (keep {parent})")
        check_in_force(own)
    except RegionError as problem:
        flash(_("Not saved: %(problem)s", problem=describe(problem)), "error")
        return _page(code, form, 400)
    new_id, _current = store().save_region(own, staff_provenance(), now())
    if new_id is None:
        flash(_("Nothing changed."))
    else:
        audit("region save", f"region {code}", before, own)
        flash(_("Saved: farmers get these figures from the next message on."))
    return redirect(url_for("admin.region_page", code=code))


@bp.post("/regions/<code>/confirm")
def region_confirm(code: str):
    """Confirm an unconfirmed figure of this region: its mark goes (a new version); the audit log keeps who and when."""
    _known(code)
    require_edit(code)
    path = (request.form.get("path") or "").strip()
    own = _own(code)
    marks = list((own or {}).get("unconfirmed") or [])
    if path not in marks:
        flash(_("%(path)s is not marked unconfirmed in this region's own file.", path=path), "error")
        return redirect(url_for("admin.region_page", code=code))
    changed = {k: v for k, v in own.items() if k != "unconfirmed"}
    left = [mark for mark in marks if mark != path]
    if left:
        changed["unconfirmed"] = left
    try:
        changed = canonical(regions.validate(changed, f"region {code}"))
        check_in_force(changed)
    except RegionError as problem:
        flash(_("Not saved: %(problem)s", problem=describe(problem)), "error")
        return redirect(url_for("admin.region_page", code=code))
    store().save_region(changed, staff_provenance(), now())
    audit("confirm", f"region {code}", {"unconfirmed": marks}, {"unconfirmed": left, "confirmed": path})
    flash(_("Confirmed: %(path)s.", path=path))
    return redirect(url_for("admin.region_page", code=code))


@bp.get("/regions/<code>/export")
def region_export(code: str):
    """The region's own values as its region file."""
    _known(code)
    require_view(code)
    own = _own(code)
    if own is None:
        abort(404)
    return _download(dump_yaml(region_file(own)).encode(), f"{code}.yaml", "application/yaml")


@bp.get("/regions/export.zip")
def regions_export():
    """The files of every region the account covers, as regions/<code>.yaml in a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for code in sorted(library(store()).regions):
            if current_user.covers(code) and (own := _own(code)) is not None:
                archive.writestr(f"regions/{code}.yaml", dump_yaml(region_file(own)))
    return _download(buffer.getvalue(), "regions.zip", "application/zip")


@bp.route("/regions/import", methods=["GET", "POST"])
def regions_import():
    """Upload region files, as `flask content load` reads them (only regions the account may edit)."""
    if current_user.role not in ("admin", "editor"):
        abort(403)
    return upload_page("regions")

"""Admin pages: topics per locale with region overrides (drafts, publishing, history and revert), the keywords and
example phrasings that steer matching to a topic, and import and export of content files as `flask content load`
reads them.

A region's own text of a topic is inherited by the places under it; a place without one gets its nearest
ancestor's, else the national text. Staff edits are drafts until published, and are saved as FROM_STAFF so that
file loads do not overwrite them.
"""

import datetime
import io
import json
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import yaml
from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from .. import content, loader, places, segments
from ..i18n import LOCALES, translator
from ..intents import KNOWLEDGE_TOPICS
from ..library import Library, library
from ..models import FROM_STAFF
from ..regions import RegionError
from ..web import now, store
from . import bp
from .auth import audit, require_edit, require_view

UPLOAD_MAX_FILES = 200  # YAML files in one upload (a zip counts its members)
UPLOAD_MAX_BYTES = 4 * 1024 * 1024  # unpacked size of one upload


# Shared by the content pages (regions.py and freshness.py import these).


def staff_provenance() -> tuple:
    """(source, source_path, author) of a change made in the admin."""
    return (FROM_STAFF, None, current_user.username)


def limits() -> loader.SmsLimits:
    return loader.limits_from(current_app.config)


def place_label(lib: Library, code: str | None) -> str:
    """A place as staff read it, in the page's language; the national text when code is None."""
    if code is None:
        return _("National text")
    return f"{lib.place_label(code, page_locale())} ({code})"


def page_locale() -> str:
    """The content locale matching the page's language (for place names)."""
    return "en" if str(get_locale()).startswith("en") else "zh-Hans"


def local_today(lib: Library, code: str | None) -> datetime.date:
    """Today where a place is (its region's time zone), else in the deployment's time zone."""
    policy = lib.policy_for(code or places.ROOT)
    zone = policy.timezone if policy else current_app.config["TIMEZONE"]
    return now().astimezone(ZoneInfo(zone)).date()


def dump_yaml(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


def region_param(value: str | None, lib: Library) -> str | None:
    """A region code from a form or query (None: the national text); 404 for a code that is no place."""
    code = (value or "").strip()
    if not code or code == places.ROOT:
        return None
    if not places.is_place(code) and code not in lib.regions:
        abort(404)
    return code


def describe(problem: content.ContentError | RegionError) -> str:
    """A content or region error as staff read it: the key, then what is wrong."""
    return f"{problem.key}: {problem.message}"


def _check_topic(key: str, locale: str):
    if key not in KNOWLEDGE_TOPICS or locale not in LOCALES:
        abort(404)


def _target(key: str, locale: str, region: str | None) -> str:
    return f"topic {key} {locale}" + (f" {region}" if region else "")


def _snapshot(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {"version": row["version"], "status": row["status"], "title": row["title"], "body": row["body"]}


def _chain(region: str | None) -> list[str]:
    return places.chain(region) if region else []


def _covered_policies(lib: Library, region: str | None) -> dict[str, dict]:
    """The effective policies of the places whose farmers may get a region's text: the region and those under it."""
    if region is None:
        return dict(lib.effective)
    chosen = {code: eff for code, eff in lib.effective.items() if code == region or region in _chain(code)}
    if region not in chosen and (policy := lib.policy_for(region)) is not None:
        chosen[region] = policy.effective
    return chosen


def check_text(lib: Library, key: str, locale: str, region: str | None, title: str, body: str) -> str | None:
    """Why a topic text cannot be saved (placeholders, links, the SMS part limit), or None when it can."""
    source = _target(key, locale, region)
    if not title:
        return _("The title is empty.")
    if not body:
        return _("The text is empty.")
    try:
        content.check_template(title, source, "title")
        content.check_template(body, source, "body")
        rules = limits()
        content.check_fits({"body": {locale: body}}, source, _covered_policies(lib, region), rules.max_parts, rules.signature)
    except content.ContentError as problem:
        return describe(problem)
    return None


def preview(lib: Library, locale: str, region: str | None, body: str) -> dict:
    """The text exactly as a farmer of the region receives it, and its SMS parts with the signature."""
    policy = lib.policy_for(region or places.ROOT)
    try:
        content.check_template(body, "preview", "body")
        text = content.render(body, policy.effective if policy else {}, translator(locale), local_today(lib, region))
        problem = None
    except content.ContentError as error:
        text, problem = "", describe(error)
    signature = limits().signature if locale == "zh-Hans" else ""  # English goes without the Chinese signature
    info = segments.count(text, signature)
    return {"text": text, "parts": info.segments, "encoding": info.encoding, "units": info.units,
            "max_parts": limits().max_parts, "signature": signature, "problem": problem}  # fmt: skip


# The topic list


@bp.get("/topics")
def topics_list():
    """Every topic per locale: the national text, the region texts the account covers, and what a place gets."""
    lib = library(store())
    place = (request.args.get("place") or "").strip() or (current_user.region or None)
    if place and (not places.is_place(place) or not current_user.covers(place)):
        place = current_user.region or None
    chain = _chain(place)
    rows = store().topic_overview()
    table, published = {}, set()  # published: (key, locale, region) of every region text, covered or not
    for row in rows:
        entry = table.setdefault((row["key"], row["locale"]), {"national": None, "draft": None, "regions": {}})
        if row["region"] is None:
            entry["national" if row["status"] == "published" else "draft"] = row
            continue
        if row["status"] == "published":
            published.add((row["key"], row["locale"], row["region"]))
        if current_user.covers(row["region"]):
            entry["regions"].setdefault(row["region"], {})[row["status"]] = row
    topics = []
    for key in KNOWLEDGE_TOPICS:
        for locale in LOCALES:
            entry = table.get((key, locale), {"national": None, "draft": None, "regions": {}})
            gets = None
            if place:
                gets = next((code for code in chain if (key, locale, code) in published), None)
            overrides = [
                {"code": code, "label": place_label(lib, code), "published": states.get("published"),
                 "draft": states.get("draft")}
                for code, states in sorted(entry["regions"].items())
            ]  # fmt: skip
            topics.append({"key": key, "locale": locale, "national": entry["national"], "draft": entry["draft"],
                           "overrides": overrides, "gets": gets,
                           "gets_label": place_label(lib, gets) if gets else _("National text")})  # fmt: skip
    return render_template("admin/topics.html", topics=topics, place=place, place_name=place_label(lib, place) if place else None)


# The editor


def _vocabulary_entry(locale: str, key: str) -> dict:
    row = store().vocabulary_row(locale)
    data = json.loads(row["data"]) if row else {}
    return (data.get("intents") or {}).get(key) or {}


def _keyword_lines(entry: dict) -> str:
    lines = []
    for keyword in entry.get("keywords") or []:
        if isinstance(keyword, dict):
            weight = keyword.get("weight")
            lines.append(keyword["text"] if weight in (None, 1, 1.0) else f"{keyword['text']} | {weight:g}")
        else:
            lines.append(keyword)
    return "\n".join(lines)


def _editor(key: str, locale: str, region: str | None, form: dict | None = None, status: int = 200):
    lib, storage = library(store()), store()
    in_force = storage.topic(key, locale, _chain(region))
    own = storage.topic_published(key, locale, region)
    draft = storage.topic_draft(key, locale, region)
    working = draft or own or in_force
    title = form["title"] if form else (working["title"] if working else "")
    body = form["body"] if form else (working["body"] if working else "")
    below = [
        {"code": row["region"], "label": place_label(lib, row["region"]), "status": row["status"], "version": row["version"]}
        for row in storage.topic_overview()
        if row["key"] == key and row["locale"] == locale and row["region"]
        and row["region"] != region and (region is None or region in _chain(row["region"]))
        and current_user.covers(row["region"])
    ]  # fmt: skip
    vocabulary = _vocabulary_entry(locale, key)
    gets_from = in_force["region"] if in_force else None
    page = render_template(
        "admin/topics_editor.html",
        key=key, locale=locale, region=region, region_name=place_label(lib, region),
        in_force=in_force, gets_from=gets_from, gets_label=place_label(lib, gets_from), own=own, draft=draft,
        title=title, body=body, preview=preview(lib, locale, region, body) if body else None,
        history=storage.topic_versions(key, locale, region), below=below,
        keywords=form["keywords"] if form and "keywords" in form else _keyword_lines(vocabulary),
        examples=form["examples"] if form and "examples" in form else "\n".join(vocabulary.get("examples") or []),
        may_edit=current_user.may_edit(region), may_edit_vocabulary=current_user.may_edit(None),
        other_locales=[loc for loc in LOCALES if loc != locale], rules=limits(),
        signature=limits().signature if locale == "zh-Hans" else "",
    )  # fmt: skip
    return page, status


def _editor_url(key: str, locale: str, region: str | None) -> str:
    return url_for("admin.topic_editor", key=key, locale=locale, region=region or None)


@bp.get("/topics/<key>/<locale>")
def topic_editor(key: str, locale: str):
    """One topic in one locale for a region (?region=; none: the national text)."""
    _check_topic(key, locale)
    region = region_param(request.args.get("region"), library(store()))
    if region is None and current_user.role != "admin" and current_user.region:
        return redirect(_editor_url(key, locale, current_user.region))
    require_view(region)
    return _editor(key, locale, region)


@bp.post("/topics/<key>/<locale>")
def topic_save(key: str, locale: str):
    """Save the text as a draft of the region's own text (checked first; farmers still get the published one)."""
    lib, region = _editable(key, locale)
    title = (request.form.get("title") or "").strip()
    body = (request.form.get("body") or "").strip()
    problem = check_text(lib, key, locale, region, title, body)
    if problem:
        flash(_("Not saved: %(problem)s", problem=problem), "error")
        return _editor(key, locale, region, {"title": title, "body": body}, 400)
    before = store().topic_working(key, locale, region)
    new_id = store().save_topic_draft(key, locale, region, title, body, staff_provenance(), now())
    if new_id is None:
        flash(_("Nothing changed."))
    else:
        after = store().topic_working(key, locale, region)
        audit("topic draft", _target(key, locale, region), _snapshot(before), _snapshot(after))
        shown = preview(lib, locale, region, body)
        flash(_("Draft saved (version %(version)s): %(parts)s of %(max)s SMS parts with the signature. "
                "Farmers get it once it is published.",
                version=after["version"], parts=shown["parts"], max=shown["max_parts"]))  # fmt: skip
    return redirect(_editor_url(key, locale, region))


def _editable(key: str, locale: str):
    """The content in force and the form's region, refused (403) unless this account may edit that region's topics."""
    _check_topic(key, locale)
    lib = library(store())
    region = region_param(request.form.get("region"), lib)
    require_edit(region)
    return lib, region


def _publish(lib: Library, key: str, locale: str, region: str | None, source: dict, action: str, **noted) -> dict | None:
    """Publish a draft's or an old version's text as the region's new version, audited; None (and a flash) when the
    text does not pass the checks."""
    problem = check_text(lib, key, locale, region, source["title"], source["body"])
    if problem:
        flash(_("Not published: %(problem)s", problem=problem), "error")
        return None
    with store().atomic():
        before = store().topic_published(key, locale, region)
        row = store().publish_topic(key, locale, region, source, staff_provenance(), now())
        audit(action, _target(key, locale, region), _snapshot(before), {**_snapshot(row), **noted})
    return row


@bp.post("/topics/<key>/<locale>/publish")
def topic_publish(key: str, locale: str):
    """Publish the region's draft: farmers get it from the next message on."""
    lib, region = _editable(key, locale)
    draft = store().topic_draft(key, locale, region)
    if draft is None:
        flash(_("There is no draft to publish."), "error")
        return redirect(_editor_url(key, locale, region))
    row = _publish(lib, key, locale, region, draft, "topic publish")
    if row is not None:
        flash(_("Published as version %(version)s.", version=row["version"]))
    return redirect(_editor_url(key, locale, region))


@bp.post("/topics/<key>/<locale>/revert")
def topic_revert(key: str, locale: str):
    """Publish an old version of the region's text again, as a new version."""
    lib, region = _editable(key, locale)
    version = request.form.get("version") or ""
    old = store().topic_version(key, locale, int(version)) if version.isdigit() else None
    if old is None or old["region"] != region:
        flash(_("There is no such version of this text."), "error")
        return redirect(_editor_url(key, locale, region))
    row = _publish(lib, key, locale, region, old, "topic revert", from_version=old["version"])
    if row is not None:
        flash(_("Version %(old)s is published again as version %(version)s.", old=old["version"], version=row["version"]))
    return redirect(_editor_url(key, locale, region))


@bp.post("/topics/<key>/<locale>/preview")
def topic_preview(key: str, locale: str):
    """The editor's live preview: the text as the region's farmers receive it, and its SMS parts (JSON)."""
    _check_topic(key, locale)
    lib = library(store())
    region = region_param(request.form.get("region"), lib)
    require_view(region)
    body = (request.form.get("body") or "").strip()
    return jsonify(preview(lib, locale, region, body))


def _parse_keywords(text: str) -> list:
    """One keyword a line; `word | 1.5` gives it a weight."""
    keywords = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        word, bar, weight = line.rpartition("|") if "|" in line else (line, "", "")
        word = word.strip()
        if not bar:
            keywords.append(word)
            continue
        try:
            value = float(weight)
        except ValueError:
            raise content.ContentError("", f"keywords line {number}", _("the weight after | must be a number")) from None
        if not word or not 0 < value <= 10:
            raise content.ContentError("", f"keywords line {number}", _("write a word, then | and a weight from 0.1 to 10"))
        keywords.append({"text": word, "weight": value})
    return keywords


@bp.post("/topics/<key>/<locale>/vocabulary")
def topic_vocabulary(key: str, locale: str):
    """Save the topic's keywords and example phrasings as a new version of the locale's vocabulary (national)."""
    _check_topic(key, locale)
    region = region_param(request.form.get("region"), library(store()))
    require_edit(None)  # one vocabulary serves every place: administrators change it
    keywords_text = request.form.get("keywords") or ""
    examples_text = request.form.get("examples") or ""
    with store().atomic():  # read and write under the write lock: another staff save in between is not lost
        row = store().vocabulary_row(locale)
        data = json.loads(row["data"]) if row else {"commands": {}, "synonyms": {}, "sound_alike": [], "intents": {}}
        before = (data.get("intents") or {}).get(key)
        try:
            entry = {}
            if keywords := _parse_keywords(keywords_text):
                entry["keywords"] = keywords
            if examples := [line.strip() for line in examples_text.splitlines() if line.strip()]:
                entry["examples"] = examples
            intents = {k: v for k, v in (data.get("intents") or {}).items() if k != key}
            if entry:
                intents[key] = entry
            changed = {**data, "intents": intents}
            content.parse_vocabulary({"locale": locale, **changed}, f"intents {locale}")
            problem = None
        except content.ContentError as error:
            problem = error
        if problem is None:
            new_id, _current = store().save_vocabulary(locale, changed, staff_provenance(), now())
    if problem is not None:
        flash(_("Not saved: %(problem)s", problem=describe(problem)), "error")
        form = {**_current_text(key, locale, region), "keywords": keywords_text, "examples": examples_text}
        return _editor(key, locale, region, form, 400)
    if new_id is None:
        flash(_("Nothing changed."))
    else:
        audit("vocabulary", f"vocabulary {locale} {key}", before, entry or None)
        flash(_("Keywords and examples saved; matching uses them from the next message on."))
    return redirect(_editor_url(key, locale, region))


def _current_text(key: str, locale: str, region: str | None) -> dict:
    storage = store()
    row = storage.topic_draft(key, locale, region) or storage.topic_published(key, locale, region)
    row = row or storage.topic(key, locale, _chain(region))
    return {"title": row["title"], "body": row["body"]} if row else {"title": "", "body": ""}


# Export and import as the YAML files `flask content load` reads


def topic_file(key: str) -> dict | None:
    """A topic's national published texts as a topic file (None when it has no text yet)."""
    rows = {locale: store().topic(key, locale) for locale in LOCALES}
    rows = {locale: row for locale, row in rows.items() if row}
    if not rows:
        return None
    return {
        "key": key,
        "title": {loc: r["title"] for loc, r in rows.items()},
        "body": {loc: r["body"] for loc, r in rows.items()},
    }


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/topics/<key>/export")
def topic_export(key: str):
    """One topic's national texts as its YAML file."""
    if key not in KNOWLEDGE_TOPICS:
        abort(404)
    data = topic_file(key)
    if data is None:
        abort(404)
    return _download(dump_yaml(data).encode(), f"{key}.yaml", "application/yaml")


@bp.get("/topics/export.zip")
def topics_export():
    """Every topic's national texts as topics/<key>.yaml files in a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key in KNOWLEDGE_TOPICS:
            if (data := topic_file(key)) is not None:
                archive.writestr(f"topics/{key}.yaml", dump_yaml(data))
    return _download(buffer.getvalue(), "topics.zip", "application/zip")


class UploadError(ValueError):
    pass


def _unpack(folder: Path) -> int:
    """The uploaded YAML files (and the YAML files inside uploaded zips) written under folder; how many."""
    count, size = 0, 0
    for number, upload in enumerate(request.files.getlist("file"), start=1):
        name = upload.filename or ""
        data = upload.read()
        if name.lower().endswith(".zip"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile:
                raise UploadError(_("%(name)s is not a zip file.", name=name)) from None
            members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith((".yaml", ".yml"))]
            for member in members:
                size += member.file_size
                count += 1
                if count > UPLOAD_MAX_FILES or size > UPLOAD_MAX_BYTES:
                    raise UploadError(_("The upload is too large."))
                parts = [secure_filename(p) for p in PurePosixPath(member.filename).parts]
                parts = [p for p in parts if p] or [f"file{count}.yaml"]
                target = folder.joinpath(f"upload{number}", *parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(member))
        elif name.lower().endswith((".yaml", ".yml")):
            size += len(data)
            count += 1
            if count > UPLOAD_MAX_FILES or size > UPLOAD_MAX_BYTES:
                raise UploadError(_("The upload is too large."))
            safe = secure_filename(name) or f"file{count}.yaml"
            if not safe.lower().endswith((".yaml", ".yml")):
                safe += ".yaml"
            target = folder / f"upload{number}" / safe
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        elif name:
            raise UploadError(_("%(name)s is neither a YAML file nor a zip of YAML files.", name=name))
    if not count:
        raise UploadError(_("Choose a YAML file or a zip of YAML files."))
    return count


def load_upload(kind: str) -> tuple[loader.LoadReport | None, str | None]:
    """Load the uploaded files through the loader (all or nothing; staff edits are kept and reported).

    kind "topics": topic and vocabulary files (national: administrators only); kind "regions": region files of
    places the account may edit.
    """
    with tempfile.TemporaryDirectory(prefix="nongbao-upload-") as tmp:
        folder = Path(tmp)

        def clean(text: str) -> str:
            return text.replace(str(folder) + "/", "")

        try:
            _unpack(folder)
            topics, vocabularies, own, _sources, reminders = loader.parse_files([folder])
            if reminders:
                raise UploadError(_("Reminder texts are not loaded on this page."))
            if kind == "topics":
                if own:
                    raise UploadError(_("Region files are loaded on the regions page."))
                require_edit(None)
            else:
                if topics or vocabularies:
                    raise UploadError(_("Topic and vocabulary files are loaded on the topics page."))
                lib = library(store())
                for code, region in own.items():
                    require_edit(code)
                    existing = store().region_row(code)
                    nearest = next((p.code for p in places.ancestors(code) if p.code in lib.regions), None)
                    if current_user.role != "admin" and region.get("parent") != (existing["parent"] if existing else nearest):
                        raise UploadError(_("Only an administrator may change a region's parent (%(code)s).",
                                            code=code))  # fmt: skip
            report = loader.load(store(), [folder], current_user.username, limits())
        except UploadError as problem:
            return None, str(problem)
        except (content.ContentError, RegionError) as problem:
            return None, clean(str(problem))
    audit(f"{kind} import", f"{kind} upload", None, {"created": report.created, "unchanged": report.unchanged,
          "skipped_staff_edits": report.skipped_staff_edits})  # fmt: skip
    return report, None


@bp.route("/topics/import", methods=["GET", "POST"])
def topics_import():
    """Upload topic (and vocabulary) files, as `flask content load` reads them."""
    require_edit(None)
    return upload_page("topics")


def upload_page(kind: str):
    """The upload form of topics or regions, and what loading the posted files did."""
    report = None
    if request.method == "POST":
        report, problem = load_upload(kind)
        if problem:
            flash(_("Nothing was loaded: %(problem)s", problem=problem), "error")
            return render_template("admin/topics_import.html", kind=kind, report=None), 400
    return render_template("admin/topics_import.html", kind=kind, report=report)

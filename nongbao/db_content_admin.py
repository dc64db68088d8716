"""SQL of the admin's content admin pages (a mixin of Storage; nongbao/db.py owns the connection and migrations).

Topic texts: a row per version of (key, locale), with the region whose own text it is (null: national) and a status
(published | draft). Staff save drafts; publishing and reverting add a new published version (so the history keeps
every step and the content stamp changes); farmers read only published rows (Storage.topic).
"""

import datetime

from .times import iso

PUBLISHED, DRAFT = "published", "draft"


def _region_clause(region: str | None) -> tuple[str, list]:
    return ("region is null", []) if region is None else ("region = ?", [region])


class ContentAdminStorage:
    """Named reads and writes for the content admin pages."""

    # Topics

    def topic_published(self, key: str, locale: str, region: str | None) -> dict | None:
        """The newest published text of exactly this region (None: the national text)."""
        clause, args = _region_clause(region)
        return self._newest("topics", f"key = ? and locale = ? and {clause} and status = 'published'", [key, locale, *args])

    def topic_working(self, key: str, locale: str, region: str | None) -> dict | None:
        """The newest version of this region's own text, draft or published."""
        clause, args = _region_clause(region)
        return self._newest("topics", f"key = ? and locale = ? and {clause}", [key, locale, *args])

    def topic_draft(self, key: str, locale: str, region: str | None) -> dict | None:
        """The region's draft waiting to be published: its newest version, when that is a draft."""
        working = self.topic_working(key, locale, region)
        return working if working and working["status"] == DRAFT else None

    def topic_versions(self, key: str, locale: str, region: str | None) -> list[dict]:
        """Every version of this region's own text, newest first."""
        clause, args = _region_clause(region)
        return self._rows(
            f"select * from topics where key = ? and locale = ? and {clause} order by version desc", [key, locale, *args]
        )

    def topic_version(self, key: str, locale: str, version: int) -> dict | None:
        return self._one("select * from topics where key = ? and locale = ? and version = ?", [key, locale, version])

    def topic_overview(self) -> list[dict]:
        """Per key, locale, region and status: the newest version and its author and time (for the topic list)."""
        return self._rows(
            "select t.key, t.locale, t.region, t.status, t.version, t.source, t.author, t.created_at from topics t "
            "join (select key, locale, coalesce(region, '') r, status, max(version) v from topics "
            "group by key, locale, coalesce(region, ''), status) n "
            "on t.key = n.key and t.locale = n.locale and coalesce(t.region, '') = n.r and t.status = n.status "
            "and t.version = n.v order by t.key, t.locale, t.region"
        )

    def save_topic_draft(
        self, key: str, locale: str, region: str | None, title: str, body: str, provenance: tuple, now: datetime.datetime
    ) -> int | None:
        """A new draft of a region's text; None when it equals the region's newest version (nothing to save)."""
        with self.atomic():
            working = self.topic_working(key, locale, region)
            if working and working["title"] == title and working["body"] == body:
                return None
            return self._insert_topic_row(key, locale, region, DRAFT, title, body, self._next_topic_version(key, locale),
                                          provenance, now)  # fmt: skip

    def publish_topic(self, key: str, locale: str, region: str | None, source_row: dict, provenance: tuple, now) -> dict:
        """A new published version of the region's text with a draft's or an old version's title and body; the new row."""
        version = self._next_topic_version(key, locale)
        new_id = self._insert_topic_row(
            key, locale, region, PUBLISHED, source_row["title"], source_row["body"], version, provenance, now
        )
        return self._one("select * from topics where id = ?", [new_id])

    def _next_topic_version(self, key: str, locale: str) -> int:
        """Versions are numbered across every region and draft of a key and locale (one unique index)."""
        return (self._one("select max(version) v from topics where key = ? and locale = ?", [key, locale])["v"] or 0) + 1

    def _insert_topic_row(self, key, locale, region, status, title, body, version, provenance, now) -> int:
        source, source_path, author = provenance
        return self._insert(
            "topics",
            {"key": key, "locale": locale, "region": region, "status": status, "title": title, "body": body,
             "version": version, "source": source, "source_path": source_path, "author": author,
             "created_at": iso(now)},
        )  # fmt: skip

    # Regions

    def region_versions(self, code: str) -> list[dict]:
        """Every version of a region's own values, newest first (for the history on its page)."""
        return self._rows(
            "select id, code, version, source, source_path, author, created_at from regions where code = ? order by version desc",
            [code],
        )

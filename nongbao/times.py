"""Moments as the service stores them: aware datetimes, kept as UTC ISO text."""

import datetime


def utcnow() -> datetime.datetime:
    """Now, with its time zone; stored as UTC ISO text."""
    return datetime.datetime.now(datetime.UTC)


def iso(moment: datetime.datetime) -> str:
    """The stored form of a moment: UTC, to the second."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds")

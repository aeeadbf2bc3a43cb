"""Checks of every input a page reads: a bad one is a 400, an unknown one a 404."""

from __future__ import annotations

import re
from datetime import date, timedelta

from starlette.exceptions import HTTPException

from chartcascade.platforms import ArtistPlatform, ListeningPlatform, TrackPlatform
from chartcascade.reports.period import BUCKETS

MAX_PERIOD_DAYS = 3 * 366  # a longer period is refused: a page answers quickly
MAX_ARTISTS = 20
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")  # chart slugs, uuids
COUNTRY = re.compile(r"[A-Za-z]{2}")
PLATFORMS = frozenset(
    {p.value for p in TrackPlatform} | {p.value for p in ArtistPlatform}
    | {p.value for p in ListeningPlatform}
)  # fmt: skip


def bad(message: str) -> HTTPException:
    return HTTPException(400, message)


def missing(message: str) -> HTTPException:
    return HTTPException(404, message)


def name(value: str, what: str) -> str:
    """A chart slug or a uuid as given, or a 400 when it cannot be one."""
    if not NAME.fullmatch(value):
        raise bad(f"{what} {value[:80]!r} is not a valid name")
    return value


def day(value: str | None, what: str) -> date | None:
    """A YYYY-MM-DD date (None when empty), or a 400."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad(f"{what} {value[:40]!r} is not a date (YYYY-MM-DD)") from None


def period(start: date, end: date) -> tuple[date, date]:
    """`start`..`end`, or a 400 when it runs backwards or spans more than 3 years."""
    if end < start:
        raise bad(f"the period ends ({end}) before it starts ({start})")
    if end - start > timedelta(days=MAX_PERIOD_DAYS):
        raise bad(f"the period {start} to {end} is longer than 3 years: pick a shorter one")
    return start, end


def country(value: str | None) -> str | None:
    """A two-letter country code in capitals (None when empty), or a 400."""
    if not value:
        return None
    if not COUNTRY.fullmatch(value):
        raise bad(f"country {value[:20]!r} is not a two-letter code such as IT")
    return value.upper()


def platforms(values: list[str]) -> tuple[str, ...]:
    """Known platform codes, or a 400 naming the unknown ones."""
    unknown = [v for v in values if v not in PLATFORMS]
    if unknown:
        raise bad(f"unknown platform {', '.join(u[:30] for u in unknown)}")
    return tuple(dict.fromkeys(values))


def bucket(value: str | None) -> str | None:
    if not value:
        return None
    if value not in BUCKETS:
        raise bad(f"rows per {value[:20]!r}: choose {' or '.join(BUCKETS)}")
    return value


def artists(values: list[str]) -> tuple[str, ...]:
    """At most `MAX_ARTISTS` artist uuids or names (names are free text), or a 400."""
    chosen = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(chosen) > MAX_ARTISTS:
        raise bad(f"{len(chosen)} artists asked for: at most {MAX_ARTISTS} at once")
    if any(len(v) > 200 for v in chosen):
        raise bad("an artist name or uuid is longer than 200 characters")
    return chosen

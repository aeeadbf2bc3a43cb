"""Audience points of tracks and artists, and the last check of each series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, case, func
from sqlalchemy import select as select_columns
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from chartcascade.db import as_utc, chunks
from chartcascade.models import ArtistAudiencePoint, AudienceCheck, Track, TrackAudiencePoint
from chartcascade.upserts import upsert, upsert_values

CHECK_STATUSES = ("ok", "empty", "no_account")
ENTITY_KINDS = ("track", "artist")
NOT_CUMULATIVE = ("airplay",)  # track platforms whose values are daily counts, not totals


@dataclass(frozen=True)
class SeriesCorrection:
    """A stored day whose cumulative value is below the one of the stored day before it."""

    track_uuid: str
    platform: str
    day: date
    value: int
    previous_day: date
    previous_value: int


def save_track_points(session: Session, *, points: Sequence[tuple[int, str, date, int]]) -> int:
    """Upsert (track_id, platform, date, value) points; the number written."""
    columns = ("track_id", "platform", "date", "value")
    return upsert_values(session, TrackAudiencePoint, columns, points, keys=columns[:3])


def stored_track_days(
    session: Session, *, uuids: Sequence[str], platform: str, start: date, end: date
) -> dict[str, set[date]]:
    """Track uuid -> the days in [start, end] that have a stored point on `platform`."""
    found: dict[str, set[date]] = {}
    for batch in chunks(list(uuids)):
        statement = (
            select(col(Track.uuid), col(TrackAudiencePoint.date))
            .join(Track, col(Track.id) == TrackAudiencePoint.track_id)
            .where(
                col(Track.uuid).in_(batch),
                TrackAudiencePoint.platform == platform,
                col(TrackAudiencePoint.date) >= start,
                col(TrackAudiencePoint.date) <= end,
            )
        )
        for uuid, day in session.exec(statement):
            found.setdefault(uuid, set()).add(day)
    return found


def series_corrections(
    session: Session,
    *,
    uuids: Sequence[str] | None = None,
    platforms: Sequence[str] | None = None,
    since: date | None = None,
) -> list[SeriesCorrection]:
    """Stored decreases of cumulative track series (every platform but airplay).

    Each is a day on or after `since` whose value is below the previous stored day's: a
    correction in the API's own data (the parsing never stores a day with an identifier
    missing). Restricted to the tracks `uuids` and to `platforms` when given; by track,
    platform and date.
    """
    point = TrackAudiencePoint
    series = (col(point.track_id), col(point.platform))
    order = col(point.date)
    wanted: list[Any] = [col(point.platform).not_in(NOT_CUMULATIVE)]
    if platforms is not None:
        wanted.append(col(point.platform).in_(list(platforms)))
    found: list[SeriesCorrection] = []
    for part in [None] if uuids is None else chunks(list(dict.fromkeys(uuids))):
        where = wanted if part is None else [*wanted, col(Track.uuid).in_(part)]
        days = (
            select_columns(
                col(Track.uuid).label("uuid"),
                col(point.platform).label("platform"),
                col(point.date).label("day"),
                col(point.value).label("value"),
                func.lag(point.date, type_=Date)
                .over(partition_by=series, order_by=order)
                .label("previous_day"),
                func.lag(point.value)
                .over(partition_by=series, order_by=order)
                .label("previous_value"),
            )
            .join(Track, col(Track.id) == point.track_id)
            .where(*where)
            .subquery()
        )
        statement = select_columns(days).where(days.c.value < days.c.previous_value)
        if since is not None:
            statement = statement.where(days.c.day >= since)
        rows = session.connection().execute(statement)
        for uuid, platform, day, value, previous_day, previous_value in rows:
            found.append(SeriesCorrection(uuid, platform, day, value, previous_day, previous_value))
    return sorted(found, key=lambda c: (c.track_uuid, c.platform, c.day))


def save_artist_points(
    session: Session, *, points: Sequence[tuple[int, str, str, date, int]]
) -> int:
    """Upsert (artist_id, platform, metric, date, value) points; the number written."""
    columns = ("artist_id", "platform", "metric", "date", "value")
    return upsert_values(session, ArtistAudiencePoint, columns, points, keys=columns[:4])


def _newest(stored: Any, new: Any) -> ColumnElement[Any]:
    """Merge rule: the later of two dates, ignoring a null."""
    return case((stored.is_(None) | (new > stored), func.coalesce(new, stored)), else_=stored)


def record_checks(session: Session, *, checks: Sequence[Mapping[str, Any]]) -> int:
    """Upsert the last check of each (entity_kind, entity_uuid, series); the number written.

    `newest_date` keeps the later of the stored and new dates (None keeps the stored one).
    """
    rows = []
    for check in checks:
        if check["entity_kind"] not in ENTITY_KINDS or check["status"] not in CHECK_STATUSES:
            raise ValueError(f"invalid audience check {dict(check)!r}")
        rows.append(
            {
                "entity_kind": check["entity_kind"],
                "entity_uuid": check["entity_uuid"],
                "series": check["series"],
                "status": check["status"],
                "newest_date": check.get("newest_date"),
                "checked_at": as_utc(check["checked_at"]),
            }
        )
    return upsert(
        session,
        AudienceCheck,
        rows,
        keys=["entity_kind", "entity_uuid", "series"],
        update=["status", "checked_at"],
        merge={"newest_date": _newest},
    )


def read_checks(
    session: Session, *, entity_kind: str, uuids: Sequence[str], series: Sequence[str]
) -> dict[tuple[str, str], AudienceCheck]:
    """The stored checks of `uuids` in `series`, keyed by (uuid, series)."""
    found: dict[tuple[str, str], AudienceCheck] = {}
    for part in chunks(list(dict.fromkeys(uuids))):
        statement = select(AudienceCheck).where(
            AudienceCheck.entity_kind == entity_kind,
            col(AudienceCheck.entity_uuid).in_(part),
            col(AudienceCheck.series).in_(list(series)),
        )
        for check in session.exec(statement):
            found[(check.entity_uuid, check.series)] = check
    return found

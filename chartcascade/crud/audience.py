"""Audience points of tracks and artists, and the last check of each series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from chartcascade.db import as_utc, chunks, upsert
from chartcascade.models import ArtistAudiencePoint, AudienceCheck, Track, TrackAudiencePoint

CHECK_STATUSES = ("ok", "empty", "no_account")
ENTITY_KINDS = ("track", "artist")


def save_track_points(session: Session, *, points: Sequence[tuple[int, str, date, int]]) -> int:
    """Upsert (track_id, platform, date, value) points; the number written."""
    rows = [{"track_id": t, "platform": p, "date": d, "value": v} for t, p, d, v in points]
    return upsert(session, TrackAudiencePoint, rows, keys=["track_id", "platform", "date"])


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


def save_artist_points(
    session: Session, *, points: Sequence[tuple[int, str, str, date, int]]
) -> int:
    """Upsert (artist_id, platform, metric, date, value) points; the number written."""
    rows = [
        {"artist_id": a, "platform": p, "metric": m, "date": d, "value": v}
        for a, p, m, d, v in points
    ]
    keys = ["artist_id", "platform", "metric", "date"]
    return upsert(session, ArtistAudiencePoint, rows, keys=keys)


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

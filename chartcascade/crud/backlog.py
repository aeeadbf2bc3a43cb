"""The backlog: charted tracks and artists with gaps, ordered by chart position and recency."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from chartcascade.db import as_utc
from chartcascade.models import (
    Artist,
    AudienceCheck,
    Chart,
    FailedItem,
    RankingEntry,
    RankingSnapshot,
    Track,
    TrackArtist,
)

# (off chart, position, -ranking date ordinal): charted positions first, best first, then
# tracks whose latest ranking lists them as off the chart; an item never seen in a chart
# comes after both.
Priority = tuple[bool, int, int]
UNCHARTED: Priority = (True, 10**9, 0)


def track_priorities(session: Session) -> dict[str, Priority]:
    """Track uuid -> its best entry on its latest ranking date: (off chart, position, -date);
    a track off every chart on that date comes after every charted track."""
    statement = (
        select(
            col(Track.uuid),
            col(RankingSnapshot.ranking_date),
            col(RankingEntry.off_chart),
            col(RankingEntry.position),
        )
        .join(RankingEntry, col(RankingEntry.track_id) == Track.id)
        .join(RankingSnapshot, col(RankingSnapshot.id) == RankingEntry.snapshot_id)
    )
    latest: dict[str, tuple[date, bool, int]] = {}
    for uuid, day, off_chart, position in session.exec(statement):
        seen = latest.get(uuid)
        if seen is None or day > seen[0] or (day == seen[0] and (off_chart, position) < seen[1:]):
            latest[uuid] = (day, off_chart, position)
    return {
        uuid: (off_chart, position, -day.toordinal())
        for uuid, (day, off_chart, position) in latest.items()
    }


def artist_priorities(session: Session, tracks: dict[str, Priority]) -> dict[str, Priority]:
    """Artist uuid -> the best priority among its credited tracks."""
    statement = (
        select(Artist.uuid, Track.uuid)
        .join(TrackArtist, col(TrackArtist.artist_id) == Artist.id)
        .join(Track, col(Track.id) == TrackArtist.track_id)
    )
    found: dict[str, Priority] = {}
    for artist_uuid, track_uuid in session.exec(statement):
        priority = tracks.get(track_uuid, UNCHARTED)
        if priority < found.get(artist_uuid, UNCHARTED):
            found[artist_uuid] = priority
    return found


def by_priority(uuids: Sequence[str], priorities: dict[str, Priority]) -> list[str]:
    """`uuids` once each, highest chart position first, then most recent, then the tracks
    (and artists of tracks) that left the chart, then the rest."""
    unique = list(dict.fromkeys(uuids))
    return sorted(unique, key=lambda uuid: priorities.get(uuid, UNCHARTED))


def _charted_track_ids(charts: Sequence[str] | None) -> Any:
    """The ids of tracks listed by any ranking (of `charts` when given)."""
    statement = select(RankingEntry.track_id)
    if charts is not None:
        statement = (
            statement.join(RankingSnapshot, col(RankingSnapshot.id) == RankingEntry.snapshot_id)
            .join(Chart, col(Chart.id) == RankingSnapshot.chart_id)
            .where(col(Chart.slug).in_(charts))
        )
    return statement


def _charted_uuids(entity_kind: str, charts: Sequence[str] | None) -> Any:
    """The uuids of charted tracks, or of the artists credited on them."""
    tracks = _charted_track_ids(charts)
    if entity_kind == "track":
        return select(Track.uuid).where(col(Track.id).in_(tracks))
    return (
        select(Artist.uuid)
        .join(TrackArtist, col(TrackArtist.artist_id) == Artist.id)
        .where(col(TrackArtist.track_id).in_(tracks))
    )


def missing_metadata(
    session: Session,
    *,
    entity_kind: str,
    stale_before: datetime,
    charts: Sequence[str] | None = None,
) -> list[str]:
    """The uuids of tracks or artists never fetched, or fetched before `stale_before`; with
    `charts`, only those on these charts (artists: credited on their tracks)."""
    model: Any = Track if entity_kind == "track" else Artist
    statement = select(model.uuid).where(
        or_(
            col(model.metadata_fetched_at).is_(None),
            col(model.metadata_fetched_at) < as_utc(stale_before),
        )
    )
    if charts is not None:
        statement = statement.where(col(model.uuid).in_(_charted_uuids(entity_kind, charts)))
    return list(session.exec(statement.order_by(col(model.id))).all())


def stale_audience(
    session: Session,
    *,
    entity_kind: str,
    series: str,
    checked_before: datetime,
    charts: Sequence[str] | None = None,
) -> list[str]:
    """The uuids whose last check of `series` is older than `checked_before`, oldest first;
    with `charts`, only the tracks on these charts or the artists credited on them."""
    statement = select(AudienceCheck.entity_uuid).where(
        AudienceCheck.entity_kind == entity_kind,
        AudienceCheck.series == series,
        col(AudienceCheck.checked_at) < as_utc(checked_before),
    )
    if charts is not None:
        charted = _charted_uuids(entity_kind, charts)
        statement = statement.where(col(AudienceCheck.entity_uuid).in_(charted))
    return list(session.exec(statement.order_by(col(AudienceCheck.checked_at))).all())


def unchecked_audience(
    session: Session, *, entity_kind: str, series: str, charts: Sequence[str] | None = None
) -> list[str]:
    """Charted tracks (of `charts` when given), or the artists credited on them, whose `series`
    was never checked (a run that stopped at its budget, or tracks below a run's `top_n`)."""
    checked = select(AudienceCheck.entity_uuid).where(
        AudienceCheck.entity_kind == entity_kind, AudienceCheck.series == series
    )
    uuid = col(Track.uuid) if entity_kind == "track" else col(Artist.uuid)
    statement = _charted_uuids(entity_kind, charts).where(uuid.not_in(checked)).distinct()
    return list(session.exec(statement).all())


def failed_items(session: Session) -> dict[str, list[str]]:
    """Stage -> uuids of its open recorded failures, oldest first."""
    statement = (
        select(FailedItem.stage, FailedItem.item_uuid)
        .where(col(FailedItem.resolved_at).is_(None))
        .order_by(col(FailedItem.first_failed_at), col(FailedItem.id))
    )
    found: dict[str, list[str]] = {}
    for stage, uuid in session.exec(statement):
        found.setdefault(stage, []).append(uuid)
    return found

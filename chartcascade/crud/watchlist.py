"""The artist watchlist: artists synced whether they chart or not, and what they still need."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, or_, select

from chartcascade.crud.artists import artist_ids, upsert_artist_stubs
from chartcascade.db import as_utc
from chartcascade.models import Artist, AudienceCheck, WatchedArtist
from chartcascade.models._base import utcnow
from chartcascade.upserts import upsert


def watch_artists(session: Session, *, stubs: Sequence[Mapping[str, Any]]) -> list[str]:
    """Store the artists (uuid, and slug/name/image_url when known) and watch them; the uuids
    newly watched (those already watched are left as they were)."""
    ids = upsert_artist_stubs(session, stubs=stubs)
    before = set(watched_uuids(session))
    now = utcnow()
    rows = [{"artist_id": i, "added_at": now} for i in ids.values()]
    upsert(session, WatchedArtist, rows, keys=["artist_id"])  # the watched keep their date
    return [s["uuid"] for s in stubs if s["uuid"] not in before]


def unwatch_artist(session: Session, *, uuid: str) -> bool:
    """Stop watching the artist (its data stays); whether it was watched."""
    found = artist_ids(session, uuids=[uuid]).get(uuid)
    if found is None or uuid not in watched_uuids(session):
        return False
    session.exec(delete(WatchedArtist).where(col(WatchedArtist.artist_id) == found))
    return True


def watched_artists(session: Session) -> list[tuple[Artist, datetime]]:
    """Every watched artist with the time it was added, oldest first."""
    statement = (
        select(Artist, WatchedArtist.added_at)
        .join(WatchedArtist, col(WatchedArtist.artist_id) == Artist.id)
        .order_by(col(WatchedArtist.added_at), col(Artist.id))
    )
    return [(artist, added) for artist, added in session.exec(statement)]


def watched_uuids(session: Session) -> list[str]:
    """The uuids of the watched artists, oldest first."""
    return [artist.uuid for artist, _ in watched_artists(session)]


def _watched() -> Any:
    return select(Artist.uuid).join(WatchedArtist, col(WatchedArtist.artist_id) == Artist.id)


def watched_missing_metadata(session: Session, *, stale_before: datetime) -> list[str]:
    """Watched artists whose metadata was never fetched, or fetched before `stale_before`."""
    statement = _watched().where(
        or_(
            col(Artist.metadata_fetched_at).is_(None),
            col(Artist.metadata_fetched_at) < as_utc(stale_before),
        )
    )
    return list(session.exec(statement.order_by(col(Artist.id))).all())


def watched_unchecked_audience(session: Session, *, series: str) -> list[str]:
    """Watched artists whose `series` (`audience:spotify`, `listening:spotify`) was never
    checked."""
    checked = select(AudienceCheck.entity_uuid).where(
        AudienceCheck.entity_kind == "artist", AudienceCheck.series == series
    )
    statement = _watched().where(col(Artist.uuid).not_in(checked))
    return list(session.exec(statement.order_by(col(Artist.id))).all())


def watched_stale_audience(session: Session, *, series: str, checked_before: datetime) -> list[str]:
    """Watched artists whose last check of `series` is older than `checked_before`, oldest
    check first."""
    statement = (
        select(AudienceCheck.entity_uuid)
        .where(
            AudienceCheck.entity_kind == "artist",
            AudienceCheck.series == series,
            col(AudienceCheck.checked_at) < as_utc(checked_before),
            col(AudienceCheck.entity_uuid).in_(_watched()),
        )
        .order_by(col(AudienceCheck.checked_at))
    )
    return list(session.exec(statement).all())

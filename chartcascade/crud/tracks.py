"""Tracks: stubs from charts, metadata, artist credits, and what still needs fetching."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from chartcascade.db import as_utc, chunks
from chartcascade.models import Artist, Track, TrackArtist
from chartcascade.upserts import keep_known, upsert

STUB_FIELDS = ("name", "credit_name", "image_url")
METADATA_FIELDS = ("name", "credit_name", "isrc", "release_date", "image_url")


def upsert_track_stubs(session: Session, *, stubs: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Insert unknown tracks and fill name/credit_name/image_url when given; uuid -> id."""
    rows = [
        {"uuid": s["uuid"], **{f: s.get(f) for f in STUB_FIELDS}, "genres": [], "labels": []}
        for s in stubs
    ]
    upsert(
        session,
        Track,
        rows,
        keys=["uuid"],
        update=(),
        merge=dict.fromkeys(STUB_FIELDS, keep_known),
    )
    return track_ids(session, uuids=[s["uuid"] for s in stubs])


def save_track_metadata(
    session: Session, *, tracks: Sequence[Mapping[str, Any]], fetched_at: datetime
) -> dict[str, int]:
    """Store fetched metadata (a null never erases a known value); uuid -> id."""
    rows = [
        {
            "uuid": t["uuid"],
            **{f: t.get(f) for f in METADATA_FIELDS},
            "genres": [dict(g) for g in t.get("genres") or []],
            "labels": list(t.get("labels") or []),
            "metadata_fetched_at": as_utc(fetched_at),
        }
        for t in tracks
    ]
    upsert(
        session,
        Track,
        rows,
        keys=["uuid"],
        update=["genres", "labels", "metadata_fetched_at"],
        merge=dict.fromkeys(METADATA_FIELDS, keep_known),
    )
    return track_ids(session, uuids=[t["uuid"] for t in tracks])


def link_artists(session: Session, *, track_id: int, links: Sequence[tuple[int, str, int]]) -> int:
    """Make the track's credits exactly `links` of (artist_id, role, position); their count."""
    rows = {
        artist_id: {"track_id": track_id, "artist_id": artist_id, "role": role, "position": pos}
        for artist_id, role, pos in links
    }
    stored = session.exec(select(TrackArtist.artist_id).where(TrackArtist.track_id == track_id))
    stale = sorted(set(stored.all()) - rows.keys())
    for part in chunks(stale):
        session.exec(
            delete(TrackArtist).where(
                col(TrackArtist.track_id) == track_id, col(TrackArtist.artist_id).in_(part)
            )
        )
    upsert(session, TrackArtist, list(rows.values()), keys=["track_id", "artist_id"])
    return len(rows)


def tracks_needing_metadata(
    session: Session, *, uuids: Sequence[str], stale_before: datetime, force: bool = False
) -> list[str]:
    """The uuids (in the given order, once each) unknown, never fetched, or fetched too long ago."""
    wanted = list(dict.fromkeys(uuids))
    if force:
        return wanted
    fetched: dict[str, datetime | None] = {}
    for part in chunks(wanted):
        statement = select(Track.uuid, Track.metadata_fetched_at).where(col(Track.uuid).in_(part))
        fetched.update(session.exec(statement).all())
    limit = as_utc(stale_before)
    return [u for u in wanted if (at := fetched.get(u)) is None or as_utc(at) < limit]


def track_ids(session: Session, *, uuids: Sequence[str]) -> dict[str, int]:
    """uuid -> id of the known tracks among `uuids`."""
    found: dict[str, int] = {}
    for part in chunks(list(dict.fromkeys(uuids))):
        statement = select(Track.uuid, Track.id).where(col(Track.uuid).in_(part))
        found.update(session.exec(statement).all())  # type: ignore[arg-type]
    return found


def track_artist_uuids(session: Session, *, track_uuids: Sequence[str]) -> dict[str, list[str]]:
    """Track uuid -> its credited artists' uuids in credit order (tracks with credits only)."""
    found: dict[str, list[str]] = {}
    for part in chunks(list(dict.fromkeys(track_uuids))):
        statement = (
            select(Track.uuid, Artist.uuid)
            .join(TrackArtist, col(TrackArtist.track_id) == Track.id)
            .join(Artist, col(Artist.id) == TrackArtist.artist_id)
            .where(col(Track.uuid).in_(part))
            .order_by(col(Track.uuid), col(TrackArtist.position), col(TrackArtist.artist_id))
        )
        for track_uuid, artist_uuid in session.exec(statement):
            found.setdefault(track_uuid, []).append(artist_uuid)
    return found

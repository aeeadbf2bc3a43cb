"""Artists: stubs from track credits, metadata, and what still needs fetching."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from chartcascade.db import as_utc, chunks
from chartcascade.models import Artist
from chartcascade.upserts import keep_known, upsert

STUB_FIELDS = ("slug", "name", "image_url")
METADATA_FIELDS = ("slug", "name", "country_code", "image_url")


def upsert_artist_stubs(session: Session, *, stubs: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Insert unknown artists and fill slug/name/image_url when given; uuid -> id."""
    rows = [{"uuid": s["uuid"], **{f: s.get(f) for f in STUB_FIELDS}, "genres": []} for s in stubs]
    upsert(
        session,
        Artist,
        rows,
        keys=["uuid"],
        update=(),
        merge=dict.fromkeys(STUB_FIELDS, keep_known),
    )
    return artist_ids(session, uuids=[s["uuid"] for s in stubs])


def save_artist_metadata(
    session: Session, *, artists: Sequence[Mapping[str, Any]], fetched_at: datetime
) -> dict[str, int]:
    """Store fetched metadata (slug, name, country_code, image_url, genres); uuid -> id.

    A null never erases a known value; genres are replaced as given.
    """
    rows = [
        {
            "uuid": a["uuid"],
            **{f: a.get(f) for f in METADATA_FIELDS},
            "genres": [dict(g) for g in a.get("genres") or []],
            "metadata_fetched_at": as_utc(fetched_at),
        }
        for a in artists
    ]
    upsert(
        session,
        Artist,
        rows,
        keys=["uuid"],
        update=["genres", "metadata_fetched_at"],
        merge=dict.fromkeys(METADATA_FIELDS, keep_known),
    )
    return artist_ids(session, uuids=[a["uuid"] for a in artists])


def artists_needing_metadata(
    session: Session, *, uuids: Sequence[str], stale_before: datetime, force: bool = False
) -> list[str]:
    """The uuids (in the given order, once each) unknown, never fetched, or fetched too long ago."""
    wanted = list(dict.fromkeys(uuids))
    if force:
        return wanted
    fetched: dict[str, datetime | None] = {}
    for part in chunks(wanted):
        statement = select(Artist.uuid, Artist.metadata_fetched_at).where(
            col(Artist.uuid).in_(part)
        )
        fetched.update(session.exec(statement).all())
    limit = as_utc(stale_before)
    return [u for u in wanted if (at := fetched.get(u)) is None or as_utc(at) < limit]


def artist_ids(session: Session, *, uuids: Sequence[str]) -> dict[str, int]:
    """uuid -> id of the known artists among `uuids`."""
    found: dict[str, int] = {}
    for part in chunks(list(dict.fromkeys(uuids))):
        statement = select(Artist.uuid, Artist.id).where(col(Artist.uuid).in_(part))
        found.update(session.exec(statement).all())  # type: ignore[arg-type]
    return found

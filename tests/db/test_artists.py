"""crud.artists: stubs, metadata and what still needs fetching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import func, select

from chartcascade.crud.artists import (
    artist_ids,
    artists_needing_metadata,
    save_artist_metadata,
    upsert_artist_stubs,
)
from chartcascade.db import session_scope
from chartcascade.models import Artist

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
METADATA = {
    "uuid": "a1",
    "slug": "aya",
    "name": "Aya",
    "country_code": "FR",
    "image_url": "https://img/a1.jpg",
    "genres": [{"root": "pop", "sub": ["french pop"]}],
}


def test_upsert_artist_stubs_twice_keeps_same_rows(db_url: str) -> None:
    stubs = [{"uuid": "a1", "slug": "aya", "name": "Aya"}, {"uuid": "a2", "name": "Bo"}]
    with session_scope(db_url) as session:
        first = upsert_artist_stubs(session, stubs=stubs)
    with session_scope(db_url) as session:
        second = upsert_artist_stubs(session, stubs=stubs)
        rows = session.exec(select(Artist.uuid, Artist.slug, Artist.name).order_by(Artist.uuid))
        assert rows.all() == [("a1", "aya", "Aya"), ("a2", None, "Bo")]
    assert first == second and set(first) == {"a1", "a2"}


def test_artist_stubs_never_erase_metadata(db_url: str) -> None:
    with session_scope(db_url) as session:
        save_artist_metadata(session, artists=[METADATA], fetched_at=NOW)
        upsert_artist_stubs(session, stubs=[{"uuid": "a1", "slug": None, "name": None}])
    with session_scope(db_url) as session:
        artist = session.exec(select(Artist)).one()
    assert (artist.slug, artist.name, artist.country_code) == ("aya", "Aya", "FR")
    assert (artist.image_url, artist.genres) == ("https://img/a1.jpg", METADATA["genres"])
    assert artist.metadata_fetched_at == NOW


def test_artist_stub_fills_unknown_values(db_url: str) -> None:
    with session_scope(db_url) as session:
        upsert_artist_stubs(session, stubs=[{"uuid": "a1"}])
        upsert_artist_stubs(session, stubs=[{"uuid": "a1", "name": "Aya", "image_url": "u"}])
    with session_scope(db_url) as session:
        artist = session.exec(select(Artist)).one()
    assert (artist.name, artist.image_url, artist.genres) == ("Aya", "u", [])


def test_save_artist_metadata_twice_keeps_one_row(db_url: str) -> None:
    for _ in range(2):
        with session_scope(db_url) as session:
            ids = save_artist_metadata(session, artists=[METADATA], fetched_at=NOW)
    with session_scope(db_url) as session:
        assert session.exec(select(func.count()).select_from(Artist)).one() == 1
        assert artist_ids(session, uuids=["a1"]) == ids


def test_artists_needing_metadata_keeps_order_and_checks_staleness(db_url: str) -> None:
    with session_scope(db_url) as session:
        upsert_artist_stubs(session, stubs=[{"uuid": "never"}])
        save_artist_metadata(session, artists=[{"uuid": "fresh"}], fetched_at=NOW)
        save_artist_metadata(
            session, artists=[{"uuid": "old"}], fetched_at=NOW - timedelta(days=40)
        )
    with session_scope(db_url) as session:
        needing = artists_needing_metadata(
            session,
            uuids=["old", "fresh", "unknown", "never", "old"],
            stale_before=NOW - timedelta(days=30),
        )
        forced = artists_needing_metadata(
            session, uuids=["fresh", "old"], stale_before=NOW, force=True
        )
    assert needing == ["old", "unknown", "never"]
    assert forced == ["fresh", "old"]


def test_artist_ids_maps_only_known_uuids(db_url: str) -> None:
    with session_scope(db_url) as session:
        ids = upsert_artist_stubs(session, stubs=[{"uuid": "a1"}])
        assert artist_ids(session, uuids=["a1", "zz"]) == {"a1": ids["a1"]}

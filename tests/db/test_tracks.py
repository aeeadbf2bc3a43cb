"""crud.tracks: stubs, metadata, artist links and what still needs fetching."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from sqlmodel import col, select

from chartcascade.crud.artists import upsert_artist_stubs
from chartcascade.crud.tracks import (
    link_artists,
    save_track_metadata,
    track_artist_uuids,
    track_ids,
    tracks_needing_metadata,
    upsert_track_stubs,
)
from chartcascade.db import session_scope
from chartcascade.models import Track, TrackArtist

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
METADATA = {
    "uuid": "t1",
    "name": "Song",
    "credit_name": "Aya feat. Bo",
    "isrc": "FR0000000001",
    "release_date": date(2024, 1, 5),
    "image_url": "https://img/t1.jpg",
    "genres": [{"root": "pop", "sub": ["dance pop"]}],
    "labels": ["Label A"],
}


def _track(db_url: str, uuid: str = "t1") -> Track:
    with session_scope(db_url) as session:
        return session.exec(select(Track).where(Track.uuid == uuid)).one()


def test_upsert_track_stubs_twice_keeps_same_rows(db_url: str) -> None:
    stubs = [{"uuid": "t1", "name": "Song"}, {"uuid": "t2", "credit_name": "Bo"}]
    with session_scope(db_url) as session:
        first = upsert_track_stubs(session, stubs=stubs)
    with session_scope(db_url) as session:
        second = upsert_track_stubs(session, stubs=stubs)
        statement = select(Track.uuid, Track.name, Track.credit_name).order_by(col(Track.uuid))
        assert session.exec(statement).all() == [("t1", "Song", None), ("t2", None, "Bo")]
    assert first == second and set(first) == {"t1", "t2"}


def test_track_stubs_never_erase_metadata(db_url: str) -> None:
    with session_scope(db_url) as session:
        save_track_metadata(session, tracks=[METADATA], fetched_at=NOW)
        upsert_track_stubs(session, stubs=[{"uuid": "t1", "name": None, "image_url": None}])
    track = _track(db_url)
    assert (track.name, track.credit_name, track.isrc) == ("Song", "Aya feat. Bo", "FR0000000001")
    assert (track.genres, track.labels) == (METADATA["genres"], ["Label A"])
    assert track.metadata_fetched_at == NOW


def test_track_stub_updates_name_when_given(db_url: str) -> None:
    with session_scope(db_url) as session:
        save_track_metadata(session, tracks=[METADATA], fetched_at=NOW)
        upsert_track_stubs(session, stubs=[{"uuid": "t1", "name": "Song (Remix)"}])
    track = _track(db_url)
    assert (track.name, track.release_date, track.metadata_fetched_at) == (
        "Song (Remix)",
        date(2024, 1, 5),
        NOW,
    )


def test_save_track_metadata_twice_keeps_same_values(db_url: str) -> None:
    for _ in range(2):
        with session_scope(db_url) as session:
            ids = save_track_metadata(session, tracks=[METADATA], fetched_at=NOW)
    track = _track(db_url)
    assert ids == {"t1": track.id}
    assert (track.isrc, track.release_date, track.image_url) == (
        "FR0000000001",
        date(2024, 1, 5),
        "https://img/t1.jpg",
    )


def test_link_artists_replaces_the_track_links(db_url: str) -> None:
    with session_scope(db_url) as session:
        track_id = upsert_track_stubs(session, stubs=[{"uuid": "t1"}])["t1"]
        a = upsert_artist_stubs(session, stubs=[{"uuid": u} for u in ("a1", "a2", "a3")])
        link_artists(session, track_id=track_id, links=[(a["a1"], "main", 0), (a["a2"], "feat", 1)])
    with session_scope(db_url) as session:
        written = link_artists(
            session, track_id=track_id, links=[(a["a3"], "main", 0), (a["a1"], "feat", 1)]
        )
        statement = select(TrackArtist.artist_id, TrackArtist.role, TrackArtist.position)
        links = session.exec(statement.order_by(col(TrackArtist.position))).all()
    assert written == 2
    assert links == [(a["a3"], "main", 0), (a["a1"], "feat", 1)]


def test_track_artist_uuids_follow_credit_order(db_url: str) -> None:
    with session_scope(db_url) as session:
        t = upsert_track_stubs(session, stubs=[{"uuid": "t1"}, {"uuid": "t2"}])
        a = upsert_artist_stubs(session, stubs=[{"uuid": u} for u in ("a1", "a2", "a3")])
        link_artists(
            session,
            track_id=t["t1"],
            links=[(a["a3"], "feat", 2), (a["a1"], "main", 0), (a["a2"], "main", 1)],
        )
        found = track_artist_uuids(session, track_uuids=["t1", "t2", "unknown"])
    assert found == {"t1": ["a1", "a2", "a3"]}


def test_tracks_needing_metadata_keeps_order_and_checks_staleness(db_url: str) -> None:
    with session_scope(db_url) as session:
        upsert_track_stubs(session, stubs=[{"uuid": "never"}])
        save_track_metadata(session, tracks=[{"uuid": "fresh"}], fetched_at=NOW)
        save_track_metadata(session, tracks=[{"uuid": "old"}], fetched_at=NOW - timedelta(days=8))
    with session_scope(db_url) as session:
        needing = tracks_needing_metadata(
            session,
            uuids=["fresh", "unknown", "old", "never", "unknown"],
            stale_before=NOW - timedelta(days=7),
        )
    assert needing == ["unknown", "old", "never"]


def test_tracks_needing_metadata_compares_offsets_in_utc(db_url: str) -> None:
    plus_two = timezone(timedelta(hours=2))
    with session_scope(db_url) as session:
        save_track_metadata(session, tracks=[{"uuid": "t1"}], fetched_at=NOW)  # 12:00 UTC
        at_11_utc = datetime(2024, 6, 1, 13, tzinfo=plus_two)
        at_13_utc = datetime(2024, 6, 1, 15, tzinfo=plus_two)
        assert tracks_needing_metadata(session, uuids=["t1"], stale_before=at_11_utc) == []
        assert tracks_needing_metadata(session, uuids=["t1"], stale_before=at_13_utc) == ["t1"]


def test_tracks_needing_metadata_force_returns_every_uuid(db_url: str) -> None:
    with session_scope(db_url) as session:
        save_track_metadata(session, tracks=[{"uuid": "t1"}], fetched_at=NOW)
        needing = tracks_needing_metadata(
            session, uuids=["t1", "t2", "t1"], stale_before=NOW - timedelta(days=1), force=True
        )
    assert needing == ["t1", "t2"]


def test_track_ids_maps_only_known_uuids(db_url: str) -> None:
    with session_scope(db_url) as session:
        ids = upsert_track_stubs(session, stubs=[{"uuid": "t1"}])
        assert track_ids(session, uuids=["t1", "zz"]) == {"t1": ids["t1"]}

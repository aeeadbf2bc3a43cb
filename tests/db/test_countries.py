"""crud.countries on SQLite and PostgreSQL: a refetched day's countries replace the stored ones."""

from __future__ import annotations

from datetime import date

from chartcascade.crud.artists import upsert_artist_stubs
from chartcascade.crud.countries import (
    AirplayCountryRow,
    ArtistCountryRow,
    airplay_by_country,
    artist_audience_by_country,
    replace_airplay_countries,
    replace_artist_countries,
)
from chartcascade.crud.tracks import upsert_track_stubs
from chartcascade.db import session_scope

D1, D2 = date(2026, 11, 1), date(2026, 11, 2)


def test_refetched_airplay_days_replace_their_countries(db_url: str) -> None:
    with session_scope(db_url) as session:
        track = upsert_track_stubs(session, stubs=[{"uuid": "t1"}])["t1"]
        first = [AirplayCountryRow(track, D1, "IT", 5, 2), AirplayCountryRow(track, D1, "FR", 1, 1)]
        first.append(AirplayCountryRow(track, D2, "IT", 7, 3))
        replace_airplay_countries(session, days=[(track, D1), (track, D2)], rows=first)
    with session_scope(db_url) as session:  # D1 again: FR is no longer served
        again = [AirplayCountryRow(track, D1, "IT", 6, 2), AirplayCountryRow(track, D1, "ZZ", 2, 1)]
        replace_airplay_countries(session, days=[(track, D1)], rows=again)
    with session_scope(db_url) as session:
        rows = airplay_by_country(session, [track], D1, D2)
    assert sorted((r.date, r.country_code, r.spins, r.stations) for r in rows) == [
        (D1, "IT", 6, 2),
        (D1, "ZZ", 2, 1),
        (D2, "IT", 7, 3),
    ]


def test_refetched_artist_days_replace_their_places(db_url: str) -> None:
    with session_scope(db_url) as session:
        artist = upsert_artist_stubs(session, stubs=[{"uuid": "a1"}])["a1"]
        key = (artist, "spotify", "monthly_listeners")
        first = [
            ArtistCountryRow(*key, D1, "IT", "", 100),
            ArtistCountryRow(*key, D1, "IT", "Milan", 40),
        ]
        replace_artist_countries(session, days=[(*key, D1)], rows=first)
    with session_scope(db_url) as session:
        replace_artist_countries(
            session, days=[(*key, D1)], rows=[ArtistCountryRow(*key, D1, "IT", "", 120)]
        )
    with session_scope(db_url) as session:
        rows = artist_audience_by_country(session, [artist], ["spotify"], D1, D1)
    assert [(r.country_code, r.city, r.value) for r in rows] == [("IT", "", 120)]

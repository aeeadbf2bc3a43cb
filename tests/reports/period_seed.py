"""A database with known series for period reports: gaps, a late start, a cumulative and a level
series, radio and listeners in two countries, a watched artist off every chart.

Stored days run from 2026-02-01; reports ask for FROM..TO (2026-02-10 to 2026-03-20).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from chartcascade.crud.artists import upsert_artist_stubs
from chartcascade.crud.tracks import upsert_track_stubs
from chartcascade.db import session_scope
from chartcascade.models import ArtistAudienceCountry, TrackAirplayCountry, WatchedArtist
from tests.reports import seed

FIRST, LAST = date(2026, 2, 1), date(2026, 3, 31)
FROM, TO = date(2026, 2, 10), date(2026, 3, 20)
R1, R2 = date(2026, 3, 19), date(2026, 3, 20)  # the two rankings of chart p1


def plays(day: date) -> int:
    """s1's cumulative Spotify streams on `day`: the daily gain grows every day."""
    n = (day - FIRST).days
    return 10_000 + 100 * n + n * n


PLAYS_MISSING = {date(2026, 2, 9), date(2026, 2, 15), date(2026, 3, 20)}
S2_FIRST = date(2026, 2, 20)  # s2's YouTube views start after FROM


def views(day: date) -> int:
    """s2's cumulative YouTube views on `day` (from S2_FIRST)."""
    return 7 + 500 * (day - S2_FIRST).days


def fans(day: date) -> int:
    """ar1's Spotify followers on `day`: rising to 50 400 on 02-21, then falling."""
    n = (day - FIRST).days
    return 50_000 + 40 * n - n * n


FANS_MISSING = {date(2026, 2, 5), date(2026, 3, 1)}
# ar1's Spotify monthly listeners per country (city "" = the country's own figure).
LISTENERS = {
    "IT": {date(2026, 2, 8): 1_200, date(2026, 3, 1): 1_500, date(2026, 3, 18): 1_450},
    "FR": {date(2026, 2, 9): 800, date(2026, 3, 20): 950},
}
MILANO = {date(2026, 3, 18): 600}  # a city figure: never a country's
# Radio per track, country and day: (spins, stations). The daily total is their sum.
RADIO = {
    "s1": {
        "IT": {date(2026, 2, 10): (4, 2), date(2026, 2, 11): (6, 3), date(2026, 3, 5): (10, 4)},
        "FR": {date(2026, 2, 10): (1, 1), date(2026, 3, 21): (5, 2)},
    },
    "s2": {"IT": {date(2026, 2, 11): (3, 2), date(2026, 3, 5): (2, 1)}},
}
WATCHED_FANS = {date(2026, 2, 12): 10, date(2026, 3, 12): 20}  # ar3, on no chart


def days(first: date = FIRST, last: date = LAST) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def radio_totals(track: str) -> dict[date, int]:
    totals: dict[date, int] = {}
    for per_day in RADIO[track].values():
        for day, (spins, _) in per_day.items():
            totals[day] = totals.get(day, 0) + spins
    return totals


def store_countries(url: str) -> None:
    """The per-country rows, written as the models hold them."""
    with session_scope(url) as session:
        ids = upsert_artist_stubs(session, stubs=[{"uuid": "ar1"}])
        tracks = upsert_track_stubs(session, stubs=[{"uuid": t} for t in RADIO])
        for track, countries in RADIO.items():
            for country, per_day in countries.items():
                for day, (spins, stations) in per_day.items():
                    session.add(
                        TrackAirplayCountry(
                            track_id=tracks[track], date=day, country_code=country,
                            spins=spins, stations=stations,
                        )
                    )  # fmt: skip
        figures: list[tuple[str, str, Mapping[date, int]]] = [
            (country, "", values) for country, values in LISTENERS.items()
        ]
        figures.append(("IT", "Milano", MILANO))
        for country, city, values in figures:
            for day, value in values.items():
                session.add(
                    ArtistAudienceCountry(
                        artist_id=ids["ar1"], platform="spotify", metric="monthly_listeners",
                        date=day, country_code=country, city=city, value=value,
                    )
                )  # fmt: skip


def watch(url: str, artist: str) -> None:
    with session_scope(url) as session:
        artist_id = upsert_artist_stubs(session, stubs=[{"uuid": artist}])[artist]
        session.add(WatchedArtist(artist_id=artist_id, added_at=datetime(2026, 2, 1, tzinfo=UTC)))


def period_world(url: str) -> None:
    """Chart p1: R1 s2 #1, s3 #2, s1 #3 · R2 s1 #1, s2 #2, s3 off the chart.
    Credits: s1 ar1; s2 ar1 (main), ar2 (featured); s3 ar2. ar3 is watched, on no chart."""
    seed.ranking(url, "p1", R1, {"s2": 1, "s3": 2, "s1": 3})
    seed.ranking(url, "p1", R2, {"s1": 1, "s2": 2, "s3": 0})
    seed.credit(url, "s1", ["ar1"])
    seed.credit(url, "s2", ["ar1", "ar2"])
    seed.credit(url, "s3", ["ar2"])
    seed.fetch_artists(url, ["ar1", "ar2", "ar3"])
    seed.track_series(url, "s1", "spotify", {d: plays(d) for d in days() if d not in PLAYS_MISSING})
    seed.track_series(url, "s2", "youtube", {d: views(d) for d in days(S2_FIRST)})
    for track in RADIO:
        seed.track_series(url, track, "airplay", radio_totals(track))
    kept = [d for d in days() if d not in FANS_MISSING]
    seed.artist_series(url, "ar1", "spotify", "followers", {d: fans(d) for d in kept})
    seed.artist_series(url, "ar3", "spotify", "followers", WATCHED_FANS)
    store_countries(url)
    watch(url, "ar3")

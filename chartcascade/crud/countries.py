"""Per-country audience: radio spins by country, artist streaming by country and city.

Writes replace what a fetch covered (a country no longer served on a refetched day goes), so
the countries of a day always add up to the answer they came from. Reads return plain rows
for the `--country` reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from sqlalchemy import delete, tuple_
from sqlmodel import Session, col, select

from chartcascade.db import chunks
from chartcascade.models import ArtistAudienceCountry, TrackAirplayCountry
from chartcascade.upserts import upsert_values

UNKNOWN_COUNTRY = "ZZ"  # CLDR's "Unknown Region": stations whose answer names no country
ROW_CHUNK = 200  # (track, day) or (artist, platform, metric, day) keys per DELETE


class AirplayCountryRow(NamedTuple):
    """One day's radio spins of a track in one country, over `stations` stations."""

    track_id: int
    date: date
    country_code: str
    spins: int
    stations: int


class ArtistCountryRow(NamedTuple):
    """One day's value of an artist metric in a country (`city` "" for the country figure)."""

    artist_id: int
    platform: str
    metric: str
    date: date
    country_code: str
    city: str
    value: int


def replace_airplay_countries(
    session: Session, *, days: Sequence[tuple[int, date]], rows: Sequence[AirplayCountryRow]
) -> int:
    """Store the countries of the fetched (track_id, day) `days`, replacing what was stored
    for them; the number of rows written."""
    for part in chunks(list(dict.fromkeys(days)), size=ROW_CHUNK):
        session.execute(
            delete(TrackAirplayCountry).where(
                tuple_(col(TrackAirplayCountry.track_id), col(TrackAirplayCountry.date)).in_(part)
            )
        )
    columns = AirplayCountryRow._fields
    keys = ["track_id", "date", "country_code"]
    return upsert_values(session, TrackAirplayCountry, columns, rows, keys=keys)


def replace_artist_countries(
    session: Session,
    *,
    days: Sequence[tuple[int, str, str, date]],
    rows: Sequence[ArtistCountryRow],
) -> int:
    """Store the places of the fetched (artist_id, platform, metric, day) `days`, replacing
    what was stored for them; the number of rows written."""
    model = ArtistAudienceCountry
    series = (col(model.artist_id), col(model.platform), col(model.metric), col(model.date))
    for part in chunks(list(dict.fromkeys(days)), size=ROW_CHUNK):
        session.execute(delete(model).where(tuple_(*series).in_(part)))
    keys = ["artist_id", "platform", "metric", "date", "country_code", "city"]
    return upsert_values(session, model, ArtistCountryRow._fields, rows, keys=keys)


def airplay_by_country(
    session: Session, track_ids: Sequence[int], start: date, end: date
) -> list[AirplayCountryRow]:
    """The stored radio spins by country of `track_ids` on [start, end], by track, date and
    country."""
    model = TrackAirplayCountry
    found: list[AirplayCountryRow] = []
    for part in chunks(list(dict.fromkeys(track_ids))):
        statement = select(model).where(
            col(model.track_id).in_(part), col(model.date) >= start, col(model.date) <= end
        )
        found += [
            AirplayCountryRow(r.track_id, r.date, r.country_code, r.spins, r.stations)
            for r in session.exec(statement)
        ]
    return sorted(found)


def artist_audience_by_country(
    session: Session,
    artist_ids: Sequence[int],
    platforms: Sequence[str],
    start: date,
    end: date,
) -> list[ArtistCountryRow]:
    """The stored artist figures by country (and city, when stored) of `artist_ids` on
    `platforms` over [start, end], by artist, platform, metric, date, country and city."""
    model = ArtistAudienceCountry
    found: list[ArtistCountryRow] = []
    for part in chunks(list(dict.fromkeys(artist_ids))):
        statement = select(model).where(
            col(model.artist_id).in_(part),
            col(model.platform).in_(list(platforms)),
            col(model.date) >= start,
            col(model.date) <= end,
        )
        found += [
            ArtistCountryRow(
                r.artist_id, r.platform, r.metric, r.date, r.country_code, r.city, r.value
            )
            for r in session.exec(statement)
        ]
    return sorted(found)

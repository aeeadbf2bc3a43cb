"""Radio stations and per-station spin counts (the `broadcast-groups` endpoint).

Each (station, song) pair has a cumulative spin clock `floor(rate * (t + 0.8 * u(day)))`, so the
spins on one day are the clock's daily difference and the spins over a range are one
subtraction, whatever the range length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from chartcascade.sandbox.hashing import below, day_unit, key, unit
from chartcascade.sandbox.names import ADJECTIVES, NOUNS, pick, unique_slugs

STATION_COUNT = 307  # prime, so any stride walks every station once
CITIES: tuple[tuple[str | None, str | None, str | None, str], ...] = (
    ("New York", "US", "United States", "America/New_York"),
    ("Los Angeles", "US", "United States", "America/Los_Angeles"),
    ("Chicago", "US", "United States", "America/Chicago"),
    ("London", "GB", "United Kingdom", "Europe/London"),
    ("Manchester", "GB", "United Kingdom", "Europe/London"),
    ("Paris", "FR", "France", "Europe/Paris"),
    ("Lyon", "FR", "France", "Europe/Paris"),
    ("Berlin", "DE", "Germany", "Europe/Berlin"),
    ("Madrid", "ES", "Spain", "Europe/Madrid"),
    ("Toronto", "CA", "Canada", "America/Toronto"),
    ("Sydney", "AU", "Australia", "Australia/Sydney"),
    ("Sao Paulo", "BR", "Brazil", "America/Sao_Paulo"),
    ("Mexico City", "MX", "Mexico", "America/Mexico_City"),
    ("Stockholm", "SE", "Sweden", "Europe/Stockholm"),
    ("Rome", "IT", "Italy", "Europe/Rome"),
    ("Milan", "IT", "Italy", "Europe/Rome"),
    ("Naples", "IT", "Italy", "Europe/Rome"),
    (None, None, None, "UTC"),  # web radios: the answer names no city or country
)
_US_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Station:
    """One radio station; `weight` scales how often it plays the songs it plays."""

    index: int
    slug: str
    country_code: str | None
    weight: float
    payload: dict[str, Any]


@dataclass(frozen=True)
class Rotation:
    """A song on a station: spins at `rate` per day on average from `start` onwards."""

    station: int
    start: int
    rate: float
    key: int


def build_stations(seed: int) -> list[Station]:
    """The station pool shared by every song."""
    cities = [CITIES[below(len(CITIES), seed, "station-city", i)] for i in range(STATION_COUNT)]
    names = [_station_name(seed, i, city[0], city[1]) for i, city in enumerate(cities)]
    slugs = unique_slugs(names)
    stations = []
    for i, ((city, code, country, tz), name, slug) in enumerate(
        zip(cities, names, slugs, strict=True)
    ):
        payload = {
            "slug": slug,
            "name": name,
            "countryCode": code,
            "countryName": country,
            "cityName": city,
            "timeZone": tz,
        }
        weight = 0.15 + 0.85 * unit(seed, "station-weight", i) ** 2
        stations.append(Station(i, slug, code, weight, payload))
    return stations


def _station_name(seed: int, i: int, city: str | None, country_code: str | None) -> str:
    if country_code == "US":
        letters = "".join(pick(tuple(_US_LETTERS), seed, "call", i, n) for n in range(3))
        return f"{'KW'[i % 2]}{letters}-FM {city}"
    word = pick(ADJECTIVES + NOUNS, seed, "station-word", i)
    return f"Radio {word} {city or 'Web'}"


def rotations(
    seed: int,
    song_index: int,
    release: int,
    n_stations: int,
    intensity: float,
    stations: list[Station],
) -> list[Rotation]:
    """The stations playing a song (distinct, via a stride walk over the prime-sized pool)."""
    first = below(STATION_COUNT, seed, "rotation-first", song_index)
    stride = 1 + below(STATION_COUNT - 1, seed, "rotation-stride", song_index)
    found = []
    for n in range(min(n_stations, STATION_COUNT)):
        station = (first + n * stride) % STATION_COUNT
        pair_key = key(seed, "rotation", song_index, station)
        lag = below(21, pair_key, "lag")
        rate = intensity * stations[station].weight * (0.2 + 1.6 * unit(pair_key, "rate"))
        found.append(Rotation(station, release + lag, rate, pair_key))
    return found


def spin_clock(rotation: Rotation, day: int) -> int:
    """Spins of a rotation from its start up to the end of `day`."""
    t = day - rotation.start + 0.8 * day_unit(rotation.key, day)
    return math.floor(rotation.rate * t) if t > 0 else 0


def spins(rotation: Rotation, first: int, last: int) -> int:
    """Spins of a rotation over [first, last] (day ordinals, inclusive)."""
    return spin_clock(rotation, last) - spin_clock(rotation, first - 1)

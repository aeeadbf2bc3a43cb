"""Artist local streaming (`/api/v2/artist/{uuid}/streaming/{platform}`): the day's listening
value with its split by country (every served day) and by city (one day a week).

The day's `value` is the `/listening` value of that day (the reference describes both as the
same "monthly listeners" figure; the sandbox makes them equal). Each artist has its own
countries, Italy always among them, each with a fixed share of the day's value, the shares
adding up to 55-90 %: the named countries sum to at most the day's value, the rest being
listeners in countries not named. A city's value is a share (10-40 %) of its country's.
About 2 % of country and city values are served null.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from chartcascade.sandbox import series
from chartcascade.sandbox.artists import LISTENING_PLATFORMS, Artist
from chartcascade.sandbox.hashing import day_unit, derived_key, unit

COUNTRIES = {
    "US": "United States", "GB": "United Kingdom", "FR": "France", "DE": "Germany",
    "ES": "Spain", "BR": "Brazil", "MX": "Mexico", "CA": "Canada", "AU": "Australia",
    "SE": "Sweden", "NG": "Nigeria", "KR": "South Korea", "JP": "Japan", "NL": "Netherlands",
}  # fmt: skip
ALWAYS = ("IT", "Italy")
CITIES = {
    "IT": (("Milan", "Lombardy"), ("Rome", "Lazio")),
    "US": (("New York", "New York"), ("Los Angeles", "California")),
    "GB": (("London", "England"),),
    "FR": (("Paris", "Ile-de-France"),),
    "BR": (("Sao Paulo", "Sao Paulo"),),
}
NULL_SHARE = 0.02


def countries(artist: Artist, platform: str) -> list[tuple[str, str, float]]:
    """(code, name, share of the day's value) of the artist's countries, Italy first."""
    k = derived_key(artist.key, platform, "countries")
    pool = sorted(COUNTRIES, key=lambda code: unit(k, code))
    chosen = [ALWAYS, *((code, COUNTRIES[code]) for code in pool[: 3 + int(5 * unit(k, "n"))])]
    weights = [0.2 + unit(k, code) for code, _ in chosen]
    named = 0.55 + 0.35 * unit(k, "named")
    return [
        (code, name, named * w / sum(weights))
        for (code, name), w in zip(chosen, weights, strict=True)
    ]


def _null(k: int, place: str, day: int) -> bool:
    return day_unit(derived_key(k, place), day) < NULL_SHARE


def country_values(artist: Artist, platform: str, day: int) -> dict[str, int | None]:
    """Country code -> the value served on `day` (None where served null)."""
    total = series.listening_value(artist, platform, day)
    k = derived_key(artist.key, platform, "country-null")
    return {
        code: None if _null(k, code, day) else math.floor(total * share)
        for code, _, share in countries(artist, platform)
    }


def city_day(artist: Artist, platform: str, day: int) -> bool:
    """Whether `day` is the artist's weekly day of city figures."""
    return day % 7 == derived_key(artist.key, platform, "city-day") % 7


def city_values(artist: Artist, platform: str, day: int) -> dict[tuple[str, str], int | None]:
    """(country code, city) -> the value served on `day` (only on the weekly city day)."""
    if not city_day(artist, platform, day):
        return {}
    total = series.listening_value(artist, platform, day)
    k = derived_key(artist.key, platform, "cities")
    found: dict[tuple[str, str], int | None] = {}
    for code, _, share in countries(artist, platform):
        for city, _ in CITIES.get(code, ()):
            city_share = 0.1 + 0.3 * unit(k, code, city)
            value = math.floor(math.floor(total * share) * city_share)
            found[(code, city)] = None if _null(k, city, day) else value
    return found


def streaming_days(artist: Artist, platform: str, first: int, last: int) -> list[int]:
    """The served days in [first, last]: the `/listening` days; none for a platform the
    world has no data for."""
    if platform not in LISTENING_PLATFORMS:
        return []
    return series.artist_days(artist, platform, first, last, "listening")


def streaming_item(artist: Artist, platform: str, day: int) -> dict[str, Any]:
    """One API item `{date, value, cityPlots, countryPlots}`."""
    stamp = f"{date.fromordinal(day).isoformat()}T00:00:00+00:00"
    names = {code: name for code, name, _ in countries(artist, platform)}
    regions = {(code, city): region for code, cities in CITIES.items() for city, region in cities}
    return {
        "date": stamp,
        "value": series.listening_value(artist, platform, day),
        "cityPlots": [
            {"date": stamp, "value": value, "countryName": names[code], "countryCode": code,
             "region": regions[(code, city)], "cityName": city}
            for (code, city), value in city_values(artist, platform, day).items()
        ],
        "countryPlots": [
            {"date": stamp, "value": value, "countryName": names[code], "countryCode": code}
            for code, value in country_values(artist, platform, day).items()
        ],
    }  # fmt: skip

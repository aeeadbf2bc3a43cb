"""Seeded artists: metadata (v2.9 shape), popularity, social accounts, data start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from chartcascade.sandbox.hashing import below, key, unit
from chartcascade.sandbox.names import (
    COUNTRIES,
    GENRES,
    artist_name,
    numeric_id,
    pick,
    unique_slugs,
    uuid_from,
)

# Day ordinals anchoring the world on the calendar (never on `as_of`).
DATA_EPOCH = date(2015, 1, 1).toordinal()
LATE_START_REF = date(2027, 1, 1).toordinal()

AUDIENCE_PLATFORMS = (
    "spotify",
    "youtube",
    "instagram",
    "tiktok",
    "facebook",
    "soundcloud",
    "deezer",
)
LISTENING_PLATFORMS = ("spotify", "youtube")
CITIES = ("Los Angeles", "London", "Paris", "Berlin", "Stockholm", "Toronto", "Lagos", "Seoul")
CAREER_STAGES = (
    (0.85, "superstar"),
    (0.6, "mainstream"),
    (0.35, "mid_level"),
    (0.15, "developing"),
)


@dataclass(frozen=True)
class Artist:
    """One artist: the API object, plus the hidden parameters its series derive from."""

    index: int
    uuid: str
    key: int
    slug: str
    name: str
    strength: float
    genre: int
    data_start: int
    accounts: frozenset[str]
    payload: dict[str, Any]

    @property
    def stub(self) -> dict[str, Any]:
        """The light artist object used inside songs and `related` blocks."""
        p = self.payload
        return {k: p[k] for k in ("uuid", "slug", "name", "appUrl", "imageUrl")}


def build_artists(seed: int, count: int) -> list[Artist]:
    """`count` artists; lower indexes are more popular (uuids hide the order)."""
    names = [artist_name(seed, "artist", i) for i in range(count)]
    slugs = unique_slugs(names)
    return [_artist(seed, i, count, names[i], slugs[i]) for i in range(count)]


def _artist(seed: int, i: int, count: int, name: str, slug: str) -> Artist:
    ident = (seed, "artist", i)
    strength = 0.8 * (1 - i / max(count, 1)) ** 2 + 0.2 * unit(*ident, "strength")
    accounts = {"spotify", "youtube", "facebook", "soundcloud", "deezer"}
    if unit(*ident, "instagram") >= 0.05:
        accounts.add("instagram")
    if unit(*ident, "tiktok") >= 0.10:
        accounts.add("tiktok")
    late = unit(*ident, "late") < 0.2
    data_start = LATE_START_REF - below(900, *ident, "start") if late else DATA_EPOCH
    genre = below(len(GENRES), *ident, "genre")
    uuid = uuid_from(*ident)
    payload = _payload(ident, uuid, slug, name, strength, genre)
    return Artist(
        i, uuid, key(*ident), slug, name, strength, genre, data_start, frozenset(accounts), payload
    )


def _payload(
    ident: tuple[int | str, ...], uuid: str, slug: str, name: str, strength: float, genre: int
) -> dict[str, Any]:
    root, subs = GENRES[genre]
    sub = subs[below(len(subs), *ident, "sub")]
    genres: list[Any] = (
        [root, sub] if key(*ident, "genre-shape") % 2 else [{"root": root, "sub": [sub]}]
    )
    country_code, country_name = COUNTRIES[below(len(COUNTRIES), *ident, "country")]
    has_country = unit(*ident, "no-country") >= 0.12
    birth_year = 1970 + below(35, *ident, "birth")
    return {
        "uuid": uuid,
        "slug": slug,
        "name": name,
        "appUrl": f"https://app.soundcharts.com/app/artist/{slug}/overview",
        "imageUrl": f"https://assets.soundcharts.com/artist/{uuid[0]}/{uuid[1]}/{uuid}.jpg",
        "countryCode": country_code if has_country else "",
        "webUrl": None if unit(*ident, "web") < 0.4 else f"https://www.{slug.replace('-', '')}.com",
        "genres": genres,
        "biography": _maybe(ident, "bio", 0.15, f"{name} is a {root} artist from {country_name}."),
        "isni": _maybe(ident, "isni", 0.2, "0000000" + numeric_id(9, *ident, "isni-value")),
        "ipi": _maybe(ident, "ipi", 0.15, numeric_id(10, *ident, "ipi-value")),
        "gender": _maybe(ident, "gender", 0.3, pick(("male", "female"), *ident, "gender-value")),
        "type": _maybe(ident, "type", 0.4, pick(("person", "group"), *ident, "type-value")),
        "birthDate": _maybe(ident, "birthdate", 0.1, f"{birth_year}-06-15T00:00:00+00:00"),
        "careerStage": _maybe(ident, "stage", 0.4, _career_stage(strength)),
        "growthLevel": _maybe(
            ident, "growth", 0.3, pick(("decline", "steady", "growth", "explosive"), *ident, "gl")
        ),
        "cityName": _maybe(ident, "city", 0.2, pick(CITIES, *ident, "city-value")),
    }


def _maybe(ident: tuple[int | str, ...], what: str, share: float, value: str) -> str | None:
    """`value` for `share` of the artists, else None."""
    return value if unit(*ident, what, "present") < share else None


def _career_stage(strength: float) -> str:
    for threshold, stage in CAREER_STAGES:
        if strength >= threshold:
            return stage
    return "undiscovered"

"""Seeded songs: metadata (v2.25 shape), credits, release dates and platform identifiers."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import Any

from chartcascade.sandbox.artists import Artist
from chartcascade.sandbox.hashing import below, key, unit
from chartcascade.sandbox.names import (
    COUNTRIES,
    GENRES,
    LABELS,
    LANGUAGES,
    code_from,
    numeric_id,
    person_name,
    pick,
    song_title,
    spotify_id,
    uuid_from,
    youtube_id,
)

RELEASE_REF = date(2027, 1, 1).toordinal()
DISCONTINUITY_REF = date(2026, 10, 1).toordinal()
SONG_PLATFORMS = ("spotify", "youtube", "shazam", "tiktok", "soundcloud")
_OFFSETS = ("+00:00", "+00:00", "+00:00", "+01:00", "+01:00", "+02:00")


@dataclass(frozen=True)
class Identifier:
    """One platform identifier of a song and the shape of its cumulative series."""

    value: str
    start: int  # first day (ordinal) with data
    end: int | None  # first day without data (the identifier was dropped), or None
    scale: float
    key: int


@dataclass(frozen=True)
class Song:
    """One song: the API object, plus the hidden parameters its series derive from."""

    index: int
    uuid: str
    key: int
    artists: tuple[int, ...]
    release: int  # day ordinal; data never starts before it
    popularity: float
    identifiers: dict[str, tuple[Identifier, ...]]
    discontinuity: int | None  # day the spotify identifier set changes and the total halves
    payload: dict[str, Any]

    @property
    def stub(self) -> dict[str, Any]:
        """The light song object used in rankings and `related` blocks."""
        p = self.payload
        return {k: p[k] for k in ("uuid", "name", "creditName", "imageUrl")}


def build_songs(seed: int, count: int, artists: list[Artist]) -> list[Song]:
    """`count` songs whose artists are drawn with a skewed (Zipf-like) distribution."""
    weights = list(accumulate(1.0 / (i + 20) for i in range(len(artists))))
    return [_song(seed, i, artists, weights) for i in range(count)]


def _draw_artists(ident: tuple[int | str, ...], n_artists: int, weights: list[float]) -> list[int]:
    wanted = min(n_artists, len(weights))
    drawn: list[int] = []
    attempt = 0
    while len(drawn) < wanted:
        point = unit(*ident, "artist", attempt) * weights[-1]
        choice = min(bisect_right(weights, point), len(weights) - 1)
        if attempt > 30:
            choice = next(i for i in range(len(weights)) if i not in drawn)
        if choice not in drawn:
            drawn.append(choice)
        attempt += 1
    return drawn


def _credit(ident: tuple[int | str, ...], names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        joiner = " & " if unit(*ident, "joiner") < 0.5 else " feat. "
        return joiner.join(names)
    return f"{names[0]} & {names[1]} feat. {names[2]}"


def _song(seed: int, i: int, artists: list[Artist], weights: list[float]) -> Song:
    ident: tuple[int | str, ...] = (seed, "song", i)
    roll = unit(*ident, "n-artists")
    n_artists = 1 if roll < 0.6 else 2 if roll < 0.9 else 3
    credited = [artists[a] for a in _draw_artists(ident, n_artists, weights)]
    release = RELEASE_REF - int(4000 * unit(*ident, "release") ** 1.6)
    popularity = 0.55 * credited[0].strength + 0.45 * unit(*ident, "popularity")
    uuid = uuid_from(*ident)
    identifiers, discontinuity = _identifiers(ident, release)
    payload = _payload(ident, uuid, credited, release)
    return Song(
        index=i,
        uuid=uuid,
        key=key(*ident),
        artists=tuple(a.index for a in credited),
        release=release,
        popularity=popularity,
        identifiers=identifiers,
        discontinuity=discontinuity,
        payload=payload,
    )


def _identifiers(
    ident: tuple[int | str, ...], release: int
) -> tuple[dict[str, tuple[Identifier, ...]], int | None]:
    def make(platform: str, n: int, value: str, start: int, scale: float) -> Identifier:
        return Identifier(value, start, None, scale, key(*ident, platform, n, "series"))

    spotify = [make("spotify", 0, spotify_id(*ident, "spotify", 0), release, 1.0)]
    discontinuity = None
    if unit(*ident, "discontinuity") < 0.06:
        discontinuity = max(release + 20, DISCONTINUITY_REF - below(700, *ident, "disc-day"))
        legacy = spotify_id(*ident, "spotify", 9)
        spotify.append(Identifier(legacy, release, discontinuity, 1.0, spotify[0].key))
    elif unit(*ident, "second-spotify") < 0.25:
        second = release + 10 + below(190, *ident, "second-start")
        spotify.append(make("spotify", 1, spotify_id(*ident, "spotify", 1), second, 0.3))
    roll = unit(*ident, "videos")
    videos = 0 if roll < 0.15 else 1 if roll < 0.6 else 2 if roll < 0.85 else 3
    youtube = [
        make("youtube", n, youtube_id(*ident, "youtube", n), release + 7 * n, (0.5, 0.1, 0.05)[n])
        for n in range(videos)
    ]
    found = {
        "spotify": tuple(spotify),
        "youtube": tuple(youtube),
        "shazam": (make("shazam", 0, numeric_id(9, *ident, "shazam"), release, 1.0),),
        "tiktok": (),
        "soundcloud": (),
    }
    if unit(*ident, "tiktok") < 0.7:
        start = release + below(60, *ident, "tiktok-start")
        found["tiktok"] = (make("tiktok", 0, numeric_id(19, *ident, "tiktok"), start, 1.0),)
    if unit(*ident, "soundcloud") < 0.6:
        found["soundcloud"] = (make("soundcloud", 0, numeric_id(9, *ident, "sc"), release, 1.0),)
    return found, discontinuity


def _payload(
    ident: tuple[int | str, ...], uuid: str, credited: list[Artist], release: int
) -> dict[str, Any]:
    root, subs = GENRES[credited[0].genre]
    label, label_type = LABELS[below(len(LABELS), *ident, "label")]
    release_day = date.fromordinal(release)
    isrc_country, isrc_country_name = COUNTRIES[below(len(COUNTRIES), *ident, "isrc-country")]
    isrc = f"{isrc_country}{code_from('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 3, *ident, 'reg')}"
    isrc += f"{release_day.year % 100:02d}{below(100000, *ident, 'isrc-n'):05d}"
    iswc = numeric_id(9, *ident, "iswc")
    release_text = f"{release_day.isoformat()}T00:00:00{pick(_OFFSETS, *ident, 'offset')}"
    payload: dict[str, Any] = {
        "uuid": uuid,
        "name": song_title(*ident),
        "isrc": {"value": isrc, "countryCode": isrc_country, "countryName": isrc_country_name},
        "iswcs": [] if unit(*ident, "iswc") < 0.4 else [f"T-{iswc[:3]}.{iswc[3:6]}.{iswc[6:]}-1"],
        "creditName": _credit(ident, [a.name for a in credited]),
        "artists": [a.stub for a in credited],
        "releaseDate": None if unit(*ident, "no-release") < 0.03 else release_text,
        "copyright": "" if unit(*ident, "copyright") < 0.15 else f"℗ {release_day.year} {label}",
        "appUrl": f"https://app.soundcharts.com/app/song/{uuid}/overview",
        "imageUrl": f"https://assets.soundcharts.com/song/{uuid[0]}/{uuid[1]}/{uuid}.jpg",
        "duration": 120 + below(180, *ident, "duration"),
        "explicit": unit(*ident, "explicit") < 0.25,
        "genres": [{"root": root, "sub": [subs[below(len(subs), *ident, "sub")]]}],
        "composers": [
            person_name(*ident, "composer", n) for n in range(1 + below(3, *ident, "nc"))
        ],
        "producers": [person_name(*ident, "producer", n) for n in range(below(3, *ident, "np"))],
        "labels": [{"name": label, "type": label_type}],
        "audio": _audio(ident),
        "languageCode": pick(LANGUAGES, *ident, "language"),
    }
    audio_roll = unit(*ident, "audio-shape")
    if audio_roll < 0.1:
        payload["audio"] = None
    elif audio_roll < 0.2:
        del payload["audio"]
    return payload


def _audio(ident: tuple[int | str, ...]) -> dict[str, Any]:
    def share(name: str) -> float:
        return round(unit(*ident, "audio", name), 3)

    return {
        "acousticness": share("acousticness"),
        "danceability": share("danceability"),
        "energy": share("energy"),
        "instrumentalness": round(share("instrumentalness") ** 3, 3),
        "key": below(13, *ident, "audio", "key") - 1,
        "liveness": round(share("liveness") / 2, 3),
        "loudness": round(-3 - 17 * unit(*ident, "audio", "loudness"), 2),
        "mode": below(2, *ident, "audio", "mode"),
        "speechiness": round(share("speechiness") / 2, 3),
        "tempo": round(70 + 110 * unit(*ident, "audio", "tempo"), 3),
        "timeSignature": (4, 4, 4, 4, 3, 5)[below(6, *ident, "audio", "ts")],
        "valence": share("valence"),
    }

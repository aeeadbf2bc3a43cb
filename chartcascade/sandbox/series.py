"""Closed-form daily series: song audience, artist audience and artist listening.

A value on a calendar day depends only on the seed, the entity and that day, never on
`as_of`, so a later `as_of` extends a series without rewriting it. Cumulative series use a
jittered clock (`t + 0.7 * u(day)`, with u in [0, 1)), which is strictly increasing from one
day to the next, so totals never decrease except where a discontinuity is modelled.

Song audience is served awkwardly, as the real API does: an identifier's value is sometimes
null, and some songs leave a later identifier out of `plots` on some days. Some songs are
*late*: their later identifiers are null on the newest `LATE_DAYS` days before `as_of`, and
filled once `as_of` has moved on (the one way a value depends on `as_of`). `song_total` is
the world's true total (every active identifier counted), whatever was served.
"""

from __future__ import annotations

import math
from typing import Any

from chartcascade.sandbox.artists import DATA_EPOCH, Artist
from chartcascade.sandbox.hashing import day_unit, derived_key, mix
from chartcascade.sandbox.songs import Identifier, Song

SONG_FACTOR = {"spotify": 1.0, "youtube": 0.5, "shazam": 0.01, "tiktok": 0.002, "soundcloud": 0.02}
FOLLOWER_FACTOR = {
    "spotify": 1.0,
    "youtube": 0.3,
    "instagram": 0.8,
    "tiktok": 0.6,
    "facebook": 0.4,
    "soundcloud": 0.05,
    "deezer": 0.1,
}
AUDIENCE_FIELDS = ("likeCount", "followerCount", "followingCount", "postCount", "viewCount")
EXTRA_FIELDS = {
    "instagram": ("followingCount", "postCount"),
    "tiktok": ("likeCount", "followingCount", "postCount"),
    "youtube": ("viewCount", "postCount"),
}
GAP_SHARE = 0.05
REPEAT_SHARE = 0.05
NULL_PER_MILLE = 10
OMITTING_SONG_SHARE = 0.3  # songs that leave a later identifier out of `plots` on some days
OMIT_SHARE = 0.03
LATE_SONG_SHARE = 0.4  # songs whose later identifiers come in late
LATE_DAYS = 2
PARIS_OFFSET_SHARE = 0.12


def _stamp(day_iso: str, offset: str = "+00:00") -> str:
    return f"{day_iso}T00:00:00{offset}"


def _triangle(day: int, seed_key: int) -> float:
    """A slow triangle wave in [-0.5, 0.5] with an entity-specific period and phase."""
    period = 60 + seed_key % 180
    x = ((day + (seed_key >> 20) % period) % period) / period
    return abs(2 * x - 1) - 0.5


# Song audience (cumulative, newest first in the API).


def _active(ident: Identifier, day: int) -> bool:
    return ident.start <= day and (ident.end is None or day < ident.end)


def song_identifiers(song: Song, platform: str, only: str | None) -> tuple[Identifier, ...]:
    """The identifiers of a song on a platform, restricted to `only` when given."""
    found = song.identifiers[platform]
    return tuple(i for i in found if i.value == only) if only is not None else found


def song_days(song: Song, platform: str, first: int, last: int, only: str | None) -> list[int]:
    """Days (ascending ordinals) in [first, last] that have a song audience item."""
    idents = song_identifiers(song, platform, only)
    if not idents:
        return []
    gap_key = derived_key(song.key, platform, "gap")
    start = max(first, min(i.start for i in idents))
    return [
        d
        for d in range(start, last + 1)
        if day_unit(gap_key, d) >= GAP_SHARE and any(_active(i, d) for i in idents)
    ]


def song_offset(song: Song, platform: str, day: int) -> str:
    """Most items are stamped +00:00; some carry a Paris-midnight +02:00 offset."""
    return (
        "+02:00"
        if day_unit(derived_key(song.key, platform, "tz"), day) < PARIS_OFFSET_SHARE
        else "+00:00"
    )


def _later(song: Song, platform: str, ident: Identifier) -> bool:
    """A later identifier of a song whose identifier set never changes."""
    return song.discontinuity is None and ident.value != song.identifiers[platform][0].value


def _omitted(song: Song, platform: str, ident: Identifier, day: int) -> bool:
    """Whether a later identifier is left out of `plots` on `day`."""
    if not _later(song, platform, ident):
        return False
    if day_unit(derived_key(song.key, "omits"), 0) >= OMITTING_SONG_SHARE:
        return False
    return day_unit(derived_key(ident.key, platform, "omit"), day) < OMIT_SHARE


def _late(song: Song, platform: str, ident: Identifier, day: int, today: int) -> bool:
    """Whether a later identifier of a late song has no value yet on `day`."""
    if today - day >= LATE_DAYS or not _later(song, platform, ident):
        return False
    return day_unit(derived_key(song.key, "late"), 0) < LATE_SONG_SHARE


def _true_value(song: Song, platform: str, ident: Identifier, day: int) -> int:
    """An identifier's cumulative value on `day` (a repeat day repeats the day before)."""
    repeat = day_unit(derived_key(song.key, platform, "repeat"), day) < REPEAT_SHARE
    amplitude = 10 ** (2.5 + 3.0 * song.popularity) * SONG_FACTOR[platform]
    if repeat and day > ident.start:
        return cumulative(ident, amplitude, day - 1)
    return cumulative(ident, amplitude, day)


def song_plots(
    song: Song, platform: str, day: int, only: str | None, today: int
) -> list[tuple[str, int | None]]:
    """(identifier, cumulative value or None) for each identifier served on `day`, as
    served when `as_of` is the day `today`."""
    plots: list[tuple[str, int | None]] = []
    for ident in song_identifiers(song, platform, only):
        if not _active(ident, day) or _omitted(song, platform, ident, day):
            continue
        null = mix(ident.key ^ day) % 1000 < NULL_PER_MILLE  # low bits; the jitter uses high
        null = null or _late(song, platform, ident, day, today)
        plots.append((ident.value, None if null else _true_value(song, platform, ident, day)))
    return plots


def song_total(song: Song, platform: str, day: int) -> int | None:
    """The true total on `day` over every active identifier; None when none is active."""
    active = [i for i in song.identifiers[platform] if _active(i, day)]
    return sum(_true_value(song, platform, i, day) for i in active) if active else None


def cumulative(ident: Identifier, amplitude: float, day: int, mixed: int | None = None) -> int:
    """Total count of one identifier at the end of `day`: a fast start, then a steady tail."""
    jitter = ((mix(ident.key ^ day) if mixed is None else mixed) >> 11) * 2.0**-53
    t = day - ident.start + 0.7 * jitter
    tau = 30 + ident.key % 150
    return int(amplitude * ident.scale * (3 * tau * (1 - math.exp(-t / tau)) + t))


def song_item(
    song: Song, platform: str, day: int, iso: str, only: str | None, today: int
) -> dict[str, Any]:
    """One API item `{date, plots}`."""
    served = song_plots(song, platform, day, only, today)
    plots = [{"identifier": i, "value": v} for i, v in served]
    return {"date": _stamp(iso, song_offset(song, platform, day)), "plots": plots}


# Artist audience and listening (levels or cumulative, oldest first in the API).


def _artist_gap(gap_key: int, day: int) -> bool:
    """Missing days come alone or in pairs: at most one gap per 4-day block, never at its
    first day, so two gaps are always at least a day apart."""
    h = mix(gap_key ^ (day // 4))
    if h % 1000 >= 100:
        return False
    start = 1 + (h >> 10) % 2
    return start <= day % 4 < start + 1 + (h >> 11) % 2


def artist_days(artist: Artist, platform: str, first: int, last: int, what: str) -> list[int]:
    """Days (ascending ordinals) in [first, last] with an artist audience/listening item."""
    gap_key = derived_key(artist.key, platform, what, "gap")
    start = max(first, artist.data_start)
    return [d for d in range(start, last + 1) if not _artist_gap(gap_key, d)]


def artist_counters(artist: Artist, platform: str, day: int) -> dict[str, int | None]:
    """The five audience counters on `day`; those the platform lacks are None."""
    k = derived_key(artist.key, platform, "audience")
    base = 10 ** (2.5 + 4.5 * artist.strength) * FOLLOWER_FACTOR[platform]
    years = (day - DATA_EPOCH) / 365.25
    growth = 0.05 + 0.5 * ((k >> 8) % 1000) / 1000
    wobble = 1 + 0.004 * (day_unit(k, day) - 0.5)
    values: dict[str, int | None] = dict.fromkeys(AUDIENCE_FIELDS)
    values["followerCount"] = int(base * (1 + growth * years) * wobble)
    clock = day - DATA_EPOCH + 0.9 * day_unit(k ^ 1, day)
    extra = EXTRA_FIELDS.get(platform, ())
    if "followingCount" in extra:
        values["followingCount"] = 40 + k % 1500 + (day // 45) % 9
    if "postCount" in extra:
        values["postCount"] = 10 + int((0.05 + (k >> 16) % 80 / 100) * clock)
    if "likeCount" in extra:
        values["likeCount"] = int(base * 0.08 * clock)
    if "viewCount" in extra:
        values["viewCount"] = int(base * 0.5 * clock)
    return values


def artist_item(artist: Artist, platform: str, day: int, iso: str) -> dict[str, Any]:
    """One API item `{date, likeCount, followerCount, followingCount, postCount, viewCount}`."""
    return {"date": _stamp(iso), **artist_counters(artist, platform, day)}


def listening_value(artist: Artist, platform: str, day: int) -> int:
    """Spotify monthly listeners (a level) or YouTube views (cumulative) on `day`."""
    k = derived_key(artist.key, platform, "listening")
    if platform == "spotify":
        base = 10 ** (3 + 4 * artist.strength)
        wobble = 1 + 0.01 * (day_unit(k, day) - 0.5)
        return int(base * (1 + 0.35 * _triangle(day, k)) * wobble)
    rate = 10 ** (2 + 4 * artist.strength)
    return int(rate * (1000 + day - DATA_EPOCH + 0.8 * day_unit(k, day)))


def listening_item(artist: Artist, platform: str, day: int, iso: str) -> dict[str, Any]:
    """One API item `{date, value}`."""
    return {"date": _stamp(iso), "value": listening_value(artist, platform, day)}

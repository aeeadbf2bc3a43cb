"""The sandbox world: every entity and series, a pure function of the parameters.

Query helpers here are public so tests can compute what the API must answer.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from chartcascade.sandbox import series
from chartcascade.sandbox.artists import Artist, build_artists
from chartcascade.sandbox.charts import (
    CHART_SPECS,
    ChartSpec,
    Rankings,
    ranking_day_ordinals,
    stamp,
)
from chartcascade.sandbox.country_charts import country_chart_specs
from chartcascade.sandbox.hashing import below, unit
from chartcascade.sandbox.radio import Rotation, Station, build_stations, rotations, spins
from chartcascade.sandbox.songs import Song, build_songs

AIRPLAY_SLUG = "airplay-daily"


class SandboxWorld:
    """Seeded artists, songs, charts, rankings, stations and daily series.

    Same parameters give identical data; a value on a calendar date never depends on `as_of`
    (which only decides the newest day and, with `history_days`, the oldest one served),
    except a late song identifier's null on the newest days (`series.LATE_DAYS`).
    """

    def __init__(
        self,
        seed: int = 42,
        n_songs: int = 600,
        n_artists: int = 350,
        as_of: date | None = None,
        history_days: int = 400,
        ranking_days: int = 30,
        chart_sizes: dict[str, int] | None = None,
        country_charts: int = 0,
    ) -> None:
        if min(n_songs, n_artists, history_days, ranking_days) < 1:
            raise ValueError("n_songs, n_artists, history_days and ranking_days must be >= 1")
        sizes = dict(chart_sizes or {})
        unknown = set(sizes) - {s.slug for s in CHART_SPECS}
        if unknown or any(size < 1 for size in sizes.values()):
            raise ValueError(f"chart_sizes: unknown slugs {sorted(unknown)} or a size below 1")
        self.seed = seed
        self.n_songs = n_songs
        self.n_artists = n_artists
        self.as_of = as_of or datetime.now(UTC).date()
        self.history_days = history_days
        self.ranking_days = ranking_days
        self.artists: list[Artist] = build_artists(seed, n_artists)
        self.songs: list[Song] = build_songs(seed, n_songs, self.artists)
        self.stations: list[Station] = build_stations(seed)
        specs = [replace(s, size=sizes.get(s.slug, s.size)) for s in CHART_SPECS]
        specs += country_chart_specs(country_charts)  # Spotify charts of many countries
        self.charts: dict[str, ChartSpec] = {s.slug: s for s in specs}
        self.rankings = Rankings(seed, self.songs, specs, ranking_days)
        self._songs_by_uuid = {s.uuid: s for s in self.songs}
        self._artists_by_uuid = {a.uuid: a for a in self.artists}
        self._airplay_rank = {s: r for r, s in enumerate(self.rankings.static_order(AIRPLAY_SLUG))}
        self._rotations: dict[int, list[Rotation]] = {}
        self._lock = threading.Lock()

    # Days.

    @property
    def today(self) -> int:
        """`as_of` as a day ordinal."""
        return self.as_of.toordinal()

    @property
    def history_start(self) -> date:
        """The oldest day any series is served for."""
        return date.fromordinal(self.today - self.history_days)

    def clip(self, start: date, end: date, data_start: int = 0) -> tuple[int, int]:
        """[start, end] as ordinals, clipped to the served history and to `data_start`."""
        first = max(start.toordinal(), self.today - self.history_days, data_start)
        return first, min(end.toordinal(), self.today)

    # Charts.

    @property
    def chart_slugs(self) -> list[str]:
        """Slugs of every chart, in catalogue order."""
        return list(self.charts)

    def ranking_datetimes(self, slug: str) -> list[str]:
        """The chart's available ranking datetimes (ATOM strings), newest first."""
        return [stamp(self.charts[slug], day) for day in self.ranking_day_list(slug)]

    def ranking_day_list(self, slug: str) -> list[int]:
        """The day ordinals of the chart's available rankings, newest first (weekly charts:
        one a week)."""
        return ranking_day_ordinals(self.charts[slug], self.today, self.ranking_days)

    def ranking_day(self, slug: str, datetime_text: str | None) -> int | None:
        """The day ordinal of an available ranking (None = latest), or None if unavailable."""
        days = self.ranking_day_list(slug)
        if datetime_text is None:
            return days[0]
        spec = self.charts[slug]
        return next((day for day in days if stamp(spec, day) == datetime_text), None)

    def ranking(self, slug: str, datetime_text: str | None = None) -> list[dict[str, Any]]:
        """Ranking items in page order (latest when `datetime_text` is None): by position, with
        a few songs that left the chart (position 0) interleaved."""
        day = self.ranking_day(slug, datetime_text)
        if day is None:
            raise KeyError(f"no ranking of {slug} at {datetime_text}")
        return self.rankings.entries(slug, day)

    # Entities.

    @property
    def song_uuids(self) -> list[str]:
        return [s.uuid for s in self.songs]

    @property
    def artist_uuids(self) -> list[str]:
        return [a.uuid for a in self.artists]

    def song_record(self, uuid: str) -> Song | None:
        return self._songs_by_uuid.get(uuid)

    def artist_record(self, uuid: str) -> Artist | None:
        return self._artists_by_uuid.get(uuid)

    def song(self, uuid: str) -> dict[str, Any] | None:
        """The v2.25 song object, or None."""
        found = self._songs_by_uuid.get(uuid)
        return found.payload if found else None

    def artist(self, uuid: str) -> dict[str, Any] | None:
        """The v2.9 artist object, or None."""
        found = self._artists_by_uuid.get(uuid)
        return found.payload if found else None

    def song_artist_uuids(self, uuid: str) -> list[str]:
        """Artist uuids of a song in credit order."""
        return [self.artists[a].uuid for a in self._songs_by_uuid[uuid].artists]

    def song_identifiers(self, uuid: str, platform: str) -> list[str]:
        """Every identifier a song ever had on a platform (some stop, some start late)."""
        return [i.value for i in self._songs_by_uuid[uuid].identifiers[platform]]

    def discontinuity_date(self, uuid: str) -> date | None:
        """The day a song's spotify total halves (an identifier is dropped), if it has one."""
        day = self._songs_by_uuid[uuid].discontinuity
        return date.fromordinal(day) if day is not None else None

    def has_account(self, artist_uuid: str, platform: str) -> bool:
        """Whether an artist has an account on a social platform."""
        return platform in self._artists_by_uuid[artist_uuid].accounts

    # Series (ascending, clipped to the served history; the API adds the 90-day rule).

    def song_series(
        self, uuid: str, platform: str, start: date, end: date, identifier: str | None = None
    ) -> list[tuple[date, dict[str, int | None]]]:
        """Song audience points: (date, {identifier: cumulative value or None}), as served."""
        song, today = self._songs_by_uuid[uuid], self.today
        first, last = self.clip(start, end, song.release)
        days = series.song_days(song, platform, first, last, identifier)
        return [
            (date.fromordinal(d), dict(series.song_plots(song, platform, d, identifier, today)))
            for d in days
        ]

    def song_total(self, uuid: str, platform: str, day: date) -> int | None:
        """The true total of a song's identifiers active on `day`, whatever the API serves
        (nulls and left-out identifiers included); None when it has none that day."""
        return series.song_total(self._songs_by_uuid[uuid], platform, day.toordinal())

    def song_identifier_days(self, uuid: str, platform: str) -> dict[str, tuple[date, date | None]]:
        """Identifier -> (first day with data, first day without it after a drop, or None)."""
        return {
            i.value: (date.fromordinal(i.start), date.fromordinal(i.end) if i.end else None)
            for i in self._songs_by_uuid[uuid].identifiers[platform]
        }

    def artist_series(
        self, uuid: str, platform: str, start: date, end: date
    ) -> list[tuple[date, dict[str, int | None]]]:
        """Artist audience points: (date, the five counters, unused ones None)."""
        artist = self._artists_by_uuid[uuid]
        first, last = self.clip(start, end)
        days = series.artist_days(artist, platform, first, last, "audience")
        return [(date.fromordinal(d), series.artist_counters(artist, platform, d)) for d in days]

    def listening_series(
        self, uuid: str, platform: str, start: date, end: date
    ) -> list[tuple[date, int]]:
        """Artist listening points: (date, value)."""
        artist = self._artists_by_uuid[uuid]
        first, last = self.clip(start, end)
        days = series.artist_days(artist, platform, first, last, "listening")
        return [(date.fromordinal(d), series.listening_value(artist, platform, d)) for d in days]

    # Radio.

    def rotations(self, uuid: str) -> list[Rotation]:
        """The stations playing a song; chart-topping airplay songs have the most."""
        song = self._songs_by_uuid[uuid]
        with self._lock:
            found = self._rotations.get(song.index)
            if found is None:
                found = self._build_rotations(song)
                self._rotations[song.index] = found
            return found

    def _build_rotations(self, song: Song) -> list[Rotation]:
        rich = min(2 * self.charts[AIRPLAY_SLUG].size, len(self.songs))
        rank = self._airplay_rank[song.index]
        if rank < rich:
            reach = 1 - rank / rich
            n_stations, intensity = 12 + int(160 * reach**2), 0.3 + 5 * reach
        else:
            few = unit(self.seed, "airplay-few", song.index) < 0.35
            n_stations = 1 + below(4, self.seed, "airplay-n", song.index) if few else 0
            intensity = 0.3
        return rotations(self.seed, song.index, song.release, n_stations, intensity, self.stations)

    def broadcast_groups(self, uuid: str, start: date, end: date) -> list[tuple[Station, int]]:
        """(station, spins) with spins > 0 over [start, end], most spins first."""
        first, last = self.clip(start, end)
        counted = [(self.stations[r.station], spins(r, first, last)) for r in self.rotations(uuid)]
        played = [(s, n) for s, n in counted if n > 0]
        return sorted(played, key=lambda pair: (-pair[1], pair[0].slug))

    def airplay_spins(self, uuid: str, start: date, end: date) -> int:
        """Total spins of a song over every station in [start, end]."""
        return sum(n for _, n in self.broadcast_groups(uuid, start, end))

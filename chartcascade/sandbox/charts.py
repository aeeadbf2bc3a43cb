"""Song charts and their daily rankings.

Every chart ranks the same song pool by `score(song, chart, day)`: the song's popularity, a
chart-specific affinity, a slow per-song trend, a release-freshness boost and a little daily
noise. So charts share many songs, songs move a few places a day, and new releases enter.
Rankings are computed with numpy (integer hashing, float add/multiply only) and cached.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from chartcascade.sandbox.hashing import F64Array, day_unit, day_units, key, unit
from chartcascade.sandbox.songs import Song


@dataclass(frozen=True)
class ChartSpec:
    """A chart of the world and the weights of its score."""

    slug: str
    name: str
    kind: str
    platform: str
    size: int
    metric: tuple[str, str] | None  # (type, description)
    hour: str
    affinity: float
    trend: float
    freshness: float
    metric_top: int
    web_url: str
    frequency: str = "daily"
    country_code: str = ""  # empty: a global chart
    country_name: str = "Global"


CHART_SPECS = (
    ChartSpec("global-28", "Top 200 Global", "top", "spotify", 200,
              ("streams", "Number of streams"), "00", 0.25, 0.3, 0.6, 6_000_000,
              "https://charts.spotify.com/charts/view/regional-global-daily/latest"),
    ChartSpec("top-100-global", "Top 100 Global", "top", "apple-music", 100, None, "00",
              0.25, 0.3, 0.6, 0, "https://music.apple.com/us/playlist/top-100-global"),
    ChartSpec("shazam-top-200-world", "Shazam Top 200 World", "top", "shazam", 200,
              ("shazams", "Number of Shazams"), "00", 0.5, 0.35, 0.9, 60_000,
              "https://www.shazam.com/charts/top-200/world"),
    ChartSpec("airplay-daily", "Airplay Daily", "airplay", "airplay", 100,
              ("spins", "Number of radio spins"), "12", 0.6, 0.1, 0.15, 12_000,
              "https://app.soundcharts.com/app/charts/airplay-daily"),
    ChartSpec("viral-50-global", "Viral 50 Global", "viral", "spotify", 50, None, "00",
              1.0, 0.4, 1.2, 0, "https://charts.spotify.com/charts/view/viral-global-daily/latest"),
    ChartSpec("top-100-global-weekly", "Top 100 Global Weekly", "top", "apple-music", 100, None,
              "00", 0.25, 0.2, 0.5, 0, "https://music.apple.com/us/playlist/top-100-global-weekly",
              frequency="weekly"),
)  # fmt: skip
NOISE = 0.06
FRESH_DAYS = 150.0
# Each ranking also lists, with position 0, up to this many songs of the day before that left
# the chart (the best placed first), interleaved with the charted entries at these page indexes.
OFF_CHART_LISTED = 3
OFF_CHART_SLOTS = (1, 4, 9)
# Days between two rankings of a chart, by frequency; weekly rankings are dated Thursdays.
STEP_DAYS = {"daily": 1, "weekly": 7}
WEEKLY_WEEKDAY = 3
UNITS = {"daily": "DOC", "weekly": "WOC"}


def chart_payload(spec: ChartSpec, *, with_metric: bool) -> dict[str, Any]:
    """The chart object of chart lists (and, with its metric, of ranking `related`)."""
    payload: dict[str, Any] = {
        "name": spec.name,
        "type": spec.kind,
        "slug": spec.slug,
        "platform": spec.platform,
        "frequency": spec.frequency,
        "countryCode": spec.country_code,
        "countryName": spec.country_name,
        "cityName": None,
        "maxResultsCount": spec.size,
        "webUrl": spec.web_url,
    }
    if with_metric:
        metric = spec.metric
        payload["metric"] = {"type": metric[0], "description": metric[1]} if metric else None
    return payload


def stamp(spec: ChartSpec, day: int) -> str:
    """The ATOM datetime of the chart's ranking on a day (ordinal)."""
    return f"{date.fromordinal(day).isoformat()}T{spec.hour}:00:00+00:00"


def ranking_day_ordinals(spec: ChartSpec, today: int, count: int) -> list[int]:
    """The days (ordinals) of the chart's `count` newest rankings up to `today`, newest first:
    every day for a daily chart, every Thursday for a weekly one."""
    step = STEP_DAYS[spec.frequency]
    latest = today if step == 1 else today - (today - 1 - WEEKLY_WEEKDAY) % step
    return [latest - k * step for k in range(count)]


class Rankings:
    """Daily rankings of every chart, computed on demand and cached (thread-safe)."""

    def __init__(self, seed: int, songs: list[Song], specs: list[ChartSpec], cap_days: int):
        self._seed = seed
        self._songs = songs
        self._specs = {s.slug: s for s in specs}
        self._cap = max(1, cap_days)
        self._release = np.array([s.release for s in songs], dtype=np.int64)
        base = np.array([s.popularity for s in songs], dtype=np.float64)
        trend_keys = [key(seed, "trend", s.index) for s in songs]
        self._period = np.array([60 + k % 180 for k in trend_keys], dtype=np.int64)
        self._phase = np.array([(k >> 20) % (60 + k % 180) for k in trend_keys], dtype=np.int64)
        self._static: dict[str, F64Array] = {}
        self._noise_keys = {}
        for spec in specs:
            affinity = [unit(seed, spec.slug, "affinity", s.index) - 0.5 for s in songs]
            self._static[spec.slug] = base + spec.affinity * np.array(affinity, dtype=np.float64)
            noise_keys = [key(seed, spec.slug, "noise", s.index) for s in songs]
            self._noise_keys[spec.slug] = np.array(noise_keys, dtype=np.uint64)
        self._orders: dict[tuple[str, int], list[int]] = {}
        self._positions: dict[tuple[str, int], dict[int, int]] = {}
        self._entries: dict[tuple[str, int], list[dict[str, Any]]] = {}
        self._lock = threading.RLock()

    def scores(self, slug: str, day: int) -> F64Array:
        """Every song's score on a chart on a day; unreleased songs score -inf."""
        spec = self._specs[slug]
        x = ((day + self._phase) % self._period) / self._period
        trend = np.abs(2 * x - 1) - 0.5
        noise = day_units(self._noise_keys[slug], day) - 0.5
        age = (day - self._release).astype(np.float64)
        fresh = np.clip(1 - age / FRESH_DAYS, 0.0, 1.0)
        score = self._static[slug] + spec.trend * trend + NOISE * noise + spec.freshness * fresh
        return np.where(age >= 0, score, -np.inf)

    def order(self, slug: str, day: int) -> list[int]:
        """Song indexes of the ranking, in position order."""
        with self._lock:
            found = self._orders.get((slug, day))
            if found is None:
                score = self.scores(slug, day)
                ranked = np.argsort(-score, kind="stable")[: self._specs[slug].size]
                found = [int(i) for i in ranked if np.isfinite(score[i])]
                self._orders[(slug, day)] = found
                self._positions[(slug, day)] = {s: p for p, s in enumerate(found, 1)}
            return found

    def positions(self, slug: str, day: int) -> dict[int, int]:
        """Song index -> position on a day."""
        with self._lock:
            self.order(slug, day)
            return self._positions[(slug, day)]

    def static_order(self, slug: str) -> list[int]:
        """Song indexes by the chart's static score (popularity + affinity), best first."""
        return [int(i) for i in np.argsort(-self._static[slug], kind="stable")]

    def dropped(self, slug: str, day: int) -> list[int]:
        """Song indexes charted the day before but not on `day`, by their previous position."""
        today = self.positions(slug, day)
        return [s for s in self.order(slug, day - self._step(slug)) if s not in today]

    def entries(self, slug: str, day: int) -> list[dict[str, Any]]:
        """The v2.14 ranking items of a chart on a day, in page order: the charted songs by
        position, with the first `OFF_CHART_LISTED` dropped songs (position 0) at
        `OFF_CHART_SLOTS`."""
        with self._lock:
            cached = self._entries.get((slug, day))
            if cached is None:
                order = self.order(slug, day)
                metrics = self._metrics(self._specs[slug], day, len(order))
                cached = [
                    self._entry(slug, day, p, s, metrics[p - 1]) for p, s in enumerate(order, 1)
                ]
                gone = self.dropped(slug, day)[:OFF_CHART_LISTED]
                for slot, song in zip(OFF_CHART_SLOTS, gone, strict=False):
                    cached.insert(slot, self._off_chart_entry(slug, day, song))
                self._entries[(slug, day)] = cached
            return cached

    def _off_chart_entry(self, slug: str, day: int, song: int) -> dict[str, Any]:
        """The item of a song that left the chart on `day`: position 0, its last run's dates."""
        spec, step = self._specs[slug], self._step(slug)
        last = day - step
        run = 1
        while run < self._cap and song in self.positions(slug, last - run * step):
            run += 1
        return {
            "song": self._songs[song].stub,
            "position": 0,
            "positionEvolution": None,
            "metric": None,
            "entryState": "",
            "entryDate": stamp(spec, last - (run - 1) * step),
            "rankDate": stamp(spec, last),
            "oldPosition": self.positions(slug, last)[song],
            "timeOnChart": run,
            "timeOnChartUnit": UNITS[spec.frequency],
        }

    def _entry(
        self, slug: str, day: int, position: int, song: int, metric: int | None
    ) -> dict[str, Any]:
        spec, step = self._specs[slug], self._step(slug)
        previous = self.positions(slug, day - step).get(song)
        run = 1
        while run < self._cap and song in self.positions(slug, day - run * step):
            run += 1
        return {
            "song": self._songs[song].stub,
            "position": position,
            "positionEvolution": None if previous is None else previous - position,
            "metric": metric,
            "entryState": "",
            "entryDate": stamp(spec, day - (run - 1) * step),
            "rankDate": stamp(spec, day),
            "oldPosition": previous,
            "timeOnChart": run,
            "timeOnChartUnit": UNITS[spec.frequency],
        }

    def _step(self, slug: str) -> int:
        return STEP_DAYS[self._specs[slug].frequency]

    def _metrics(self, spec: ChartSpec, day: int, count: int) -> list[int | None]:
        """Metric values by position, strictly decreasing (None where the chart has none)."""
        if spec.metric is None:
            return [None] * count
        metric_key = key(self._seed, spec.slug, "metric", day)
        values: list[int | None] = []
        ceiling = spec.metric_top * 2
        for p in range(1, count + 1):
            jitter = 1 + 0.03 * (day_unit(metric_key, p) - 0.5)
            ceiling = min(int(spec.metric_top * ((p + 4) / 5) ** -0.55 * jitter), ceiling - 1)
            values.append(ceiling)
        return values

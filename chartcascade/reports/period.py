"""Figures of any period: start and end values, gain, average daily gain, peak, days with data.

A period covers the days `start`..`end`. Each series is read from the BI views and treated as
its kind requires:

- `cumulative` (track streams, views, Shazams): the period opens with the total of the day
  before `start` (the nearest stored day at or before it, at most `tolerance_days` earlier,
  else the first stored day of the period) and ends with the newest total at or before `end`;
  `gain` = end - start, `avg_daily_gain` = gain / the days between the two days used, `peak`
  = the largest gain between two consecutive stored days of the period.
- `level` (followers, listeners, radio stations): start and end are found the same way;
  `gain` = end - start (the change, maybe negative), `peak` = the highest level of the period.
- `daily` (radio spins): `gain` = the sum of the stored days, `avg_daily_gain` = that sum per
  day with data, `peak` = the best day; start and end are the first and last days with data.

Gaps are never filled in: the days actually used are shown (`start_date`, `end_date`,
`peak_date`), with the number of stored days (`days_with_data`). `by="month"` or `"week"`
(ISO weeks, Monday to Sunday) gives the same figures per bucket, clipped to the period; each
bucket opens where the previous one closed, so complete buckets add up to the period.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from chartcascade.reports import selection, views
from chartcascade.reports.series import CUMULATIVE, DAILY, DEFAULT_TOLERANCE_DAYS

BUCKETS = ("month", "week")
FIGURES = [
    "period_start", "period_end", "start_date", "start", "end_date", "end", "gain",
    "avg_daily_gain", "peak", "peak_date", "days_with_data",
]  # fmt: skip
DATE_FIGURES = ["period_start", "period_end", "start_date", "end_date", "peak_date"]
ENTITY_KEYS = {
    "artists": ["artist_uuid", "artist", "platform", "metric", "kind"],
    "tracks": ["track_uuid", "track", "platform", "kind"],
}


@dataclass(frozen=True)
class PeriodRequest:
    """What a period report covers: its entities, days, country, platforms and buckets."""

    kind: str  # "artists" or "tracks"
    start: date
    end: date
    artists: tuple[str, ...] = ()
    watched: bool = False
    charts: tuple[str, ...] = ()
    country: str | None = None
    platforms: tuple[str, ...] = ()
    by: str | None = None
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS

    def describe(self) -> dict[str, str]:
        """The request in words, for a report's summary."""
        return {
            "report": f"{self.kind} over a period",
            "period": f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}",
            "buckets": self.by or "none (the whole period)",
            "country": self.country or "worldwide",
            "artists": ", ".join(self.artists) or "",
            "watched artists": "yes" if self.watched else "no",
            "charts": ", ".join(self.charts) or ("every chart" if self.is_default_scope else ""),
            "platforms": ", ".join(self.platforms) or "every platform",
            "tolerance (days)": str(self.tolerance_days),
            "generated": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        }

    @property
    def is_default_scope(self) -> bool:
        return not (self.artists or self.watched or self.charts)


def buckets(start: date, end: date, by: str | None) -> list[tuple[date, date]]:
    """The (first day, last day) of each bucket of `start`..`end`: one for `by` None."""
    if by is None:
        return [(start, end)]
    if by not in BUCKETS:
        raise ValueError(f"buckets are {' or '.join(BUCKETS)}, not {by!r}")
    spans, first = [], start
    while first <= end:
        if by == "month":
            following = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        else:
            following = first + timedelta(days=7 - first.weekday())
        last = min(following - timedelta(days=1), end)
        spans.append((first, last))
        first = last + timedelta(days=1)
    return spans


def series_figures(
    values: pd.Series, kind: str, start: date, end: date, tolerance_days: int
) -> dict[str, Any] | None:
    """The figures of one series (values indexed by day, ascending) over `start`..`end`, or
    None when it has no stored day in the period."""
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    inside = values[(values.index >= first) & (values.index <= last)]
    if inside.empty:
        return None
    figures: dict[str, Any] = {"period_start": first, "period_end": last}
    figures["days_with_data"] = len(inside)
    if kind == DAILY:
        total = float(inside.sum())
        return figures | {
            "start_date": inside.index[0], "start": math.nan,
            "end_date": inside.index[-1], "end": math.nan,
            "gain": total, "avg_daily_gain": total / len(inside),
            "peak": float(inside.max()), "peak_date": inside.idxmax(),
        }  # fmt: skip
    opening = first - pd.Timedelta(1, "D")
    before = values[
        (values.index <= opening) & (values.index >= opening - pd.Timedelta(tolerance_days, "D"))
    ]
    base = before if not before.empty else inside.iloc[:1]
    start_day, start_value = base.index[-1], float(base.iloc[-1])
    end_day, end_value = inside.index[-1], float(inside.iloc[-1])
    span = (end_day - start_day).days
    gain = end_value - start_value
    if kind == CUMULATIVE:
        stored = values[values.index <= last]
        steps = stored.diff()[stored.index.to_series().diff().dt.days == 1]
        steps = steps[steps.index >= first]
        peak = float(steps.max()) if not steps.empty else math.nan
        peak_day = steps.idxmax() if not steps.empty else pd.NaT
    else:
        peak, peak_day = float(inside.max()), inside.idxmax()
    return figures | {
        "start_date": start_day, "start": start_value, "end_date": end_day, "end": end_value,
        "gain": gain, "avg_daily_gain": gain / span if span else math.nan,
        "peak": peak, "peak_date": peak_day,
    }  # fmt: skip


def period_figures(
    points: pd.DataFrame,
    keys: Sequence[str],
    spans: Sequence[tuple[date, date]],
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
) -> pd.DataFrame:
    """One row per `keys` group of `points` (with `kind`, `date`, `value`) and span that has
    data: the group's keys and its `FIGURES`."""
    rows = []
    for group, frame in points.groupby(list(keys), sort=True, dropna=False):
        values = frame.set_index("date")["value"].astype(float).sort_index()
        named = dict(zip(keys, group, strict=True))
        for start, end in spans:
            figures = series_figures(values, str(named["kind"]), start, end, tolerance_days)
            if figures is not None:
                rows.append(named | figures)
    frame = pd.DataFrame(rows, columns=[*keys, *FIGURES])
    frame[DATE_FIGURES] = frame[DATE_FIGURES].astype("datetime64[ns]")
    frame["days_with_data"] = frame["days_with_data"].astype(int)
    return frame


def period_report(database_url: str, request: PeriodRequest) -> pd.DataFrame:
    """The period figures of the request's artists or tracks, one row per series (and bucket)."""
    if request.end < request.start:
        raise ValueError(f"the period ends ({request.end}) before it starts ({request.start})")
    spans = buckets(request.start, request.end, request.by)
    reach = pd.Timestamp(request.start) - pd.Timedelta(request.tolerance_days + 1, "D")
    if request.kind not in ENTITY_KEYS:
        raise ValueError(f"a period report is of artists or tracks, not {request.kind!r}")
    artists = request.kind == "artists"
    pick = selection.artist_ids if artists else selection.track_ids
    ids = pick(
        database_url, artists=request.artists, watched=request.watched, charts=request.charts
    )
    read = views.artist_audience if artists else views.track_audience
    points = read(
        database_url, ids, platforms=request.platforms, country=request.country,
        since=reach.date(), until=request.end,
    )  # fmt: skip
    keys = ENTITY_KEYS[request.kind]
    name = keys[1]
    points[name] = points[name].fillna(points[keys[0]])
    return period_figures(points, keys, spans, request.tolerance_days).reset_index(drop=True)


def default_period(
    database_url: str, kind: str, charts: Sequence[str] = (), days: int = 28
) -> PeriodRequest | None:
    """The `days` days up to the newest stored audience day, or None when there is none."""
    newest = views.newest_day(database_url)
    if newest is None:
        return None
    start = newest - timedelta(days=days - 1)
    return PeriodRequest(kind, start, newest, charts=tuple(charts))

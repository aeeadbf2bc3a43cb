"""Changes and daily deltas of audience series, with gaps handled explicitly.

Three kinds of series are stored:

- `cumulative`: running totals (track streams, views, Shazam counts). The change over N days is
  what was gained: the latest total minus the total N days earlier.
- `level`: a level on each day (followers, monthly listeners). The change over N days is the
  latest level minus the level N days earlier.
- `daily`: a count per day (radio spins). The change over N days is the sum of the N days up to
  the latest one.

Changes end at each series' latest stored day (`latest_date`, at most the `as_of` date asked
for), so a series that stopped early is compared with its own past, not with today.

Gaps are never filled in. The value "N days earlier" is the nearest stored value at or before
that day, at most `tolerance_days` earlier, and its date is reported next to the change
(`base_7d`, `base_28d`: each change covers the days after its base up to the latest
day); with no value in that window the change is missing (NaN). A daily
series' sum is missing unless every one of its N days is stored. A daily delta of a cumulative
series is only given between consecutive days; across a gap it is missing, and `delta` with
`days` states what was gained over the gap instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

CUMULATIVE, LEVEL, DAILY = "cumulative", "level", "daily"
WINDOWS = (7, 28)
DEFAULT_TOLERANCE_DAYS = 3
DAILY_TRACK_PLATFORMS = frozenset({"airplay"})


def track_series_kind(platform: str) -> str:
    """Track audience is cumulative, except radio spins (a count per day)."""
    return DAILY if platform in DAILY_TRACK_PLATFORMS else CUMULATIVE


def value_at(series: pd.Series, day: pd.Timestamp, tolerance_days: int) -> tuple[float, object]:
    """The nearest value at or before `day`, at most `tolerance_days` earlier, and its date.

    `series` is indexed by date, ascending. (NaN, NaT) when there is none.
    """
    window = series[
        (series.index <= day) & (series.index >= day - pd.Timedelta(tolerance_days, "D"))
    ]
    if window.empty:
        return math.nan, pd.NaT
    return float(window.iloc[-1]), window.index[-1]


def window_sum(series: pd.Series, end: pd.Timestamp, days: int) -> float:
    """The sum of the `days` days ending at `end`, or NaN when any of them is missing."""
    start = end - pd.Timedelta(days - 1, "D")
    window = series[(series.index >= start) & (series.index <= end)]
    return float(window.sum()) if len(window) == days else math.nan


def summarise_series(
    series: pd.Series,
    kind: str,
    windows: Sequence[int] = WINDOWS,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
) -> dict[str, object]:
    """latest_date, latest, and for each window N: change_Nd and base_Nd (its baseline day).

    `series` holds one entity's values of one platform (and metric), indexed by date.
    """
    series = series.sort_index()
    latest_day = series.index[-1]
    summary: dict[str, object] = {"latest_date": latest_day, "latest": float(series.iloc[-1])}
    for days in windows:
        if kind == DAILY:
            total = window_sum(series, latest_day, days)
            since = latest_day - pd.Timedelta(days, "D")  # the window is (since, latest]
            summary[f"change_{days}d"] = total
            summary[f"base_{days}d"] = pd.NaT if math.isnan(total) else since
            continue
        value, base_day = value_at(series, latest_day - pd.Timedelta(days, "D"), tolerance_days)
        summary[f"change_{days}d"] = float(series.iloc[-1]) - value
        summary[f"base_{days}d"] = base_day
    return summary


def summarise(
    points: pd.DataFrame,
    keys: Sequence[str],
    kind_of: dict[str, str] | str,
    windows: Sequence[int] = WINDOWS,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
) -> pd.DataFrame:
    """One row per `keys` group of `points` (date, value) with its latest value and changes.

    `kind_of` is one kind for every series, or a kind per platform.
    """
    columns = [*keys, "latest_date", "latest"]
    columns += [f"{name}_{days}d" for days in windows for name in ("change", "base")]
    rows = []
    for group, frame in points.groupby(list(keys), sort=True):
        values = frame.set_index("date")["value"]
        named = dict(zip(keys, group, strict=True))
        kind = kind_of if isinstance(kind_of, str) else kind_of[str(named["platform"])]
        rows.append({**named, **summarise_series(values, kind, windows, tolerance_days)})
    frame = pd.DataFrame(rows, columns=columns)
    dates = ["latest_date", *(f"base_{days}d" for days in windows)]
    frame[dates] = frame[dates].astype("datetime64[ns]")  # one unit, also when all missing
    return frame


def daily_deltas(
    points: pd.DataFrame, keys: Sequence[str], kind_of: dict[str, str]
) -> pd.DataFrame:
    """`points` with `delta` (since the previous stored day), `days` (how many days back that
    was) and `daily` (the day's own figure: the delta between consecutive days of a cumulative
    series, NaN across a gap; a daily series' own value)."""
    frame = points.sort_values([*keys, "date"]).reset_index(drop=True)
    grouped = frame.groupby(list(keys), sort=False)
    frame["delta"] = grouped["value"].diff()
    frame["days"] = grouped["date"].diff().dt.days
    is_daily = frame["platform"].map(lambda p: kind_of.get(p, CUMULATIVE) == DAILY)
    consecutive = frame["delta"].where(frame["days"] == 1)
    frame["daily"] = frame["value"].astype(float).where(is_daily, consecutive)
    return frame


def wide_fields(windows: Sequence[int] = WINDOWS) -> list[tuple[str, str]]:
    """(field of `summarise`, suffix of its wide column): the latest value and its date, then
    each window's change with its base date next to it."""
    fields = [("latest", ""), ("latest_date", "_latest_date")]
    for days in windows:
        fields += [(f"change_{days}d", f"_{days}d"), (f"base_{days}d", f"_base_{days}d")]
    return fields


def wide(audience: pd.DataFrame, index: str, column: pd.Series) -> pd.DataFrame:
    """One row per `index`: for each `column` name its latest value and date, and its `_7d` and
    `_28d` changes each followed by its base date (`_base_7d`, `_base_28d`)."""
    frame = audience.assign(column=column)
    parts = {
        suffix: frame.pivot(index=index, columns="column", values=field).add_suffix(suffix)
        for field, suffix in wide_fields()
    }
    names = sorted(set(frame["column"]))
    ordered = [f"{name}{suffix}" for name in names for suffix in parts]
    return pd.concat(parts.values(), axis=1)[ordered]

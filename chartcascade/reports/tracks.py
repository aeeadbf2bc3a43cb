"""Track analytics: position history, days on chart, audience with daily deltas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from chartcascade.reports import frames
from chartcascade.reports.series import (
    DEFAULT_TOLERANCE_DAYS,
    daily_deltas,
    summarise,
    track_series_kind,
    wide,
)

SUMMARY_COLUMNS = [
    "track_id",
    "track_uuid",
    "track",
    "artists",
    "charts",
    "best_position",
    "current_position",
    "days_on_chart",
]


@dataclass
class TrackAnalytics:
    """Per track: `summary`, `charts` (per track and chart), `history` (every position),
    `audience` (latest value and 7/28-day changes per platform) and `daily` (each stored
    point with its daily delta)."""

    summary: pd.DataFrame
    charts: pd.DataFrame
    history: pd.DataFrame
    audience: pd.DataFrame
    daily: pd.DataFrame

    def table(self) -> pd.DataFrame:
        """The summary with `<platform>`, `<platform>_7d`, `<platform>_28d` columns."""
        table = self.summary.drop(columns=["track_id"])
        if self.audience.empty:
            return table
        columns = wide(self.audience, "track_uuid", self.audience["platform"])
        return table.merge(columns, left_on="track_uuid", right_index=True, how="left")


def _credit_names(database_url: str, track_ids: list[int]) -> pd.Series:
    """track_id -> the credited artists' names in credit order, comma separated."""
    credits = frames.credits(database_url, track_ids)
    names = frames.artists(database_url, credits["artist_id"].unique().tolist())
    named = credits.merge(names, on="artist_id").sort_values(["track_id", "credit_order"])
    named["artist"] = named["artist"].fillna(named["artist_uuid"])
    return named.groupby("track_id")["artist"].agg(", ".join).rename("artists")


def track_analytics(
    database_url: str,
    *,
    charts: Sequence[str] = (),
    platforms: Sequence[str] = (),
    as_of: date | None = None,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
) -> TrackAnalytics:
    """Analytics of the tracks ranked on `charts` (default: every chart), up to `as_of`.

    Off-chart entries (the track has left the chart) are not positions: `best_position` is the
    best charted position, `current_position` the track's place on the newest ranking (empty
    when that ranking lists it as off the chart), and `days_on_chart` counts the stored ranking
    dates on which it was charted (on any of the charts, in the summary). `history` keeps the
    off-chart entries with an empty position and `off_chart` true.
    """
    positions = frames.positions(database_url, charts, as_of)
    ids = positions["track_id"].unique().tolist()
    info = frames.tracks(database_url, ids)
    current = frames.charted(frames.latest_positions(positions))
    positions = positions.assign(charted_date=positions["date"].mask(positions["off_chart"]))

    per_chart = (
        positions.groupby(["track_id", "chart"])
        .agg(
            best_position=("position", "min"),
            days_on_chart=("charted_date", "nunique"),
            first_date=("charted_date", "min"),
            last_date=("charted_date", "max"),
        )
        .reset_index()
        .merge(
            current[["track_id", "chart", "position"]].rename(
                columns={"position": "current_position"}
            ),
            on=["track_id", "chart"],
            how="left",
        )
    )
    summary = (
        positions.groupby("track_id")
        .agg(
            charts=("chart", lambda c: ", ".join(sorted(set(c)))),
            best_position=("position", "min"),
            days_on_chart=("charted_date", "nunique"),
        )
        .reset_index()
    )
    now = current.groupby("track_id")["position"].min().rename("current_position")
    summary = summary.merge(now, left_on="track_id", right_index=True, how="left")
    summary = summary.merge(
        _credit_names(database_url, ids), left_on="track_id", right_index=True, how="left"
    )
    summary = info[["track_id", "track_uuid", "track"]].merge(summary, on="track_id")
    summary = summary[SUMMARY_COLUMNS].sort_values(["best_position", "track_uuid"])
    history = positions.drop(columns=["charted_date"])

    points = frames.track_points(database_url, ids, platforms, as_of)
    kinds = {p: track_series_kind(p) for p in points["platform"].unique()}
    audience = summarise(points, ["track_id", "platform"], kinds, tolerance_days=tolerance_days)
    daily = daily_deltas(points, ["track_id", "platform"], kinds)
    named = info[["track_id", "track_uuid", "track"]]
    return TrackAnalytics(
        summary=summary.reset_index(drop=True),
        charts=named.merge(per_chart, on="track_id").sort_values(["chart", "best_position"]),
        history=named.merge(history, on="track_id").sort_values(["chart", "date", "position"]),
        audience=named.merge(audience, on="track_id").sort_values(["track_uuid", "platform"]),
        daily=named.merge(daily, on="track_id"),
    )

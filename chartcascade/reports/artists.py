"""Artist analytics: chart presence of each artist's tracks, and audience per platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from chartcascade.models import WatchedArtist
from chartcascade.reports import frames
from chartcascade.reports.radio import RADIO_COLUMNS, artist_radio, radio_summary
from chartcascade.reports.series import DEFAULT_TOLERANCE_DAYS, LEVEL, summarise, wide

SUMMARY_COLUMNS = [
    "artist_id",
    "artist_uuid",
    "artist",
    "charts",
    "best_position",
    "tracks_charting",
    "tracks_charted",
    "watched",
]


@dataclass
class ArtistAnalytics:
    """Per artist: `summary` (one row each), `charts` (one row per artist and chart) and
    `audience` (one row per artist, platform and metric: latest value, 7/28-day changes;
    radio as platform `airplay`, metrics `spins` and `stations`), and `radio` (spins and
    stations per artist, day and country; country_code None: worldwide)."""

    summary: pd.DataFrame
    charts: pd.DataFrame
    audience: pd.DataFrame
    radio: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RADIO_COLUMNS))

    def table(self) -> pd.DataFrame:
        """The summary with `<platform>_<metric>`, `..._7d`, `..._28d` columns: one row each."""
        table = self.summary.drop(columns=["artist_id"])
        if self.audience.empty:
            return table
        column = self.audience["platform"] + "_" + self.audience["metric"]
        columns = wide(self.audience, "artist_uuid", column)
        return table.merge(columns, left_on="artist_uuid", right_index=True, how="left")


def watched_artist_ids(database_url: str) -> list[int]:
    """The ids of the watched artists."""
    statement = frames.columns_of(WatchedArtist.artist_id)
    return frames.read_frame(database_url, statement, ["artist_id"])["artist_id"].tolist()


def _uncharted_as_none(summary: pd.DataFrame) -> pd.DataFrame:
    """A watched artist never charted: no charts, no position, no tracks charting."""
    summary["charts"] = summary["charts"].fillna("")
    for column in ("tracks_charting", "tracks_charted"):
        summary[column] = summary[column].fillna(0).astype(int)
    if summary["best_position"].isna().any():
        summary["best_position"] = summary["best_position"].astype("Int64")
    return summary


def artist_analytics(
    database_url: str,
    *,
    charts: Sequence[str] = (),
    platforms: Sequence[str] = (),
    as_of: date | None = None,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
    watched_only: bool = False,
) -> ArtistAnalytics:
    """Analytics of the artists credited on the tracks of `charts`, or without `charts` of
    every chart and the watched artists (charted or not); `watched` says which are watched,
    and `watched_only` keeps only those.

    Only rankings and audience points up to `as_of` count; `platforms` limits the audience.
    Positions are the best (lowest) charted ever seen; off-chart entries (tracks that left the
    chart) are not positions. `tracks_charting` counts the artist's tracks charted on each
    chart's newest ranking, `tracks_charted` those charted on any stored ranking.
    """
    positions = frames.positions(database_url, charts, as_of)
    positions = positions.assign(charted_track=positions["track_id"].mask(positions["off_chart"]))
    credits = frames.credits(database_url, positions["track_id"].unique().tolist())
    on_chart = positions.merge(credits[["track_id", "artist_id"]], on="track_id")
    current = frames.charted(frames.latest_positions(positions)).merge(credits, on="track_id")
    watched = set(watched_artist_ids(database_url))
    scope = set(on_chart["artist_id"].unique().tolist()) | (set() if charts else watched)
    people = frames.artists(database_url, sorted(scope & watched if watched_only else scope))

    per_chart = (
        on_chart.groupby(["artist_id", "chart"])
        .agg(best_position=("position", "min"), tracks_charted=("charted_track", "nunique"))
        .reset_index()
    )
    now = (
        current.groupby(["artist_id", "chart"])
        .agg(current_position=("position", "min"), tracks_charting=("track_id", "nunique"))
        .reset_index()
    )
    per_chart = per_chart.merge(now, on=["artist_id", "chart"], how="left")
    per_chart["tracks_charting"] = per_chart["tracks_charting"].fillna(0).astype(int)

    summary = (
        on_chart.groupby("artist_id")
        .agg(
            charts=("chart", lambda c: ", ".join(sorted(set(c)))),
            best_position=("position", "min"),
            tracks_charted=("charted_track", "nunique"),
        )
        .reset_index()
    )
    charting = current.groupby("artist_id")["track_id"].nunique().rename("tracks_charting")
    summary = summary.merge(charting, left_on="artist_id", right_index=True, how="left")
    summary["tracks_charting"] = summary["tracks_charting"].fillna(0).astype(int)
    summary = people.merge(summary, on="artist_id", how="left")
    summary["watched"] = summary["artist_id"].isin(watched)
    summary = _uncharted_as_none(summary)[SUMMARY_COLUMNS]
    summary = summary.sort_values(["best_position", "artist_uuid"]).reset_index(drop=True)

    points = frames.artist_points(database_url, summary["artist_id"].tolist(), platforms, as_of)
    audience = summarise(
        points, ["artist_id", "platform", "metric"], LEVEL, tolerance_days=tolerance_days
    )
    radio = artist_radio(database_url, summary["artist_id"].tolist(), platforms, as_of)
    on_air = radio_summary(radio, tolerance_days)
    if not on_air.empty:
        audience = pd.concat([audience, on_air], ignore_index=True) if len(audience) else on_air
    audience = people[["artist_id", "artist_uuid", "artist"]].merge(audience, on="artist_id")
    per_chart = people[["artist_id", "artist_uuid", "artist"]].merge(per_chart, on="artist_id")
    return ArtistAnalytics(
        summary=summary,
        charts=per_chart.sort_values(["chart", "best_position"]).reset_index(drop=True),
        audience=audience.sort_values(["artist_uuid", "platform", "metric"]).reset_index(drop=True),
        radio=people[["artist_id", "artist_uuid", "artist"]].merge(radio, on="artist_id"),
    )

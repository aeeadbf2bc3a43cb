"""The dashboard's reads: small bound queries over the tables and the BI views (no SQL text)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import col

from chartcascade.models import (
    Artist,
    ArtistAudiencePoint,
    Chart,
    RankingEntry,
    RankingSnapshot,
    Track,
    TrackAudiencePoint,
)
from chartcascade.reports import views
from chartcascade.reports.frames import as_timestamps, columns_of, read_frame

CHART_COLUMNS = ["chart_id", "chart", "name", "platform", "country_code", "last_synced_at"]


def charts(database_url: str) -> pd.DataFrame:
    """Every chart with a stored ranking: its newest ranking date and how many it has."""
    newest = (
        columns_of(
            RankingSnapshot.chart_id,
            func.max(RankingSnapshot.ranking_date).label("newest"),
            func.count().label("rankings"),
        )
        .group_by(col(RankingSnapshot.chart_id))
        .subquery()
    )
    statement = (
        columns_of(
            Chart.id,
            Chart.slug,
            Chart.name,
            Chart.platform,
            Chart.country_code,
            Chart.last_synced_at,
            newest.c.newest,
            newest.c.rankings,
        )  # fmt: skip
        .join(newest, newest.c.chart_id == col(Chart.id))
        .order_by(col(Chart.slug))
    )
    frame = read_frame(database_url, statement, [*CHART_COLUMNS, "newest", "rankings"])
    return as_timestamps(frame, "newest")


def chart(database_url: str, slug: str) -> dict[str, Any] | None:
    """The chart named `slug` (id, slug, name, platform, country_code), or None."""
    statement = columns_of(
        Chart.id, Chart.slug, Chart.name, Chart.platform, Chart.country_code, Chart.last_synced_at
    ).where(col(Chart.slug) == slug)
    frame = read_frame(database_url, statement, CHART_COLUMNS)
    return None if frame.empty else frame.iloc[0].to_dict()


def ranking_dates(database_url: str, chart_id: int) -> list[date]:
    """The chart's stored ranking dates, newest first."""
    statement = (
        columns_of(RankingSnapshot.ranking_date)
        .where(col(RankingSnapshot.chart_id) == chart_id)
        .order_by(col(RankingSnapshot.ranking_date).desc())
    )
    frame = read_frame(database_url, statement, ["ranking_date"])
    return [pd.Timestamp(day).date() for day in frame["ranking_date"]]


def ranking(database_url: str, slug: str, day: date) -> pd.DataFrame:
    """The rows of `bi_chart_positions` of one chart's ranking of `day`, in position order."""
    view = views.chart_positions_view
    statement = select(*view.c).where(view.c.chart == slug, view.c.ranking_date == day)
    frame = read_frame(database_url, statement, views.CHART_POSITION_COLUMNS)
    frame["off_chart"] = frame["off_chart"].astype(bool)
    for name in ("position", "previous_position", "movement"):
        frame[name] = frame[name].astype("Int64")
    return frame.sort_values(["off_chart", "position", "track"], na_position="last")


def days_on_chart(
    database_url: str, chart_id: int, track_ids: list[int], until: date
) -> dict[int, int]:
    """track_id -> the stored ranking dates of the chart up to `until` on which it charted."""
    if not track_ids:
        return {}
    statement = (
        columns_of(
            RankingEntry.track_id, func.count(func.distinct(col(RankingSnapshot.ranking_date)))
        )
        .join(RankingSnapshot, col(RankingSnapshot.id) == col(RankingEntry.snapshot_id))
        .where(
            col(RankingSnapshot.chart_id) == chart_id,
            col(RankingSnapshot.ranking_date) <= until,
            col(RankingEntry.track_id).in_(track_ids),
            col(RankingEntry.off_chart).is_(False),
        )
        .group_by(col(RankingEntry.track_id))
    )
    frame = read_frame(database_url, statement, ["track_id", "days"])
    return {int(t): int(d) for t, d in zip(frame["track_id"], frame["days"], strict=True)}


def track(database_url: str, uuid: str) -> dict[str, Any] | None:
    """The track of `uuid` (id, uuid, name, credit_name, isrc, release_date), or None."""
    statement = columns_of(
        Track.id, Track.uuid, Track.name, Track.credit_name, Track.isrc, Track.release_date
    ).where(col(Track.uuid) == uuid)
    frame = read_frame(database_url, statement, ["id", "uuid", "name", "credit", "isrc", "release"])
    return None if frame.empty else frame.iloc[0].to_dict()


def track_positions(database_url: str, track_id: int) -> pd.DataFrame:
    """Every stored ranking entry of the track: chart, ranking_date, position (NULL off chart)."""
    view = views.chart_positions_view
    statement = select(view.c.chart, view.c.ranking_date, view.c.position, view.c.off_chart).where(
        view.c.track_id == track_id
    )
    frame = read_frame(database_url, statement, ["chart", "ranking_date", "position", "off_chart"])
    frame["position"] = frame["position"].astype("Int64")
    return as_timestamps(frame, "ranking_date").sort_values(["chart", "ranking_date"])


def artist(database_url: str, uuid: str) -> dict[str, Any] | None:
    """The artist of `uuid` (id, uuid, name, country_code), or None."""
    statement = columns_of(Artist.id, Artist.uuid, Artist.name, Artist.country_code).where(
        col(Artist.uuid) == uuid
    )
    frame = read_frame(database_url, statement, ["id", "uuid", "name", "country_code"])
    return None if frame.empty else frame.iloc[0].to_dict()


def credits_of(
    database_url: str, *, artist_id: int | None = None, track_ids: list[int] | None = None
) -> pd.DataFrame:
    """Rows of `bi_artist_track_credits` of one artist, or of some tracks."""
    view = views.credits_view
    statement = select(*view.c)
    if artist_id is not None:
        statement = statement.where(view.c.artist_id == artist_id)
    if track_ids is not None:
        statement = statement.where(view.c.track_id.in_([int(t) for t in track_ids]))
    frame = read_frame(database_url, statement, views.CREDIT_COLUMNS)
    return frame.sort_values(["track_id", "credit_order"])


def artist_choices(database_url: str, limit: int = 2000) -> pd.DataFrame:
    """uuid and name of the named artists, by name (at most `limit`), for the analytics form."""
    statement = (
        columns_of(Artist.uuid, Artist.name)
        .where(col(Artist.name).is_not(None))
        .order_by(col(Artist.name), col(Artist.uuid))
        .limit(limit)
    )
    return read_frame(database_url, statement, ["uuid", "name"])


def newest_day(database_url: str) -> date | None:
    """The newest day of any stored track or artist figure (by the date indexes; the BI
    views' per-country rows come from the same fetches)."""
    days = [
        read_frame(database_url, columns_of(func.max(table.date)), ["date"])["date"].iloc[0]
        for table in (ArtistAudiencePoint, TrackAudiencePoint)
    ]
    stored = [pd.Timestamp(day).date() for day in days if day is not None]
    return max(stored) if stored else None

"""Reading the BI views (migration e5c3d2a1f6b8) as pandas frames.

The period report and the artist radio figures read these views, the same rows a BI tool
connected to the database sees, so one number means one thing everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, column, func, select, table

from chartcascade.reports.frames import as_timestamps, read_frame

TRACK_AUDIENCE_COLUMNS = [
    "track_id", "track_uuid", "track", "platform", "kind", "date", "country_code", "value",
    "stations",
]  # fmt: skip
ARTIST_AUDIENCE_COLUMNS = [
    "artist_id", "artist_uuid", "artist", "platform", "metric", "kind", "date", "country_code",
    "value",
]  # fmt: skip
CHART_POSITION_COLUMNS = [
    "chart", "chart_name", "ranking_date", "track_id", "track_uuid", "track", "position",
    "off_chart", "previous_ranking_date", "previous_position", "movement", "movement_status",
]  # fmt: skip
CREDIT_COLUMNS = [
    "artist_id", "artist_uuid", "artist", "track_id", "track_uuid", "track", "role",
    "credit_order",
]  # fmt: skip

track_audience_daily = table("bi_track_audience_daily", *map(column, TRACK_AUDIENCE_COLUMNS))
artist_audience_daily = table("bi_artist_audience_daily", *map(column, ARTIST_AUDIENCE_COLUMNS))
chart_positions_view = table("bi_chart_positions", *map(column, CHART_POSITION_COLUMNS))
credits_view = table("bi_artist_track_credits", *map(column, CREDIT_COLUMNS))


def _filtered(
    statement: Select[Any],
    view: Any,
    *,
    key: str,
    ids: Sequence[int] | None,
    platforms: Sequence[str],
    country: str | None,
    since: date | None,
    until: date | None,
    any_country: bool = False,
) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = []
    if ids is not None:
        conditions.append(view.c[key].in_([int(i) for i in ids]))
    if platforms:
        conditions.append(view.c.platform.in_(list(platforms)))
    if country is not None:
        conditions.append(view.c.country_code == country.upper())
    elif not any_country:
        conditions.append(view.c.country_code.is_(None))  # the worldwide figures
    if since is not None:
        conditions.append(view.c.date >= since)
    if until is not None:
        conditions.append(view.c.date <= until)
    return statement.where(*conditions)


def track_audience(
    database_url: str,
    ids: Sequence[int] | None = None,
    *,
    platforms: Sequence[str] = (),
    country: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """Rows of `bi_track_audience_daily`: worldwide (`country` None) or one country's."""
    view = track_audience_daily
    statement = _filtered(
        select(*view.c), view, key="track_id", ids=ids, platforms=platforms,
        country=country, since=since, until=until,
    )  # fmt: skip
    return as_timestamps(read_frame(database_url, statement, TRACK_AUDIENCE_COLUMNS), "date")


def artist_audience(
    database_url: str,
    ids: Sequence[int] | None = None,
    *,
    platforms: Sequence[str] = (),
    country: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """Rows of `bi_artist_audience_daily`: worldwide (`country` None) or one country's."""
    view = artist_audience_daily
    statement = _filtered(
        select(*view.c), view, key="artist_id", ids=ids, platforms=platforms,
        country=country, since=since, until=until,
    )  # fmt: skip
    return as_timestamps(read_frame(database_url, statement, ARTIST_AUDIENCE_COLUMNS), "date")


def artist_countries(
    database_url: str,
    ids: Sequence[int],
    *,
    platforms: Sequence[str] = (),
    until: date | None = None,
) -> pd.DataFrame:
    """Every per-country row of `bi_artist_audience_daily` of the artists `ids`."""
    view = artist_audience_daily
    statement = select(*view.c).where(view.c.country_code.is_not(None))
    statement = _filtered(
        statement, view, key="artist_id", ids=ids, platforms=platforms, country=None,
        since=None, until=until, any_country=True,
    )  # fmt: skip
    return as_timestamps(read_frame(database_url, statement, ARTIST_AUDIENCE_COLUMNS), "date")


def chart_positions(database_url: str, charts: Sequence[str] = ()) -> pd.DataFrame:
    """Rows of `bi_chart_positions` (of `charts`, default every chart)."""
    view = chart_positions_view
    statement = select(*view.c)
    if charts:
        statement = statement.where(view.c.chart.in_(list(charts)))
    frame = read_frame(database_url, statement, CHART_POSITION_COLUMNS)
    frame["off_chart"] = frame["off_chart"].astype(bool)
    for name in ("position", "previous_position", "movement"):
        frame[name] = frame[name].astype("Int64")
    return as_timestamps(frame, "ranking_date", "previous_ranking_date")


def credits(database_url: str) -> pd.DataFrame:
    """Rows of `bi_artist_track_credits`."""
    return read_frame(database_url, select(*credits_view.c), CREDIT_COLUMNS)


def newest_day(database_url: str) -> date | None:
    """The newest day of any stored track or artist audience figure."""
    days = [
        read_frame(database_url, select(func.max(view.c.date)), ["date"])["date"].iloc[0]
        for view in (artist_audience_daily, track_audience_daily)
    ]
    stored = [pd.Timestamp(day) for day in days if day is not None]
    return max(stored).date() if stored else None

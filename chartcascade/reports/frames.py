"""The stored cascade as pandas frames: chart positions, tracks, credits, artists, audience."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import CompoundSelect, Select, String, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import aliased
from sqlmodel import col

from chartcascade.db import get_engine
from chartcascade.models import (
    Artist,
    ArtistAudiencePoint,
    AudienceCheck,
    Chart,
    FailedItem,
    RankingEntry,
    RankingSnapshot,
    Track,
    TrackArtist,
    TrackAudiencePoint,
)

POSITION_COLUMNS = ["chart", "date", "track_id", "position", "off_chart"]


def columns_of(*columns: Any) -> Select[Any]:
    """A SELECT of model columns (typed loosely: SQLModel fields look like plain values)."""
    return select(*columns)


def read_frame(database_url: str, statement: Select[Any], columns: Sequence[str]) -> pd.DataFrame:
    """The rows of `statement` as a frame with `columns` (also when there are no rows)."""
    with get_engine(database_url).connect() as connection:
        rows = connection.execute(statement).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=list(columns))


def as_timestamps(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """`frame` with the date columns as pandas timestamps (day precision)."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame


def chart_slugs(database_url: str) -> list[str]:
    """Every chart that has at least one ranking snapshot, by slug."""
    statement = (
        columns_of(Chart.slug)
        .join(RankingSnapshot, col(RankingSnapshot.chart_id) == col(Chart.id))
        .distinct()
        .order_by(col(Chart.slug))
    )
    return list(read_frame(database_url, statement, ["slug"])["slug"])


def positions(
    database_url: str, charts: Sequence[str] = (), as_of: date | None = None
) -> pd.DataFrame:
    """Every stored ranking entry: chart, date, track_id, position, off_chart (up to `as_of`).

    An off-chart entry (the track has left the chart) has no position (<NA>) and sorts after
    the charted entries of its date.
    """
    statement = (
        columns_of(
            Chart.slug,
            RankingSnapshot.ranking_date,
            RankingEntry.track_id,
            RankingEntry.position,
            RankingEntry.off_chart,
        )
        .join(RankingSnapshot, col(RankingSnapshot.chart_id) == col(Chart.id))
        .join(RankingEntry, col(RankingEntry.snapshot_id) == col(RankingSnapshot.id))
    )
    if charts:
        statement = statement.where(col(Chart.slug).in_(list(charts)))
    if as_of is not None:
        statement = statement.where(col(RankingSnapshot.ranking_date) <= as_of)
    frame = read_frame(database_url, statement, POSITION_COLUMNS)
    frame["off_chart"] = frame["off_chart"].astype(bool)
    frame["position"] = frame["position"].astype("Int64").mask(frame["off_chart"])
    return as_timestamps(frame, "date").sort_values(["chart", "date", "position"])


def charted(frame: pd.DataFrame) -> pd.DataFrame:
    """The entries of `frame` that hold a chart position (off-chart entries left out)."""
    return frame[~frame["off_chart"]]


def latest_positions(frame: pd.DataFrame) -> pd.DataFrame:
    """The entries of each chart's newest snapshot in `frame` (with its off-chart entries:
    `charted(latest_positions(...))` are the tracks charting now)."""
    newest = frame.groupby("chart")["date"].transform("max")
    return frame[frame["date"] == newest]


def tracks(database_url: str, track_ids: Sequence[int]) -> pd.DataFrame:
    """track_id, track_uuid, track (name), credit_name, metadata_fetched_at of `track_ids`."""
    statement = columns_of(
        Track.id, Track.uuid, Track.name, Track.credit_name, Track.metadata_fetched_at
    ).where(col(Track.id).in_([int(t) for t in track_ids]))
    columns = ["track_id", "track_uuid", "track", "credit_name", "metadata_fetched_at"]
    return read_frame(database_url, statement, columns)


def credits(database_url: str, track_ids: Sequence[int]) -> pd.DataFrame:
    """track_id, artist_id, role, credit position of the artists credited on `track_ids`."""
    statement = (
        columns_of(
            TrackArtist.track_id, TrackArtist.artist_id, TrackArtist.role, TrackArtist.position
        )
        .where(col(TrackArtist.track_id).in_([int(t) for t in track_ids]))
        .order_by(col(TrackArtist.track_id), col(TrackArtist.position))
    )
    return read_frame(database_url, statement, ["track_id", "artist_id", "role", "credit_order"])


def artists(database_url: str, artist_ids: Sequence[int]) -> pd.DataFrame:
    """artist_id, artist_uuid, artist (name), metadata_fetched_at of `artist_ids`."""
    statement = columns_of(Artist.id, Artist.uuid, Artist.name, Artist.metadata_fetched_at).where(
        col(Artist.id).in_([int(a) for a in artist_ids])
    )
    columns = ["artist_id", "artist_uuid", "artist", "metadata_fetched_at"]
    return read_frame(database_url, statement, columns)


def track_points(
    database_url: str,
    track_ids: Sequence[int],
    platforms: Sequence[str] = (),
    as_of: date | None = None,
) -> pd.DataFrame:
    """track_id, platform, date, value of the tracks' audience series (up to `as_of`)."""
    table = TrackAudiencePoint
    statement = columns_of(table.track_id, table.platform, table.date, table.value).where(
        col(table.track_id).in_([int(t) for t in track_ids])
    )
    if platforms:
        statement = statement.where(col(table.platform).in_(list(platforms)))
    if as_of is not None:
        statement = statement.where(col(table.date) <= as_of)
    frame = read_frame(database_url, statement, ["track_id", "platform", "date", "value"])
    return as_timestamps(frame, "date")


def artist_points(
    database_url: str,
    artist_ids: Sequence[int],
    platforms: Sequence[str] = (),
    as_of: date | None = None,
) -> pd.DataFrame:
    """artist_id, platform, metric, date, value of the artists' series (up to `as_of`)."""
    table = ArtistAudiencePoint
    statement = columns_of(
        table.artist_id, table.platform, table.metric, table.date, table.value
    ).where(col(table.artist_id).in_([int(a) for a in artist_ids]))
    if platforms:
        statement = statement.where(col(table.platform).in_(list(platforms)))
    if as_of is not None:
        statement = statement.where(col(table.date) <= as_of)
    columns = ["artist_id", "platform", "metric", "date", "value"]
    return as_timestamps(read_frame(database_url, statement, columns), "date")


def newest_positions(database_url: str, charts: Sequence[str]) -> pd.DataFrame:
    """The entries of each chart's newest ranking that has entries, as `positions` has them
    (`latest_positions(positions(...))` without reading the older rankings)."""
    older = aliased(RankingSnapshot)
    with_entries = select(col(RankingEntry.id)).where(
        col(RankingEntry.snapshot_id) == col(older.id)
    )
    newest_day = (
        select(func.max(col(older.ranking_date)))
        .where(col(older.chart_id) == col(RankingSnapshot.chart_id), with_entries.exists())
        .scalar_subquery()
    )
    statement = (
        columns_of(
            Chart.slug,
            RankingSnapshot.ranking_date,
            RankingEntry.track_id,
            RankingEntry.position,
            RankingEntry.off_chart,
        )
        .join(RankingSnapshot, col(RankingSnapshot.chart_id) == col(Chart.id))
        .join(RankingEntry, col(RankingEntry.snapshot_id) == col(RankingSnapshot.id))
        .where(col(Chart.slug).in_(list(charts)), col(RankingSnapshot.ranking_date) == newest_day)
    )
    frame = read_frame(database_url, statement, POSITION_COLUMNS)
    frame["off_chart"] = frame["off_chart"].astype(bool)
    frame["position"] = frame["position"].astype("Int64").mask(frame["off_chart"])
    return as_timestamps(frame, "date").sort_values(["chart", "date", "position"])


def read_rows(database_url: str, statement: Select[Any] | CompoundSelect) -> list[tuple[Any, ...]]:
    """The rows of `statement` as tuples (no frame: for many small lookups)."""
    with get_engine(database_url).connect() as connection:
        return [tuple(row) for row in connection.execute(statement).all()]


def _newest_by_seek(
    entity_id: Any, ids: Sequence[int], key: Any, points: Any, platforms: Sequence[str]
) -> CompoundSelect:
    """id, platform, max(date) of `points` (a model with platform and date) per entity of
    `ids` and platform, one index seek each (NULL where no point is stored: the caller skips
    those, since a filter on the subquery's column would make SQLite seek twice)."""
    parts = [
        columns_of(
            entity_id,
            literal(str(platform)).label("platform"),
            type_coerce(  # the stored text on SQLite (no per-row date processing)
                select(func.max(col(points.date)))
                .where(col(key) == col(entity_id), col(points.platform) == str(platform))
                .scalar_subquery(),
                String,
            ).label("newest"),
        ).where(col(entity_id).in_([int(i) for i in ids]))
        for platform in platforms
    ]
    return union_all(*parts)


def series_newest(
    database_url: str, kind: str, ids: Sequence[int], platforms: Sequence[str] = ()
) -> dict[int, dict[str, date]]:
    """id -> platform -> the newest stored day of the `kind` ("track" or "artist") `ids` on
    `platforms` (every platform when empty); an artist's over its metrics."""
    if not ids:
        return {}
    entity: Any = Track if kind == "track" else Artist
    points: Any = TrackAudiencePoint if kind == "track" else ArtistAudiencePoint
    key = points.track_id if kind == "track" else points.artist_id
    statement: Select[Any] | CompoundSelect
    if platforms:
        statement = _newest_by_seek(entity.id, ids, key, points, platforms)
    else:
        statement = (
            columns_of(key, points.platform, type_coerce(func.max(col(points.date)), String))
            .where(col(key).in_([int(i) for i in ids]))
            .group_by(col(key), col(points.platform))
        )
    newest: dict[int, dict[str, date]] = {}
    for entity_id, platform, day in read_rows(database_url, statement):
        if day is None:
            continue
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        newest.setdefault(int(entity_id), {})[str(platform)] = day
    return newest


def artists_with_metrics(
    database_url: str, artist_ids: Sequence[int], platform: str, metrics: Sequence[str]
) -> set[int]:
    """The artists of `artist_ids` with a stored point of one of `metrics` on `platform`."""
    if not artist_ids or not metrics:
        return set()
    points = ArtistAudiencePoint
    stored = (
        select(col(points.id))
        .where(
            col(points.artist_id) == col(Artist.id),
            col(points.platform) == platform,
            col(points.metric).in_(list(metrics)),
        )
        .exists()
    )
    statement = columns_of(Artist.id).where(
        col(Artist.id).in_([int(a) for a in artist_ids]), stored
    )
    return {int(a) for a in read_frame(database_url, statement, ["artist_id"])["artist_id"]}


def checks(database_url: str, entity_kind: str, uuids: Sequence[str]) -> pd.DataFrame:
    """entity_uuid, series, status of the audience checks of `uuids`."""
    statement = columns_of(
        AudienceCheck.entity_uuid, AudienceCheck.series, AudienceCheck.status
    ).where(
        col(AudienceCheck.entity_kind) == entity_kind,
        col(AudienceCheck.entity_uuid).in_(list(uuids)),
    )
    return read_frame(database_url, statement, ["entity_uuid", "series", "status"])


def open_failures(database_url: str, item_uuids: Sequence[str]) -> pd.DataFrame:
    """stage, item_uuid, error of the unresolved failures of `item_uuids`."""
    statement = columns_of(FailedItem.stage, FailedItem.item_uuid, FailedItem.error).where(
        col(FailedItem.resolved_at).is_(None), col(FailedItem.item_uuid).in_(list(item_uuids))
    )
    return read_frame(database_url, statement, ["stage", "item_uuid", "error"])

"""Charts, their ranking snapshots and the entries of each snapshot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col, delete, select

from chartcascade.db import chunks
from chartcascade.models import Chart, RankingEntry, RankingSnapshot
from chartcascade.models._base import utcnow
from chartcascade.positions import OFF_CHART, is_off_chart
from chartcascade.upserts import keep_known, upsert

ENTRY_FIELDS = (
    "track_id",
    "position",
    "old_position",
    "position_evolution",
    "time_on_chart",
    "time_on_chart_unit",
    "entry_date",
    "metric",
)


def upsert_chart(
    session: Session,
    *,
    slug: str,
    name: str | None = None,
    platform: str | None = None,
    country_code: str | None = None,
    frequency: str | None = None,
    chart_type: str | None = None,
    max_results_count: int | None = None,
    metric_type: str | None = None,
) -> int:
    """Insert or complete the chart `slug` (None never overwrites a known value); its id."""
    fields: dict[str, Any] = {
        "name": name,
        "platform": platform,
        "country_code": country_code,
        "frequency": frequency,
        "chart_type": chart_type,
        "max_results_count": max_results_count,
        "metric_type": metric_type,
    }
    upsert(
        session,
        Chart,
        [{"slug": slug, **fields}],
        keys=["slug"],
        update=(),
        merge=dict.fromkeys(fields, keep_known),
    )
    return session.exec(select(Chart.id).where(Chart.slug == slug)).one()  # type: ignore[return-value]


def upsert_snapshot(
    session: Session,
    *,
    chart_id: int,
    ranking_date: date,
    ranking_datetime: str | None,
    entry_count: int,
) -> int:
    """Insert or refresh the chart's ranking of `ranking_date` (fetched now); its id."""
    row = {
        "chart_id": chart_id,
        "ranking_date": ranking_date,
        "ranking_datetime": ranking_datetime,
        "entry_count": entry_count,
        "fetched_at": utcnow(),
    }
    upsert(session, RankingSnapshot, [row], keys=["chart_id", "ranking_date"])
    snapshot_id = session.exec(
        select(RankingSnapshot.id).where(
            RankingSnapshot.chart_id == chart_id, RankingSnapshot.ranking_date == ranking_date
        )
    ).one()
    return snapshot_id  # type: ignore[return-value]


def entry_row(snapshot_id: int, entry: Mapping[str, Any]) -> dict[str, Any]:
    """The stored row of a ranking entry: a position of 0 or less is stored as 0, off chart."""
    row: dict[str, Any] = {"snapshot_id": snapshot_id, **{f: entry.get(f) for f in ENTRY_FIELDS}}
    off_chart = is_off_chart(row["position"])
    return row | {"position": OFF_CHART if off_chart else row["position"], "off_chart": off_chart}


def replace_entries(
    session: Session, *, snapshot_id: int, entries: Sequence[Mapping[str, Any]]
) -> int:
    """Make the snapshot's entries exactly `entries` (one per track, last wins); their count."""
    rows = {entry["track_id"]: entry_row(snapshot_id, entry) for entry in entries}
    stored = session.exec(
        select(RankingEntry.track_id).where(RankingEntry.snapshot_id == snapshot_id)
    ).all()
    stale = sorted(set(stored) - rows.keys())
    for part in chunks(stale):
        session.exec(
            delete(RankingEntry).where(
                col(RankingEntry.snapshot_id) == snapshot_id, col(RankingEntry.track_id).in_(part)
            )
        )
    upsert(session, RankingEntry, list(rows.values()), keys=["snapshot_id", "track_id"])
    return len(rows)


def chart_by_slug(session: Session, slug: str) -> Chart | None:
    """The chart known by `slug`, if any."""
    return session.exec(select(Chart).where(Chart.slug == slug)).first()


def latest_snapshot(session: Session, *, chart_id: int) -> RankingSnapshot | None:
    """The chart's snapshot with the newest ranking date, if any."""
    statement = (
        select(RankingSnapshot)
        .where(RankingSnapshot.chart_id == chart_id)
        .order_by(col(RankingSnapshot.ranking_date).desc())
        .limit(1)
    )
    return session.exec(statement).first()

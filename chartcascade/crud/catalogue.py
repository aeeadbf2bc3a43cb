"""The chart catalogue: the song charts the API offers, stored so reports can name them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from chartcascade.models import Chart
from chartcascade.soundcharts import ChartInfo
from chartcascade.upserts import keep_known, upsert

CATALOGUE_FIELDS = (
    "name",
    "platform",
    "country_code",
    "frequency",
    "chart_type",
    "max_results_count",
)


def store_catalogue(session: Session, *, charts: Sequence[ChartInfo]) -> list[str]:
    """Insert or complete one row per listed chart (a null never erases a known value, and a
    chart's sync choices are left alone); the slugs stored, in the given order."""
    rows: list[dict[str, Any]] = [
        {"slug": chart.slug, **{f: getattr(chart, f) for f in CATALOGUE_FIELDS}} for chart in charts
    ]
    upsert(
        session,
        Chart,
        rows,
        keys=["slug"],
        update=(),
        merge=dict.fromkeys(CATALOGUE_FIELDS, keep_known),
    )
    return list(dict.fromkeys(row["slug"] for row in rows))


def stored_charts(
    session: Session, *, platform: str | None = None, country_code: str | None = None
) -> list[Chart]:
    """The stored charts (of one platform and country when given), by platform and slug."""
    statement = select(Chart).order_by(col(Chart.platform), col(Chart.slug))
    if platform is not None:
        statement = statement.where(Chart.platform == platform)
    if country_code is not None:
        statement = statement.where(Chart.country_code == country_code.upper())
    return list(session.exec(statement).all())

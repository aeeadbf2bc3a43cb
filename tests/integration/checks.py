"""What the integration test checks, once the runs are over."""

from __future__ import annotations

from typing import Any

from prefect import get_client
from sqlalchemy import text

from chartcascade.db import get_engine
from chartcascade.deploy.definitions import runner_deployments
from chartcascade.sandbox import Sandbox


def comparable(
    name: str, flow: str, parameters: Any, schedules: Any, limit: Any, schema: Any, tags: Any
) -> tuple[str, dict[str, Any]]:
    crons = sorted((s.schedule.cron, s.schedule.timezone, s.active) for s in schedules)
    fields = {"parameters": parameters, "schedules": crons, "limit": limit, "tags": sorted(tags)}
    schema = {k: v for k, v in schema.items() if v not in ([], {})}  # empty ones are not stored
    return f"{flow}/{name}", fields | {"schema": schema}


def served_as_served() -> dict[str, dict[str, Any]]:
    """What `chartcascade serve` would serve, reduced to what a deployment shows."""
    return dict(
        comparable(
            d.name,
            d.flow_name or "",
            d.parameters,
            d.schedules,
            d.concurrency_limit,
            d._parameter_openapi_schema.model_dump(),
            d.tags,
        )
        for d in runner_deployments()
    )


def deployed_as_served() -> dict[str, dict[str, Any]]:
    """What `prefect deploy --all` created on the server, reduced the same way."""
    with get_client(sync_client=True) as client:
        flows = {f.id: f.name for f in client.read_flows()}
        return dict(
            comparable(
                d.name,
                flows[d.flow_id],
                d.parameters,
                d.schedules,
                d.global_concurrency_limit.limit if d.global_concurrency_limit else None,
                d.parameter_openapi_schema,
                d.tags,
            )
            for d in client.read_deployments()
        )


def query(url: str, sql: str) -> list[Any]:
    with get_engine(url).connect() as connection:
        return list(connection.execute(text(sql)).all())


def assert_project_data(url: str, sandbox: Sandbox, chart_sizes: dict[str, int]) -> None:
    """Each chart's charted entries and their metadata are there, once; no song was fetched
    twice (the songs that left the chart are listed too, off the chart)."""
    for chart, size in chart_sizes.items():
        [(entries, with_metadata)] = query(
            url,
            "SELECT count(*), count(t.metadata_fetched_at) FROM chart c "
            "JOIN ranking_snapshot s ON s.chart_id = c.id "
            "JOIN ranking_entry e ON e.snapshot_id = s.id JOIN track t ON t.id = e.track_id "
            f"WHERE c.slug = '{chart}' AND NOT e.off_chart",  # its charted positions
        )
        assert (entries, with_metadata) == (size, size), chart
    for table, key in (
        ("track", "uuid"),
        ("artist", "uuid"),
        ("chart", "slug"),
        ("ranking_snapshot", "chart_id, ranking_date"),
        ("track_audience_point", "track_id, platform, date"),
        ("artist_audience_point", "artist_id, platform, metric, date"),
        ("audience_check", "entity_kind, entity_uuid, series"),
    ):
        duplicates = query(url, f"SELECT {key} FROM {table} GROUP BY {key} HAVING count(*) > 1")
        assert duplicates == [], table
    [(tracks,)] = query(url, "SELECT count(*) FROM track WHERE metadata_fetched_at IS NOT NULL")
    assert sandbox.billable["song"] == tracks
    assert query(url, "SELECT count(*) FROM failed_item WHERE resolved_at IS NULL") == [(0,)]
    assert query(url, "SELECT count(*) FROM track_audience_point")[0][0] > 0


def assert_rate_budget_held(
    log: list[tuple[float, str, int]], *, rate: float, burst: int, processes: int
) -> dict[float, int]:
    """In every window, no more requests than the shared rate limit grants: its burst, its
    rate over the window, and at most one prefetched chunk held by each run's process."""
    times = sorted(t for t, endpoint, _ in log if endpoint != "token")
    assert times, "the sandbox saw no API request"
    held = processes * max(1, burst // 2)
    busiest: dict[float, int] = {}
    for window in (1.0, 3.0):
        allowed = burst + rate * window + held
        busiest[window] = max(
            sum(1 for t in times[i:] if t < start + window) for i, start in enumerate(times)
        )
        assert busiest[window] <= allowed, (window, busiest[window], allowed)
    assert all(status != 429 for _, _, status in log)
    return busiest

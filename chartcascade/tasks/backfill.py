"""The backfill's ranking stage: every ranking of a date range not stored yet, one per date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlmodel import col, select

from chartcascade.db import session_scope
from chartcascade.models import Chart, RankingEntry, RankingSnapshot, Track
from chartcascade.positions import position_order
from chartcascade.soundcharts import NotFoundError, SoundchartsClient
from chartcascade.soundcharts.errors import is_retryable
from chartcascade.tasks.batch import RunContext
from chartcascade.tasks.charts import UnknownChartError, store_ranking


@dataclass
class RangeRankings:
    """What the ranking stage of a backfill found and stored."""

    chart: str
    available: list[date]  # the range's ranking dates the API has, oldest first
    stored_before: list[date] = field(default_factory=list)  # in the database already
    fetched: list[date] = field(default_factory=list)  # those this run fetched and stored
    new_track_uuids: list[str] = field(default_factory=list)
    calls: int = 0
    quota_remaining: int | None = None

    @property
    def missing(self) -> list[date]:
        """The range's rankings still not stored."""
        done = set(self.stored_before) | set(self.fetched)
        return [day for day in self.available if day not in done]


class RankingsIncomplete(Exception):
    """The stage stopped before every ranking of the range was stored (the rest is resumable)."""

    def __init__(self, message: str, outcome: RangeRankings, cause: BaseException) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.cause = cause


def dates_in_range(available: list[str], start: date, end: date) -> dict[date, str]:
    """Ranking date -> the API's datetime, for the dates in [start, end], oldest first."""
    found = {date.fromisoformat(moment[:10]): moment for moment in available}
    return {day: found[day] for day in sorted(found) if start <= day <= end}


def available_rankings(
    client: SoundchartsClient, chart: str, start: date, end: date
) -> dict[date, str]:
    """The range's rankings the API has (one paged list call), or UnknownChartError."""
    try:
        return dates_in_range(client.ranking_dates(chart), start, end)
    except NotFoundError as exc:
        raise UnknownChartError(
            f"Unknown chart {chart!r}: the Soundcharts API has no song chart with this slug."
        ) from exc


def stored_dates(database_url: str, chart: str, start: date, end: date) -> set[date]:
    """The chart's ranking dates in [start, end] the database already holds."""
    query = (
        select(col(RankingSnapshot.ranking_date))
        .join(Chart, col(Chart.id) == RankingSnapshot.chart_id)
        .where(Chart.slug == chart)
        .where(col(RankingSnapshot.ranking_date).between(start, end))
    )
    with session_scope(database_url) as session:
        return set(session.exec(query).all())


def range_track_uuids(database_url: str, chart: str, start: date, end: date) -> list[str]:
    """The tracks on the chart's stored rankings of [start, end], best position first (tracks
    only ever listed off the chart last)."""
    query = (
        select(Track.uuid, RankingEntry.position)
        .join(RankingEntry, col(RankingEntry.track_id) == Track.id)
        .join(RankingSnapshot, col(RankingSnapshot.id) == RankingEntry.snapshot_id)
        .join(Chart, col(Chart.id) == RankingSnapshot.chart_id)
        .where(Chart.slug == chart)
        .where(col(RankingSnapshot.ranking_date).between(start, end))
    )
    with session_scope(database_url) as session:
        rows = session.exec(query).all()
    best: dict[str, tuple[bool, int]] = {}
    for uuid, position in rows:
        order = position_order(position)
        best[uuid] = min(best.get(uuid, order), order)
    return sorted(best, key=lambda uuid: (best[uuid], uuid))


@task(name="rankings", task_run_name="rankings-{chart}", cache_policy=NO_CACHE)
def fetch_range_rankings(chart: str, start: date, end: date, ctx: RunContext) -> RangeRankings:
    """Store every ranking of [start, end] the database lacks, oldest first, each as soon as
    it arrives; dates already stored are not fetched again."""
    meter = ctx.meter()
    with ctx.client(meter) as client:
        wanted = available_rankings(client, chart, start, end)
        outcome = RangeRankings(chart, list(wanted))
        stored = stored_dates(ctx.database_url, chart, start, end)
        outcome.stored_before = [day for day in wanted if day in stored]
        try:
            for day, moment in wanted.items():
                if day in stored:
                    continue
                ranking = client.ranking(chart, moment)
                _, new = store_ranking(ctx.database_url, ranking, chart)
                outcome.fetched.append(day)
                outcome.new_track_uuids += new
        except Exception as exc:  # noqa: BLE001 - re-raised with what was stored
            outcome.calls, outcome.quota_remaining = client.calls_made, client.quota_remaining
            raise RankingsIncomplete(
                f"{len(outcome.missing)} of {len(wanted)} rankings of {chart} not stored ({exc}); "
                "run the backfill again to fetch only those",
                outcome,
                exc,
            ) from exc
        outcome.calls, outcome.quota_remaining = client.calls_made, client.quota_remaining
    return outcome


def retry_rankings(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect `retry_condition_fn`: retry the stage only when its cause can pass later."""
    try:
        state.result()
    except RankingsIncomplete as exc:
        return is_retryable(exc.cause)
    except Exception as exc:  # noqa: BLE001 - classify, never re-raise here
        return is_retryable(exc)
    return False

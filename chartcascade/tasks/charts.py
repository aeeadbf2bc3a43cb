"""The ranking stage: fetch a chart's ranking and store the chart, snapshot, entries and tracks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE

from chartcascade.crud.charts import replace_entries, upsert_chart, upsert_snapshot
from chartcascade.crud.tracks import track_ids, upsert_track_stubs
from chartcascade.db import session_scope
from chartcascade.positions import position_order
from chartcascade.soundcharts import NotFoundError, Ranking, RankingEntry, SoundchartsClient
from chartcascade.tasks.batch import RunContext


class UnknownChartError(Exception):
    """The API has no chart with this slug."""


class UnknownRankingDateError(Exception):
    """The chart has no ranking on the requested date."""


@dataclass
class RankingOutcome:
    """What the ranking stage stored: the tracks in position order (off-chart ones last), and
    which are new."""

    chart: str
    ranking_date: date
    track_uuids: list[str]
    new_track_uuids: list[str]
    calls: int
    quota_remaining: int | None


def resolve_ranking_datetime(client: SoundchartsClient, chart: str, on: date) -> str:
    """The API's ranking datetime string for a calendar date, or a clear error."""
    available = client.ranking_dates(chart)
    for moment in available:
        if moment[:10] == on.isoformat():
            return moment
    newest = available[0][:10] if available else "none"
    raise UnknownRankingDateError(
        f"Chart {chart!r} has no ranking on {on.isoformat()} "
        f"({len(available)} ranking dates available, newest {newest})."
    )


def fetch_ranking_from_api(client: SoundchartsClient, chart: str, on: date | None) -> Ranking:
    """Every page of the chart's latest ranking, or of its ranking on a date."""
    try:
        at = resolve_ranking_datetime(client, chart, on) if on else None
        return client.ranking(chart, at)
    except NotFoundError as exc:
        raise UnknownChartError(
            f"Unknown chart {chart!r}: the Soundcharts API has no song chart with this slug."
        ) from exc


def chart_order(ranking: Ranking) -> list[RankingEntry]:
    """The ranking's entries by position, every off-chart entry after the charted ones."""
    return sorted(ranking.entries, key=lambda entry: position_order(entry.position))


def ranking_track_uuids(ranking: Ranking) -> list[str]:
    """The ranking's track uuids once each, in `chart_order`."""
    return list(dict.fromkeys(entry.song.uuid for entry in chart_order(ranking)))


def store_ranking(database_url: str, ranking: Ranking, chart: str) -> tuple[list[str], list[str]]:
    """Store chart, snapshot, entries and track stubs; return (all, new) track uuids, charted
    tracks by position first, then the tracks that left the chart."""
    info = ranking.chart
    entries = chart_order(ranking)
    uuids = ranking_track_uuids(ranking)
    with session_scope(database_url) as session:
        known = track_ids(session, uuids=uuids)
        chart_id = upsert_chart(
            session,
            slug=chart,
            name=info.name if info else None,
            platform=info.platform if info else None,
            country_code=info.country_code if info else None,
            frequency=info.frequency if info else None,
            chart_type=info.chart_type if info else None,
            max_results_count=info.max_results_count if info else None,
            metric_type=info.metric_type if info else None,
        )
        ids = upsert_track_stubs(
            session,
            stubs=[
                {
                    "uuid": entry.song.uuid,
                    "name": entry.song.name,
                    "credit_name": entry.song.credit_name,
                    "image_url": entry.song.image_url,
                }
                for entry in entries
            ],
        )
        snapshot_id = upsert_snapshot(
            session,
            chart_id=chart_id,
            ranking_date=ranking.date,
            ranking_datetime=ranking.datetime,
            entry_count=len(uuids),  # a song listed twice is stored once
        )
        replace_entries(
            session,
            snapshot_id=snapshot_id,
            entries=[
                {
                    "track_id": ids[entry.song.uuid],
                    "position": entry.position,
                    "old_position": entry.old_position,
                    "position_evolution": entry.position_evolution,
                    "time_on_chart": entry.time_on_chart,
                    "time_on_chart_unit": entry.time_on_chart_unit,
                    "entry_date": entry.entry_date,
                    "metric": entry.metric,
                }
                for entry in {e.song.uuid: e for e in reversed(entries)}.values()
            ],
        )
    return uuids, [uuid for uuid in uuids if uuid not in known]


@task(name="ranking", task_run_name="ranking-{chart}", cache_policy=NO_CACHE)
def fetch_ranking(chart: str, on: date | None, ctx: RunContext) -> RankingOutcome:
    """Fetch every page of the ranking and store it with its tracks."""
    meter = ctx.meter()
    with ctx.client(meter) as client:
        ranking = fetch_ranking_from_api(client, chart, on)
        calls, quota = client.calls_made, client.quota_remaining
    uuids, new = store_ranking(ctx.database_url, ranking, chart)
    return RankingOutcome(chart, ranking.date, uuids, new, calls, quota)

"""Chart schedules on the Prefect server: one `sync-chart` deployment per chart, each with its
schedule (slug = the chart's slug) carrying the chart and its options as parameters.

A chart of `prefect.yaml` keeps its deployment; `add` for any other chart creates one like
them (work pool, concurrency limit 1, tags), so two runs of a chart never overlap while
different charts run side by side. No table or scheduler of our own: Prefect holds it all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import get_client
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.actions import DeploymentScheduleCreate, DeploymentUpdate
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.client.schemas.objects import DeploymentSchedule
from prefect.client.schemas.responses import DeploymentResponse
from prefect.client.schemas.schedules import CronSchedule, IntervalSchedule, RRuleSchedule
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound

from chartcascade.deploy.definitions import (
    default_prefect_file,
    read_prefect_file,
    to_runner_deployment,
)

CHART_FLOW = "sync-chart"
ADDED_TAG = "added-by-cli"  # the deployments `schedule add` created (not in prefect.yaml)
DEFAULT_CRON = "0 7 * * *"
DEFAULT_TIMEZONE = "Europe/Paris"


class ScheduleError(Exception):
    """A schedule command cannot do what was asked (unknown chart, nothing scheduled)."""


@dataclass
class ChartSchedule:
    """One schedule of a chart's deployment, as `schedule list` shows it."""

    chart: str
    deployment: str
    when: str  # "0 7 * * *" and its time zone on a second line, or the interval / rrule
    active: bool
    options: dict[str, Any]  # the options its runs start with
    slug: str | None
    added: bool  # created by `schedule add` (else the deployment is in prefect.yaml)


def chart_template(path: Path | None = None) -> dict[str, Any]:
    """The `chart_deployment` definition of prefect.yaml, its default options under `options`."""
    definitions = read_prefect_file(path).get("definitions") or {}
    template = dict(definitions.get("chart_deployment") or {})
    if "entrypoint" not in template:
        raise ScheduleError("prefect.yaml has no `definitions: chart_deployment:` to copy")
    template["options"] = dict((definitions.get("options") or {}).get("chart") or {})
    return template


def chart_deployments(client: SyncPrefectClient) -> dict[str, DeploymentResponse]:
    """Chart slug -> its `sync-chart` deployment (the one whose `chart` parameter it is)."""
    found = client.read_deployments(flow_filter=FlowFilter(name=FlowFilterName(any_=[CHART_FLOW])))
    by_chart: dict[str, DeploymentResponse] = {}
    for deployment in sorted(found, key=lambda d: (ADDED_TAG in d.tags, d.name)):
        chart = (deployment.parameters or {}).get("chart")
        if isinstance(chart, str):
            by_chart.setdefault(chart, deployment)
    return by_chart


def effective_options(
    deployment: DeploymentResponse, schedule: DeploymentSchedule | None
) -> dict[str, Any]:
    """The options a run of the schedule starts with (its own, else the deployment's)."""
    own = (schedule.parameters if schedule else {}) or {}
    return dict(own.get("options") or (deployment.parameters or {}).get("options") or {})


def chart_schedule(deployment: DeploymentResponse, chart: str) -> DeploymentSchedule | None:
    """The chart's own schedule on its deployment (slug = chart slug), if it has one."""
    return next((s for s in deployment.schedules if s.slug == chart), None)


def base_options(chart: str, path: Path | None = None) -> dict[str, Any]:
    """What `add` starts from before its `-o` changes: the chart's current options, or the
    default chart options of prefect.yaml for a chart not scheduled yet."""
    with get_client(sync_client=True) as client:
        deployment = chart_deployments(client).get(chart)
    if deployment is None:
        return chart_template(path)["options"]
    return effective_options(deployment, chart_schedule(deployment, chart))


def list_schedules() -> list[ChartSchedule]:
    """Every schedule of every chart deployment, by chart."""
    with get_client(sync_client=True) as client:
        deployments = chart_deployments(client)
    return [
        ChartSchedule(
            chart=chart,
            deployment=f"{CHART_FLOW}/{deployment.name}",
            when=describe(schedule.schedule),
            active=schedule.active,
            options=effective_options(deployment, schedule),
            slug=schedule.slug,
            added=ADDED_TAG in deployment.tags,
        )
        for chart, deployment in sorted(deployments.items())
        for schedule in deployment.schedules
    ]


def add_schedule(
    chart: str,
    options: Mapping[str, Any],
    *,
    cron: str = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
    path: Path | None = None,
) -> str:
    """Schedule the chart (replacing its schedule if it has one); "created", "added" or
    "updated". A chart without a deployment gets one, like those of prefect.yaml."""
    parameters = {"chart": chart, "options": dict(options)}
    schedule = CronSchedule(cron=cron, timezone=timezone)
    with get_client(sync_client=True) as client:
        deployment = chart_deployments(client).get(chart)
        if deployment is None:
            create_chart_deployment(client, chart, parameters, cron, timezone, path)
            return "created"
        # The deployment's own parameters too: a "Quick run" from the UI starts the same way.
        client.update_deployment(deployment.id, DeploymentUpdate(parameters=parameters))
        existing = chart_schedule(deployment, chart)
        if existing is None:
            client.create_deployment_schedules(
                deployment.id,
                [
                    DeploymentScheduleCreate(
                        schedule=schedule, active=True, parameters=parameters, slug=chart
                    )
                ],
            )
            return "added"
        client.update_deployment_schedule(
            deployment.id, existing.id, active=True, schedule=schedule, parameters=parameters
        )
        return "updated"


def create_chart_deployment(
    client: SyncPrefectClient,
    chart: str,
    parameters: dict[str, Any],
    cron: str,
    timezone: str,
    path: Path | None,
) -> None:
    """A `sync-chart/<chart>` deployment built like prefect.yaml's chart deployments; on the
    file's work pool when the server has it (workers start runs in this checkout), else for
    `chartcascade serve` alone."""
    path = (path or default_prefect_file()).resolve()
    template = chart_template(path)
    spec = {
        **{k: v for k, v in template.items() if k not in ("options", "work_pool")},
        "name": chart,
        "description": f"{chart}, scheduled by `chartcascade schedule add`.",
        "tags": [*template.get("tags", []), ADDED_TAG],
        "parameters": parameters,
        "schedules": [
            {"cron": cron, "timezone": timezone, "slug": chart, "parameters": parameters}
        ],
    }
    built = to_runner_deployment(spec)
    pool = (template.get("work_pool") or {}).get("name")
    if pool:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            pool = None
    client.create_deployment(
        flow_id=client.create_flow_from_name(built.flow_name or CHART_FLOW),
        name=chart,
        description=built.description,
        tags=built.tags,
        parameters=built.parameters,
        parameter_openapi_schema=built._parameter_openapi_schema.model_dump(exclude_unset=True),
        enforce_parameter_schema=built.enforce_parameter_schema,
        entrypoint=built.entrypoint,
        schedules=list(built.schedules),  # type: ignore[arg-type]
        concurrency_limit=built.concurrency_limit,
        concurrency_options=built.concurrency_options,
        work_pool_name=pool,
        work_queue_name=(template.get("work_pool") or {}).get("work_queue_name") if pool else None,
        pull_steps=[
            {"prefect.deployments.steps.set_working_directory": {"directory": str(path.parent)}}
        ]
        if pool
        else None,
        path=str(path.parent),
    )


def set_active(chart: str, active: bool) -> int:
    """Pause (or resume) every schedule of the chart's deployment; how many there are."""
    with get_client(sync_client=True) as client:
        deployment = _scheduled(client, chart)
        for schedule in deployment.schedules:
            # The server sets every field a PATCH leaves out to its default, parameters to {}
            # (Prefect 3.9): send them back unchanged.
            client.update_deployment_schedule(
                deployment.id, schedule.id, active=active, parameters=schedule.parameters
            )
        return len(deployment.schedules)


def remove_schedule(chart: str) -> str:
    """Delete the chart's schedules; a deployment `add` created goes too. What was removed."""
    with get_client(sync_client=True) as client:
        deployment = _scheduled(client, chart)
        if ADDED_TAG in deployment.tags:
            client.delete_deployment(deployment.id)
            return f"deployment {CHART_FLOW}/{deployment.name}"
        for schedule in deployment.schedules:
            client.delete_deployment_schedule(deployment.id, schedule.id)
        return f"{len(deployment.schedules)} schedule(s) of {CHART_FLOW}/{deployment.name}"


def _scheduled(client: SyncPrefectClient, chart: str) -> DeploymentResponse:
    deployment = chart_deployments(client).get(chart)
    if deployment is None or not deployment.schedules:
        raise ScheduleError(f"chart {chart!r} has no schedule: add one with `schedule add {chart}`")
    return deployment


def describe(schedule: Any) -> str:
    """A schedule in a few words: `0 7 * * *` over `Europe/Paris`, `every 3600 s`, an rrule."""
    if isinstance(schedule, CronSchedule):
        return f"{schedule.cron}\n{schedule.timezone or 'UTC'}"
    if isinstance(schedule, IntervalSchedule):
        return f"every {int(schedule.interval.total_seconds())} s"
    if isinstance(schedule, RRuleSchedule):
        return schedule.rrule
    return str(schedule)


def schedule_spec(schedule: DeploymentSchedule) -> dict[str, Any]:
    """A server schedule as a prefect.yaml `schedules:` entry (for `serve`)."""
    spec: dict[str, Any] = {
        "active": schedule.active,
        "parameters": schedule.parameters,
        "slug": schedule.slug,
    }
    inner = schedule.schedule
    if isinstance(inner, CronSchedule):
        return spec | {"cron": inner.cron, "timezone": inner.timezone, "day_or": inner.day_or}
    if isinstance(inner, IntervalSchedule):
        return spec | {
            "interval": inner.interval.total_seconds(),
            "anchor_date": inner.anchor_date,
            "timezone": inner.timezone,
        }
    if isinstance(inner, RRuleSchedule):
        return spec | {"rrule": inner.rrule, "timezone": inner.timezone}
    raise ScheduleError(f"schedule {schedule.slug or schedule.id} has no cron, interval or rrule")


def added_runner_deployments(path: Path | None = None) -> list[RunnerDeployment]:
    """The chart deployments `schedule add` created, as `serve` runs them (schedules as the
    server holds them, paused ones paused)."""
    template = chart_template(path)
    with get_client(sync_client=True) as client:
        deployments = chart_deployments(client).values()
    return [
        to_runner_deployment(
            {
                **{k: v for k, v in template.items() if k not in ("options", "work_pool")},
                "name": deployment.name,
                "description": deployment.description,
                "tags": deployment.tags,
                "parameters": deployment.parameters,
                "schedules": [schedule_spec(s) for s in deployment.schedules],
            }
        )
        for deployment in deployments
        if ADDED_TAG in deployment.tags
    ]


def keep_server_pauses(deployments: list[RunnerDeployment]) -> None:
    """A schedule paused on the server (by the CLI or the UI) stays paused when `serve`
    re-applies the deployments of prefect.yaml: same slug, same `active`."""
    with get_client(sync_client=True) as client:
        on_server = {d.name: d for d in chart_deployments(client).values()}
    for deployment in deployments:
        current = on_server.get(deployment.name)
        if current is None:
            continue
        active = {s.slug: s.active for s in current.schedules if s.slug}
        for schedule in deployment.schedules or []:
            if schedule.slug in active:
                schedule.active = active[schedule.slug]


def served_deployments(
    path: Path | None = None, names: list[str] | None = None
) -> list[RunnerDeployment]:
    """What `chartcascade serve` runs: the deployments of prefect.yaml (schedules paused on
    the server stay paused) and, unless `names` picks some, the charts `schedule add` added."""
    from chartcascade.deploy.definitions import runner_deployments

    served = runner_deployments(path, names)
    keep_server_pauses(served)
    return served if names else served + added_runner_deployments(path)

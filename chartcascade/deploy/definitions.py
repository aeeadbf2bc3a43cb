"""The deployments of `prefect.yaml`, as `RunnerDeployment`s for `serve`: one definition."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import yaml
from prefect import Flow
from prefect.client.schemas.objects import ConcurrencyLimitConfig
from prefect.deployments.runner import RunnerDeployment
from prefect.events import DeploymentTriggerTypes
from prefect.schedules import Cron, Interval, RRule, Schedule
from pydantic import TypeAdapter

import chartcascade

PREFECT_FILE_NAME = "prefect.yaml"
_TRIGGERS: TypeAdapter[DeploymentTriggerTypes] = TypeAdapter(DeploymentTriggerTypes)


class DeploymentFileError(Exception):
    """`prefect.yaml` is missing or holds something this project cannot serve."""


def default_prefect_file() -> Path:
    """`./prefect.yaml` when there is one, else the one beside the package (the repository's)."""
    here = Path.cwd() / PREFECT_FILE_NAME
    if here.is_file():
        return here
    return Path(chartcascade.__file__).resolve().parents[1] / PREFECT_FILE_NAME


def read_prefect_file(path: Path | None = None) -> dict[str, Any]:
    """The parsed file (YAML anchors and `<<` merges resolved)."""
    path = path or default_prefect_file()
    try:
        loaded = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise DeploymentFileError(f"{path} does not exist") from None
    if not isinstance(loaded, dict) or not isinstance(loaded.get("deployments"), list):
        raise DeploymentFileError(f"{path} has no `deployments:` list")
    return loaded


def work_pool_name(path: Path | None = None) -> str:
    """The process work pool every deployment of the file uses."""
    names = {
        spec["work_pool"]["name"]
        for spec in read_prefect_file(path)["deployments"]
        if spec.get("work_pool", {}).get("name")
    }
    if len(names) != 1:
        raise DeploymentFileError(f"expected one work pool in prefect.yaml, found {sorted(names)}")
    return names.pop()


def load_flow(entrypoint: str) -> Flow[Any, Any]:
    """The flow of `package/module.py:name` (imported as a module, never executed as a file)."""
    file_part, _, attribute = entrypoint.partition(":")
    module_name = file_part.removesuffix(".py").replace("/", ".").replace("\\", ".")
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise DeploymentFileError(f"entrypoint {entrypoint!r} cannot be loaded: {exc}") from exc
    if not isinstance(found, Flow):
        raise DeploymentFileError(f"entrypoint {entrypoint!r} is not a Prefect flow")
    return found


def schedule_of(spec: Mapping[str, Any]) -> Schedule:
    """One `schedules:` entry as a Prefect schedule (cron, interval or rrule)."""
    common = {
        "timezone": spec.get("timezone"),
        "active": spec.get("active", True),
        "parameters": spec.get("parameters") or {},
        "slug": spec.get("slug"),
    }
    if "cron" in spec:
        return Cron(spec["cron"], day_or=spec.get("day_or", True), **common)
    if "interval" in spec:
        interval = spec["interval"]
        seconds = timedelta(seconds=interval) if isinstance(interval, int | float) else interval
        return Interval(seconds, anchor_date=spec.get("anchor_date"), **common)
    if "rrule" in spec:
        return RRule(spec["rrule"], **common)
    raise DeploymentFileError(f"schedule {dict(spec)!r} has no cron, interval or rrule")


def concurrency_of(value: Any) -> int | ConcurrencyLimitConfig | None:
    """`concurrency_limit:` as `prefect deploy` reads it: a number or {limit, ...}."""
    if isinstance(value, Mapping):
        return ConcurrencyLimitConfig(**value)
    return value  # type: ignore[no-any-return]


def to_runner_deployment(spec: Mapping[str, Any]) -> RunnerDeployment:
    """One `deployments:` entry as the deployment `serve` runs (no work pool: served)."""
    name = spec["name"]
    triggers: list[Any] = [
        _TRIGGERS.validate_python({"name": f"{name}__automation_{i}", **trigger})
        for i, trigger in enumerate(spec.get("triggers") or [], start=1)
    ]
    deployment = load_flow(spec["entrypoint"]).to_deployment(
        name=name,
        description=spec.get("description"),
        tags=spec.get("tags"),
        version=spec.get("version"),
        parameters=spec.get("parameters") or {},
        schedules=[schedule_of(s) for s in spec.get("schedules") or []],
        concurrency_limit=concurrency_of(spec.get("concurrency_limit")),
        triggers=triggers,
        paused=spec.get("paused"),
        enforce_parameter_schema=spec.get("enforce_parameter_schema", True),
    )
    return cast(RunnerDeployment, deployment)


def runner_deployments(
    path: Path | None = None, names: list[str] | None = None
) -> list[RunnerDeployment]:
    """Every deployment of the file, or those `names` (`flow/deployment` or `deployment`)."""
    specs = read_prefect_file(path)["deployments"]
    built = [to_runner_deployment(spec) for spec in specs]
    if not names:
        return built
    chosen = [d for d in built if d.name in names or f"{d.flow_name}/{d.name}" in names]
    unknown = set(names) - {d.name for d in chosen} - {f"{d.flow_name}/{d.name}" for d in chosen}
    if unknown:
        raise DeploymentFileError(f"no deployment named {', '.join(sorted(unknown))}")
    return chosen

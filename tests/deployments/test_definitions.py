"""prefect.yaml and `serve` define the same deployments, with a complete parameter form."""

from __future__ import annotations

from typing import Any

import pytest
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment
from pydantic import BaseModel

from chartcascade.deploy.definitions import read_prefect_file, runner_deployments, work_pool_name
from chartcascade.flows.sweep import SweepOptions
from chartcascade.options import SyncOptions

DEFAULT_CHARTS = {"global-28", "top-100-global", "shazam-top-200-world", "airplay-daily"}


@pytest.fixture(scope="module")
def specs() -> dict[str, dict[str, Any]]:
    return {spec["name"]: spec for spec in read_prefect_file()["deployments"]}


@pytest.fixture(scope="module")
def served() -> dict[str, RunnerDeployment]:
    return {d.name: d for d in runner_deployments()}


def chart_specs(specs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in specs.values() if s["entrypoint"].endswith(":sync_chart")]


def test_prefect_yaml_has_one_deployment_per_default_chart(specs: dict[str, Any]) -> None:
    assert {s["parameters"]["chart"] for s in chart_specs(specs)} == DEFAULT_CHARTS


def test_chart_deployments_run_daily_with_a_timezone(specs: dict[str, Any]) -> None:
    for spec in chart_specs(specs):
        [schedule] = spec["schedules"]
        minute, hour, *days = schedule["cron"].split()
        assert (minute.isdigit(), hour.isdigit(), days) == (True, True, ["*", "*", "*"])
        assert schedule["timezone"] == "Europe/Paris"


def test_no_deployment_overlaps_itself(specs: dict[str, Any]) -> None:
    for spec in specs.values():
        assert spec["concurrency_limit"] == {"limit": 1, "collision_strategy": "ENQUEUE"}


def test_every_deployment_uses_the_process_pool(specs: dict[str, Any]) -> None:
    assert work_pool_name() == "chartcascade-process"
    assert {s["work_pool"]["name"] for s in specs.values()} == {"chartcascade-process"}


def test_sweep_deployment_runs_hourly(served: dict[str, RunnerDeployment]) -> None:
    sweep = served["hourly"]
    assert sweep.flow_name == "backlog-sweep"
    [schedule] = sweep.schedules
    assert isinstance(schedule.schedule, CronSchedule)
    assert schedule.schedule.cron.split()[1:] == ["*", "*", "*", "*"]


def test_serve_builds_the_deployments_of_prefect_yaml(
    specs: dict[str, Any], served: dict[str, RunnerDeployment]
) -> None:
    assert list(served) == list(specs)
    for name, spec in specs.items():
        deployment = served[name]
        assert deployment.parameters == spec["parameters"]
        assert [
            (s.schedule.cron, s.schedule.timezone, s.active)  # type: ignore[union-attr]
            for s in deployment.schedules
        ] == [(s["cron"], s["timezone"], True) for s in spec.get("schedules", [])]
        assert deployment.concurrency_limit == 1
        assert deployment.concurrency_options is not None
        assert deployment.concurrency_options.collision_strategy == "ENQUEUE"
        assert deployment.tags == spec["tags"]
        assert deployment.description == spec["description"]
        assert deployment.enforce_parameter_schema is True


def test_deployment_parameters_are_valid_options(specs: dict[str, Any]) -> None:
    given = [(SyncOptions, spec["parameters"]["options"]) for spec in chart_specs(specs)]
    given.append((SweepOptions, specs["hourly"]["parameters"]["options"]))
    for model, options in given:  # invalid options raise; valid ones must survive unchanged
        parsed = model(**options).model_dump(mode="json", exclude_unset=True)
        assert parsed == options


def assert_form_complete(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Every field of `model` is in the form with a type, its default and its description."""
    properties = schema["definitions"][model.__name__]["properties"]
    assert set(properties) == set(model.model_fields)
    defaults = model().model_dump(mode="json")
    for name, field in model.model_fields.items():
        shown = properties[name]
        assert "type" in shown or "anyOf" in shown, name
        assert shown.get("default", "<missing>") == defaults[name], name
        assert shown["description"] == field.description, name


@pytest.mark.parametrize("deployment", ["spotify-global-28", "airplay-daily"])
def test_chart_parameter_form_has_every_option(
    served: dict[str, RunnerDeployment], deployment: str
) -> None:
    schema = served[deployment]._parameter_openapi_schema.model_dump()
    assert set(schema["properties"]) == {"chart", "ranking_date", "options"}
    assert schema["required"] == ["chart"]
    assert_form_complete(schema, SyncOptions)


def test_sweep_parameter_form_has_every_option(served: dict[str, RunnerDeployment]) -> None:
    schema = served["hourly"]._parameter_openapi_schema.model_dump()
    assert_form_complete(schema, SweepOptions)


def test_report_deployment_runs_after_each_completed_chart_run(
    served: dict[str, RunnerDeployment],
) -> None:
    from chartcascade.flows.report import report_trigger

    report = served["after-chart-sync"]
    [trigger] = report.triggers
    expected = report_trigger()
    assert report.flow_name == "chart-report"
    assert (trigger.expect, trigger.match, trigger.match_related, trigger.parameters) == (
        expected.expect,
        expected.match,
        expected.match_related,
        expected.parameters,
    )

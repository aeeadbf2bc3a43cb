"""`chartcascade setup` creates the limits, the pool and the alert once; twice changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from prefect import get_client
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.deploy.provision import ALERT_AUTOMATION
from chartcascade.settings import get_settings

pytestmark = pytest.mark.prefect

BLOCK = "custom-webhook/chart-alerts"


@pytest.fixture
def alert_block(prefect_api: str) -> str:
    CustomWebhookNotificationBlock(name="chart-alerts", url="http://127.0.0.1:9/hook").save(
        "chart-alerts", overwrite=True
    )
    return BLOCK


def server_state() -> dict[str, Any]:
    """What setup manages, as the server holds it."""
    settings = get_settings()
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(settings.rate_limit_name)
        pool = client.read_work_pool("chartcascade-process")
        automations = client.read_automations_by_name(ALERT_AUTOMATION)
    return {
        "limit": (limit.id, limit.limit, limit.slot_decay_per_second, limit.active),
        "pool": (pool.id, pool.type, pool.base_job_template),
        "automations": [a.model_dump(mode="json") for a in automations],
    }


def run_setup(*args: str) -> str:
    result = CliRunner().invoke(app, ["setup", *args])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_setup_twice_leaves_the_same_limits_pool_and_automation(alert_block: str) -> None:
    run_setup("--notify-block", alert_block)
    first = server_state()

    output = run_setup("--notify-block", alert_block)

    assert server_state() == first
    assert "work pool chartcascade-process (process): unchanged" in output
    assert f"failure alert to {alert_block}: unchanged" in output


def test_setup_alert_notifies_the_named_block_on_failed_or_crashed_runs(
    alert_block: str,
) -> None:
    run_setup("--notify-block", alert_block)

    [automation] = server_state()["automations"]

    with get_client(sync_client=True) as client:
        block = client.read_block_document_by_name("chart-alerts", "custom-webhook")
    assert automation["enabled"] is True
    assert set(automation["trigger"]["expect"]) == {
        "prefect.flow-run.Failed",
        "prefect.flow-run.Crashed",
    }
    assert automation["trigger"]["match_related"]["prefect.resource.name"] == [
        "sync-chart",
        "backlog-sweep",
    ]
    [action] = automation["actions"]
    assert (action["type"], action["block_document_id"]) == ("send-notification", str(block.id))


def test_setup_fails_clearly_for_an_unknown_block(prefect_api: str) -> None:
    result = CliRunner().invoke(app, ["setup", "--notify-block", "slack-webhook/nowhere"])

    assert result.exit_code == 1
    assert "notification block 'slack-webhook/nowhere' does not exist" in " ".join(
        result.output.split()
    )

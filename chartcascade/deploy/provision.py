"""What runs need on the Prefect server: the work pool and the failure alert (idempotent)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.events.actions import SendNotification
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.exceptions import ObjectNotFound
from prefect.workers.process import ProcessWorker

from chartcascade.limits import Change

ALERT_AUTOMATION = "chartcascade-run-failed"
ALERTED_FLOWS = ("sync-chart", "backlog-sweep")
ALERT_SUBJECT = "chartcascade: {{ flow.name }} run {{ flow_run.name }} {{ flow_run.state.name }}"
ALERT_BODY = (
    "Flow run {{ flow_run.name }} of {{ flow.name }} ended {{ flow_run.state.name }}"
    "{% if deployment %} (deployment {{ deployment.name }}){% endif %}.\n"
    "Message: {{ flow_run.state.message }}\n"
    "Run: {{ flow_run|ui_url }}"
)


class SetupError(Exception):
    """The server holds something `setup` must not silently replace."""


def ensure_work_pool(name: str) -> Change:
    """A process work pool `name` with Prefect's default job template; created once."""
    with get_client(sync_client=True) as client:
        try:
            pool = client.read_work_pool(name)
        except ObjectNotFound:
            client.create_work_pool(
                WorkPoolCreate(
                    name=name,
                    type=ProcessWorker.type,
                    base_job_template=ProcessWorker.get_default_base_job_template(),
                )
            )
            return "created"
    if pool.type != ProcessWorker.type:
        raise SetupError(
            f"work pool {name!r} exists with type {pool.type!r}, not {ProcessWorker.type!r}: "
            "delete it or choose another pool name in prefect.yaml"
        )
    return "unchanged"


def split_block_reference(reference: str) -> tuple[str, str]:
    """`slack-webhook/chart-alerts` -> ("slack-webhook", "chart-alerts")."""
    block_type, sep, name = reference.partition("/")
    if not sep or not block_type or not name:
        raise SetupError(
            f"notification block {reference!r} must be given as <block-type>/<name>, "
            "for example slack-webhook/chart-alerts"
        )
    return block_type, name


def failure_automation(block_document_id: UUID) -> AutomationCore:
    """An automation: any chart or sweep run that fails or crashes sends one notification."""
    return AutomationCore(
        name=ALERT_AUTOMATION,
        description="Notify when a chartcascade run fails or crashes (made by chartcascade setup).",
        enabled=True,
        trigger=EventTrigger(
            expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={  # type: ignore[arg-type]
                "prefect.resource.role": "flow",
                "prefect.resource.name": list(ALERTED_FLOWS),
            },
            posture=Posture.Reactive,
            threshold=1,
            within=timedelta(0),
        ),
        actions=[
            SendNotification(
                block_document_id=block_document_id, subject=ALERT_SUBJECT, body=ALERT_BODY
            )
        ],
    )


def _comparable(automation: AutomationCore) -> dict[str, Any]:
    """The automation's settings, with its trigger's sets in a stable order."""
    core = AutomationCore.model_validate(automation.model_dump(include=_CORE_FIELDS))
    dumped = core.model_dump(mode="json", exclude={"trigger": {"id"}})
    for key in ("expect", "after", "for_each"):
        dumped["trigger"][key] = sorted(dumped["trigger"].get(key) or [])
    return dumped


_CORE_FIELDS = set(AutomationCore.model_fields)


def ensure_failure_automation(block_reference: str) -> tuple[UUID, Change]:
    """The failure alert, sending to the notification block `type/name`; one per server."""
    block_type, block_name = split_block_reference(block_reference)
    with get_client(sync_client=True) as client:
        try:
            block = client.read_block_document_by_name(
                block_name, block_type, include_secrets=False
            )
        except ObjectNotFound:
            raise SetupError(
                f"notification block {block_reference!r} does not exist on this Prefect server: "
                "create it first (UI: Blocks, or `prefect block create <type>`)"
            ) from None
        desired = failure_automation(block.id)
        existing = client.read_automations_by_name(ALERT_AUTOMATION)
        for extra in existing[1:]:
            client.delete_automation(extra.id)
        if not existing:
            return client.create_automation(desired), "created"
        current = existing[0]
        if _comparable(current) == _comparable(desired) and len(existing) == 1:
            return current.id, "unchanged"
        client.update_automation(current.id, desired)
        return current.id, "updated"

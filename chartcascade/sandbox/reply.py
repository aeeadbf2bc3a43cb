"""The sandbox's answer and the payload damage done by injected faults."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

TIMEOUT_STATUS = 0  # recorded in `statuses` / `request_log` for a request that timed out


@dataclass(frozen=True)
class SandboxReply:
    """What the sandbox answers; transports sleep `delay_seconds` and honour `timeout`."""

    status: int
    headers: dict[str, str]
    body: bytes
    delay_seconds: float = 0.0
    timeout: bool = False
    endpoint: str = "other"


def encode(payload: dict[str, Any]) -> bytes:
    """Compact, deterministic JSON bytes."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def truncated(reply: SandboxReply) -> SandboxReply:
    """The reply with its body cut in half: never valid JSON (an object left open)."""
    return replace(reply, body=reply.body[: max(1, len(reply.body) // 2)])


def drop_required(payload: dict[str, Any]) -> dict[str, Any]:
    """A copy without `object.uuid` (single objects), `items` (collections) or
    `access_token` (token answers)."""
    if isinstance(payload.get("object"), dict):
        obj = {k: v for k, v in payload["object"].items() if k != "uuid"}
        return {**payload, "object": obj}
    return {k: v for k, v in payload.items() if k not in ("items", "access_token")}

"""The shared Prefect rate limit: created by the first run that needs it, tuned by `setup`."""

from __future__ import annotations

import logging
from typing import Any, Literal

from prefect import get_client
from prefect.client.schemas.actions import (
    GlobalConcurrencyLimitCreate,
    GlobalConcurrencyLimitUpdate,
)
from prefect.exceptions import MissingContextError, ObjectAlreadyExists, ObjectNotFound

from chartcascade.settings import Settings

Change = Literal["created", "updated", "unchanged"]


class MissingRateLimitError(Exception):
    """The Prefect rate limit a run needs cannot rate-limit (inactive, or without decay)."""


def ensure_rate_limit(settings: Settings) -> Change:
    """Create the rate limit of these credentials or bring it to the configured values;
    what changed (running it twice changes nothing)."""
    name = settings.rate_limit_name
    with get_client(sync_client=True) as client:
        current = _read(client, name)
        if current is None:
            if _create(client, settings):
                return "created"
            current = client.read_global_concurrency_limit_by_name(name)
        wanted = (settings.rate_limit_burst, settings.rate_limit_per_second, True)
        if (current.limit, current.slot_decay_per_second, current.active) == wanted:
            return "unchanged"
        client.update_global_concurrency_limit(
            name,
            GlobalConcurrencyLimitUpdate(
                limit=settings.rate_limit_burst,
                slot_decay_per_second=settings.rate_limit_per_second,
                active=True,
            ),
        )
    return "updated"


def require_rate_limit(settings: Settings) -> tuple[int, float]:
    """The burst and refill rate (slots/s) of the run's rate limit. A missing limit is created
    with the configured values (one log line); two runs starting at once create it once."""
    name = settings.rate_limit_name
    with get_client(sync_client=True) as client:
        limit = _read(client, name)
        if limit is None:
            if _create(client, settings):
                _logger().info(
                    "Created the Prefect rate limit %r: %g requests/s, burst %d "
                    "(CHARTCASCADE_RATE_LIMIT_PER_SECOND / _BURST; `chartcascade setup` "
                    "applies changed values)",
                    name,
                    settings.rate_limit_per_second,
                    settings.rate_limit_burst,
                )
            limit = client.read_global_concurrency_limit_by_name(name)
    if not limit.slot_decay_per_second or not limit.active:
        raise MissingRateLimitError(
            f"The Prefect concurrency limit {name!r} is inactive or has no slot decay, so it "
            "cannot rate-limit: run `chartcascade setup` to repair it."
        )
    return int(limit.limit), float(limit.slot_decay_per_second)


def _read(client: Any, name: str) -> Any:
    try:
        return client.read_global_concurrency_limit_by_name(name)
    except ObjectNotFound:
        return None


def _create(client: Any, settings: Settings) -> bool:
    """Create the limit; False when another process created it first."""
    try:
        client.create_global_concurrency_limit(
            GlobalConcurrencyLimitCreate(
                name=settings.rate_limit_name,
                limit=settings.rate_limit_burst,
                slot_decay_per_second=settings.rate_limit_per_second,
            )
        )
    except ObjectAlreadyExists:
        return False
    return True


def _logger() -> Any:
    from prefect import get_run_logger

    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(__name__)

"""The shared Prefect rate limit: created idempotently by `setup`, required at flow start."""

from __future__ import annotations

from prefect import get_client
from prefect.exceptions import ObjectNotFound

from chartcascade.settings import Settings


class MissingRateLimitError(Exception):
    """The Prefect rate limit a run needs does not exist (or cannot rate-limit)."""


def ensure_rate_limit(settings: Settings) -> str:
    """Create or update the rate limit of these credentials; running it twice changes nothing."""
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(
            settings.rate_limit_name,
            limit=settings.rate_limit_burst,
            slot_decay_per_second=settings.rate_limit_per_second,
        )
    return settings.rate_limit_name


def require_rate_limit(settings: Settings) -> tuple[int, float]:
    """The burst and refill rate (slots/s) of the run's rate limit; a clear error if missing."""
    name = settings.rate_limit_name
    with get_client(sync_client=True) as client:
        try:
            limit = client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            raise MissingRateLimitError(
                f"The Prefect rate limit {name!r} does not exist: run `chartcascade setup` "
                "against this Prefect API first."
            ) from None
    if not limit.slot_decay_per_second or not limit.active:
        raise MissingRateLimitError(
            f"The Prefect concurrency limit {name!r} is inactive or has no slot decay, so it "
            "cannot rate-limit: run `chartcascade setup` to repair it."
        )
    return int(limit.limit), float(limit.slot_decay_per_second)

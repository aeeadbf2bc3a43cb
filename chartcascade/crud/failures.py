"""Items that failed a stage after their retries, until a later run resolves them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session, col, select, update

from chartcascade.db import chunks, upsert
from chartcascade.models import FailedItem
from chartcascade.models._base import utcnow

MAX_ERROR_CHARS = 2_000


def _one_more(stored: Any, _new: Any) -> Any:
    """Merge rule: count one more attempt."""
    return stored + 1


def record_failures(
    session: Session, *, stage: str, errors: Mapping[str, str], run_id: str | None
) -> int:
    """Record each item_uuid -> error of `stage` (attempts + 1, reopened); the number written."""
    now = utcnow()
    rows = [
        {
            "stage": stage,
            "item_uuid": item_uuid,
            "error": error[:MAX_ERROR_CHARS],
            "attempts": 1,
            "run_id": run_id,
            "first_failed_at": now,
            "last_failed_at": now,
            "resolved_at": None,
        }
        for item_uuid, error in errors.items()
    ]
    return upsert(
        session,
        FailedItem,
        rows,
        keys=["stage", "item_uuid"],
        update=["error", "run_id", "last_failed_at", "resolved_at"],
        merge={"attempts": _one_more},
    )


def resolve_failures(session: Session, *, stage: str, item_uuids: Sequence[str]) -> int:
    """Mark the open failures of these items in `stage` resolved; the number resolved."""
    now = utcnow()
    resolved = 0
    for part in chunks(sorted(set(item_uuids))):
        statement = (
            update(FailedItem)
            .where(
                col(FailedItem.stage) == stage,
                col(FailedItem.item_uuid).in_(part),
                col(FailedItem.resolved_at).is_(None),
            )
            .values(resolved_at=now)
            .execution_options(synchronize_session=False)
        )
        resolved += session.exec(statement).rowcount
    return resolved


def open_failures(
    session: Session, *, stage: str | None = None, item_uuids: Sequence[str] | None = None
) -> list[FailedItem]:
    """The unresolved failures (of `stage`, of `item_uuids`), oldest first."""
    statement = select(FailedItem).where(col(FailedItem.resolved_at).is_(None))
    if stage is not None:
        statement = statement.where(FailedItem.stage == stage)
    statement = statement.order_by(col(FailedItem.first_failed_at), col(FailedItem.id))
    if item_uuids is None:
        return list(session.exec(statement).all())
    found: list[FailedItem] = []
    for part in chunks(list(dict.fromkeys(item_uuids))):
        found.extend(session.exec(statement.where(col(FailedItem.item_uuid).in_(part))).all())
    return sorted(found, key=lambda item: (item.first_failed_at, item.id or 0))


def failed_in_run(session: Session, *, stage: str, run_id: str) -> set[str]:
    """The item uuids of `stage` whose last failure was in `run_id` and that are still open."""
    statement = select(FailedItem.item_uuid).where(
        FailedItem.stage == stage,
        FailedItem.run_id == run_id,
        col(FailedItem.resolved_at).is_(None),
    )
    return set(session.exec(statement).all())

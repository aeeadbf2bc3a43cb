"""Items that failed a stage after their retries, until a later run resolves them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select, update

from chartcascade.db import as_utc, chunks
from chartcascade.models import Artist, FailedItem, Track
from chartcascade.models._base import utcnow
from chartcascade.upserts import upsert

MAX_ERROR_CHARS = 2_000
# A permanent failure is tried this many times, then only when the item changes or on request.
MAX_PERMANENT_ATTEMPTS = 3
PERMANENT_COOL_DOWN = timedelta(days=1)
PERMANENT_COOL_DOWN_MAX = timedelta(days=30)


def _one_more(stored: Any, _new: Any) -> Any:
    """Merge rule: count one more attempt."""
    return stored + 1


def record_failures(
    session: Session,
    *,
    stage: str,
    errors: Mapping[str, str],
    run_id: str | None,
    permanent: bool = False,
) -> int:
    """Record each item_uuid -> error of `stage` (attempts + 1, reopened); the number written.

    `permanent` marks failures a retry cannot fix (404, validation): they back off."""
    now = utcnow()
    rows = [
        {
            "stage": stage,
            "item_uuid": item_uuid,
            "error": error[:MAX_ERROR_CHARS],
            "attempts": 1,
            "run_id": run_id,
            "permanent": permanent,
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
        update=["error", "run_id", "permanent", "last_failed_at", "resolved_at"],
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
            .values(resolved_at=now, attempts=0)  # a later failure counts from 1 again
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


def backing_off(
    session: Session,
    *,
    stage: str,
    item_uuids: Sequence[str],
    changed_since: Mapping[str, datetime | None] | None = None,
    now: datetime | None = None,
) -> set[str]:
    """The items of `stage` whose open failure is permanent, was tried MAX_PERMANENT_ATTEMPTS
    times or more and is still cooling down: one day after the third attempt, doubling with each
    attempt after it, at most PERMANENT_COOL_DOWN_MAX (an item the API did not know yet may be
    added later). An item that changed after its last failure (`changed_since`: item -> when
    it last changed, for example when its metadata was fetched again) is tried at once."""
    changed_since = changed_since or {}
    now = as_utc(now or utcnow())
    statement = select(FailedItem.item_uuid, FailedItem.last_failed_at, FailedItem.attempts).where(
        FailedItem.stage == stage,
        col(FailedItem.permanent).is_(True),
        col(FailedItem.resolved_at).is_(None),
        col(FailedItem.attempts) >= MAX_PERMANENT_ATTEMPTS,
    )
    found: set[str] = set()
    for part in chunks(list(dict.fromkeys(item_uuids))):
        rows = session.exec(statement.where(col(FailedItem.item_uuid).in_(part))).all()
        for item_uuid, failed_at, attempts in rows:
            failed_at = as_utc(failed_at)
            changed = changed_since.get(item_uuid)
            if changed is not None and as_utc(changed) > failed_at:
                continue
            if now < failed_at + cool_down(attempts):
                found.add(item_uuid)
    return found


def cool_down(attempts: int) -> timedelta:
    """How long a permanent failure tried `attempts` times rests before the next try."""
    doublings = max(0, attempts - MAX_PERMANENT_ATTEMPTS)
    return min(PERMANENT_COOL_DOWN_MAX, PERMANENT_COOL_DOWN * 2 ** min(doublings, 16))


def metadata_refetched(
    session: Session, *, stage: str, item_uuids: Sequence[str]
) -> dict[str, Any]:
    """Item -> when its metadata was last fetched, for the audience stages of tracks and
    artists (new metadata can mean new platform links, so a permanent failure may now pass);
    empty for the metadata stages themselves."""
    kind, _, rest = stage.partition("-")
    if rest == "metadata" or kind not in ("track", "artist"):
        return {}
    model: Any = Track if kind == "track" else Artist
    found: dict[str, Any] = {}
    for part in chunks(list(dict.fromkeys(item_uuids))):
        statement = select(model.uuid, model.metadata_fetched_at).where(col(model.uuid).in_(part))
        found.update(dict(session.exec(statement).all()))
    return found

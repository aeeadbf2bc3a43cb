"""Short leases on pieces of work, so that concurrent runs never do the same item twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, select, update

from chartcascade.db import as_utc, chunks
from chartcascade.models import WorkClaim
from chartcascade.models._base import utcnow
from chartcascade.upserts import insert_statement

CLAIM_CHUNK = 1_000


def claim(
    session: Session,
    *,
    keys: Sequence[str],
    owner: str,
    lease: timedelta,
    now: datetime | None = None,
) -> list[str]:
    """Claim `keys` for `owner` until now + `lease`; the keys it now holds, in the given order.

    A key is won when it is free, its lease expired, or `owner` already holds it (the lease is
    renewed). One atomic INSERT ... ON CONFLICT DO UPDATE ... WHERE per chunk: two concurrent
    callers never both win a key. Commit soon: others wait on (PostgreSQL) or cannot see
    (SQLite) the claim until then.
    """
    now = as_utc(now or utcnow())
    wanted = list(dict.fromkeys(keys))
    table = WorkClaim.__table__  # type: ignore[attr-defined]
    won: set[str] = set()
    for part in chunks(sorted(wanted), CLAIM_CHUNK):
        rows = [{"key": key, "owner": owner, "expires_at": now + lease} for key in part]
        insert = insert_statement(session, WorkClaim).values(rows)
        statement = insert.on_conflict_do_update(
            index_elements=["key"],
            set_={"owner": insert.excluded.owner, "expires_at": insert.excluded.expires_at},
            where=(table.c.expires_at < now) | (table.c.owner == owner),
        ).returning(table.c.key)
        won.update(session.exec(statement).scalars())
    return [key for key in wanted if key in won]


def release(session: Session, *, keys: Sequence[str], owner: str) -> int:
    """Drop `owner`'s claims on `keys` (others' claims stay); the number released.

    Rows are locked in key order first (PostgreSQL), as `claim` and `renew` lock them, so
    concurrent runs never deadlock on each other's claims.
    """
    released = 0
    one_writer = session.get_bind().dialect.name == "sqlite"  # no row locks to order
    for part in chunks(sorted(set(keys))):
        if one_writer:
            statement = delete(WorkClaim).where(
                col(WorkClaim.key).in_(part), col(WorkClaim.owner) == owner
            )
            released += session.exec(
                statement.execution_options(synchronize_session=False)
            ).rowcount
            continue
        mine = _locked(session, col(WorkClaim.key).in_(part), col(WorkClaim.owner) == owner)
        if not mine:
            continue
        statement = delete(WorkClaim).where(col(WorkClaim.key).in_(mine))
        released += session.exec(statement.execution_options(synchronize_session=False)).rowcount
    return released


def _locked(session: Session, *conditions: Any) -> list[str]:
    """The keys of the claims matching `conditions`, row-locked in key order (PostgreSQL; SQLite
    has one writer at a time and no row locks)."""
    statement = select(WorkClaim.key).where(*conditions).order_by(col(WorkClaim.key))
    return list(session.exec(statement.with_for_update()).all())


def renew(session: Session, *, owner: str, lease: timedelta, now: datetime | None = None) -> int:
    """Extend every live claim of `owner` to now + `lease` (the heartbeat); the number renewed.

    An expired claim is not revived: another run may already have taken it over. Rows are
    locked in key order first, as `claim` locks them.
    """
    now = as_utc(now or utcnow())
    renewed = 0
    live = _locked(session, col(WorkClaim.owner) == owner, col(WorkClaim.expires_at) >= now)
    for part in chunks(live, CLAIM_CHUNK):
        statement = (
            update(WorkClaim)
            .where(col(WorkClaim.key).in_(part), col(WorkClaim.owner) == owner)
            .values(expires_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        renewed += int(session.exec(statement).rowcount)  # type: ignore[call-overload]
    return renewed

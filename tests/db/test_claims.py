"""crud.claims: exclusive, expiring claims on pieces of work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from chartcascade.crud.claims import claim, release, renew
from chartcascade.db import session_scope
from chartcascade.models import WorkClaim

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
LEASE = timedelta(minutes=10)


def test_claim_is_exclusive_between_owners(db_url: str) -> None:
    with session_scope(db_url) as session:
        first = claim(session, keys=["k1", "k2"], owner="run-a", lease=LEASE, now=NOW)
    with session_scope(db_url) as session:
        second = claim(session, keys=["k3", "k2", "k1"], owner="run-b", lease=LEASE, now=NOW)
    assert (first, second) == (["k1", "k2"], ["k3"])


def test_claim_renews_the_owners_lease(db_url: str) -> None:
    later = NOW + timedelta(minutes=5)
    with session_scope(db_url) as session:
        claim(session, keys=["k1"], owner="run-a", lease=LEASE, now=NOW)
        assert claim(session, keys=["k1"], owner="run-a", lease=LEASE, now=later) == ["k1"]
    with session_scope(db_url) as session:
        assert session.exec(select(WorkClaim)).one().expires_at == later + LEASE


def test_claim_takes_an_expired_lease(db_url: str) -> None:
    with session_scope(db_url) as session:
        claim(session, keys=["k1", "k2"], owner="run-a", lease=LEASE, now=NOW)
    expired = NOW + LEASE + timedelta(seconds=1)
    with session_scope(db_url) as session:
        taken = claim(session, keys=["k1", "k2"], owner="run-b", lease=LEASE, now=expired)
    with session_scope(db_url) as session:
        owners = set(session.exec(select(WorkClaim.owner)).all())
    assert (taken, owners) == (["k1", "k2"], {"run-b"})


def test_claim_keeps_a_lease_until_it_expires(db_url: str) -> None:
    with session_scope(db_url) as session:
        claim(session, keys=["k1"], owner="run-a", lease=LEASE, now=NOW)
    just_before = NOW + LEASE - timedelta(seconds=1)
    with session_scope(db_url) as session:
        assert claim(session, keys=["k1"], owner="run-b", lease=LEASE, now=just_before) == []


def test_release_drops_only_the_owners_claims(db_url: str) -> None:
    with session_scope(db_url) as session:
        claim(session, keys=["k1"], owner="run-a", lease=LEASE, now=NOW)
        claim(session, keys=["k2"], owner="run-b", lease=LEASE, now=NOW)
        assert release(session, keys=["k1", "k2"], owner="run-a") == 1
    with session_scope(db_url) as session:
        assert session.exec(select(WorkClaim.key, WorkClaim.owner)).all() == [("k2", "run-b")]
        assert claim(session, keys=["k1"], owner="run-c", lease=LEASE, now=NOW) == ["k1"]


def test_renew_extends_only_the_owners_live_claims(db_url: str) -> None:
    with session_scope(db_url) as session:
        claim(session, keys=["k1", "k2"], owner="run-a", lease=LEASE, now=NOW)
        claim(session, keys=["k3"], owner="run-b", lease=LEASE, now=NOW)
    beat = NOW + timedelta(minutes=4)
    with session_scope(db_url) as session:
        assert renew(session, owner="run-a", lease=LEASE, now=beat) == 2
    with session_scope(db_url) as session:
        rows = {c.key: c.expires_at for c in session.exec(select(WorkClaim))}
    assert rows == {"k1": beat + LEASE, "k2": beat + LEASE, "k3": NOW + LEASE}


def test_renew_does_not_revive_a_lapsed_claim(db_url: str) -> None:
    with session_scope(db_url) as session:
        claim(session, keys=["k1"], owner="run-a", lease=LEASE, now=NOW)
    too_late = NOW + LEASE + timedelta(seconds=1)
    with session_scope(db_url) as session:
        assert renew(session, owner="run-a", lease=LEASE, now=too_late) == 0
        assert claim(session, keys=["k1"], owner="run-b", lease=LEASE, now=too_late) == ["k1"]

"""Many threads (and processes) writing the same rows at once: no errors, no duplicates."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import func, select

from chartcascade.crud.artists import (
    artists_needing_metadata,
    save_artist_metadata,
    upsert_artist_stubs,
)
from chartcascade.crud.audience import save_artist_points
from chartcascade.crud.claims import claim
from chartcascade.db import session_scope
from chartcascade.models import Artist, ArtistAudiencePoint

THREADS = 8
ROUNDS = 3
REPO = Path(__file__).resolve().parents[2]


def run_together(work: Callable[[int], Any]) -> list[Any]:
    """Run `work(n)` in THREADS threads started together; their results (or the first error)."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        barrier.wait()
        try:
            results[n] = work(n)
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


def test_threads_upserting_one_artist_and_its_points_leave_one_row_each(db_url: str) -> None:
    fetched_at = datetime(2024, 6, 1, tzinfo=UTC)
    days = [date(2024, 5, d) for d in range(1, 11)]

    def write(n: int) -> int:
        with session_scope(db_url) as session:
            # Read, then write: the pattern of the tasks, and the one SQLite's deferred
            # transactions fail on ("database is locked") without BEGIN IMMEDIATE.
            artists_needing_metadata(session, uuids=["a1"], stale_before=fetched_at)
            artist_id = upsert_artist_stubs(session, stubs=[{"uuid": "a1", "name": f"Aya {n}"}])
            save_artist_metadata(
                session,
                artists=[{"uuid": "a1", "name": "Aya", "slug": "aya"}],
                fetched_at=fetched_at,
            )
            points = [
                (artist_id["a1"], "spotify", "followers", d, 1000 + i) for i, d in enumerate(days)
            ]
            return save_artist_points(session, points=points[n % 3 :] + points[: n % 3])

    for _ in range(ROUNDS):
        assert run_together(write) == [len(days)] * THREADS
    with session_scope(db_url) as session:
        artists = session.exec(select(Artist)).all()
        points = session.exec(select(func.count()).select_from(ArtistAudiencePoint)).one()
    assert [(a.uuid, a.name, a.slug) for a in artists] == [("a1", "Aya", "aya")]
    assert points == len(days)


def test_threads_upserting_the_same_points_in_any_order_never_deadlock(db_url: str) -> None:
    with session_scope(db_url) as session:
        artist_id = upsert_artist_stubs(session, stubs=[{"uuid": "a1"}])["a1"]
    points = [
        (artist_id, "spotify", "followers", date(2024, 1, 1) + timedelta(d), d) for d in range(300)
    ]

    def write(n: int) -> int:
        shuffled = random.Random(n).sample(points, len(points))
        with session_scope(db_url) as session:
            return save_artist_points(session, points=shuffled)

    for _ in range(ROUNDS):
        assert run_together(write) == [len(points)] * THREADS
    with session_scope(db_url) as session:
        assert session.exec(select(func.count()).select_from(ArtistAudiencePoint)).one() == 300


def test_threads_claiming_the_same_keys_win_each_key_once(db_url: str) -> None:
    keys = [f"artist-metadata:a{n:03d}" for n in range(40)]
    now = datetime(2024, 6, 1, tzinfo=UTC)

    def take(n: int) -> list[str]:
        with session_scope(db_url) as session:
            return claim(session, keys=keys, owner=f"run-{n}", lease=timedelta(minutes=5), now=now)

    for round_no in range(ROUNDS):
        now += timedelta(minutes=10)  # every earlier lease has expired
        won = run_together(take)
        counts = Counter(key for keys_won in won for key in keys_won)
        assert counts == Counter(keys), f"round {round_no}: {won}"


WRITER = """
import sys
from datetime import date
from chartcascade.crud.artists import upsert_artist_stubs
from chartcascade.crud.audience import save_artist_points
from chartcascade.db import session_scope
url, n = sys.argv[1], int(sys.argv[2])
for batch in range(20):
    with session_scope(url) as session:
        artist_id = upsert_artist_stubs(session, stubs=[{"uuid": "a1"}])["a1"]
        points = [(artist_id, "spotify", "followers", date(2024, 1, 1 + d), n) for d in range(28)]
        save_artist_points(session, points=points)
"""


def test_processes_writing_one_sqlite_file_at_once_never_lock(sqlite_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, sqlite_url, str(n)], env=env, stderr=subprocess.PIPE
        )
        for n in range(4)
    ]
    errors = [p.communicate(timeout=60)[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0] * 4, errors
    with session_scope(sqlite_url) as session:
        assert session.exec(select(func.count()).select_from(ArtistAudiencePoint)).one() == 28

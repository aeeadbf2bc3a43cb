"""crud.failures: recording, counting and resolving failed items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chartcascade.crud.failures import (
    backing_off,
    cool_down,
    open_failures,
    record_failures,
    resolve_failures,
)
from chartcascade.db import session_scope


def test_record_failures_counts_attempts(db_url: str) -> None:
    with session_scope(db_url) as session:
        record_failures(session, stage="track-metadata", errors={"t1": "500"}, run_id="r1")
    with session_scope(db_url) as session:
        written = record_failures(
            session, stage="track-metadata", errors={"t1": "timeout", "t2": "404"}, run_id="r2"
        )
    with session_scope(db_url) as session:
        items = {i.item_uuid: i for i in open_failures(session, stage="track-metadata")}
    assert written == 2
    assert (items["t1"].attempts, items["t1"].error, items["t1"].run_id) == (2, "timeout", "r2")
    assert (items["t2"].attempts, items["t2"].error) == (1, "404")
    assert items["t1"].last_failed_at > items["t1"].first_failed_at


def test_resolve_failures_closes_them(db_url: str) -> None:
    with session_scope(db_url) as session:
        record_failures(session, stage="s", errors={"a": "x", "b": "y"}, run_id=None)
    with session_scope(db_url) as session:
        assert resolve_failures(session, stage="s", item_uuids=["a", "zz"]) == 1
        assert resolve_failures(session, stage="s", item_uuids=["a"]) == 0
    with session_scope(db_url) as session:
        assert [i.item_uuid for i in open_failures(session)] == ["b"]


def test_record_failures_reopens_a_resolved_item(db_url: str) -> None:
    with session_scope(db_url) as session:
        record_failures(session, stage="s", errors={"a": "x"}, run_id="r1")
        resolve_failures(session, stage="s", item_uuids=["a"])
        record_failures(session, stage="s", errors={"a": "again"}, run_id="r2")
    with session_scope(db_url) as session:
        (item,) = open_failures(session, item_uuids=["a"])
    assert (item.attempts, item.error, item.resolved_at) == (1, "again", None)  # counts anew
    assert item.first_failed_at.tzinfo is not None and item.first_failed_at <= datetime.now(UTC)


def test_open_failures_filters_by_stage_and_items(db_url: str) -> None:
    with session_scope(db_url) as session:
        record_failures(session, stage="s1", errors={"a": "x", "b": "x"}, run_id=None)
        record_failures(session, stage="s2", errors={"a": "x"}, run_id=None)
    with session_scope(db_url) as session:
        by_stage = [(i.stage, i.item_uuid) for i in open_failures(session, stage="s1")]
        by_item = [(i.stage, i.item_uuid) for i in open_failures(session, item_uuids=["a"])]
        both = open_failures(session, stage="s2", item_uuids=["b"])
    assert sorted(by_stage) == [("s1", "a"), ("s1", "b")]
    assert sorted(by_item) == [("s1", "a"), ("s2", "a")]
    assert both == []


def test_backing_off_after_three_permanent_failures_until_the_item_changes(db_url: str) -> None:
    for _ in range(3):
        with session_scope(db_url) as session:
            record_failures(
                session,
                stage="track-audience-spotify",
                errors={"t1": "404"},
                run_id="r",
                permanent=True,
            )
            record_failures(
                session, stage="track-audience-spotify", errors={"t2": "503"}, run_id="r"
            )
    with session_scope(db_url) as session:
        record_failures(
            session,
            stage="track-audience-spotify",
            errors={"t3": "404"},
            run_id="r",
            permanent=True,
        )
    with session_scope(db_url) as session:
        failed_at = open_failures(session, item_uuids=["t1"])[0].last_failed_at
        keys = ["t1", "t2", "t3", "t4"]
        resting = backing_off(session, stage="track-audience-spotify", item_uuids=keys)
        before = {"t1": failed_at - timedelta(hours=1)}
        still = backing_off(
            session, stage="track-audience-spotify", item_uuids=keys, changed_since=before
        )
        after = {"t1": failed_at + timedelta(seconds=1)}
        changed = backing_off(
            session, stage="track-audience-spotify", item_uuids=keys, changed_since=after
        )
        other_stage = backing_off(session, stage="track-metadata", item_uuids=keys)
    # t2 failed only transiently, t3 only once, t4 never.
    assert (resting, still, changed, other_stage) == ({"t1"}, {"t1"}, set(), set())


def test_a_backed_off_failure_is_tried_again_after_its_cool_down(db_url: str) -> None:
    for _ in range(4):
        with session_scope(db_url) as session:
            record_failures(
                session, stage="track-metadata", errors={"t1": "404"}, run_id="r", permanent=True
            )
    with session_scope(db_url) as session:
        failed_at = open_failures(session, item_uuids=["t1"])[0].last_failed_at
        resting = [
            backing_off(session, stage="track-metadata", item_uuids=["t1"], now=failed_at + wait)
            for wait in (timedelta(hours=47), timedelta(hours=49))
        ]
    # Tried 4 times: one day after the third try, doubled once.
    assert (cool_down(3), cool_down(4), cool_down(40)) == (
        timedelta(days=1),
        timedelta(days=2),
        timedelta(days=30),
    )
    assert resting == [{"t1"}, set()]


def test_attempts_count_again_from_one_after_a_resolve(db_url: str) -> None:
    for _ in range(2):
        with session_scope(db_url) as session:
            record_failures(
                session, stage="track-metadata", errors={"t1": "404"}, run_id="r", permanent=True
            )
    with session_scope(db_url) as session:
        resolve_failures(session, stage="track-metadata", item_uuids=["t1"])
    with session_scope(db_url) as session:
        record_failures(
            session, stage="track-metadata", errors={"t1": "404"}, run_id="r", permanent=True
        )
    with session_scope(db_url) as session:
        assert open_failures(session, item_uuids=["t1"])[0].attempts == 1
        assert backing_off(session, stage="track-metadata", item_uuids=["t1"]) == set()

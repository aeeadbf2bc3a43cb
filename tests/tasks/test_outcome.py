"""StageOutcome: every item in exactly one bucket, across batches and attempts."""

from __future__ import annotations

from chartcascade.tasks.outcome import StageOutcome


def test_each_item_counts_once_the_most_telling_bucket_winning() -> None:
    first = StageOutcome("s", skipped={"a"}, deferred={"b", "c"}, failed={"d": "503"})
    retry = StageOutcome("s", new={"b", "d"}, elsewhere={"c"}, backing_off={"e"})

    first.merge(retry)

    assert first.counts() == {
        "new": 2,
        "updated": 0,
        "skipped_fresh": 1,
        "done_elsewhere": 1,
        "failed": 0,
        "backing_off": 1,
        "left_undone": 0,
        "api_calls": 0,
    }
    assert (first.new, first.elsewhere, first.deferred) == ({"b", "d"}, {"c"}, set())


def test_settled_items_are_not_touched_by_a_retry() -> None:
    outcome = StageOutcome("s", new={"a"}, failed={"b": "404"}, deferred={"c"}, skipped={"d"})
    assert outcome.settled == {"a", "b", "d"}

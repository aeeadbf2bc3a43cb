"""What one stage did: counts of items, failures, calls; merged across batches."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StageOutcome:
    """The result of a stage (or one batch of it), item by item.

    Every item lands in exactly one bucket (see `settle`): done by this run (`new` or
    `updated`), `failed`, `elsewhere` (another run held it and stored it), `skipped` (fresh
    when this run looked), `backing_off` (failed permanently too often; not tried) or
    `deferred` (left undone: the budget, the quota, a stop, or another run that never finished).
    """

    stage: str
    new: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    elsewhere: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    backing_off: set[str] = field(default_factory=set)
    deferred: set[str] = field(default_factory=set)
    calls: int = 0
    quota_remaining: int | None = None
    quota_exhausted: bool = False

    @property
    def done(self) -> set[str]:
        return self.new | self.updated

    @property
    def settled(self) -> set[str]:
        """Items a retry must not touch again: done, failed for good, or known to be stored."""
        return self.done | set(self.failed) | self.elsewhere | self.skipped | self.backing_off

    def settle(self) -> StageOutcome:
        """Keep each item in one bucket only, the most telling one first."""
        taken = self.done
        for key in list(self.failed):
            if key in taken:
                del self.failed[key]
        taken |= set(self.failed)
        for bucket in (self.elsewhere, self.skipped, self.backing_off, self.deferred):
            bucket -= taken
            taken |= bucket
        self.updated -= self.new
        return self

    def merge(self, other: StageOutcome) -> None:
        """Fold another batch's outcome into this one."""
        self.new |= other.new
        self.updated |= other.updated
        self.skipped |= other.skipped
        self.elsewhere |= other.elsewhere
        self.failed.update(other.failed)
        self.backing_off |= other.backing_off
        self.deferred |= other.deferred
        self.calls += other.calls
        self.quota_exhausted |= other.quota_exhausted
        if other.quota_remaining is not None:
            self.quota_remaining = (
                other.quota_remaining
                if self.quota_remaining is None
                else min(self.quota_remaining, other.quota_remaining)
            )
        self.settle()

    def counts(self) -> dict[str, int]:
        """The figures a summary shows."""
        self.settle()
        return {
            "new": len(self.new),
            "updated": len(self.updated),
            "skipped_fresh": len(self.skipped),
            "done_elsewhere": len(self.elsewhere),
            "failed": len(self.failed),
            "backing_off": len(self.backing_off),
            "left_undone": len(self.deferred),
            "api_calls": self.calls,
        }


class BatchIncomplete(Exception):
    """Some items of a batch failed in a way a later attempt can fix; the rest is saved."""

    def __init__(self, outcome: StageOutcome, errors: dict[str, str]) -> None:
        self.outcome = outcome
        self.errors = errors
        first = next(iter(errors.values()), "")
        super().__init__(
            f"{len(errors)} item(s) of stage {outcome.stage} failed transiently; first: {first}"
        )


class BatchFailed(BatchIncomplete):
    """A batch stopped on an unexpected error: what it saved is in `outcome`, the items it did
    not finish in `errors`; retried only when the error is one a later attempt can fix."""

    def __init__(self, outcome: StageOutcome, errors: dict[str, str], cause: Exception) -> None:
        super().__init__(outcome, errors)
        self.cause = cause


class PartialFetch(Exception):
    """An item fetched in part before a transient error: save the part, retry the rest."""

    def __init__(self, partial: object, error: Exception) -> None:
        self.partial = partial
        self.error = error
        super().__init__(str(error))

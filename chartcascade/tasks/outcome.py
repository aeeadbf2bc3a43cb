"""What one stage did: counts of items, failures, calls; merged across batches."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StageOutcome:
    """The result of a stage (or one batch of it), item by item."""

    stage: str
    new: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    deferred: set[str] = field(default_factory=set)
    calls: int = 0
    quota_remaining: int | None = None
    quota_exhausted: bool = False

    @property
    def done(self) -> set[str]:
        return self.new | self.updated

    def merge(self, other: StageOutcome) -> None:
        """Fold another batch's outcome into this one."""
        self.new |= other.new
        self.updated |= other.updated
        self.skipped |= other.skipped - other.done
        self.failed.update(other.failed)
        self.deferred |= other.deferred
        self.calls += other.calls
        self.quota_exhausted |= other.quota_exhausted
        if other.quota_remaining is not None:
            self.quota_remaining = (
                other.quota_remaining
                if self.quota_remaining is None
                else min(self.quota_remaining, other.quota_remaining)
            )

    def counts(self) -> dict[str, int]:
        """The figures a summary shows."""
        return {
            "new": len(self.new),
            "updated": len(self.updated),
            "skipped_fresh": len(self.skipped),
            "failed": len(self.failed),
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


class PartialFetch(Exception):
    """An item fetched in part before a transient error: save the part, retry the rest."""

    def __init__(self, partial: object, error: Exception) -> None:
        self.partial = partial
        self.error = error
        super().__init__(str(error))

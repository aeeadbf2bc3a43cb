"""What every audience series shares: the freshness window, a fetch result, the work base."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from chartcascade.crud.audience import read_checks, record_checks, save_track_points
from chartcascade.crud.tracks import track_ids
from chartcascade.soundcharts import SoundchartsClient, split_period

AIRPLAY = "airplay"
ARTIST_COUNTERS = {
    "followers": "follower_count",
    "likes": "like_count",
    "following": "following_count",
    "posts": "post_count",
    "views": "view_count",
}
LISTENING_METRICS = {"spotify": "monthly_listeners"}
NOT_CHECKED = datetime(1970, 1, 1, tzinfo=UTC)


def series_stage(entity_kind: str, series: str) -> str:
    """The stage that fetches a series: `track-audience-spotify`, `track-airplay`,
    `artist-listening-spotify`."""
    return f"{entity_kind}-{series.replace(':', '-')}"


@dataclass(frozen=True)
class AudienceWindow:
    """When a series counts as fresh, and how far back a new series starts."""

    today: date
    checked_before: datetime
    lookback_days: int
    airplay_lookback_days: int
    force: bool = False
    store_cities: bool = False  # local streaming keeps per-city figures too

    @classmethod
    def for_options(cls, options: Any, now: datetime) -> AudienceWindow:
        """The window of a run's options (chart or sweep options alike)."""
        return cls(
            today=now.date(),
            checked_before=now - timedelta(hours=options.audience_max_age_hours),
            lookback_days=options.lookback_days,
            airplay_lookback_days=options.airplay_lookback_days,
            force=getattr(options, "force_refresh", False),
            store_cities=getattr(options, "store_cities", False),
        )


@dataclass
class SeriesResult:
    """What one series fetch found: points as (metric, date, value), and the outcome.

    `resume_from` is the first day left out to be fetched again (the API did not have it
    whole yet): the series' newest date stays before it, so the next window starts there.
    """

    status: str
    points: list[tuple[str, date, int]] = field(default_factory=list)
    complete: bool = True
    resume_from: date | None = None

    @property
    def newest_date(self) -> date | None:
        """The date the next window starts after; None keeps the stored one."""
        if not self.complete:
            return None  # a partial result may have skipped a day: it must not move the start
        if self.resume_from is not None:
            return self.resume_from - timedelta(days=1)
        return max((day for _, day, _ in self.points), default=None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SeriesWork:
    """One audience series (`series`) of many entities: select what is stale, save points."""

    entity_kind = "track"

    def __init__(self, platform: str, window: AudienceWindow) -> None:
        self.platform = platform
        self.window = window
        self.ranges: dict[str, tuple[date, date]] = {}

    @property
    def series(self) -> str:
        return f"audience:{self.platform}"

    @property
    def stage(self) -> str:
        return series_stage(self.entity_kind, self.series)

    def first_range(self) -> tuple[date, date]:
        today = self.window.today
        return today - timedelta(days=self.window.lookback_days), today

    def select(self, session: Session, keys: Sequence[str]) -> dict[str, bool]:
        checks = read_checks(
            session, entity_kind=self.entity_kind, uuids=keys, series=[self.series]
        )
        needed: dict[str, bool] = {}
        for key in keys:
            check = checks.get((key, self.series))
            fresh = check is not None and _aware(check.checked_at) >= self.window.checked_before
            if fresh and not self.window.force:
                continue
            start, end = self.first_range()
            if check is not None and check.newest_date is not None and not self.window.force:
                start = max(start, check.newest_date + timedelta(days=1))
            self.ranges[key] = (start, end)
            needed[key] = check is None
        return needed

    def estimate(self, key: str) -> int:
        start, end = self.ranges[key]
        return len(split_period(start, end))

    def fetch(self, client: SoundchartsClient, key: str) -> SeriesResult:
        raise NotImplementedError

    def save(self, session: Session, results: list[tuple[str, SeriesResult]]) -> None:
        if not results:
            return
        self.save_points(session, results)
        now = datetime.now(UTC)
        # A partial result keeps its newest date (the retry resumes after it) but is not fresh.
        record_checks(
            session,
            checks=[
                {
                    "entity_kind": self.entity_kind,
                    "entity_uuid": key,
                    "series": self.series,
                    "status": result.status,
                    "newest_date": result.newest_date,
                    "checked_at": now if result.complete else NOT_CHECKED,
                }
                for key, result in results
            ],
        )

    def save_points(self, session: Session, results: list[tuple[str, SeriesResult]]) -> None:
        ids = track_ids(session, uuids=[key for key, _ in results])
        save_track_points(
            session,
            points=[
                (ids[key], self.platform, day, value)
                for key, result in results
                for _, day, value in result.points
            ],
        )

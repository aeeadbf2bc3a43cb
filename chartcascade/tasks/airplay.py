"""Radio airplay of tracks: daily spin counts, one broadcast-groups call per day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlmodel import Session

from chartcascade.crud.audience import stored_track_days
from chartcascade.soundcharts import SoundchartsClient, SoundchartsError, is_retryable
from chartcascade.tasks.outcome import PartialFetch
from chartcascade.tasks.series import AIRPLAY, AudienceWindow, SeriesResult, SeriesWork


class AirplayWork(SeriesWork):
    """Daily radio spins of a song (all stations), one broadcast-groups call per day."""

    def __init__(self, window: AudienceWindow) -> None:
        super().__init__(AIRPLAY, window)
        self.days: dict[str, list[date]] = {}

    @property
    def series(self) -> str:
        return AIRPLAY

    def first_range(self) -> tuple[date, date]:
        end = self.window.today - timedelta(days=1)
        return end - timedelta(days=self.window.airplay_lookback_days - 1), end

    def select(self, session: Session, keys: Sequence[str]) -> dict[str, bool]:
        """The tracks due, each with the days of its range not stored yet (every day of the
        range when the run forces a refresh)."""
        needed = super().select(session, keys)
        start, end = self.first_range()
        stored = (
            {}
            if self.window.force
            else stored_track_days(
                session, uuids=list(needed), platform=AIRPLAY, start=start, end=end
            )
        )
        self.days = {
            key: [
                day
                for n in range((end - first).days + 1)
                if (day := first + timedelta(days=n)) not in stored.get(key, set())
            ]
            for key, (first, end) in ((k, self.ranges[k]) for k in needed)
        }
        return needed

    def estimate(self, key: str) -> int:
        return len(self.days[key])

    def fetch(self, client: SoundchartsClient, key: str) -> SeriesResult:
        """Every missing day; a transient error on one day does not stop the others, and
        a retry fetches only the days still missing."""
        points: list[tuple[str, date, int]] = []
        error: SoundchartsError | None = None
        for day in self.days[key]:
            try:
                spins = client.song_radio_spins(key, day, day)
            except SoundchartsError as exc:
                if not is_retryable(exc):
                    raise
                error = error or exc
                continue
            points.append((AIRPLAY, day, sum(spin.play_count for spin in spins)))
        if error is not None:
            if not points:
                raise error
            raise PartialFetch(SeriesResult("ok", points, complete=False), error) from error
        status = "ok" if any(value for _, _, value in points) else "empty"
        return SeriesResult(status, points)

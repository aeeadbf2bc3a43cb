"""Radio airplay of tracks: daily spin counts, one broadcast-groups call per day.

The same answer names every station's country, so each day is stored twice in one save: the
total (`track_audience_point`, platform `airplay`) and its split by country with the number
of stations (`track_airplay_country`); stations whose country is not given count under
`UNKNOWN_COUNTRY`, so the countries of a day always add up to its total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from chartcascade.crud.audience import stored_track_days
from chartcascade.crud.countries import (
    UNKNOWN_COUNTRY,
    AirplayCountryRow,
    replace_airplay_countries,
)
from chartcascade.crud.tracks import track_ids
from chartcascade.soundcharts import (
    RadioSpinCount,
    SoundchartsClient,
    SoundchartsError,
    is_retryable,
)
from chartcascade.tasks.outcome import PartialFetch
from chartcascade.tasks.series import AIRPLAY, AudienceWindow, SeriesResult, SeriesWork


@dataclass
class AirplayResult(SeriesResult):
    """Daily totals as points, and per day the (country, spins, stations) they split into."""

    countries: dict[date, list[tuple[str, int, int]]] = field(default_factory=dict)


def by_country(spins: Sequence[RadioSpinCount]) -> list[tuple[str, int, int]]:
    """(country code, spins, stations that played it), by country code."""
    totals: dict[str, tuple[int, int]] = {}
    for spin in spins:
        code = spin.country_code or UNKNOWN_COUNTRY
        count, stations = totals.get(code, (0, 0))
        totals[code] = (count + spin.play_count, stations + (spin.play_count > 0))
    return [(code, count, stations) for code, (count, stations) in sorted(totals.items())]


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

    def fetch(self, client: SoundchartsClient, key: str) -> AirplayResult:
        """Every missing day; a transient error on one day does not stop the others, and
        a retry fetches only the days still missing."""
        result = AirplayResult("ok")
        error: SoundchartsError | None = None
        for day in self.days[key]:
            try:
                spins = client.song_radio_spins(key, day, day)
            except SoundchartsError as exc:
                if not is_retryable(exc):
                    raise
                error = error or exc
                continue
            countries = by_country(spins)
            result.points.append((AIRPLAY, day, sum(count for _, count, _ in countries)))
            result.countries[day] = countries
        if error is not None:
            if not result.points:
                raise error
            result.complete = False
            raise PartialFetch(result, error) from error
        if not any(value for _, _, value in result.points):
            result.status = "empty"
        return result

    def save_points(self, session: Session, results: list[tuple[str, SeriesResult]]) -> None:
        """The daily totals and, in the same transaction, their countries."""
        super().save_points(session, results)
        ids = track_ids(session, uuids=[key for key, _ in results])
        fetched = [
            (ids[key], day, countries)
            for key, result in results
            if isinstance(result, AirplayResult)
            for day, countries in result.countries.items()
        ]
        replace_airplay_countries(
            session,
            days=[(track, day) for track, day, _ in fetched],
            rows=[
                AirplayCountryRow(track, day, code, count, stations)
                for track, day, countries in fetched
                for code, count, stations in countries
            ],
        )

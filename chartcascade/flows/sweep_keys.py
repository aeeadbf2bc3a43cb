"""What each sweep stage looks at: the items of the charts whose choices name its series, each
with the strictest choices among its charts (the shortest freshness window, the longest
lookback), and the watched artists, whose choices are the defaults (with the sweep's
overrides)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from chartcascade.crud.backlog import (
    Priority,
    artist_priorities,
    by_priority,
    missing_metadata,
    stale_audience,
    track_priorities,
    unchecked_audience,
)
from chartcascade.crud.chart_choices import chart_members, strictest
from chartcascade.crud.watchlist import (
    watched_missing_metadata,
    watched_stale_audience,
    watched_unchecked_audience,
)
from chartcascade.options import RefreshOptions
from chartcascade.tasks.audience import AudienceWindow


@dataclass(frozen=True)
class ChosenSeries:
    """One audience series a chart can choose: a track platform, or an artist feed
    (`audience` or `listening`) on a platform."""

    kind: str
    feed: str
    platform: str

    def chosen_by(self, choices: RefreshOptions) -> bool:
        if self.kind == "track":
            return self.platform in choices.track_platforms
        if self.feed == "listening":
            return self.platform in choices.listening_platforms
        return self.platform in choices.artist_platforms


def chosen_series(choices: Iterable[RefreshOptions]) -> list[ChosenSeries]:
    """Every series some chart chose: track platforms, artist audience, then listening, each
    in the order first chosen."""
    given = list(choices)
    found = [ChosenSeries("track", "audience", p) for c in given for p in c.track_platforms]
    found += [ChosenSeries("artist", "audience", p) for c in given for p in c.artist_platforms]
    found += [ChosenSeries("artist", "listening", p) for c in given for p in c.listening_platforms]
    return list(dict.fromkeys(found))


def by_chart_priority(session: Session, kind: str, uuids: Sequence[str]) -> list[str]:
    """`uuids` by priority: highest chart position first, then the most recent ranking."""
    tracks = track_priorities(session)
    priorities: dict[str, Priority] = (
        tracks if kind == "track" else artist_priorities(session, tracks)
    )
    return by_priority(uuids, priorities)


def _by_value(choices: dict[str, RefreshOptions], name: str) -> dict[float, list[str]]:
    """The chart slugs grouped by the value of one window option (one query per value)."""
    groups: dict[float, list[str]] = {}
    for slug, chosen in choices.items():
        groups.setdefault(getattr(chosen, name), []).append(slug)
    return groups


@dataclass
class SweepScope:
    """Each chart's choices (with the sweep's overrides applied), the choices of an item on no
    chart (`fallback`: an open failure, or a watched artist), the moment the sweep started,
    and the uuids of the watched artists."""

    choices: dict[str, RefreshOptions]
    fallback: RefreshOptions
    now: datetime
    watched: frozenset[str] = frozenset()
    _merged: dict[tuple[frozenset[str], bool], RefreshOptions] = field(default_factory=dict)

    def every_choice(self) -> list[RefreshOptions]:
        """The charts' choices, then the watched artists' (the fallback's artist series)."""
        watching = [self.fallback.model_copy(update={"track_platforms": []})]
        return [*self.choices.values(), *(watching if self.watched else [])]

    def metadata_keys(self, session: Session, kind: str, failed: list[str]) -> dict[str, datetime]:
        """Uuid -> its metadata cutoff: the failed items, then those missing or stale on the
        charts, by priority."""
        found = list(failed)
        for days, slugs in _by_value(self.choices, "metadata_max_age_days").items():
            cutoff = self.now - timedelta(days=days)
            found += missing_metadata(session, entity_kind=kind, stale_before=cutoff, charts=slugs)
        if kind == "artist" and self.watched:
            cutoff = self.now - timedelta(days=self.fallback.metadata_max_age_days)
            found += watched_missing_metadata(session, stale_before=cutoff)
        keys = by_chart_priority(session, kind, found)
        chosen = self._choices_of(session, kind, keys, lambda _: True)
        return {k: self.now - timedelta(days=chosen[k].metadata_max_age_days) for k in keys}

    def audience_keys(
        self, session: Session, series: ChosenSeries, name: str, failed: list[str]
    ) -> dict[str, AudienceWindow]:
        """Uuid -> its window for the series `name`: the failed items, then those of the charts
        choosing the series that were never checked or are stale, by priority."""
        wanting = {slug: c for slug, c in self.choices.items() if series.chosen_by(c)}
        found = list(failed)
        if wanting:
            found += unchecked_audience(
                session, entity_kind=series.kind, series=name, charts=list(wanting)
            )
        for hours, slugs in _by_value(wanting, "audience_max_age_hours").items():
            found += stale_audience(
                session,
                entity_kind=series.kind,
                series=name,
                checked_before=self.now - timedelta(hours=hours),
                charts=slugs,
            )
        if series.kind == "artist" and self.watched and series.chosen_by(self.fallback):
            hours = self.fallback.audience_max_age_hours
            found += watched_unchecked_audience(session, series=name)
            found += watched_stale_audience(
                session, series=name, checked_before=self.now - timedelta(hours=hours)
            )
        keys = by_chart_priority(session, series.kind, found)
        chosen = self._choices_of(session, series.kind, keys, series.chosen_by)
        return {k: AudienceWindow.for_options(chosen[k], self.now) for k in keys}

    def _choices_of(
        self,
        session: Session,
        kind: str,
        keys: list[str],
        wants: Callable[[RefreshOptions], bool],
    ) -> dict[str, RefreshOptions]:
        """Uuid -> the strictest choices of its charts that `want` the stage, and of the
        watchlist for a watched artist (the fallback for an item on none of them)."""
        members = chart_members(session, entity_kind=kind)
        found: dict[str, RefreshOptions] = {}
        for key in keys:
            slugs = frozenset(
                s for s in members.get(key, ()) if s in self.choices and wants(self.choices[s])
            )
            watching = kind == "artist" and key in self.watched and wants(self.fallback)
            if not slugs:
                found[key] = self.fallback
                continue
            if (slugs, watching) not in self._merged:
                given = [self.choices[s] for s in sorted(slugs)]
                self._merged[slugs, watching] = strictest(
                    [*given, self.fallback] if watching else given
                )
            found[key] = self._merged[slugs, watching]
        return found

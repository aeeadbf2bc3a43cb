"""What each sweep stage looks at: the items of the charts whose choices name its series, each
with the strictest choices among its charts (the shortest freshness window, the longest
lookback)."""

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
    chart (`fallback`: an open failure only), and the moment the sweep started."""

    choices: dict[str, RefreshOptions]
    fallback: RefreshOptions
    now: datetime
    _merged: dict[frozenset[str], RefreshOptions] = field(default_factory=dict)

    def metadata_keys(self, session: Session, kind: str, failed: list[str]) -> dict[str, datetime]:
        """Uuid -> its metadata cutoff: the failed items, then those missing or stale on the
        charts, by priority."""
        found = list(failed)
        for days, slugs in _by_value(self.choices, "metadata_max_age_days").items():
            cutoff = self.now - timedelta(days=days)
            found += missing_metadata(session, entity_kind=kind, stale_before=cutoff, charts=slugs)
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
        """Uuid -> the strictest choices of its charts that `want` the stage (the fallback for
        an item on none of them)."""
        members = chart_members(session, entity_kind=kind)
        found: dict[str, RefreshOptions] = {}
        for key in keys:
            slugs = frozenset(
                s for s in members.get(key, ()) if s in self.choices and wants(self.choices[s])
            )
            if not slugs:
                found[key] = self.fallback
                continue
            if slugs not in self._merged:
                self._merged[slugs] = strictest(self.choices[s] for s in sorted(slugs))
            found[key] = self._merged[slugs]
        return found

"""Each chart's choices: the platforms and windows it was last synced with.

A chart run writes them when its cascade starts; the sweep, `status` and the reports read them,
so every chart is refreshed and audited with its own platforms. A chart never synced with
recorded choices (an older database) has the defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlmodel import Session, col, select

from chartcascade.models import Artist, Chart, RankingEntry, RankingSnapshot, Track, TrackArtist
from chartcascade.models._base import utcnow
from chartcascade.options import PLATFORM_FIELDS, RefreshOptions

CHOICE_FIELDS = tuple(RefreshOptions.model_fields)


def remember_choices(session: Session, *, chart: str, options: RefreshOptions) -> RefreshOptions:
    """Store the platforms and windows of `options` as the chart's choices, synced now; the
    choices stored. The chart must exist (its ranking is stored first)."""
    row = session.exec(select(Chart).where(Chart.slug == chart)).first()
    if row is None:
        raise LookupError(f"Chart {chart!r} is not stored: store its ranking first.")
    choices = RefreshOptions.model_validate(options.model_dump(include=set(CHOICE_FIELDS)))
    row.sync_options = choices.model_dump(mode="json")
    row.last_synced_at = utcnow()
    session.add(row)
    return choices


def chart_choices(
    session: Session, *, charts: Sequence[str] | None = None
) -> dict[str, RefreshOptions]:
    """Slug -> the choices of every stored chart (of `charts` when given, if stored); the
    defaults for a chart whose choices were never recorded."""
    statement = select(Chart.slug, Chart.sync_options).order_by(col(Chart.slug))
    if charts is not None:
        statement = statement.where(col(Chart.slug).in_(charts))
    return {slug: _choices(stored) for slug, stored in session.exec(statement)}


def _choices(stored: Mapping[str, Any] | None) -> RefreshOptions:
    if not stored:
        return RefreshOptions()
    return RefreshOptions.model_validate({k: v for k, v in stored.items() if k in CHOICE_FIELDS})


def chart_members(session: Session, *, entity_kind: str) -> dict[str, set[str]]:
    """Track uuid (or artist uuid, through the tracks it is credited on) -> the slugs of the
    charts any of whose rankings lists the track."""
    track_charts = (
        select(RankingEntry.track_id, Chart.slug)
        .join(RankingSnapshot, col(RankingSnapshot.id) == RankingEntry.snapshot_id)
        .join(Chart, col(Chart.id) == RankingSnapshot.chart_id)
        .distinct()
        .subquery()
    )
    if entity_kind == "track":
        statement = select(Track.uuid, track_charts.c.slug).join(
            track_charts, track_charts.c.track_id == Track.id
        )
    else:
        statement = (
            select(Artist.uuid, track_charts.c.slug)
            .join(TrackArtist, col(TrackArtist.artist_id) == Artist.id)
            .join(track_charts, track_charts.c.track_id == TrackArtist.track_id)
        )
    members: dict[str, set[str]] = {}
    for uuid, slug in session.exec(statement.distinct()):
        members.setdefault(uuid, set()).add(slug)
    return members


def strictest(choices: Iterable[RefreshOptions]) -> RefreshOptions:
    """The choices of an item on several charts: every platform any chart names (in first-named
    order), the shortest freshness windows and the longest lookbacks."""
    given = list(choices)
    if not given:
        return RefreshOptions()
    platforms = {
        name: list(dict.fromkeys(p for c in given for p in getattr(c, name)))
        for name in PLATFORM_FIELDS
    }
    return RefreshOptions(
        **platforms,
        metadata_max_age_days=min(c.metadata_max_age_days for c in given),
        audience_max_age_hours=min(c.audience_max_age_hours for c in given),
        lookback_days=max(c.lookback_days for c in given),
        airplay_lookback_days=max(c.airplay_lookback_days for c in given),
    )

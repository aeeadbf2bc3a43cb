"""Daily totals of a song audience series summed over its platform identifiers.

A day is a total only when every identifier the series has on that day carries a value.
An identifier counts from the first day it shows in the fetched series (with a value or
null): days before it are complete without it, so a new identifier never spoils earlier
days. A day on which a counted identifier is null or left out is *incomplete*: it is not a
total, and the caller fetches it again later. An identifier absent (null or left out) on
every served day from some day D to the end, for at least `DROPPED_AFTER_DAYS` served days,
counts as dropped from D on: the totals from D use the remaining identifiers, and a step
down there is a change in the API's data, not ours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from chartcascade.soundcharts.schemas import SongAudiencePoint

DROPPED_AFTER_DAYS = 3


@dataclass(frozen=True)
class SongTotals:
    """Complete days as (date, total), ascending, and the incomplete days left out."""

    totals: list[tuple[dt.date, int]] = field(default_factory=list)
    incomplete: list[dt.date] = field(default_factory=list)


def _counted_spans(days: list[dict[str, int | None]]) -> dict[str, tuple[int, int]]:
    """Identifier -> [first, stop) indexes of the days it is counted on."""
    first: dict[str, int] = {}
    last_value: dict[str, int] = {}
    for index, values in enumerate(days):
        for identifier, value in values.items():
            first.setdefault(identifier, index)
            if value is not None:
                last_value[identifier] = index
    spans = {}
    for identifier, start in first.items():
        absent_from = max(start, last_value.get(identifier, start - 1) + 1)
        dropped = len(days) - absent_from >= DROPPED_AFTER_DAYS
        spans[identifier] = (start, absent_from if dropped else len(days))
    return spans


def song_totals(points: Sequence[SongAudiencePoint]) -> SongTotals:
    """The totals of a series given ascending by date, one point per date."""
    days = [point.values for point in points]
    spans = _counted_spans(days)
    result = SongTotals()
    for index, (point, values) in enumerate(zip(points, days, strict=True)):
        counted = [i for i, (start, stop) in spans.items() if start <= index < stop]
        if not counted:
            continue  # nothing counted (every identifier dropped): neither total nor pending
        found = [values.get(identifier) for identifier in counted]
        if all(value is not None for value in found):
            result.totals.append((point.date, sum(v for v in found if v is not None)))
        else:
            result.incomplete.append(point.date)
    return result

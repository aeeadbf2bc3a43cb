"""Daily totals of a song audience series summed over its platform identifiers.

A day is a total only when every identifier the series has on that day carries a value; a
day on which a counted identifier is null or left out is *incomplete*: it is not a total, and
the caller fetches it again later. Which identifiers a day has:

- An identifier counts from the window's first day, unless it is left out of each of the
  first `NEW_AFTER_DAYS` days or more: then it is new, and counts from the first day it shows.
  (A window that goes on from a stored day starts on that day, so an identifier left out of
  the first day or two is one the series had.)
- An identifier left out (absent from `plots`) of every day from some day D to the end, for at
  least `DROPPED_AFTER_DAYS` days, counts as dropped from D on: a step down there is a change in
  the API's data, not ours. A *null* value is the API saying the figure is not there yet: a run
  of trailing nulls counts as dropped only after `NULL_DROPPED_AFTER_DAYS` days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from chartcascade.soundcharts.schemas import SongAudiencePoint

NEW_AFTER_DAYS = 3
DROPPED_AFTER_DAYS = 3
NULL_DROPPED_AFTER_DAYS = 7


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
    for identifier, shown in first.items():
        start = shown if shown >= NEW_AFTER_DAYS else 0
        absent_from = max(shown, last_value.get(identifier, shown - 1) + 1)
        trailing = days[absent_from:]
        nulls = any(identifier in values for values in trailing)
        needed = NULL_DROPPED_AFTER_DAYS if nulls else DROPPED_AFTER_DAYS
        dropped = len(trailing) >= needed
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

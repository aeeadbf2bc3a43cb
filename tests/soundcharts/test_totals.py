"""Daily totals over identifiers: a day missing an identifier is left out, never summed short."""

from __future__ import annotations

from datetime import date
from typing import Any

from chartcascade.soundcharts.parsing import song_audience_series
from chartcascade.soundcharts.totals import song_totals


def day(n: int) -> date:
    return date(2024, 3, n)


def item(n: int, **plots: int | None) -> dict[str, Any]:
    """An API item for 2024-03-n; `plots` maps identifier to value (None: null)."""
    return {
        "date": f"2024-03-{n:02d}T00:00:00+00:00",
        "plots": [{"identifier": i, "value": v} for i, v in plots.items()],
    }


def totals_of(items: list[dict[str, Any]]) -> tuple[list[tuple[date, int]], list[date]]:
    found = song_totals(song_audience_series(items[::-1]))  # the API sends newest first
    return found.totals, found.incomplete


def test_complete_days_sum_every_identifier() -> None:
    totals, incomplete = totals_of([item(1, a=100, b=10), item(2, a=110, b=11)])

    assert totals == [(day(1), 110), (day(2), 121)]
    assert incomplete == []


def test_a_null_identifier_leaves_the_day_out() -> None:
    items = [item(1, a=100, b=10), item(2, a=110, b=None), item(3, a=120, b=12)]

    totals, incomplete = totals_of(items)

    assert totals == [(day(1), 110), (day(3), 132)]
    assert incomplete == [day(2)]


def test_an_omitted_identifier_leaves_the_day_out() -> None:
    items = [item(1, a=100, b=10), item(2, a=110), item(3, a=120, b=12), item(4, a=130, b=13)]

    totals, incomplete = totals_of(items)

    assert totals == [(day(1), 110), (day(3), 132), (day(4), 143)]
    assert incomplete == [day(2)]


def test_a_null_on_the_first_day_counts_the_identifier_from_then() -> None:
    totals, incomplete = totals_of([item(1, a=100, b=None), item(2, a=110, b=11)])

    assert totals == [(day(2), 121)]
    assert incomplete == [day(1)]


def test_a_single_identifier_null_day_is_left_out_too() -> None:
    totals, incomplete = totals_of([item(1, a=5), item(2, a=None), item(3, a=7)])

    assert totals == [(day(1), 5), (day(3), 7)]
    assert incomplete == [day(2)]


def test_a_new_identifier_does_not_spoil_the_days_before_it() -> None:
    items = [item(n, a=100 + n) for n in (1, 2, 3)] + [item(4, a=104, c=1), item(5, a=105, c=3)]

    totals, incomplete = totals_of(items)

    assert totals == [(day(1), 101), (day(2), 102), (day(3), 103), (day(4), 105), (day(5), 108)]
    assert incomplete == []


def test_an_identifier_left_out_of_the_first_days_only_is_awaited() -> None:
    # The window's first day (often the stored day it goes on from) lacks b: not a total.
    items = [item(1, a=100), item(2, a=110, b=50), item(3, a=120, b=51)]

    totals, incomplete = totals_of(items)

    assert totals == [(day(2), 160), (day(3), 171)]
    assert incomplete == [day(1)]


def test_an_identifier_left_out_for_three_days_counts_as_dropped() -> None:
    items = [item(1, a=100, b=100), item(2, a=110), item(3, a=120), item(4, a=130)]

    totals, incomplete = totals_of(items)

    assert totals == [(day(1), 200), (day(2), 110), (day(3), 120), (day(4), 130)]
    assert incomplete == []


def test_an_identifier_gone_for_two_days_is_still_awaited() -> None:
    items = [item(1, a=100, b=100), item(2, a=110, b=111), item(3, a=120), item(4, a=130)]

    totals, incomplete = totals_of(items)

    assert totals == [(day(1), 200), (day(2), 221)]
    assert incomplete == [day(3), day(4)]


def test_a_late_identifier_null_on_the_newest_days_is_awaited_not_dropped() -> None:
    items = [item(1, a=100, b=100), item(2, a=110, b=None), item(3, a=120, b=None)]
    items.append(item(4, a=130, b=None))

    totals, incomplete = totals_of(items)

    assert totals == [(day(1), 200)]
    assert incomplete == [day(2), day(3), day(4)]


def test_an_identifier_null_on_every_day_of_a_long_range_is_dropped() -> None:
    totals, incomplete = totals_of([item(n, a=10 * n, b=None) for n in range(1, 8)])

    assert totals == [(day(n), 10 * n) for n in range(1, 8)]
    assert incomplete == []


def test_two_unnamed_plots_are_both_counted() -> None:
    items = [{"date": "2024-03-01", "plots": [{"value": 5}, {"identifier": None, "value": 7}]}]

    totals, incomplete = totals_of(items)

    assert (totals, incomplete) == ([(day(1), 12)], [])


def test_a_lower_sum_with_every_identifier_present_is_stored() -> None:
    items = [item(1, a=100, b=50), item(2, a=90, b=50), item(3, a=95, b=51)]

    totals, incomplete = totals_of(items)

    assert totals == [(day(1), 150), (day(2), 140), (day(3), 146)]
    assert incomplete == []


def test_a_date_with_no_plots_is_incomplete() -> None:
    totals, incomplete = totals_of([item(1, a=1, b=2), item(2), item(3, a=3, b=4)])

    assert totals == [(day(1), 3), (day(3), 7)]
    assert incomplete == [day(2)]


def test_an_empty_series_has_no_totals() -> None:
    assert totals_of([]) == ([], [])

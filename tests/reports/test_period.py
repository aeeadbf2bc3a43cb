"""Period reports, checked figure by figure against values worked out here from the seed."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from chartcascade.reports.period import PeriodRequest, buckets, period_report
from chartcascade.reports.selection import UnknownArtistError
from tests.reports import period_seed
from tests.reports.period_seed import FROM, S2_FIRST, TO, fans, plays, views

Feb, Mar = 2, 3


def day(month: int, number: int) -> date:
    return date(2026, month, number)


@pytest.fixture
def world(db_url: str) -> str:
    period_seed.period_world(db_url)
    return db_url


def figures(frame: pd.DataFrame, **where: object) -> dict[str, object]:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    (index,) = frame.index[mask]
    row = frame.loc[index]
    return {k: (v.date() if isinstance(v, pd.Timestamp) else v) for k, v in row.items()}


def report(url: str, kind: str, **options: object) -> pd.DataFrame:
    return period_report(url, PeriodRequest(kind, FROM, TO, **options))  # type: ignore[arg-type]


def test_cumulative_series_across_gaps_at_both_ends(world: str) -> None:
    s1 = figures(report(world, "tracks"), track_uuid="s1", platform="spotify")
    # The period opens with the total of 02-09, not stored: 02-08 is used. It ends on 03-20,
    # not stored either: 03-19 is used.
    assert (s1["start_date"], s1["start"]) == (day(Feb, 8), plays(day(Feb, 8))) == (
        day(Feb, 8), 10_749,
    )  # fmt: skip
    assert (s1["end_date"], s1["end"]) == (day(Mar, 19), 16_716)
    assert s1["gain"] == 16_716 - 10_749 == 5_967
    assert s1["avg_daily_gain"] == pytest.approx(5_967 / 39)  # 02-08 to 03-19
    # Daily gains grow (100 + 2n - 1): the best is 03-18 -> 03-19 (n = 46).
    assert (s1["peak"], s1["peak_date"]) == (100 + 2 * 46 - 1, day(Mar, 19))
    assert s1["days_with_data"] == 39 - 2  # 02-10..03-20 less 02-15 and 03-20
    assert s1["kind"] == "cumulative"


def test_cumulative_series_starting_inside_the_period(world: str) -> None:
    s2 = figures(report(world, "tracks"), track_uuid="s2", platform="youtube")
    assert (s2["start_date"], s2["start"], s2["end_date"], s2["end"]) == (
        day(Feb, 20), views(S2_FIRST), TO, 7 + 500 * 28,
    )  # fmt: skip
    assert s2["gain"] == 14_000 and s2["avg_daily_gain"] == 500
    assert (s2["peak"], s2["peak_date"]) == (500, day(Feb, 21))  # first of equal days
    assert s2["days_with_data"] == 29


def test_level_series_change_and_peak(world: str) -> None:
    ar1 = figures(report(world, "artists"), artist_uuid="ar1", metric="followers")
    # Opens with 02-09 (n=8): 50_000 + 320 - 64; ends 03-20 (n=47): 50_000 + 1_880 - 2_209.
    assert (ar1["start_date"], ar1["start"]) == (day(Feb, 9), 50_256)
    assert ar1["start"] == fans(day(Feb, 9))
    assert (ar1["end_date"], ar1["end"]) == (TO, 49_671)
    assert ar1["gain"] == -585 and ar1["avg_daily_gain"] == pytest.approx(-585 / 39)
    assert (ar1["peak"], ar1["peak_date"]) == (50_400, day(Feb, 21))  # n = 20
    assert ar1["days_with_data"] == 39 - 1  # 03-01 missing
    assert ar1["kind"] == "level"


def test_radio_spins_are_summed_over_the_artists_tracks(world: str) -> None:
    artists = report(world, "artists")
    spins = figures(artists, artist_uuid="ar1", platform="airplay", metric="spins")
    # s1: 02-10 4+1, 02-11 6, 03-05 10 (03-21 is after the period); s2: 02-11 3, 03-05 2.
    assert spins["gain"] == 5 + 9 + 12 == 26
    assert spins["days_with_data"] == 3 and spins["avg_daily_gain"] == pytest.approx(26 / 3)
    assert (spins["peak"], spins["peak_date"]) == (12, day(Mar, 5))
    assert (spins["start_date"], spins["end_date"]) == (FROM, day(Mar, 5))
    assert math.isnan(spins["start"]) and math.isnan(spins["end"])  # type: ignore[arg-type]
    stations = figures(artists, artist_uuid="ar1", metric="stations")
    # Per day, the sum over countries of the most stations of one track there:
    # 02-10 IT 2 + FR 1, 02-11 IT max(3, 2), 03-05 IT max(4, 1).
    assert (stations["start"], stations["end"], stations["peak"]) == (3, 4, 4)
    assert figures(artists, artist_uuid="ar2", metric="spins")["gain"] == 3 + 2


def test_country_report_has_only_that_countrys_figures(world: str) -> None:
    italy = report(world, "artists", country="IT")
    listeners = figures(italy, artist_uuid="ar1", metric="monthly_listeners")
    # Opens with 02-08 (02-09 has no Italian figure; 02-08 is within 3 days); the Milano
    # figure of 03-18 (600) is a city's, not Italy's.
    assert (listeners["start_date"], listeners["start"]) == (day(Feb, 8), 1_200)
    assert (listeners["end_date"], listeners["end"]) == (day(Mar, 18), 1_450)
    assert listeners["gain"] == 250 and listeners["peak"] == 1_500
    assert listeners["days_with_data"] == 2
    spins = figures(italy, artist_uuid="ar1", metric="spins")
    assert spins["gain"] == 4 + (6 + 3) + (10 + 2) == 25  # no French spins
    assert set(italy["metric"]) == {"monthly_listeners", "spins", "stations"}  # no worldwide
    assert figures(report(world, "tracks", country="FR"), track_uuid="s1")["gain"] == 1


def test_monthly_buckets_chain_and_add_up(world: str) -> None:
    frame = report(world, "tracks", by="month", platforms=("spotify",))
    february, march = frame.sort_values("period_start").to_dict("records")
    assert (february["period_start"].date(), february["period_end"].date()) == (FROM, day(Feb, 28))
    assert (march["period_start"].date(), march["period_end"].date()) == (day(Mar, 1), TO)
    assert (february["start"], february["end"]) == (10_749, plays(day(Feb, 28))) == (10_749, 13_429)
    assert february["gain"] == 2_680 and february["days_with_data"] == 19 - 1  # 02-15
    assert february["avg_daily_gain"] == pytest.approx(2_680 / 20)  # 02-08 to 02-28
    assert (march["start_date"].date(), march["start"]) == (day(Feb, 28), 13_429)
    assert (march["end_date"].date(), march["end"]) == (day(Mar, 19), 16_716)
    assert march["gain"] == 3_287 and march["days_with_data"] == 19
    assert february["gain"] + march["gain"] == 16_716 - 10_749


def test_weekly_buckets_of_radio_spins(world: str) -> None:
    frame = report(world, "artists", by="week", platforms=("airplay",))
    spins = frame[(frame["artist_uuid"] == "ar1") & (frame["metric"] == "spins")]
    by_week = dict(zip(spins["period_start"].dt.date, spins["gain"], strict=True))
    # 02-10 is a Tuesday: its week is clipped to 02-10..02-15; 03-05 is in the week of 03-02.
    assert by_week == {FROM: 5 + 9, day(Mar, 2): 12}


def test_watched_and_named_artists(world: str) -> None:
    watched = report(world, "artists", watched=True)
    assert set(watched["artist_uuid"]) == {"ar3"}  # on no chart
    ar3 = figures(watched, metric="followers")
    assert (ar3["start"], ar3["end"], ar3["gain"]) == (10, 20, 10)
    both = report(world, "artists", watched=True, artists=("AR2",))
    assert set(both["artist_uuid"]) == {"ar2", "ar3"}
    tracks = report(world, "tracks", artists=("ar2",))
    assert set(tracks["track_uuid"]) == {"s2"}  # s3 has no series
    with pytest.raises(UnknownArtistError, match="nobody"):
        report(world, "artists", artists=("nobody",))


def test_buckets_of_a_period() -> None:
    assert buckets(day(Feb, 27), day(Mar, 2), "month") == [
        (day(Feb, 27), day(Feb, 28)),
        (day(Mar, 1), day(Mar, 2)),
    ]
    assert buckets(day(Mar, 1), day(Mar, 10), "week") == [
        (day(Mar, 1), day(Mar, 1)),  # a Sunday
        (day(Mar, 2), day(Mar, 8)),
        (day(Mar, 9), day(Mar, 10)),
    ]
    assert buckets(FROM, TO, None) == [(FROM, TO)]

"""Radio per artist: spins summed over the artist's tracks, per day and country, and stations."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from chartcascade.reports.artists import artist_analytics
from tests.reports import period_seed, seed
from tests.reports.seed import D3, SPINS


def test_artist_radio_sums_its_tracks_spins(db_url: str) -> None:
    seed.analytics_world(db_url)
    analytics = artist_analytics(db_url)
    table = analytics.table().set_index("artist_uuid")
    # a1 is credited on t1 (7 days of spins up to 03-03) and t2 (no radio); a2, a3 have none.
    assert table.loc["a1", "airplay_spins"] == SPINS[D3] == 6
    assert table.loc["a1", "airplay_spins_7d"] == 3 + 5 + 0 + 7 + 2 + 4 + 6 == 27
    assert table.loc["a1", "airplay_spins_base_7d"] == pd.Timestamp("2026-02-24")
    assert table[["airplay_spins"]].drop(index="a1").isna().all().all()
    days = analytics.radio[analytics.radio["artist_uuid"] == "a1"]
    assert dict(zip(days["date"].dt.date, days["spins"], strict=True)) == SPINS
    assert days["country_code"].isna().all()  # no per-country rows stored in this world


def test_artist_radio_per_country_and_stations(db_url: str) -> None:
    period_seed.period_world(db_url)
    radio = artist_analytics(db_url).radio
    ar1 = radio[radio["artist_uuid"] == "ar1"].fillna({"country_code": "world"})
    on = ar1.set_index(["date", "country_code"])[["spins", "stations"]]
    # 02-11: s1 6 spins on 3 Italian stations, s2 3 on 2: spins add up, stations the most.
    assert on.loc[(pd.Timestamp(date(2026, 2, 11)), "IT")].tolist() == [9, 3]
    # 02-10: Italy 4 on 2 stations, France 1 on 1: worldwide 5 on 3.
    assert on.loc[(pd.Timestamp(date(2026, 2, 10)), "world")].tolist() == [5, 3]
    assert on.loc[(pd.Timestamp(date(2026, 2, 10)), "FR")].tolist() == [1, 1]
    assert len(ar1) == 4 + 3 + 2  # worldwide, Italian and French days
    ar2 = radio[(radio["artist_uuid"] == "ar2") & (radio["country_code"] == "IT")]
    assert ar2["spins"].tolist() == [3, 2]  # s2 only


@pytest.mark.parametrize("platforms", [["spotify"], ["airplay"]])
def test_artist_radio_follows_the_platform_filter(db_url: str, platforms: list[str]) -> None:
    seed.analytics_world(db_url)
    audience = artist_analytics(db_url, platforms=platforms).audience
    assert set(audience["platform"]) == set(platforms)

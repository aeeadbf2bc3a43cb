"""Radio per artist: the spins of the artist's tracks per day and country, and the stations.

Read from `bi_artist_audience_daily` (platform `airplay`): spins are the sum over the artist's
tracks; stations, per country, the most stations that played one of them that day (a station
playing two of the artist's tracks counts once, so the true number is at least this), and
worldwide the sum over countries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from chartcascade.reports import views
from chartcascade.reports.series import DAILY, DEFAULT_TOLERANCE_DAYS, LEVEL, summarise

AIRPLAY = "airplay"
RADIO_COLUMNS = ["artist_id", "date", "country_code", "spins", "stations"]
KIND_OF_METRIC = {"spins": DAILY, "stations": LEVEL}


def artist_radio(
    database_url: str,
    artist_ids: Sequence[int],
    platforms: Sequence[str] = (),
    as_of: date | None = None,
) -> pd.DataFrame:
    """artist_id, date, country_code (None: worldwide), spins, stations: one row per day and
    place with radio data (none when `platforms` leaves out `airplay`)."""
    if (platforms and AIRPLAY not in platforms) or not artist_ids:
        return pd.DataFrame(columns=RADIO_COLUMNS)
    world = views.artist_audience(database_url, artist_ids, platforms=[AIRPLAY], until=as_of)
    places = views.artist_countries(database_url, artist_ids, platforms=[AIRPLAY], until=as_of)
    stored = [frame for frame in (world, places) if not frame.empty]
    if not stored:
        return pd.DataFrame(columns=RADIO_COLUMNS)
    rows = pd.concat(stored, ignore_index=True)
    rows["place"] = rows["country_code"].fillna("")
    wide = rows.pivot_table(
        index=["artist_id", "date", "place"], columns="metric", values="value", aggfunc="sum"
    ).reset_index()
    wide["country_code"] = wide["place"].replace("", None)
    for metric in KIND_OF_METRIC:
        if metric not in wide:
            wide[metric] = pd.NA
    return wide[RADIO_COLUMNS].sort_values(
        ["artist_id", "date", "country_code"], na_position="first"
    )


def radio_summary(
    radio: pd.DataFrame, tolerance_days: int = DEFAULT_TOLERANCE_DAYS
) -> pd.DataFrame:
    """The worldwide radio of each artist as audience rows (platform `airplay`): `spins`
    summed over 7 and 28 days, `stations` as a level."""
    world = radio[radio["country_code"].isna()]
    parts = []
    for metric, kind in KIND_OF_METRIC.items():
        points = world[["artist_id", "date", metric]].dropna().rename(columns={metric: "value"})
        if points.empty:
            continue
        points = points.assign(platform=AIRPLAY, metric=metric)
        parts.append(
            summarise(
                points, ["artist_id", "platform", "metric"], kind, tolerance_days=tolerance_days
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

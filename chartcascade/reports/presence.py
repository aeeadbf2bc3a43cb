"""Artists by chart presence, with their latest audience per platform (the demo's table)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import text

from chartcascade.db import get_engine

PRESENCE_SQL = """
WITH latest AS (
    SELECT s.id AS snapshot_id, c.slug AS chart
    FROM ranking_snapshot s JOIN chart c ON c.id = s.chart_id
    WHERE s.ranking_date = (
        SELECT MAX(s2.ranking_date) FROM ranking_snapshot s2 WHERE s2.chart_id = s.chart_id
    )
)
SELECT a.id AS artist_id, a.name AS artist, l.chart, e.position
FROM latest l
JOIN ranking_entry e ON e.snapshot_id = l.snapshot_id AND NOT e.off_chart
JOIN track_artist ta ON ta.track_id = e.track_id
JOIN artist a ON a.id = ta.artist_id
"""

LATEST_AUDIENCE_SQL = """
SELECT p.artist_id, p.platform, p.metric, p.value
FROM artist_audience_point p
JOIN (
    SELECT artist_id, platform, metric, MAX(date) AS date
    FROM artist_audience_point GROUP BY artist_id, platform, metric
) newest ON newest.artist_id = p.artist_id AND newest.platform = p.platform
        AND newest.metric = p.metric AND newest.date = p.date
WHERE p.metric IN ('followers', 'monthly_listeners')
"""


def top_artists(database_url: str, charts: Sequence[str] = (), limit: int = 10) -> pd.DataFrame:
    """Artists ranked by charted entries on the latest rankings (tracks that left the chart
    do not count), with latest followers/listeners."""
    engine = get_engine(database_url)
    with engine.connect() as connection:
        presence = pd.read_sql(text(PRESENCE_SQL), connection)
        audience = pd.read_sql(text(LATEST_AUDIENCE_SQL), connection)
    if charts:
        presence = presence[presence["chart"].isin(list(charts))]
    if presence.empty:
        return pd.DataFrame(columns=["artist", "charts", "entries", "best_position"])
    table = (
        presence.groupby(["artist_id", "artist"])
        .agg(
            charts=("chart", lambda c: ", ".join(sorted(set(c)))),
            entries=("position", "size"),
            best_position=("position", "min"),
        )
        .reset_index()
        .sort_values(["entries", "best_position"], ascending=[False, True])
        .head(limit)
    )
    if not audience.empty:
        audience["column"] = audience["platform"] + " " + audience["metric"].str.replace("_", " ")
        wide = audience.pivot_table(
            index="artist_id", columns="column", values="value", aggfunc="max"
        )
        table = table.merge(wide, left_on="artist_id", right_index=True, how="left")
    return table.drop(columns=["artist_id"]).reset_index(drop=True)

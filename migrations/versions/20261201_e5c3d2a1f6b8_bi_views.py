"""Views for BI tools: daily track and artist audience, chart positions with movement, credits.

The SQL is portable (the same on SQLite and PostgreSQL). A later migration that rebuilds one of
the tables these views read (SQLite batch mode) must drop the views first and create them again
after.

Revision ID: e5c3d2a1f6b8
Revises: c3a1f0d2b4e6
Create Date: 2026-12-01 23:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "e5c3d2a1f6b8"
down_revision: str | Sequence[str] | None = "c3a1f0d2b4e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One row per track, platform, day and country (country_code NULL: the worldwide figure).
# `kind` says how to aggregate `value`: `cumulative` (a running total: gain = last - first),
# `daily` (radio spins of that day: sum them). Worldwide radio rows carry the stations of every
# stored country.
TRACK_AUDIENCE_DAILY = """
CREATE VIEW bi_track_audience_daily AS
SELECT p.track_id, t.uuid AS track_uuid, t.name AS track, p.platform,
       CASE WHEN p.platform = 'airplay' THEN 'daily' ELSE 'cumulative' END AS kind,
       p.date, CAST(NULL AS VARCHAR(8)) AS country_code, p.value,
       CASE WHEN p.platform = 'airplay' THEN (
           SELECT CAST(SUM(c.stations) AS BIGINT) FROM track_airplay_country c
           WHERE c.track_id = p.track_id AND c.date = p.date
       ) END AS stations
FROM track_audience_point p
JOIN track t ON t.id = p.track_id
UNION ALL
SELECT c.track_id, t.uuid, t.name, 'airplay', 'daily', c.date, c.country_code, c.spins,
       c.stations
FROM track_airplay_country c
JOIN track t ON t.id = c.track_id
"""

# One row per artist, platform, metric, day and country (NULL: worldwide). Followers and
# listeners are `level` series (the level on that day); radio (`airplay`) is summed over the
# artist's tracks: `spins` (daily) and `stations` (level: per country the most stations that
# played one of the artist's tracks that day, worldwide the sum over countries).
ARTIST_AUDIENCE_DAILY = """
CREATE VIEW bi_artist_audience_daily AS
SELECT s.artist_id, a.uuid AS artist_uuid, a.name AS artist, s.platform, s.metric, s.kind,
       s.date, s.country_code, s.value
FROM (
    SELECT artist_id, platform, metric, 'level' AS kind, date,
           CAST(NULL AS VARCHAR(8)) AS country_code, value
    FROM artist_audience_point
    UNION ALL
    SELECT artist_id, platform, metric, 'level', date, country_code, value
    FROM artist_audience_country WHERE city = ''
    UNION ALL
    SELECT ta.artist_id, 'airplay', 'spins', 'daily', p.date, NULL, CAST(SUM(p.value) AS BIGINT)
    FROM track_audience_point p JOIN track_artist ta ON ta.track_id = p.track_id
    WHERE p.platform = 'airplay'
    GROUP BY ta.artist_id, p.date
    UNION ALL
    SELECT ta.artist_id, 'airplay', 'spins', 'daily', c.date, c.country_code, CAST(SUM(c.spins) AS BIGINT)
    FROM track_airplay_country c JOIN track_artist ta ON ta.track_id = c.track_id
    GROUP BY ta.artist_id, c.date, c.country_code
    UNION ALL
    SELECT ta.artist_id, 'airplay', 'stations', 'level', c.date, c.country_code,
           MAX(c.stations)
    FROM track_airplay_country c JOIN track_artist ta ON ta.track_id = c.track_id
    GROUP BY ta.artist_id, c.date, c.country_code
    UNION ALL
    SELECT m.artist_id, 'airplay', 'stations', 'level', m.date, NULL, CAST(SUM(m.stations) AS BIGINT)
    FROM (
        SELECT ta.artist_id, c.date, c.country_code, MAX(c.stations) AS stations
        FROM track_airplay_country c JOIN track_artist ta ON ta.track_id = c.track_id
        GROUP BY ta.artist_id, c.date, c.country_code
    ) m
    GROUP BY m.artist_id, m.date
) s
JOIN artist a ON a.id = s.artist_id
"""

# One row per ranking entry. `position` is NULL for an entry off the chart; `previous_position`
# is the track's position on the chart's previous stored ranking (NULL when it did not chart
# there); `movement` = previous - current (positive: up); `movement_status` is up, down, same,
# new (not charted on the previous ranking), left (off the chart now), or NULL on a chart's
# first stored ranking.
CHART_POSITIONS = """
CREATE VIEW bi_chart_positions AS
SELECT x.chart, x.chart_name, x.ranking_date, x.track_id, x.track_uuid, x.track, x.position,
       x.off_chart, x.previous_ranking_date, x.previous_position,
       x.previous_position - x.position AS movement,
       CASE
           WHEN x.off_chart THEN 'left'
           WHEN x.previous_ranking_date IS NULL THEN NULL
           WHEN x.previous_position IS NULL THEN 'new'
           WHEN x.previous_position > x.position THEN 'up'
           WHEN x.previous_position < x.position THEN 'down'
           ELSE 'same'
       END AS movement_status
FROM (
    SELECT c.slug AS chart, c.name AS chart_name, s.ranking_date, e.track_id,
           t.uuid AS track_uuid, t.name AS track,
           CASE WHEN e.off_chart THEN NULL ELSE e.position END AS position, e.off_chart,
           prev.ranking_date AS previous_ranking_date,
           CASE WHEN pe.off_chart THEN NULL ELSE pe.position END AS previous_position
    FROM ranking_entry e
    JOIN ranking_snapshot s ON s.id = e.snapshot_id
    JOIN chart c ON c.id = s.chart_id
    JOIN track t ON t.id = e.track_id
    LEFT JOIN ranking_snapshot prev ON prev.chart_id = s.chart_id AND prev.ranking_date = (
        SELECT MAX(s2.ranking_date) FROM ranking_snapshot s2
        WHERE s2.chart_id = s.chart_id AND s2.ranking_date < s.ranking_date
    )
    LEFT JOIN ranking_entry pe ON pe.snapshot_id = prev.id AND pe.track_id = e.track_id
) x
"""

# One row per artist credited on a track: main or featured, in credit order.
ARTIST_TRACK_CREDITS = """
CREATE VIEW bi_artist_track_credits AS
SELECT ta.artist_id, a.uuid AS artist_uuid, a.name AS artist, ta.track_id,
       t.uuid AS track_uuid, t.name AS track, ta.role, ta.position AS credit_order
FROM track_artist ta
JOIN artist a ON a.id = ta.artist_id
JOIN track t ON t.id = ta.track_id
"""

VIEWS = {
    "bi_track_audience_daily": TRACK_AUDIENCE_DAILY,
    "bi_artist_audience_daily": ARTIST_AUDIENCE_DAILY,
    "bi_chart_positions": CHART_POSITIONS,
    "bi_artist_track_credits": ARTIST_TRACK_CREDITS,
}


def upgrade() -> None:
    """Upgrade schema."""
    for sql in VIEWS.values():
        op.execute(sql)


def downgrade() -> None:
    """Downgrade schema."""
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW {name}")

"""More indexes and a faster artist view: the newest day of an artist's platform, and
`bi_artist_audience_daily` with its worldwide radio stations computed per artist and day.

The view's last branch summed, per artist and day, the most stations per country: a subquery
in a subquery that SQLite could not narrow to the artists asked for (every artist's radio was
summed on each read). It now lists the artists' radio days and sums each day's countries in a
correlated subquery: the same rows, and a filter on `artist_id` reaches every branch. Plain
CREATE INDEX (no table rebuild), so the other views stay as they are.

Revision ID: a7e5f4c3b2d1
Revises: f6d4e3b2a1c9
Create Date: 2026-12-02 00:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "a7e5f4c3b2d1"
down_revision: str | Sequence[str] | None = "f6d4e3b2a1c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    # the newest day of each artist platform, over its metrics (completeness audit)
    (
        "ix_artist_audience_point_artist_platform_date",
        "artist_audience_point",
        ["artist_id", "platform", "date"],
    ),
)

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
    SELECT d.artist_id, 'airplay', 'stations', 'level', d.date, NULL, (
        SELECT CAST(SUM(x.stations) AS BIGINT) FROM (
            SELECT MAX(c.stations) AS stations
            FROM track_airplay_country c JOIN track_artist ta ON ta.track_id = c.track_id
            WHERE ta.artist_id = d.artist_id AND c.date = d.date
            GROUP BY c.country_code
        ) x
    )
    FROM (
        SELECT DISTINCT ta.artist_id, c.date
        FROM track_airplay_country c JOIN track_artist ta ON ta.track_id = c.track_id
    ) d
) s
JOIN artist a ON a.id = s.artist_id
"""

# The view as migration e5c3d2a1f6b8 created it (for the downgrade).
PREVIOUS_ARTIST_AUDIENCE_DAILY = """
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


def upgrade() -> None:
    """Upgrade schema."""
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.execute("DROP VIEW bi_artist_audience_daily")
    op.execute(ARTIST_AUDIENCE_DAILY)


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP VIEW bi_artist_audience_daily")
    op.execute(PREVIOUS_ARTIST_AUDIENCE_DAILY)
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)

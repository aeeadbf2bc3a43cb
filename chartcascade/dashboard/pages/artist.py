"""An artist: credits, audience per platform, growth over 7/28 days and any period, countries,
radio spins."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

import pandas as pd

from chartcascade.dashboard import figures, layout, params, queries
from chartcascade.reports import frames, views
from chartcascade.reports.period import PeriodRequest, period_report
from chartcascade.reports.radio import artist_radio, radio_summary
from chartcascade.reports.series import LEVEL, summarise

DEFAULT_DAYS = 28
GROWTH_COLUMNS = [
    "platform", "metric", "latest_date", "latest", "change_7d", "base_7d", "change_28d",
    "base_28d",
]  # fmt: skip


def growth(database_url: str, artist_id: int, radio: pd.DataFrame) -> pd.DataFrame:
    """Latest value and 7/28-day changes per platform and metric, as the artist report has
    them (levels, then radio spins summed and stations; `radio` is the artist's
    `artist_radio`)."""
    points = frames.artist_points(database_url, [artist_id])
    audience = summarise(points, ["artist_id", "platform", "metric"], LEVEL)
    on_air = radio_summary(radio)
    parts = [frame for frame in (audience, on_air) if not frame.empty]
    if not parts:
        return pd.DataFrame(columns=GROWTH_COLUMNS)
    return pd.concat(parts, ignore_index=True)[GROWTH_COLUMNS]


def country_bars(database_url: str, artist_id: int) -> list[str]:
    """A bar chart per platform and metric of the newest day's figure per country."""
    places = views.artist_countries(database_url, [artist_id])
    places = places[~((places["platform"] == "airplay") & (places["metric"] == "stations"))]
    plots = []
    for (platform, metric), rows in places.groupby(["platform", "metric"], sort=True):
        newest = rows[rows["date"] == rows["date"].max()].sort_values("value", ascending=False)
        day = layout.text(newest["date"].iloc[0])
        figure = figures.bars(
            newest["country_code"].tolist(), newest["value"].astype(float).tolist(),
            f"{platform} {metric} by country, {day}",
        )  # fmt: skip
        plots.append(layout.plot(figure, f"countries-{platform}-{metric}"))
    return plots


def artist_page(
    database_url: str, uuid: str, start: date | None = None, end: date | None = None
) -> str:
    """Everything stored of the artist `uuid`; the period `start`..`end` (default: the 28 days
    up to its newest stored day)."""
    artist = queries.artist(database_url, params.name(uuid, "artist"))
    if artist is None:
        raise params.missing(f"no artist {uuid!r} is stored")
    artist_id = int(artist["id"])
    points = views.artist_audience(database_url, [artist_id])
    newest = points["date"].max().date() if not points.empty else date.today()
    end = end or newest
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    start, end = params.period(start, end)

    credits = queries.credits_of(database_url, artist_id=artist_id)
    radio = artist_radio(database_url, [artist_id])
    cells = {
        "track": lambda r: layout.link(f"/track/{r['track_uuid']}", r["track"] or r["track_uuid"])
    }
    parts = [
        f"<p>{escape(str(artist['country_code'] or ''))} · uuid {escape(uuid)}</p>",
        "<h2>Credits</h2>",
        layout.table(credits, ["track", "role", "credit_order"], cells=cells, table_id="credits"),
        "<h2>Growth over 7 and 28 days</h2>",
        layout.table(growth(database_url, artist_id, radio), table_id="growth"),
        f'<h2>Period <span id="period">{start} to {end}</span></h2>',
        f'<form method="get"><label>From <input name="from" value="{start}"></label>'
        f'<label>To <input name="to" value="{end}"></label>'
        '<button type="submit">Show</button></form>',
    ]
    period = period_report(database_url, PeriodRequest("artists", start, end, artists=(uuid,)))
    shown = period.drop(columns=["artist_uuid", "artist"])
    parts.append(layout.table(shown, table_id="period-table"))
    parts.append("<h2>Audience per platform</h2>")
    if points.empty:
        parts.append('<p class="note">No audience stored.</p>')
    for (platform, metric), series in points.groupby(["platform", "metric"], sort=True):
        title = f"{platform} {metric.replace('_', ' ')}"
        figure = figures.lines(series.assign(series=title), "series", "date", "value", title)
        parts.append(layout.plot(figure, f"audience-{platform}-{metric}"))
    bars = country_bars(database_url, artist_id)
    parts.append("<h2>Per country</h2>")
    parts.extend(bars or ['<p class="note">No per-country figures stored.</p>'])
    parts.append("<h2>Radio spins</h2>")
    world = radio[radio["country_code"].isna()] if not radio.empty else radio
    if world.empty:
        parts.append('<p class="note">No radio spins stored.</p>')
    else:
        recent = world.sort_values("date", ascending=False).head(DEFAULT_DAYS)
        parts.append(layout.table(recent, ["date", "spins", "stations"], table_id="radio"))
    return layout.page(f"Artist {artist['name'] or uuid}", "".join(parts), plots=True)

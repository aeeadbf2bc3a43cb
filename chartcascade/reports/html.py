"""The HTML report: one self-contained file with tables and plotly charts (plotly.js inlined)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from chartcascade.reports import frames, views
from chartcascade.reports.artists import ArtistAnalytics, artist_analytics
from chartcascade.reports.completeness import completeness
from chartcascade.reports.period import PeriodRequest, default_period, period_report
from chartcascade.reports.tracks import TrackAnalytics, track_analytics

TOP_ARTISTS = 8
TOP_TRACKS = 10
TABLE_ROWS = 50
# (platform, metric) charted for the top artists, when stored.
HEADLINE_METRICS = (("spotify", "monthly_listeners"), ("spotify", "followers"))

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; font-size: 0.85rem; margin-bottom: 1.5rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f4f4f4; position: sticky; top: 0; }
.scroll { overflow-x: auto; max-width: 100%; }
td:first-child, th:first-child { text-align: left; }
"""


def audience_figure(
    database_url: str, artists: ArtistAnalytics, platform: str, metric: str
) -> go.Figure | None:
    """`metric` on `platform` over time for the top artists, or None when nothing is stored."""
    top = artists.summary.head(TOP_ARTISTS)
    points = frames.artist_points(database_url, top["artist_id"].tolist(), [platform])
    points = points[points["metric"] == metric]
    if points.empty:
        return None
    figure = go.Figure()
    for _, artist in top.iterrows():
        stored = points[points["artist_id"] == artist["artist_id"]].set_index("date")["value"]
        if stored.empty:
            continue
        daily = stored.sort_index().asfreq("D")  # missing days stay empty: a visible break
        name = artist["artist"] or artist["artist_uuid"]
        figure.add_trace(go.Scatter(x=daily.index, y=daily.values, mode="lines", name=name))
    title = f"{platform.title()} {metric.replace('_', ' ')}: top artists"
    figure.update_layout(title=title, xaxis_title="date", yaxis_title=metric.replace("_", " "))
    return figure


def position_figure(tracks: TrackAnalytics, chart: str) -> go.Figure | None:
    """Position history of the chart's current top tracks (1 at the top), or None."""
    history = tracks.history[tracks.history["chart"] == chart]
    if history.empty:
        return None
    latest = frames.charted(frames.latest_positions(history)).nsmallest(TOP_TRACKS, "position")
    dates = sorted(set(history["date"]))
    figure = go.Figure()
    for track_id in latest["track_id"]:
        series = history[history["track_id"] == track_id]
        name = series["track"].iloc[0] or series["track_uuid"].iloc[0]
        # Off the chart on a ranking date (not listed, or listed as off-chart): no point, so
        # the line breaks there.
        positions = series.set_index("date")["position"].astype(float).reindex(dates)
        figure.add_trace(go.Scatter(x=dates, y=positions.values, mode="lines+markers", name=name))
    figure.update_layout(title=f"{chart}: position history of the current top {TOP_TRACKS}")
    figure.update_yaxes(autorange="reversed", title="position")
    return figure


def latest_by_country(database_url: str, artist_ids: list[int]) -> pd.DataFrame:
    """artist_id, platform, metric, country_code, date, value: each country's newest stored
    listening figure (monthly listeners, or `listening` where a platform has no listeners) of
    the artists."""
    rows = views.artist_countries(database_url, artist_ids)
    rows = rows[rows["metric"].str.contains("listen")]
    keys = ["artist_id", "platform", "metric", "country_code"]
    return rows.sort_values("date").groupby(keys, as_index=False).last()


def country_figure(listeners: pd.DataFrame, name: str) -> go.Figure | None:
    """A bar per country of one artist's newest listeners (one colour per platform), or None."""
    if listeners.empty:
        return None
    figure = go.Figure()
    for (platform, metric), rows in listeners.groupby(["platform", "metric"]):
        rows = rows.sort_values("value", ascending=False)
        label = f"{platform} {str(metric).replace('_', ' ')}"
        dates = rows["date"].dt.strftime("%Y-%m-%d")
        figure.add_trace(
            go.Bar(x=rows["country_code"], y=rows["value"], name=label, hovertext=dates)
        )
    figure.update_layout(title=f"{name}: latest listeners by country", xaxis_title="country")
    return figure


def country_section(database_url: str, artists: ArtistAnalytics) -> list[str]:
    """Per top artist, a bar chart of its newest listeners by country, or a note."""
    top = artists.summary.head(TOP_ARTISTS)
    latest = latest_by_country(database_url, top["artist_id"].tolist())
    parts = ["<h2>Listeners by country</h2>"]
    for _, artist in top.iterrows():
        name = str(artist["artist"] or artist["artist_uuid"])
        figure = country_figure(latest[latest["artist_id"] == artist["artist_id"]], name)
        if figure is None:
            parts.append(f"<p>{html.escape(name)}: no listeners by country stored.</p>")
        else:
            parts.append(_figure(figure))
    return parts


def period_section(
    database_url: str, charts: Sequence[str], period: PeriodRequest | None
) -> list[str]:
    """The period summary of the charts' artists (default: the 28 days up to the newest data)."""
    if period is None:
        period = default_period(database_url, "artists", charts)
        if period is None:
            return ["<h2>Period</h2><p>No audience stored yet.</p>"]
    figures = period_report(database_url, period)
    where = f", {period.country}" if period.country else ", worldwide"
    title = f"Period {period.start:%Y-%m-%d} to {period.end:%Y-%m-%d}{where}"
    return [f"<h2>{html.escape(title)}</h2>", _table(figures)]


def _table(frame: pd.DataFrame) -> str:
    shown = frame.head(TABLE_ROWS)
    note = f"<p>First {TABLE_ROWS} of {len(frame)} rows.</p>" if len(frame) > TABLE_ROWS else ""
    rendered = shown.to_html(index=False, na_rep="", float_format=lambda v: f"{v:,.0f}", border=0)
    return f"<div class='scroll'>{rendered}</div>{note}"


def _figure(figure: go.Figure | None) -> str:
    if figure is None:
        return ""
    return figure.to_html(full_html=False, include_plotlyjs=False)


def report_html(
    database_url: str, charts: Sequence[str] = (), period: PeriodRequest | None = None
) -> str:
    """The full report as one HTML document (with the `period` summary: default the 28 days
    up to the newest stored data)."""
    charts = list(charts) or frames.chart_slugs(database_url)
    artists = artist_analytics(database_url, charts=charts)
    tracks = track_analytics(database_url, charts=charts)
    title = f"chartcascade report: {', '.join(charts) or 'no charts'}"
    body = [f"<h1>{html.escape(title)}</h1>"]
    body.append(f"<p>Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</p>")
    body.append("<h2>Artists</h2>")
    for platform, metric in HEADLINE_METRICS:
        body.append(_figure(audience_figure(database_url, artists, platform, metric)))
    body.append(_table(artists.table()))
    body += period_section(database_url, charts, period)
    body += country_section(database_url, artists)
    body.append("<h2>Tracks</h2>")
    for chart in charts:
        body.append(_figure(position_figure(tracks, chart)))
    body.append(_table(tracks.table()))
    body.append("<h2>Completeness</h2>")
    for chart in charts:
        audit = completeness(database_url, chart)
        body.append(f"<h3>{html.escape(chart)}: {audit.gaps} gap(s)</h3>")
        body.append(_table(audit.frame()))
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def write_html_report(
    database_url: str,
    path: Path,
    charts: Sequence[str] = (),
    period: PeriodRequest | None = None,
) -> Path:
    """Write the HTML report of `charts` (default: every chart) to `path`; the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_html(database_url, charts, period), encoding="utf-8")
    return path.resolve()

"""Analytics: the period report of picked artists, platforms, days and country, with its plots
and the same table as CSV and Excel."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path

import pandas as pd
from starlette.datastructures import QueryParams

from chartcascade.dashboard import figures, layout, params, queries
from chartcascade.reports import views
from chartcascade.reports.export import write_table, write_workbook
from chartcascade.reports.period import BUCKETS, PeriodRequest, period_report
from chartcascade.reports.selection import UnknownArtistError, named_artist_ids

DEFAULT_DAYS = 28
SHEET = "period"


@dataclass(frozen=True)
class Choice:
    """What the form asked for, checked."""

    request: PeriodRequest | None  # None until an artist is picked
    query: list[tuple[str, str]]  # the query string, for the download links


def choice(database_url: str, query: QueryParams) -> Choice:
    """The period request of the query (a 400 for a bad value, 404 for an unknown artist)."""
    artists = params.artists(query.getlist("artist"))
    platforms = params.platforms([p for p in query.getlist("platform") if p])
    country = params.country(query.get("country"))
    by = params.bucket(query.get("by"))
    end = params.day(query.get("to"), "to")
    start = params.day(query.get("from"), "from")
    if end is None:
        end = queries.newest_day(database_url) or date.today()
    start, end = params.period(start or end - timedelta(days=DEFAULT_DAYS - 1), end)
    kept = [(k, v) for k, v in query.multi_items() if k in {"artist", "platform"} and v]
    kept += [("from", str(start)), ("to", str(end))]
    kept += [(k, v) for k, v in (("country", country), ("by", by)) if v]
    if not artists:
        return Choice(None, kept)
    try:
        named_artist_ids(database_url, artists)
    except UnknownArtistError as exc:
        raise params.missing(str(exc)) from None
    request = PeriodRequest(
        "artists", start, end, artists=artists, country=country, platforms=platforms, by=by
    )
    return Choice(request, kept)


def period_table(database_url: str, request: PeriodRequest) -> pd.DataFrame:
    return period_report(database_url, request)


def form(database_url: str, chosen: Choice) -> str:
    query = dict(chosen.query)
    picked = [v for k, v in chosen.query if k == "artist"]
    artists = queries.artist_choices(database_url)
    names = [(str(u), str(n)) for u, n in zip(artists["uuid"], artists["name"], strict=True)]
    names += [(p, p) for p in picked if p not in {u for u, _ in names}]
    platforms = sorted(params.PLATFORMS)
    chosen_platforms = [v for k, v in chosen.query if k == "platform"]
    country = escape(query.get("country", ""))
    buckets = [("", "whole period"), *((b, b) for b in BUCKETS)]
    return (
        '<form method="get" id="analytics-form">'
        f'<label>Artists <select name="artist" multiple size="6">{layout.options(names, picked)}'
        "</select></label>"
        f'<label>Platforms <select name="platform" multiple size="6">'
        f"{layout.options([(p, p) for p in platforms], chosen_platforms)}</select></label>"
        f'<label>From <input name="from" value="{escape(query.get("from", ""))}"></label>'
        f'<label>To <input name="to" value="{escape(query.get("to", ""))}"></label>'
        f'<label>Country <input name="country" size="3" value="{country}"></label>'
        f'<label>Rows per <select name="by">{layout.options(buckets, [query.get("by", "")])}'
        '</select></label><button type="submit">Show</button></form>'
    )


def plots(database_url: str, request: PeriodRequest, table: pd.DataFrame) -> list[str]:
    """Per platform and metric: the gain of each artist, and the stored values of the period."""
    shown = []
    ids = named_artist_ids(database_url, request.artists)
    points = views.artist_audience(
        database_url, ids, platforms=request.platforms, country=request.country,
        since=request.start, until=request.end,
    )  # fmt: skip
    whole = table.groupby(["platform", "metric", "artist"], sort=True)["gain"].sum().reset_index()
    for number, ((platform, metric), rows) in enumerate(whole.groupby(["platform", "metric"])):
        title = f"{platform} {metric}: gain over the period"
        figure = figures.bars(rows["artist"].tolist(), rows["gain"].astype(float).tolist(), title)
        shown.append(layout.plot(figure, f"gain-{number}"))
        series = points[(points["platform"] == platform) & (points["metric"] == metric)]
        if not series.empty:
            series = series.assign(artist=series["artist"].fillna(series["artist_uuid"]))
            figure = figures.lines(series, "artist", "date", "value", f"{platform} {metric}")
            shown.append(layout.plot(figure, f"values-{number}"))
    return shown


def analytics_page(database_url: str, query: QueryParams) -> str:
    chosen = choice(database_url, query)
    parts = [form(database_url, chosen)]
    if chosen.request is None:
        parts.append('<p class="note">Pick one or more artists to see their period figures.</p>')
        return layout.page("Analytics", "".join(parts))
    request = chosen.request
    table = period_table(database_url, request)
    csv_link = layout.link(layout.url("/analytics.csv", chosen.query), "CSV")
    xlsx_link = layout.link(layout.url("/analytics.xlsx", chosen.query), "Excel")
    parts.append(
        f"<p>{escape(request.describe()['period'])}, {escape(request.country or 'worldwide')} · "
        f'download <span id="downloads">{csv_link} · {xlsx_link}</span></p>'
    )
    parts.append(layout.table(table, table_id="period-table"))
    parts.extend(plots(database_url, request, table))
    return layout.page("Analytics", "".join(parts), plots=True)


def download(database_url: str, query: QueryParams, file_format: str) -> bytes:
    """The period table of the query as a CSV or an Excel file (the summary sheet first)."""
    request = choice(database_url, query).request
    if request is None:
        raise params.bad("pick at least one artist (artist=uuid or name)")
    table = period_table(database_url, request)
    with tempfile.TemporaryDirectory(prefix="chartcascade-dashboard-") as folder:
        path = Path(folder) / f"period.{file_format}"
        if file_format == "xlsx":
            write_workbook(path, {SHEET: table}, request.describe())
        else:
            write_table(table, path, "csv")
        return path.read_bytes()

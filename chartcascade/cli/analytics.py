"""Analytics commands: `status` (the completeness audit) and `report` (artists or tracks)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from chartcascade.cli.console import console, fail
from chartcascade.cli.period import PeriodBucket, period_request, report_period
from chartcascade.cli.preflight import require_database
from chartcascade.cli.sync import parse_date
from chartcascade.cli.tables import fitted_table, frame_rows, print_table, show_all_columns


class ReportKind(StrEnum):
    artists = "artists"
    tracks = "tracks"


class ReportFormat(StrEnum):
    table = "table"
    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"
    html = "html"


def frame_table(frame: Any, title: str, limit: int | None = None) -> Table:
    """A pandas frame as a table that fits the terminal (numbers right-aligned, with thousands
    separators; text columns always shown, the rightmost figures left out first)."""
    shown = frame if limit is None else frame.head(limit)
    columns, rows = frame_rows(shown, {str(c): str(c).replace("_", " ") for c in frame.columns})
    caption = f"{limit} of {len(frame)} rows" if limit is not None and len(frame) > limit else None
    return fitted_table(title, columns, rows, caption=caption)


ARTIST_COLUMNS = ["artist", "charts", "best_position", "tracks_charting"]
TRACK_COLUMNS = ["track", "artists", "charts", "best_position", "current_position", "days_on_chart"]
# A headline figure, its 7-day change and the base date that change starts from.
CHANGE_SUFFIXES = ("", "_7d", "_base_7d")


def terminal_columns(analytics: Any, kind: ReportKind, chosen: list[str]) -> list[str]:
    """The columns that fit a terminal: names and positions, then headline audience figures,
    each change with its base date (every figure of the `chosen` platforms when given). Files
    get every column."""
    table = analytics.table()
    platforms = sorted(set(analytics.audience["platform"]))
    if kind is ReportKind.artists:
        base = ARTIST_COLUMNS
        headline = [f"{p}_followers" for p in platforms]
        headline += [f"spotify_monthly_listeners{suffix}" for suffix in CHANGE_SUFFIXES]
    else:
        base = TRACK_COLUMNS
        headline = [f"{p}{suffix}" for p in platforms for suffix in CHANGE_SUFFIXES]
    if chosen:
        headline = [
            c for c in table.columns if any(c.startswith(f"{p}_") or c == p for p in chosen)
        ]
    return [c for c in dict.fromkeys(base + headline) if c in table.columns]


def status_command(
    chart: list[str] = typer.Option([], "--chart", "-c", help="Chart slug; default: every chart."),
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
) -> None:
    """Print the completeness audit of each chart, on the platforms of its last sync: gaps,
    failures and how fresh the data is."""
    show_all_columns(wide)
    from chartcascade.reports.completeness import completeness
    from chartcascade.reports.frames import chart_slugs
    from chartcascade.settings import get_settings

    database_url = get_settings().database_url
    require_database(database_url)
    synced = chart_slugs(database_url)
    charts = chart or synced
    if not charts:
        fail("no chart has been synced yet: run `chartcascade sync CHART` first")
    never = [slug for slug in charts if slug not in synced]
    if never:
        were = "was" if len(never) == 1 else "were"
        fail(f"{', '.join(never)} {were} never synced: run `chartcascade sync {never[0]}` first")
    for slug in charts:
        audit = completeness(database_url, slug)  # on the chart's own platforms
        title = f"{slug}: ranking of {audit.ranking_date or 'none'}, {audit.gaps} gap(s)"
        print_table(frame_table(audit.frame(), title))
        fresh = Table(title=f"{slug}: newest data", title_justify="left")
        for column in ("series", "date", "age (days)"):
            fresh.add_column(column, justify="right" if column == "age (days)" else "left")
        for name, day in audit.staleness.items():
            age = audit.age_days(name)
            fresh.add_row(name, str(day or "none"), "" if age is None else str(age))
        console.print(fresh)


def report_command(
    kind: ReportKind = typer.Argument(..., help="artists or tracks."),
    chart: list[str] = typer.Option([], "--chart", "-c", help="Chart slug; default: every chart."),
    platform: list[str] = typer.Option([], "--platform", "-p", help="Audience platform filter."),
    as_of: str | None = typer.Option(None, "--as-of", help="Only data up to this YYYY-MM-DD."),
    report_format: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f"),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write."),
    limit: int = typer.Option(50, help="Rows shown by --format table."),
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
    watched: bool = typer.Option(False, "--watched", help="Only the watched artists."),
    start: str | None = typer.Option(None, "--from", help="Period report from YYYY-MM-DD."),
    end: str | None = typer.Option(None, "--to", help="Period report to YYYY-MM-DD (today)."),
    by: PeriodBucket | None = typer.Option(None, "--by", help="Period rows per month or week."),
    country: str | None = typer.Option(None, "--country", help="Period figures of one country."),
    artist: list[str] = typer.Option([], "--artist", "-a", help="Artist uuid or name (period)."),
) -> None:
    """Artist or track analytics as a table, a CSV, Parquet or Excel file, or the HTML report;
    with --from (and --to, --by, --country, --artist) the figures of that period."""
    show_all_columns(wide)
    from chartcascade.reports.artists import artist_analytics
    from chartcascade.reports.export import (
        analytics_sheets,
        default_path,
        write_table,
        write_workbook,
    )
    from chartcascade.reports.html import write_html_report
    from chartcascade.reports.tracks import track_analytics
    from chartcascade.settings import get_settings

    database_url = get_settings().database_url
    require_database(database_url)
    fmt = report_format.value
    if start or end or by or country or artist:
        if as_of:
            fail("a period report ends at --to; drop --as-of")
        request = period_request(
            kind.value, start=start, end=end, by=by, country=country, artists=artist,
            watched=watched, charts=chart, platforms=platform,
        )  # fmt: skip
        report_period(database_url, request, fmt, output, limit)
        return
    if watched and (kind is not ReportKind.artists or fmt == "html"):
        fail("--watched filters the artist report (table, csv or parquet) only")
    if fmt == "html":
        if platform or as_of:
            fail("the HTML report covers every platform and date; drop --platform/--as-of")
        path = write_html_report(database_url, output or default_path("report", fmt), chart)
        console.print(f"HTML report written to {path}")
        return
    analytics: Any = track_analytics
    if kind is ReportKind.artists:
        analytics = partial(artist_analytics, watched_only=watched)
    result = analytics(database_url, charts=chart, platforms=platform, as_of=parse_date(as_of))
    table = result.table()
    if fmt == "table":
        title = f"{kind.value} ({', '.join(chart) or 'all charts'})"
        title = f"watched {title}" if watched else title
        shown = table[terminal_columns(result, kind, platform)]
        print_table(frame_table(shown, title, limit))
        return
    path = output or default_path(kind.value, fmt)
    if fmt == "xlsx":
        about = {"report": kind.value, "charts": ", ".join(chart) or "every chart"}
        about |= {"platforms": ", ".join(platform) or "every platform", "as of": as_of or ""}
        about["generated"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        path = write_workbook(path, analytics_sheets(kind.value, result), about)
    else:
        path = write_table(table, path, fmt)
    console.print(f"{len(table)} {kind.value} written to {path.resolve()}")


def register(app: typer.Typer) -> None:
    """Add the analytics commands to the CLI."""
    app.command("status")(status_command)
    app.command("report")(report_command)

"""`chartcascade report ... --from/--to/--by/--country/--artist`: the period report."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from chartcascade.cli.console import console, fail
from chartcascade.cli.sync import parse_date
from chartcascade.cli.tables import print_table

if TYPE_CHECKING:  # pandas is imported only when a report runs
    from chartcascade.reports.period import PeriodRequest

# What the terminal shows of a period row, most important first (files get every column).
TERMINAL = ["platform", "metric", "gain", "start", "end", "start_date", "end_date"]
TERMINAL += ["days_with_data", "avg_daily_gain", "peak", "peak_date"]


class PeriodBucket(StrEnum):
    month = "month"
    week = "week"


def period_request(
    kind: str,
    *,
    start: str | None,
    end: str | None,
    by: PeriodBucket | None,
    country: str | None,
    artists: list[str],
    watched: bool,
    charts: list[str],
    platforms: list[str],
) -> PeriodRequest:
    """The request the options describe; `--to` defaults to today."""
    from chartcascade.reports.period import PeriodRequest

    first, last = parse_date(start), parse_date(end) or datetime.now(UTC).date()
    if first is None:
        fail("a period report needs --from YYYY-MM-DD (and --to, default today)")
    if last < first:
        fail(f"--to {last} is before --from {first}")
    code = country.strip().upper() if country else None
    if code is not None and (len(code) != 2 or not code.isalpha()):
        fail(f"bad country {country!r}: use a two-letter code, for example IT")
    return PeriodRequest(
        kind, first, last, artists=tuple(artists), watched=watched, charts=tuple(charts),
        country=code, platforms=tuple(platforms), by=by.value if by else None,
    )  # fmt: skip


def report_period(
    database_url: str, request: PeriodRequest, fmt: str, output: Path | None, limit: int
) -> None:
    """Print or write the period report of `request` as `fmt`."""
    from chartcascade.cli.analytics import frame_table
    from chartcascade.reports.export import default_path, write_table, write_workbook
    from chartcascade.reports.html import write_html_report
    from chartcascade.reports.period import period_report
    from chartcascade.reports.selection import UnknownArtistError

    name = f"{request.kind}-period"
    try:
        if fmt == "html":
            path = output or default_path("report", fmt)
            path = write_html_report(database_url, path, request.charts, request)
            console.print(f"HTML report written to {path}")
            return
        frame = period_report(database_url, request)
    except UnknownArtistError as exc:
        fail(str(exc))
    about = request.describe()
    if fmt == "table":
        title = f"{request.kind}, {about['period']}, {about['country']}"
        entity = "artist" if request.kind == "artists" else "track"
        columns = [entity, *(c for c in TERMINAL if c in frame.columns)]
        if request.by:
            columns.insert(1, "period_start")
        print_table(frame_table(frame[columns], title, limit))
        return
    path = output or default_path(name, fmt)
    if fmt == "xlsx":
        path = write_workbook(path, {f"by {request.by}" if request.by else "period": frame}, about)
    else:
        path = write_table(frame, path, fmt)
    console.print(f"{len(frame)} rows written to {path.resolve()}")

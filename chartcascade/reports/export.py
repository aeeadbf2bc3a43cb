"""Writing analytics tables: CSV, Parquet and Excel files that pandas reads back unchanged."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

FILE_FORMATS = ("csv", "parquet", "xlsx", "html")
SUMMARY_SHEET = "summary"
SHEET_NAME_LIMIT = 31  # Excel's longest sheet name
DATE_COLUMNS = ("date", "period_start", "period_end")  # dates whose name does not say so
FORMATS = ("table", *FILE_FORMATS)


def write_table(frame: pd.DataFrame, path: Path, report_format: str) -> Path:
    """Write `frame` to `path` as CSV (dates as YYYY-MM-DD) or Parquet; the path written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if report_format == "csv":
        frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    elif report_format == "parquet":
        frame.to_parquet(path, index=False)
    else:
        raise ValueError(f"tables are written as csv or parquet, not {report_format!r}")
    return path


def is_base_date(column: str) -> bool:
    """Whether `column` holds the base date of a change (`base_7d`, `spotify_base_28d`)."""
    return column.startswith("base_") or "_base_" in column


def excel_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` as Excel can hold it: timezone-aware timestamps as UTC without a zone."""
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("UTC").dt.tz_localize(None)
    return frame


def _format_columns(worksheet: Any, frame: pd.DataFrame) -> None:
    """Dates shown as YYYY-MM-DD (with the time when one has a time of day); columns wide
    enough for their header."""
    for index, column in enumerate(frame.columns, start=1):
        cells = next(worksheet.iter_cols(min_col=index, max_col=index))
        worksheet.column_dimensions[cells[0].column_letter].width = max(len(str(column)), 10) + 2
        if not pd.api.types.is_datetime64_any_dtype(frame[column]):
            continue
        days = frame[column].dropna()
        timed = bool((days != days.dt.normalize()).any())
        for cell in cells[1:]:
            cell.number_format = "YYYY-MM-DD HH:MM" if timed else "YYYY-MM-DD"


def write_workbook(
    path: Path, sheets: Mapping[str, pd.DataFrame], summary: Mapping[str, object]
) -> Path:
    """An Excel workbook at `path`: a `summary` sheet (what was asked, when), then one sheet
    per table; numbers stay numbers, dates are dates (YYYY-MM-DD), header rows are frozen."""
    path.parent.mkdir(parents=True, exist_ok=True)
    about = pd.DataFrame([(k, str(v)) for k, v in summary.items()], columns=["field", "value"])
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in {SUMMARY_SHEET: about, **sheets}.items():
            sheet = name[:SHEET_NAME_LIMIT]
            ready = excel_ready(frame)
            ready.to_excel(writer, sheet_name=sheet, index=False, freeze_panes=(1, 0))
            _format_columns(writer.sheets[sheet], ready)
    return path


def read_table(path: Path, sheet: str | int = 1) -> pd.DataFrame:
    """A table written by `write_table` or `write_workbook` (its `sheet`, by default the first
    after the summary), read back (CSV date columns parsed as dates)."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, sheet_name=sheet, engine="openpyxl")
        dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
        return frame.astype(dict.fromkeys(dates, "datetime64[ns]"))
    frame = pd.read_csv(path)
    for column in frame.columns:
        if column.endswith("_date") or is_base_date(column) or column in DATE_COLUMNS:
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame


def default_path(kind: str, report_format: str, folder: Path = Path("reports")) -> Path:
    """`reports/<kind>.<ext>`."""
    return folder / f"{kind}.{report_format}"


def analytics_sheets(name: str, analytics: object) -> dict[str, pd.DataFrame]:
    """The tables of an `ArtistAnalytics` or `TrackAnalytics` as workbook sheets: the report
    table (as the CSV export has it) named `name`, then every frame but the summary."""
    frames = {
        field.name: getattr(analytics, field.name)
        for field in dataclasses.fields(analytics)  # type: ignore[arg-type]
        if field.name != "summary"
    }
    return {name: analytics.table(), **frames}  # type: ignore[attr-defined]

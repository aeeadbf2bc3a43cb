"""Writing analytics tables: CSV and Parquet files that pandas reads back unchanged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FILE_FORMATS = ("csv", "parquet", "html")
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


def read_table(path: Path) -> pd.DataFrame:
    """A table written by `write_table`, read back (CSV date columns parsed as dates)."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    frame = pd.read_csv(path)
    for column in frame.columns:
        if column.endswith("_date") or is_base_date(column) or column == "date":
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame


def default_path(kind: str, report_format: str, folder: Path = Path("reports")) -> Path:
    """`reports/<kind>.<ext>`."""
    return folder / f"{kind}.{report_format}"

"""`chartcascade report ... --from/--to`: terminal, CSV, Excel and HTML output of a period."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.reports.export import read_table
from chartcascade.settings import get_settings
from tests.reports import period_seed

PERIOD = ["--from", "2026-02-10", "--to", "2026-03-20"]


@pytest.fixture
def world(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    period_seed.period_world(sqlite_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_country_period_reports_the_italian_figures(world: str, tmp_path: Path) -> None:
    path = tmp_path / "italy.csv"
    invoke("report", "artists", *PERIOD, "--country", "it", "-f", "csv", "-o", str(path))
    frame = read_table(path).set_index(["artist_uuid", "metric"])
    listeners = frame.loc[("ar1", "monthly_listeners")]
    assert (listeners["start"], listeners["end"], listeners["gain"]) == (1_200, 1_450, 250)
    assert listeners["start_date"] == pd.Timestamp("2026-02-08")
    assert frame.loc[("ar1", "spins"), "gain"] == 4 + 9 + 12


def test_period_table_in_the_terminal(world: str) -> None:
    output = invoke("report", "tracks", *PERIOD, "--platform", "spotify")
    assert "tracks, 2026-02-10 to 2026-03-20, worldwide" in output
    assert "5,967" in output and "10,749" in output  # s1's gain and opening total


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "2026-03-20"], "a period report needs --from"),
        ([*PERIOD, "--country", "Italy"], "bad country 'Italy'"),
        (["--from", "2026-03-20", "--to", "2026-03-01"], "is before --from"),
        ([*PERIOD, "--artist", "nobody"], "no stored artist has the uuid or name nobody"),
        ([*PERIOD, "--as-of", "2026-03-01"], "drop --as-of"),
    ],
)
def test_period_options_fail_in_one_line(world: str, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["report", "artists", *args])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())


@pytest.mark.parametrize("period", [[], PERIOD, [*PERIOD, "--by", "month"]])
@pytest.mark.parametrize("kind", ["artists", "tracks"])
def test_xlsx_holds_the_csv_figures(
    world: str, tmp_path: Path, kind: str, period: list[str]
) -> None:
    csv, xlsx = tmp_path / "r.csv", tmp_path / "r.xlsx"
    invoke("report", kind, *period, "-f", "csv", "-o", str(csv))
    invoke("report", kind, *period, "-f", "xlsx", "-o", str(xlsx))
    expected = read_table(csv)
    workbook = openpyxl.load_workbook(xlsx)
    assert workbook.sheetnames[0] == "summary"
    assert all(sheet.freeze_panes == "A2" for sheet in workbook)
    table = pd.read_excel(xlsx, sheet_name=1)
    dates = [c for c in expected.columns if pd.api.types.is_datetime64_any_dtype(expected[c])]
    # openpyxl reads microseconds (the CSV reader nanoseconds), a column of empty cells as NaN
    table[dates] = table[dates].apply(pd.to_datetime).astype("datetime64[ns]")
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)
    sheet = workbook.worksheets[1]
    header = [cell.value for cell in sheet[1]]
    shown = 0
    for name in dates:
        cells = [row[header.index(name)] for row in sheet.iter_rows(min_row=2)]
        filled = [cell for cell in cells if cell.value is not None]
        assert all(c.is_date and c.number_format == "YYYY-MM-DD" for c in filled)
        shown += len(filled)
    assert shown > 0  # every table has dates
    numbers = [c for c in expected.columns if pd.api.types.is_numeric_dtype(expected[c])]
    assert all(
        isinstance(row[header.index(n)].value, int | float | None)
        for row in sheet.iter_rows(min_row=2)
        for n in numbers
    )


def test_xlsx_summary_names_the_request(world: str, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    invoke(
        "report", "artists", *PERIOD, "--watched", "--country", "FR", "-f", "xlsx", "-o", str(path)
    )
    summary = pd.read_excel(path, sheet_name="summary").set_index("field")["value"]
    assert summary["period"] == "2026-02-10 to 2026-03-20"
    assert (summary["country"], summary["watched artists"]) == ("FR", "yes")
    assert summary["generated"].endswith("UTC")


def test_html_report_has_the_period_and_countries(world: str, tmp_path: Path) -> None:
    path = tmp_path / "r.html"
    invoke("report", "artists", *PERIOD, "--country", "IT", "-f", "html", "-o", str(path))
    text = path.read_text("utf-8")
    assert "Period 2026-02-10 to 2026-03-20, IT" in text
    assert "AR1: latest listeners by country" in text
    assert "AR2: no listeners by country stored." in text
    assert "1,450" in text  # ar1's Italian listeners at the end of the period

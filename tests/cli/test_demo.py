"""`chartcascade demo` as the README runs it, at 80 columns: no traceback, artist names shown."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.runner import run, user_env
from tests.cli.test_runs import assert_quiet_exit

DEMO_CHARTS = ("global-28", "top-100-global")
TOP = 10  # rows of the demo's artist table


def entries_by_artist(database: Path) -> list[tuple[str, int]]:
    """Each artist's name and entries on the demo charts' rankings, counted with plain SQL
    (one pair per artist: two artists can share a name)."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT a.name, count(*) FROM ranking_entry e "
            "JOIN ranking_snapshot s ON s.id = e.snapshot_id JOIN chart c ON c.id = s.chart_id "
            "JOIN track_artist ta ON ta.track_id = e.track_id JOIN artist a ON a.id = ta.artist_id "
            "WHERE c.slug IN (?, ?) AND NOT e.off_chart GROUP BY a.id",
            DEMO_CHARTS,
        ).fetchall()
    return [(name, count) for name, count in rows]


def artist_cells(stdout: str) -> list[str]:
    """The first cell of each row of the 'Top artists' table (continuation lines skipped)."""
    table = stdout[stdout.index("Top artists") :].split("┡", 1)[1].split("└", 1)[0]
    cells = [line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│")]
    return [cell for cell in cells if cell]


def test_demo_at_80_columns_shows_artist_names_and_no_traceback(tmp_path: Path) -> None:
    result = run(["demo"], user_env(tmp_path), tmp_path, timeout=900)

    assert result.code == 0, result.output[-3000:]
    assert_quiet_exit(result)
    assert "error" not in result.output.lower()
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    entries = entries_by_artist(tmp_path / "data" / "chartcascade.db")
    ranked = sorted((n for _, n in entries), reverse=True)
    surely_top = {name for name, n in entries if n > ranked[TOP]}  # ties aside
    shown = artist_cells(result.stdout)
    assert len(shown) == TOP
    assert set(shown) <= {name for name, _ in entries}  # whole names, none cut
    assert surely_top <= set(shown)
    assert (tmp_path / "reports" / "demo-report.html").is_file()

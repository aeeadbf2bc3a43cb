"""Tables that fit the terminal: a column naming a thing never collapses; when the table is
too wide, the least important columns are left out (and named in the caption)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rich.table import Table
from rich.text import Text

from chartcascade.cli.console import console

EMPTY_CELLS = frozenset({"", "0", "-"})
_show_all = False


@dataclass(frozen=True)
class Column:
    """One column: its header, whether it names a thing (stage, artist, run: never left out
    nor cut), how it aligns, how long it stays when space runs out (higher: longer), and the
    width past which its text folds."""

    header: str
    names: bool = False
    right: bool = True
    keep: int = 0
    fold_at: int | None = None  # long text folds onto more lines past this width


def show_all_columns(show: bool = True) -> None:
    """`--wide`: every column, however wide the terminal."""
    global _show_all
    _show_all = show


def fitted_table(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    caption: str | None = None,
    width: int | None = None,
) -> Table:
    """A table of `rows` whose columns fit `width` (default: the console's)."""
    widths = [natural_width(c, [row[i] for row in rows]) for i, c in enumerate(columns)]
    shown = list(range(len(columns)))
    if not _show_all:
        shown = columns_that_fit(columns, rows, widths, width or console.width)
    table = Table(title=title, title_justify="left")
    for i in shown:
        column = columns[i]
        table.add_column(
            column.header,
            justify="right" if column.right and not column.names else "left",
            width=None if _show_all else widths[i],  # headers wrap at spaces to fit
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(row[i] for i in shown))
    hidden = [columns[i].header for i in range(len(columns)) if i not in shown]
    notes = [caption] if caption else []
    if hidden:
        notes.append(f"not shown: {', '.join(hidden)} (--wide shows every column)")
    table.caption = " · ".join(notes) or None
    if _show_all:  # its natural width, past the terminal's: print it with print_table
        table.width = console.measure(table, options=console.options.update_width(10_000)).maximum
    return table


def print_table(table: Table) -> None:
    """Print a table uncropped: under `--wide` it runs past the terminal's width (a pager or
    a file takes it whole); other tables fit the terminal already."""
    console.print(table, crop=False)


def natural_width(column: Column, cells: Sequence[str]) -> int:
    """The width a column needs: its widest cell line, and its header's longest word (a
    header wraps at spaces)."""
    header = max((len(word) for word in column.header.split()), default=1)
    lines = [line for cell in cells for line in Text.from_markup(cell).plain.splitlines()]
    longest = max((len(line) for line in lines), default=0)
    if column.fold_at is not None:
        longest = min(longest, column.fold_at)
    return max(header, longest)


def columns_that_fit(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], widths: Sequence[int], width: int
) -> list[int]:
    """The columns kept, in order: empty columns go first, then the least kept, rightmost
    first; columns that name things always stay."""

    def informative(i: int) -> bool:
        return any(row[i].strip() not in EMPTY_CELLS for row in rows)

    droppable = sorted(
        (i for i, c in enumerate(columns) if not c.names),
        key=lambda i: (informative(i), columns[i].keep, -i),
    )
    shown = set(range(len(columns)))
    while droppable and table_width([widths[i] for i in shown]) > width:
        shown.discard(droppable.pop(0))
    return sorted(shown)


def table_width(widths: Sequence[int]) -> int:
    """A rich table's width: each column padded by one space a side, plus its borders."""
    return sum(w + 2 for w in widths) + len(widths) + 1


def frame_rows(
    frame: object, labels: dict[str, str] | None = None
) -> tuple[list[Column], list[list[str]]]:
    """A pandas frame's columns and cells: text columns name things (a list folds one item a
    line), numbers align right and are left out first from the right (the frame's order is
    its importance)."""
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    labels = labels or {}
    columns = []
    for position, name in enumerate(frame.columns):
        kind = frame[name].dtype
        text = pd.api.types.is_object_dtype(kind) or pd.api.types.is_string_dtype(kind)
        numeric = pd.api.types.is_numeric_dtype(kind)
        header = labels.get(str(name), str(name))
        columns.append(Column(header, names=text, right=numeric, keep=-position))
    rows = [[cell_text(value) for value in row] for row in frame.itertuples(index=False)]
    for i, column in enumerate(columns):
        items = [item for row in rows for item in row[i].split(", ")]
        if column.names and len(items) > len(rows):  # a list per cell: one item per line
            columns[i] = replace(column, fold_at=max(len(item) for item in items) + 1)
    return columns, rows


def cell_text(value: object) -> str:
    """A cell as text: empty for missing, thousands separators, dates as YYYY-MM-DD."""
    import pandas as pd

    if value is None or (not isinstance(value, str | list) and pd.isna(value)):  # type: ignore[call-overload]
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)

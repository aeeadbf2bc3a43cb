"""HTML pieces of every page: the shell, tables, plots and forms, every value escaped."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from html import escape
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go

PLOTLY_PATH = "/static/plotly.min.js"
NAV = (("/", "Charts"), ("/analytics", "Analytics"), ("/completeness", "Completeness"))
STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 2rem 2rem; color: #222; }
nav { padding: 0.8rem 0; border-bottom: 1px solid #ddd; margin-bottom: 1rem; }
nav a { margin-right: 1.2rem; font-weight: 600; }
table { border-collapse: collapse; font-size: 0.85rem; margin-bottom: 1.5rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f4f4f4; }
td.text, th.text { text-align: left; }
.scroll { overflow-x: auto; max-width: 100%; }
.new { background: #e6f4ea; color: #137333; font-weight: 600; padding: 0 0.3rem; }
.note { color: #666; }
form label { margin-right: 1rem; }
.plot { max-width: 1100px; }
"""

Cell = Callable[[Any], str]  # a value -> escaped HTML


def text(value: Any) -> str:
    """A value as the dashboard shows it, unescaped: dates as YYYY-MM-DD, whole numbers without
    decimals, other numbers with two; empty for a missing value."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA:
        return ""
    if isinstance(value, pd.Timestamp | datetime):
        if value.hour or value.minute or value.second:
            return f"{value:%Y-%m-%d %H:%M}"
        return f"{value:%Y-%m-%d}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.2f}"
    return str(value)


def link(href: str, label: Any) -> str:
    return f'<a href="{escape(href)}">{escape(text(label))}</a>'


def url(path: str, params: Mapping[str, Any] | Sequence[tuple[str, Any]] = ()) -> str:
    """`path` with its query (values left out when empty)."""
    pairs = params.items() if isinstance(params, Mapping) else params
    kept = [(k, text(v)) for k, v in pairs if text(v) != ""]
    return f"{path}?{urlencode(kept)}" if kept else path


def table(
    frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    cells: Mapping[str, Cell] | None = None,
    table_id: str = "",
) -> str:
    """`frame` as an HTML table (its `columns`); `cells` render chosen columns themselves."""
    columns = list(columns or frame.columns)
    cells = cells or {}
    numeric = {c: pd.api.types.is_numeric_dtype(frame[c]) for c in columns if c in frame}
    head = "".join(
        f'<th class="{"" if numeric.get(c) else "text"}">{escape(c.replace("_", " "))}</th>'
        for c in columns
    )
    rows = []
    for record in frame.to_dict("records"):
        row = []
        for column in columns:
            value = record.get(column)
            shown = cells[column](record) if column in cells else escape(text(value))
            row.append(f'<td class="{"" if numeric.get(column) else "text"}">{shown}</td>')
        rows.append(f"<tr>{''.join(row)}</tr>")
    ident = f' id="{escape(table_id)}"' if table_id else ""
    body = "".join(rows) or f'<tr><td class="text note" colspan="{len(columns)}">none</td></tr>'
    return (
        f'<div class="scroll"><table{ident}><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def plot(figure: go.Figure, plot_id: str) -> str:
    """A plotly figure as a div and the script that draws it (plotly.js comes from the page)."""
    figure.update_layout(height=380, margin={"l": 60, "r": 20, "t": 50, "b": 40})
    html = figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=plot_id, config={"displaylogo": False}
    )
    return f'<div class="plot">{html}</div>'


def options(values: Iterable[tuple[str, str]], chosen: Iterable[str]) -> str:
    """`<option>`s of (value, label), the `chosen` ones selected."""
    picked = set(chosen)
    return "".join(
        f'<option value="{escape(v)}"{" selected" if v in picked else ""}>{escape(label)}</option>'
        for v, label in values
    )


def page(title: str, body: str, *, plots: bool = False) -> str:
    """A whole page: the title, the navigation, `body` (and plotly.js when it has plots)."""
    script = f'<script src="{PLOTLY_PATH}"></script>' if plots else ""
    menu = "".join(link(href, label) for href, label in NAV)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} · chartcascade</title>"
        '<link rel="icon" href="data:,">'
        f"<style>{STYLE}</style>{script}</head><body>"
        f"<nav>{menu}</nav><h1>{escape(title)}</h1>{body}</body></html>"
    )

"""The dashboard's plotly figures: lines over days (gaps kept as breaks) and bars."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


def lines(frame: pd.DataFrame, group: str, x: str, y: str, title: str) -> go.Figure:
    """One line per `group` value of `frame` (`x` dates, `y` values); a missing day breaks it."""
    figure = go.Figure()
    for name, part in frame.groupby(group, sort=True):
        values = part.set_index(x)[y].astype(float).sort_index()
        daily = values.asfreq("D") if len(values) > 1 else values
        figure.add_trace(
            go.Scatter(x=daily.index, y=daily.values, mode="lines+markers", name=str(name))
        )
    figure.update_layout(title=title, xaxis_title="date")
    figure.update_xaxes(tickformat="%Y-%m-%d")
    return figure


def bars(labels: list[str], values: list[float], title: str) -> go.Figure:
    figure = go.Figure(go.Bar(x=labels, y=values))
    figure.update_layout(title=title)
    return figure

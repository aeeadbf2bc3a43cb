"""Chart positions: position 0 (or none at all) means the track has left the chart.

Such off-chart entries are kept, but they are not a position: they sort after every charted
position wherever tracks are ordered by position (runs, `top_n`, budgets, the sweep), and
reports leave them out of best and current positions and days on chart.
"""

from __future__ import annotations

import math
from typing import Any

OFF_CHART = 0


def chart_position(value: Any) -> int:
    """A position read leniently: a positive whole number, or `OFF_CHART` for anything else
    (0, missing, blank, negative, unreadable)."""
    if isinstance(value, bool):
        return OFF_CHART
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return OFF_CHART
    if isinstance(value, float):
        value = round(value) if math.isfinite(value) else OFF_CHART
    return value if isinstance(value, int) and value > 0 else OFF_CHART


def is_off_chart(position: int) -> bool:
    """Whether a stored or parsed position says the track is no longer in the chart."""
    return position <= 0


def position_order(position: int) -> tuple[bool, int]:
    """Sort key: charted positions ascending, then every off-chart entry."""
    return (is_off_chart(position), position)

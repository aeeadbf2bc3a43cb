"""Analytics commands (`status`, `report`): filled in by the analytics work."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the analytics commands to the CLI."""

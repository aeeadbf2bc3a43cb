"""Operations commands (`serve`, `runs`): filled in by the deployments work."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the operations commands to the CLI."""

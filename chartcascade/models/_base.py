"""Column helpers shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlmodel import Field


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def timestamp_field(*, nullable: bool = False, index: bool = False) -> datetime:
    """A timezone-aware timestamp column that defaults to now."""
    return Field(  # type: ignore[no-any-return]
        default_factory=utcnow if not nullable else None,
        sa_type=DateTime(timezone=True),  # type: ignore[call-overload]
        nullable=nullable,
        index=index,
    )


def optional_timestamp_field(*, index: bool = False) -> datetime | None:
    """A nullable timezone-aware timestamp column."""
    return Field(  # type: ignore[no-any-return]
        default=None,
        sa_type=DateTime(timezone=True),  # type: ignore[call-overload]
        nullable=True,
        index=index,
    )

"""Bookkeeping of work: items that failed, and short claims that keep concurrent runs apart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from chartcascade.models._base import optional_timestamp_field, timestamp_field


# An item of a stage that still failed after its retries; a later run picks it up first.
class FailedItem(SQLModel, table=True):
    __tablename__ = "failed_item"  # type: ignore[assignment]

    __table_args__ = (UniqueConstraint("stage", "item_uuid"),)

    id: int | None = Field(default=None, primary_key=True)
    stage: str = Field(max_length=64, index=True)
    item_uuid: str = Field(max_length=64, index=True)  # open failures of an item
    error: str
    attempts: int = 1
    # True for failures a retry cannot fix (404, validation): they back off after a few attempts.
    permanent: bool = False
    run_id: str | None = Field(default=None, max_length=64)
    first_failed_at: datetime = timestamp_field()
    last_failed_at: datetime = timestamp_field()
    resolved_at: datetime | None = optional_timestamp_field(index=True)


# A short lease on one piece of work ("artist-metadata:<uuid>") held by one run.
class WorkClaim(SQLModel, table=True):
    __tablename__ = "work_claim"  # type: ignore[assignment]

    key: str = Field(primary_key=True, max_length=160)
    owner: str = Field(max_length=64)
    expires_at: datetime = timestamp_field(index=True)

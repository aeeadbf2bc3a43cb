"""Lenient field types for Soundcharts payloads: blank strings, date parts, loose numbers."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel


class Payload(BaseModel):
    """Base of every parsed payload: camelCase aliases, unknown keys ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, alias_generator=to_camel)


def blank_to_none(value: Any) -> Any:
    """`""` (or only spaces) becomes None."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def date_part(value: Any) -> Any:
    """The date part of an ISO timestamp as given (`...T00:00:00+02:00` keeps its day)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()[:10])
    return value


def optional_date_part(value: Any) -> Any:
    """Like `date_part`, but blank or unreadable dates become None."""
    value = blank_to_none(value)
    if value is None:
        return None
    try:
        return date_part(value)
    except ValueError:
        return None


def loose_int(value: Any) -> Any:
    """Integers given as floats or numeric strings; blanks become None."""
    value = blank_to_none(value)
    if isinstance(value, float) and math.isfinite(value):
        return round(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return value
        return round(number) if math.isfinite(number) else value
    return value


OptStr = Annotated[str | None, BeforeValidator(blank_to_none)]
DatePart = Annotated[dt.date, BeforeValidator(date_part)]
OptDate = Annotated[dt.date | None, BeforeValidator(optional_date_part)]
Int = Annotated[int, BeforeValidator(loose_int)]
OptInt = Annotated[int | None, BeforeValidator(loose_int)]

"""Turning payloads into models: series sorted by date, failures named by endpoint and field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from chartcascade.soundcharts.errors import ResponseValidationError
from chartcascade.soundcharts.fields import Payload
from chartcascade.soundcharts.schemas import (
    ArtistAudiencePoint,
    ListeningPoint,
    SongAudiencePoint,
    StreamingPoint,
)

T = TypeVar("T")


class _Dated(Protocol):
    @property
    def date(self) -> dt.date: ...


P = TypeVar("P", bound=_Dated)


def by_date(points: Iterable[P]) -> list[P]:
    """Ascending by date, one point per date (the last one given wins)."""
    latest = {point.date: point for point in points}
    return [latest[day] for day in sorted(latest)]


M = TypeVar("M", bound=Payload)


@cache
def _list_adapter(model: type[M]) -> TypeAdapter[list[M]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def validate_list(model: type[M], items: Any) -> list[M]:
    """Each item validated as `model`."""
    return _list_adapter(model).validate_python(items)


def song_audience_series(items: list[Any]) -> list[SongAudiencePoint]:
    """Song audience points ascending by date, null values and empty dates kept.

    Whether a date is a total is decided over the whole series (`totals.song_totals`).
    """
    return by_date(_list_adapter(SongAudiencePoint).validate_python(items))


def artist_audience_series(items: list[Any]) -> list[ArtistAudiencePoint]:
    """Artist audience points ascending by date."""
    return by_date(_list_adapter(ArtistAudiencePoint).validate_python(items))


def listening_series(items: list[Any]) -> list[ListeningPoint]:
    """Listening points ascending by date; items without a value are dropped."""
    kept = [item for item in items if not (isinstance(item, dict) and item.get("value") is None)]
    return by_date(_list_adapter(ListeningPoint).validate_python(kept))


def streaming_series(items: list[Any]) -> list[StreamingPoint]:
    """Local streaming points ascending by date; a day's value or places may be missing."""
    return by_date(_list_adapter(StreamingPoint).validate_python(items))


def parsed(parse: Callable[[Any], T], data: Any, path: str) -> T:
    """`parse(data)`, with a validation failure raised as `ResponseValidationError`."""
    try:
        return parse(data)
    except ValidationError as exc:
        raise invalid(exc, path) from None


def invalid(exc: ValidationError, path: str) -> ResponseValidationError:
    """Name the endpoint and the first bad field, never the payload."""
    errors = exc.errors(include_input=False, include_url=False)
    first = errors[0]
    field = ".".join(str(part) for part in first["loc"]) or "payload"
    problem = "missing field" if first["type"] == "missing" else "invalid field"
    detail = "" if first["type"] == "missing" else f": {first['msg']}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    message = f"Unexpected response from GET {path}: {problem} {field}{detail}{more}"
    return ResponseValidationError(message, path=path)


def json_object(response: httpx.Response, method: str, path: str) -> dict[str, Any]:
    """A 2xx body as a JSON object; an empty body is `{}`."""
    if not response.content.strip():
        return {}
    try:
        payload = response.json()
    except ValueError:
        raise ResponseValidationError(
            f"Response from {method} {path} is not JSON",
            status_code=response.status_code,
            path=path,
        ) from None
    if not isinstance(payload, dict):
        raise ResponseValidationError(
            f"Response from {method} {path} is not a JSON object",
            status_code=response.status_code,
            path=path,
        )
    return payload

"""Envelopes, paging, date periods and API errors, as the real API shapes them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlencode

MAX_LIMIT = 100
MAX_PERIOD_DAYS = 90
DEFAULT_PERIOD_DAYS = 30
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^\d+$")


class ApiError(Exception):
    """An API failure answered as `{"errors": [{"key", "code", "message"}]}`."""

    def __init__(self, status: int, key: str, message: str) -> None:
        super().__init__(f"{status} {key}: {message}")
        self.status = status
        self.key = key
        self.message = message

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.key, self.message)


def error_body(status: int, key: str, message: str) -> dict[str, Any]:
    """The documented error envelope."""
    return {"errors": [{"key": key, "code": status, "message": message}]}


def not_found() -> ApiError:
    """The recorded real 404 for an unknown entity."""
    return ApiError(404, "access", "Not found.")


def single(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The single-object envelope."""
    return {"type": kind, "object": obj, "errors": []}


def page_params(query: Mapping[str, str]) -> tuple[int, int]:
    """(offset, limit) from the query: offset >= 0, 1 <= limit <= 100 (default 100)."""
    raw_offset, raw_limit = query.get("offset", "0"), query.get("limit", str(MAX_LIMIT))
    if not _INT.match(raw_offset):
        raise ApiError(400, "offset", "Offset must be a positive integer.")
    if not _INT.match(raw_limit) or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise ApiError(400, "limit", f"Limit must be between 1 and {MAX_LIMIT}.")
    return int(raw_offset), int(raw_limit)


def page_link(path: str, query: Mapping[str, str], offset: int, limit: int) -> str:
    """A server-relative path with the original filters and the given offset/limit."""
    kept = [(k, v) for k, v in query.items() if k not in ("offset", "limit")]
    kept += [("offset", str(offset)), ("limit", str(limit))]
    return f"{path}?{urlencode(kept, quote_via=quote, safe=',')}"


def collection(
    path: str,
    query: Mapping[str, str],
    total: int,
    fetch: Callable[[int, int], list[Any]],
    related: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The collection envelope; `fetch(start, stop)` builds only the items of the page."""
    offset, limit = page_params(query)
    stop = min(offset + limit, total)
    payload: dict[str, Any] = {}
    if related is not None:
        payload["related"] = related
    payload["items"] = fetch(offset, stop) if offset < total else []
    payload["page"] = {
        "offset": offset,
        "limit": limit,
        "next": page_link(path, query, offset + limit, limit) if offset + limit < total else None,
        "previous": page_link(path, query, max(0, offset - limit), limit) if offset else None,
        "total": total,
    }
    payload["errors"] = []
    return payload


def _day(query: Mapping[str, str], name: str) -> date | None:
    text = query.get(name)
    if text is None or text == "":
        return None
    if _DAY.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ApiError(400, name, "Invalid date format, expected YYYY-MM-DD.")


def period(query: Mapping[str, str], today: date) -> tuple[date, date]:
    """(startDate, endDate): end defaults to today, start to end - 30 days; at most 90 days."""
    end = _day(query, "endDate") or today
    start = _day(query, "startDate") or end - timedelta(days=DEFAULT_PERIOD_DAYS)
    if end < start or (end - start).days > MAX_PERIOD_DAYS:
        raise ApiError(400, "period", "Invalid period")
    return start, end

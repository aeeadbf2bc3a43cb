"""Walking Soundcharts collections page by page, and cutting long periods into short ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from chartcascade.soundcharts.errors import ResponseValidationError

PAGE_SIZE = 100
MAX_PAGES = 500
MAX_PERIOD_DAYS = 90

Query = Mapping[str, str | int]
Fetch = Callable[[str, Query | None], dict[str, Any]]


def split_period(
    start: dt.date, end: dt.date, max_days: int = MAX_PERIOD_DAYS
) -> list[tuple[dt.date, dt.date]]:
    """Consecutive periods covering [start, end], each with `end - start <= max_days`."""
    if max_days < 0:
        raise ValueError("max_days must be >= 0")
    periods = []
    first = start
    while first <= end:
        last = min(first + dt.timedelta(days=max_days), end)
        periods.append((first, last))
        first = last + dt.timedelta(days=1)
    return periods


def page_items(payload: dict[str, Any], path: str) -> list[Any]:
    """A page's `items`; none at all (an empty `{}` body, or a page of total 0) is empty."""
    items = payload.get("items")
    if items is None:
        page = payload.get("page")
        if isinstance(page, dict) and (_as_int(page.get("total")) or 0) > 0:
            raise ResponseValidationError(
                f"Unexpected response from GET {path}: missing field items", path=path
            )
        return []
    if not isinstance(items, list):
        raise ResponseValidationError(
            f"Unexpected response from GET {path}: invalid field items", path=path
        )
    return items


def iter_pages(
    fetch: Fetch,
    path: str,
    params: Query | None = None,
    *,
    max_pages: int = MAX_PAGES,
    page_size: int = PAGE_SIZE,
) -> Iterator[dict[str, Any]]:
    """Every page of a collection: follows `page.next` verbatim, else offsets up to `total`."""
    target: str = path
    query: Query | None = _offset_query(params, 0, page_size)
    offset = 0
    for _ in range(max_pages):
        payload = fetch(target, query)
        items = page_items(payload, path)
        yield payload
        page = payload.get("page")
        page = page if isinstance(page, dict) else {}
        given_offset = _as_int(page.get("offset"))
        offset = offset if given_offset is None else given_offset
        end = offset + len(items)
        total = _as_int(page.get("total"))
        if not items or (total is not None and end >= total):
            return
        if "next" in page:
            following = page["next"]
            if not isinstance(following, str) or not following.strip():
                return
            target, query = _server_path(following, path), None
        elif total is not None:
            target, query = path, _offset_query(params, end, page_size)
        else:
            return
        offset = end
    raise ResponseValidationError(
        f"Paging of GET {path} did not end after {max_pages} pages", path=path
    )


def _offset_query(params: Query | None, offset: int, page_size: int) -> dict[str, str | int]:
    return {**(params or {}), "offset": offset, "limit": page_size}


def _server_path(following: str, path: str) -> str:
    """`page.next` as a path on our own host (an absolute URL keeps only its path and query)."""
    following = following.strip()
    try:
        url = httpx.URL(following)
    except httpx.InvalidURL:
        raise ResponseValidationError(
            f"Unexpected response from GET {path}: invalid field page.next", path=path
        ) from None
    return following if following.startswith("/") else url.raw_path.decode("ascii")


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None

"""The Soundcharts API client: one class over one httpx client, one method per endpoint."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from chartcascade import __version__
from chartcascade.settings import ClientCredentials, Credentials, Settings, get_settings
from chartcascade.soundcharts.auth import BearerTokenAuth, LegacyKeyAuth
from chartcascade.soundcharts.errors import (
    ApiConnectionError,
    ApiTimeoutError,
    RateLimitError,
    ResponseValidationError,
    error_for_response,
)
from chartcascade.soundcharts.paging import (
    MAX_PERIOD_DAYS,
    Query,
    iter_pages,
    page_items,
    split_period,
)
from chartcascade.soundcharts.parsing import (
    artist_audience_series,
    json_object,
    listening_series,
    parsed,
    song_audience_series,
    streaming_series,
    validate_list,
)
from chartcascade.soundcharts.schemas import (
    Artist,
    ArtistAudiencePoint,
    ChartInfo,
    ListeningPoint,
    RadioSpinCount,
    Ranking,
    Song,
    SongAudiencePoint,
    StreamingPoint,
)
from chartcascade.soundcharts.transport import thread_transport

__all__ = ["SoundchartsClient", "split_period"]

logger = logging.getLogger("chartcascade.soundcharts")

RATE_LIMIT_MARGIN_SECONDS = 0.5
SEARCH_PAGE_SIZE = 20  # the artist search answers at most 20 results a page
T = TypeVar("T")


class SoundchartsClient:
    """Typed access to the Soundcharts endpoints chartcascade uses.

    Hooks: `before_request` (each call, before it is sent: budgets and rate limits),
    `on_rate_limit` (a per-minute 429's wait), and `request_slots`, held while a request is in
    flight (a semaphore shared by a run's threads caps the requests it has open at once).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        credentials: Credentials | None = None,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        before_request: Callable[[str], None] | None = None,
        on_rate_limit: Callable[[float], None] | None = None,
        request_slots: AbstractContextManager[Any] | None = None,
        rate_limit_retries: int = 6,
        max_rate_limit_wait: float | None = None,
    ) -> None:
        settings = settings or get_settings()
        credentials = credentials or settings.credentials()
        auth: httpx.Auth
        if isinstance(credentials, ClientCredentials):
            auth = BearerTokenAuth(credentials, settings.token_url)
            self._token_url: httpx.URL | None = httpx.URL(settings.token_url)
        else:
            auth = LegacyKeyAuth(credentials.app_id, credentials.api_key)
            self._token_url = None
        self._before_request = before_request
        self._on_rate_limit = on_rate_limit
        self._request_slots = request_slots or nullcontext()
        self._rate_limit_retries = rate_limit_retries
        self._max_rate_limit_wait = (
            settings.max_rate_limit_wait_seconds
            if max_rate_limit_wait is None
            else max_rate_limit_wait
        )
        self._lock = threading.Lock()
        self.calls_made = 0
        self.quota_remaining: int | None = None
        self._http = httpx.Client(
            base_url=base_url or settings.base_url,
            auth=auth,
            transport=transport or thread_transport(),
            timeout=httpx.Timeout(
                settings.timeout_seconds, connect=settings.connect_timeout_seconds
            ),
            headers={"User-Agent": f"chartcascade/{__version__}", "Accept": "application/json"},
            event_hooks={"request": [self._on_request], "response": [self._on_response]},
        )

    def __enter__(self) -> SoundchartsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying connections."""
        self._http.close()

    def __repr__(self) -> str:
        return f"SoundchartsClient(base_url={str(self._http.base_url)!r})"

    # Endpoints -----------------------------------------------------------------------------

    def song_chart_platforms(self) -> list[str]:
        """Codes of the platforms that have song charts."""
        items = self._all_items("/api/v2/chart/song/platforms")
        codes = [item.get("code") if isinstance(item, dict) else item for item in items]
        return [code for code in codes if isinstance(code, str) and code]

    def chart_platforms(self) -> dict[str, str]:
        """Code -> name of the platforms that have song charts, in the API's order."""
        found: dict[str, str] = {}
        for item in self._all_items("/api/v2/chart/song/platforms"):
            code = item.get("code") if isinstance(item, dict) else item
            if isinstance(code, str) and code:
                name = item.get("name") if isinstance(item, dict) else None
                found[code] = name if isinstance(name, str) and name else code
        return found

    def charts(self, platform: str, country_code: str | None = None) -> list[ChartInfo]:
        """The song charts of a platform, optionally of one country."""
        path = f"/api/v2/chart/song/by-platform/{_segment(platform)}"
        params = {"countryCode": country_code} if country_code else None
        return parsed(partial(validate_list, ChartInfo), self._all_items(path, params), path)

    def ranking_dates(self, slug: str) -> list[str]:
        """The datetimes a chart has rankings for, as the API writes them."""
        items = self._all_items(f"/api/v2/chart/song/{_segment(slug)}/available-rankings")
        return [item for item in items if isinstance(item, str) and item]

    def ranking(self, slug: str, at: str | None = None) -> Ranking:
        """The latest ranking of a chart, or the one at `at` (a string from `ranking_dates`)."""
        moment = "latest" if at is None else _segment(at)
        path = f"/api/v2.14/chart/song/{_segment(slug)}/ranking/{moment}"
        related: dict[str, Any] = {}
        items: list[Any] = []
        for page in iter_pages(self._get, path):
            if not related and isinstance(page.get("related"), dict):
                related = page["related"]
            items.extend(page_items(page, path))
        payload: dict[str, Any] = {"chart": related.get("chart"), "entries": items}
        raw_date = related.get("date") or at
        if raw_date is not None:
            payload |= {"date": raw_date, "datetime": raw_date}
        return parsed(Ranking.model_validate, payload, path)

    def search_artists(self, term: str, *, max_results: int | None = None) -> list[Artist]:
        """Artists whose name matches `term`, in the API's order: every match, or the first
        `max_results`, in pages of at most `SEARCH_PAGE_SIZE` (light objects: uuid, slug,
        name, image)."""
        path = f"/api/v2/artist/search/{_segment(term)}"
        size = SEARCH_PAGE_SIZE if max_results is None else min(SEARCH_PAGE_SIZE, max_results)
        items: list[Any] = []
        for page in iter_pages(self._get, path, page_size=max(1, size)):
            items.extend(page_items(page, path))
            if max_results is not None and len(items) >= max_results:
                break
        return parsed(partial(validate_list, Artist), items[:max_results], path)

    def song(self, uuid: str) -> Song:
        """Song metadata."""
        path = f"/api/v2.25/song/{_segment(uuid)}"
        return parsed(Song.model_validate, self._object(path), path)

    def artist(self, uuid: str) -> Artist:
        """Artist metadata."""
        path = f"/api/v2.9/artist/{_segment(uuid)}"
        return parsed(Artist.model_validate, self._object(path), path)

    def song_audience(
        self, uuid: str, platform: str, start: dt.date, end: dt.date
    ) -> list[SongAudiencePoint]:
        """A song's audience on a platform, one point per date, ascending."""
        path = f"/api/v2/song/{_segment(uuid)}/audience/{_segment(platform)}"
        return self._series(song_audience_series, path, start, end)

    def song_radio_spins(self, uuid: str, start: dt.date, end: dt.date) -> list[RadioSpinCount]:
        """Spins per radio station over one period of at most 90 days."""
        if end < start or (end - start).days > MAX_PERIOD_DAYS:
            raise ValueError(f"the period must run forwards over at most {MAX_PERIOD_DAYS} days")
        path = f"/api/v2/song/{_segment(uuid)}/broadcast-groups"
        items = self._all_items(path, _period_query(start, end))
        return parsed(partial(validate_list, RadioSpinCount), items, path)

    def artist_audience(
        self, uuid: str, platform: str, start: dt.date, end: dt.date
    ) -> list[ArtistAudiencePoint]:
        """An artist's fan counters on a platform, one point per date, ascending."""
        path = f"/api/v2/artist/{_segment(uuid)}/audience/{_segment(platform)}"
        return self._series(artist_audience_series, path, start, end)

    def artist_listening(
        self, uuid: str, platform: str, start: dt.date, end: dt.date
    ) -> list[ListeningPoint]:
        """An artist's streaming audience (e.g. monthly listeners), one point per date."""
        path = f"/api/v2/artist/{_segment(uuid)}/streaming/{_segment(platform)}/listening"
        return self._series(listening_series, path, start, end)

    def artist_streaming(
        self, uuid: str, platform: str, start: dt.date, end: dt.date
    ) -> list[StreamingPoint]:
        """An artist's local streaming audience (per country and city), one point per date."""
        path = f"/api/v2/artist/{_segment(uuid)}/streaming/{_segment(platform)}"
        return self._series(streaming_series, path, start, end)

    # Plumbing ------------------------------------------------------------------------------

    def _series(
        self, parse: Callable[[list[Any]], list[T]], path: str, start: dt.date, end: dt.date
    ) -> list[T]:
        items: list[Any] = []
        for first, last in split_period(start, end):
            items.extend(self._all_items(path, _period_query(first, last)))
        return parsed(parse, items, path)

    def _all_items(self, path: str, params: Query | None = None) -> list[Any]:
        items: list[Any] = []
        for page in iter_pages(self._get, path, params):
            items.extend(page_items(page, path))
        return items

    def _object(self, path: str) -> Any:
        payload = self._get(path, None)
        if "object" not in payload:
            raise ResponseValidationError(
                f"Unexpected response from GET {path}: missing field object", path=path
            )
        return payload["object"]

    def _get(self, path: str, params: Query | None) -> dict[str, Any]:
        return self._request("GET", path, params)

    def _request(self, method: str, path: str, params: Query | None = None) -> dict[str, Any]:
        """One API call: typed errors, per-minute rate-limit waits, the JSON object returned."""
        endpoint = path.split("?", 1)[0]
        for attempt in range(self._rate_limit_retries + 1):
            response = self._send(method, path, params, endpoint)
            if response.is_success:
                return json_object(response, method, endpoint)
            error = error_for_response(response, method=method, path=endpoint)
            if not isinstance(error, RateLimitError) or error.retry_after is None:
                raise error
            honoured = (
                error.retry_after <= self._max_rate_limit_wait
                and attempt < self._rate_limit_retries
            )
            self._wait_out(error.retry_after, honoured)
            if not honoured:
                raise error
            logger.debug("%s %s rate limited: waited %.1f s", method, endpoint, error.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait_out(self, retry_after: float, honoured: bool) -> None:
        """A per-minute 429 asked for `retry_after` seconds. With an `on_rate_limit` hook the
        whole process pauses (capped at the longest honoured wait) behind `before_request`,
        even when this call gives up; without one, this thread sleeps if it will retry."""
        wait = min(retry_after, self._max_rate_limit_wait) + RATE_LIMIT_MARGIN_SECONDS
        if self._on_rate_limit is not None:
            self._on_rate_limit(wait)
        elif honoured:
            time.sleep(wait)

    def _send(self, method: str, path: str, params: Query | None, endpoint: str) -> httpx.Response:
        started = time.perf_counter()
        try:
            with self._request_slots:  # held while the request is in flight, rate waits included
                response = self._http.request(method, path, params=params)
        except httpx.TimeoutException as exc:
            message = f"Request timed out: {type(exc).__name__} ({method} {endpoint})"
            raise ApiTimeoutError(message, path=endpoint) from exc
        except httpx.RequestError as exc:
            message = f"Connection failed: {type(exc).__name__} ({method} {endpoint})"
            raise ApiConnectionError(message, path=endpoint) from exc
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.debug("%s %s -> %s in %.0f ms", method, endpoint, response.status_code, elapsed_ms)
        return response

    def _on_request(self, request: httpx.Request) -> None:
        if self._token_url is not None and request.url == self._token_url:
            return
        if self._before_request is not None:
            self._before_request(request.url.raw_path.decode("ascii").split("?", 1)[0])
        with self._lock:
            self.calls_made += 1

    def _on_response(self, response: httpx.Response) -> None:
        remaining = _loose_int(response.headers.get("x-quota-remaining"))
        if remaining is not None:
            self.quota_remaining = remaining


def _segment(value: str) -> str:
    """A path segment, percent-encoded (`+` becomes `%2B`; `:` stays readable)."""
    return quote(value, safe=":@")


def _period_query(start: dt.date, end: dt.date) -> dict[str, str | int]:
    return {"startDate": start.isoformat(), "endDate": end.isoformat()}


def _loose_int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except (ValueError, OverflowError):
        return None

"""The API routes: path patterns, endpoint names and handlers building the payloads."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import unquote

from chartcascade.sandbox import series, streaming
from chartcascade.sandbox.artists import LISTENING_PLATFORMS, Artist
from chartcascade.sandbox.catalogue import SOCIAL_CODES, SONG_AUDIENCE_CODES, STREAMING_CODES
from chartcascade.sandbox.charts import ChartSpec, chart_payload, stamp
from chartcascade.sandbox.paging import ApiError, collection, not_found, period, single
from chartcascade.sandbox.songs import SONG_PLATFORMS, Song
from chartcascade.sandbox.world import SandboxWorld

CHART_PLATFORMS = (
    ("Spotify", "spotify"),
    ("Apple Music", "apple-music"),
    ("Shazam", "shazam"),
    ("Airplay", "airplay"),
    ("Deezer", "deezer"),
)


@dataclass(frozen=True)
class Call:
    """One API request as a handler sees it: raw path, decoded path parameters, query."""

    path: str
    params: dict[str, str]
    query: Mapping[str, str]


Handler = Callable[[SandboxWorld, Call], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """A path pattern, the method it accepts and the endpoint name used in counters."""

    endpoint: str
    method: str
    pattern: re.Pattern[str]
    handler: Handler | None  # None: answered by the sandbox itself (the token endpoint)

    @property
    def key_param(self) -> str | None:
        """The path parameter naming the entity (used to target injected faults)."""
        for name in ("uuid", "slug", "platform"):
            if name in self.pattern.groupindex:
                return name
        return None


def _invalid_platform() -> ApiError:
    return ApiError(400, "platform", "Invalid platform code")


def _chart(world: SandboxWorld, slug: str) -> ChartSpec:
    spec = world.charts.get(slug)
    if spec is None:
        raise ApiError(404, "chart", "Chart not found.")
    return spec


def _song(world: SandboxWorld, uuid: str) -> Song:
    found = world.song_record(uuid)
    if found is None:
        raise not_found()
    return found


def _artist(world: SandboxWorld, uuid: str) -> Artist:
    found = world.artist_record(uuid)
    if found is None:
        raise not_found()
    return found


def chart_platforms(world: SandboxWorld, call: Call) -> dict[str, Any]:
    items = [{"name": name, "code": code} for name, code in CHART_PLATFORMS]
    return collection(call.path, call.query, len(items), lambda a, b: items[a:b])


def chart_list(world: SandboxWorld, call: Call) -> dict[str, Any]:
    platform = call.params["platform"]
    if platform not in {code for _, code in CHART_PLATFORMS}:
        raise _invalid_platform()
    country = call.query.get("countryCode", "").upper()
    charts = [
        chart_payload(spec, with_metric=False)
        for spec in world.charts.values()
        if spec.platform == platform
    ]
    charts = [c for c in charts if not country or c["countryCode"] == country]
    return collection(call.path, call.query, len(charts), lambda a, b: charts[a:b])


def ranking_dates(world: SandboxWorld, call: Call) -> dict[str, Any]:
    spec = _chart(world, call.params["slug"])
    items = world.ranking_datetimes(spec.slug)
    related = chart_payload(spec, with_metric=False)
    return collection(call.path, call.query, len(items), lambda a, b: items[a:b], related)


def ranking(world: SandboxWorld, call: Call) -> dict[str, Any]:
    spec = _chart(world, call.params["slug"])
    when = call.params["when"]
    day = world.ranking_day(spec.slug, None if when == "latest" else when)
    if day is None:
        raise ApiError(404, "ranking", "No ranking available for this date")
    entries = world.rankings.entries(spec.slug, day)
    related = {"chart": chart_payload(spec, with_metric=True), "date": stamp(spec, day)}
    return collection(call.path, call.query, len(entries), lambda a, b: entries[a:b], related)


SEARCH_MAX_LIMIT = 20


def artist_search(world: SandboxWorld, call: Call) -> dict[str, Any]:
    """Artists whose name contains the term (case-insensitive), as light objects; at most
    `SEARCH_MAX_LIMIT` per page (also the default)."""
    query = {"limit": str(SEARCH_MAX_LIMIT), **call.query}
    limit = query["limit"]
    if not limit.isdigit() or not 1 <= int(limit) <= SEARCH_MAX_LIMIT:
        raise ApiError(400, "limit", f"Limit must be between 1 and {SEARCH_MAX_LIMIT}.")
    term = call.params["term"].strip().casefold()
    found = [a.stub for a in world.artists if term and term in a.name.casefold()]
    return collection(call.path, query, len(found), lambda a, b: found[a:b])


def song(world: SandboxWorld, call: Call) -> dict[str, Any]:
    return single("song", _song(world, call.params["uuid"]).payload)


def artist(world: SandboxWorld, call: Call) -> dict[str, Any]:
    return single("artist", _artist(world, call.params["uuid"]).payload)


def song_audience(world: SandboxWorld, call: Call) -> dict[str, Any]:
    found = _song(world, call.params["uuid"])
    platform = call.params["platform"]
    if platform not in SONG_AUDIENCE_CODES:
        raise _invalid_platform()
    start, end = period(call.query, world.as_of)
    only = call.query.get("identifier") or None
    first, last = world.clip(start, end, found.release)
    linked = platform in SONG_PLATFORMS  # a known platform without the song's id: no data
    days = series.song_days(found, platform, first, last, only)[::-1] if linked else []

    def fetch(a: int, b: int) -> list[Any]:
        return [
            series.song_item(found, platform, d, date.fromordinal(d).isoformat(), only, world.today)
            for d in days[a:b]
        ]

    return collection(call.path, call.query, len(days), fetch, found.stub)


def broadcast_groups(world: SandboxWorld, call: Call) -> dict[str, Any]:
    found = _song(world, call.params["uuid"])
    start, end = period(call.query, world.as_of)
    slugs = {s for s in call.query.get("radioSlugs", "").split(",") if s}
    country = call.query.get("countryCode", "").upper()
    items = [
        {"radio": station.payload, "playCount": count}
        for station, count in world.broadcast_groups(found.uuid, start, end)
        if (not slugs or station.slug in slugs) and (not country or station.country_code == country)
    ]
    return collection(call.path, call.query, len(items), lambda a, b: items[a:b], found.stub)


def _artist_related(world: SandboxWorld, found: Artist, platform: str, what: str) -> dict[str, Any]:
    """`related` with the last day that has data (the last crawl), or None."""
    recent = series.artist_days(found, platform, world.today - 7, world.today, what)
    last = date.fromordinal(recent[-1]).isoformat() + "T00:00:00+00:00" if recent else None
    return {"artist": found.stub, "platform": platform, "lastCrawlDate": last}


def artist_audience(world: SandboxWorld, call: Call) -> dict[str, Any]:
    found = _artist(world, call.params["uuid"])
    platform = call.params["platform"]
    if platform not in SOCIAL_CODES:
        raise _invalid_platform()
    if platform not in found.accounts:
        raise ApiError(404, "social", "No social account found for artist")
    start, end = period(call.query, world.as_of)
    first, last = world.clip(start, end)
    days = series.artist_days(found, platform, first, last, "audience")

    def fetch(a: int, b: int) -> list[Any]:
        return [
            series.artist_item(found, platform, d, date.fromordinal(d).isoformat())
            for d in days[a:b]
        ]

    related = _artist_related(world, found, platform, "audience")
    return collection(call.path, call.query, len(days), fetch, related)


def artist_listening(world: SandboxWorld, call: Call) -> dict[str, Any]:
    found = _artist(world, call.params["uuid"])
    platform = call.params["platform"]
    if platform not in STREAMING_CODES:
        raise _invalid_platform()
    start, end = period(call.query, world.as_of)
    first, last = world.clip(start, end)
    linked = platform in LISTENING_PLATFORMS  # a known platform without data for anyone
    days = series.artist_days(found, platform, first, last, "listening") if linked else []

    def fetch(a: int, b: int) -> list[Any]:
        return [
            series.listening_item(found, platform, d, date.fromordinal(d).isoformat())
            for d in days[a:b]
        ]

    related = _artist_related(world, found, platform, "listening")
    if not linked:
        related["lastCrawlDate"] = None
    return collection(call.path, call.query, len(days), fetch, related)


def artist_streaming(world: SandboxWorld, call: Call) -> dict[str, Any]:
    """Local streaming: each day's value with its countries (and, weekly, cities)."""
    found = _artist(world, call.params["uuid"])
    platform = call.params["platform"]
    if platform not in STREAMING_CODES:
        raise _invalid_platform()
    start, end = period(call.query, world.as_of)
    first, last = world.clip(start, end)
    days = streaming.streaming_days(found, platform, first, last)

    def fetch(a: int, b: int) -> list[Any]:
        return [streaming.streaming_item(found, platform, d) for d in days[a:b]]

    related = _artist_related(world, found, platform, "listening")
    if not days:
        related["lastCrawlDate"] = None
    return collection(call.path, call.query, len(days), fetch, related)


def _route(endpoint: str, method: str, pattern: str, handler: Handler | None) -> Route:
    segment = pattern.replace("{", "(?P<").replace("}", ">[^/]+)")
    return Route(endpoint, method, re.compile(f"^{segment}$"), handler)


ROUTES = (
    _route("chart_platforms", "GET", r"/api/v2/chart/song/platforms", chart_platforms),
    _route("chart_list", "GET", r"/api/v2/chart/song/by-platform/{platform}", chart_list),
    _route("ranking_dates", "GET", r"/api/v2/chart/song/{slug}/available-rankings", ranking_dates),
    _route("ranking", "GET", r"/api/v2\.14/chart/song/{slug}/ranking/{when}", ranking),
    _route("song", "GET", r"/api/v2\.25/song/{uuid}", song),
    _route("artist_search", "GET", r"/api/v2/artist/search/{term}", artist_search),
    _route("artist", "GET", r"/api/v2\.9/artist/{uuid}", artist),
    _route("song_audience", "GET", r"/api/v2/song/{uuid}/audience/{platform}", song_audience),
    _route("broadcast_groups", "GET", r"/api/v2/song/{uuid}/broadcast-groups", broadcast_groups),
    _route("artist_audience", "GET", r"/api/v2/artist/{uuid}/audience/{platform}", artist_audience),
    _route(
        "artist_listening",
        "GET",
        r"/api/v2/artist/{uuid}/streaming/{platform}/listening",
        artist_listening,
    ),
    _route(
        "artist_streaming", "GET", r"/api/v2/artist/{uuid}/streaming/{platform}", artist_streaming
    ),
    _route("token", "POST", r"/oauth/token", None),
)
ENDPOINTS = tuple(r.endpoint for r in ROUTES)


def match(path: str) -> tuple[Route, dict[str, str]] | None:
    """The route of a raw (possibly percent-encoded) path and its decoded parameters."""
    for route in ROUTES:
        found = route.pattern.match(path)
        if found:
            return route, {k: unquote(v) for k, v in found.groupdict().items()}
    return None

"""The floor: a plain asyncio + httpx script making the cascade's requests at one concurrency.

Same requests and the same dependencies as the chart flow (ranking -> songs -> artist
metadata and artist series; ranking -> song series and airplay), no Prefect, no database.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx

SONG_PLATFORMS = ["spotify", "youtube", "shazam"]
ARTIST_PLATFORMS = ["spotify", "youtube", "instagram", "tiktok"]
LISTENING_PLATFORMS = ["spotify"]


async def run_baseline(
    base_url: str,
    chart: str,
    *,
    concurrency: int,
    today: date,
    lookback: int = 90,
    airplay_days: int = 7,
) -> int:
    """Fetch everything a first run of `chart` fetches; returns the number of requests."""
    limit = asyncio.Semaphore(concurrency)
    count = 0
    headers = {"x-app-id": "soundcharts", "x-api-key": "soundcharts"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as client:

        async def get_all(path: str, params: dict[str, Any] | None = None) -> list[Any]:
            nonlocal count
            items: list[Any] = []
            url: str | None = path
            query: dict[str, Any] | None = {**(params or {}), "offset": 0, "limit": 100}
            while url:
                async with limit:
                    response = await client.get(url, params=query)
                    count += 1
                response.raise_for_status()
                body = response.json()
                items += body.get("items", [])
                # `next` carries its own query; params (even {}) would replace it in httpx 0.28.
                url, query = (body.get("page") or {}).get("next"), None
            return items

        async def get_object(path: str) -> Any:
            nonlocal count
            async with limit:
                response = await client.get(path)
                count += 1
            response.raise_for_status()
            return response.json()["object"]

        start, end = today - timedelta(days=lookback), today
        span = {"startDate": start.isoformat(), "endDate": end.isoformat()}
        ranking = await get_all(f"/api/v2.14/chart/song/{chart}/ranking/latest")
        tracks = list(dict.fromkeys(item["song"]["uuid"] for item in ranking))
        # Songs that left the chart (position 0) get metadata, not audience, nor their artists.
        charted = list(
            dict.fromkeys(item["song"]["uuid"] for item in ranking if item.get("position"))
        )

        async def track_audience() -> None:
            jobs = [
                get_all(f"/api/v2/song/{t}/audience/{p}", span)
                for p in SONG_PLATFORMS
                for t in charted
            ]
            last = today - timedelta(days=1)
            days = [last - timedelta(days=n) for n in range(airplay_days)]
            jobs += [
                get_all(
                    f"/api/v2/song/{t}/broadcast-groups",
                    {"startDate": d.isoformat(), "endDate": d.isoformat()},
                )
                for t in charted
                for d in days
            ]
            await asyncio.gather(*jobs)

        async def artists_chain() -> None:
            songs = await asyncio.gather(*(get_object(f"/api/v2.25/song/{t}") for t in tracks))
            on_chart = set(charted)
            artists = list(
                dict.fromkeys(
                    a["uuid"]
                    for track, song in zip(tracks, songs, strict=True)
                    if track in on_chart
                    for a in song["artists"]
                )
            )
            jobs = [get_object(f"/api/v2.9/artist/{a}") for a in artists]
            jobs += [
                get_all(f"/api/v2/artist/{a}/audience/{p}", span)
                for p in ARTIST_PLATFORMS
                for a in artists
            ]
            jobs += [
                get_all(f"/api/v2/artist/{a}/streaming/{p}/listening", span)
                for p in LISTENING_PLATFORMS
                for a in artists
            ]
            await asyncio.gather(*(_allow_no_account(job) for job in jobs))

        await asyncio.gather(track_audience(), artists_chain())
    return count


async def _allow_no_account(job: Any) -> None:
    try:
        await job
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code != 404:
            raise

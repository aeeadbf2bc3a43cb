"""Paging (next links, offsets, the hard bound) and period splitting."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
import respx

from chartcascade.soundcharts import ResponseValidationError, SoundchartsClient, split_period

from .helpers import page

PATH = "/api/v2/chart/song/global-28/available-rankings"


def stamps(first: int, count: int) -> list[str]:
    return [f"day-{number}" for number in range(first, first + count)]


def test_paging_follows_next_verbatim(client: SoundchartsClient, router: respx.MockRouter) -> None:
    next_path = f"{PATH}?sortOrder=desc&offset=100&limit=100"
    first = router.get(PATH, params={"offset": "0"}).respond(
        200, json=page(stamps(0, 100), total=130, next=next_path)
    )
    second = router.get(PATH, params={"sortOrder": "desc"}).respond(
        200, json=page(stamps(100, 30), total=130, offset=100)
    )

    dates = client.ranking_dates("global-28")

    assert dates == stamps(0, 130)
    assert first.call_count == 1
    assert second.calls.last.request.url.raw_path.decode() == next_path


def test_paging_follows_an_absolute_next_on_the_same_host(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get(PATH, params={"offset": "0"}).respond(
        200,
        json=page(
            stamps(0, 100), total=101, next=f"https://elsewhere.test{PATH}?offset=100&limit=100"
        ),
    )
    second = router.get(PATH, params={"offset": "100"}).respond(
        200, json=page(stamps(100, 1), total=101, offset=100)
    )

    assert len(client.ranking_dates("global-28")) == 101
    assert second.calls.last.request.url.host == "api.soundcharts.test"


def test_paging_uses_offsets_when_next_is_missing(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        body = page(stamps(offset, min(100, 250 - offset)), total=250, offset=offset)
        del body["page"]["next"]
        return httpx.Response(200, json=body)

    route = router.get(PATH).mock(side_effect=respond)

    dates = client.ranking_dates("global-28")

    assert dates == stamps(0, 250)
    assert [call.request.url.params["offset"] for call in route.calls] == ["0", "100", "200"]
    assert {call.request.url.params["limit"] for call in route.calls} == {"100"}


def test_paging_stops_when_next_is_null(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get(PATH).respond(200, json=page(stamps(0, 100), total=500, next=None))

    assert len(client.ranking_dates("global-28")) == 100
    assert route.call_count == 1


def test_paging_stops_on_an_empty_page(client: SoundchartsClient, router: respx.MockRouter) -> None:
    route = router.get(PATH).respond(200, json=page([], total=500, next=f"{PATH}?offset=0"))

    assert client.ranking_dates("global-28") == []
    assert route.call_count == 1


def test_paging_stops_when_total_is_reached(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get(PATH).respond(
        200, json=page(stamps(0, 20), total=20, next=f"{PATH}?offset=20&limit=100")
    )

    assert len(client.ranking_dates("global-28")) == 20
    assert route.call_count == 1


def test_paging_raises_after_the_hard_bound(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get(PATH).respond(
        200, json=page(["same"], total=10**9, next=f"{PATH}?offset=1&limit=100")
    )

    with pytest.raises(ResponseValidationError, match="did not end after 500 pages"):
        client.ranking_dates("global-28")

    assert route.call_count == 500


def test_split_period_covers_the_range_in_90_day_steps() -> None:
    assert split_period(date(2024, 1, 1), date(2024, 7, 1)) == [
        (date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 7, 1)),
    ]


def test_split_period_of_one_day() -> None:
    assert split_period(date(2024, 1, 1), date(2024, 1, 1)) == [
        (date(2024, 1, 1), date(2024, 1, 1))
    ]


def test_split_period_with_end_before_start_is_empty() -> None:
    assert split_period(date(2024, 1, 2), date(2024, 1, 1)) == []


def test_split_period_respects_max_days() -> None:
    periods = split_period(date(2024, 1, 1), date(2024, 1, 10), max_days=3)

    assert periods == [
        (date(2024, 1, 1), date(2024, 1, 4)),
        (date(2024, 1, 5), date(2024, 1, 8)),
        (date(2024, 1, 9), date(2024, 1, 10)),
    ]


def test_page_without_items_but_with_a_total_is_invalid(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get(PATH).respond(200, json={"page": {"offset": 0, "total": 3, "next": None}})

    with pytest.raises(ResponseValidationError, match="missing field items"):
        client.ranking_dates("global-28")


def test_page_of_total_zero_without_items_is_empty(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get(PATH).respond(200, json={"page": {"offset": 0, "total": 0, "next": None}})

    assert client.ranking_dates("global-28") == []

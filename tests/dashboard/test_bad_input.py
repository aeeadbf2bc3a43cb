"""Every bad or unknown input gets a clear page with 400 or 404, never a 500 (no browser)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from chartcascade.dashboard.app import create_app
from chartcascade.db import get_engine

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def client(synced: tuple[str, Any]) -> TestClient:
    return TestClient(create_app(synced[0]), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def artist_uuid(synced: tuple[str, Any]) -> str:
    with get_engine(synced[0]).connect() as connection:
        return str(connection.execute(text("SELECT uuid FROM artist ORDER BY id")).first()[0])


BAD = [
    ("/chart/no-such-chart", 404, "no chart 'no-such-chart' is stored"),
    ("/chart/global-28?date=2001-01-01", 404, "has no ranking of 2001-01-01"),
    ("/chart/global-28?date=yesterday", 400, "is not a date (YYYY-MM-DD)"),
    ("/chart/%3Cscript%3E", 400, "is not a valid name"),
    ("/track/0000-no-track", 404, "no track '0000-no-track' is stored"),
    ("/artist/0000-no-artist", 404, "no artist '0000-no-artist' is stored"),
    ("/artist/{artist}?from=2026-02-01&to=2026-01-01", 400, "ends (2026-01-01) before it starts"),
    ("/artist/{artist}?from=2020-01-01&to=2026-01-01", 400, "is longer than 3 years"),
    ("/artist/{artist}?from=2026-13-01", 400, "is not a date"),
    ("/analytics?artist=Nobody+At+All", 404, "no stored artist has the uuid or name Nobody At All"),
    ("/analytics?artist={artist}&from=2026-03-01&to=2026-02-01", 400, "before it starts"),
    ("/analytics?artist={artist}&from=2019-01-01&to=2026-02-01", 400, "longer than 3 years"),
    ("/analytics?artist={artist}&country=ITA", 400, "is not a two-letter code"),
    ("/analytics?artist={artist}&platform=myspace", 400, "unknown platform myspace"),
    ("/analytics?artist={artist}&by=year", 400, "choose month or week"),
    ("/analytics.xlsx", 400, "pick at least one artist"),
    ("/analytics.pdf?artist={artist}", 404, "downloads are .csv or .xlsx"),
    ("/analytics.csv?artist={artist}&to=2026-99-01", 400, "is not a date"),
    ("/completeness/no-such-chart", 404, "no chart 'no-such-chart' is stored"),
    ("/no/such/page", 404, "Not Found"),
]


@pytest.mark.parametrize(("path", "status", "message"), BAD)
def test_bad_input_gets_a_clear_page(
    client: TestClient, artist_uuid: str, path: str, status: int, message: str
) -> None:
    response = client.get(path.format(artist=artist_uuid))
    assert response.status_code == status
    assert "text/html" in response.headers["content-type"]
    assert message in response.text.replace("&#x27;", "'").replace("&lt;", "<")

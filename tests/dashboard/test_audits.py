"""The home page's audits: made when the dashboard starts, shown at once when old while a new
one is made in the background, one audit for requests that come together, the last one kept
when a refresh fails."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from starlette.testclient import TestClient

from chartcascade.dashboard.app import create_app
from chartcascade.dashboard.audits import AuditCache, Audited
from chartcascade.db import get_engine
from chartcascade.reports.completeness import Completeness
from chartcascade.reports.completeness import audits as audit_charts
from tests.reports import seed
from tests.reports.seed import D3

# One charted track, nothing fetched: its metadata and every platform's audience are gaps.
ONE_TRACK = {"t1": 1}
TWO_TRACKS = {"t1": 1, "t2": 2}


def audited_at(page: str) -> datetime:
    found = re.search(r"audited at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", page)
    assert found, page
    return datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def newer_than(cache: AuditCache, url: str, old: Audited, seconds: float = 20) -> Audited:
    """The cache's audit once the background refresh replaced `old`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = cache.get(url, ["c1"])
        if found is not old:
            return found
        time.sleep(0.05)
    raise AssertionError("the background refresh never replaced the old audit")


def test_the_home_page_shows_the_audit_made_when_the_dashboard_started(sqlite_url: str) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    with TestClient(create_app(sqlite_url)) as client:  # runs the app's start-up
        time.sleep(2.5)
        asked = datetime.now(UTC)
        page = client.get("/")
    assert page.status_code == 200
    assert audited_at(page.text) <= asked - timedelta(seconds=1)  # not made for this request
    assert 'href="/completeness/c1"' in page.text


def test_an_old_audit_is_shown_at_once_and_replaced_in_the_background(sqlite_url: str) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    cache = AuditCache(refresh_seconds=0)  # every audit is old at once
    first = cache.get(sqlite_url, ["c1"])
    seed.ranking(sqlite_url, "c1", D3, TWO_TRACKS)  # one more charted track: more gaps

    assert cache.get(sqlite_url, ["c1"]) is first  # old: shown, refreshed behind it
    refreshed = newer_than(cache, sqlite_url, first)

    assert refreshed.made_at >= first.made_at
    assert refreshed.charts["c1"].gaps > first.charts["c1"].gaps
    assert refreshed.charts["c1"].gaps == audit_charts(sqlite_url, ["c1"])["c1"].gaps


def test_requests_that_come_together_share_one_audit(sqlite_url: str) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    made: list[float] = []

    def counted(url: str, charts: list[str]) -> dict[str, Completeness]:
        made.append(time.monotonic())
        time.sleep(0.5)  # long enough for every request to arrive while it runs
        return audit_charts(url, charts)

    cache = AuditCache(audit=counted)
    found: list[Audited] = []
    threads = [
        threading.Thread(target=lambda: found.append(cache.get(sqlite_url, ["c1"])))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(made) == 1
    assert len(found) == 4 and all(audit is found[0] for audit in found)


def test_a_failed_refresh_keeps_the_last_audit(sqlite_url: str) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    cache = AuditCache(refresh_seconds=0)
    first = cache.get(sqlite_url, ["c1"])
    engine = get_engine(sqlite_url)
    with engine.begin() as connection:  # the audit's query fails: no such table
        connection.execute(text("ALTER TABLE ranking_entry RENAME TO ranking_entry_away"))
    try:
        for _ in range(5):  # each starts a refresh that fails
            assert cache.get(sqlite_url, ["c1"]) is first
            time.sleep(0.3)
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE ranking_entry_away RENAME TO ranking_entry"))
    assert newer_than(cache, sqlite_url, first).charts["c1"].gaps == first.charts["c1"].gaps

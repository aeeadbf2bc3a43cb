"""The home page's audits: made when the dashboard starts, shown at once when old while a new
one is made in the background, one audit in flight for requests that come together, a failed
first audit given to every waiting request, the last audit kept (and the failure shown) when
a refresh fails, retried a refresh period later."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from chartcascade.dashboard.access import read_only_url
from chartcascade.dashboard.app import create_app
from chartcascade.dashboard.audits import AuditCache, Audited
from chartcascade.dashboard.pages import home
from chartcascade.dashboard.pages.completeness import completeness_page
from chartcascade.db import get_engine
from chartcascade.reports.completeness import Completeness
from chartcascade.reports.completeness import audits as audit_charts
from tests.reports import seed
from tests.reports.seed import D3

# One charted track, nothing fetched: its metadata and every platform's audience are gaps.
ONE_TRACK = {"t1": 1}
TWO_TRACKS = {"t1": 1, "t2": 2}
T = TypeVar("T")


class Counted:
    """The real audit, slowed so that requests overlap it, counting the audits started and
    the most in flight at once."""

    def __init__(self, seconds: float = 0.5) -> None:
        self.seconds = seconds
        self.started = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, url: str, charts: list[str]) -> dict[str, Completeness]:
        with self._lock:
            self.started += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.seconds)
            return audit_charts(url, charts)
        finally:
            with self._lock:
                self.in_flight -= 1


@contextmanager
def ranking_table_away(url: str) -> Iterator[None]:
    """The audit's query fails meanwhile: no such table."""
    engine = get_engine(url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE ranking_entry RENAME TO ranking_entry_away"))
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE ranking_entry_away RENAME TO ranking_entry"))


def at_once(calls: int, call: Callable[[], object]) -> list[object]:
    """`call` from `calls` threads at once: each one's result or exception."""
    results: list[object] = []

    def one() -> None:
        try:
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - what the caller got
            results.append(exc)

    threads = [threading.Thread(target=one) for _ in range(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def note(page: str) -> str:
    found = re.search(r'<p class="note" id="audited">(.*?)</p>', page)
    assert found, page
    return found[1]


def until(read: Callable[[], T], done: Callable[[T], bool], seconds: float = 20) -> T:
    """`read()` once `done` holds for it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = read()
        if done(value):
            return value
        time.sleep(0.05)
    raise AssertionError("waited in vain")


def first_of(found: list[object]) -> Audited:
    audited = found[0]
    assert isinstance(audited, Audited), audited
    return audited


def newer_than(
    cache: AuditCache, url: str, old: Audited, seconds: float = 20, charts: list[str] | None = None
) -> Audited:
    """The cache's audit once the background refresh replaced `old`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = cache.get(url, charts or ["c1"])
        if found.made != old.made:
            return found
        time.sleep(0.05)
    raise AssertionError("the background refresh never replaced the old audit")


def test_the_home_page_shows_the_audit_made_when_the_dashboard_started(sqlite_url: str) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    read_only = read_only_url(sqlite_url)
    assert home.AUDITS.last(read_only) is None
    with TestClient(create_app(sqlite_url)) as client:  # runs the app's start-up
        deadline = time.monotonic() + 30
        while (started := home.AUDITS.last(read_only)) is None:
            assert time.monotonic() < deadline, "no audit was made at start-up"
            time.sleep(0.05)
        page = client.get("/")
    assert page.status_code == 200
    assert home.AUDITS.last(read_only) is started  # none made for the request
    shown = re.fullmatch(r"Gaps as audited at (\S+ \S+) UTC; .*", note(page.text))
    assert shown, note(page.text)
    made = datetime.strptime(shown[1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    assert made == started.made_at.replace(microsecond=0)
    assert started.made_at.tzinfo is UTC
    assert abs((datetime.now(UTC) - started.made_at).total_seconds()) < 60  # UTC, not local
    assert 'href="/completeness/c1"' in page.text


def test_an_old_audit_is_shown_at_once_and_replaced_in_the_background(sqlite_url: str) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    cache = AuditCache(refresh_seconds=0)  # every audit is old at once
    first = cache.get(sqlite_url, ["c1"])
    seed.ranking(sqlite_url, "c1", D3, TWO_TRACKS)  # one more charted track: more gaps

    assert cache.get(sqlite_url, ["c1"]).made == first.made  # old: shown, refreshed behind it
    refreshed = newer_than(cache, sqlite_url, first)

    assert refreshed.made_at >= first.made_at
    assert refreshed.charts["c1"].gaps > first.charts["c1"].gaps
    assert refreshed.charts["c1"].gaps == audit_charts(sqlite_url, ["c1"])["c1"].gaps


def test_requests_that_come_together_share_one_first_audit(sqlite_url: str) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    audit = Counted()
    cache = AuditCache(audit=audit)

    found = at_once(4, lambda: cache.get(sqlite_url, ["c1"]))

    assert audit.started == 1
    assert len(found) == 4
    assert all(isinstance(r, Audited) and r.made == first_of(found).made for r in found)


def test_requests_on_an_old_audit_start_one_refresh(sqlite_url: str) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    audit = Counted()
    cache = AuditCache(audit=audit, refresh_seconds=0)
    first = cache.get(sqlite_url, ["c1"])

    found = at_once(20, lambda: cache.get(sqlite_url, ["c1"]))

    assert all(isinstance(r, Audited) and r.made == first.made for r in found)  # none waited
    newer_than(cache, sqlite_url, first)
    assert audit.most_in_flight == 1


def test_requests_waiting_on_a_failing_first_audit_all_get_its_error(sqlite_url: str) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    audit = Counted(seconds=1.0)
    cache = AuditCache(audit=audit)
    with ranking_table_away(sqlite_url):
        started = time.monotonic()
        found = at_once(6, lambda: cache.get(sqlite_url, ["c1"]))
        waited = time.monotonic() - started

    assert audit.started == 1  # the waiting requests did not audit again one after another
    assert all(isinstance(result, Exception) for result in found)
    assert all("ranking_entry" in str(result) for result in found)
    assert waited < 6.0  # one failed audit's time (1 s), not six in a row
    assert cache.get(sqlite_url, ["c1"]).charts["c1"].gaps >= 1  # a later request tries again
    assert audit.started == 2


def test_a_failed_refresh_keeps_the_last_audit_shows_it_and_waits_a_period(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    audit = Counted(seconds=0.0)
    cache = AuditCache(audit=audit, refresh_seconds=3.0)
    first = cache.get(sqlite_url, ["c1"])
    with ranking_table_away(sqlite_url):
        time.sleep(3.1)  # old now
        assert cache.get(sqlite_url, ["c1"]).made == first.made  # starts a refresh: it fails
        failed = until(lambda: cache.get(sqlite_url, ["c1"]), lambda a: a.failed_at is not None)
        assert failed.made == first.made and "ranking_entry" in str(failed.failure)
        for _ in range(20):  # within the period after the failure: no new attempt
            assert cache.get(sqlite_url, ["c1"]).made == first.made
            time.sleep(0.02)
        assert audit.started == 2

        monkeypatch.setattr(home, "AUDITS", cache)
        shown = note(home.home_page(sqlite_url))
    assert "The last audit failed at " in shown and "OperationalError" in shown
    assert "ranking_entry" in shown

    refreshed = newer_than(cache, sqlite_url, first)  # a period later, with the table back
    assert audit.started == 3
    assert refreshed.charts["c1"].gaps == first.charts["c1"].gaps
    assert cache.get(sqlite_url, ["c1"]).failed_at is None


def test_a_new_chart_shows_the_older_audit_until_its_own_is_made(sqlite_url: str) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    cache = AuditCache(audit=Counted(seconds=1.0))
    one = cache.get(sqlite_url, ["c1"])
    seed.ranking(sqlite_url, "c2", D3, TWO_TRACKS)  # a chart synced meanwhile

    started = time.monotonic()
    shown = cache.get(sqlite_url, ["c1", "c2"])
    assert time.monotonic() - started < 0.5  # no wait for the 1-s audit
    assert shown.made == one.made and set(shown.charts) == {"c1"} and shown.auditing
    both = newer_than(cache, sqlite_url, one, charts=["c1", "c2"])
    assert set(both.charts) == {"c1", "c2"}
    assert both.charts["c2"].gaps == audit_charts(sqlite_url, ["c2"])["c2"].gaps
    assert cache.last(sqlite_url) is not None and cache.last(sqlite_url).made == both.made
    assert cache.get(sqlite_url, ["c1"]).made == both.made  # fewer charts: no new audit


def test_the_pages_mark_a_chart_synced_since_the_shown_audit(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    cache = AuditCache(audit=Counted(seconds=2.0))
    monkeypatch.setattr(home, "AUDITS", cache)
    home.home_page(sqlite_url)  # audits c1
    seed.ranking(sqlite_url, "c2", D3, TWO_TRACKS)

    page = home.home_page(sqlite_url)
    every = completeness_page(sqlite_url)
    until(lambda: cache.last(sqlite_url), lambda a: a is not None and "c2" in a.charts)

    c2 = re.search(r'<a href="/completeness/c2">([^<]*)</a>', page)
    assert c2 and c2[1] == "auditing…", page
    c1 = re.search(r'<a href="/completeness/c1">([^<]*)</a>', page)
    assert c1 and c1[1] == str(audit_charts(sqlite_url, ["c1"])["c1"].gaps)
    assert 'id="audit-c1"' in every and 'id="audit-c2"' in every
    assert "auditing…; " in every


def test_a_new_chart_whose_audit_fails_says_so_and_is_retried_a_period_later(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed.ranking(sqlite_url, "c1", D3, ONE_TRACK)
    audit = Counted(seconds=0.0)
    cache = AuditCache(audit=audit, refresh_seconds=3.0)
    monkeypatch.setattr(home, "AUDITS", cache)
    home.home_page(sqlite_url)  # audits c1
    seed.ranking(sqlite_url, "c2", D3, TWO_TRACKS)
    with ranking_table_away(sqlite_url):
        home.home_page(sqlite_url)  # starts the audit of c1 and c2: it fails
        until(lambda: cache.get(sqlite_url, ["c1", "c2"]), lambda a: a.failed_at is not None)
        page = home.home_page(sqlite_url)
        assert audit.started == 2
    c2 = re.search(r'<a href="/completeness/c2">([^<]*)</a>', page)
    assert c2 and c2[1] == "not audited yet", page
    assert "The last audit failed at " in note(page)

    both = until(lambda: cache.get(sqlite_url, ["c1", "c2"]), lambda a: "c2" in a.charts)
    assert audit.started == 3 and both.failed_at is None

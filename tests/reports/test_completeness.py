"""The completeness audit: exactly the gaps a test seeded; documented absences apart."""

from __future__ import annotations

from datetime import date

import pytest

from chartcascade.crud.failures import record_failures, resolve_failures
from chartcascade.db import session_scope
from chartcascade.reports.completeness import Completeness, completeness
from tests.reports import seed
from tests.reports.seed import D2, D3

PLATFORMS = {
    "track_platforms": ["spotify", "airplay"],
    "artist_platforms": ["spotify"],
    "listening_platforms": ["spotify"],
}


def gappy_world(url: str) -> None:
    """c1 on 03-02 (t9 only, superseded) and 03-03: t1, t2, t3; credits t1 a1, t2 a2, t3 a1.

    Seeded gaps: t3 without metadata; a2 without metadata; Spotify: t1 stored, t2 documented
    empty, t3 missing; airplay: all stored; artist Spotify audience: a1 stored, a2 documented
    no_account; Spotify listening: both missing; one open failure of t3 (plus a resolved
    failure of t1 and an open one of an artist not on the chart).
    """
    seed.ranking(url, "c1", D2, {"t9": 1})
    seed.ranking(url, "c1", D3, {"t1": 1, "t2": 2, "t3": 3})
    seed.credit(url, "t1", ["a1"])
    seed.credit(url, "t2", ["a2"])
    seed.credit(url, "t3", ["a1"], fetched=False)
    seed.fetch_artists(url, ["a1"])
    seed.track_series(url, "t1", "spotify", {D3: 100})
    seed.check(url, "track", "t2", "audience:spotify", "empty")
    for track in ("t1", "t2", "t3"):
        seed.track_series(url, track, "airplay", {D2: 0})
    seed.artist_series(url, "a1", "spotify", "followers", {date(2026, 2, 27): 5})
    seed.check(url, "artist", "a2", "audience:spotify", "no_account")
    with session_scope(url) as session:
        record_failures(
            session, stage="track-metadata", errors={"t3": "500", "t1": "500"}, run_id=None
        )
        resolve_failures(session, stage="track-metadata", item_uuids=["t1"])
        record_failures(session, stage="artist-metadata", errors={"zz": "404"}, run_id=None)


@pytest.fixture
def audit(db_url: str) -> Completeness:
    gappy_world(db_url)
    return completeness(db_url, "c1", **PLATFORMS)


def test_audit_counts_the_seeded_gaps(audit: Completeness) -> None:
    rows = {r["check"]: (r["total"], r["missing"], r["documented"]) for r in audit.records()}
    assert rows == {
        "tracks lacking metadata": (3, 1, 0),
        "artists lacking metadata": (2, 1, 0),
        "tracks lacking spotify": (3, 1, 1),
        "tracks lacking airplay": (3, 0, 0),
        "artists lacking spotify audience": (2, 0, 1),
        "artists lacking spotify listening": (2, 2, 0),
        "open failures: track-metadata": (1, 1, 0),
    }
    assert (audit.gaps, audit.open_failures) == (6, 1)


def test_audit_reports_the_newest_data(audit: Completeness) -> None:
    assert audit.ranking_date == D3
    assert audit.staleness == {
        "ranking": D3,
        "track audience (newest)": D3,
        "track audience (stalest series)": D2,
        "artist audience (newest)": date(2026, 2, 27),
        "artist audience (stalest series)": date(2026, 2, 27),
    }
    audit.today = date(2026, 3, 5)
    assert audit.age_days("artist audience (newest)") == 6


def test_audit_markdown_lists_every_check(audit: Completeness) -> None:
    text = audit.markdown()
    assert "**Gaps:** 6 · **open failures:** 1" in text
    assert "| tracks lacking spotify | 3 | 1 | 1 |" in text
    assert "| open failures: track-metadata | 1 | 1 | 0 |" in text


def test_audit_of_an_unknown_chart_is_empty(db_url: str) -> None:
    audit = completeness(db_url, "nope")
    assert (audit.ranking_date, audit.rows, audit.gaps) == (None, [], 0)


def test_audit_counts_failures_of_the_audited_stages_only(db_url: str) -> None:
    gappy_world(db_url)
    with session_scope(db_url) as session:  # failures of platforms the audit does not cover
        record_failures(session, stage="track-audience-youtube", errors={"t1": "404"}, run_id=None)
        record_failures(session, stage="artist-audience-tiktok", errors={"a1": "404"}, run_id=None)
        record_failures(session, stage="track-airplay", errors={"t2": "503"}, run_id=None)

    audit = completeness(db_url, "c1", **PLATFORMS)

    assert audit.failures == {"track-metadata": 1, "track-airplay": 1}
    wider = completeness(db_url, "c1", **{**PLATFORMS, "track_platforms": ["youtube"]})
    assert wider.failures == {"track-metadata": 1, "track-audience-youtube": 1}

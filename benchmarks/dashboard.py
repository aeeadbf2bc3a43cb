"""Benchmark of the dashboard's pages on a database of real size.

Builds a SQLite database (bulk inserts, a minute or less): 20 charts of 200 entries with 30
daily rankings each, 2,000 tracks on 3 cumulative platforms and radio, 1,000 artists with 3
series and Spotify listeners in 5 countries, 180 days of every series; then prints each page's
median answer time over --repeat requests (in process, through starlette's test client): cold
(the dashboard's audit cache emptied before each request: the page audits for itself), while
the audit is refreshed in the background, and warm; then the time of the audit itself.

    .venv/bin/python benchmarks/dashboard.py [--repeat 5] [--keep data/bench-dashboard.db]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

CHARTS, ENTRIES, RANKINGS, DAYS = 20, 200, 30, 180
TRACKS, ARTISTS = 2_000, 1_000
TRACK_PLATFORMS = ("spotify", "youtube", "shazam")
ARTIST_SERIES = (
    ("spotify", "followers"),
    ("spotify", "monthly_listeners"),
    ("instagram", "followers"),
)
COUNTRIES = ("IT", "DE", "FR", "US", "GB")
LAST_DAY = date(2026, 11, 30)
NOW = "2026-12-01 00:00:00"


def uuid(kind: str, number: int) -> str:
    return f"{kind}-{number:08d}"


def fill(path: Path) -> None:
    """The benchmark's rows, written with executemany in a few transactions."""
    rng = random.Random(7)
    days = [LAST_DAY - timedelta(days=n) for n in reversed(range(DAYS))]
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    with db:
        db.executemany(
            "INSERT INTO artist (id, uuid, name, genres, metadata_fetched_at, created_at, "
            "updated_at) VALUES (?, ?, ?, '[]', ?, ?, ?)",
            [(a, uuid("artist", a), f"Artist {a}", NOW, NOW, NOW) for a in range(1, ARTISTS + 1)],
        )
        db.executemany(
            "INSERT INTO track (id, uuid, name, credit_name, genres, labels, metadata_fetched_at, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, '[]', '[]', ?, ?, ?)",
            [(t, uuid("track", t), f"Track {t}", f"Artist {t % ARTISTS + 1}", NOW, NOW, NOW)
             for t in range(1, TRACKS + 1)],
        )  # fmt: skip
        db.executemany(
            "INSERT INTO track_artist (track_id, artist_id, role, position) VALUES (?, ?, ?, ?)",
            [row for t in range(1, TRACKS + 1) for row in (
                (t, t % ARTISTS + 1, "main", 0), (t, (t * 7) % ARTISTS + 1, "featured", 1))
             if row[1] != (t % ARTISTS + 1) or row[3] == 0],
        )  # fmt: skip
        db.executemany(
            "INSERT INTO chart (id, slug, name, platform, created_at, updated_at) "
            "VALUES (?, ?, ?, 'spotify', ?, ?)",
            [(c, f"chart-{c:02d}", f"Chart {c}", NOW, NOW) for c in range(1, CHARTS + 1)],
        )
        snapshots, entries = [], []
        for c in range(1, CHARTS + 1):
            pool = rng.sample(range(1, TRACKS + 1), ENTRIES + 40)
            for r in range(RANKINGS):
                snapshot = len(snapshots) + 1
                day = LAST_DAY - timedelta(days=RANKINGS - 1 - r)
                snapshots.append((snapshot, c, day, ENTRIES, NOW))
                chosen = pool[r % 40 : r % 40 + ENTRIES]
                rng.shuffle(chosen)
                entries += [(snapshot, t, p + 1) for p, t in enumerate(chosen)]
        db.executemany(
            "INSERT INTO ranking_snapshot (id, chart_id, ranking_date, entry_count, fetched_at) "
            "VALUES (?, ?, ?, ?, ?)",
            snapshots,
        )
        db.executemany(
            "INSERT INTO ranking_entry (snapshot_id, track_id, position, off_chart) "
            "VALUES (?, ?, ?, 0)",
            entries,
        )
    with db:
        for platform in TRACK_PLATFORMS:
            db.executemany(
                "INSERT INTO track_audience_point (track_id, platform, date, value) "
                "VALUES (?, ?, ?, ?)",
                ((t, platform, d, 1_000_000 + t * 10 + n * (500 + t % 300))
                 for t in range(1, TRACKS + 1) for n, d in enumerate(days)),
            )  # fmt: skip
        db.executemany(
            "INSERT INTO track_audience_point (track_id, platform, date, value) "
            "VALUES (?, 'airplay', ?, ?)",
            ((t, d, (t + n) % 40) for t in range(1, TRACKS + 1) for n, d in enumerate(days[-30:])),
        )
        db.executemany(
            "INSERT INTO track_airplay_country (track_id, date, country_code, spins, stations) "
            "VALUES (?, ?, ?, ?, ?)",
            ((t, d, country, (t + n) % 8, 1 + n % 3) for t in range(1, TRACKS + 1, 4)
             for n, d in enumerate(days[-30:]) for country in COUNTRIES[:2]),
        )  # fmt: skip
    with db:
        for platform, metric in ARTIST_SERIES:
            db.executemany(
                "INSERT INTO artist_audience_point (artist_id, platform, metric, date, value) "
                "VALUES (?, ?, ?, ?, ?)",
                ((a, platform, metric, d, 50_000 + a * 3 + n * (a % 50))
                 for a in range(1, ARTISTS + 1) for n, d in enumerate(days)),
            )  # fmt: skip
        db.executemany(
            "INSERT INTO artist_audience_country (artist_id, platform, metric, date, "
            "country_code, city, value) VALUES (?, 'spotify', 'monthly_listeners', ?, ?, '', ?)",
            ((a, d, country, 1_000 + a + n) for a in range(1, ARTISTS + 1)
             for n, d in enumerate(days[-30:]) for country in COUNTRIES),
        )  # fmt: skip
    db.execute("ANALYZE")
    db.close()


def median_ms(client: object, path: str, repeat: int, mode: str) -> tuple[int, float, float]:
    """The status, the median time and the median CPU time of the process (ms) of `repeat`
    requests of `path`. `mode`: "cold" empties the audit cache before each request (the page
    audits for itself, as when it comes before the start-up audit ends), "refresh" makes every
    audit old at once (the page answers while the background refresh runs), "warm" reuses."""
    from chartcascade.dashboard.audits import REFRESH_SECONDS
    from chartcascade.dashboard.pages import home

    home.AUDITS.refresh_seconds = 0 if mode == "refresh" else REFRESH_SECONDS
    times, cpu, status = [], [], 0
    for _ in range(repeat):
        if mode == "cold":
            home.forget_audits()
        start, start_cpu = time.perf_counter(), time.process_time()
        status = client.get(path).status_code  # type: ignore[attr-defined]
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        if mode == "refresh":
            time.sleep(0.02)  # the refresh it started is under way for the next request
    home.AUDITS.refresh_seconds = REFRESH_SECONDS
    return status, statistics.median(times), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the database at this path")
    args = parser.parse_args()

    from starlette.testclient import TestClient

    from chartcascade.dashboard.access import read_only_url
    from chartcascade.dashboard.app import create_app
    from chartcascade.dashboard.pages import home
    from chartcascade.reports import frames
    from chartcascade.schema import upgrade

    folder = tempfile.mkdtemp(prefix="chartcascade-bench-dashboard-")
    path = args.keep or Path(folder) / "dashboard.db"
    url = f"sqlite:///{path.resolve().as_posix()}"
    if not path.exists():
        start = time.perf_counter()
        upgrade(url)
        fill(path)
        size = path.stat().st_size >> 20
        print(f"database built in {time.perf_counter() - start:.1f} s ({size} MB)")
    client = TestClient(create_app(url))
    a, b = uuid("artist", 17), uuid("artist", 512)
    period = f"from={LAST_DAY - timedelta(days=27)}&to={LAST_DAY}"
    pages = {
        "home": "/",
        "chart": "/chart/chart-07",
        "chart (older date)": f"/chart/chart-07?date={LAST_DAY - timedelta(days=10)}",
        "track": f"/track/{uuid('track', 123)}",
        "artist": f"/artist/{a}",
        "analytics (form)": "/analytics",
        "analytics (2 artists)": f"/analytics?artist={a}&artist={b}&{period}",
        "analytics .xlsx": f"/analytics.xlsx?artist={a}&artist={b}&{period}",
        "completeness (one chart)": "/completeness/chart-07",
        "completeness (every chart)": "/completeness",
    }
    client.get("/analytics")  # the first request pays for imports and connections
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores (CPU ms: this process only)")
    print(f"{'page':28} {'status':>6} {'cold ms':>8} {'cold CPU':>8} {'refresh':>8} {'warm ms':>8}")
    for name, page in pages.items():
        status, cold, cold_cpu = median_ms(client, page, args.repeat, "cold")
        _, refresh, _ = median_ms(client, page, args.repeat, "refresh")
        _, warm, _ = median_ms(client, page, args.repeat, "warm")
        print(f"{name:28} {status:>6} {cold:>8.0f} {cold_cpu:>8.0f} {refresh:>8.0f} {warm:>8.0f}")
    started = time.perf_counter()
    charts = frames.chart_slugs(read_only_url(url))
    home.AUDITS.audit(read_only_url(url), charts)
    print(
        f"the audit of all {len(charts)} charts (made in the background): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()

"""Scale benchmark: 12 chart runs at once on a fleet of 3 workers, as in the scale-out guide.

A Prefect server on PostgreSQL (the guide's recorder settings), `chartcascade setup`, `prefect
deploy --all` (and `schedule add` for the charts prefect.yaml lacks), 3 process workers on one
pool, the project database on PostgreSQL, and the sandbox served over HTTP at R = 100 requests
per second counted over a 60-s window (the real API counts per minute). 12 charts of 200
entries sharing tracks and artists are started at once through the Prefect API. Both databases
live in a private PostgreSQL cluster the benchmark starts (12 runs hold ~150 connections, more
than a default server allows), or on the server `--postgres` names.

    .venv/bin/python benchmarks/fleet.py [--burst 48] [--logs DIR] [--postgres URL]  # ~9 min

Prints: total time against the floor, sustained rate as a share of R and a per-endpoint
timeline (from the sandbox's own request log), 429 answers, calls against the minimum (each
shared entity once across all runs, computed from the sandbox world, not from the flows),
the server's task-run recording lag after the last run ends, peak memory (VmHWM) of every
process, and rows sharing a natural key in the project database. Everything it starts (two
fresh databases, the cluster, the processes) is removed at the end, also on Ctrl-C or failure.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl
from uuid import UUID

import httpx
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from baseline import ARTIST_PLATFORMS, LISTENING_PLATFORMS, SONG_PLATFORMS  # noqa: E402
from cascade import wait_for  # noqa: E402
from databases import Databases  # noqa: E402

from tests.integration.checks import query  # noqa: E402
from tests.integration.processes import (  # noqa: E402
    BIN,
    Processes,
    descendants,
    free_port,
    wait_for_api,
)

R = 100.0  # the sandbox's rate limit, requests per second ...
WINDOW = 60.0  # ... counted over this window, as the real API counts per minute
RATE = 0.95 * R  # the shared Prefect rate limit, just under R
BURST = round(RATE / 2)  # a grant lasts burst / rate = 0.5 s (README: "rate/2 or so")
LATENCY_MS = 50.0  # the sandbox's answer time, as in benchmarks/cascade.py
ENTRIES = 200
COUNTRY_CHARTS = 6  # with the sandbox's 6 catalogue charts: 12 charts
WORLD = {"seed": 42, "n_songs": 2500, "n_artists": 1200}  # 12 x 203 entries, ~600 songs
WORKERS, RUNS_PER_WORKER = 3, 4
POOL = "chartcascade-process"
AIRPLAY_DAYS, LOOKBACK_DAYS = 7, 90
OPTIONS = {
    "track_platforms": [*SONG_PLATFORMS, "airplay"],
    "artist_platforms": ARTIST_PLATFORMS,
    "listening_platforms": LISTENING_PLATFORMS,
    "lookback_days": LOOKBACK_DAYS,
    "airplay_lookback_days": AIRPLAY_DAYS,
}
RUN_TIMEOUT, LAG_TIMEOUT, LAG_STABLE = 600.0, 90.0, 10.0
FINAL = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"]
CREDENTIALS = {"x-app-id": "soundcharts", "x-api-key": "soundcharts"}
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# --- the sandbox world and the minimum ---


def fleet_world(as_of: date) -> Any:
    """The sandbox world of the benchmark: its 6 catalogue charts and 6 country charts, all of
    200 entries over one pool of songs. `chart_sizes` sizes only catalogue charts (country
    charts are 50 long), so the country charts are built at 200 here."""
    import chartcascade.sandbox.world as world_module
    from chartcascade.sandbox.charts import CHART_SPECS
    from chartcascade.sandbox.country_charts import country_chart_specs

    def sized(count: int) -> list[Any]:
        return [replace(spec, size=ENTRIES) for spec in country_chart_specs(count)]

    with mock.patch.object(world_module, "country_chart_specs", sized):
        return world_module.SandboxWorld(
            **WORLD,  # type: ignore[arg-type]
            as_of=as_of,
            chart_sizes={spec.slug: ENTRIES for spec in CHART_SPECS},
            country_charts=COUNTRY_CHARTS,
        )


def serve_sandbox(port: int, as_of: date, rate_limit: int, window: float) -> None:
    """The sandbox process: `fleet_world` over HTTP until terminated."""
    from chartcascade.sandbox import Sandbox, SandboxConfig
    from chartcascade.sandbox.server import run_server

    config = SandboxConfig(latency_ms=LATENCY_MS, rate_limit=rate_limit, rate_window_seconds=window)
    run_server(Sandbox(world=fleet_world(as_of), config=config), "127.0.0.1", port)


def minimum_calls(as_of: date) -> tuple[Counter[str], int, int]:
    """The calls the 12 runs need when each shared entity is fetched once: every page of each
    ranking, then per distinct song its metadata, series and airplay days, per distinct
    credited artist its metadata and series; asked of an in-process sandbox of the same world
    (no flow code involved). Also the distinct songs and artists."""
    from chartcascade.sandbox import Sandbox

    world = fleet_world(as_of)
    sandbox = Sandbox(world=world)

    def pages(path: str, params: dict[str, str] | None = None) -> list[Any]:
        items: list[Any] = []
        query_: dict[str, str] = {**(params or {}), "offset": "0", "limit": "100"}
        while True:
            reply = sandbox.respond("GET", path, query_, CREDENTIALS)
            if reply.status != 200:  # an artist without an account: one call, no data
                return items
            body = json.loads(reply.body)
            items += body.get("items", [])
            following = (body.get("page") or {}).get("next")
            if not following:
                return items
            path, _, rest = following.partition("?")
            query_ = dict(parse_qsl(rest))

    def single(path: str) -> Any:
        return json.loads(sandbox.respond("GET", path, {}, CREDENTIALS).body)["object"]

    span = {"startDate": (as_of - timedelta(days=LOOKBACK_DAYS)).isoformat()}
    span["endDate"] = as_of.isoformat()
    songs: list[str] = []
    for chart in world.chart_slugs:
        songs += [i["song"]["uuid"] for i in pages(f"/api/v2.14/chart/song/{chart}/ranking/latest")]
    songs = list(dict.fromkeys(songs))
    artists: list[str] = []
    for song in songs:
        artists += [a["uuid"] for a in single(f"/api/v2.25/song/{song}")["artists"]]
        for platform in SONG_PLATFORMS:
            pages(f"/api/v2/song/{song}/audience/{platform}", span)
        for back in range(1, AIRPLAY_DAYS + 1):
            day = (as_of - timedelta(days=back)).isoformat()
            pages(f"/api/v2/song/{song}/broadcast-groups", {"startDate": day, "endDate": day})
    artists = list(dict.fromkeys(artists))
    for artist in artists:
        single(f"/api/v2.9/artist/{artist}")
        for platform in ARTIST_PLATFORMS:
            pages(f"/api/v2/artist/{artist}/audience/{platform}", span)
        for platform in LISTENING_PLATFORMS:
            pages(f"/api/v2/artist/{artist}/streaming/{platform}/listening", span)
    return sandbox.calls, len(songs), len(artists)


# --- databases ---

PG_BIN = Path("/usr/lib/postgresql/15/bin")
MAX_CONNECTIONS = 400  # 12 runs: each run's engine pools up to 40 connections (db.py)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a temporary folder, on a free port, with room for
    the fleet's connections (a shared server's default of 100 is not: runs then fail with
    "too many clients already" and so does everyone else on that server)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def _as_owner(self, command: list[str]) -> list[str]:
        """Run as `postgres` when we are root (PostgreSQL refuses to run as root)."""
        if os.geteuid() != 0:
            return command
        return ["su", "postgres", "-s", "/bin/sh", "-c", "exec " + shlex.join(command)]

    def start(self) -> str:
        """Initialise and start the cluster; its admin URL."""
        self.folder.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self.folder.parent.chmod(0o755)  # mkdtemp's 0700 would keep `postgres` out
        data = str(self.folder / "data")
        initdb = [str(PG_BIN / "initdb"), "-D", data, "-A", "trust", "-U", "postgres"]
        subprocess.run(
            self._as_owner([*initdb, "-E", "UTF8", "--locale=C.UTF-8"]),
            check=True,
            capture_output=True,
        )
        server = [
            str(PG_BIN / "postgres"),
            "-D",
            data,
            "-p",
            str(self.port),
            "-k",
            str(self.folder),
        ]
        server += ["-c", "listen_addresses=127.0.0.1", "-c", f"max_connections={MAX_CONNECTIONS}"]
        log = (self.folder / "postgres.log").open("wb")
        self.process = subprocess.Popen(
            self._as_owner(server), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        deadline = time.monotonic() + 60
        while True:
            try:
                engine = create_engine(url, poolclass=NullPool)
                with engine.connect():
                    engine.dispose()
                    return url
            except Exception:  # noqa: BLE001 - not up yet
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL did not start: see {log.name}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        """Fast shutdown (disconnect every client), then remove the folder."""
        if self.process is not None and self.process.poll() is None:
            data = str(self.folder / "data")
            subprocess.run(
                self._as_owner([str(PG_BIN / "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"]),
                capture_output=True,
                timeout=60,
            )
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # su and the postmaster under it
        shutil.rmtree(self.folder, ignore_errors=True)


def connections(admin_url: str) -> Counter[str]:
    """Open connections per database."""
    engine = create_engine(admin_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT datname, count(*) FROM pg_stat_activity GROUP BY datname")
            ).all()
    finally:
        engine.dispose()
    return Counter({str(name): int(count) for name, count in rows if name})


def duplicates(url: str) -> dict[str, int]:
    """Per table and natural key (every unique constraint and unique column of
    chartcascade.models), the rows beyond the first sharing it."""
    from sqlalchemy import UniqueConstraint
    from sqlmodel import SQLModel

    import chartcascade.models  # noqa: F401  (registers the tables)

    found: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        keys = [
            [c.name for c in constraint.columns]
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        ]
        keys += [[c.name] for c in table.columns if c.unique]
        for key in keys:
            cols = ", ".join(key)
            [(extra,)] = query(
                url,
                f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {table.name} "
                f"GROUP BY {cols} HAVING count(*) > 1) d",
            )
            found[f"{table.name} ({cols})"] = int(extra)
    return found


# --- memory ---


class MemorySampler:
    """Peak RSS (VmHWM, which the kernel keeps per process) of every process under the ones
    started, read from /proc every 2 s while they live (and open connections per database)."""

    def __init__(self, processes: Processes, run_charts: dict[str, str], admin_url: str) -> None:
        self.processes = processes
        self.admin_url = admin_url
        self.peak_connections: Counter[str] = Counter()  # per database
        self.run_charts = run_charts  # flow run id -> chart, filled in once runs start
        self.peak_kb: dict[int, int] = {}
        self.labels: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="memory")

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join(5)

    def _loop(self) -> None:
        while not self._stop.wait(2.0):
            self.sample()

    def sample(self) -> None:
        try:
            for database, count in connections(self.admin_url).items():
                self.peak_connections[database] = max(self.peak_connections[database], count)
        except Exception:  # noqa: BLE001, S110 - a full server refuses us too: keep sampling
            pass
        for name, process in list(self.processes.started):
            if process.poll() is not None:
                continue
            self._read(process.pid, name)
            for pid in descendants(process.pid):
                self._read(pid, None, parent=name)

    def _read(self, pid: int, name: str | None, parent: str = "") -> None:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            hwm = next(int(line.split()[1]) for line in status.splitlines() if "VmHWM" in line)
        except (OSError, StopIteration, ValueError):
            return
        self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), hwm)
        if pid not in self.labels or self.labels[pid].startswith("flow run ?"):
            self.labels[pid] = name or self._label(pid, parent)

    def _label(self, pid: int, parent: str) -> str:
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            return f"{parent} child"
        for entry in environ:
            if entry.startswith(b"PREFECT__FLOW_RUN_ID="):
                run_id = entry.split(b"=", 1)[1].decode()
                chart = self.run_charts.get(run_id)
                return f"flow run {chart} ({parent})" if chart else f"flow run ? ({parent})"
        return f"{parent} child: {command[:60]}"


# --- the fleet ---


def base_env(home: Path, api_url: str) -> dict[str, str]:
    """As the integration test's: an isolated Prefect home, no credentials from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SOUNDCHARTS_"))}
    env = {k: v for k, v in env.items() if not k.startswith(("CHARTCASCADE_", "DATABASE_URL"))}
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "INFO",
            "PREFECT_TASKS_DEFAULT_NO_CACHE": "true",
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "PREFECT_WORKER_PREFETCH_SECONDS": "2",
        }
    )
    return env


def prepare_deployments(charts: list[str]) -> dict[str, UUID]:
    """A deployment per chart (prefect.yaml's, else one `schedule add` creates), every
    deployment paused (no scheduled run may start during the benchmark) and the report
    trigger removed (a report run after each chart run is not part of the load measured)."""
    from prefect import get_client

    from chartcascade.deploy.schedules import add_schedule, chart_deployments

    with get_client(sync_client=True) as client:
        known = chart_deployments(client)
    for chart in charts:
        if chart not in known:
            add_schedule(chart, OPTIONS, path=ROOT / "prefect.yaml")
    with get_client(sync_client=True) as client:
        for deployment in client.read_deployments():
            client.pause_deployment(deployment.id)
            if "report" in deployment.tags:
                client.delete_resource_owned_automations(f"prefect.deployment.{deployment.id}")
        found = chart_deployments(client)
    return {chart: found[chart].id for chart in charts}


def wait_for_workers(count: int, seconds: float = 90) -> None:
    from prefect import get_client

    deadline = time.monotonic() + seconds
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            if len(client.read_workers_for_work_pool(POOL)) >= count:
                return
            time.sleep(1)
    raise RuntimeError(f"fewer than {count} workers on {POOL} after {seconds:.0f} s")


def start_runs(deployments: dict[str, UUID]) -> dict[str, UUID]:
    """One run per chart, created back to back through the API."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return {
            chart: client.create_flow_run_from_deployment(
                deployment, parameters={"chart": chart, "options": OPTIONS}
            ).id
            for chart, deployment in deployments.items()
        }


def wait_for_runs(run_ids: dict[str, UUID]) -> dict[str, Any]:
    """Each chart's flow run once every run is final, or as it is after RUN_TIMEOUT."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + RUN_TIMEOUT
    flow_filter = FlowRunFilter(id=FlowRunFilterId(any_=list(run_ids.values())))
    names = {run_id: chart for chart, run_id in run_ids.items()}
    with get_client(sync_client=True) as client:
        while True:
            runs = {names[r.id]: r for r in client.read_flow_runs(flow_run_filter=flow_filter)}
            done = all(r.state and r.state.is_final() for r in runs.values())
            if (len(runs) == len(run_ids) and done) or time.monotonic() > deadline:
                return runs
            time.sleep(1)


def recording_lag(api_url: str, run_ids: list[UUID], last_end: float) -> tuple[float, int, int]:
    """Seconds from the last run's end until the server's count of the runs' task runs (and of
    those in a final state) last changed; the counts then."""
    runs = {"flow_runs": {"id": {"any_": [str(r) for r in run_ids]}}}
    final = runs | {"task_runs": {"state": {"type": {"any_": FINAL}}}}
    last: tuple[int, int] | None = None
    changed = time.time()
    deadline = time.monotonic() + LAG_TIMEOUT
    with httpx.Client(base_url=api_url, timeout=30) as client:
        while time.monotonic() < deadline:
            counts = (
                int(client.post("/task_runs/count", json=runs).json()),
                int(client.post("/task_runs/count", json=final).json()),
            )
            if counts != last:
                last, changed = counts, time.time()
            elif counts[0] == counts[1] and time.time() - changed >= LAG_STABLE:
                break
            time.sleep(0.5)
    assert last is not None
    return max(0.0, changed - last_end), last[0], last[1]


def run_fleet(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    """Start everything, run the 12 charts, measure; stop and drop everything."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    as_of = datetime.now(UTC).date()
    private = None if args.postgres else PrivatePostgres(logs / "postgres")
    admin_url = args.postgres or ""
    databases = Databases(admin_url)
    processes = Processes(logs)
    result: dict[str, Any] = {"as_of": as_of, "burst": args.burst}
    try:
        if private is not None:
            admin_url = databases.admin_url = private.start()
        result["postgres"] = make_url(admin_url).render_as_string(hide_password=True)
        result["max_connections"] = query(admin_url, "SHOW max_connections")[0][0]
        prefect_db = databases.create(f"bench_prefect_{os.getpid()}")
        project_db = databases.create(f"bench_project_{os.getpid()}")
        port = free_port()
        api_url = f"http://127.0.0.1:{port}/api"
        env = base_env(logs / "prefect-home", api_url)
        server = processes.start(
            "server",
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1"]
            + ["--port", str(port), "--no-ui"],
            env
            | {
                "PREFECT_SERVER_DATABASE_CONNECTION_URL": make_url(prefect_db)
                .set(drivername="postgresql+asyncpg")
                .render_as_string(False),
                "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "200",
                "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "200",
                "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
                "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
            },
        )
        sandbox_port = free_port()
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        processes.start(
            "sandbox",
            [sys.executable, str(Path(__file__).resolve()), "--serve-sandbox", str(sandbox_port)]
            + ["--as-of", as_of.isoformat(), "--rate-limit", str(int(R * WINDOW))]
            + ["--rate-window", str(WINDOW)],
            env,
        )
        wait_for_api(api_url, server, timeout=120)
        wait_for(f"{sandbox_url}/_sandbox/stats", 60)
        run_env = env | {
            "SOUNDCHARTS_BASE_URL": sandbox_url,
            "SOUNDCHARTS_APP_ID": "soundcharts",
            "SOUNDCHARTS_API_KEY": "soundcharts",
            "DATABASE_URL": project_db,
            "CHARTCASCADE_RATE_LIMIT_PER_SECOND": f"{RATE:g}",
            "CHARTCASCADE_RATE_LIMIT_BURST": str(args.burst),
        }
        print(f"[{clock()}] server and sandbox up; setup, db upgrade, deploy", flush=True)
        processes.run("setup", [str(BIN / "chartcascade"), "setup"], run_env, timeout=120)
        processes.run("db-upgrade", [str(BIN / "chartcascade"), "db", "upgrade"], run_env, 120)
        deploy = [str(BIN / "prefect"), "--no-prompt", "deploy", "--all"]
        processes.run("deploy", deploy, env, 300)
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            charts = fleet_world(as_of).chart_slugs
            deployments = prepare_deployments(charts)
            for number in range(1, WORKERS + 1):
                worker = [str(BIN / "prefect"), "worker", "start", "--pool", POOL]
                worker += ["--limit", str(RUNS_PER_WORKER), "--name", f"fleet-worker-{number}"]
                processes.start(f"worker-{number}", worker, run_env)
            wait_for_workers(WORKERS)
            run_charts: dict[str, str] = {}
            with MemorySampler(processes, run_charts, admin_url) as memory:
                print(f"[{clock()}] {WORKERS} workers up; starting {len(charts)} runs", flush=True)
                result["started"] = time.time()
                run_ids = start_runs(deployments)
                result["created"] = time.time()
                run_charts.update({str(v): k for k, v in run_ids.items()})
                runs = wait_for_runs(run_ids)
                last_end = max(ended(r) for r in runs.values())
                if all(r.end_time for r in runs.values()):
                    print(f"[{clock()}] every run ended; measuring the recording lag", flush=True)
                else:
                    print(f"[{clock()}] runs left unfinished after {RUN_TIMEOUT:.0f} s", flush=True)
                result["lag"] = recording_lag(api_url, list(run_ids.values()), last_end)
            result["runs"] = runs
            result["memory"] = memory
        result["stats"] = httpx.get(f"{sandbox_url}/_sandbox/stats", timeout=60).json()
        result["duplicates"] = duplicates(project_db)
        result["rows"] = {
            table: query(project_db, f"SELECT count(*) FROM {table}")[0][0]
            for table in ("track", "artist", "track_audience_point", "artist_audience_point")
        }
        result["tracks_with_metadata"] = query(
            project_db, "SELECT count(*) FROM track WHERE metadata_fetched_at IS NOT NULL"
        )[0][0]
        result["open_failures"] = query(
            project_db, "SELECT count(*) FROM failed_item WHERE resolved_at IS NULL"
        )[0][0]
        result["monotonic_offset"] = time.time() - time.monotonic()
    finally:
        processes.stop_all()
        try:
            databases.drop_all()
        finally:
            if private is not None:
                private.stop()
    return result


def ended(run: Any) -> float:
    """When the run ended (now, for a run not ended)."""
    return float(run.end_time.timestamp()) if run.end_time else time.time()


def clock() -> str:
    return datetime.now(UTC).strftime("%H:%M:%S")


# --- the report ---


def report(result: dict[str, Any], minimum: Counter[str], songs: int, artists: int) -> None:
    stats, runs = result["stats"], result["runs"]
    offset = result["monotonic_offset"]
    log = sorted((t + offset, e, s) for t, e, s in stats["request_log"] if e != "token")
    calls = Counter(stats["calls"])
    calls.pop("token", None)
    made, needed = sum(calls.values()), sum(minimum.values())
    start = result["started"]
    end = max(ended(r) for r in runs.values())
    first, last = log[0][0], log[-1][0]
    sustained = (len(log) - 1) / (last - first)
    limited = sum(1 for _, _, status in log if status == 429)
    print()
    print(
        f"fleet: {len(runs)} charts x {ENTRIES} entries, world {WORLD} ({songs} distinct songs, "
        f"{artists} artists), {WORKERS} workers x {RUNS_PER_WORKER} runs"
    )
    print(
        f"  sandbox R = {R:g}/s ({int(R * WINDOW)} per {WINDOW:g} s), {LATENCY_MS:g} ms latency; "
        f"Prefect limit {RATE:g}/s burst {result['burst']}; load average "
        + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    states = Counter(r.state.name for r in runs.values())
    print(f"  runs: {dict(states)}; created in {result['created'] - start:.1f} s")
    print(
        f"  total time {end - start:.1f} s (first run created -> last run ended) vs floor "
        f"{made / R:.1f} s (calls made / R; minimum / R = {needed / R:.1f} s): "
        f"{(end - start) / (made / R):.2f}x"
    )
    print(
        f"    {first - start:.1f} s to the first API call, {last - first:.1f} s of API calls, "
        f"{end - last:.1f} s after the last"
    )
    print(f"  sustained {sustained:.1f}/s = {sustained / R:.3f} R (first to last API call)")
    print(f"  busiest {WINDOW:g} s window: {busiest(log, WINDOW)}; busiest 1 s: {busiest(log, 1)}")
    print(f"  429 answers: {limited}")
    verdict = "equal" if made == needed else f"{made - needed:+d}"
    print(f"  calls made {made} vs minimum {needed}: {verdict}")
    billable = Counter(stats["billable"])
    for endpoint in sorted(set(calls) | set(minimum)):
        print(
            f"    {endpoint:18} made {calls[endpoint]:6}  2xx {billable[endpoint]:6}  "
            f"minimum {minimum[endpoint]:6}  {calls[endpoint] - minimum[endpoint]:+d}"
        )
    lag, task_runs, final = result["lag"]
    print(
        f"  recording lag after the last run ended: {lag:.1f} s "
        f"({task_runs} task runs, {final} final)"
    )
    print("  peak memory (VmHWM):")
    memory = result["memory"]
    for pid in sorted(memory.peak_kb, key=lambda p: memory.labels[p]):
        print(f"    {memory.labels[pid]:48} {memory.peak_kb[pid] / 1024:7.0f} MB  (pid {pid})")
    dupes = result["duplicates"]
    print(
        f"  PostgreSQL {result['postgres']} (max_connections {result['max_connections']}); "
        f"peak connections per database: {dict(memory.peak_connections)}"
    )
    print(f"  duplicates in the project database: {sum(dupes.values())} over {len(dupes)} keys")
    for key, extra in dupes.items():
        if extra:
            print(f"    {key}: {extra}")
    print(
        f"  rows: {result['rows']}; tracks with metadata {result['tracks_with_metadata']} "
        f"(distinct songs {songs}); open failures {result['open_failures']}"
    )
    print("  per run (seconds after the first run was created):")
    for chart, run in sorted(runs.items(), key=lambda item: ended(item[1])):
        began = run.start_time.timestamp() - start if run.start_time else float("nan")
        print(
            f"    {chart:24} {run.state.name:10} start {began:6.1f}  end {ended(run) - start:6.1f}"
        )
    timeline(log, start)


def busiest(log: list[tuple[float, str, int]], window: float) -> int:
    times = [t for t, _, _ in log]
    best, low = 0, 0
    for high, moment in enumerate(times):
        while moment - times[low] >= window:
            low += 1
        best = max(best, high - low + 1)
    return best


SHORT = {
    "ranking": "rank",
    "song": "song",
    "song_audience": "s-aud",
    "broadcast_groups": "radio",
    "artist": "artist",
    "artist_audience": "a-aud",
    "artist_listening": "listen",
}


def timeline(log: list[tuple[float, str, int]], start: float, step: float = 10.0) -> None:
    """Requests per endpoint in each `step` seconds after the runs were created."""
    bins: dict[int, Counter[str]] = {}
    for moment, endpoint, status in log:
        row = bins.setdefault(int((moment - start) // step), Counter())
        row[SHORT.get(endpoint, endpoint)] += 1
        row["429"] += status == 429
    columns = [*SHORT.values(), "429"]
    print(f"  requests per {step:g} s, by endpoint (rate = all / {step:g}):")
    print("    " + f"{'t (s)':>7}" + "".join(f"{c:>8}" for c in columns) + f"{'all':>8}{'rate':>8}")
    for index in range(min(bins), max(bins) + 1):
        row = bins.get(index, Counter())
        total = sum(v for k, v in row.items() if k != "429")
        print(
            "    "
            + f"{index * step:7.0f}"
            + "".join(f"{row[c]:8}" for c in columns)
            + f"{total:8}{total / step:8.1f}"
        )


def interrupt(signum: int, frame: Any) -> None:
    """SIGTERM ends the benchmark as Ctrl-C does."""
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=Path, default=None, help="keep the processes' logs here")
    parser.add_argument(
        "--postgres",
        default=None,
        help="an admin URL of an existing PostgreSQL server to make the two fresh databases on "
        f"(for example {DEFAULT_ADMIN_URL}; it needs max_connections of about 300); "
        "default: a private cluster started (and removed) by the benchmark",
    )
    parser.add_argument(
        "--burst",
        type=int,
        default=BURST,
        help=f"burst of the shared Prefect rate limit (default {BURST}; its rate is {RATE:g}/s)",
    )
    parser.add_argument("--serve-sandbox", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--rate-limit", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--rate-window", type=float, default=WINDOW, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sandbox is not None:
        serve_sandbox(args.serve_sandbox, args.as_of, args.rate_limit, args.rate_window)
        return
    signal.signal(signal.SIGTERM, interrupt)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    logs = args.logs or Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    logs.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    try:
        result = run_fleet(args, logs)
    except BaseException:
        print(f"failed; the processes' logs are in {logs}", file=sys.stderr)
        raise
    print(f"[{clock()}] everything stopped and dropped; computing the minimum", flush=True)
    minimum, songs, artists = minimum_calls(result["as_of"])
    report(result, minimum, songs, artists)
    print(f"  benchmark wall time {time.monotonic() - began:.0f} s")
    if args.logs is None:
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The sandbox over real HTTP: a Starlette app and uvicorn (in a thread or blocking)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import quote

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

if TYPE_CHECKING:
    from chartcascade.sandbox.core import Sandbox

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
START_TIMEOUT_SECONDS = 10.0
STATS_PATH = "/_sandbox/stats"


def build_app(sandbox: Sandbox) -> Starlette:
    """One catch-all route handing every request to `sandbox.respond`."""

    async def endpoint(request: Request) -> Response:
        raw_path = request.scope.get("raw_path")
        path = raw_path.decode("ascii") if raw_path else quote(request.url.path)
        with sandbox.in_flight():  # a timed-out request is not open: its client gave up
            reply = sandbox.respond(
                request.method,
                path.split("?", 1)[0],
                dict(request.query_params.multi_items()),
                dict(request.headers),
                await request.body(),
            )
            if reply.delay_seconds and not reply.timeout:
                await asyncio.sleep(reply.delay_seconds)
        if reply.timeout and sandbox.config.timeout_delay_seconds:
            await asyncio.sleep(sandbox.config.timeout_delay_seconds)
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    async def stats(request: Request) -> Response:
        """Counters for a sandbox in another process (this route is not counted itself)."""
        if request.method == "POST":
            sandbox.reset_counts()
        body = {
            "calls": dict(sandbox.calls),
            "billable": dict(sandbox.billable),
            "statuses": [[e, s, n] for (e, s), n in sandbox.statuses.items()],
            "request_log": [list(entry) for entry in sandbox.request_log],
            "peak_in_flight": sandbox.peak_in_flight,
        }
        return Response(json.dumps(body), media_type="application/json")

    return Starlette(
        routes=[
            Route(STATS_PATH, stats, methods=["GET", "POST"]),
            Route("/{path:path}", endpoint, methods=METHODS),
        ]
    )


def _server(sandbox: Sandbox, host: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(
        sandbox.asgi_app(),
        host=host,
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


@contextmanager
def serve_in_thread(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve in a daemon thread; yields "http://host:port" once listening; stops on exit."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    server = _server(sandbox, host, bound_port)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="sandbox-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"sandbox server did not start on {host}:{bound_port}")
        time.sleep(0.01)
    try:
        shown = f"[{host}]" if ":" in host else host
        yield f"http://{shown}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_SECONDS)
        sock.close()


def run_server(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted (blocking), for `chartcascade sandbox serve --port N`."""
    _server(sandbox, host, port).run()

"""httpx transports answering from a sandbox in process, for any host (routing by path)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from chartcascade.sandbox.reply import SandboxReply

if TYPE_CHECKING:
    from chartcascade.sandbox.core import Sandbox


def _ask(sandbox: Sandbox, request: httpx.Request, body: bytes) -> SandboxReply:
    path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
    query = dict(request.url.params.multi_items())
    headers = {k.lower(): v for k, v in request.headers.multi_items()}
    return sandbox.respond(request.method, path, query, headers, body)


def _response(reply: SandboxReply, request: httpx.Request) -> httpx.Response:
    return httpx.Response(reply.status, headers=reply.headers, content=reply.body, request=request)


def _timed_out(request: httpx.Request) -> httpx.ReadTimeout:
    return httpx.ReadTimeout("sandbox: injected read timeout", request=request)


class SandboxTransport(httpx.BaseTransport):
    """Sync transport: sleeps the configured latency; a timeout fault raises ReadTimeout."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.sandbox.in_flight():
            reply = _ask(self.sandbox, request, request.read())
            if reply.delay_seconds:
                time.sleep(reply.delay_seconds)
        if reply.timeout:
            raise _timed_out(request)
        return _response(reply, request)


class AsyncSandboxTransport(httpx.AsyncBaseTransport):
    """Async transport: awaits the configured latency; a timeout fault raises ReadTimeout."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with self.sandbox.in_flight():
            reply = _ask(self.sandbox, request, await request.aread())
            if reply.delay_seconds:
                await asyncio.sleep(reply.delay_seconds)
        if reply.timeout:
            raise _timed_out(request)
        return _response(reply, request)

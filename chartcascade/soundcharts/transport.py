"""Connection pools for the client: one per thread, kept across the clients a thread opens."""

from __future__ import annotations

import functools
import ssl
import threading

import httpx


class _KeptTransport(httpx.HTTPTransport):
    """A connection pool that outlives the clients using it (closing a client leaves it open)."""

    def close(self) -> None:
        """Kept open for the next client on this thread."""


@functools.lru_cache
def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


_per_thread = threading.local()


def thread_transport() -> httpx.BaseTransport:
    """This thread's connection pool: kept-alive connections across the clients a thread opens
    (a Prefect task opens its own client), one TLS context for the process, and no lock shared
    between threads (one pool for all threads made 16 task threads queue on its lock)."""
    transport: httpx.BaseTransport | None = getattr(_per_thread, "transport", None)
    if transport is None:
        transport = _per_thread.transport = _KeptTransport(
            verify=_ssl_context(),
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
        )
    return transport

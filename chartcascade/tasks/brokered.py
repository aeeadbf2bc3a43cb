"""One asker of a shared Prefect rate limit per machine: the asking end (see
`chartcascade.tasks.broker`). A process asks the machine's broker for slots, hosting the
broker when there is none; when no broker can be reached or one stops answering, it asks the
Prefect API itself for a while (the server's count keeps the bound either way)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import weakref
from contextlib import AbstractContextManager
from typing import Any

from chartcascade.tasks.broker import (
    KEEPALIVE_SECONDS,
    SUPPORTED,
    Broker,
    same_user,
    socket_address,
)
from chartcascade.tasks.slots import (
    Grant,
    MissingLimitError,
    RateLimiterUnavailable,
    SlotRequester,
    asking,
)

logger = logging.getLogger(__name__)

READ_SECONDS = 0.2  # how often a waiting process checks whether its run is stopping
CONNECT_SECONDS = 5.0  # reaching (or hosting) a broker takes at most this long
RECONNECTS = 20  # brokers lost within one acquisition before this process stops trying
FALLBACK_SECONDS = 60.0  # a broker that failed is left alone this long
# A broker silent for this many keep-alive intervals is unusable: well within the waiting
# threads' timeout, so asking Prefect directly still has time to be answered.
SILENT_KEEPALIVES = 3
ERRORS: dict[str, type[Exception]] = {
    "MissingLimitError": MissingLimitError,
    "RateLimiterUnavailable": RateLimiterUnavailable,
}

_requesters: weakref.WeakSet[BrokeredRequester] = weakref.WeakSet()


class BrokerUnusable(Exception):
    """No broker can serve this process now: it asks Prefect itself for a while."""


class BrokeredRequester:
    """Asks the machine's broker for chunks, hosting the broker when there is none; the
    interface of `SlotRequester`, which the broker uses to ask Prefect."""

    def __init__(
        self, name: str, chunk: int, refill: float, timeout: float, starved: float
    ) -> None:
        self.name = name
        self.chunk = chunk
        self.refill = refill
        self.timeout = timeout
        self.starved = starved
        self.address = socket_address(name, chunk, refill)
        self.hosting = False  # whether this process's broker serves the machine
        self.fallbacks = 0  # times the broker failed and this process asked Prefect itself
        self._heard: float | None = None  # when the broker last answered
        self._conn: socket.socket | None = None
        self._buffer = b""
        self._broker: Broker | None = None
        self._direct: SlotRequester | None = None  # asks Prefect while the broker is unusable
        self._direct_until = 0.0
        _requesters.add(self)

    @property
    def denials(self) -> int:
        """Requests the Prefect server refused this process (only when asking it itself)."""
        return self._direct.denials if self._direct is not None else 0

    @property
    def denied_at(self) -> float | None:
        """When an answer last said the slots are others' for now (monotonic)."""
        direct = self._direct.denied_at if self._direct is not None else None
        return max(direct or 0.0, self._heard or 0.0) or None

    @property
    def free_at(self) -> float:
        return self._direct.free_at if self._direct is not None else 0.0

    def asking(self) -> AbstractContextManager[Any]:
        return asking()

    def acquire(self, stop: threading.Event) -> Grant | None:
        """Block until the broker (or, while none is usable, the Prefect API) grants this
        process slots, or None when `stop` is set."""
        while not stop.is_set():
            if self._direct is not None and time.monotonic() < self._direct_until:
                return self._direct.acquire(stop)
            try:
                return self._from_broker(stop)
            except BrokerUnusable as exc:
                self._fall_back(str(exc))
        return None

    def close(self, timeout: float = 5.0) -> None:
        self._drop()
        broker, self._broker = self._broker, None
        if broker is not None:
            broker.close(timeout)
        self.hosting = False
        if self._direct is not None:
            self._direct.close()

    def forget(self) -> None:
        """Close this process's copy of the connection only (a forked child's)."""
        if self._conn is not None:
            self._conn.close()
        self._conn, self._broker, self.hosting = None, None, False

    def _from_broker(self, stop: threading.Event) -> Grant | None:
        heard = time.monotonic()
        silent = min(self.timeout, SILENT_KEEPALIVES * KEEPALIVE_SECONDS)
        reconnects = 0
        while not stop.is_set():
            conn = self._connection(stop)
            if conn is None:
                return None
            try:
                conn.sendall(b"want\n")
                while True:
                    if stop.is_set():
                        self._drop()  # the broker forgets the request with the connection
                        return None
                    line = self._read_line(conn)
                    now = time.monotonic()
                    if line is None:
                        if now - heard > silent:
                            raise BrokerUnusable(f"it sent nothing for {silent:g} s")
                        continue
                    kind, _, rest = line.partition(" ")
                    if kind == "wait":
                        heard = self._heard = now
                    elif kind == "grant":
                        self._heard = now
                        return parse_grant(rest)
                    elif kind == "error":
                        self._heard = now
                        error, _, message = rest.partition(" ")
                        raise ERRORS.get(error, RateLimiterUnavailable)(message)
                    else:
                        raise BrokerUnusable(f"it sent an unreadable line: {line[:80]!r}")
            except (OSError, EOFError):  # the broker went away: ask the next one
                self._drop()
                reconnects += 1
                if reconnects > RECONNECTS:
                    raise BrokerUnusable(f"{RECONNECTS} brokers went away in turn") from None
                stop.wait(0.01)
        return None

    def _fall_back(self, why: str) -> None:
        self._drop()
        self.fallbacks += 1
        if self._direct is None:
            self._direct = SlotRequester(
                self.name, self.chunk, self.refill, self.timeout, self.starved
            )
        self._direct_until = time.monotonic() + FALLBACK_SECONDS
        logger.warning(
            "The machine's broker of the rate limit %r is unusable (%s): asking the Prefect "
            "API directly for %g s",
            self.name,
            why,
            FALLBACK_SECONDS,
        )

    def _read_line(self, conn: socket.socket) -> str | None:
        """The broker's next line, or None when none came within READ_SECONDS."""
        while b"\n" not in self._buffer:
            try:
                data = conn.recv(4096)
            except TimeoutError:
                return None
            if not data:
                raise EOFError("the rate-limit broker closed")
            self._buffer += data
            if len(self._buffer) > 4096:
                raise BrokerUnusable("it sent a line longer than 4096 bytes")
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode(errors="replace")

    def _connection(self, stop: threading.Event) -> socket.socket | None:
        """The connection to the machine's broker, hosting it first when there is none."""
        deadline = time.monotonic() + CONNECT_SECONDS
        while self._conn is None:
            if stop.is_set():
                return None
            if time.monotonic() > deadline:
                raise BrokerUnusable(f"none could be reached or hosted in {CONNECT_SECONDS:g} s")
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(CONNECT_SECONDS)
            try:
                conn.connect(self.address)
            except (ConnectionRefusedError, FileNotFoundError):
                conn.close()
                if not self._host():
                    stop.wait(0.01)  # another process is binding it: ask that one
                continue
            except OSError as exc:
                conn.close()
                raise BrokerUnusable(f"connecting failed: {exc}") from exc
            if not same_user(conn):
                conn.close()
                raise BrokerUnusable("its socket is held by another user")
            conn.settimeout(READ_SECONDS)
            self._conn, self._buffer = conn, b""
        return self._conn

    def _host(self) -> bool:
        """Bind the broker's socket and serve the machine; False when another process has."""
        if self._broker is not None:
            self._broker.close()
            self._broker = None
        self.hosting = False
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(self.address)
            listener.listen(64)
        except OSError:
            listener.close()
            return False
        requester = SlotRequester(self.name, self.chunk, self.refill, self.timeout, self.starved)
        self._broker = Broker(listener, requester)
        self._broker.start()
        self.hosting = True
        return True

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def parse_grant(text: str) -> Grant:
    """`SENT EXPIRES SLOTS` of a grant line."""
    try:
        sent, expires, slots = text.split()
        grant = Grant(float(sent), float(expires), int(slots))
    except ValueError:
        raise BrokerUnusable(f"it sent an unreadable grant: {text[:80]!r}") from None
    if grant.slots < 1:
        raise BrokerUnusable(f"it granted {grant.slots} slots")
    return grant


def _forget_in_child() -> None:
    for requester in list(_requesters):
        requester.forget()


if SUPPORTED:
    os.register_at_fork(after_in_child=_forget_in_child)

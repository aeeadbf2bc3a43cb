"""One asker of a shared Prefect rate limit per machine.

In a fleet of 12 runs on one limit, every process asking the Prefect server for its own chunks
made the server the bottleneck: 75 denied increments a second, answers up to 1.4 s late, and
0.08-0.17 R in all (benchmarks/README.md, Fleet). Here the first process of a machine that
needs the limit binds a local socket and asks Prefect for the whole machine, one chunk at a
time, handing out shares of each chunk to the processes in the order they asked; the others
ask it, not the server. (A whole chunk for a process with few requests left, say waiting for
items other runs hold, mostly expired unspent: with 12 runs, 0.38 R.)
When that process exits, its socket goes with it and the next process to ask takes over.

The socket is a Linux abstract one: the name dies with its owner (no file is left behind)
and binding it is the election. Both ends check that the other runs as the same user.
Elsewhere every process asks Prefect itself.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import hashlib
import os
import socket
import struct
import sys
import threading
import time
import weakref
from collections import deque
from contextlib import AbstractContextManager
from typing import Any

from prefect.settings import PREFECT_API_URL

from chartcascade.tasks.slots import (
    Grant,
    MissingLimitError,
    RateLimiterUnavailable,
    SlotRequester,
    timeout_message,
)

SUPPORTED = sys.platform == "linux"
# The broker tells each waiting process this often that it is still there (the waiters'
# timeout counts from what they last heard).
KEEPALIVE_SECONDS = 5.0
READ_SECONDS = 0.2  # how often a waiting process checks whether its run is stopping
SHARES_PER_CHUNK = 6  # a process is handed this part of a chunk at a time (at least 1 slot)
# Slots with less than this part of a chunk's life (chunk / refill) left are not handed out.
MIN_LIFE_SHARE = 0.1
ERRORS: dict[str, type[Exception]] = {
    "MissingLimitError": MissingLimitError,
    "RateLimiterUnavailable": RateLimiterUnavailable,
}


# Brokers this process hosts, closed at exit: a daemon thread the interpreter stops inside
# pydantic-core's Rust frames (as the Prefect client's are) aborts the process.
_hosted: weakref.WeakSet[Broker] = weakref.WeakSet()
EXIT_TIMEOUT_SECONDS = 3.0


@atexit.register
def close_hosted() -> None:
    """Close every broker this process hosts (at exit, before daemon threads are stopped)."""
    deadline = time.monotonic() + EXIT_TIMEOUT_SECONDS
    for hosted in list(_hosted):
        hosted.close(max(0.0, deadline - time.monotonic()))


def socket_address(name: str, chunk: int, refill: float) -> str:
    """The abstract socket of the broker for one limit of one Prefect API and user."""
    key = "\n".join([str(os.getuid()), str(PREFECT_API_URL.value() or ""), name, str(chunk)])
    digest = hashlib.sha256(f"{key}\n{refill!r}".encode()).hexdigest()[:32]
    return f"\0chartcascade-rate-{digest}"


def same_user(conn: socket.socket) -> bool:
    """Whether the process at the other end of `conn` runs as this process's user."""
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return bool(uid == os.getuid())


class Broker:
    """Shares of the chunks of one `SlotRequester` for the processes of a machine, first asked
    first served; a share whose asker has gone goes to the next one waiting."""

    def __init__(self, listener: socket.socket, requester: SlotRequester) -> None:
        self._listener = listener
        self._requester = requester
        self._share = max(1, -(-requester.chunk // SHARES_PER_CHUNK))
        self._min_life = MIN_LIFE_SHARE * requester.chunk / requester.refill
        self._waiting: deque[socket.socket] = deque()
        self._served: set[socket.socket] = set()  # every process's open connection
        self._changed = threading.Condition()
        self._send_lock = threading.Lock()
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        _hosted.add(self)
        for work in (self._accept, self._dispatch, self._keep_alive):
            context = contextvars.copy_context()  # the caller's Prefect settings
            thread = threading.Thread(
                target=context.run, args=(work,), name=f"rate-broker-{work.__name__}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def close(self, timeout: float = 5.0) -> None:
        """Stop serving: the waiting processes see the socket close and ask again."""
        with self._changed:
            self._closed.set()
            self._changed.notify_all()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))
        _hosted.discard(self)
        with self._changed:
            served, self._served, self._waiting = list(self._served), set(), deque()
        for conn in served:  # the processes see it close and ask the next broker
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self._requester.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            if not same_user(conn):
                conn.close()
                continue
            with self._changed:
                if self._closed.is_set():
                    conn.close()
                    return
                self._served.add(conn)
            reader = threading.Thread(target=self._read, args=(conn,), daemon=True)
            reader.start()

    def _read(self, conn: socket.socket) -> None:
        """One process's requests, a line `want` each; it has gone when its socket closes."""
        try:
            with conn.makefile("rb") as lines:
                for line in lines:
                    if line.strip() == b"want":
                        with self._changed:
                            self._waiting.append(conn)
                            self._changed.notify_all()
        except OSError:
            pass
        finally:
            with self._changed:
                self._waiting = deque(c for c in self._waiting if c is not conn)
                self._served.discard(conn)
            conn.close()

    def _dispatch(self) -> None:
        grant, left = None, 0  # the chunk being handed out, and its slots not handed out yet
        with self._requester.asking():
            while True:
                with self._changed:
                    while not self._waiting and not self._closed.is_set():
                        self._changed.wait()
                    if self._closed.is_set():
                        return
                if grant is None or left <= 0 or grant.expires - time.monotonic() < self._min_life:
                    try:
                        grant = self._requester.acquire(self._closed)
                    except Exception as exc:  # noqa: BLE001 - told to every waiting process
                        self._fail_all(exc)
                        continue
                    if grant is None:
                        return
                    left = grant.slots
                share = min(self._share, left)
                if self._hand_out(f"grant {grant.sent!r} {grant.expires!r} {share}\n".encode()):
                    left -= share

    def _hand_out(self, message: bytes) -> bool:
        """Send `message` to the process that asked first; False when none is waiting."""
        while True:
            with self._changed:
                if not self._waiting:
                    return False
                conn = self._waiting.popleft()
            if self._send(conn, message):
                return True

    def _fail_all(self, exc: Exception) -> None:
        text = " ".join(str(exc).split())
        message = f"error {type(exc).__name__} {text}\n".encode()
        with self._changed:
            waiting, self._waiting = list(self._waiting), deque()
        for conn in waiting:
            self._send(conn, message)

    def _keep_alive(self) -> None:
        while not self._closed.wait(KEEPALIVE_SECONDS):
            with self._changed:
                waiting = list(dict.fromkeys(self._waiting))
            for conn in waiting:
                self._send(conn, b"wait\n")

    def _send(self, conn: socket.socket, message: bytes) -> bool:
        with self._send_lock:
            try:
                conn.sendall(message)
            except OSError:
                return False
            return True


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
        self.denials = 0  # the broker's denials are not this process's
        self.denied_at: float | None = None  # when the broker last said it is still asking
        self.free_at = 0.0  # the broker knows when the next chunk is free, not this process
        self.hosting = False  # whether this process's broker serves the machine
        self._conn: socket.socket | None = None
        self._buffer = b""
        self._broker: Broker | None = None

    def asking(self) -> AbstractContextManager[Any]:
        return contextlib.nullcontext()

    def acquire(self, stop: threading.Event) -> Grant | None:
        """Block until the broker hands this process a chunk, or None when `stop` is set.
        A broker that goes away is replaced (by this process, if it binds the socket first)
        and asked again."""
        heard = time.monotonic()
        while not stop.is_set():
            conn = self._connection(stop)
            if conn is None:
                return None
            try:
                conn.sendall(b"want\n")
                while not stop.is_set():
                    line = self._read_line(conn)
                    now = time.monotonic()
                    if line is None:
                        if now - heard > self.timeout:
                            raise RateLimiterUnavailable(timeout_message(self.name, self.timeout))
                        continue
                    heard = self.denied_at = now
                    kind, _, rest = line.partition(" ")
                    if kind == "grant":
                        sent, expires, slots = rest.split()
                        return Grant(float(sent), float(expires), int(slots))
                    if kind == "error":
                        error, _, message = rest.partition(" ")
                        raise ERRORS.get(error, RateLimiterUnavailable)(message)
            except (OSError, EOFError, ValueError):
                self._drop()  # the broker went away: the next one is asked
                stop.wait(0.01)
        return None

    def close(self) -> None:
        self._drop()
        broker, self._broker = self._broker, None
        if broker is not None:
            broker.close()
        self.hosting = False

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
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode()

    def _connection(self, stop: threading.Event) -> socket.socket | None:
        """The connection to the machine's broker, hosting it first when there is none."""
        while self._conn is None and not stop.is_set():
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                conn.connect(self.address)
            except (ConnectionRefusedError, FileNotFoundError):
                conn.close()
                if not self._host():
                    stop.wait(0.01)  # another process is binding it: ask that one
                continue
            except OSError:
                conn.close()
                raise
            if not same_user(conn):
                conn.close()
                raise RateLimiterUnavailable(
                    f"The local socket of the rate limit {self.name!r} is held by another user"
                )
            conn.settimeout(READ_SECONDS)
            self._conn, self._buffer = conn, b""
        return self._conn

    def _host(self) -> bool:
        """Bind the broker's socket and serve the machine; False when another process has."""
        if self._broker is not None:
            self._broker.close()
            self._broker = None
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

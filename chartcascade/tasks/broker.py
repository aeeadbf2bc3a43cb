"""One asker of a shared Prefect rate limit per machine: the serving end.

In a fleet of 12 runs on one limit, every process asking the Prefect server for its own chunks
made the server the bottleneck: 75 denied increments a second, answers up to 1.4 s late, and
0.08-0.17 R in all (benchmarks/README.md, Fleet). Here the first process of a machine that
needs the limit binds a local socket and asks Prefect for the whole machine, one chunk at a
time, handing out shares of each chunk to the processes in the order they asked; the others
ask it (`chartcascade.tasks.brokered`), not the server. (Whole chunks went mostly unspent to
processes with few requests left: with 12 runs, 0.38 R.) When that process exits, its socket
goes with it and the next process to ask takes over.

The socket is a Linux abstract one: the name dies with its owner (no file is left behind)
and binding it is the election. Both ends check that the other runs as the same user.
Elsewhere every process asks Prefect itself.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import errno
import hashlib
import logging
import os
import socket
import struct
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable

from prefect.settings import PREFECT_API_URL, PREFECT_HOME

from chartcascade.tasks.slots import Grant, SlotRequester

logger = logging.getLogger(__name__)

SUPPORTED = sys.platform == "linux"
PROTOCOL = "v2"  # in the socket's name: processes of another version never meet
# The broker tells each waiting process this often that it is still asking (the waiters'
# timeout counts from what they last heard).
KEEPALIVE_SECONDS = 5.0
SHARES_PER_CHUNK = 6  # a process is handed this part of a chunk at a time (at least 1 slot)
# Slots with less than this part of a chunk's life (chunk / refill) left are not handed out.
MIN_LIFE_SHARE = 0.1
# A share may be spent this part of a second's refill late (the limit runs at 0.95 of the API's
# rate: in the worst case a window sees its own 5% more).
SLACK_SHARE = 0.05
# accept() failing with these is a passing shortage: try again shortly.
PASSING_ERRORS = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.ECONNABORTED}
EXIT_TIMEOUT_SECONDS = 3.0

# Brokers this process hosts, closed at exit: a daemon thread the interpreter stops inside
# pydantic-core's Rust frames (as the Prefect client's are) aborts the process.
_hosted: weakref.WeakSet[Broker] = weakref.WeakSet()


@atexit.register
def close_hosted() -> None:
    """Close every broker this process hosts (at exit, before daemon threads are stopped)."""
    deadline = time.monotonic() + EXIT_TIMEOUT_SECONDS
    for hosted in list(_hosted):
        hosted.close(max(0.0, deadline - time.monotonic()))


def _forget_in_child() -> None:
    """A forked child holds copies of its parent's sockets: close the copies (never shut them
    down, which would cut the parent's) so that the name dies with the parent."""
    for hosted in list(_hosted):
        hosted.forget()
    _hosted.clear()


if SUPPORTED:
    os.register_at_fork(after_in_child=_forget_in_child)


def socket_address(name: str, chunk: int, refill: float) -> str:
    """The abstract socket of the broker for one limit of one Prefect API and user. Without
    `PREFECT_API_URL` each process starts its own API on `PREFECT_HOME`'s database."""
    api = str(PREFECT_API_URL.value() or f"home:{PREFECT_HOME.value()}")
    key = "\n".join([PROTOCOL, str(os.getuid()), api, name, str(chunk), repr(refill)])
    return f"\0chartcascade-rate-{PROTOCOL}-{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def same_user(conn: socket.socket) -> bool:
    """Whether the process at the other end of `conn` runs as this process's user."""
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return bool(uid == os.getuid())


class Broker:
    """Shares of the chunks of one `SlotRequester` for the processes of a machine, first asked
    first served (one request per process at a time); a share whose asker has gone goes to
    the next one waiting."""

    def __init__(self, listener: socket.socket, requester: SlotRequester) -> None:
        self._listener = listener
        self._requester = requester
        self._share = max(1, -(-requester.chunk // SHARES_PER_CHUNK))
        self._min_life = MIN_LIFE_SHARE * requester.chunk / requester.refill
        self._slack = max(1.0, SLACK_SHARE * requester.refill)  # slots a share may be late by
        self._waiting: deque[socket.socket] = deque()
        self._served: set[socket.socket] = set()  # every process's open connection
        self._asking_since: float | None = None  # when the dispatcher's acquisition began
        self._next_share = 0.0  # shares go out `share / refill` apart, as one process's pace
        self._changed = threading.Condition()
        self._send_lock = threading.Lock()
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        _hosted.add(self)
        for work in (self._accept, self._dispatch, self._keep_alive):
            context = contextvars.copy_context()  # the caller's Prefect settings
            thread = threading.Thread(
                target=context.run,
                args=(self._or_close, work),
                name=f"rate-broker-{work.__name__}",
                daemon=True,
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

    def _or_close(self, work: Callable[[], None]) -> None:
        """Run one of the broker's threads; if it dies, the broker closes and frees the name
        (another process takes over) instead of leaving it bound and deaf."""
        try:
            work()
        except BaseException:
            if not self._closed.is_set():
                logger.exception("The rate-limit broker stopped: freeing its socket")
                self.close(1.0)
            raise

    def forget(self) -> None:
        """Close this process's copies of the sockets only (a forked child's)."""
        self._closed.set()
        self._listener.close()
        for conn in list(self._served):
            conn.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError as exc:
                if self._closed.is_set():
                    return
                if exc.errno in PASSING_ERRORS:
                    time.sleep(0.1)
                    continue
                self.close(1.0)  # free the name: another process takes over
                return
            with self._changed:
                if self._closed.is_set() or not same_user(conn):
                    conn.close()
                    continue
                self._served.add(conn)
            # A process that stops reading must not hold up the others' grants.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 1, 0))
            reader = threading.Thread(target=self._read, args=(conn,), daemon=True)
            reader.start()

    def _read(self, conn: socket.socket) -> None:
        """One process's requests, a line `want` each; it has gone when its socket closes."""
        try:
            with conn.makefile("rb") as lines:
                for line in lines:
                    if line.strip() != b"want":
                        break  # not our protocol: hang up
                    with self._changed:
                        if conn not in self._waiting:
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
        grant: Grant | None = None  # the chunk being handed out
        left = 0  # its slots not handed out yet
        with self._requester.asking():
            while True:
                with self._changed:
                    while not self._waiting and not self._closed.is_set():
                        self._changed.wait()
                    if self._closed.is_set():
                        return
                if grant is None or left <= 0 or not self._usable(grant):
                    self._asking_since = time.monotonic()
                    try:
                        grant = self._requester.acquire(self._closed)
                    except Exception as exc:  # noqa: BLE001 - told to every waiting process
                        self._fail_all(exc)
                        continue
                    finally:
                        self._asking_since = None
                    if grant is None:
                        return
                    left = grant.slots
                share = min(self._share, left)
                # Spaced as one process's pace spaces requests: shares sent on arrival by
                # different processes would otherwise bunch (22 in a second against 20).
                if self._closed.wait(max(0.0, self._next_share - time.monotonic())):
                    return
                now = time.monotonic()
                # Each share is spendable only until the next one could be spent too, and a
                # little more (the limit's 5% headroom of a second): processes that hold a share
                # and spend it late cannot add their shares up within a window.
                expires = min(grant.expires, now + (share + self._slack) / self._requester.refill)
                if self._hand_out(f"grant {now!r} {expires!r} {share}\n".encode()):
                    self._next_share = now + share / self._requester.refill
                    left -= share

    def _usable(self, grant: Grant) -> bool:
        """Whether `grant` has life enough left to be handed out."""
        return grant.expires - time.monotonic() >= self._min_life

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

    def _answering(self) -> bool:
        """Whether the dispatcher is alive and its asking heard from the server lately."""
        if not self._threads[1].is_alive():
            return False
        since = self._asking_since
        if since is None:
            return True
        heard = max(since, self._requester.denied_at or 0.0)
        return time.monotonic() - heard < self._requester.timeout

    def _keep_alive(self) -> None:
        while not self._closed.wait(KEEPALIVE_SECONDS):
            if not self._answering():
                continue  # the waiters' timeouts run: they ask Prefect themselves
            with self._changed:
                waiting = list(self._waiting)
            for conn in waiting:
                self._send(conn, b"wait\n")

    def _send(self, conn: socket.socket, message: bytes) -> bool:
        with self._send_lock:
            try:
                conn.sendall(message)
            except OSError:
                return False
            return True

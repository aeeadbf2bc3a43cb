"""Claims that live only while their run works: a short lease, renewed in the background."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from chartcascade.crud.claims import renew
from chartcascade.db import session_scope

# A killed run's claims lapse within CLAIM_LEASE; a live run renews them every HEARTBEAT_EVERY.
CLAIM_LEASE = timedelta(seconds=45)
HEARTBEAT_EVERY = 15.0

logger = logging.getLogger(__name__)


class ClaimHeartbeat:
    """Renews every claim of one owner until stopped; a daemon thread, so it dies with the
    process and with it the claims' renewal."""

    def __init__(
        self,
        database_url: str,
        owner: str,
        *,
        lease: timedelta = CLAIM_LEASE,
        every: float = HEARTBEAT_EVERY,
    ) -> None:
        self.database_url = database_url
        self.owner = owner
        self.lease = lease
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start renewing (once; later calls do nothing)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._beat, name=f"claims-{self.owner[:8]}", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """Stop renewing; the claims left (normally none) lapse with their lease."""
        self._stop.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=self.every + 5)

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with session_scope(self.database_url) as session:
                    renew(session, owner=self.owner, lease=self.lease)
            except Exception as exc:  # noqa: BLE001 - a missed beat is retried at the next one
                logger.warning("Could not renew the claims of run %s: %s", self.owner, exc)

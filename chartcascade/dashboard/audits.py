"""The charts' completeness audits behind the home and all-charts pages: made once when the
dashboard starts, then again in the background once a minute old, so a page shows the last
audit at once instead of waiting for a new one (auditing twenty charts takes ~0.35 s).

A chart's own completeness page always audits anew.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from chartcascade.reports import frames
from chartcascade.reports.completeness import Completeness
from chartcascade.reports.completeness import audits as audit_charts

logger = logging.getLogger(__name__)
REFRESH_SECONDS = 60  # an audit older than this is made again, in the background
Audit = Callable[[str, list[str]], dict[str, Completeness]]
Key = tuple[str, tuple[str, ...]]


@dataclass
class Audited:
    """The audit of some charts and when it was made."""

    charts: dict[str, Completeness]
    made_at: datetime  # UTC
    made: float  # time.monotonic() when it was made


@dataclass
class _Slot:
    audited: Audited | None = None
    running: threading.Event | None = None  # set when the audit in flight ends
    lock: threading.Lock = field(default_factory=threading.Lock)


class AuditCache:
    """Audits of chart sets, each reused until `refresh_seconds` old and then refreshed in
    the background (one audit in flight per chart set; a failed refresh keeps the last)."""

    def __init__(self, audit: Audit = audit_charts, refresh_seconds: float = REFRESH_SECONDS):
        self.audit = audit
        self.refresh_seconds = refresh_seconds
        self._slots: dict[Key, _Slot] = {}
        self._lock = threading.Lock()

    def get(self, database_url: str, charts: Sequence[str]) -> Audited:
        """The newest audit of `charts`: made now (or awaited, when one is in flight) the
        first time, else the last one, refreshed in the background when it is old."""
        slot = self._slot(database_url, charts)
        with slot.lock:
            audited, running = slot.audited, slot.running
            stale = audited is not None and time.monotonic() - audited.made > self.refresh_seconds
            if audited is None and running is None or stale and running is None:
                running = slot.running = threading.Event()
                start = True
            else:
                start = False
        key = (database_url, tuple(sorted(charts)))
        if audited is not None:
            if start:
                threading.Thread(target=self._refresh, args=(key, slot), daemon=True).start()
            return audited
        if start:
            return self._run(key, slot)
        assert running is not None
        running.wait()
        return slot.audited or self.get(database_url, charts)  # the awaited audit failed

    def warm(self, database_url: str) -> None:
        """Audit every synced chart in the background (the dashboard's start)."""

        def audit() -> None:
            try:
                charts = frames.chart_slugs(database_url)
                if charts:
                    self.get(database_url, charts)
            except Exception:  # the first page audits again and shows the error
                logger.exception("the dashboard's first audit failed")

        threading.Thread(target=audit, daemon=True).start()

    def forget(self) -> None:
        """Drop every audit (the next page audits anew)."""
        with self._lock:
            self._slots.clear()

    def _slot(self, database_url: str, charts: Sequence[str]) -> _Slot:
        with self._lock:
            return self._slots.setdefault((database_url, tuple(sorted(charts))), _Slot())

    def _refresh(self, key: Key, slot: _Slot) -> None:
        try:
            self._run(key, slot)
        except Exception:
            logger.exception("refreshing the dashboard's audits failed; the last one stays")

    def _run(self, key: Key, slot: _Slot) -> Audited:
        database_url, charts = key
        try:
            made_at = datetime.now(UTC)
            found = Audited(self.audit(database_url, list(charts)), made_at, time.monotonic())
            with slot.lock:
                slot.audited = found
            return found
        finally:
            with slot.lock:
                running, slot.running = slot.running, None
            if running is not None:
                running.set()

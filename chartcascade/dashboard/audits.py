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
    """The audit of some charts, when it was made, and the last refresh that failed since."""

    charts: dict[str, Completeness]
    made_at: datetime  # UTC
    made: float  # time.monotonic() when it was made
    refresh_failed_at: datetime | None = None  # UTC
    refresh_error: str | None = None


@dataclass
class _Slot:
    audited: Audited | None = None
    stand_in: bool = False  # `audited` is an older chart set's, shown until this set's is made
    running: threading.Event | None = None  # set when the audit in flight ends
    error: BaseException | None = None  # how the last audit in flight failed
    tried: float = 0.0  # time.monotonic() of the last audit started
    lock: threading.Lock = field(default_factory=threading.Lock)


class AuditCache:
    """Audits of chart sets, each reused until `refresh_seconds` old and then refreshed in
    the background: one audit in flight per chart set, requests waiting on a first audit that
    fails all get its error, and a failed refresh keeps the last audit and is tried again
    only `refresh_seconds` later. One chart set is kept per database (the newest asked for)."""

    def __init__(self, audit: Audit = audit_charts, refresh_seconds: float = REFRESH_SECONDS):
        self.audit = audit
        self.refresh_seconds = refresh_seconds
        self._slots: dict[Key, _Slot] = {}
        self._lock = threading.Lock()

    def get(self, database_url: str, charts: Sequence[str]) -> Audited:
        """The newest audit of `charts`: made now (or awaited, when one is in flight) the
        first time, else the last one, refreshed in the background when it is old."""
        key = (database_url, tuple(sorted(charts)))
        slot = self._slot(key)
        with slot.lock:
            audited, running = slot.audited, slot.running
            now = time.monotonic()
            if audited is None:
                due = True
            elif slot.stand_in:  # this chart set was never audited: at once, then per period
                due = not slot.tried or now - slot.tried > self.refresh_seconds
            else:
                due = now - max(audited.made, slot.tried) > self.refresh_seconds
            start = running is None and due
            if start:
                running = slot.running = threading.Event()
                slot.tried = now
        if audited is not None:
            if start:
                threading.Thread(target=self._refresh, args=(key, slot), daemon=True).start()
            return audited
        if start:
            return self._run(key, slot)
        assert running is not None
        running.wait()
        with slot.lock:
            audited, error = slot.audited, slot.error
        if audited is None:
            raise error or RuntimeError("the dashboard's audit failed")
        return audited

    def last(self, database_url: str) -> Audited | None:
        """The newest audit kept for `database_url`, if any (none is started)."""
        with self._lock:
            slots = [s for k, s in self._slots.items() if k[0] == database_url]
        kept = [s.audited for s in slots if s.audited is not None]
        return max(kept, key=lambda a: a.made, default=None)

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

    def _slot(self, key: Key) -> _Slot:
        """The slot of `key`. A new chart set of a database (a chart synced or removed)
        replaces the idle older ones, and shows the newest of their audits (without the new
        charts) until its own is made."""
        with self._lock:
            slot = self._slots.get(key)
            if slot is None:
                older = [k for k in self._slots if k[0] == key[0]]
                kept = [self._slots[k].audited for k in older]
                newest = max((a for a in kept if a is not None), key=lambda a: a.made, default=None)
                for other in older:
                    if self._slots[other].running is None:
                        del self._slots[other]
                slot = self._slots[key] = _Slot(audited=newest, stand_in=newest is not None)
            return slot

    def _refresh(self, key: Key, slot: _Slot) -> None:
        try:
            self._run(key, slot)
        except Exception as exc:
            logger.warning("refreshing the dashboard's audits failed (%s); the last one stays", exc)
            with slot.lock:
                if slot.audited is not None and not slot.stand_in:
                    slot.audited.refresh_failed_at = datetime.now(UTC)
                    first_line = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
                    slot.audited.refresh_error = f"{type(exc).__name__}: {first_line}".rstrip(": ")

    def _run(self, key: Key, slot: _Slot) -> Audited:
        database_url, charts = key
        error: BaseException | None = None
        try:
            made_at = datetime.now(UTC)
            found = Audited(self.audit(database_url, list(charts)), made_at, time.monotonic())
            with slot.lock:
                slot.audited, slot.stand_in = found, False
            return found
        except BaseException as exc:
            error = exc
            raise
        finally:
            with slot.lock:
                running, slot.running, slot.error = slot.running, None, error
            if running is not None:
                running.set()

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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from chartcascade.reports import frames
from chartcascade.reports.completeness import Completeness
from chartcascade.reports.completeness import audits as audit_charts

logger = logging.getLogger(__name__)
REFRESH_SECONDS = 60  # an audit older than this is made again, in the background
Audit = Callable[[str, list[str]], dict[str, Completeness]]


@dataclass(frozen=True)
class Audited:
    """The audit of some charts and when it was made; as shown, also whether an audit is
    under way and how the last one failed since (a chart the audit lacks was synced since)."""

    charts: dict[str, Completeness]
    made_at: datetime  # UTC
    made: float  # time.monotonic() when it was made
    auditing: bool = False
    failed_at: datetime | None = None  # UTC
    failure: str | None = None


@dataclass
class _Slot:
    """One database's newest audit, its audit in flight and its last failure."""

    audited: Audited | None = None
    running: threading.Event | None = None  # set when the audit in flight ends
    tried: float = 0.0  # time.monotonic() when the last audit started
    error: BaseException | None = None  # how the last audit failed (None once one succeeds)
    failed_at: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class AuditCache:
    """The newest audit of each database, reused until `refresh_seconds` old, then made again
    in the background: one audit in flight per database; requests waiting on a first audit
    that fails all get its error; after a failure the next attempt waits a period. A request
    for charts the audit lacks (a chart synced since) gets the last audit at once, and an
    audit of its charts is started."""

    def __init__(self, audit: Audit = audit_charts, refresh_seconds: float = REFRESH_SECONDS):
        self.audit = audit
        self.refresh_seconds = refresh_seconds
        self._slots: dict[str, _Slot] = {}
        self._lock = threading.Lock()

    def get(self, database_url: str, charts: Sequence[str]) -> Audited:
        """The audit to show for `charts`: made now (or awaited, when one is in flight) the
        first time, else the last one, with a new one started when it is old or lacks some
        of `charts`."""
        wanted = frozenset(charts)
        slot = self._slot(database_url)
        with slot.lock:
            audited, running = slot.audited, slot.running
            if running is None and self._due(slot, wanted, time.monotonic()):
                running = slot.running = threading.Event()
                slot.tried = time.monotonic()
                start = True
            else:
                start = False
            shown = self._shown(slot, audited, running is not None)
        if shown is not None:
            if start:
                args = (database_url, slot, sorted(wanted))
                threading.Thread(target=self._refresh, args=args, daemon=True).start()
            return shown
        if start:
            return self._run(database_url, slot, sorted(wanted))
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
            slot = self._slots.get(database_url)
        return slot.audited if slot is not None else None

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

    def _slot(self, database_url: str) -> _Slot:
        with self._lock:
            return self._slots.setdefault(database_url, _Slot())

    def _due(self, slot: _Slot, wanted: frozenset[str], now: float) -> bool:
        """Whether an audit of `wanted` should start (none is in flight)."""
        audited = slot.audited
        if audited is None and slot.error is None:
            return True
        if slot.error is not None and now - slot.tried <= self.refresh_seconds:
            return audited is None  # a first audit that failed is tried by the next request
        if audited is None or not wanted <= audited.charts.keys():
            return True
        return now - max(audited.made, slot.tried) > self.refresh_seconds

    def _shown(self, slot: _Slot, audited: Audited | None, auditing: bool) -> Audited | None:
        """The audit as shown: with the audit under way and the last failure since."""
        if audited is None:
            return None
        failure = None
        if slot.error is not None:
            text = str(slot.error).strip()
            first_line = text.splitlines()[0][:120] if text else ""
            failure = f"{type(slot.error).__name__}: {first_line}".rstrip(": ")
        return replace(audited, auditing=auditing, failed_at=slot.failed_at, failure=failure)

    def _refresh(self, database_url: str, slot: _Slot, charts: list[str]) -> None:
        try:
            self._run(database_url, slot, charts)
        except Exception as exc:
            logger.warning("refreshing the dashboard's audits failed (%s); the last one stays", exc)

    def _run(self, database_url: str, slot: _Slot, charts: list[str]) -> Audited:
        error: BaseException | None = None
        try:
            made_at = datetime.now(UTC)
            found = Audited(self.audit(database_url, charts), made_at, time.monotonic())
            with slot.lock:
                slot.audited = found
            return found
        except BaseException as exc:
            error = exc
            raise
        finally:
            with slot.lock:
                running, slot.running, slot.error = slot.running, None, error
                slot.failed_at = datetime.now(UTC) if error is not None else None
            if running is not None:
                running.set()

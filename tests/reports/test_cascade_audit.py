"""After a complete cascade of a small chart the audit finds nothing missing."""

from __future__ import annotations

import pytest

from chartcascade.flows.sync_chart import sync_chart
from chartcascade.reports.completeness import completeness

pytestmark = pytest.mark.prefect


def test_audit_is_zero_after_a_complete_cascade(cascade_env: str) -> None:
    state = sync_chart("viral-50-global", return_state=True)
    audit = completeness(cascade_env, "viral-50-global")
    assert state.is_completed()
    assert audit.records() and all(r["missing"] == 0 for r in audit.records()), audit.markdown()
    assert audit.gaps == 0
    # The small world's chart has 6 charted entries (and lists 1 track that left it, which the
    # audit of the chart's newest ranking leaves out).
    assert audit.rows[0].total == 6

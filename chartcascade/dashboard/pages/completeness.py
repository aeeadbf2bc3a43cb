"""The completeness audit of each chart (reports/completeness.py), each gap with its item."""

from __future__ import annotations

from html import escape

import pandas as pd

from chartcascade.dashboard import layout, params, queries
from chartcascade.dashboard.pages import home
from chartcascade.reports import frames
from chartcascade.reports.completeness import Completeness, completeness

GAP_COLUMNS = ["check", "kind", "uuid", "name"]


def gap_items(audit: Completeness) -> pd.DataFrame:
    """One row per item the audit counts as missing (open failures apart): its check, the
    item's kind, uuid and name."""
    rows = [(gap.check, gap.kind, gap.uuid, gap.name) for gap in audit.lacking]
    return pd.DataFrame(rows, columns=GAP_COLUMNS)


def item_cell(row: dict[str, object]) -> str:
    path = "/track/" if row["kind"] == "track" else "/artist/"
    return layout.link(f"{path}{row['uuid']}", row["name"] or row["uuid"])


def audit_header(audit: Completeness) -> str:
    chart = audit.chart
    return (
        f'<h2 id="audit-{escape(chart)}">{layout.link(f"/completeness/{chart}", chart)}: '
        f"ranking of {audit.ranking_date or 'none'}, "
        f'<span class="gaps">{audit.gaps}</span> gap(s)</h2>'
    )


def summary_section(audit: Completeness) -> str:
    """The chart's audit as the home page has it (at most a minute old), its gaps one click
    away."""
    chart = audit.chart
    return (
        audit_header(audit)
        + layout.table(audit.frame(), table_id=f"audit-table-{chart}")
        + f"<p>{layout.link(f'/completeness/{chart}', 'each gap with its item')}</p>"
    )


def not_audited_section(chart: str, label: str) -> str:
    """A chart synced since the shown audit (`label`: whether it is being audited); its own
    page audits it now."""
    link = layout.link(f"/completeness/{chart}", "its audit now")
    heading = f'<h2 id="audit-{escape(chart)}">{escape(chart)}</h2>'
    return f'{heading}<p class="note">{escape(label)}; {link}.</p>'


def chart_section(database_url: str, chart: str) -> str:
    audit = completeness(database_url, chart)
    gaps = gap_items(audit)
    staleness = pd.DataFrame(
        [(name, day, audit.age_days(name)) for name, day in audit.staleness.items()],
        columns=["newest data", "date", "age_days"],
    )
    parts = [
        audit_header(audit),
        layout.table(audit.frame(), table_id=f"audit-table-{chart}"),
        layout.table(staleness),
        "<h3>Gaps</h3>",
        layout.table(
            gaps, ["check", "name", "uuid"], cells={"name": item_cell}, table_id=f"gaps-{chart}"
        ),
    ]
    if audit.failures:
        failed = layout.table(audit.failed, table_id=f"failures-{chart}")
        parts += ["<h3>Open failures</h3>", failed]
    return "".join(parts)


def completeness_page(database_url: str, chart: str | None = None) -> str:
    """The audit of `chart` with each gap's item, or the audits of every synced chart."""
    if chart is not None:
        if queries.chart(database_url, params.name(chart, "chart")) is None:
            raise params.missing(f"no chart {chart!r} is stored")
        return layout.page(f"Completeness of {chart}", chart_section(database_url, chart))
    slugs = frames.chart_slugs(database_url)
    if not slugs:
        return layout.page("Completeness", '<p class="note">No chart has been synced yet.</p>')
    audit = home.audits(database_url, slugs)
    body = "".join(
        summary_section(audit.charts[slug])
        if slug in audit.charts
        else not_audited_section(slug, home.not_audited_label(audit))
        for slug in slugs
    )
    return layout.page("Completeness", home.audited_note(audit) + body)

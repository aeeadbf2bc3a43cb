"""The home page: every synced chart, its newest ranking, its completeness and its last run."""

from __future__ import annotations

import os
from html import escape
from urllib.parse import quote

from chartcascade.dashboard import layout, queries
from chartcascade.dashboard.audits import AuditCache, Audited


def prefect_ui() -> str | None:
    """The Prefect UI's address: PREFECT_UI_URL, else PREFECT_API_URL without its `/api`."""
    ui = os.environ.get("PREFECT_UI_URL")
    if ui:
        return ui.rstrip("/")
    api = os.environ.get("PREFECT_API_URL")
    if api:
        return api.rstrip("/").removesuffix("/api")
    return None


def runs_link(chart: str) -> str | None:
    """The Prefect UI's flow runs page, searched for the chart's runs (None without a UI)."""
    ui = prefect_ui()
    return f"{ui}/runs?flow-run-search={quote(chart)}" if ui else None


AUDITS = AuditCache()


def forget_audits() -> None:
    """Drop the reused audits (the next page audits anew)."""
    AUDITS.forget()


def audits(database_url: str, charts: list[str]) -> Audited:
    """The completeness audit of each chart, all read together: the last one made, refreshed
    in the background once a minute old (a chart's completeness page always audits anew)."""
    return AUDITS.get(database_url, charts)


def audited_note(audited: Audited) -> str:
    """When the shown audit was made, how often it is made again, and whether the last
    refresh failed."""
    made = f"{audited.made_at:%Y-%m-%d %H:%M:%S} UTC"
    note = (
        f"Gaps as audited at {made}; audited again in the background once "
        f"{AUDITS.refresh_seconds:g} s old."
    )
    if audited.failed_at is not None:
        failed = f"{audited.failed_at:%H:%M:%S} UTC"
        note += f" The last audit failed at {failed} ({audited.failure}); it is retried."
    return f'<p class="note" id="audited">{escape(note)}</p>'


def not_audited_label(audited: Audited) -> str:
    """What a chart synced since the shown audit shows instead of its figures."""
    return "auditing…" if audited.auditing else "not audited yet"


def home_page(database_url: str) -> str:
    """Charts with their newest ranking date, completeness gaps and last sync."""
    charts = queries.charts(database_url)
    if charts.empty:
        body = '<p class="note">No chart has been synced yet: run `chartcascade sync CHART`.</p>'
        return layout.page("Charts", body)
    audit = audits(database_url, charts["chart"].tolist())
    audited = audit.charts
    missing = not_audited_label(audit)  # a chart synced since the shown audit
    charts["gaps"] = [audited[s].gaps if s in audited else missing for s in charts["chart"]]
    charts["open_failures"] = [
        audited[s].open_failures if s in audited else missing for s in charts["chart"]
    ]

    def last_run(row: dict[str, object]) -> str:
        shown = escape(layout.text(row["last_synced_at"])) or "never recorded"
        href = runs_link(str(row["chart"]))
        return f'{shown} (<a href="{escape(href)}">runs in Prefect</a>)' if href else shown

    cells = {
        "chart": lambda r: layout.link(layout.url(f"/chart/{r['chart']}"), r["chart"]),
        "newest": lambda r: layout.link(
            layout.url(f"/chart/{r['chart']}", {"date": r["newest"]}), r["newest"]
        ),
        "gaps": lambda r: layout.link(f"/completeness/{r['chart']}", r["gaps"]),
        "last_synced_at": last_run,
    }
    columns = ["chart", "name", "platform", "country_code", "newest", "rankings", "gaps"]
    columns += ["open_failures", "last_synced_at"]
    body = layout.table(charts, columns, cells=cells, table_id="charts")
    body += audited_note(audit)
    return layout.page("Charts", body)

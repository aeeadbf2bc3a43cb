"""The home page: every synced chart, its newest ranking, its completeness and its last run."""

from __future__ import annotations

import os
import time
from html import escape
from urllib.parse import quote

from chartcascade.dashboard import layout, queries
from chartcascade.reports.completeness import Completeness
from chartcascade.reports.completeness import audits as all_audits


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


AUDIT_SECONDS = 60  # how long the home page reuses the charts' audits
_audits: dict[tuple[str, tuple[str, ...]], tuple[float, dict[str, Completeness]]] = {}


def forget_audits() -> None:
    """Drop the reused audits (the next page audits anew)."""
    _audits.clear()


def audits(database_url: str, charts: list[str]) -> dict[str, Completeness]:
    """The completeness audit of each chart, all read together, at most once a minute for the
    home page (a chart's completeness page always audits anew)."""
    key = (database_url, tuple(charts))
    made, found = _audits.get(key, (0.0, None))
    if found is None or time.monotonic() - made > AUDIT_SECONDS:
        found = all_audits(database_url, charts)
        _audits[key] = (time.monotonic(), found)
    return found


def home_page(database_url: str) -> str:
    """Charts with their newest ranking date, completeness gaps and last sync."""
    charts = queries.charts(database_url)
    if charts.empty:
        body = '<p class="note">No chart has been synced yet: run `chartcascade sync CHART`.</p>'
        return layout.page("Charts", body)
    audited = audits(database_url, charts["chart"].tolist())
    charts["gaps"] = [audited[slug].gaps for slug in charts["chart"]]
    charts["open_failures"] = [audited[slug].open_failures for slug in charts["chart"]]

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
    body += f'<p class="note">Gaps are audited at most every {AUDIT_SECONDS} s.</p>'
    return layout.page("Charts", body)

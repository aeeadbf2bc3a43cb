"""The report flow: write the analytics report after a chart sync, with a markdown summary."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.events import DeploymentEventTrigger
from prefect.runtime import flow_run

from chartcascade.settings import get_settings

SYNC_FLOW_NAME = "sync-chart"
REPORT_FLOW_NAME = "chart-report"
DEFAULT_REPORT_DIR = "reports"
SUMMARY_ROWS = 10
REPORT_FORMATS = ("html", "csv", "parquet")


def report_trigger() -> DeploymentEventTrigger:
    """Run the report deployment whenever a `sync-chart` flow run completes, for its chart."""
    return DeploymentEventTrigger(
        name="report-after-chart-sync",
        expect={"prefect.flow-run.Completed"},
        match={"prefect.resource.id": "prefect.flow-run.*"},
        match_related={"prefect.resource.role": "flow", "prefect.resource.name": SYNC_FLOW_NAME},
        parameters={"chart": "{{ flow_run.parameters.chart }}"},
    )


def summary_markdown(database_url: str, chart: str | None, paths: list[Path]) -> str:
    """Where the report is, the top artists, and each chart's gaps (on the chart's own
    platforms, those of its last sync), as markdown."""
    from chartcascade.reports.artists import artist_analytics
    from chartcascade.reports.completeness import completeness
    from chartcascade.reports.frames import chart_slugs

    charts = [chart] if chart else chart_slugs(database_url)
    artists = artist_analytics(database_url, charts=charts).summary.head(SUMMARY_ROWS)
    lines = [f"### Report of {', '.join(f'`{c}`' for c in charts) or 'no charts'}", ""]
    lines += [f"- written to `{path}`" for path in paths]
    lines += ["", "| artist | charts | best position | tracks charting |", "|---|---|---:|---:|"]
    for row in artists.itertuples(index=False):
        name = row.artist or row.artist_uuid
        lines.append(f"| {name} | {row.charts} | {row.best_position} | {row.tracks_charting} |")
    lines += ["", "| chart | ranking | gaps | open failures |", "|---|---|---:|---:|"]
    for slug in charts:
        audit = completeness(database_url, slug)
        lines.append(f"| {slug} | {audit.ranking_date} | {audit.gaps} | {audit.open_failures} |")
    return "\n".join(lines) + "\n"


def run_name() -> str:
    """`report-global-28`, or `report-all-charts`."""
    return f"report-{flow_run.parameters.get('chart') or 'all-charts'}"


@flow(name=REPORT_FLOW_NAME, flow_run_name=run_name, persist_result=False)
def chart_report(
    chart: str | None = None,
    report_format: str = "html",
    output_dir: str = DEFAULT_REPORT_DIR,
) -> list[str]:
    """Write the analytics report and attach a markdown summary of it to the run.

    Args:
        chart: The chart slug to report on; empty means every synced chart.
        report_format: `html` (one file with charts), or `csv`/`parquet` (artists and tracks).
        output_dir: The folder the files go to (relative to the working directory).
    """
    from chartcascade.reports.artists import artist_analytics
    from chartcascade.reports.completeness import artifact_key
    from chartcascade.reports.export import write_table
    from chartcascade.reports.html import write_html_report
    from chartcascade.reports.tracks import track_analytics

    if report_format not in REPORT_FORMATS:
        raise ValueError(
            f"report_format is one of {', '.join(REPORT_FORMATS)}, not {report_format!r}"
        )
    logger = get_run_logger()
    database_url = get_settings().database_url
    charts = [chart] if chart else []
    stem = chart or "all-charts"
    folder = Path(output_dir)
    if report_format == "html":
        paths = [write_html_report(database_url, folder / f"report-{stem}.html", charts)]
    else:
        paths = [
            write_table(
                analytics(database_url, charts=charts).table(),
                folder / f"{kind}-{stem}.{report_format}",
                report_format,
            ).resolve()
            for kind, analytics in (("artists", artist_analytics), ("tracks", track_analytics))
        ]
    for path in paths:
        logger.info("Report written to %s", path)
    create_markdown_artifact(
        summary_markdown(database_url, chart, paths),
        key=artifact_key("report", stem),
        description=f"Analytics report of {stem}",
    )
    return [str(path) for path in paths]

"""The completeness audit of each chart (reports/completeness.py), each gap with its item."""

from __future__ import annotations

from html import escape

import pandas as pd

from chartcascade.dashboard import layout, params, queries
from chartcascade.dashboard.pages import home
from chartcascade.reports import frames
from chartcascade.reports.completeness import DOCUMENTED, Completeness, choices_of, completeness
from chartcascade.tasks.series import AIRPLAY, ARTIST_COUNTERS, LISTENING_METRICS

GAP_COLUMNS = ["check", "kind", "uuid", "name"]


def _lacking(
    check: str, kind: str, items: pd.DataFrame, having: set[str], checks: pd.DataFrame, series: str
) -> list[dict[str, str]]:
    """The items (uuid, name) with no stored point and no documented absence of `series`."""
    documented = set(
        checks.loc[(checks["series"] == series) & checks["status"].isin(DOCUMENTED), "entity_uuid"]
    )
    return [
        {"check": check, "kind": kind, "uuid": uuid, "name": name or ""}
        for uuid, name in zip(items["uuid"], items["name"], strict=True)
        if uuid not in having and uuid not in documented
    ]


def gap_items(database_url: str, chart: str) -> pd.DataFrame:
    """One row per item the audit counts as missing (open failures apart): its check, the
    item's kind, uuid and name, found by the audit's own rule on the chart's own platforms."""
    latest = frames.latest_positions(frames.positions(database_url, [chart]))
    if latest.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    chosen = choices_of(database_url, chart)
    ids = latest["track_id"].tolist()
    tracks = frames.tracks(database_url, ids).rename(
        columns={"track_uuid": "uuid", "track": "name"}
    )
    credits = frames.credits(database_url, ids)
    artists = frames.artists(database_url, credits["artist_id"].unique().tolist())
    artists = artists.rename(columns={"artist_uuid": "uuid", "artist": "name"})
    rows: list[dict[str, str]] = []
    for kind, items in (("track", tracks), ("artist", artists)):
        unfetched = items[items["metadata_fetched_at"].isna()]
        rows += [
            {"check": f"{kind}s lacking metadata", "kind": kind, "uuid": u, "name": n or ""}
            for u, n in zip(unfetched["uuid"], unfetched["name"], strict=True)
        ]
    points = frames.track_series_newest(database_url, ids, chosen.track_platforms)
    points = points.merge(tracks, on="track_id")
    checks = frames.checks(database_url, "track", tracks["uuid"].tolist())
    for track_platform in chosen.track_platforms:
        platform = str(track_platform)
        series = AIRPLAY if platform == AIRPLAY else f"audience:{platform}"
        has = set(points.loc[points["platform"] == platform, "uuid"])
        rows += _lacking(f"tracks lacking {platform}", "track", tracks, has, checks, series)
    listening = chosen.listening_platforms
    wanted = [*chosen.artist_platforms, *listening]
    people = frames.artist_series_newest(database_url, artists["artist_id"].tolist(), wanted)
    people = people.merge(artists, on="artist_id")
    checks = frames.checks(database_url, "artist", artists["uuid"].tolist())
    feeds = [("audience", str(p), set(ARTIST_COUNTERS)) for p in chosen.artist_platforms]
    feeds += [("listening", str(p), {LISTENING_METRICS.get(p, "listening")}) for p in listening]
    for feed, platform, metrics in feeds:
        mask = (people["platform"] == platform) & people["metric"].isin(metrics)
        has = set(people.loc[mask, "uuid"])
        name = f"artists lacking {platform} {feed}"
        rows += _lacking(name, "artist", artists, has, checks, f"{feed}:{platform}")
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


def summary_section(database_url: str, chart: str) -> str:
    """The chart's audit as the home page has it (at most a minute old), its gaps one click
    away."""
    audit = home.audit(database_url, chart)
    return (
        audit_header(audit)
        + layout.table(audit.frame(), table_id=f"audit-table-{chart}")
        + f"<p>{layout.link(f'/completeness/{chart}', 'each gap with its item')}</p>"
    )


def chart_section(database_url: str, chart: str) -> str:
    audit = completeness(database_url, chart)
    gaps = gap_items(database_url, chart)
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
        every = frames.open_failures(database_url, [chart, *_audited_uuids(database_url, chart)])
        every = every[every["stage"].isin(set(audit.failures))].sort_values(["stage", "item_uuid"])
        parts += ["<h3>Open failures</h3>", layout.table(every, table_id=f"failures-{chart}")]
    return "".join(parts)


def _audited_uuids(database_url: str, chart: str) -> list[str]:
    latest = frames.latest_positions(frames.positions(database_url, [chart]))
    ids = latest["track_id"].tolist()
    credits = frames.credits(database_url, ids)
    tracks = frames.tracks(database_url, ids)["track_uuid"].tolist()
    artists = frames.artists(database_url, credits["artist_id"].unique().tolist())
    return [*tracks, *artists["artist_uuid"].tolist()]


def completeness_page(database_url: str, chart: str | None = None) -> str:
    """The audit of `chart` with each gap's item, or the audits of every synced chart."""
    if chart is not None:
        if queries.chart(database_url, params.name(chart, "chart")) is None:
            raise params.missing(f"no chart {chart!r} is stored")
        return layout.page(f"Completeness of {chart}", chart_section(database_url, chart))
    slugs = frames.chart_slugs(database_url)
    if not slugs:
        return layout.page("Completeness", '<p class="note">No chart has been synced yet.</p>')
    body = "".join(summary_section(database_url, slug) for slug in slugs)
    note = f'<p class="note">Audits at most {home.AUDIT_SECONDS} s old.</p>'
    return layout.page("Completeness", note + body)

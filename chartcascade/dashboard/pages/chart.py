"""A chart's ranking of one date: positions, movement, days on chart, new entries marked."""

from __future__ import annotations

from datetime import date
from html import escape

from chartcascade.dashboard import layout, params, queries

RECENT_DATES = 30  # ranking dates linked at the top


def chart_page(database_url: str, slug: str, day: date | None) -> str:
    """The ranking of `day` (default: the newest) with its off-chart entries apart."""
    chart = queries.chart(database_url, params.name(slug, "chart"))
    if chart is None:
        raise params.missing(f"no chart {slug!r} is stored: see the list of charts")
    dates = queries.ranking_dates(database_url, int(chart["chart_id"]))
    if not dates:
        raise params.missing(f"chart {slug!r} has no stored ranking yet")
    day = day or dates[0]
    if day not in dates:
        raise params.missing(f"chart {slug!r} has no ranking of {day} (newest: {dates[0]})")
    entries = queries.ranking(database_url, slug, day)
    track_ids = [int(t) for t in entries["track_id"]]
    days = queries.days_on_chart(database_url, int(chart["chart_id"]), track_ids, day)
    credits = queries.credits_of(database_url, track_ids=track_ids)
    names = credits.assign(artist=credits["artist"].fillna(credits["artist_uuid"]))
    by_track = names.groupby("track_id")["artist"].agg(", ".join)
    entries["artists"] = entries["track_id"].map(by_track).fillna("")
    entries["days_on_chart"] = entries["track_id"].map(days).fillna(0).astype(int)
    entries["track"] = entries["track"].fillna(entries["track_uuid"])

    def track_cell(row: dict[str, object]) -> str:
        mark = ' <span class="new">NEW</span>' if row["movement_status"] == "new" else ""
        return layout.link(f"/track/{row['track_uuid']}", row["track"]) + mark

    charted, left = entries[~entries["off_chart"]], entries[entries["off_chart"]]
    columns = ["position", "track", "artists", "movement", "movement_status", "previous_position"]
    columns.append("days_on_chart")
    cells = {"track": track_cell}
    picker = " · ".join(
        layout.link(layout.url(f"/chart/{slug}", {"date": d}), d) if d != day else f"<b>{d}</b>"
        for d in dates[:RECENT_DATES]
    )
    older = f' <span class="note">and {len(dates) - RECENT_DATES} older</span>' * (
        len(dates) > RECENT_DATES
    )
    body = (
        f'<p>{escape(str(chart["name"] or ""))} · ranking of <b id="ranking-date">{day}</b>: '
        f"{len(charted)} charted, {len(left)} off the chart.</p>"
        f"<p>Rankings: {picker}{older}</p>"
        f'<form method="get"><label>Date <input name="date" value="{day}"></label>'
        '<button type="submit">Show</button></form>'
        + layout.table(charted, columns, cells=cells, table_id="entries")
        + "<h2>Off the chart</h2>"
        + layout.table(
            left, ["track", "artists", "previous_position"], cells=cells, table_id="off-chart"
        )
    )
    return layout.page(f"Chart {slug}", body)

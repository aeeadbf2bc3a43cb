"""A track: its positions on each chart over time, its audience per platform, daily gains."""

from __future__ import annotations

from html import escape

from chartcascade.dashboard import figures, layout, params, queries
from chartcascade.reports import views
from chartcascade.reports.series import daily_deltas, summarise, track_series_kind

DAILY_ROWS = 30  # newest days listed in the daily gains table


def track_page(database_url: str, uuid: str) -> str:
    """Positions, audience and daily gains of the track `uuid`."""
    track = queries.track(database_url, params.name(uuid, "track"))
    if track is None:
        raise params.missing(f"no track {uuid!r} is stored")
    track_id = int(track["id"])
    positions = queries.track_positions(database_url, track_id)
    points = views.track_audience(database_url, [track_id])
    credits = queries.credits_of(database_url, track_ids=[track_id])
    artists = ", ".join(
        layout.link(f"/artist/{a}", n or a)
        for a, n in zip(credits["artist_uuid"], credits["artist"], strict=True)
    )
    parts = [f"<p>{escape(track['credit'] or '')} · credits: {artists or 'none stored'}</p>"]

    charted = positions.dropna(subset=["position"])
    parts.append("<h2>Positions</h2>")
    if charted.empty:
        parts.append('<p class="note">Never charted on a stored ranking.</p>')
    else:
        figure = figures.lines(charted, "chart", "ranking_date", "position", "Chart positions")
        figure.update_yaxes(autorange="reversed", title="position")
        parts.append(layout.plot(figure, "positions-plot"))
    history = positions.assign(
        chart_link=positions["chart"], off_chart=positions["off_chart"].astype(bool)
    )
    cells = {
        "chart": lambda r: layout.link(
            layout.url(f"/chart/{r['chart']}", {"date": r["ranking_date"]}), r["chart"]
        )
    }
    parts.append(
        layout.table(
            history.sort_values("ranking_date", ascending=False),
            ["chart", "ranking_date", "position", "off_chart"],
            cells=cells,
            table_id="positions",
        )  # fmt: skip
    )

    parts.append("<h2>Audience</h2>")
    if points.empty:
        parts.append('<p class="note">No audience stored.</p>')
    else:
        kinds = {p: track_series_kind(p) for p in points["platform"].unique()}
        summary = summarise(points, ["platform"], kinds)
        parts.append(layout.table(summary, table_id="audience"))
        for platform, series in points.groupby("platform", sort=True):
            unit = "spins per day" if kinds[str(platform)] == "daily" else "total"
            title = f"{platform}: {unit}"
            figure = figures.lines(series, "platform", "date", "value", title)
            parts.append(layout.plot(figure, f"audience-{platform}"))
        deltas = daily_deltas(points, ["platform"], kinds)
        recent = deltas.sort_values(["date", "platform"], ascending=[False, True])
        parts.append("<h2>Daily gains</h2>")
        parts.append(
            layout.table(
                recent.head(DAILY_ROWS * len(kinds)),
                ["date", "platform", "value", "daily", "delta", "days"],
                table_id="daily",
            )  # fmt: skip
        )
    return layout.page(f"Track {track['name'] or uuid}", "".join(parts), plots=True)

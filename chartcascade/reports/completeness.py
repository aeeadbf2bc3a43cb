"""The completeness audit of one chart: what the newest ranking's tracks and artists still lack.

A track or artist lacks a series when it has no stored point of it and no check that documents
an absence (`empty`: the API had no data; `no_account`: the artist has no account there).
Documented absences are counted apart, never as gaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd

from chartcascade.crud.chart_choices import chart_choices
from chartcascade.db import session_scope
from chartcascade.options import RefreshOptions
from chartcascade.reports import frames
from chartcascade.tasks.series import AIRPLAY, ARTIST_COUNTERS, LISTENING_METRICS, series_stage

DOCUMENTED = ("empty", "no_account")


@dataclass
class AuditRow:
    """One line of the audit: of `total` items, how many lack it and how many are documented."""

    check: str
    total: int
    missing: int
    documented: int = 0


@dataclass
class Completeness:
    """The audit of one chart's newest ranking."""

    chart: str
    ranking_date: date | None
    rows: list[AuditRow] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    staleness: dict[str, date | None] = field(default_factory=dict)
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    @property
    def open_failures(self) -> int:
        return sum(self.failures.values())

    @property
    def gaps(self) -> int:
        """Everything missing, open failures included; 0 when the chart is complete."""
        return sum(row.missing for row in self.rows) + self.open_failures

    def records(self) -> list[dict[str, object]]:
        """The audit as table rows (check, total, missing, documented absent)."""
        rows: list[dict[str, object]] = [
            {"check": r.check, "total": r.total, "missing": r.missing, "documented": r.documented}
            for r in self.rows
        ]
        for stage, count in sorted(self.failures.items()):
            rows.append(
                {
                    "check": f"open failures: {stage}",
                    "total": count,
                    "missing": count,
                    "documented": 0,
                }
            )
        return rows

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.records(), columns=["check", "total", "missing", "documented"])

    def age_days(self, name: str) -> int | None:
        day = self.staleness.get(name)
        return None if day is None else (self.today - day).days

    def markdown(self) -> str:
        """The audit as a markdown heading, table and staleness list."""
        lines = [
            f"### Completeness of `{self.chart}`, ranking of {self.ranking_date or 'none'}",
            "",
            f"**Gaps:** {self.gaps} · **open failures:** {self.open_failures}",
            "",
            "| check | total | missing | documented absent |",
            "|---|---:|---:|---:|",
        ]
        for r in self.records():
            lines.append(f"| {r['check']} | {r['total']} | {r['missing']} | {r['documented']} |")
        lines += ["", "| newest data | date | age (days) |", "|---|---|---:|"]
        for name, day in self.staleness.items():
            age = self.age_days(name)
            lines.append(f"| {name} | {day or 'none'} | {'' if age is None else age} |")
        return "\n".join(lines) + "\n"


def _coverage(
    check: str, uuids: Sequence[str], with_points: set[str], checks: pd.DataFrame, series: str
) -> AuditRow:
    documented = set(
        checks.loc[(checks["series"] == series) & checks["status"].isin(DOCUMENTED), "entity_uuid"]
    )
    lacking = [u for u in uuids if u not in with_points]
    noted = [u for u in lacking if u in documented]
    return AuditRow(check, len(uuids), len(lacking) - len(noted), len(noted))


def _unfetched(kind: str, frame: pd.DataFrame) -> AuditRow:
    missing = int(frame["metadata_fetched_at"].isna().sum())
    return AuditRow(f"{kind} lacking metadata", len(frame), missing)


def _newest(points: pd.DataFrame, key: str) -> tuple[date | None, date | None]:
    """The newest point's date, and the oldest among each series' newest (the stalest)."""
    if points.empty:
        return None, None
    latest = points.groupby([key, "platform"])["date"].max()
    return latest.max().date(), latest.min().date()


def completeness(
    database_url: str,
    chart: str,
    *,
    track_platforms: Sequence[str] | None = None,
    artist_platforms: Sequence[str] | None = None,
    listening_platforms: Sequence[str] | None = None,
) -> Completeness:
    """Audit the tracks of `chart`'s newest ranking and the artists credited on them, on the
    platforms given, the chart's own choices (those of its last sync) for those left None.

    The artists of a track are known once its metadata (with credits) is: a track lacking
    metadata counts as a gap, its unknown artists cannot.
    """
    latest = frames.latest_positions(frames.positions(database_url, [chart]))
    if latest.empty:
        return Completeness(chart=chart, ranking_date=None)
    chosen = choices_of(database_url, chart)
    track_platforms = chosen.track_platforms if track_platforms is None else track_platforms
    artist_platforms = chosen.artist_platforms if artist_platforms is None else artist_platforms
    if listening_platforms is None:
        listening_platforms = chosen.listening_platforms
    ids = latest["track_id"].tolist()
    tracks = frames.tracks(database_url, ids)
    credits = frames.credits(database_url, ids)
    artists = frames.artists(database_url, credits["artist_id"].unique().tolist())
    track_uuids, artist_uuids = tracks["track_uuid"].tolist(), artists["artist_uuid"].tolist()
    audit = Completeness(chart=chart, ranking_date=latest["date"].max().date())
    audit.rows = [_unfetched("tracks", tracks), _unfetched("artists", artists)]

    points = frames.track_series_newest(database_url, ids, track_platforms)
    points = points.merge(tracks, on="track_id")
    checks = frames.checks(database_url, "track", track_uuids)
    stages = {"track-metadata", "artist-metadata"}  # the audited stages' failures count
    for platform in track_platforms:
        series = AIRPLAY if platform == AIRPLAY else f"audience:{platform}"
        stages.add(series_stage("track", series))
        has = set(points.loc[points["platform"] == platform, "track_uuid"])
        audit.rows.append(_coverage(f"tracks lacking {platform}", track_uuids, has, checks, series))

    listening = {p: LISTENING_METRICS.get(p, "listening") for p in listening_platforms}
    wanted = [*artist_platforms, *listening_platforms]
    people = frames.artist_series_newest(database_url, artists["artist_id"].tolist(), wanted)
    people = people.merge(artists, on="artist_id")
    checks = frames.checks(database_url, "artist", artist_uuids)
    feeds = [("audience", p, set(ARTIST_COUNTERS)) for p in artist_platforms]
    feeds += [("listening", p, {listening[p]}) for p in listening_platforms]
    for feed, platform, metrics in feeds:
        mask = (people["platform"] == platform) & people["metric"].isin(metrics)
        has = set(people.loc[mask, "artist_uuid"])
        name = f"artists lacking {platform} {feed}"
        stages.add(series_stage("artist", f"{feed}:{platform}"))
        audit.rows.append(_coverage(name, artist_uuids, has, checks, f"{feed}:{platform}"))

    failed = frames.open_failures(database_url, [chart, *track_uuids, *artist_uuids])
    failed = failed[failed["stage"].isin(stages)]
    audit.failures = {str(k): int(v) for k, v in failed.groupby("stage").size().items()}
    newest_track, stalest_track = _newest(points, "track_id")
    newest_artist, stalest_artist = _newest(people, "artist_id")
    audit.staleness = {
        "ranking": audit.ranking_date,
        "track audience (newest)": newest_track,
        "track audience (stalest series)": stalest_track,
        "artist audience (newest)": newest_artist,
        "artist audience (stalest series)": stalest_artist,
    }
    return audit


def choices_of(database_url: str, chart: str) -> RefreshOptions:
    """The chart's recorded choices; the defaults for a chart synced before they were."""
    with session_scope(database_url) as session:
        return chart_choices(session, charts=[chart]).get(chart, RefreshOptions())


def artifact_key(*parts: str) -> str:
    """A valid artifact key: lowercase letters, digits and dashes."""
    text = "-".join(parts).lower()
    return "-".join("".join(c if c.isalnum() else " " for c in text).split())


def publish_completeness(
    database_url: str,
    chart: str,
    *,
    track_platforms: Sequence[str] | None = None,
    artist_platforms: Sequence[str] | None = None,
    listening_platforms: Sequence[str] | None = None,
) -> None:
    """Attach the chart's audit (for the run's platforms; the chart's own choices for those
    left None) as a table and a markdown artifact."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    audit = completeness(
        database_url,
        chart,
        track_platforms=track_platforms,
        artist_platforms=artist_platforms,
        listening_platforms=listening_platforms,
    )
    create_table_artifact(
        audit.records(),
        key=artifact_key("completeness", chart),
        description=f"Completeness of {chart}: {audit.gaps} gap(s)",
    )
    create_markdown_artifact(
        audit.markdown(),
        key=artifact_key("completeness", chart, "summary"),
        description=f"Completeness of {chart}",
    )

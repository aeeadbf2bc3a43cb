"""The completeness audit of one chart: what the newest ranking's tracks and artists still lack.

A track or artist lacks a series when it has no stored point of it and no check that documents
an absence (`empty`: the API had no data; `no_account`: the artist has no account there).
Documented absences are counted apart, never as gaps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd

from chartcascade.crud.chart_choices import chart_choices
from chartcascade.db import session_scope
from chartcascade.options import RefreshOptions
from chartcascade.reports.audited import Item, Platforms, Stored, read
from chartcascade.tasks.series import AIRPLAY, series_stage


@dataclass
class AuditRow:
    """One line of the audit: of `total` items, how many lack it and how many are documented."""

    check: str
    total: int
    missing: int
    documented: int = 0


@dataclass(frozen=True)
class Gap:
    """One item an audit row counts as missing."""

    check: str
    kind: str  # "track" or "artist"
    uuid: str
    name: str


@dataclass
class Completeness:
    """The audit of one chart's newest ranking."""

    chart: str
    ranking_date: date | None
    rows: list[AuditRow] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    staleness: dict[str, date | None] = field(default_factory=dict)
    lacking: list[Gap] = field(default_factory=list)  # the missing items (failures apart)
    failed: pd.DataFrame = field(default_factory=pd.DataFrame)  # stage, item_uuid, error
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
    check: str, kind: str, items: list[Item], having: set[str], documented: set[str]
) -> tuple[AuditRow, list[Gap]]:
    """The audit row of one series, and its gaps: the items with no stored point and no
    documented absence."""
    lacking = [item for item in items if item.uuid not in having]
    gaps = [Gap(check, kind, i.uuid, i.name) for i in lacking if i.uuid not in documented]
    return AuditRow(check, len(items), len(gaps), len(lacking) - len(gaps)), gaps


def _unfetched(kind: str, items: list[Item]) -> tuple[AuditRow, list[Gap]]:
    check = f"{kind}s lacking metadata"
    gaps = [Gap(check, kind, item.uuid, item.name) for item in items if not item.fetched]
    return AuditRow(check, len(items), len(gaps)), gaps


def _newest(days: list[date]) -> tuple[date | None, date | None]:
    """The newest of each series' newest days, and the oldest of them (the stalest)."""
    return (max(days), min(days)) if days else (None, None)


def _days(newest: dict[int, dict[str, date]], ids: list[int], platforms: set[str]) -> list[date]:
    """The newest day of each series of `ids` on `platforms` (every platform if empty)."""
    return [
        day for i in ids for platform, day in newest.get(i, {}).items()
        if not platforms or platform in platforms
    ]  # fmt: skip


def _audit(chart: str, stored: Stored, platforms: Platforms) -> Completeness:
    if chart not in stored.newest_ranking:
        return Completeness(chart=chart, ranking_date=None)
    ids = stored.charted[chart]
    track_ids = [t for t in stored.tracks if t in ids]
    tracks = [stored.tracks[t] for t in track_ids]
    credited = set().union(*(stored.credited.get(t, set()) for t in track_ids))
    artist_ids = [a for a in stored.artists if a in credited]
    artists = [stored.artists[a] for a in artist_ids]
    audit = Completeness(chart=chart, ranking_date=stored.newest_ranking[chart])
    found = [_unfetched("track", tracks), _unfetched("artist", artists)]

    stages = {"track-metadata", "artist-metadata"}  # the audited stages' failures count
    for track_platform in platforms.track:
        platform = str(track_platform)
        series = AIRPLAY if platform == AIRPLAY else f"audience:{platform}"
        stages.add(series_stage("track", series))
        has = {
            stored.tracks[t].uuid for t in track_ids if platform in stored.track_newest.get(t, {})
        }
        documented = stored.documented.get(("track", series), set())
        found.append(_coverage(f"tracks lacking {platform}", "track", tracks, has, documented))
    for feed, platform, metrics in platforms.feeds():
        ids_with = stored.artist_has[(platform, metrics)]
        has = {stored.artists[a].uuid for a in artist_ids if a in ids_with}
        stages.add(series_stage("artist", f"{feed}:{platform}"))
        documented = stored.documented.get(("artist", f"{feed}:{platform}"), set())
        name = f"artists lacking {platform} {feed}"
        found.append(_coverage(name, "artist", artists, has, documented))
    audit.rows = [row for row, _ in found]
    audit.lacking = [gap for _, gaps in found for gap in gaps]

    items = {chart, *(item.uuid for item in tracks), *(item.uuid for item in artists)}
    counted = sorted(f for f in stored.failures if f[0] in stages and f[1] in items)
    audit.failed = pd.DataFrame(counted, columns=["stage", "item_uuid", "error"])
    audit.failures = dict(sorted(Counter(stage for stage, _, _ in counted).items()))
    audited = {str(p) for p in platforms.track}
    wanted = {str(p) for p in [*platforms.artist, *platforms.listening]}
    track_days = _days(stored.track_newest, track_ids, audited)
    artist_days = _days(stored.artist_newest, artist_ids, wanted)
    newest_track, stalest_track = _newest(track_days)
    newest_artist, stalest_artist = _newest(artist_days)
    audit.staleness = {
        "ranking": audit.ranking_date,
        "track audience (newest)": newest_track,
        "track audience (stalest series)": stalest_track,
        "artist audience (newest)": newest_artist,
        "artist audience (stalest series)": stalest_artist,
    }
    return audit


def audits(database_url: str, charts: Sequence[str]) -> dict[str, Completeness]:
    """The audit of each of `charts` on its own choices (those of its last sync), read
    together: one query per table for all of them."""
    with session_scope(database_url) as session:
        recorded = chart_choices(session, charts=list(charts))
    chosen = {
        chart: _platforms(recorded.get(chart, RefreshOptions()), None, None, None)
        for chart in charts
    }
    stored = read(database_url, chosen)
    return {chart: _audit(chart, stored, chosen[chart]) for chart in charts}


def _platforms(
    chosen: RefreshOptions,
    track: Sequence[str] | None,
    artist: Sequence[str] | None,
    listening: Sequence[str] | None,
) -> Platforms:
    return Platforms(
        chosen.track_platforms if track is None else track,
        chosen.artist_platforms if artist is None else artist,
        chosen.listening_platforms if listening is None else listening,
    )


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
    platforms = _platforms(
        choices_of(database_url, chart), track_platforms, artist_platforms, listening_platforms
    )
    return _audit(chart, read(database_url, {chart: platforms}), platforms)


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

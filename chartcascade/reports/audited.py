"""What the completeness audit reads, for one chart or many at once: each table read once.

The rows come back as plain dicts and sets, so auditing twenty charts is a few set lookups per
item rather than frame filters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from chartcascade.reports import frames
from chartcascade.tasks.series import ARTIST_COUNTERS, LISTENING_METRICS

DOCUMENTED = ("empty", "no_account")


@dataclass(frozen=True)
class Platforms:
    """The platforms one chart is audited on."""

    track: Sequence[str]
    artist: Sequence[str]
    listening: Sequence[str]

    def feeds(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(feed, platform, metrics) of each artist series the audit covers."""
        feeds = [("audience", str(p), tuple(sorted(ARTIST_COUNTERS))) for p in self.artist]
        feeds += [
            ("listening", str(p), (LISTENING_METRICS.get(p, "listening"),)) for p in self.listening
        ]
        return feeds


@dataclass(frozen=True)
class Item:
    """A track or an artist: its uuid, name and whether its metadata was fetched."""

    uuid: str
    name: str
    fetched: bool


@dataclass
class Stored:
    """The rows the audits of some charts need."""

    newest_ranking: dict[str, date]  # chart -> the date of its newest ranking with entries
    charted: dict[str, set[int]]  # chart -> the track ids of that ranking
    tracks: dict[int, Item]  # in the order the database gave them
    credited: dict[int, set[int]]  # track id -> artist ids
    artists: dict[int, Item]
    track_newest: dict[int, dict[str, date]]  # track id -> platform -> newest stored day
    artist_newest: dict[int, dict[str, date]]  # artist id -> platform -> the same
    artist_has: dict[tuple[str, tuple[str, ...]], set[int]]  # (platform, metrics) -> ids
    documented: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (kind, series)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # stage, item, error


def _union(lists: Iterable[Sequence[str]]) -> list[str]:
    """Every platform of `lists`, or none (every platform) when one of them is empty."""
    lists = list(lists)
    if any(not platforms for platforms in lists):
        return []
    return sorted({str(p) for platforms in lists for p in platforms})


def _items(frame: pd.DataFrame, key: str, uuid: str, name: str) -> dict[int, Item]:
    columns = (frame[key], frame[uuid], frame[name], frame["metadata_fetched_at"].notna())
    return {int(i): Item(u, n or "", bool(f)) for i, u, n, f in zip(*columns, strict=True)}


def _documented(checks: pd.DataFrame, kind: str) -> dict[tuple[str, str], set[str]]:
    absent = checks[checks["status"].isin(DOCUMENTED)]
    return {(kind, str(s)): set(rows["entity_uuid"]) for s, rows in absent.groupby("series")}


def read(database_url: str, chosen: dict[str, Platforms]) -> Stored:
    """The rows of the charts of `chosen` (chart -> its platforms)."""
    charts = list(chosen)
    latest = frames.newest_positions(database_url, charts)
    newest_ranking = {str(c): rows["date"].max().date() for c, rows in latest.groupby("chart")}
    charted = {str(c): set(map(int, rows["track_id"])) for c, rows in latest.groupby("chart")}
    ids = sorted({int(t) for t in latest["track_id"]})
    tracks = _items(frames.tracks(database_url, ids), "track_id", "track_uuid", "track")
    credits = frames.credits(database_url, ids)
    credited: dict[int, set[int]] = {}
    for track, artist in zip(credits["track_id"], credits["artist_id"], strict=True):
        credited.setdefault(int(track), set()).add(int(artist))
    artist_ids = sorted({a for names in credited.values() for a in names})
    artists = _items(frames.artists(database_url, artist_ids), "artist_id", "artist_uuid", "artist")
    people = list(artists)
    platforms = chosen.values()
    track_platforms = _union(p.track for p in platforms)
    artist_platforms = _union([*p.artist, *p.listening] for p in platforms)
    feeds = {(platform, metrics) for p in platforms for _, platform, metrics in p.feeds()}
    track_uuids = [item.uuid for item in tracks.values()]
    artist_uuids = [item.uuid for item in artists.values()]
    documented = _documented(frames.checks(database_url, "track", track_uuids), "track")
    documented |= _documented(frames.checks(database_url, "artist", artist_uuids), "artist")
    return Stored(
        newest_ranking=newest_ranking,
        charted=charted,
        tracks=tracks,
        credited=credited,
        artists=artists,
        track_newest=frames.series_newest(database_url, "track", list(tracks), track_platforms),
        artist_newest=frames.series_newest(database_url, "artist", people, artist_platforms),
        artist_has={
            (platform, metrics): frames.artists_with_metrics(
                database_url, people, platform, metrics
            )
            for platform, metrics in feeds
        },
        documented=documented,
        failures=list(
            frames.open_failures(database_url, [*charts, *track_uuids, *artist_uuids]).itertuples(
                index=False, name=None
            )
        ),
    )

"""Which artists or tracks a report covers: named artists, the watchlist, charts."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import func, or_
from sqlmodel import col

from chartcascade.models import Artist, Chart, RankingEntry, RankingSnapshot, TrackArtist
from chartcascade.models.watch import WatchedArtist
from chartcascade.reports.frames import columns_of, read_frame


class UnknownArtistError(LookupError):
    """An artist asked for by uuid or name is not stored."""


def named_artist_ids(database_url: str, artists: Sequence[str]) -> list[int]:
    """The ids of `artists`, each a uuid or a name (any case); every one must be stored."""
    if not artists:
        return []
    wanted = [a.lower() for a in artists]
    statement = columns_of(Artist.id, Artist.uuid, Artist.name).where(
        or_(func.lower(col(Artist.uuid)).in_(wanted), func.lower(col(Artist.name)).in_(wanted))
    )
    found = read_frame(database_url, statement, ["id", "uuid", "name"])
    known = set(found["uuid"].str.lower()) | set(found["name"].dropna().str.lower())
    unknown = [a for a in artists if a.lower() not in known]
    if unknown:
        raise UnknownArtistError(f"no stored artist has the uuid or name {', '.join(unknown)}")
    return sorted(int(i) for i in found["id"])


def watched_artist_ids(database_url: str) -> list[int]:
    """The artists on the watchlist."""
    frame = read_frame(database_url, columns_of(WatchedArtist.artist_id), ["artist_id"])
    return sorted(int(i) for i in frame["artist_id"])


def charted_track_ids(database_url: str, charts: Sequence[str] = ()) -> list[int]:
    """The tracks of any stored ranking of `charts` (default: every chart)."""
    statement = (
        columns_of(RankingEntry.track_id)
        .join(RankingSnapshot, col(RankingSnapshot.id) == col(RankingEntry.snapshot_id))
        .join(Chart, col(Chart.id) == col(RankingSnapshot.chart_id))
        .distinct()
    )
    if charts:
        statement = statement.where(col(Chart.slug).in_(list(charts)))
    return sorted(int(i) for i in read_frame(database_url, statement, ["track_id"])["track_id"])


def _credited(
    database_url: str, *, tracks: Sequence[int] = (), artists: Sequence[int] = ()
) -> pd.DataFrame:
    """track_id, artist_id of the credits of `tracks` or of `artists`."""
    statement = columns_of(TrackArtist.track_id, TrackArtist.artist_id)
    if tracks:
        statement = statement.where(col(TrackArtist.track_id).in_(list(tracks)))
    if artists:
        statement = statement.where(col(TrackArtist.artist_id).in_(list(artists)))
    return read_frame(database_url, statement, ["track_id", "artist_id"])


def artist_ids(
    database_url: str,
    *,
    artists: Sequence[str] = (),
    watched: bool = False,
    charts: Sequence[str] = (),
) -> list[int]:
    """The named artists, the watched ones and those credited on `charts`' tracks (all of
    them together); with none of these, the artists credited on every chart's tracks."""
    chosen = set(named_artist_ids(database_url, artists))
    if watched:
        chosen |= set(watched_artist_ids(database_url))
    if charts or not (artists or watched):
        tracks = charted_track_ids(database_url, charts)
        if tracks:
            chosen |= {int(a) for a in _credited(database_url, tracks=tracks)["artist_id"]}
    return sorted(chosen)


def track_ids(
    database_url: str,
    *,
    artists: Sequence[str] = (),
    watched: bool = False,
    charts: Sequence[str] = (),
) -> list[int]:
    """The tracks of `charts` and those credited to the named or watched artists (together);
    with none of these, the tracks of every chart."""
    people = set(named_artist_ids(database_url, artists))
    if watched:
        people |= set(watched_artist_ids(database_url))
    chosen: set[int] = set()
    if people:
        chosen |= {int(t) for t in _credited(database_url, artists=sorted(people))["track_id"]}
    if charts or not (artists or watched):
        chosen |= set(charted_track_ids(database_url, charts))
    return sorted(chosen)

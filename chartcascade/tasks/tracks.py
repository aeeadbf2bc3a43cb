"""Track metadata: fetch songs, store their metadata and link their credited artists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlmodel import Session

from chartcascade.crud.artists import upsert_artist_stubs
from chartcascade.crud.tracks import link_artists, save_track_metadata, tracks_needing_metadata
from chartcascade.soundcharts import Song, SoundchartsClient
from chartcascade.tasks.batch import RunContext, run_batch
from chartcascade.tasks.outcome import StageOutcome

NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class TrackMetadataWork:
    """Songs whose metadata is missing or older than the freshness window."""

    stage = "track-metadata"

    def __init__(self, stale_before: datetime, force: bool) -> None:
        self.stale_before = stale_before
        self.force = force

    def select(self, session: Session, keys: Sequence[str]) -> dict[str, bool]:
        needed = tracks_needing_metadata(
            session, uuids=keys, stale_before=self.stale_before, force=self.force
        )
        never = set(tracks_needing_metadata(session, uuids=needed, stale_before=NEVER))
        return {uuid: uuid in never for uuid in needed}

    def estimate(self, key: str) -> int:
        return 1

    def fetch(self, client: SoundchartsClient, key: str) -> Song:
        return client.song(key)

    def save(self, session: Session, results: list[tuple[str, Song]]) -> None:
        if not results:
            return
        songs = [song for _, song in results]
        credits = {c.uuid: c for song in songs for c in song.artists}
        artist_ids = upsert_artist_stubs(
            session,
            stubs=[
                {"uuid": c.uuid, "slug": c.slug, "name": c.name, "image_url": c.image_url}
                for c in credits.values()
            ],
        )
        track_ids = save_track_metadata(
            session,
            tracks=[
                {
                    "uuid": song.uuid,
                    "name": song.name,
                    "credit_name": song.credit_name,
                    "isrc": song.isrc,
                    "release_date": song.release_date,
                    "image_url": song.image_url,
                    "genres": [genre.model_dump() for genre in song.genres],
                    "labels": song.labels,
                }
                for song in songs
            ],
            fetched_at=datetime.now(UTC),
        )
        for song in songs:
            links = [(artist_ids[c.uuid], c.role, c.position) for c in song.artists]
            link_artists(session, track_id=track_ids[song.uuid], links=links)


@task(name="track-metadata", task_run_name="track-metadata-{batch_no}", cache_policy=NO_CACHE)
def fetch_track_metadata(
    batch_no: int, uuids: list[str], ctx: RunContext, stale_before: datetime
) -> StageOutcome:
    """Fetch metadata and artist credits for one batch of tracks."""
    return run_batch(TrackMetadataWork(stale_before, ctx.force), uuids, ctx)

"""Artist metadata: fetch each new or stale artist once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlmodel import Session

from chartcascade.crud.artists import artists_needing_metadata, save_artist_metadata
from chartcascade.soundcharts import Artist, SoundchartsClient
from chartcascade.tasks.batch import RunContext, run_batch
from chartcascade.tasks.outcome import StageOutcome
from chartcascade.tasks.tracks import NEVER


class ArtistMetadataWork:
    """Artists whose metadata is missing or older than the freshness window."""

    stage = "artist-metadata"

    def __init__(self, stale_before: datetime, force: bool) -> None:
        self.stale_before = stale_before
        self.force = force

    def select(self, session: Session, keys: Sequence[str]) -> dict[str, bool]:
        needed = artists_needing_metadata(
            session, uuids=keys, stale_before=self.stale_before, force=self.force
        )
        never = set(artists_needing_metadata(session, uuids=needed, stale_before=NEVER))
        return {uuid: uuid in never for uuid in needed}

    def estimate(self, key: str) -> int:
        return 1

    def fetch(self, client: SoundchartsClient, key: str) -> Artist:
        return client.artist(key)

    def save(self, session: Session, results: list[tuple[str, Artist]]) -> None:
        if not results:
            return
        save_artist_metadata(
            session,
            artists=[
                {
                    "uuid": artist.uuid,
                    "slug": artist.slug,
                    "name": artist.name,
                    "country_code": artist.country_code,
                    "genres": [genre.model_dump() for genre in artist.genres],
                    "image_url": artist.image_url,
                }
                for _, artist in results
            ],
            fetched_at=datetime.now(UTC),
        )


@task(name="artist-metadata", task_run_name="artist-metadata-{batch_no}", cache_policy=NO_CACHE)
def fetch_artist_metadata(
    batch_no: int, uuids: list[str], ctx: RunContext, stale_before: datetime
) -> StageOutcome:
    """Fetch metadata for one batch of artists."""
    return run_batch(ArtistMetadataWork(stale_before, ctx.force), uuids, ctx)

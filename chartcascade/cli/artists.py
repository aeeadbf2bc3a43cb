"""`chartcascade artists ...`: find artists, watch them, and sync the watched ones."""

from __future__ import annotations

from typing import Any, get_origin

import typer
from pydantic import ValidationError

from chartcascade.cli.console import console, fail, summary_table
from chartcascade.cli.errors import api_hint
from chartcascade.cli.tables import Column, fitted_table, print_table, show_all_columns

artists_app = typer.Typer(
    help="Find artists on Soundcharts and keep watched artists synced, charted or not.",
    no_args_is_help=True,
)


@artists_app.command("search")
def search_command(
    name: str = typer.Argument(..., help="Part of the artist's name."),
    max_results: int = typer.Option(100, "--max-results", min=1, help="Matches shown at most."),
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
) -> None:
    """Search artists by name (one API call per 20 matches)."""
    show_all_columns(wide)
    from chartcascade.settings import ConfigurationError, get_settings
    from chartcascade.soundcharts import SoundchartsClient, SoundchartsError

    if not name.strip():
        fail("give part of an artist's name: `chartcascade artists search NAME`")
    try:
        settings = get_settings()
        settings.credentials()
        with SoundchartsClient(settings) as client:
            found = client.search_artists(name.strip(), max_results=max_results)
            calls = client.calls_made
    except ConfigurationError as exc:
        fail(str(exc))
    except SoundchartsError as exc:
        fail(f"{exc}{api_hint(exc)}")
    rows = [[artist.name or "", artist.uuid, artist.slug or ""] for artist in found]
    columns = [Column("artist", names=True), Column("uuid", names=True), Column("slug")]
    more = " (--max-results shows more)" if len(found) == max_results else ""
    caption = f"{len(found)} matches{more} · API calls: {calls} · `artists watch UUID` watches one"
    print_table(fitted_table(f"Artists matching {name!r}", columns, rows, caption=caption))


@artists_app.command("watch")
def watch_command(
    uuids: list[str] = typer.Argument(..., help="Soundcharts artist uuids."),
) -> None:
    """Watch artists: `artists sync` and the sweep keep them complete, charted or not. An
    artist not stored yet costs one metadata call; an unknown uuid is refused."""
    from chartcascade.crud.artists import artist_ids, save_artist_metadata
    from chartcascade.crud.watchlist import watch_artists
    from chartcascade.db import session_scope
    from chartcascade.models._base import utcnow
    from chartcascade.schema import upgrade
    from chartcascade.settings import get_settings

    wanted = list(dict.fromkeys(u.strip() for u in uuids if u.strip()))
    database_url = get_settings().database_url
    upgrade(database_url)  # watching writes: a first use creates the database
    with session_scope(database_url) as session:
        known = artist_ids(session, uuids=wanted)
    fetched = looked_up([u for u in wanted if u not in known])
    with session_scope(database_url) as session:
        if fetched:
            save_artist_metadata(session, artists=fetched, fetched_at=utcnow())
        added = watch_artists(session, stubs=[{"uuid": u} for u in wanted])
    for uuid in wanted:
        console.print(f"{'watching' if uuid in added else 'already watched'}: {uuid}")


def looked_up(uuids: list[str]) -> list[dict[str, Any]]:
    """The metadata of artists not stored yet (one call each); an unknown uuid ends the
    command before anything is stored."""
    if not uuids:
        return []
    from chartcascade.settings import ConfigurationError, get_settings
    from chartcascade.soundcharts import NotFoundError, SoundchartsClient, SoundchartsError

    found: list[dict[str, Any]] = []
    try:
        with SoundchartsClient(get_settings()) as client:
            for uuid in uuids:
                artist = client.artist(uuid)
                found.append(
                    artist.model_dump(include={"uuid", "slug", "name", "country_code", "image_url"})
                    | {"genres": [genre.model_dump() for genre in artist.genres]}
                )
    except NotFoundError:
        fail(
            f"no artist {uuid} on Soundcharts: nothing was watched; check the uuid "
            "(`chartcascade artists search NAME` finds it)"
        )
    except ConfigurationError as exc:
        fail(str(exc))
    except SoundchartsError as exc:
        fail(f"{exc}{api_hint(exc)}; nothing was watched")
    return found


@artists_app.command("unwatch")
def unwatch_command(uuid: str = typer.Argument(..., help="A watched artist's uuid.")) -> None:
    """Stop watching an artist (what was fetched stays stored)."""
    from chartcascade.cli.preflight import require_database
    from chartcascade.crud.watchlist import unwatch_artist
    from chartcascade.db import session_scope
    from chartcascade.settings import get_settings

    database_url = get_settings().database_url
    require_database(database_url)
    with session_scope(database_url) as session:
        removed = unwatch_artist(session, uuid=uuid.strip())
    if not removed:
        fail(f"{uuid} is not watched: `chartcascade artists list` shows the watched artists")
    console.print(f"no longer watched: {uuid}")


@artists_app.command("list")
def list_command(
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
) -> None:
    """The watched artists: name, uuid, when added, when their metadata was fetched."""
    show_all_columns(wide)
    from chartcascade.cli.preflight import require_database
    from chartcascade.crud.watchlist import watched_artists
    from chartcascade.db import session_scope
    from chartcascade.settings import get_settings

    database_url = get_settings().database_url
    require_database(database_url)
    with session_scope(database_url) as session:
        watched = watched_artists(session)
    rows = [
        [
            artist.name or "",
            artist.uuid,
            f"{added:%Y-%m-%d}",
            f"{artist.metadata_fetched_at:%Y-%m-%d}" if artist.metadata_fetched_at else "never",
        ]
        for artist, added in watched
    ]
    columns = [Column("artist", names=True), Column("uuid", names=True)]
    columns += [Column("added", keep=1), Column("metadata", keep=2)]
    caption = f"{len(rows)} watched · `chartcascade artists sync` syncs them"
    print_table(fitted_table("Watched artists", columns, rows, caption=caption))


@artists_app.command("sync")
def sync_command(
    option: list[str] = typer.Option([], "--option", "-o", help="Any watchlist option as k=v."),
    max_api_calls: int | None = typer.Option(None, help="API-call budget of the run."),
    force_refresh: bool | None = typer.Option(None, "--force-refresh", help="Refetch fresh data."),
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
) -> None:
    """Sync the watched artists now: metadata, then followers and listening figures."""
    show_all_columns(wide)
    options = watchlist_options(option, max_api_calls=max_api_calls, force_refresh=force_refresh)
    from chartcascade.cli.preflight import require_prefect_api, require_reachable_database
    from chartcascade.flows.summary import run_summary
    from chartcascade.flows.sync_artists import sync_artists
    from chartcascade.settings import ConfigurationError, get_settings

    try:
        settings = get_settings()
        settings.credentials()
        require_prefect_api()
        require_reachable_database(settings.database_url)
    except ConfigurationError as exc:
        fail(str(exc))
    state = sync_artists(options, return_state=True)
    result = state.result(raise_on_failure=False)
    if (summary := run_summary(result)) is not None:
        table = summary_table(summary)
        table.title = "Watched artists"
        print_table(table)
    if not state.is_completed():
        fail((state.message or str(result)) + api_hint(result))
    if state.message:
        console.print(state.message)


def watchlist_options(pairs: list[str], **explicit: Any) -> Any:
    """WatchlistOptions from `key=value` pairs and flags."""
    from chartcascade.cli.sync import option_error, option_value
    from chartcascade.flows.sync_artists import WatchlistOptions

    values: dict[str, Any] = {k: v for k, v in explicit.items() if v is not None}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            fail(f"--option takes key=value, got {pair!r}")
        field = WatchlistOptions.model_fields.get(key.strip())
        is_list = field is not None and get_origin(field.annotation) is list
        values[key.strip()] = option_value(raw, is_list=is_list)
    try:
        return WatchlistOptions(**values)
    except ValidationError as exc:
        fail("invalid option: " + "; ".join(option_error(e) for e in exc.errors()))

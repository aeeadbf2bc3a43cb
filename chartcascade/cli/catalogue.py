"""`chartcascade charts [PLATFORM]`: the song charts the API offers, stored to be named."""

from __future__ import annotations

from typing import Any

import typer

from chartcascade.cli.console import fail
from chartcascade.cli.errors import api_hint
from chartcascade.cli.tables import Column, fitted_table, print_table, show_all_columns


def charts_command(
    platform: str | None = typer.Argument(
        None, help="Platform code (spotify, apple-music, ...); none lists the platforms."
    ),
    country: str | None = typer.Option(
        None, "--country", help="Only the charts of one country (ISO code, e.g. FR)."
    ),
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
) -> None:
    """List the platforms that have song charts, or a platform's charts (stored in the
    database, so reports and `sync` can name them)."""
    show_all_columns(wide)
    from chartcascade.settings import ConfigurationError, get_settings
    from chartcascade.soundcharts import SoundchartsClient, SoundchartsError

    if platform is None and country:
        fail("--country needs a platform: `chartcascade charts spotify --country FR`")
    try:
        settings = get_settings()
        settings.credentials()
        with SoundchartsClient(settings) as client:
            if platform is None:
                show_platforms(client.chart_platforms(), client.calls_made)
                return
            listed = client.charts(platform, country.upper() if country else None)
            calls = client.calls_made
    except ConfigurationError as exc:
        fail(str(exc))
    except SoundchartsError as exc:
        fail(f"{exc}{api_hint(exc)}")
    store_and_show(settings.database_url, platform, country, listed, calls)


def show_platforms(platforms: dict[str, str], calls: int) -> None:
    """The platforms with song charts, one row each."""
    rows = [[code, name] for code, name in platforms.items()]
    columns = [Column("platform", names=True), Column("name", names=True)]
    caption = f"{len(rows)} platforms · API calls: {calls} · `charts PLATFORM` lists its charts"
    print_table(fitted_table("Platforms with song charts", columns, rows, caption=caption))


def store_and_show(
    database_url: str, platform: str, country: str | None, listed: list[Any], calls: int
) -> None:
    """Store the listed charts, then show them."""
    from chartcascade.crud.catalogue import store_catalogue
    from chartcascade.db import session_scope
    from chartcascade.schema import upgrade

    upgrade(database_url)  # the catalogue writes: a first use creates the database
    with session_scope(database_url) as session:
        store_catalogue(session, charts=listed)
    columns = [Column("slug", names=True), Column("name", names=True)]
    columns += [Column("country", right=False, keep=3), Column("frequency", right=False, keep=2)]
    columns.append(Column("size", keep=1))
    rows = [
        [
            chart.slug,
            chart.name or "",
            chart.country_code or "global",
            chart.frequency or "",
            "" if chart.max_results_count is None else str(chart.max_results_count),
        ]
        for chart in listed
    ]
    where = f"{platform}, {country.upper()}" if country else platform
    caption = (
        f"{len(rows)} charts, stored · API calls: {calls} · `chartcascade sync SLUG` syncs one"
    )
    print_table(fitted_table(f"Song charts of {where}", columns, rows, caption=caption))

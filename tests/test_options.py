"""Sync options from the command line: platform codes checked before any call, lists from `-o`."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.cli.sync import parse_options
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.options import SyncOptions
from tests.flows.expected import chart_artists, chart_tracks
from tests.flows.test_sync_chart import CHART, calls, summary_of

SONG_CODES = (
    "spotify, youtube, shazam, instagram, soundcloud, audiomack, genius, gaana, jiosaavn, "
    "melon, line-music, anghami, boomplay or airplay"
)


def test_one_value_is_a_one_item_list() -> None:
    options = parse_options(["track_platforms=spotify", "listening_platforms=youtube"])

    assert options.track_platforms == ["spotify"]
    assert options.listening_platforms == ["youtube"]


def test_comma_separated_values_and_json_lists_are_lists() -> None:
    options = parse_options(
        ["track_platforms=shazam, airplay", 'artist_platforms=["tiktok","deezer"]', "top_n=5"]
    )

    assert (options.track_platforms, options.artist_platforms) == (
        ["shazam", "airplay"],
        ["tiktok", "deezer"],
    )
    assert options.top_n == 5


def test_an_empty_value_turns_a_feed_off() -> None:
    assert parse_options(["listening_platforms="]).listening_platforms == []


def test_platform_lists_keep_their_order() -> None:
    assert SyncOptions(track_platforms=["airplay", "spotify"]).track_platforms == [
        "airplay",
        "spotify",
    ]


def test_a_platform_listed_twice_is_refused() -> None:
    result = CliRunner().invoke(app, ["sync", CHART, "-o", "artist_platforms=tiktok,tiktok"])

    assert result.exit_code == 1
    assert (
        result.output == "error: invalid option: artist_platforms: tiktok listed more than once\n"
    )


@pytest.mark.prefect
def test_a_misspelt_platform_is_refused_before_any_call(sandbox: Any, cascade_env: str) -> None:
    result = CliRunner().invoke(
        app, ["sync", CHART, "--plan", "-o", "track_platforms=spotify,spotfy"]
    )

    assert result.exit_code == 1
    assert result.output == (
        "error: invalid option: track_platforms: 'spotfy' is not a valid code "
        f"(valid: {SONG_CODES})\n"
    )
    assert calls(sandbox) == {}


@pytest.mark.parametrize(
    ("option", "bad"),
    [("artist_platforms", "twitter"), ("listening_platforms", "shazam")],
)
def test_artist_feeds_refuse_codes_of_other_feeds(option: str, bad: str) -> None:
    result = CliRunner().invoke(app, ["sync", CHART, "-o", f"{option}={bad}"])

    assert result.exit_code == 1
    assert f"{option}: {bad!r} is not a valid code (valid: spotify, youtube, " in result.output
    assert result.output.count("\n") == 1


@pytest.mark.prefect
def test_plan_budgets_only_the_platforms_asked_for(sandbox: Any, cascade_env: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "sync", CHART, "--plan",
            "-o", "track_platforms=spotify",
            "-o", "artist_platforms=tiktok",
            "-o", "listening_platforms=",
        ],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    stages = {line.split()[1] for line in result.output.splitlines() if line.startswith("│")}
    assert {s for s in stages if "audience" in s or "airplay" in s or "listening" in s} == {
        "track-audience-spotify",
        "artist-audience-tiktok",
    }
    assert calls(sandbox) == {"ranking": 1}


@pytest.mark.prefect
def test_a_run_takes_codes_without_data_as_checked(sandbox: Any, cascade_env: str) -> None:
    tracks = chart_tracks(sandbox.world, CHART)
    artists = chart_artists(sandbox.world, tracks)
    options = parse_options(
        ["track_platforms=genius", "artist_platforms=mixcloud", "listening_platforms=pandora"]
    )

    state = sync_chart(CHART, options=options, return_state=True)

    assert state.is_completed(), state.message
    stages = {s.stage: (s.new, s.failed) for s in summary_of(state).stages}
    assert stages["track-audience-genius"] == (len(tracks), 0)
    assert stages["artist-audience-mixcloud"] == (len(artists), 0)
    assert stages["artist-listening-pandora"] == (len(artists), 0)
    audience = {k: v for k, v in calls(sandbox).items() if "audience" in k or "listening" in k}
    assert audience == {
        "song_audience": len(tracks),
        "artist_audience": len(artists),
        "artist_listening": len(artists),
    }


def test_an_unknown_option_is_refused_naming_the_options() -> None:
    result = CliRunner().invoke(app, ["sync", CHART, "-o", "top_m=5"])

    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert message.startswith("error: unknown option 'top_m': the options are")
    assert "top_n" in message and "track_platforms" in message

"""Deployment forms offer the platform codes as choices, and their validation refuses others."""

from __future__ import annotations

from typing import Any

import pytest
from prefect.utilities.schema_tools.validation import validate

from chartcascade.deploy.definitions import read_prefect_file, runner_deployments

# Written out by hand from the API reference (§4.5, §4.7, §4.8), not from the enums.
SONG_CODES = [
    "spotify", "youtube", "shazam", "instagram", "soundcloud", "audiomack", "genius", "gaana",
    "jiosaavn", "melon", "line-music", "anghami", "boomplay", "airplay",
]  # fmt: skip
SOCIAL_CODES = [
    "spotify", "youtube", "instagram", "tiktok", "facebook", "deezer", "soundcloud", "mixcloud",
    "patreon", "triller", "weibo", "gaana", "line-music", "yandex", "melon", "joox", "songkick",
]  # fmt: skip
STREAMING_CODES = [
    "spotify", "youtube", "jiosaavn", "pandora", "yandex", "kugou", "anghami", "audiomack",
]  # fmt: skip


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict[str, Any]]:
    return {d.name: d._parameter_openapi_schema.model_dump() for d in runner_deployments()}


@pytest.mark.parametrize(
    ("deployment", "options"), [("airplay-daily", "SyncOptions"), ("hourly", "SweepOptions")]
)
def test_platform_fields_are_choices(
    schemas: dict[str, dict[str, Any]], deployment: str, options: str
) -> None:
    definitions = schemas[deployment]["definitions"]
    properties = definitions[options]["properties"]
    choices = {}
    for field in ("track_platforms", "artist_platforms", "listening_platforms"):
        shown = properties[field]  # a list, or (in the sweep) a list or nothing
        [array] = [s for s in shown.get("anyOf", [shown]) if s.get("type") == "array"]
        choices[field] = definitions[array["items"]["$ref"].rsplit("/", 1)[1]]["enum"]

    assert choices == {
        "track_platforms": SONG_CODES,
        "artist_platforms": SOCIAL_CODES,
        "listening_platforms": STREAMING_CODES,
    }


def test_a_misspelt_platform_fails_the_deployment_schema(
    schemas: dict[str, dict[str, Any]],
) -> None:
    spec = {s["name"]: s for s in read_prefect_file()["deployments"]}["spotify-global-28"]
    good = spec["parameters"]
    bad = {**good, "options": {**good["options"], "track_platforms": ["spotify", "spotfy"]}}
    schema = schemas["spotify-global-28"]

    assert validate(good, schema) == []
    [error] = validate(bad, schema)
    causes = [(list(c.path), c.instance) for c in error.context or [error]]
    assert (["track_platforms", 1], "spotfy") in causes

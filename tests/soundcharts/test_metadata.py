"""Song and artist metadata endpoints."""

from __future__ import annotations

from datetime import date

import respx

from chartcascade.soundcharts import SoundchartsClient

SONG_UUID = "7d534228-5165-11e9-9375-549f35161576"
ARTIST_UUID = "11e81bcc-9c1c-ce38-b96b-a0369fe50396"


def test_song_uses_v2_25_and_parses_metadata(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    song = {
        "uuid": SONG_UUID,
        "name": "bad guy",
        "isrc": {"value": "USUM71900764", "countryCode": "US"},
        "creditName": "Billie Eilish",
        "artists": [{"uuid": ARTIST_UUID, "slug": "billie-eilish", "name": "Billie Eilish"}],
        "releaseDate": "2019-03-29T00:00:00+00:00",
        "duration": 194,
        "explicit": False,
        "genres": [{"root": "pop", "sub": ["electropop"]}],
        "labels": [{"name": "Darkroom/Interscope Records", "type": "major"}],
        "languageCode": "en",
        "copyright": "",
    }
    router.get(f"/api/v2.25/song/{SONG_UUID}").respond(
        200, json={"type": "song", "object": song, "errors": []}
    )

    parsed = client.song(SONG_UUID)

    assert parsed.isrc == "USUM71900764"
    assert parsed.release_date == date(2019, 3, 29)
    assert parsed.labels == ["Darkroom/Interscope Records"]
    assert parsed.genres[0].root == "pop" and parsed.genres[0].sub == ["electropop"]
    assert parsed.artists[0].role == "main" and parsed.artists[0].slug == "billie-eilish"
    assert parsed.duration == 194
    assert parsed.language_code == "en"


def test_artist_uses_v2_9_and_parses_metadata(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    artist = {
        "uuid": ARTIST_UUID,
        "slug": "billie-eilish",
        "name": "Billie Eilish",
        "countryCode": "US",
        "genres": ["pop", {"root": "alternative", "sub": None}],
        "imageUrl": "https://assets.test/a.jpg",
        "birthDate": "2001-12-18T00:00:00+00:00",
    }
    router.get(f"/api/v2.9/artist/{ARTIST_UUID}").respond(
        200, json={"type": "artist", "object": artist, "errors": []}
    )

    parsed = client.artist(ARTIST_UUID)

    assert parsed.slug == "billie-eilish"
    assert parsed.country_code == "US"
    assert [(genre.root, genre.sub) for genre in parsed.genres] == [
        ("pop", []),
        ("alternative", []),
    ]
    assert parsed.birth_date == date(2001, 12, 18)

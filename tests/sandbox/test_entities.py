"""Song and artist objects: shapes, credits, nullable fields, 404s."""

from __future__ import annotations

from collections import Counter

import httpx

from chartcascade.sandbox import SandboxWorld

NOT_FOUND = {"errors": [{"key": "access", "code": 404, "message": "Not found."}]}


def test_song_envelope_and_fields(client: httpx.Client, world: SandboxWorld) -> None:
    uuid = world.song_uuids[0]
    body = client.get(f"/api/v2.25/song/{uuid}").json()

    assert list(body) == ["type", "object", "errors"]
    assert body["type"] == "song"
    assert body["object"] == world.song(uuid)
    assert {"uuid", "name", "isrc", "creditName", "artists", "releaseDate", "labels"} <= set(
        body["object"]
    )
    assert "mainArtists" not in body["object"]
    assert set(body["object"]["isrc"]) == {"value", "countryCode", "countryName"}


def test_song_artists_follow_credit_order(world: SandboxWorld) -> None:
    for uuid in world.song_uuids:
        song = world.song(uuid)
        assert song is not None
        names = [a["name"] for a in song["artists"]]
        credit = song["creditName"]
        assert credit in (
            names[0],
            " & ".join(names),
            " feat. ".join(names),
            f"{names[0]} & {names[1]} feat. {names[-1]}" if len(names) == 3 else None,
        )
        assert [a["uuid"] for a in song["artists"]] == world.song_artist_uuids(uuid)


def test_song_artist_counts_are_one_two_or_three(world: SandboxWorld) -> None:
    counts = Counter(len(world.song_artist_uuids(u)) for u in world.song_uuids)

    assert set(counts) == {1, 2, 3}
    assert counts[1] > counts[2] > counts[3]


def test_song_featured_credits_exist(world: SandboxWorld) -> None:
    credits = [world.song(u)["creditName"] for u in world.song_uuids]  # type: ignore[index]

    assert any(" feat. " in c and " & " not in c for c in credits)
    assert any(" & " in c and " feat. " in c for c in credits)


def test_song_nullable_fields_vary(world: SandboxWorld) -> None:
    songs = [world.song(u) for u in world.song_uuids]
    offsets = {s["releaseDate"][-6:] for s in songs if s and s["releaseDate"]}

    assert offsets == {"+00:00", "+01:00", "+02:00"}
    assert any(s and s["releaseDate"] is None for s in songs)
    assert any(s and s["copyright"] == "" for s in songs)
    assert any(s and "audio" not in s for s in songs)
    assert any(s and "audio" in s and s["audio"] is None for s in songs)


def test_unknown_song_is_404(client: httpx.Client) -> None:
    answer = client.get("/api/v2.25/song/00000000-0000-0000-0000-000000000000")

    assert answer.status_code == 404
    assert answer.json() == NOT_FOUND


def test_artist_envelope(client: httpx.Client, world: SandboxWorld) -> None:
    uuid = world.artist_uuids[3]
    body = client.get(f"/api/v2.9/artist/{uuid}").json()

    assert body["type"] == "artist"
    assert body["object"] == world.artist(uuid)
    assert body["object"]["appUrl"].endswith(f"/artist/{body['object']['slug']}/overview")


def test_artist_genres_come_in_both_shapes(world: SandboxWorld) -> None:
    shapes = Counter(
        type(world.artist(u)["genres"][0]).__name__  # type: ignore[index]
        for u in world.artist_uuids
    )

    assert set(shapes) == {"str", "dict"}
    assert min(shapes.values()) > len(world.artist_uuids) // 4


def test_artist_slugs_are_unique(world: SandboxWorld) -> None:
    slugs = [world.artist(u)["slug"] for u in world.artist_uuids]  # type: ignore[index]

    assert len(set(slugs)) == len(slugs)


def test_unknown_artist_is_404(client: httpx.Client) -> None:
    answer = client.get("/api/v2.9/artist/nobody")

    assert answer.status_code == 404
    assert answer.json() == NOT_FOUND


def test_unknown_path_is_404(client: httpx.Client) -> None:
    answer = client.get("/api/v2.99/song/x")

    assert answer.status_code == 404
    assert answer.json() == NOT_FOUND


def test_wrong_method_is_405(client: httpx.Client, world: SandboxWorld) -> None:
    answer = client.post(f"/api/v2.25/song/{world.song_uuids[0]}")

    assert answer.status_code == 405
    assert answer.json()["errors"][0]["code"] == 405

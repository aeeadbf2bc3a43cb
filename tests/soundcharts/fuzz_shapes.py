"""Recorded-shape payloads of every endpoint the client parses, and ways to damage them.

The shapes follow /work/shared/soundcharts-api.md §4 (abridged real responses) and the
fixtures of the other client tests; the mutations are what a changing API does to them.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

SONG_UUID = "7d534228-5165-11e9-9375-549f35161576"
ARTIST_UUID = "11e81bcc-9c1c-ce38-b96b-a0369fe50396"
NEXT = "/api/v2/next-page?offset=100&limit=100"
ARTIST_STUB = {
    "uuid": ARTIST_UUID,
    "slug": "billie-eilish",
    "name": "Billie Eilish",
    "appUrl": "https://app.soundcharts.com/app/artist/billie-eilish/overview",
    "imageUrl": "https://assets.soundcharts.com/artist/b.jpg",
}
CHART = {
    "name": "Top 200 Global",
    "type": "song",
    "slug": "global-28",
    "platform": "spotify",
    "frequency": "daily",
    "countryCode": "",
    "countryName": None,
    "cityName": None,
    "maxResultsCount": 200,
    "webUrl": "https://charts.spotify.com",
    "metric": {"type": "streams", "description": "Daily streams"},
}


def collection(items: list[Any], related: Any = None) -> dict[str, Any]:
    """The first page of two (the served second page is empty, so paging stops there)."""
    body: dict[str, Any] = {} if related is None else {"related": related}
    page = {"offset": 0, "limit": 100, "next": NEXT, "previous": None, "total": 100 + len(items)}
    return {**body, "items": items, "page": page, "errors": []}


PLATFORMS = collection(
    [{"name": "Spotify", "code": "spotify"}, {"name": "Shazam", "code": "shazam"}]
)
CHARTS = collection([CHART, {**CHART, "slug": "us-28", "countryCode": "US"}])
RANKING_DATES = collection(["2026-11-25T12:00:00+00:00", "2026-11-24T12:00:00+00:00"], CHART)
RANKING = collection(
    [
        {
            "song": {"uuid": SONG_UUID, "name": "bad guy", "creditName": "Billie Eilish",
                     "imageUrl": "https://assets.soundcharts.com/song/s.jpg"},
            "position": 2, "positionEvolution": -1, "metric": 5016487, "entryState": "",
            "entryDate": "2026-05-29T12:00:00+00:00", "rankDate": "2026-11-25T12:00:00+00:00",
            "oldPosition": 1, "timeOnChart": 10, "timeOnChartUnit": "DOC",
        },
        {
            "song": {"uuid": "11e8-new", "name": "new one", "creditName": "Someone"},
            "position": 1, "positionEvolution": None, "metric": 5100000, "entryState": "new",
            "entryDate": "2026-11-25T12:00:00+00:00", "rankDate": "2026-11-25T12:00:00+00:00",
            "oldPosition": None, "timeOnChart": 1, "timeOnChartUnit": "DOC",
        },
    ],
    {"chart": CHART, "date": "2026-11-25T12:00:00+00:00"},
)  # fmt: skip
SONG = {
    "type": "song",
    "object": {
        "uuid": SONG_UUID,
        "name": "bad guy",
        "isrc": {"value": "USUM71900764", "countryCode": "US", "countryName": "United States"},
        "iswcs": ["T-123.456.789-0"],
        "creditName": "Billie Eilish",
        "artists": [ARTIST_STUB, {**ARTIST_STUB, "uuid": "11e8-finneas", "slug": "finneas"}],
        "mainArtists": [ARTIST_UUID],
        "releaseDate": "2019-03-29T00:00:00+01:00",
        "copyright": "",
        "appUrl": f"https://app.soundcharts.com/app/song/{SONG_UUID}/overview",
        "imageUrl": "https://assets.soundcharts.com/song/s.jpg",
        "duration": 194,
        "explicit": False,
        "genres": [{"root": "pop", "sub": ["electropop"]}, "alternative"],
        "composers": ["Billie Eilish", "Finneas O'Connell"],
        "labels": [{"name": "Darkroom/Interscope Records", "type": "major"}],
        "audio": {"acousticness": 0.3, "key": 7, "tempo": 135.1},
        "languageCode": "en",
    },
    "errors": [],
}
ARTIST = {
    "type": "artist",
    "object": {
        **ARTIST_STUB,
        "countryCode": "US",
        "webUrl": None,
        "genres": ["pop", {"root": "alternative", "sub": ["indie"]}],
        "biography": "…",
        "isni": None,
        "gender": "female",
        "type": "person",
        "birthDate": "2001-12-18T00:00:00+00:00",
        "careerStage": "superstar",
        "growthLevel": None,
        "cityName": "Los Angeles",
    },
    "errors": [],
}
SONG_AUDIENCE = collection(
    [
        {"date": "2026-05-19T00:00:00+02:00",
         "plots": [{"identifier": "2Fxmhks0bxGSBdJ92vM42m", "value": 2919969032},
                   {"identifier": "4TK18Te3S79HAL2K4pcPBV", "value": 1234567}]},
        {"date": "2026-05-18T00:00:00+00:00",
         "plots": [{"identifier": "2Fxmhks0bxGSBdJ92vM42m", "value": 2918000000},
                   {"identifier": "4TK18Te3S79HAL2K4pcPBV", "value": None}]},
    ],
    {"uuid": SONG_UUID, "name": "bad guy", "creditName": "Billie Eilish"},
)  # fmt: skip
ARTIST_RELATED = {
    "artist": ARTIST_STUB,
    "platform": "spotify",
    "lastCrawlDate": "2024-04-15T12:00:00+00:00",
}
ARTIST_AUDIENCE = collection(
    [
        {"date": "2024-01-12T00:00:00+00:00", "likeCount": None, "followerCount": 90706658,
         "followingCount": None, "postCount": None, "viewCount": None},
        {"date": "2024-01-13T00:00:00+01:00", "likeCount": 12, "followerCount": 90710000,
         "followingCount": 3, "postCount": 40, "viewCount": 1000},
    ],
    ARTIST_RELATED,
)  # fmt: skip
LISTENING = collection(
    [{"date": "2024-01-12T00:00:00+00:00", "value": 64315074},
     {"date": "2024-01-13T00:00:00+00:00", "value": 64400000}],
    ARTIST_RELATED,
)  # fmt: skip
LOCAL_STREAMING = collection(
    [
        {"date": "2026-02-04T00:00:00+00:00", "value": 84825375,
         "cityPlots": [{"date": "2026-02-04T00:00:00+00:00", "value": 1200345,
                        "countryName": "Italy", "countryCode": "IT", "region": "Lombardy",
                        "cityName": "Milan"}],
         "countryPlots": [{"date": "2026-02-04T00:00:00+00:00", "value": 3400000,
                           "countryName": "Italy", "countryCode": "IT"},
                          {"date": "2026-02-04T00:00:00+00:00", "value": None,
                           "countryName": "France", "countryCode": "FR"}]},
        {"date": "2026-02-05T00:00:00+01:00", "value": 84900000, "cityPlots": [],
         "countryPlots": {"IT": 3410000, "FR": {"value": 2100000}}},
    ],
    ARTIST_RELATED,
)  # fmt: skip
RADIO_SPINS = collection(
    [
        {"radio": {"name": "Radio One", "slug": "radio-one", "countryCode": "GB",
                   "countryName": "United Kingdom", "cityName": "London",
                   "timeZone": "Europe/London"},
         "playCount": 12},
        {"radio": {"name": "KIIS", "slug": "kiis-fm", "countryCode": "US"}, "playCount": 3},
    ],
    {"uuid": SONG_UUID, "name": "bad guy"},
)  # fmt: skip


# Mutations -------------------------------------------------------------------------------

Path = tuple[Any, ...]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["", " ", "null", "0", "1e3", "1e400", "2024-13-45", "not a date", "NaN"])
    | st.sampled_from(["/api/v2/x?offset=100", "http://a:b:c", "\x00", "/api/\n", "a b", "é"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
offset_dates = st.builds(
    lambda day, sign, hours, minutes, time: f"{day}T{time}{sign}{hours:02d}:{minutes:02d}",
    st.dates(),
    st.sampled_from("+-"),
    st.integers(0, 14),
    st.sampled_from([0, 30, 45]),
    st.sampled_from(["00:00:00", "12:00:00", "23:59:59.999"]),
)  # fmt: skip
KINDS = ("remove", "null", "retype", "date", "extra", "reorder", "empty")


def locations(value: Any, path: Path = ()) -> list[Path]:
    """Every place in a JSON value, the whole value first."""
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += locations(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += locations(inner, (*path, index))
    return found


def _get(value: Any, path: Path) -> Any:
    for part in path:
        value = value[part]
    return value


def _set(root: Any, path: Path, new: Any) -> Any:
    if not path:
        return new
    _get(root, path[:-1])[path[-1]] = new
    return root


def mutate(root: Any, path: Path, kind: str, data: st.DataObject) -> Any:
    """`root` (changed in place where it can be) with one mutation at `path`."""
    target = _get(root, path)
    if kind == "remove" and path:
        del _get(root, path[:-1])[path[-1]]
        return root
    if kind == "null":
        return _set(root, path, None)
    if kind == "date":
        return _set(root, path, data.draw(offset_dates))
    if kind == "extra" and isinstance(target, dict):
        target[data.draw(st.text(max_size=8))] = data.draw(json_values)
        return root
    if kind == "extra" and isinstance(target, list):
        target.append(data.draw(json_values))
        return root
    if kind == "reorder" and isinstance(target, dict | list):
        items = list(target.items()) if isinstance(target, dict) else list(target)
        shuffled = data.draw(st.permutations(items))
        return _set(root, path, dict(shuffled) if isinstance(target, dict) else shuffled)
    if kind == "empty":
        empty = type(target)() if isinstance(target, dict | list | str) else None
        return _set(root, path, empty)
    return _set(root, path, data.draw(json_values))


def damaged(payload: dict[str, Any], data: st.DataObject) -> Any:
    """A copy of `payload` with one to three mutations."""
    result: Any = copy.deepcopy(payload)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(locations(result)))
        result = mutate(result, path, data.draw(st.sampled_from(KINDS)), data)
    return result

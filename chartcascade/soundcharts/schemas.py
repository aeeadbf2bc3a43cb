"""Normalised Soundcharts payloads (pydantic v2, lenient: unknown keys ignored, blanks -> None)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from chartcascade.positions import OFF_CHART, chart_position, position_order
from chartcascade.soundcharts.credits import assign_roles
from chartcascade.soundcharts.fields import (
    DatePart,
    Int,
    OptDate,
    OptInt,
    OptStr,
    Payload,
    blank_to_none,
)

Id = Annotated[str, BeforeValidator(blank_to_none)]


def _strings(values: Iterable[Any]) -> list[str]:
    return [value.strip() for value in values if isinstance(value, str) and value.strip()]


class Genre(Payload):
    """A genre and its sub-genres; given as `"pop"` or `{"root": "pop", "sub": [...]}`."""

    root: Id
    sub: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"root": data, "sub": []}
        if isinstance(data, dict):
            sub = data.get("sub")
            return {**data, "sub": _strings(sub) if isinstance(sub, list) else []}
        return data


def _genre_items(value: Any) -> Any:
    if value is None:
        return []
    if not isinstance(value, list):
        return value
    return [
        item
        for item in value
        if (isinstance(item, str) and item.strip())
        or (isinstance(item, dict) and blank_to_none(item.get("root")) is not None)
        or isinstance(item, Genre)
    ]


Genres = Annotated[list[Genre], BeforeValidator(_genre_items)]


class ChartInfo(Payload):
    """A song chart (ChartLight); `metric_type` comes from `metric.type`."""

    slug: Id
    name: OptStr = None
    platform: OptStr = None
    chart_type: OptStr = Field(None, alias="type")
    frequency: OptStr = None
    country_code: OptStr = None
    country_name: OptStr = None
    max_results_count: OptInt = None
    metric_type: OptStr = None

    @model_validator(mode="before")
    @classmethod
    def _metric(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("metric"), dict):
            return {**data, "metricType": data["metric"].get("type")}
        return data


class SongStub(Payload):
    """The song as a ranking names it."""

    uuid: Id
    name: OptStr = None
    credit_name: OptStr = None
    image_url: OptStr = None


class RankingEntry(Payload):
    """One song's place in a ranking (`position` 0, or none: no longer in the chart)."""

    song: SongStub
    position: Annotated[int, BeforeValidator(chart_position)] = OFF_CHART
    old_position: OptInt = None
    position_evolution: OptInt = None
    metric: OptInt = None
    entry_date: OptDate = None
    rank_date: OptDate = None
    time_on_chart: OptInt = None
    time_on_chart_unit: OptStr = None
    entry_state: OptStr = None


class Ranking(Payload):
    """A chart's ranking on one date; `datetime` is the raw string, entries by position."""

    chart: ChartInfo | None = None
    date: DatePart
    datetime: str
    entries: list[RankingEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _by_position(self) -> Ranking:
        self.entries.sort(key=lambda entry: position_order(entry.position))
        return self


class ArtistCredit(Payload):
    """An artist credited on a song, in credit order."""

    uuid: Id
    slug: OptStr = None
    name: OptStr = None
    image_url: OptStr = None
    role: Literal["main", "featured"]
    position: int


def _isrc(value: Any) -> Any:
    if isinstance(value, dict):
        value = value.get("value")
    return blank_to_none(value)


def _labels(labels: Any, label: Any) -> list[str]:
    raw = labels if isinstance(labels, list) else [labels, label]
    names = [item.get("name") if isinstance(item, dict) else item for item in raw]
    return list(dict.fromkeys(_strings(names)))


class Song(Payload):
    """Song metadata (v2.25, older shapes accepted)."""

    uuid: Id
    name: OptStr = None
    credit_name: OptStr = None
    isrc: Annotated[str | None, BeforeValidator(_isrc)] = None
    release_date: OptDate = None
    image_url: OptStr = None
    genres: Genres = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    artists: list[ArtistCredit] = Field(default_factory=list)
    duration: OptInt = None
    explicit: Annotated[bool | None, BeforeValidator(blank_to_none)] = None
    language_code: OptStr = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        credit = data.get("creditName", data.get("credit_name"))
        artists = data.get("artists")
        return {
            **data,
            "labels": _labels(data.get("labels"), data.get("label")),
            "artists": []
            if artists is None
            else assign_roles(artists, data.get("mainArtists", data.get("main_artists")), credit),
        }


class Artist(Payload):
    """Artist metadata (v2.9)."""

    uuid: Id
    slug: OptStr = None
    name: OptStr = None
    country_code: OptStr = None
    genres: Genres = Field(default_factory=list)
    image_url: OptStr = None
    app_url: OptStr = None
    artist_type: OptStr = Field(None, alias="type")
    gender: OptStr = None
    birth_date: OptDate = None
    career_stage: OptStr = None
    city_name: OptStr = None


class AudiencePlot(Payload):
    """One platform identifier's value on a date (None: the API left it null)."""

    identifier: OptStr = None
    value: OptInt = None


class SongAudiencePoint(Payload):
    """A song's audience on one date, one plot per platform identifier.

    Null values are kept: a day missing an identifier's value is not a total
    (see `chartcascade.soundcharts.totals`).
    """

    date: DatePart
    plots: list[AudiencePlot] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _plots(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        plots = data.get("plots")
        if plots is None and "value" in data:
            plots = [{"identifier": None, "value": data["value"]}]
        return {**data, "plots": plots if plots is not None else []}

    @property
    def values(self) -> dict[str, int | None]:
        """Identifier -> value or None; an unnamed plot is known by its place (`#0`, `#1`...),
        so two unnamed plots are not merged; a repeated identifier: the last."""
        return {plot.identifier or f"#{n}": plot.value for n, plot in enumerate(self.plots)}


def country_code(value: Any) -> Any:
    """An ISO country code as given, trimmed and upper-cased; blanks become None."""
    value = blank_to_none(value)
    return value.strip().upper() if isinstance(value, str) else value


CountryCode = Annotated[str | None, BeforeValidator(country_code)]


class RadioSpinCount(Payload):
    """Spins of a song on one radio station over the requested period (`country_code` None:
    the answer did not say where the station is)."""

    radio_slug: OptStr = None
    radio_name: OptStr = None
    country_code: CountryCode = None
    play_count: Int

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        radio: dict[str, Any] = data["radio"] if isinstance(data.get("radio"), dict) else {}
        count_keys = ("playCount", "play_count", "count", "spinCount", "spins")
        count = next((data[key] for key in count_keys if data.get(key) is not None), None)
        return {
            "radioSlug": data.get("radioSlug", data.get("radio_slug", radio.get("slug"))),
            "radioName": data.get("radioName", data.get("radio_name", radio.get("name"))),
            "countryCode": data.get(
                "countryCode", data.get("country_code", radio.get("countryCode"))
            ),
            "playCount": count,
        }


class ArtistAudiencePoint(Payload):
    """An artist's fan counters on one platform and date (`follower_count` is the main one)."""

    date: DatePart
    follower_count: OptInt = None
    like_count: OptInt = None
    following_count: OptInt = None
    post_count: OptInt = None
    view_count: OptInt = None


class ListeningPoint(Payload):
    """An artist's streaming level on one date (e.g. Spotify monthly listeners)."""

    date: DatePart
    value: Int


class PlaceValue(Payload):
    """A streaming level in one country, or one city of it (`city_name` None: the country)."""

    country_code: CountryCode = None
    country_name: OptStr = None
    region: OptStr = None
    city_name: OptStr = None
    value: OptInt = None


def _places(value: Any, code_key: str) -> Any:
    """Country or city plots, as a list (the documented shape) or a dict keyed by code or
    name (`{"IT": 120}` or `{"IT": {"value": 120}}`); entries that are not objects dropped."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = [
            {code_key: key, **inner} if isinstance(inner, dict) else {code_key: key, "value": inner}
            for key, inner in value.items()
        ]
    if not isinstance(value, list):
        return value
    return [item for item in value if isinstance(item, dict | PlaceValue)]


class StreamingPoint(Payload):
    """An artist's local streaming audience on one date: the day's `value` (None when left
    out), and the countries and cities it names (from `countryPlots` and `cityPlots`)."""

    date: DatePart
    value: OptInt = None
    countries: list[PlaceValue] = Field(default_factory=list)
    cities: list[PlaceValue] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _plots(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        countries = data.get("countryPlots", data.get("country_plots", data.get("countries")))
        cities = data.get("cityPlots", data.get("city_plots", data.get("cities")))
        return {
            **data,
            "countries": _places(countries, "countryCode"),
            "cities": _places(cities, "cityName"),
        }

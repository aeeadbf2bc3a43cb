"""Lenient parsing of the odd shapes the real API is known to return."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from chartcascade.soundcharts import (
    Artist,
    ChartInfo,
    Genre,
    RadioSpinCount,
    Ranking,
    Song,
    SongAudiencePoint,
)
from chartcascade.soundcharts.parsing import (
    artist_audience_series,
    listening_series,
    song_audience_series,
)


def song(**fields: object) -> Song:
    return Song.model_validate({"uuid": "s1", **fields})


def roles(credit: str | None, names: list[str], **extra: object) -> list[tuple[str, str, int]]:
    artists = [{"uuid": f"u{i}", "name": name} for i, name in enumerate(names)]
    parsed = song(creditName=credit, artists=artists, **extra)
    return [(a.name or "", a.role, a.position) for a in parsed.artists]


def test_genre_from_plain_string() -> None:
    assert Genre.model_validate("pop") == Genre(root="pop", sub=[])


def test_genre_from_root_and_sub() -> None:
    genre = Genre.model_validate({"root": "pop", "sub": ["electropop", ""]})

    assert (genre.root, genre.sub) == ("pop", ["electropop"])


def test_genre_with_null_sub() -> None:
    assert Genre.model_validate({"root": "rock", "sub": None}).sub == []


def test_genres_mixed_and_blank_entries() -> None:
    artist = Artist.model_validate(
        {"uuid": "a", "genres": ["pop", {"root": "hip hop", "sub": ["trap"]}, "", None]}
    )

    assert [(g.root, g.sub) for g in artist.genres] == [("pop", []), ("hip hop", ["trap"])]


def test_null_genres_are_empty() -> None:
    assert Artist.model_validate({"uuid": "a", "genres": None}).genres == []


def test_isrc_as_object() -> None:
    assert song(isrc={"value": "USUM71900764", "countryCode": "US"}).isrc == "USUM71900764"


def test_isrc_as_plain_string() -> None:
    assert song(isrc="USUM71900764").isrc == "USUM71900764"


def test_labels_as_objects() -> None:
    assert song(labels=[{"name": "Interscope", "type": "major"}, {"name": ""}]).labels == [
        "Interscope"
    ]


def test_single_label_string() -> None:
    assert song(label="Darkroom").labels == ["Darkroom"]


def test_empty_strings_become_none() -> None:
    parsed = song(creditName="", imageUrl=" ", languageCode="", isrc="")

    assert (parsed.credit_name, parsed.image_url, parsed.language_code, parsed.isrc) == (
        None,
        None,
        None,
        None,
    )


def test_artist_empty_country_code_is_none() -> None:
    assert Artist.model_validate({"uuid": "a", "countryCode": ""}).country_code is None


def test_chart_info_empty_strings_become_none() -> None:
    chart = ChartInfo.model_validate({"slug": "global-28", "countryCode": "", "type": ""})

    assert (chart.country_code, chart.chart_type) == (None, None)


def test_null_release_date_is_none() -> None:
    assert song(releaseDate=None).release_date is None


def test_missing_audio_and_unknown_fields_are_ignored() -> None:
    parsed = song(name="bad guy", copyright="", iswcs=["T-1"], distributor={"name": "x"})

    assert parsed.name == "bad guy"


def test_release_date_keeps_its_local_day() -> None:
    assert song(releaseDate="2015-11-13T00:00:00+01:00").release_date == date(2015, 11, 13)


def test_song_without_uuid_is_invalid() -> None:
    with pytest.raises(ValidationError):
        Song.model_validate({"name": "no id"})


def test_audience_dates_keep_their_date_part() -> None:
    points = song_audience_series(
        [{"date": "2024-03-01T00:00:00+02:00", "plots": [{"identifier": "a", "value": 1}]}]
    )

    assert points[0].date == date(2024, 3, 1)


def test_newest_first_items_come_back_ascending() -> None:
    items = [
        {"date": f"2024-03-0{day}T00:00:00+00:00", "plots": [{"identifier": "a", "value": day}]}
        for day in (3, 2, 1)
    ]

    points = song_audience_series(items)

    assert [p.date.day for p in points] == [1, 2, 3]


def test_duplicate_dates_keep_the_last_point() -> None:
    points = listening_series(
        [
            {"date": "2024-01-02T00:00:00+00:00", "value": 5},
            {"date": "2024-01-01T00:00:00+00:00", "value": 1},
            {"date": "2024-01-02T00:00:00+01:00", "value": 6},
        ]
    )

    assert [(p.date.day, p.value) for p in points] == [(1, 1), (2, 6)]


def test_null_plot_values_are_kept() -> None:
    point = SongAudiencePoint.model_validate(
        {"date": "2024-03-01", "plots": [{"identifier": "a", "value": None}, {"value": 4}]}
    )

    assert [(p.identifier, p.value) for p in point.plots] == [("a", None), (None, 4)]
    assert point.values == {"a": None, "#1": 4}


def test_dates_with_only_nulls_or_no_plots_are_kept() -> None:
    points = song_audience_series(
        [
            {"date": "2024-03-01", "plots": [{"identifier": "a", "value": None}]},
            {"date": "2024-03-02", "plots": [{"identifier": "a", "value": 9}]},
            {"date": "2024-03-03", "plots": []},
        ]
    )

    assert [(p.date.day, p.values) for p in points] == [
        (1, {"a": None}),
        (2, {"a": 9}),
        (3, {}),
    ]


def test_flat_audience_item_becomes_one_plot() -> None:
    points = song_audience_series([{"date": "2024-03-01", "value": 12}])

    assert points[0].values == {"#0": 12}


def test_artist_audience_keeps_null_counters_as_none() -> None:
    points = artist_audience_series(
        [{"date": "2024-01-12T00:00:00+00:00", "followerCount": 10, "likeCount": None}]
    )

    assert (points[0].follower_count, points[0].like_count) == (10, None)


def test_radio_spin_count_reads_alternative_count_fields() -> None:
    counts = [
        RadioSpinCount.model_validate({"radio": {"slug": "r"}, key: 3}).play_count
        for key in ("playCount", "count", "spinCount", "spins")
    ]

    assert counts == [3, 3, 3, 3]


def test_radio_spin_count_without_count_is_invalid() -> None:
    with pytest.raises(ValidationError):
        RadioSpinCount.model_validate({"radio": {"slug": "r"}})


def test_ranking_puts_dropped_out_entries_last() -> None:
    ranking = Ranking.model_validate(
        {
            "date": "2024-05-30T00:00:00+00:00",
            "datetime": "2024-05-30T00:00:00+00:00",
            "entries": [
                {"song": {"uuid": "gone"}, "position": 0},
                {"song": {"uuid": "b"}, "position": 2},
                {"song": {"uuid": "a"}, "position": 1},
            ],
        }
    )

    assert [entry.song.uuid for entry in ranking.entries] == ["a", "b", "gone"]


def test_credit_roles_after_feat() -> None:
    assert roles("Drake feat. Rihanna", ["Drake", "Rihanna"]) == [
        ("Drake", "main", 0),
        ("Rihanna", "featured", 1),
    ]


@pytest.mark.parametrize("marker", ["ft.", "featuring", "FEAT.", "(feat."])
def test_credit_roles_recognise_markers(marker: str) -> None:
    credit = f"Calvin Harris {marker} Dua Lipa & Young Thug"

    assert roles(credit, ["Calvin Harris", "Dua Lipa", "Young Thug"]) == [
        ("Calvin Harris", "main", 0),
        ("Dua Lipa", "featured", 1),
        ("Young Thug", "featured", 2),
    ]


def test_credit_roles_keep_every_named_main_artist() -> None:
    assert roles("Lady Gaga, Bruno Mars", ["Lady Gaga", "Bruno Mars"]) == [
        ("Lady Gaga", "main", 0),
        ("Bruno Mars", "main", 1),
    ]


def test_credit_roles_make_unnamed_artists_featured() -> None:
    assert roles("Billie Eilish", ["Billie Eilish", "Khalid"]) == [
        ("Billie Eilish", "main", 0),
        ("Khalid", "featured", 1),
    ]


def test_credit_roles_fall_back_to_first_main_without_credit() -> None:
    assert roles(None, ["A", "B", "C"]) == [
        ("A", "main", 0),
        ("B", "featured", 1),
        ("C", "featured", 2),
    ]


def test_credit_roles_fall_back_when_no_name_matches() -> None:
    assert roles("Somebody Else", ["A", "B"]) == [("A", "main", 0), ("B", "featured", 1)]


def test_credit_roles_match_whole_names_only() -> None:
    assert roles("Eddie feat. Ed", ["Eddie", "Ed"]) == [("Eddie", "main", 0), ("Ed", "featured", 1)]


def test_main_artists_field_wins_over_the_credit() -> None:
    result = roles("A feat. B", ["A", "B"], mainArtists=["u1"])

    assert result == [("A", "featured", 0), ("B", "main", 1)]


def test_main_artists_as_objects() -> None:
    result = roles(None, ["A", "B", "C"], mainArtists=[{"uuid": "u0"}, {"uuid": "u2"}])

    assert result == [("A", "main", 0), ("B", "featured", 1), ("C", "main", 2)]

"""Ranking positions parse leniently: 0, none, blank, negative or unreadable is off the chart."""

from __future__ import annotations

from typing import Any

from chartcascade.soundcharts import Ranking


def item(uuid: str, **fields: Any) -> dict[str, Any]:
    return {"song": {"uuid": uuid}, **fields}


def test_ranking_entries_without_a_position_are_off_chart_and_last() -> None:
    ranking = Ranking.model_validate(
        {
            "date": "2026-11-26T00:00:00+00:00",
            "datetime": "2026-11-26T00:00:00+00:00",
            "entries": [
                item("zero", position=0),
                item("third", position="3"),
                item("missing"),
                item("first", position=1.0),
                item("blank", position=" "),
                item("negative", position=-2),
                item("text", position="n/a"),
                item("null", position=None),
                item("second", position=2),
            ],
        }
    )

    assert [(e.song.uuid, e.position) for e in ranking.entries] == [
        ("first", 1),
        ("second", 2),
        ("third", 3),
        # Off the chart, in the order the API listed them.
        ("zero", 0),
        ("missing", 0),
        ("blank", 0),
        ("negative", 0),
        ("text", 0),
        ("null", 0),
    ]

"""Main and featured roles of a song's artists, from `mainArtists` or the credit name."""

from __future__ import annotations

import re
from typing import Any

_FEATURING = re.compile(r"(?:^|[\s(\[,&])(?:feat\.?|ft\.|featuring)(?=\s)", re.IGNORECASE)


def assign_roles(artists: Any, main_artists: Any, credit_name: Any) -> Any:
    """Artist dicts with `role` ("main"/"featured") and `position` (credit order, 0-based).

    `mainArtists` (uuids or objects) wins when present. Otherwise artists named after
    "feat."/"ft."/"featuring" in the credit are featured and the others main; without such a
    marker, artists named in the credit are main and the others featured. When the credit tells
    nothing, the first artist is main and the rest featured.
    """
    if not isinstance(artists, list):
        return artists
    if any(not isinstance(artist, dict) or "role" in artist for artist in artists):
        return artists  # already normalised (or malformed: let validation report it)
    main_ids = _uuids(main_artists)
    if main_ids:
        mains = [_uuid(artist) in main_ids for artist in artists]
    else:
        mains = _mains_from_credit(artists, credit_name)
    return [
        {**artist, "role": "main" if is_main else "featured", "position": position}
        for position, (artist, is_main) in enumerate(zip(artists, mains, strict=True))
    ]


def _uuid(artist: dict[str, Any]) -> str | None:
    value = artist.get("uuid")
    return value if isinstance(value, str) and value else None


def _uuids(main_artists: Any) -> set[str]:
    if not isinstance(main_artists, list):
        return set()
    found = set()
    for item in main_artists:
        value = _uuid(item) if isinstance(item, dict) else item
        if isinstance(value, str) and value:
            found.add(value)
    return found


def _mains_from_credit(artists: list[dict[str, Any]], credit_name: Any) -> list[bool]:
    fallback = [position == 0 for position in range(len(artists))]
    if not isinstance(credit_name, str) or not credit_name.strip():
        return fallback
    names = [_name(artist) for artist in artists]
    marker = _FEATURING.search(credit_name)
    if marker is not None:
        featured_part = credit_name[marker.end() :]
        mains = [not _names_in(name, featured_part) for name in names]
    else:
        mains = [_names_in(name, credit_name) for name in names]
    return mains if any(mains) else fallback


def _name(artist: dict[str, Any]) -> str:
    name = artist.get("name")
    return name if isinstance(name, str) else ""


def _names_in(name: str, text: str) -> bool:
    if not name.strip():
        return False
    pattern = r"(?<!\w)" + re.escape(name.strip()) + r"(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


_JOINERS = re.compile(r"\s*(?:,|&)\s*")


def credit_names(credit_name: Any) -> list[str]:
    """The artist names of a credit, main then featured, once each: split at the same
    "feat."/"ft."/"featuring" marker `assign_roles` reads, then at "," and "&"."""
    if not isinstance(credit_name, str) or not credit_name.strip():
        return []
    marker = _FEATURING.search(credit_name)
    parts = [credit_name] if marker is None else [credit_name[: marker.start()]]
    if marker is not None:
        parts.append(credit_name[marker.end() :])
    names = (name.strip(" ()[]") for part in parts for name in _JOINERS.split(part))
    return list(dict.fromkeys(name for name in names if name))

"""Word lists and generators for names, slugs, uuids and platform identifiers."""

from __future__ import annotations

import re
import string

from chartcascade.sandbox.hashing import below, key

# fmt: off
ADJECTIVES = (
    "Neon", "Golden", "Midnight", "Electric", "Silver", "Broken", "Wild", "Lonely", "Crystal",
    "Velvet", "Burning", "Endless", "Sweet", "Cold", "Paper", "Hollow", "Bright", "Secret", "Lucky",
    "Savage", "Gentle", "Violet", "Faded", "Restless",
)
NOUNS = (
    "Heart", "Summer", "Lights", "River", "Dreams", "Fire", "Rain", "Highway", "Ocean", "Ghost",
    "Paradise", "Echo", "Shadow", "City", "Horizon", "Stars", "Kiss", "Wave", "Diamond", "Mirror",
    "Thunder", "Island", "Garden", "Angel",
)
VERBS = ("Dancing", "Running", "Falling", "Waiting", "Calling", "Flying", "Dreaming", "Driving")
PREPOSITIONS = ("in the", "on the", "through the", "under the", "for the")
FIRST_NAMES = (
    "Ava", "Leo", "Maya", "Noah", "Zara", "Eli", "Luna", "Kai", "Nina", "Omar", "Iris", "Jonah",
    "Mila", "Theo", "Sofia", "Idris", "Lena", "Marco", "Aria", "Felix", "Yara", "Hugo", "Rosa",
    "Samir", "Clara", "Dario", "Elena", "Tariq",
)
LAST_NAMES = (
    "Rivers", "Stone", "Vega", "Holt", "Moreau", "Kane", "Silva", "Novak", "Reyes", "Lind",
    "Okafor", "Blake", "Santos", "Frost", "Mercer", "Ito", "Dubois", "Kowalski", "Hart", "Quinn",
    "Morales", "Berg", "Laurent", "Adeyemi",
)
MONONYMS = ("Lumi", "Jaxx", "Oriel", "Zephyr", "Nova", "Kairo", "Sable", "Vesper", "Rune", "Elio")
COUNTRIES = (
    ("US", "United States"), ("GB", "United Kingdom"), ("FR", "France"), ("DE", "Germany"),
    ("SE", "Sweden"), ("CA", "Canada"), ("AU", "Australia"), ("BR", "Brazil"), ("MX", "Mexico"),
    ("ES", "Spain"), ("KR", "South Korea"), ("JP", "Japan"), ("NG", "Nigeria"), ("IT", "Italy"),
    ("NL", "Netherlands"), ("CO", "Colombia"), ("PR", "Puerto Rico"),
)
GENRES = (
    ("pop", ("dance pop", "electropop", "indie pop", "k-pop")),
    ("hip hop", ("trap", "rap", "drill")), ("electronic", ("house", "techno", "edm")),
    ("rock", ("alternative rock", "indie rock", "pop rock")),
    ("latin", ("reggaeton", "latin pop", "urbano latino")),
    ("r&b", ("contemporary r&b", "neo soul")), ("country", ("contemporary country",)),
)
LABELS = (
    ("Universal Music Group", "Major"), ("Sony Music Entertainment", "Major"),
    ("Warner Music Group", "Major"), ("Interscope Records", "Major"), ("Atlantic Records", "Major"),
    ("XL Recordings", "Indie"), ("Sub Pop", "Indie"), ("Ninja Tune", "Indie"),
    ("Because Music", "Indie"), ("Ed Banger Records", "Indie"), ("Domino", "Indie"),
)
LANGUAGES = ("en", "en", "en", "en", "es", "es", "fr", "de", "ko", "pt", "it", "ja")
# fmt: on
_BASE62 = string.digits + string.ascii_letters
_YOUTUBE = string.ascii_letters + string.digits + "-_"


def pick(options: tuple[str, ...], *parts: int | str) -> str:
    """One option, chosen by the hash of the parts."""
    return options[below(len(options), *parts)]


def slugify(text: str) -> str:
    """Lowercase words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def uuid_from(*parts: int | str) -> str:
    """A uuid-shaped identifier (8-4-4-4-12 hex digits) derived from the parts."""
    digits = f"{key(*parts, 1):016x}{key(*parts, 2):016x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def code_from(alphabet: str, length: int, *parts: int | str) -> str:
    """A string of `length` characters of `alphabet` derived from the parts."""
    h = key(*parts)
    chars = []
    for i in range(length):
        if i % 10 == 0 and i:
            h = key(h, i)
        chars.append(alphabet[h % len(alphabet)])
        h //= len(alphabet)
    return "".join(chars)


def spotify_id(*parts: int | str) -> str:
    """A 22-character base62 id, like a Spotify track id."""
    return code_from(_BASE62, 22, *parts)


def youtube_id(*parts: int | str) -> str:
    """An 11-character id, like a YouTube video id."""
    return code_from(_YOUTUBE, 11, *parts)


def numeric_id(digits: int, *parts: int | str) -> str:
    """A numeric id of `digits` digits (no leading zero)."""
    return str(10 ** (digits - 1) + key(*parts) % (9 * 10 ** (digits - 1)))


def person_name(*parts: int | str) -> str:
    """A first and last name."""
    return f"{pick(FIRST_NAMES, *parts, 'first')} {pick(LAST_NAMES, *parts, 'last')}"


def artist_name(*parts: int | str) -> str:
    """A solo artist, a mononym or a band name."""
    style = below(10, *parts, "style")
    if style < 5:
        return person_name(*parts)
    if style < 7:
        return pick(MONONYMS, *parts, "mono") + pick(("", "", " X", "a", "o"), *parts, "suffix")
    noun = pick(NOUNS, *parts, "noun")
    return f"The {pick(ADJECTIVES, *parts, 'adj')} {noun if noun.endswith('s') else noun + 's'}"


def song_title(*parts: int | str) -> str:
    """A song title in one of a few shapes (some lowercase, as in real catalogues)."""
    style = below(8, *parts, "style")
    adjective, noun = pick(ADJECTIVES, *parts, "adj"), pick(NOUNS, *parts, "noun")
    if style < 3:
        return f"{adjective} {noun}"
    if style < 5:
        return noun
    if style < 7:
        return f"{pick(VERBS, *parts, 'verb')} {pick(PREPOSITIONS, *parts, 'prep')} {noun}"
    return f"{adjective} {noun}".lower()


def unique_slugs(names: list[str]) -> list[str]:
    """Slugs for names, suffixed with -2, -3... where they collide."""
    used: set[str] = set()
    slugs = []
    for name in names:
        base = candidate = slugify(name)
        n = 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        slugs.append(candidate)
    return slugs

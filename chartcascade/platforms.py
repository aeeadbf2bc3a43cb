"""The platform codes each audience feed accepts, as the API spells them.

Taken from the API reference (/work/shared/soundcharts-api.md §4.5, §4.7, §4.8, §7). Codes the
reference marks as unverified spellings (Last.fm, Awa, X/Twitter) are left out: a misspelt code
costs a failed call per item, a missing one only a clear refusal.
"""

from __future__ import annotations

from enum import StrEnum


class TrackPlatform(StrEnum):
    """Song audience platforms (`/song/{uuid}/audience/{platform}`), plus radio spins."""

    SPOTIFY = "spotify"
    YOUTUBE = "youtube"
    SHAZAM = "shazam"
    INSTAGRAM = "instagram"
    SOUNDCLOUD = "soundcloud"
    AUDIOMACK = "audiomack"
    GENIUS = "genius"
    GAANA = "gaana"
    JIOSAAVN = "jiosaavn"
    MELON = "melon"
    LINE_MUSIC = "line-music"
    ANGHAMI = "anghami"
    BOOMPLAY = "boomplay"
    AIRPLAY = "airplay"  # ours: daily radio spins from broadcast-groups, not an audience feed


class ArtistPlatform(StrEnum):
    """Artist audience platforms (`/artist/{uuid}/audience/{platform}`): followers and counters."""

    SPOTIFY = "spotify"
    YOUTUBE = "youtube"
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    FACEBOOK = "facebook"
    DEEZER = "deezer"
    SOUNDCLOUD = "soundcloud"
    MIXCLOUD = "mixcloud"
    PATREON = "patreon"
    TRILLER = "triller"
    WEIBO = "weibo"
    GAANA = "gaana"
    LINE_MUSIC = "line-music"
    YANDEX = "yandex"
    MELON = "melon"
    JOOX = "joox"
    SONGKICK = "songkick"


class ListeningPlatform(StrEnum):
    """Artist listening platforms (`/artist/{uuid}/streaming/{platform}/listening`)."""

    SPOTIFY = "spotify"
    YOUTUBE = "youtube"
    JIOSAAVN = "jiosaavn"
    PANDORA = "pandora"
    YANDEX = "yandex"
    KUGOU = "kugou"
    ANGHAMI = "anghami"
    AUDIOMACK = "audiomack"

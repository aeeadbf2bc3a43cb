"""The platform codes the fake API knows for each feed, as the reference documents them.

The seeded world has data for a few of them (SONG_PLATFORMS, AUDIENCE_PLATFORMS,
LISTENING_PLATFORMS); any other known code answers like the real API for a platform where the
entity has no link: an empty series, or "No social account found". Unknown codes are 400.
"""

from __future__ import annotations

from chartcascade.sandbox.artists import AUDIENCE_PLATFORMS, LISTENING_PLATFORMS
from chartcascade.sandbox.songs import SONG_PLATFORMS

SONG_AUDIENCE_CODES = frozenset(SONG_PLATFORMS) | {
    "spotify", "youtube", "shazam", "instagram", "soundcloud", "audiomack", "genius", "gaana",
    "jiosaavn", "melon", "line-music", "anghami", "boomplay",
}  # fmt: skip
SOCIAL_CODES = frozenset(AUDIENCE_PLATFORMS) | {
    "spotify", "youtube", "instagram", "tiktok", "facebook", "deezer", "soundcloud", "mixcloud",
    "patreon", "triller", "weibo", "gaana", "line-music", "yandex", "melon", "joox", "songkick",
}  # fmt: skip
STREAMING_CODES = frozenset(LISTENING_PLATFORMS) | {
    "spotify", "youtube", "jiosaavn", "pandora", "yandex", "kugou", "anghami", "audiomack",
}  # fmt: skip

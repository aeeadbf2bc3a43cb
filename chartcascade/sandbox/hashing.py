"""Deterministic hashing: the only source of "randomness" in the sandbox world.

Every generated value is a pure function of integers (seed, entity, platform, day), mixed with
splitmix64. A per-entity key is mixed once; a per-day value then costs one more mix, so a
90-day series is a few hundred cheap integer operations.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

import numpy as np
import numpy.typing as npt

MASK = 0xFFFFFFFFFFFFFFFF
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_UNIT = 2.0**-53

U64Array = npt.NDArray[np.uint64]
F64Array = npt.NDArray[np.float64]


def mix(z: int) -> int:
    """The splitmix64 finaliser of one 64-bit integer."""
    z = (z + _GOLDEN) & MASK
    z = ((z ^ (z >> 30)) * _M1) & MASK
    z = ((z ^ (z >> 27)) * _M2) & MASK
    return z ^ (z >> 31)


def tag(text: str) -> int:
    """A stable integer for a short label (platform code, purpose name)."""
    return zlib.crc32(text.encode()) | (len(text) << 32)


def key(*parts: int | str) -> int:
    """Mix integers and labels into one 64-bit key."""
    h = 0
    for part in parts:
        value = tag(part) if isinstance(part, str) else part
        h = mix(h ^ (value & MASK))
    return h


@lru_cache(maxsize=1 << 16)
def derived_key(*parts: int | str) -> int:
    """`key`, memoised: for per-entity keys that every day of a series needs again."""
    return key(*parts)


def unit(*parts: int | str) -> float:
    """A uniform float in [0, 1) determined by the parts."""
    return (key(*parts) >> 11) * _UNIT


def day_unit(entity_key: int, day: int) -> float:
    """A uniform float in [0, 1) for one day (an ordinal) of a keyed entity."""
    return (mix(entity_key ^ day) >> 11) * _UNIT


def below(n: int, *parts: int | str) -> int:
    """A uniform integer in [0, n)."""
    return key(*parts) % n


def mix_array(z: U64Array) -> U64Array:
    """`mix` over a numpy uint64 array (wrapping arithmetic, identical results)."""
    z = z + np.uint64(_GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
    return z ^ (z >> np.uint64(31))


def day_units(keys: U64Array, day: int) -> F64Array:
    """`day_unit` over an array of entity keys."""
    mixed = mix_array(keys ^ np.uint64(day))
    return (mixed >> np.uint64(11)).astype(np.float64) * _UNIT

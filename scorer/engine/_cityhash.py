"""CityHash64 v1.0 (the variant CatBoost hashes categorical values with), in Numba.

CatBoost turns a categorical value into ``CityHash64(utf8 bytes) & 0xffffffff`` and then
uses it as a signed 32-bit integer, sign-extended to 64 bits when it is mixed into a CTR
hash. ``cat_hash`` reproduces that exactly; ``cat_hashes`` hashes a column with a cache.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from numba import njit

_K0 = np.uint64(0xC3A5C85C97CB3127)
_K1 = np.uint64(0xB492B66FBE98F273)
_K2 = np.uint64(0x9AE16A3B2F90404F)
_K3 = np.uint64(0xC949D7C7509E6557)
_KMUL = np.uint64(0x9DDFEA08EB382D69)
_S47 = np.uint64(47)
_U0 = np.uint64(0)
_U1 = np.uint64(1)
_U2 = np.uint64(2)
_U3 = np.uint64(3)
_U8 = np.uint64(8)
_U9 = np.uint64(9)
_U64 = np.uint64(64)


@njit(cache=True, inline="always")
def _f64(s: np.ndarray, i: int) -> np.uint64:
    r = _U0
    for k in range(7, -1, -1):
        r = (r << _U8) | np.uint64(s[i + k])
    return r


@njit(cache=True, inline="always")
def _f32(s: np.ndarray, i: int) -> np.uint64:
    r = _U0
    for k in range(3, -1, -1):
        r = (r << _U8) | np.uint64(s[i + k])
    return r


@njit(cache=True, inline="always")
def _rot(v: np.uint64, sh: np.uint64) -> np.uint64:
    if sh == _U0:
        return v
    return (v >> sh) | (v << (_U64 - sh))


@njit(cache=True, inline="always")
def _smix(v: np.uint64) -> np.uint64:
    return v ^ (v >> _S47)


@njit(cache=True, inline="always")
def _h16(u: np.uint64, v: np.uint64) -> np.uint64:
    a = (u ^ v) * _KMUL
    a ^= a >> _S47
    b = (v ^ a) * _KMUL
    b ^= b >> _S47
    return b * _KMUL


@njit(cache=True, inline="always")
def _weak(s: np.ndarray, i: int, a: np.uint64, b: np.uint64) -> tuple[np.uint64, np.uint64]:
    w = _f64(s, i)
    x = _f64(s, i + 8)
    y = _f64(s, i + 16)
    z = _f64(s, i + 24)
    a = a + w
    b = _rot(b + a + z, np.uint64(21))
    c = a
    a = a + x + y
    b = b + _rot(a, np.uint64(44))
    return a + z, b + c


@njit(cache=True)
def _len0to16(s: np.ndarray, n: int) -> np.uint64:
    un = np.uint64(n)
    if n > 8:
        a = _f64(s, 0)
        b = _f64(s, n - 8)
        return _h16(a, _rot(b + un, un)) ^ b
    if n >= 4:
        return _h16(un + (_f32(s, 0) << _U3), _f32(s, n - 4))
    if n > 0:
        a = np.uint64(s[0])
        b = np.uint64(s[n >> 1])
        c = np.uint64(s[n - 1])
        y = (a + (b << _U8)) & np.uint64(0xFFFFFFFF)
        z = (un + (c << _U2)) & np.uint64(0xFFFFFFFF)
        return _smix((y * _K2) ^ (z * _K3)) * _K2
    return _K2


@njit(cache=True)
def _len17to32(s: np.ndarray, n: int) -> np.uint64:
    un = np.uint64(n)
    a = _f64(s, 0) * _K1
    b = _f64(s, 8)
    c = _f64(s, n - 8) * _K2
    d = _f64(s, n - 16) * _K0
    return _h16(
        _rot(a - b, np.uint64(43)) + _rot(c, np.uint64(30)) + d,
        a + _rot(b ^ _K3, np.uint64(20)) - c + un,
    )


@njit(cache=True)
def _len33to64(s: np.ndarray, n: int) -> np.uint64:
    un = np.uint64(n)
    z = _f64(s, 24)
    a = _f64(s, 0) + (un + _f64(s, n - 16)) * _K0
    b = _rot(a + z, np.uint64(52))
    c = _rot(a, np.uint64(37))
    a += _f64(s, 8)
    c += _rot(a, np.uint64(7))
    a += _f64(s, 16)
    vf = a + z
    vs = b + _rot(a, np.uint64(31)) + c
    a = _f64(s, 16) + _f64(s, n - 32)
    z = _f64(s, n - 8)
    b = _rot(a + z, np.uint64(52))
    c = _rot(a, np.uint64(37))
    a += _f64(s, n - 24)
    c += _rot(a, np.uint64(7))
    a += _f64(s, n - 16)
    wf = a + z
    ws = b + _rot(a, np.uint64(31)) + c
    r = _smix((vf + ws) * _K2 + (wf + vs) * _K0)
    return _smix(r * _K0 + vs) * _K2


@njit(cache=True)
def city_hash64(s: np.ndarray) -> np.uint64:
    """CityHash64 v1.0 of a uint8 array."""
    n = s.shape[0]
    if n <= 16:
        return _len0to16(s, n)
    if n <= 32:
        return _len17to32(s, n)
    if n <= 64:
        return _len33to64(s, n)
    un = np.uint64(n)
    x = _f64(s, 0)
    y = _f64(s, n - 16) ^ _K1
    z = _f64(s, n - 56) ^ _K0
    v0, v1 = _weak(s, n - 64, un, y)
    w0, w1 = _weak(s, n - 32, un * _K1, _K0)
    z += _smix(v1) * _K1
    x = _rot(z + x, np.uint64(39)) * _K1
    y = _rot(y, np.uint64(33)) * _K1
    left = (n - 1) & ~63
    p = 0
    while True:
        x = _rot(x + y + v0 + _f64(s, p + 16), np.uint64(37)) * _K1
        y = _rot(y + v1 + _f64(s, p + 48), np.uint64(42)) * _K1
        x ^= w1
        y ^= v0
        z = _rot(z ^ w0, np.uint64(33))
        v0, v1 = _weak(s, p, v1 * _K1, x + w0)
        w0, w1 = _weak(s, p + 32, z + w1, y)
        z, x = x, z
        p += 64
        left -= 64
        if left == 0:
            break
    return _h16(_h16(v0, w0) + _smix(y) * _K1 + z, _h16(v1, w1) + x)


def cat_hash(value: str) -> int:
    """CatBoost's hash of one categorical value: the low 32 bits of CityHash64 (unsigned)."""
    data = np.frombuffer(value.encode("utf-8"), dtype=np.uint8)
    return int(city_hash64(data)) & 0xFFFFFFFF


def to_ctr_word(h32: int) -> int:
    """The 64-bit word CatBoost mixes into CTR hashes: the 32-bit hash as a sign-extended int."""
    h32 &= 0xFFFFFFFF  # exports write the hash signed or unsigned
    return (h32 | 0xFFFFFFFF00000000) if h32 & 0x80000000 else h32


class CatHasher:
    """Maps categorical strings to CTR words, remembering every value it has seen."""

    def __init__(self, known: Mapping[str, int] | None = None, limit: int = 1_000_000) -> None:
        self._cache: dict[str, int] = {k: to_ctr_word(v) for k, v in (known or {}).items()}
        self._limit = limit
        # The word of a value seen before, else None: a bound ``dict.get`` (no Python frame).
        self.cached: Callable[[str], int | None] = self._cache.get

    def word(self, value: str) -> int:
        """The sign-extended 64-bit CTR word for one value."""
        w = self._cache.get(value)
        if w is None:
            w = to_ctr_word(cat_hash(value))
            if len(self._cache) < self._limit:
                self._cache[value] = w
        return w

    def column(self, values: np.ndarray) -> np.ndarray:
        """CTR words of a column: each distinct value is looked up once."""
        import pandas as pd

        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        table = np.array([self.word(str(v)) for v in uniques], dtype=np.uint64)
        words: np.ndarray = table[codes]
        return words

    def words(self, values: Sequence[str]) -> np.ndarray:
        """A uint64 array of CTR words for a column of values."""
        get = self._cache.get
        out = [get(v) for v in values]
        for i, w in enumerate(out):
            if w is None:
                out[i] = self.word(str(values[i]))
        return np.array(out, dtype=np.uint64)

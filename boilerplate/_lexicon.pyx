# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The words of blocks as 64-bit hashes, and their lexicon columns, in C loops (see lexicon.py): words are
runs of letters, lowercased; Han, kana and hangul text gives its character bigrams (a lone character
itself). The class/id tokens of elements are hashed by the walk (_walk.pyx)."""

import numpy as np

from cpython.unicode cimport (Py_UNICODE_ISALPHA, Py_UNICODE_TOLOWER, PyUnicode_DATA, PyUnicode_GET_LENGTH,
                              PyUnicode_KIND, PyUnicode_READ)
from libc.math cimport NAN
from libc.stdint cimport INT64_MIN, int64_t, uint64_t

from boilerplate._fnv cimport FNV_OFFSET, fnv

cdef uint64_t CJK_SEED = 0x9E3779B97F4A7C15ULL
cdef uint64_t SLOT_MULTIPLIER = 0xBF58476D1CE4E5B9ULL


cdef inline bint _cjk(Py_UCS4 c) noexcept nogil:
    return (0x3040 <= c <= 0x30FF or 0x3400 <= c <= 0x4DBF or 0x4E00 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF
            or 0xAC00 <= c <= 0xD7AF or 0x1100 <= c <= 0x11FF or 0x3130 <= c <= 0x318F)


cdef inline uint64_t _mix(uint64_t h, Py_UCS4 c) noexcept nogil:
    return fnv(h, <uint64_t>c)


def block_words(list texts):
    """(hashes int64, starts int64): block i's words are hashes[starts[i]:starts[i + 1]], in text order."""
    cdef Py_ssize_t n = len(texts), total = 0, i, k, length, m = 0, run
    for i in range(n):
        total += PyUnicode_GET_LENGTH(texts[i])
    out = np.empty(total, dtype=np.int64)
    starts = np.empty(n + 1, dtype=np.int64)
    cdef int64_t[::1] h_out = out
    cdef int64_t[::1] s_out = starts
    cdef int kind
    cdef void* data
    cdef Py_UCS4 c, prev = 0
    cdef uint64_t h
    cdef bint in_cjk
    for i in range(n):
        s_out[i] = m
        text = texts[i]
        kind, data, length = PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)
        run, h, in_cjk = 0, FNV_OFFSET, False
        for k in range(length + 1):
            c = PyUnicode_READ(kind, data, k) if k < length else 0
            if c != 0 and _cjk(c):
                if run and not in_cjk:  # a letter run ends
                    if run >= 2:
                        h_out[m] = <int64_t>h; m += 1
                    run = 0
                if in_cjk:
                    h_out[m] = <int64_t>_mix(_mix(CJK_SEED, prev), c); m += 1
                in_cjk, prev = True, c
                run += 1
            elif c != 0 and Py_UNICODE_ISALPHA(c):
                if in_cjk:  # a CJK run ends
                    if run == 1:
                        h_out[m] = <int64_t>_mix(CJK_SEED, prev); m += 1
                    in_cjk, run, h = False, 0, FNV_OFFSET
                h = _mix(h, Py_UNICODE_TOLOWER(c))
                run += 1
            else:
                if in_cjk and run == 1:
                    h_out[m] = <int64_t>_mix(CJK_SEED, prev); m += 1
                elif not in_cjk and run >= 2:
                    h_out[m] = <int64_t>h; m += 1
                in_cjk, run, h = False, 0, FNV_OFFSET
    s_out[n] = m
    return out[:m].copy(), starts


cdef int64_t EMPTY = INT64_MIN  # an unused slot of a table (no word hashes to it: see `table`)


cdef inline uint64_t _slot(int64_t key, int shift) noexcept nogil:
    return (<uint64_t>key * SLOT_MULTIPLIER) >> shift


def table(const int64_t[::1] keys, const float[::1] values):
    """An open-addressing hash table of keys → values (slot keys, slot values): a quarter to half full,
    so that a lookup reads one or two slots instead of a binary search's dozen. A key equal to the
    EMPTY marker is left out."""
    cdef Py_ssize_t n = keys.shape[0], i
    cdef int bits = 4
    while (1 << bits) < 2 * n:
        bits += 1
    slot_keys = np.full(1 << bits, EMPTY, dtype=np.int64)
    slot_values = np.zeros(1 << bits, dtype=np.float32)
    cdef int64_t[::1] sk = slot_keys
    cdef float[::1] sv = slot_values
    cdef uint64_t mask = (1 << bits) - 1, j
    for i in range(n):
        if keys[i] == EMPTY:
            continue
        j = _slot(keys[i], 64 - bits)
        while sk[j] != EMPTY and sk[j] != keys[i]:
            j = (j + 1) & mask
        sk[j], sv[j] = keys[i], values[i]
    return slot_keys, slot_values


def lexicon_columns(const int64_t[::1] hashes, const int64_t[::1] lo, const int64_t[::1] hi, const int64_t[::1] slot_keys,
         const float[::1] slot_values, float[:, ::1] out):
    """out[i] = (mean, min, max) of the values of the words hashes[lo[i]:hi[i]] found in the `table`,
    NaN if none."""
    cdef Py_ssize_t n = lo.shape[0], i, j
    cdef uint64_t mask = slot_keys.shape[0] - 1, k
    cdef int shift = 64
    cdef Py_ssize_t size = slot_keys.shape[0], found
    cdef int64_t key
    cdef double total, lowest, highest, v
    if out.shape[0] != n or out.shape[1] != 3 or hi.shape[0] != n:
        raise ValueError(f"{n} blocks: hi must hold {n} ends (not {hi.shape[0]}) and out be {n} × 3 "
                         f"(not {out.shape[0]} × {out.shape[1]})")
    while size > 1:
        size >>= 1
        shift -= 1
    with nogil:
        for i in range(n):
            found, total, lowest, highest = 0, 0.0, 1e300, -1e300
            for j in range(lo[i], hi[i]):
                key = hashes[j]
                k = _slot(key, shift)
                while slot_keys[k] != EMPTY and slot_keys[k] != key:
                    k = (k + 1) & mask
                if slot_keys[k] == key and key != EMPTY:
                    v = slot_values[k]
                    found += 1
                    total += v
                    if v < lowest:
                        lowest = v
                    if v > highest:
                        highest = v
            if found:
                out[i, 0], out[i, 1], out[i, 2] = total / found, lowest, highest
            else:
                out[i, 0] = out[i, 1] = out[i, 2] = NAN

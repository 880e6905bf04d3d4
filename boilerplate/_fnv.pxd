# cython: language_level=3
"""FNV-1a, the one hash of the compiled modules (words, class/id tokens, title words, block texts)."""

from libc.stdint cimport uint64_t

cdef extern from *:
    """
    #define BOILERPLATE_FNV_OFFSET 14695981039346656037ULL
    #define BOILERPLATE_FNV_PRIME 1099511628211ULL
    """
    const uint64_t FNV_OFFSET "BOILERPLATE_FNV_OFFSET"
    const uint64_t FNV_PRIME "BOILERPLATE_FNV_PRIME"


cdef inline uint64_t fnv(uint64_t h, uint64_t c) noexcept nogil:
    """h with one more code point (or byte) c hashed in."""
    return (h ^ c) * FNV_PRIME

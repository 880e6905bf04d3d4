# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""A hash table of int64 keys (never 0), open addressing, for bigram keys and group ids, and sums over
groups (_features.pyx)."""

from libc.stdint cimport INT64_MIN, int64_t, uint64_t
from libc.stdlib cimport calloc, free
from libc.string cimport memset


cdef struct Slot:  # 16 bytes
    int64_t key
    int last  # the last block that counted this key (i in the first pass, ~i in the second)
    int count  # main-run blocks holding the key; or the group id


cdef struct Table:
    Slot* slots
    uint64_t mask


cdef inline int table_init(Table* t, Py_ssize_t n_keys) except -1:
    cdef uint64_t size = 16
    while size * 7 < <uint64_t>(10 * n_keys):  # at most 70% full
        size <<= 1
    t.slots = <Slot*>calloc(size, sizeof(Slot))
    if t.slots is NULL:
        raise MemoryError()
    t.mask = size - 1
    return 0


cdef inline Slot* slot(Table* t, int64_t key, bint* fresh) noexcept nogil:
    """The slot of `key`, claimed (fresh[0] = True, last = -1) if the key is new."""
    cdef uint64_t i = ((<uint64_t>key) * 0x9E3779B97F4A7C15ULL) >> 17
    cdef Slot* s
    while True:
        s = t.slots + (i & t.mask)
        if s.key == key:
            fresh[0] = False
            return s
        if s.key == 0:
            s.key = key
            s.last = -1
            fresh[0] = True
            return s
        i += 1


cdef inline bint has_key(Table* t, int64_t key) noexcept nogil:
    """Whether `key` is in the table."""
    cdef uint64_t i = ((<uint64_t>key) * 0x9E3779B97F4A7C15ULL) >> 17
    cdef Slot* s
    while True:
        s = t.slots + (i & t.mask)
        if s.key == key:
            return True
        if s.key == 0:
            return False
        i += 1


cdef inline int groups_of(Table* t, const int64_t* ids, Py_ssize_t n, int* group, int* sizes) except -1:
    """group[i]: the index of ids[i] among the distinct ids in order of first appearance; sizes[g]:
    its count. Ids are offset by one (0 marks an empty slot). Returns the number of groups."""
    cdef Py_ssize_t i
    cdef int n_groups = 0
    cdef int64_t key
    cdef bint fresh
    cdef Slot* s
    table_init(t, n)
    for i in range(n):
        key = ids[i] + 1
        s = slot(t, key if key != 0 else INT64_MIN, &fresh)
        if fresh:
            s.count = n_groups
            sizes[n_groups] = 0
            n_groups += 1
        group[i] = s.count
        sizes[s.count] += 1
    free(t.slots)
    t.slots = NULL
    return n_groups


cdef inline void group_sums(Py_ssize_t n, const int* group, const double* a,
                      const int[::1] b, const double* c, double* acc) noexcept:
    """acc[g], acc[n + g], acc[2n + g]: the sums of a, b and c over group g, added in block order."""
    cdef Py_ssize_t i
    memset(acc, 0, 3 * n * sizeof(double))
    for i in range(n):
        acc[group[i]] += a[i]
        acc[n + group[i]] += b[i]
        acc[2 * n + group[i]] += c[i]

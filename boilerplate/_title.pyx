# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""title.py's headline search in C: each block's words compared with the reference titles' words without
a regex or a Python string per word. A block holding a character the compiled reading does not cover
(a cased letter outside ASCII, a digit of another script...) is read by title.py's own `_words` instead,
so the result is the same on every page."""

from cpython.unicode cimport PyUnicode_GET_LENGTH, PyUnicode_READ, PyUnicode_DATA, PyUnicode_KIND
from libc.stdint cimport uint64_t
from libc.stdlib cimport free, malloc

from boilerplate._fnv cimport FNV_OFFSET, fnv

cdef enum:
    OTHER = 0  # read by the Python fallback
    TOKEN = 1  # a CJK character: one word by itself
    SEPARATOR = 2  # neither part of a word nor changed by casefolding


cdef struct Word:
    uint64_t hash
    Py_ssize_t length
    Py_ssize_t ref_index  # the word's index within its reference


cdef class _Ref:
    """One reference title's distinct words, hashed."""

    cdef Word* words
    cdef Py_ssize_t n
    cdef frozenset strings
    cdef list ordered

    def __cinit__(self, frozenset words):
        self.strings = words
        self.ordered = sorted(words)
        self.n = len(self.ordered)
        self.words = <Word*>malloc(max(self.n, 1) * sizeof(Word))
        if self.words is NULL:
            raise MemoryError()
        for i, w in enumerate(self.ordered):
            self.words[i].hash = _hash(w, 0, PyUnicode_GET_LENGTH(w))
            self.words[i].length = PyUnicode_GET_LENGTH(w)
            self.words[i].ref_index = i

    def __dealloc__(self):
        free(self.words)

    cdef Py_ssize_t find(self, str text, Py_ssize_t start, Py_ssize_t end, uint64_t h):
        """The index of the word equal to text[start:end] (ASCII lowercased), or -1."""
        cdef Py_ssize_t i, j, length = end - start
        cdef str w
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        for i in range(self.n):
            if self.words[i].hash == h and self.words[i].length == length:
                w = self.ordered[i]
                for j in range(length):
                    if (<unsigned int>PyUnicode_READ(PyUnicode_KIND(w), PyUnicode_DATA(w), j)
                            != _fold(<unsigned int>PyUnicode_READ(kind, data, start + j))):
                        break
                else:
                    return i
        return -1


cdef inline unsigned int _fold(unsigned int c) noexcept:
    """ASCII lowercase (what casefolding does to ASCII)."""
    if c >= 65 and c <= 90:
        return c + 32
    return c


cdef inline bint _ascii_alnum(unsigned int c) noexcept:
    return (c >= 48 and c <= 57) or (c >= 65 and c <= 90) or (c >= 97 and c <= 122)


cdef uint64_t _hash(str s, Py_ssize_t start, Py_ssize_t end):
    """FNV-1a over the (ASCII-lowercased) code points of s[start:end]."""
    cdef uint64_t h = FNV_OFFSET
    cdef Py_ssize_t i
    cdef int kind = PyUnicode_KIND(s)
    cdef void* data = PyUnicode_DATA(s)
    for i in range(start, end):
        h = fnv(h, _fold(<unsigned int>PyUnicode_READ(kind, data, i)))
    return h


cdef int _read(str text, const unsigned char[::1] classes, list refs, Py_ssize_t* n_words,
               Py_ssize_t* inside, Py_ssize_t* covered, unsigned char* seen) except -1:
    """Count the block's words, and per reference the words in it and its distinct words covered;
    returns 0, or 1 when a character needs the Python reading."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, start, r, k, n_refs = len(refs), offset
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef unsigned int c
    cdef unsigned char cls
    cdef uint64_t h
    cdef _Ref ref
    n_words[0] = 0
    for r in range(n_refs):
        inside[r] = covered[r] = 0
    while i < n:
        c = <unsigned int>PyUnicode_READ(kind, data, i)
        if c < 128:
            if not (_ascii_alnum(c)):
                i += 1
                continue
            start = i  # an ASCII word: its maximal run of letters and digits
            h = FNV_OFFSET
            while i < n:
                c = PyUnicode_READ(kind, data, i)
                if not (_ascii_alnum(c)):
                    if c >= 128 and (c >= <unsigned int>classes.shape[0] or classes[c] == OTHER):
                        return 1  # (a word going on in another script)
                    break
                h = fnv(h, _fold(c))
                i += 1
        else:
            if c >= 0x20000 and c <= 0x3ffff:
                cls = TOKEN
            elif c < <unsigned int>classes.shape[0]:
                cls = classes[c]
            else:
                cls = OTHER
            if cls == OTHER:
                return 1
            if cls == SEPARATOR:
                i += 1
                continue
            start = i
            h = fnv(FNV_OFFSET, c)
            i += 1
        n_words[0] += 1
        offset = 0
        for r in range(n_refs):
            ref = refs[r]
            k = ref.find(text, start, i, h)
            if k >= 0:
                inside[r] += 1
                if not seen[offset + k]:
                    seen[offset + k] = 1
                    covered[r] += 1
            offset += ref.n
    return 0


def best_block(list texts, const short[::1] tags, const int[::1] link_chars, list refs, double max_chars,
               const double[::1] tag_bonus, const unsigned char[::1] classes, object words,
               double min_precision, double min_recall, double link_penalty):
    """The index of the block whose words are best covered by one reference's (see title.find_title),
    or -1. `refs` are sets of words, `words` title.py's reading of a text, `classes` the compiled
    reading's character classes (OTHER / TOKEN / SEPARATOR) below len(classes)."""
    cdef Py_ssize_t n_refs = len(refs), i, r, total = 0, best = -1, n_words
    cdef double best_score = 0.0, score
    cdef list compiled = [_Ref(frozenset(words_of)) for words_of in refs]
    cdef _Ref ref
    for ref in compiled:
        total += ref.n
    cdef Py_ssize_t* inside = <Py_ssize_t*>malloc((2 * n_refs + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* covered = inside + n_refs
    cdef unsigned char* seen = <unsigned char*>malloc(total + 1)
    if inside is NULL or seen is NULL:
        free(inside)
        free(seen)
        raise MemoryError()
    try:
        for i in range(len(texts)):
            text = <str>texts[i]
            if PyUnicode_GET_LENGTH(text) > max_chars:
                continue
            for r in range(total):
                seen[r] = 0
            if _read(text, classes, compiled, &n_words, inside, covered, seen):
                found = words(text)  # the Python reading
                n_words = len(found)
                for r in range(n_refs):
                    ref = compiled[r]
                    inside[r] = sum(map(ref.strings.__contains__, found))
                    covered[r] = len(ref.strings.intersection(found))
            if n_words == 0:
                continue
            for r in range(n_refs):
                ref = compiled[r]
                if inside[r] < min_precision * n_words:
                    covered[r] = 0
                if covered[r] < max(min_recall * ref.n, 1):
                    continue
                score = <double>covered[r] / ref.n + tag_bonus[tags[i]]
                if link_chars[i] > 0.5 * PyUnicode_GET_LENGTH(text):
                    score -= link_penalty
                if score > best_score:
                    best, best_score = i, score
    finally:
        free(inside)
        free(seen)
    return best

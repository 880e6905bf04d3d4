# cython: language_level=3, boundscheck=False, wraparound=False
"""segment.py's class/id hint words matched in C: a "class id" string's hint bits, the same as a regular
expression of the words in order would give (its leftmost matches over the lowercased string, one after
another; at each position the first word in order that matches)."""

from cpython.unicode cimport Py_UNICODE_ISDECIMAL, PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

AD = None  # in a word list: "ad" or "ads" standing alone (between the start or one of "-_ " or a digit,
# and the end or one of them), i.e. the expression (?:^|[-_ \d])ads?(?:$|[-_ \d])


cdef inline bint _delimiter(Py_UCS4 c) noexcept:
    return c == 45 or c == 95 or c == 32 or Py_UNICODE_ISDECIMAL(c)  # "-", "_", " ", a digit


cdef inline Py_ssize_t _end_or_delimiter(int kind, void* data, Py_ssize_t n, Py_ssize_t k) noexcept:
    """(?:$|[-_ \\d]) at k: where the match ends, -1 if none ($ also before a final newline)."""
    if k == n or (k == n - 1 and PyUnicode_READ(kind, data, k) == 10):
        return k
    if k < n and _delimiter(PyUnicode_READ(kind, data, k)):
        return k + 1
    return -1


cdef Py_ssize_t _ad_word(int kind, void* data, Py_ssize_t n, Py_ssize_t j) noexcept:
    """ads?(?:$|[-_ \\d]) at j: where the match ends, -1 if none (with "ads" tried before "ad")."""
    cdef Py_ssize_t end
    if j + 2 > n or PyUnicode_READ(kind, data, j) != 97 or PyUnicode_READ(kind, data, j + 1) != 100:  # "ad"
        return -1
    if j + 2 < n and PyUnicode_READ(kind, data, j + 2) == 115:  # "s"
        end = _end_or_delimiter(kind, data, n, j + 3)
        if end >= 0:
            return end
    return _end_or_delimiter(kind, data, n, j + 2)


cdef Py_ssize_t _ad(int kind, void* data, Py_ssize_t n, Py_ssize_t i) noexcept:
    """The AD rule at position i: where its match ends, -1 if none (the start of the string tried before
    a delimiter)."""
    cdef Py_ssize_t end
    if i == 0:
        end = _ad_word(kind, data, n, 0)
        if end >= 0:
            return end
    if i < n and _delimiter(PyUnicode_READ(kind, data, i)):
        return _ad_word(kind, data, n, i + 1)
    return -1


cdef class HintWords:
    """The hint words in order, each with its bits; `match` gives the union of the bits of the words found
    in a "class id" string."""

    def __cinit__(self, words):
        words = list(words)
        cdef Py_ssize_t n = len(words), w, c, size = sum(len(word or "") for word, _ in words)
        cdef bytes encoded
        buckets = [[] for _ in range(128)]
        self.chars = <char*>malloc(size + 1)
        self.starts = <Py_ssize_t*>malloc((n + 1) * sizeof(Py_ssize_t))
        self.bits = <long*>malloc((n + 1) * sizeof(long))
        self.order = <int*>malloc((n + 16) * sizeof(int))
        if self.chars is NULL or self.starts is NULL or self.bits is NULL or self.order is NULL:
            raise MemoryError()
        self.ad = -1
        self.starts[0] = 0
        for w, (word, bits) in enumerate(words):
            self.bits[w] = bits
            self.starts[w + 1] = self.starts[w]
            if word is AD:
                if self.ad >= 0:
                    raise ValueError("AD appears twice")
                self.ad = w
                for ch in "a-_ 0123456789":
                    buckets[ord(ch)].append(w)
                continue
            if not isinstance(word, str) or not word or not word.isascii() or word != word.lower():
                raise ValueError(f"a hint word is lowercase ASCII, not {word!r}")
            encoded = word.encode("ascii")
            memcpy(self.chars + self.starts[w], <const char*>encoded, len(encoded))
            self.starts[w + 1] += len(encoded)
            buckets[ord(word[0])].append(w)
        self.first[0] = 0
        for c in range(128):
            self.first[c + 1] = self.first[c] + len(buckets[c])
            for w in range(len(buckets[c])):
                self.order[self.first[c] + w] = buckets[c][w]

    def __dealloc__(self):
        free(self.chars)
        free(self.starts)
        free(self.bits)
        free(self.order)

    cpdef long match(self, str attrs):
        """The union of the bits of the words found in `attrs`, lowercased."""
        cdef str s = attrs.lower()
        cdef int kind = PyUnicode_KIND(s)
        cdef void* data = PyUnicode_DATA(s)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(s), i = 0, end, b, w, k, start, length
        cdef long found = 0
        cdef Py_UCS4 c
        while i < n:
            c = PyUnicode_READ(kind, data, i)
            end = -1
            if c < 128:
                for b in range(self.first[<Py_ssize_t>c], self.first[<Py_ssize_t>c + 1]):
                    w = self.order[b]
                    if w == self.ad:
                        end = _ad(kind, data, n, i)
                    else:
                        start, length = self.starts[w], self.starts[w + 1] - self.starts[w]
                        if i + length <= n:
                            end = i + length
                            for k in range(1, length):
                                if PyUnicode_READ(kind, data, i + k) != <Py_UCS4>self.chars[start + k]:
                                    end = -1
                                    break
                    if end >= 0:
                        found |= self.bits[w]
                        break
            elif self.ad >= 0 and Py_UNICODE_ISDECIMAL(c):
                end = _ad(kind, data, n, i)
                if end >= 0:
                    found |= self.bits[self.ad]
            i = end if end > i else i + 1
        return found

# cython: language_level=3
"""The hint words' matcher (_hints.pyx), as the walk calls it."""


cdef class HintWords:
    cdef char* chars  # every word's ASCII characters, one after another
    cdef Py_ssize_t* starts  # word w: chars[starts[w]:starts[w + 1]] (AD: empty)
    cdef long* bits
    cdef Py_ssize_t ad  # AD's place in the order (-1: not used)
    cdef int* order  # per ASCII character c: the words that start with it, in order, are
    cdef Py_ssize_t first[129]  # order[first[c]:first[c + 1]] (AD is under "a" and each delimiter)

    cpdef long match(self, str attrs)

# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""features.py's layout of a feature row and its character tables, as the compiled features read them
(_layout.pyx builds it), the bigram keys of a text by its character classes, and the copy of each
row's neighbours' features into it."""

from cpython.unicode cimport PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ
from libc.stdint cimport int64_t


cdef class Layout:
    cdef const unsigned char[::1] cls, sentence_end, full_stop
    cdef unsigned char c_space, c_cjk, c_latin, c_digit, c_punct, c_other
    cdef int width, n_hints
    # the column of each feature, set from its name
    cdef public int n_chars, n_tokens, cjk_ratio, latin_ratio, digit_ratio, punct_ratio, n_stops, ends_sentence
    cdef public int ends_ellipsis, link_density, repeat, earlier_copies, len_rank, in_main, d_main_start
    cdef public int d_main_end, main_overlap, title_overlap, d_headline, tag, depth, path_share, parent_text_share
    cdef public int parent_link_density, grandparent_text_share, grandparent_link_density, path_text_share
    cdef public int path_link_density, position, page_blocks, page_tokens, page_max_tokens, page_long_blocks
    cdef public int page_main_share, page_link_density, in_root, in_head_root
    cdef int[::1] hint_cols, neighbour_cols, window, window_cols
    cdef double main_min_tokens, link_block_cost, latin_word_weight, main_max_tokens, share_power
    cdef double root_share, dist_clip, headline_overlap, head_root_tokens, prose_min_tokens
    cdef double prose_max_link_density


cdef inline unsigned char klass(Layout L, Py_UCS4 c) noexcept:
    """The character class of a code point (astral Han extensions are CJK)."""
    if c <= 0xFFFF:
        return L.cls[c]
    return L.c_cjk if 0x20000 <= c <= 0x3FFFF else L.c_other


cdef inline bint is_word(Layout L, unsigned char k) noexcept:
    """A character that makes bigrams: CJK, letters, digits."""
    return k == L.c_cjk or k == L.c_latin or k == L.c_digit


cdef inline int64_t pair_key(Py_UCS4 a, Py_UCS4 b) noexcept nogil:
    """A bigram's key: both code points, ASCII lowercased, 21 bits each."""
    cdef int64_t x = a, y = b
    if 0x41 <= x <= 0x5A:
        x += 32
    if 0x41 <= y <= 0x5A:
        y += 32
    return (x << 21) | y


cdef inline Py_ssize_t bigrams(Layout L, str t, int64_t* out) except -1:
    """Write the keys of t's bigrams (adjacent word characters) into out; return how many."""
    cdef int kind = PyUnicode_KIND(t)
    cdef void* data = PyUnicode_DATA(t)
    cdef Py_ssize_t k, n = 0
    cdef Py_UCS4 ch, prev = 0
    cdef bint prev_word = False
    for k in range(PyUnicode_GET_LENGTH(t)):
        ch = PyUnicode_READ(kind, data, k)
        if not is_word(L, klass(L, ch)):
            prev_word = False
            continue
        if prev_word:
            out[n] = pair_key(prev, ch)
            n += 1
        prev_word = True
        prev = ch
    return n


cdef inline void copy_neighbours(Layout L, float[:, ::1] out) noexcept:
    """Each row's window of neighbours: their NEIGHBOUR_BASE features copied into its window columns."""
    cdef Py_ssize_t n = out.shape[0], n_nb = L.neighbour_cols.shape[0], o, i, k, src
    for o in range(L.window.shape[0]):
        for i in range(n):
            src = i + L.window[o]
            if 0 <= src < n:
                for k in range(n_nb):
                    out[i, L.window_cols[o * n_nb + k]] = out[src, L.neighbour_cols[k]]

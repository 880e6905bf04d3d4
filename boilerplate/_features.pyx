# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The feature rows of one page in C loops (see features.py for what each feature means): every character
is read once or twice, straight from the block strings, and nothing is allocated per feature."""

import numpy as np

from cpython.unicode cimport Py_UNICODE_ISSPACE, PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ
from libc.math cimport NAN, log1p, sqrt
from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport free, malloc, qsort
from libc.string cimport memset

from boilerplate._fnv cimport FNV_OFFSET, fnv
from boilerplate._keys cimport Slot, Table, group_sums, groups_of, has_key, slot, table_init
from boilerplate._layout cimport Layout, bigrams, copy_neighbours, is_word, klass


cdef int _cmp_rank(const void* a, const void* b) noexcept nogil:
    cdef const double* x = <const double*>a
    cdef const double* y = <const double*>b
    if x[0] != y[0]:
        return -1 if x[0] < y[0] else 1
    return -1 if x[1] < y[1] else (1 if x[1] > y[1] else 0)


cdef int _cmp_short(const void* a, const void* b) noexcept nogil:
    return (<const short*>a)[0] - (<const short*>b)[0]


cdef inline double _clip(double v, double lim) noexcept nogil:
    return -lim if v < -lim else (lim if v > lim else v)


def feature_rows(Layout L, blocks, float[:, ::1] out, int[:, ::1] groups, Py_ssize_t headline=-1):
    """Write the feature rows of `blocks` (a segment.Blocks) into `out` (n_blocks × width, float32), and
    each block's page-local group ids (parent, grandparent, tag path; 0 for text dumps) into `groups`;
    `headline` is the index of the page's headline block (title.py), -1 when it has none."""
    cdef list texts = blocks.texts
    cdef Py_ssize_t n = len(texts), i, k, start = 0, end = -1
    cdef bint html = blocks.is_html
    if out.shape[0] != n or out.shape[1] != L.width:
        raise ValueError(f"out is {out.shape[0]}×{out.shape[1]}, expected {n}×{L.width}")
    if groups.shape[0] != n or groups.shape[1] != 3:
        raise ValueError(f"groups is {groups.shape[0]}×{groups.shape[1]}, expected {n}×3")
    for i in range(n):
        for k in range(L.width):
            out[i, k] = NAN
        groups[i, 0] = groups[i, 1] = groups[i, 2] = 0
    if n == 0:
        return
    work = np.zeros((W_ROWS, n), dtype=np.float64)
    cdef double[:, ::1] w = work
    cdef int64_t[::1] hashes = np.empty(n, dtype=np.int64)
    cdef Py_ssize_t n_keys = _characters(L, texts, html, np.ascontiguousarray(blocks.link_chars, dtype=np.int32),
                                         np.ascontiguousarray(blocks.tag, dtype=np.int16), w, hashes, out)
    cdef Table table
    table.slots = NULL
    cdef int* group = <int*>malloc(n * sizeof(int))
    cdef int* sizes = <int*>malloc(n * sizeof(int))
    cdef double* acc = <double*>malloc(3 * n * sizeof(double))
    cdef double eff_sum, tokens_sum = 0.0, max_tokens = 0.0, scale = <double>(n - 1 if n > 1 else 1)
    cdef Py_ssize_t n_long = 0
    if group is NULL or sizes is NULL or acc is NULL:
        free(group); free(sizes); free(acc)
        raise MemoryError()
    try:
        # copies of the same whitespace-free text
        groups_of(&table, &hashes[0], n, group, sizes)
        for i in range(n):
            w[W_REPEAT, i] = sizes[group[i]]
            out[i, L.repeat] = w[W_REPEAT, i]
            out[i, L.earlier_copies] = w[W_SEEN, group[i]]
            w[W_SEEN, group[i]] += 1

        # the main run and the page-level counts
        _main_run(L, w, html, &start, &end)
        for i in range(n):
            w[W_IN_MAIN, i] = 1.0 if start <= i <= end else 0.0
            out[i, L.in_main] = w[W_IN_MAIN, i]
            out[i, L.d_main_start] = _clip(<double>(i - start), L.dist_clip)
            out[i, L.d_main_end] = _clip(<double>(i - end), L.dist_clip)
            out[i, L.position] = i / scale
            n_long += w[W_EFF, i] >= L.main_min_tokens
            max_tokens = max(max_tokens, w[W_TOKENS, i])
            tokens_sum += w[W_TOKENS, i]
        eff = work[W_EFF]
        eff_sum = float(eff.sum())  # numpy's pairwise sums, as the features are defined
        main_share = float(eff[start:end + 1].sum()) / max(eff_sum, 1.0)
        for i in range(n):
            out[i, L.page_blocks] = log1p(<double>n)
            out[i, L.page_tokens] = log1p(tokens_sum)
            out[i, L.page_max_tokens] = log1p(max_tokens)
            out[i, L.page_long_blocks] = log1p(<double>n_long)
            out[i, L.page_main_share] = main_share
        _len_rank(L, w, scale, out)

        # bigram overlaps with the other blocks of the main run, and with the <title>
        _overlaps(L, texts, n_keys, blocks.title if html else "", w, out)
        if html:
            _structure(L, blocks, start, end, w, eff, eff_sum, tokens_sum, group, sizes, acc, &table, out, groups,
                       headline if 0 <= headline < n else -1)
    finally:
        free(group); free(sizes); free(acc); free(table.slots)
    copy_neighbours(L, out)


cdef enum:  # the rows of feature_rows' work array (float64, one column per block)
    W_CHARS, W_TOKENS, W_CJK, W_LINKS, W_REPEAT, W_EFF, W_SCORE, W_TEASER, W_SEEN, W_IN_MAIN
    W_TOTAL, W_HIT, W_T_TOTAL, W_T_HIT, W_ROWS


cdef Py_ssize_t _characters(Layout L, list texts, bint html, const int[::1] link_chars, const short[::1] tag,
                            double[:, ::1] w, int64_t[::1] hashes, float[:, ::1] out) except -1:
    """Per block: character classes, tokens, sentence marks, endings, link density, and the hash of its
    whitespace-free text (for counting copies). Returns the number of bigrams of the page."""
    cdef Py_ssize_t i, k, length, n_keys = 0, n_space, words
    cdef double n_latin, n_digit, n_punct, n_stops, denom
    cdef int kind
    cdef void* data
    cdef Py_UCS4 ch
    cdef unsigned char cl
    cdef bint alnum, prev_alnum, word, prev_word, ellipsis
    cdef uint64_t h
    for i in range(len(texts)):
        t = texts[i]
        if not isinstance(t, str):
            raise TypeError(f"block {i} is {type(t).__name__}, not str")
        kind, data, length = PyUnicode_KIND(t), PyUnicode_DATA(t), PyUnicode_GET_LENGTH(t)
        n_space = words = 0
        n_latin = n_digit = n_punct = n_stops = 0.0
        prev_alnum = prev_word = False
        h = FNV_OFFSET  # FNV-1a over the code points
        for k in range(length):
            ch = PyUnicode_READ(kind, data, k)
            cl = klass(L, ch)
            if cl == L.c_space:
                n_space += 1
            elif cl == L.c_cjk:
                w[W_CJK, i] += 1
            elif cl == L.c_latin:
                n_latin += 1
            elif cl == L.c_digit:
                n_digit += 1
            elif cl == L.c_punct:
                n_punct += 1
            if ch <= 0xFFFF and L.full_stop[ch]:
                n_stops += 1
            alnum = cl == L.c_latin or cl == L.c_digit
            words += alnum and not prev_alnum
            prev_alnum = alnum
            word = is_word(L, cl)
            n_keys += word and prev_word
            prev_word = word
            if not (ch == 0x20 if html else Py_UNICODE_ISSPACE(ch)):  # HTML blocks' only whitespace is " "
                h = fnv(h, <uint64_t>ch)
        w[W_CHARS, i] = <double>(length - n_space)
        w[W_TOKENS, i] = w[W_CJK, i] + words
        hashes[i] = <int64_t>((h ^ (h >> 29)) >> 2)  # non-negative
        denom = max(w[W_CHARS, i], 1.0)
        out[i, L.n_chars] = log1p(w[W_CHARS, i])
        out[i, L.n_tokens] = log1p(w[W_TOKENS, i])
        out[i, L.cjk_ratio] = w[W_CJK, i] / denom
        out[i, L.latin_ratio] = n_latin / denom
        out[i, L.digit_ratio] = n_digit / denom
        out[i, L.punct_ratio] = n_punct / denom
        out[i, L.n_stops] = log1p(n_stops)
        ellipsis = False
        out[i, L.ends_sentence] = 0.0
        if length:
            ch = PyUnicode_READ(kind, data, length - 1)
            ellipsis = ch == 0x2026 or (length >= 3 and ch == 0x2E and PyUnicode_READ(kind, data, length - 2) == 0x2E
                                        and PyUnicode_READ(kind, data, length - 3) == 0x2E)
            if ch <= 0xFFFF and L.sentence_end[ch] and not ellipsis:
                out[i, L.ends_sentence] = 1.0
        out[i, L.ends_ellipsis] = 1.0 if ellipsis else 0.0
        w[W_TEASER, i] = ellipsis
        if html:
            w[W_LINKS, i] = min(link_chars[i] / denom, 1.0)
            out[i, L.link_density] = w[W_LINKS, i]
        out[i, L.tag] = tag[i]
    return n_keys


cdef void _main_run(Layout L, double[:, ::1] w, bint html, Py_ssize_t* start, Py_ssize_t* end) noexcept:
    """W_EFF: each block's main-run weight; start, end: the run of blocks with the largest sum of W_SCORE
    (Kadane: the first end of the best gain, then the first start at the running minimum)."""
    cdef Py_ssize_t n = w.shape[1], i
    cdef double weight, ld, csum = 0.0, run_min = 0.0, gain, best_gain = 0.0, best_min = 0.0
    for i in range(n):
        weight = w[W_CJK, i] + L.latin_word_weight * (w[W_TOKENS, i] - w[W_CJK, i])
        ld = w[W_LINKS, i]  # 0 for text dumps
        w[W_EFF, i] = 0.0 if w[W_TEASER, i] else \
            min(weight, L.main_max_tokens) * (1 - ld) / sqrt(w[W_REPEAT, i])
        if w[W_EFF, i] >= L.main_min_tokens:
            w[W_SCORE, i] = w[W_EFF, i] - L.main_min_tokens
        else:
            w[W_SCORE, i] = -(L.link_block_cost * L.main_min_tokens if ld > 0.5 else L.main_min_tokens)
        run_min = min(run_min, csum)
        csum += w[W_SCORE, i]
        gain = csum - run_min
        if i == 0 or gain > best_gain:
            best_gain, best_min = gain, run_min
            end[0] = i
    csum = 0.0
    for i in range(end[0] + 1):
        if csum == best_min:
            start[0] = i
            return
        csum += w[W_SCORE, i]
    start[0] = end[0]


cdef int _len_rank(Layout L, double[:, ::1] w, double scale, float[:, ::1] out) except -1:
    """Each block's rank by length (ties in page order) over the page, 0 to 1."""
    cdef Py_ssize_t n = w.shape[1], i
    cdef double* pairs = <double*>malloc(2 * n * sizeof(double))
    if pairs is NULL:
        raise MemoryError()
    for i in range(n):
        pairs[2 * i] = w[W_CHARS, i]
        pairs[2 * i + 1] = i
    qsort(pairs, n, 2 * sizeof(double), _cmp_rank)
    for i in range(n):
        out[<Py_ssize_t>pairs[2 * i + 1], L.len_rank] = i / scale
    free(pairs)
    return 0


cdef int _overlaps(Layout L, list texts, Py_ssize_t n_keys, str title, double[:, ::1] w,
                   float[:, ::1] out) except -1:
    """main_overlap (share of a block's distinct bigrams held by another main-run block), title_overlap
    (share of its bigrams in the <title>) and d_headline (the distance to the block best matching it)."""
    cdef Py_ssize_t n = w.shape[1], i, k, n_title, best = 0
    cdef bint fresh
    cdef Slot* s
    cdef double overlap, coverage, candidate, best_candidate = 0.0
    cdef Table keys, title_keys
    cdef int64_t* pairs = <int64_t*>malloc((n_keys + PyUnicode_GET_LENGTH(title) + 1) * sizeof(int64_t))
    cdef Py_ssize_t* starts = <Py_ssize_t*>malloc((n + 1) * sizeof(Py_ssize_t))
    keys.slots = title_keys.slots = NULL
    try:
        if pairs is NULL or starts is NULL:
            raise MemoryError()
        # every block's bigrams, one after another (block i's: starts[i]:starts[i + 1]), then the title's
        starts[0] = 0
        for i in range(n):
            starts[i + 1] = starts[i] + bigrams(L, texts[i], pairs + starts[i])
        n_title = bigrams(L, title, pairs + starts[n])  # (a text dump's title is "")
        table_init(&title_keys, n_title)
        for k in range(n_title):
            slot(&title_keys, pairs[starts[n] + k], &fresh)
        # pass 1: distinct bigrams per block (W_TOTAL), main-run blocks per bigram (slot.count), title hits
        table_init(&keys, n_keys)
        for i in range(n):
            for k in range(starts[i], starts[i + 1]):
                s = slot(&keys, pairs[k], &fresh)
                if s.last != i:
                    s.last = i
                    w[W_TOTAL, i] += 1
                    s.count += w[W_IN_MAIN, i] > 0
                w[W_T_HIT, i] += has_key(&title_keys, pairs[k])
            w[W_T_TOTAL, i] = starts[i + 1] - starts[i]
        # pass 2: distinct bigrams per block that some other main-run block holds (W_HIT)
        for i in range(n):
            for k in range(starts[i], starts[i + 1]):
                s = slot(&keys, pairs[k], &fresh)
                if s.last != ~i:
                    s.last = ~i
                    w[W_HIT, i] += s.count > w[W_IN_MAIN, i]
    finally:
        free(keys.slots)
        free(title_keys.slots)
        free(pairs)
        free(starts)
    for i in range(n):
        if w[W_TOTAL, i] > 0:
            out[i, L.main_overlap] = w[W_HIT, i] / w[W_TOTAL, i]
        if n_title == 0 or w[W_T_TOTAL, i] == 0:
            continue
        overlap = w[W_T_HIT, i] / w[W_T_TOTAL, i]
        out[i, L.title_overlap] = overlap
        # the headline is mostly the title, and holds most of it: a one-word "Apple" is not a headline
        coverage = min(w[W_T_TOTAL, i] / n_title, 1.0)
        candidate = overlap * coverage if overlap >= L.headline_overlap and coverage >= L.headline_overlap else 0.0
        if candidate > best_candidate:
            best_candidate, best = candidate, i
    if best_candidate > 0:
        for i in range(n):
            out[i, L.d_headline] = _clip(<double>(i - best), L.dist_clip)
    return 0


cdef int _structure(Layout L, blocks, Py_ssize_t start, Py_ssize_t end, double[:, ::1] w, eff, double eff_sum,
                    double tokens_sum, int* group, int* sizes, double* acc, Table* table,
                    float[:, ::1] out, int[:, ::1] groups, Py_ssize_t headline) except -1:
    """The DOM features of an HTML page: depth against the main run's, path, parent and grandparent
    shares, the article root and the headline's, the hints."""
    cdef Py_ssize_t n = w.shape[1], i, k, root_first = 0, root_end = n
    cdef const short[::1] depth = np.ascontiguousarray(blocks.depth, dtype=np.int16)
    cdef const int[::1] link_chars = np.ascontiguousarray(blocks.link_chars, dtype=np.int32)
    cdef const int[::1] hints = np.ascontiguousarray(blocks.hints, dtype=np.int32)
    cdef const int[::1] near = np.ascontiguousarray(blocks.near_hints, dtype=np.int32)
    cdef const int[:, ::1] containers = np.ascontiguousarray(blocks.containers, dtype=np.int32).reshape(-1, 3)
    cdef double median, chars_sum = 0.0, links_sum = 0.0, page_links, mass_sum
    cdef Py_ssize_t text_col, link_col, best, g
    cdef double[::1] mass
    cdef const int64_t[::1] ids
    cdef double[::1] cum

    # depth against the main run's median depth
    cdef short* main_depths = <short*>malloc((end - start + 1) * sizeof(short))
    if main_depths is NULL:
        raise MemoryError()
    for i in range(start, end + 1):
        main_depths[i - start] = depth[i]
    k = end - start + 1
    qsort(main_depths, k, sizeof(short), _cmp_short)
    median = main_depths[k // 2] if k % 2 else (<double>main_depths[k // 2 - 1] + main_depths[k // 2]) / 2
    free(main_depths)
    for i in range(n):
        out[i, L.depth] = depth[i] - median
        chars_sum += w[W_CHARS, i]
        links_sum += link_chars[i]
    page_links = links_sum / max(chars_sum, 1.0)

    # blocks with the same last tags (a repeated structure) and under the same parent / grandparent
    path_ids: dict = {}
    ids = np.fromiter([path_ids.setdefault(p, len(path_ids)) for p in blocks.path], dtype=np.int64, count=n)
    groups_of(table, &ids[0], n, group, sizes)
    group_sums(n, group, &w[W_TOKENS, 0], link_chars, &w[W_CHARS, 0], acc)
    for i in range(n):
        out[i, L.path_share] = sizes[group[i]] / <double>n
        out[i, L.path_text_share] = acc[group[i]] / max(tokens_sum, 1.0)
        out[i, L.path_link_density] = acc[n + group[i]] / max(acc[2 * n + group[i]], 1.0)
        out[i, L.page_link_density] = page_links
        groups[i, 2] = group[i]
    mass_arr = eff ** L.share_power  # numpy's power and pairwise sum, as the features are defined
    mass, mass_sum = mass_arr, float(mass_arr.sum())
    for g, (ids, text_col, link_col) in enumerate((
            (np.ascontiguousarray(blocks.parent, dtype=np.int64), L.parent_text_share, L.parent_link_density),
            (np.ascontiguousarray(blocks.grandparent, dtype=np.int64), L.grandparent_text_share,
             L.grandparent_link_density))):
        groups_of(table, &ids[0], n, group, sizes)
        group_sums(n, group, &mass[0], link_chars, &w[W_CHARS, 0], acc)
        for i in range(n):
            out[i, text_col] = acc[group[i]] / max(mass_sum, 1.0)
            out[i, link_col] = acc[n + group[i]] / max(acc[2 * n + group[i]], 1.0)
            groups[i, g] = group[i]

    # the article root: the deepest container (the narrowest of equally deep ones) holding ROOT_SHARE of
    # the main-run weight; the whole page when none does
    cum = np.concatenate(([0.0], np.cumsum(eff)))
    best = -1
    if eff_sum > 0:
        for k in range(containers.shape[0]):
            if cum[containers[k, 2]] - cum[containers[k, 1]] < L.root_share * eff_sum:
                continue
            if best < 0 or _deeper(containers, k, best):
                best = k
    if best >= 0:
        root_first, root_end = containers[best, 1], containers[best, 2]
    # the headline's article: the deepest container (the narrowest of equally deep ones) holding the
    # headline block and HEAD_ROOT_TOKENS prose tokens after it
    cdef double prose
    cdef Py_ssize_t head_first = 0, head_end = 0
    if headline >= 0:
        cum = np.zeros(n + 1, dtype=np.float64)
        for i in range(n):
            prose = w[W_TOKENS, i] if (w[W_TOKENS, i] >= L.prose_min_tokens
                                       and w[W_LINKS, i] < L.prose_max_link_density) else 0.0
            cum[i + 1] = cum[i] + prose
        best = -1
        for k in range(containers.shape[0]):
            if not (containers[k, 1] <= headline < containers[k, 2]):
                continue
            if cum[containers[k, 2]] - cum[headline + 1] < L.head_root_tokens:
                continue
            if best < 0 or _deeper(containers, k, best):
                best = k
        if best >= 0:
            head_first, head_end = containers[best, 1], containers[best, 2]
    for i in range(n):
        out[i, L.in_root] = 1.0 if root_first <= i < root_end else 0.0
        if head_end > head_first:
            out[i, L.in_head_root] = 1.0 if head_first <= i < head_end else 0.0
        for k in range(L.n_hints):
            out[i, L.hint_cols[k]] = ((hints[i] >> k) & 1) + ((near[i] >> k) & 1)
    return 0


cdef inline bint _deeper(const int[:, ::1] containers, Py_ssize_t k, Py_ssize_t other) noexcept:
    """Whether container k is deeper than the other, or as deep and narrower."""
    if containers[k, 0] != containers[other, 0]:
        return containers[k, 0] > containers[other, 0]
    return containers[k, 2] - containers[k, 1] < containers[other, 2] - containers[other, 1]

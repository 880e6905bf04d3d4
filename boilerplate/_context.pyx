# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""context.py's columns in C loops, page by page (the same values as the numpy definition: sums are
added in row order, as numpy's bincount adds them)."""

from libc.math cimport INFINITY, NAN
from libc.stdlib cimport free, malloc, qsort


cdef enum:  # the columns this module writes, in the order of COLUMNS
    S, PAGE_MAX, PAGE_MEAN, KEPT_SHARE, KEPT_TOKENS, RANK, REL, PARENT, GRANDPARENT, PATH, PARENT_MAX
    PATH_MAX, PREV1, NEXT1, PREV2, NEXT2, WIN_MAX, WIN_MEAN, D_KEPT_PREV, D_KEPT_NEXT, D_BEST, N_COLUMNS


# the columns' names (context.py names and documents them; it refuses to load if they differ)
COLUMNS = ("s", "s_page_max", "s_page_mean", "s_kept_share", "s_kept_tokens", "s_rank", "s_rel", "s_parent",
           "s_grandparent", "s_path", "s_parent_max", "s_path_max", "s@-1", "s@+1", "s@-2", "s@+2", "s_win_max",
           "s_win_mean", "d_kept_prev", "d_kept_next", "d_best")
if len(COLUMNS) != N_COLUMNS:
    raise ImportError(f"_context: {len(COLUMNS)} column names for {N_COLUMNS} columns")


cdef struct Ranked:
    double score
    Py_ssize_t row


cdef int _by_score(const void* a, const void* b) noexcept nogil:
    """Best score first, ties in row order."""
    cdef const Ranked* x = <const Ranked*>a
    cdef const Ranked* y = <const Ranked*>b
    if x.score != y.score:
        return -1 if x.score > y.score else 1
    return -1 if x.row < y.row else (1 if x.row > y.row else 0)


def context_columns(const double[::1] s, const double[::1] weight, const long long[::1] offsets, const int[:, ::1] groups,
         float[:, ::1] out, double kept_at, int window, double clip):
    """Write the context columns of every row into `out` (rows × N_COLUMNS); `weight` is each row's
    tokens + 1."""
    cdef Py_ssize_t n_rows = s.shape[0], p, a, e, n, i, k, j, last, nxt, best
    if out.shape[0] != n_rows or out.shape[1] != N_COLUMNS or weight.shape[0] != n_rows or offsets.shape[0] == 0 \
            or groups.shape[0] != n_rows or groups.shape[1] != 3 or offsets[offsets.shape[0] - 1] != n_rows:
        raise ValueError("context columns: arrays of mismatched sizes")
    cdef double* acc = <double*>malloc(3 * max(n_rows, 1) * sizeof(double))
    cdef Ranked* order = <Ranked*>malloc(max(n_rows, 1) * sizeof(Ranked))
    cdef double top, total, kept_tokens, tokens, win_sum, v
    cdef Py_ssize_t n_kept, win_n
    if acc is NULL or order is NULL:
        free(acc)
        free(order)
        raise MemoryError()
    try:
        for p in range(offsets.shape[0] - 1):
            a, e = offsets[p], offsets[p + 1]
            n = e - a
            if n <= 0:
                continue
            for i in range(a, e):
                for k in range(3):
                    if not 0 <= groups[i, k] < n:
                        raise ValueError(f"row {i}: group id {groups[i, k]} is not below its page's {n} rows")
            top, total, kept_tokens, tokens, n_kept, best = s[a], 0.0, 0.0, 0.0, 0, a
            for i in range(a, e):
                if s[i] > top:
                    top, best = s[i], i
                total += s[i]
                tokens += weight[i] - 1
                if s[i] >= kept_at:
                    n_kept += 1
                    kept_tokens += weight[i] - 1
            for i in range(a, e):
                out[i, S] = s[i]
                out[i, PAGE_MAX] = top
                out[i, PAGE_MEAN] = total / n
                out[i, KEPT_SHARE] = n_kept / <double>n
                out[i, KEPT_TOKENS] = kept_tokens / max(tokens, 1.0)
                out[i, REL] = s[i] / max(top, 1e-6)
                out[i, D_BEST] = min(max(<double>(i - best), -clip), clip)
                order[i - a].score, order[i - a].row = s[i], i
            qsort(order, n, sizeof(Ranked), _by_score)
            for k in range(n):
                out[order[k].row, RANK] = k / <double>max(n - 1, 1)
            _group_columns(s, weight, groups, a, e, 0, PARENT, PARENT_MAX, acc, out)
            _group_columns(s, weight, groups, a, e, 1, GRANDPARENT, -1, acc, out)
            _group_columns(s, weight, groups, a, e, 2, PATH, PATH_MAX, acc, out)
            last = -1
            for i in range(a, e):  # neighbours and the window
                out[i, PREV1] = s[i - 1] if i - 1 >= a else NAN
                out[i, NEXT1] = s[i + 1] if i + 1 < e else NAN
                out[i, PREV2] = s[i - 2] if i - 2 >= a else NAN
                out[i, NEXT2] = s[i + 2] if i + 2 < e else NAN
                top, win_sum, win_n = s[i], s[i], 1
                for j in range(-window, window + 1):
                    if j == 0:
                        continue
                    if a <= i + j < e:
                        v = s[i + j]
                        top = max(top, v)
                        win_sum += v
                        win_n += 1
                out[i, WIN_MAX] = top
                out[i, WIN_MEAN] = win_sum / win_n
                if s[i] >= kept_at:
                    last = i
                out[i, D_KEPT_PREV] = NAN if n_kept == 0 else (min(<double>(i - last), clip) if last >= 0 else clip)
            nxt = -1
            for i in range(e - 1, a - 1, -1):
                if s[i] >= kept_at:
                    nxt = i
                out[i, D_KEPT_NEXT] = NAN if n_kept == 0 else (min(<double>(nxt - i), clip) if nxt >= 0 else clip)
    finally:
        free(acc)
        free(order)


cdef void _group_columns(const double[::1] s, const double[::1] weight, const int[:, ::1] groups, Py_ssize_t a,
                         Py_ssize_t e, int g, int mean_col, int max_col, double* acc, float[:, ::1] out) noexcept:
    """The token-weighted mean score (and the best score, unless max_col < 0) of each row's group g."""
    cdef Py_ssize_t n = e - a, i, k
    for k in range(n):
        acc[k] = acc[n + k] = 0.0
        acc[2 * n + k] = -INFINITY
    for i in range(a, e):
        k = groups[i, g]
        acc[k] += s[i] * weight[i]
        acc[n + k] += weight[i]
        acc[2 * n + k] = max(acc[2 * n + k], s[i])
    for i in range(a, e):
        k = groups[i, g]
        out[i, mean_col] = acc[k] / max(acc[n + k], 1e-12)
        if max_col >= 0:
            out[i, max_col] = acc[2 * n + k]

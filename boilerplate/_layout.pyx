# cython: language_level=3
"""features.py's layout of a feature row: each feature's column by its name, the character tables and the
named constants the compiled features read (_layout.pxd declares its fields)."""

import numpy as np


cdef class Layout:
    """Where each feature goes in a row, the character tables and the named constants of features.py."""

    def __init__(self, names, hints, neighbour_base, window, classes, sentence_end, full_stop, *,
                 c_space, c_cjk, c_latin, c_digit, c_punct, c_other, main_min_tokens, link_block_cost,
                 latin_word_weight, main_max_tokens, share_power, root_share, dist_clip, headline_overlap,
                 head_root_tokens, prose_min_tokens, prose_max_link_density):
        names = list(names)
        self.width = len(names)
        for attr in ("n_chars", "n_tokens", "cjk_ratio", "latin_ratio", "digit_ratio", "punct_ratio", "n_stops",
                     "ends_sentence", "ends_ellipsis", "link_density", "repeat", "earlier_copies", "len_rank",
                     "in_main", "d_main_start", "d_main_end", "main_overlap", "title_overlap", "d_headline",
                     "tag", "depth", "path_share", "parent_text_share", "parent_link_density",
                     "grandparent_text_share", "grandparent_link_density", "path_text_share",
                     "path_link_density", "position", "page_blocks", "page_tokens", "page_max_tokens",
                     "page_long_blocks", "page_main_share", "page_link_density", "in_root", "in_head_root"):
            setattr(self, attr, names.index(attr))
        self.n_hints = len(hints)
        self.hint_cols = np.asarray([names.index(f"hint_{h}") for h in hints], dtype=np.int32)
        self.neighbour_cols = np.asarray([names.index(f) for f in neighbour_base], dtype=np.int32)
        self.window = np.asarray(window, dtype=np.int32)
        self.window_cols = np.asarray([names.index(f"{f}@{off:+d}") for off in window for f in neighbour_base],
                                      dtype=np.int32)
        self.cls, self.sentence_end, self.full_stop = classes, sentence_end, full_stop
        self.c_space, self.c_cjk, self.c_latin, self.c_digit, self.c_punct, self.c_other = \
            c_space, c_cjk, c_latin, c_digit, c_punct, c_other
        self.main_min_tokens, self.link_block_cost = main_min_tokens, link_block_cost
        self.latin_word_weight, self.main_max_tokens = latin_word_weight, main_max_tokens
        self.share_power, self.root_share, self.dist_clip = share_power, root_share, dist_clip
        self.headline_overlap, self.head_root_tokens = headline_overlap, head_root_tokens
        self.prose_min_tokens, self.prose_max_link_density = prose_min_tokens, prose_max_link_density

# cython: language_level=3
"""The block columns of one walk, compiled (see segment.Blocks): each block's text, link characters, tag,
depth, hints, parents and tag path, its class/id tokens and, in structure mode, its pieces; and the
element names met, the stack of open elements and the owners of pending text (_walk.pyx drives it)."""

from cpython.unicode cimport (Py_UNICODE_ISALNUM, Py_UNICODE_ISSPACE, Py_UNICODE_TOLOWER, PyUnicode_DATA,
                              PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ)
from libc.stdint cimport int64_t, uint64_t, uintptr_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memset
from lxml.includes cimport tree

from boilerplate._fnv cimport fnv
from boilerplate._xml cimport utf8

import numpy as np


cdef uint64_t ATTR_SEED = 0xC2B2AE3D27D4EB4FULL  # class/id tokens hash apart from text words (_lexicon)


cdef class Tables:
    """What the walk needs to know of tags and hints, from segment.py (one instance there)."""

    def __init__(self, *, skip, block, cells, sectioning, landmark_roles, tag_id, tag_bits, hints,
                 landmark, invisible, path_len, max_row_chars, max_button_chars, cell_mark, cell_sep,
                 struct_tags=(), inline_tags=(), lang_hint=None):
        self.skip, self.block, self.cells = frozenset(skip), frozenset(block), frozenset(cells)
        self.sectioning, self.landmark_roles = frozenset(sectioning), frozenset(landmark_roles)
        self.tag_id, self.tag_bits, self.hints = dict(tag_id), dict(tag_bits), hints
        self.landmark, self.invisible = landmark, invisible
        self.path_len, self.max_row_chars, self.cell_mark = path_len, max_row_chars, cell_mark
        self.max_button_chars = max_button_chars
        self.cell_sep = cell_sep
        self.struct_tags, self.inline_tags = frozenset(struct_tags), frozenset(inline_tags)
        self.lang_hint = lang_hint


cdef class Columns:
    """The state of one walk: the block columns being built (see segment.Blocks), the element names met
    so far, the stack of open elements and the open block-level elements that own the pending text."""

    def __cinit__(self, Tables t, bint structured=False):
        self.t = t
        self.structured = structured
        self.node_tags, self.node_parents, self.node_attrs = [], [], []
        self.ctxs, self.rich, self.carry = [], [], []
        self.pieces, self.starts, self.block_node, self.block_break = [], [], [], []
        self.texts, self.link_chars, self.tags, self.depths, self.hints = [], [], [], [], []
        self.near, self.parents, self.grandparents, self.paths, self.names = [], [], [], [], []
        self.tok_starts, self.near_starts = [], []
        self.toks_cap, self.out_cap, self.n_out = 256, 4096, 0
        self.toks = <int64_t*>malloc(self.toks_cap * sizeof(int64_t))
        self.out = <int64_t*>malloc(self.out_cap * sizeof(int64_t))
        if not (self.toks and self.out):
            raise MemoryError()
        self.n_slots, self.stack_cap, self.owners_cap = TAG_SLOTS, 64, 64
        self.infos = <TagInfo*>malloc((TAG_SLOTS // 2) * sizeof(TagInfo))
        self.slots = <int*>malloc(TAG_SLOTS * sizeof(int))
        self.stack = <Frame*>malloc(self.stack_cap * sizeof(Frame))
        self.owner_at = <long*>malloc(self.owners_cap * sizeof(long))
        self.owner_first = <long*>malloc(self.owners_cap * sizeof(long))
        if not (self.infos and self.slots and self.stack and self.owner_at and self.owner_first):
            raise MemoryError()
        memset(self.slots, 0, TAG_SLOTS * sizeof(int))
        memset(&self.stack[0], 0, sizeof(Frame))
        self.stack[0].info = -1
        self.top = 0
        self.owner_at[0] = self.owner_first[0] = 0
        self.n_owners = 1

    def __dealloc__(self):
        free(self.infos)
        free(self.slots)
        free(self.stack)
        free(self.owner_at)
        free(self.owner_first)
        free(self.toks)
        free(self.out)

    cdef int add_token(self, Frame* f, uint64_t h) except -1:
        """Push one class/id token hash of the element of frame f (the top one)."""
        cdef int64_t* grown
        if f.tok_hi - f.tok_lo >= ELEMENT_TOKENS:
            return 0
        if f.tok_hi >= self.toks_cap:
            grown = <int64_t*>realloc(self.toks, 2 * self.toks_cap * sizeof(int64_t))
            if grown is NULL:
                raise MemoryError()
            self.toks, self.toks_cap = grown, 2 * self.toks_cap
        self.toks[f.tok_hi] = <int64_t>h
        f.tok_hi += 1
        return 0

    cdef int add_tokens(self, Frame* f, str s) except -1:
        """The tokens of a class or id value: each name split at non-alphanumerics into parts of two or
        more characters, not all digits; and each name holding separators as a whole, its separators
        read as "-" and its digit runs as "0" ("entry-content" → entry, content, entry-content;
        "post-1234" → post, post-0)."""
        cdef int kind = PyUnicode_KIND(s)
        cdef void* data = PyUnicode_DATA(s)
        cdef Py_ssize_t length = PyUnicode_GET_LENGTH(s), k
        cdef Py_UCS4 c
        cdef uint64_t part = ATTR_SEED, whole = ATTR_SEED
        cdef int part_len = 0, whole_len = 0
        cdef bint digits = True, separated = False, prev_digit = False
        for k in range(length + 1):
            c = PyUnicode_READ(kind, data, k) if k < length else 32
            if Py_UNICODE_ISALNUM(c):
                c = Py_UNICODE_TOLOWER(c)
                part = fnv(part, <uint64_t>c)
                part_len += 1
                if not (48 <= c <= 57):
                    digits = False
                    whole, prev_digit = fnv(whole, <uint64_t>c), False
                elif not prev_digit:
                    whole, prev_digit = fnv(whole, 48), True
                whole_len += 1
                continue
            if part_len >= 2 and not digits:
                self.add_token(f, part)
            part, part_len, digits = ATTR_SEED, 0, True
            if Py_UNICODE_ISSPACE(c):
                if separated and whole_len:
                    self.add_token(f, whole)
                whole, whole_len, separated, prev_digit = ATTR_SEED, 0, False, False
            elif whole_len:
                whole, prev_digit = fnv(whole, 45), False
                separated = True
        return 0

    cdef int tag_info(self, tree.xmlNode* node) except -1:
        """The index of an element name's TagInfo, added on first sight."""
        cdef uintptr_t key = <uintptr_t>node.name
        cdef size_t h = (key >> 4) & (self.n_slots - 1)
        cdef int k
        while self.slots[h]:
            if self.infos[self.slots[h] - 1].name == key:
                return self.slots[h] - 1
            h = (h + 1) & (self.n_slots - 1)
        if 2 * (self.n_tags + 1) > self.n_slots:
            self._grow()
            return self.tag_info(node)
        tag = utf8(node.name)
        k = self.n_tags
        self.infos[k].name = key
        self.infos[k].flags = ((F_SKIP if tag in self.t.skip else 0) | (F_BLOCK if tag in self.t.block else 0)
                               | (F_CELL if tag in self.t.cells else 0) | (F_TR if tag == "tr" else 0)
                               | (F_A if tag == "a" else 0)
                               | (F_HEADER_FOOTER if tag == "header" or tag == "footer" else 0)
                               | (F_SECTIONING if tag in self.t.sectioning else 0)
                               | (F_BUTTON if tag == "button" else 0)
                               | (F_STRUCT if tag in self.t.struct_tags else 0)
                               | (F_INLINE if tag in self.t.inline_tags else 0)
                               | (F_PRE if tag == "pre" else 0) | (F_IMG if tag == "img" else 0)
                               | (F_MATH if tag == "math" else 0) | (F_SCRIPT if tag == "script" else 0)
                               | (F_BR if tag == "br" else 0) | (F_CODE if tag == "code" else 0))
        self.infos[k].tag_id = self.t.tag_id.get(tag, 1)
        self.infos[k].own = self.t.tag_bits.get(tag, 0)
        self.names.append(tag)
        self.slots[h] = k + 1
        self.n_tags += 1
        return k

    cdef int _grow(self) except -1:
        """Twice the hash slots (and room for as many tag infos), rehashed."""
        cdef int i, n = self.n_slots * 2
        cdef size_t h
        cdef TagInfo* infos = <TagInfo*>realloc(self.infos, (n // 2) * sizeof(TagInfo))
        if infos is NULL:
            raise MemoryError()
        self.infos = infos
        free(self.slots)
        self.slots = <int*>malloc(n * sizeof(int))
        if self.slots is NULL:
            raise MemoryError()
        memset(self.slots, 0, n * sizeof(int))
        self.n_slots = n
        for i in range(self.n_tags):
            h = (self.infos[i].name >> 4) & (n - 1)
            while self.slots[h]:
                h = (h + 1) & (n - 1)
            self.slots[h] = i + 1
        return 0

    cdef Frame* push(self) except NULL:
        """A new frame on top of the stack (its fields to be set by the caller)."""
        cdef Frame* grown
        if self.top + 1 >= self.stack_cap:
            grown = <Frame*>realloc(self.stack, 2 * self.stack_cap * sizeof(Frame))
            if grown is NULL:
                raise MemoryError()
            self.stack, self.stack_cap = grown, 2 * self.stack_cap
        self.top += 1
        return &self.stack[self.top]

    cdef int own_text(self, long first) except -1:
        """The top element owns the text from now on; blocks before `first` are not its own."""
        cdef long* grown
        if self.n_owners >= self.owners_cap:
            grown = <long*>realloc(self.owner_at, 2 * self.owners_cap * sizeof(long))
            if grown is NULL:
                raise MemoryError()
            self.owner_at = grown
            grown = <long*>realloc(self.owner_first, 2 * self.owners_cap * sizeof(long))
            if grown is NULL:
                raise MemoryError()
            self.owner_first, self.owners_cap = grown, 2 * self.owners_cap
        self.owner_at[self.n_owners] = self.top
        self.owner_first[self.n_owners] = first
        self.n_owners += 1
        return 0

    cdef int structure(self, bint emitted, long snode, bint at_break) except -1:
        """Structure mode: the pending pieces go to the block being emitted (with the items carried from
        text that made no block), or, when no block is (whitespace only), their items are carried."""
        cdef list rich = self.rich
        cdef object p
        if emitted:
            self.starts.append(len(self.pieces))
            if self.carry:
                self.pieces.extend(self.carry)
                self.carry.clear()
            self.pieces.extend(rich)
            self.block_node.append(snode)
            self.block_break.append(at_break)
            rich.clear()
        elif rich:
            for p in rich:
                if type(p) is tuple and (p[0] == "img" or p[0] == "math"):
                    self.carry.append(p)
            rich.clear()
        self.rich_ctx = 0
        return 0

    cdef int add_piece(self, object piece, Frame* f) except -1:
        """Structure mode: a run of text (str) or an image or formula (tuple), under the frame's inline
        context (a context id goes before it where the context changes)."""
        if f.ictx != self.rich_ctx:
            self.rich.append(f.ictx)
            self.rich_ctx = f.ictx
        self.rich.append(piece)
        return 0

    cdef tuple tokens(self):
        """(token hashes int64, starts int64 of n + 1, near starts int64 of n): block i's tokens are
        hashes[starts[i]:starts[i + 1]], those of its owner, parent and grandparent from near[i] on."""
        hashes = np.empty(self.n_out, dtype=np.int64)
        cdef int64_t[::1] view = hashes
        cdef long i
        for i in range(self.n_out):
            view[i] = self.out[i]
        return (hashes, np.array(self.tok_starts + [self.n_out], dtype=np.int64),
                np.array(self.near_starts, dtype=np.int64))

    cdef int block_tokens(self, int at) except -1:
        """Copy the tokens of the element at stack index `at` and its ancestors (the nearest
        BLOCK_TOKENS) to the block columns."""
        cdef long hi = self.stack[at].tok_hi, lo = max(hi - BLOCK_TOKENS, 0)
        cdef long near = max(self.stack[max(at - 2, 0)].tok_lo, lo), i
        cdef int64_t* grown
        while self.n_out + hi - lo > self.out_cap:
            grown = <int64_t*>realloc(self.out, 2 * self.out_cap * sizeof(int64_t))
            if grown is NULL:
                raise MemoryError()
            self.out, self.out_cap = grown, 2 * self.out_cap
        self.tok_starts.append(self.n_out)
        self.near_starts.append(self.n_out + near - lo)
        for i in range(lo, hi):
            self.out[self.n_out] = self.toks[i]
            self.n_out += 1
        return 0

    cdef long emit(self, list parts, long link_parts, long at, bint at_break=False):
        """The pending text pieces as one block of the element at stack index `at` (nothing if they are
        only whitespace); clears `parts`; returns the number of blocks. In structure mode the block also
        gets its pieces, its node and whether a <br> ended it (`at_break`)."""
        cdef str block = "".join(parts)
        cdef Frame* f = &self.stack[at]
        cdef long lo
        parts.clear()
        if self.t.cell_mark in block:
            block = self.t.cell_sep.join([cell for cell in (" ".join(piece.split())
                                                            for piece in block.split(self.t.cell_mark)) if cell])
        else:
            block = " ".join(block.split())
        if self.structured:
            self.structure(bool(block), f.snode, at_break)
        if block:
            self.texts.append(block)
            if self.owners is not None:
                self.owners.append(<uintptr_t>f.node)
            self.link_chars.append(min(link_parts, len(block)))
            self.tags.append(self.infos[f.info].tag_id if f.info >= 0 else 1)
            self.depths.append(min(<long>f.depth, 32767))
            self.hints.append(f.bits)
            self.near.append(f.near2)
            self.parents.append(self.stack[at - 1 if at >= 1 else 0].serial)
            self.grandparents.append(self.stack[at - 2 if at >= 2 else 0].serial)
            self.block_tokens(at)
            lo = at - self.t.path_len + 1
            self.paths.append("/".join([self.names[self.stack[i].info] for i in range(lo if lo > 1 else 1, at + 1)]))
        return len(self.texts)

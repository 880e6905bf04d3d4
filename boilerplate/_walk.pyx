# cython: language_level=3
"""segment.py's DOM walk, compiled: reads libxml2's nodes through lxml's public C API (no libxml2 call,
so nothing links against libxml2) and emits the same block columns as the walk it replaced."""

from cpython.unicode cimport (Py_UNICODE_ISALNUM, Py_UNICODE_ISSPACE, Py_UNICODE_TOLOWER, PyUnicode_DATA,
                              PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ)
from libc.stdint cimport int64_t, uint64_t, uintptr_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memset, strcmp
from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Element, import_lxml__etree

from boilerplate._fnv cimport fnv
from boilerplate._head cimport Meta
from boilerplate._xml cimport attr, attr_value, is_text, next_in, past, subtree_text, utf8

import numpy as np

import_lxml__etree()

cdef enum:
    F_SKIP = 1  # subtree never rendered
    F_BLOCK = 2  # starts a new line
    F_CELL = 4  # td / th
    F_TR = 8
    F_A = 16
    F_HEADER_FOOTER = 32
    F_SECTIONING = 64
    F_BUTTON = 128
    F_STRUCT = 256  # a structural element of the content model (heading, list, item, table, row, cell, pre...)
    F_INLINE = 512  # an inline element of the content model (link, emphasis, inline code...)
    F_PRE = 1024
    F_IMG = 2048
    F_MATH = 4096  # <math> (skipped as text; read as TeX in structure mode)
    F_SCRIPT = 8192  # (a <script type="math/tex"> is read as TeX in structure mode)
    F_BR = 16384
    F_CODE = 32768
    TAG_SLOTS = 512  # hash slots for the distinct element names of one document (grown when half full)
    ELEMENT_TOKENS = 32  # class/id tokens kept of one element (utility-class soups hold hundreds)
    BLOCK_TOKENS = 48  # tokens a block gets from its nearest ancestors (bounds memory on deep pages)


cdef uint64_t ATTR_SEED = 0xC2B2AE3D27D4EB4FULL  # class/id tokens hash apart from text words (_lexicon)


cdef struct TagInfo:  # what the walk knows of one element name (libxml2 interns names: one pointer per name)
    uintptr_t name
    int flags
    int tag_id
    long own  # the tag's own hint bits


cdef struct Frame:  # one open element on the walk's stack
    int info  # index into the walk's tag infos (-1: the root's pseudo-parent)
    int depth  # -1: a skipped subtree
    long bits  # hint bits of the element and its ancestors
    long own, near1, near2  # hint bits of the element; of it and its parent; of it and two ancestors
    long serial  # the element's id (0: none)
    long snode  # structure mode: the innermost structural element's node id (0: none)
    long ictx  # structure mode: the innermost inline element's context id (0: none)
    int pre  # structure mode: inside a <pre>
    int norich  # structure mode: rendered text that the content model reads another way (KaTeX's glyphs)
    long tok_lo, tok_hi  # its class/id token hashes: _Walk.toks[tok_lo:tok_hi] (its ancestors' before)


cdef class Tables:
    """What the walk needs to know of tags and hints, from segment.py (one instance there)."""

    cdef frozenset skip, block, cells, sectioning, landmark_roles
    cdef dict tag_id, tag_bits
    cdef object hint_bits
    cdef long landmark, invisible
    cdef int path_len, max_row_chars, max_button_chars
    cdef str cell_mark, cell_sep
    cdef frozenset struct_tags, inline_tags
    cdef object lang_hint

    def __init__(self, *, skip, block, cells, sectioning, landmark_roles, tag_id, tag_bits, hint_bits,
                 landmark, invisible, path_len, max_row_chars, max_button_chars, cell_mark, cell_sep,
                 struct_tags=(), inline_tags=(), lang_hint=None):
        self.skip, self.block, self.cells = frozenset(skip), frozenset(block), frozenset(cells)
        self.sectioning, self.landmark_roles = frozenset(sectioning), frozenset(landmark_roles)
        self.tag_id, self.tag_bits, self.hint_bits = dict(tag_id), dict(tag_bits), hint_bits
        self.landmark, self.invisible = landmark, invisible
        self.path_len, self.max_row_chars, self.cell_mark = path_len, max_row_chars, cell_mark
        self.max_button_chars = max_button_chars
        self.cell_sep = cell_sep
        self.struct_tags, self.inline_tags = frozenset(struct_tags), frozenset(inline_tags)
        self.lang_hint = lang_hint


cdef class _Walk:
    """The state of one walk: the block columns being built (see segment.Blocks), the element names met
    so far, the stack of open elements and the open block-level elements that own the pending text."""

    cdef Tables t
    cdef list texts, link_chars, tags, depths, hints, near, parents, grandparents, paths
    cdef list names  # each TagInfo's tag
    cdef TagInfo* infos
    cdef int* slots  # hash of name pointers → TagInfo index + 1 (0: empty)
    cdef int n_tags, n_slots
    cdef Frame* stack
    cdef int top, stack_cap  # stack[0..top] are open (stack[0]: the root's pseudo-parent)
    cdef long* owner_at
    cdef long* owner_first
    cdef int n_owners, owners_cap
    cdef int64_t* toks  # the class/id token hashes of the open elements, root first
    cdef long toks_cap
    cdef int64_t* out  # each block's tokens: its nearest ancestors' (at most BLOCK_TOKENS), root first
    cdef long n_out, out_cap
    cdef list tok_starts, near_starts  # per block: where its tokens start in `out`, where its owner's,
    # parent's and grandparent's start
    cdef bint structured  # also record the content model (segment.Structure)
    cdef list node_tags, node_parents, node_attrs  # structural elements: tag, parent node id, attributes
    # (node id = index + 1)
    cdef list ctxs  # inline elements: (tag, parent context id, href) (context id = index + 1)
    cdef list rich  # the pending block's pieces: context ids (int), text (str) and items (tuple)
    cdef list carry  # items (images, formulas) of pending text that made no block: given to the next block
    cdef list pieces, starts  # every block's pieces, one flat list (few objects for the collector to
    # visit); block i's are pieces[starts[i]:starts[i + 1]]
    cdef list block_node, block_break  # per block: its node id, whether a <br> ended it
    cdef long rich_ctx  # the inline context of the pending pieces' end

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


cdef str _run(tree.xmlNode** at):
    """The text of the run of text nodes starting at *at, which is moved past it."""
    cdef tree.xmlNode* c = at[0]
    cdef list pieces = None
    cdef str first = None
    while c is not NULL and is_text(c):
        if c.content is not NULL and c.content[0]:
            if first is None:
                first = utf8(c.content)
            else:
                if pieces is None:
                    pieces = [first]
                pieces.append(utf8(c.content))
        c = c.next
    at[0] = c
    return "".join(pieces) if pieces is not None else first


cdef long _add_run(_Walk w, tree.xmlNode** at, list parts, long in_link) except -1:
    """Append the run of text nodes at *at (moved past it) to `parts` (and in structure mode to the
    pending pieces); the link characters it adds."""
    cdef str s = _run(at)
    cdef Frame* f
    if not s:
        return 0
    parts.append(s)
    if w.structured:
        f = &w.stack[w.top]
        w.add_piece(("glyphs", s) if f.norich else s, f)  # (a formula's rendered glyphs: kept apart)
    return len(s.strip()) if in_link else 0


cdef long _utf8_chars(const tree.xmlChar* s):
    """Characters (code points) of a UTF-8 string."""
    cdef long n = 0
    cdef const unsigned char* p = <const unsigned char*>s
    while p[0]:
        if (p[0] & 0xC0) != 0x80:
            n += 1
        p += 1
    return n


cdef long _visible_chars(_Walk w, tree.xmlNode* top, long limit) except -1:
    """Non-whitespace characters of the text under top outside skipped elements (scripts, styles,
    nested buttons...); counting stops once past `limit`."""
    cdef tree.xmlNode* c = top.children
    cdef const unsigned char* p
    cdef long n = 0
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE and w.infos[w.tag_info(c)].flags & F_SKIP:
            c = past(c, top)
            continue
        if is_text(c) and c.content is not NULL:
            p = <const unsigned char*>c.content
            while p[0]:
                if (p[0] & 0xC0) != 0x80 and p[0] != 32 and p[0] != 9 and p[0] != 10 and p[0] != 13:
                    n += 1
                p += 1
            if n > limit:
                return n
        c = next_in(c, top)
    return n


cdef bint _is_data_row(tree.xmlNode* tr, int max_chars):
    """segment._is_data_row over C nodes: two or more cells, no nested table, little text."""
    cdef tree.xmlNode* c = tr.children
    cdef long cells = 0, chars = 0
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE:
            if strcmp(<const char*>c.name, "td") == 0 or strcmp(<const char*>c.name, "th") == 0:
                cells += 1
            elif strcmp(<const char*>c.name, "table") == 0:
                return False
        elif is_text(c) and c.content is not NULL:
            chars += _utf8_chars(c.content)
        c = next_in(c, tr)
    return cells >= 2 and chars <= max_chars


def walk(_Element root, Tables t, bint structured=False, Meta meta=None):
    """Walk the tree under `root` in document order, one block per rendered line. Returns the columns
    (texts, link chars, tag ids, depths, hint bits, near hint bits, parent ids, grandparent ids, tag
    paths), the containers: (depth, first block, end block) of block-level elements holding blocks, the
    class/id tokens, and with `structured` the content model's raw record (nodes, inline contexts, and
    per block its pieces, node id and <br> end; segment.Structure), else None. With `meta`, the page's
    declared metadata is gathered into it on the way (skipped subtrees such as <head> included)."""
    cdef _Walk w = _Walk(t, structured)
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* node = top
    cdef tree.xmlNode* c
    cdef list parts = []
    cdef list containers = []
    cdef long link_parts = 0, in_link = 0, serial = 0, own, n_blocks = 0, first
    cdef int data_row = -1, flags, k, i
    cdef str cls, ident, style, role
    cdef tree.xmlAttr* a
    cdef const char* name
    cdef bint hidden
    cdef Frame* parent
    cdef Frame* f

    while True:
        # ---- start of `node`
        k = w.tag_info(node)
        flags, own = w.infos[k].flags, w.infos[k].own
        if flags & F_BUTTON and _visible_chars(w, node, t.max_button_chars) > t.max_button_chars:
            flags &= ~F_SKIP  # a button that swallowed the page (see segment.MAX_BUTTON_CHARS)
        if meta is not None and node is not top:
            if flags & F_SKIP:
                meta.visit_tree(node)
            else:
                meta.visit(node)
        if flags & F_SKIP:
            if w.structured and flags & (F_MATH | F_SCRIPT):
                _math_item(w, node, flags)
            f = w.push()
            memset(f, 0, sizeof(Frame))
            f.info, f.depth = k, -1
            f.tok_lo = f.tok_hi = (f - 1).tok_hi
            c = NULL
        else:
            if flags & F_HEADER_FOOTER:
                for i in range(1, w.top + 1):
                    if w.infos[w.stack[i].info].flags & F_SECTIONING:  # an article's own header or
                        own &= ~t.landmark  # footer is not page chrome
                        break
            cls = ident = role = style = None
            hidden = False
            a = node.properties
            while a is not NULL:  # one pass over the attributes: class, id, role, style, hidden
                if a.ns is NULL:
                    name = <const char*>a.name
                    if strcmp(name, "class") == 0:
                        if cls is None:
                            cls = attr_value(a)
                    elif strcmp(name, "id") == 0:
                        if ident is None:
                            ident = attr_value(a)
                    elif strcmp(name, "role") == 0:
                        if role is None:
                            role = attr_value(a)
                    elif strcmp(name, "style") == 0:
                        if style is None:
                            style = attr_value(a)
                    elif strcmp(name, "hidden") == 0:
                        hidden = True
                a = a.next
            if cls or ident:
                own |= t.hint_bits(f"{cls or ''} {ident or ''}")
            if role and role.strip().lower() in t.landmark_roles:
                own |= t.landmark
            if hidden or (style and "none" in style and "display:none" in style.replace(" ", "")):
                own |= t.invisible
            serial += 1
            f = w.push()
            parent = f - 1
            f.info, f.depth, f.serial = k, parent.depth + 1, serial
            f.bits, f.own, f.near1, f.near2 = parent.bits | own, own, own | parent.own, own | parent.near1
            f.tok_lo = f.tok_hi = parent.tok_hi
            if cls:
                w.add_tokens(f, cls)
            if ident:
                w.add_tokens(f, ident)
            if w.structured:
                _structure_start(w, node, f, parent, flags, k, cls)
            if data_row >= 0 and flags & F_BLOCK:
                parts.append(t.cell_mark if flags & F_CELL else " ")
                if w.structured:
                    w.rich.append(("cell", f.snode) if flags & F_CELL else " ")
                    if flags & F_PRE and f.snode != parent.snode:  # a <pre> in a row read as one block
                        w.rich.append(("pre", f.snode))
            elif flags & F_BLOCK:
                if parts:
                    n_blocks = w.emit(parts, link_parts, w.owner_at[w.n_owners - 1], flags & F_BR)
                    link_parts = 0
                w.own_text(n_blocks)
                if flags & F_TR and _is_data_row(node, t.max_row_chars):
                    data_row = w.top
            if flags & F_A:
                in_link += 1
            c = node.children
        # ---- the children of `node`, then its end, then its siblings (its tail) under its parent
        while True:
            while c is not NULL and c.type != tree.XML_ELEMENT_NODE:
                if is_text(c):  # a run of text nodes is one piece, as lxml's .text / .tail
                    link_parts += _add_run(w, &c, parts, in_link)
                else:
                    c = c.next
            if c is not NULL:
                node = c  # an element: start it (outer loop)
                break
            f = &w.stack[w.top]
            if f.depth >= 0:
                if w.infos[f.info].flags & F_A:
                    in_link -= 1
                if w.structured and data_row >= 0 and w.infos[f.info].flags & F_PRE \
                        and f.snode != w.stack[w.top - 1].snode:
                    w.rich.append(("/pre", f.snode))
                if w.owner_at[w.n_owners - 1] == w.top:
                    if parts:
                        n_blocks = w.emit(parts, link_parts, w.top)
                        link_parts = 0
                    w.n_owners -= 1
                    first = w.owner_first[w.n_owners]
                    if n_blocks > first:
                        containers.append((f.depth, first, n_blocks))
                    if data_row == w.top:
                        data_row = -1
            w.top -= 1
            if node is top:  # the root's tail (text only), then the last block
                c = node.next
                if c is not NULL and is_text(c):
                    link_parts += _add_run(w, &c, parts, in_link)
                if parts:
                    w.emit(parts, link_parts, w.owner_at[w.n_owners - 1])
                return (w.texts, w.link_chars, w.tags, w.depths, w.hints, w.near, w.parents,
                        w.grandparents, w.paths, containers, w.tokens(),
                        (w.node_tags, w.node_parents, w.node_attrs, w.ctxs, w.pieces, w.starts + [len(w.pieces)],
                         w.block_node, w.block_break) if structured else None)
            c = node.next
            node = node.parent


cdef int _structure_start(_Walk w, tree.xmlNode* node, Frame* f, Frame* parent, int flags, int k,
                          str cls) except -1:
    """Structure mode, at the start of a rendered element: its node (a structural element), its inline
    context (an inline one), its image, and what it inherits (node, context, <pre>, hidden glyphs)."""
    cdef str tag, lang
    cdef object attrs = None
    f.snode, f.ictx, f.pre, f.norich = parent.snode, parent.ictx, parent.pre, parent.norich
    if cls and ("katex-html" in cls or "MathJax" in cls):
        f.norich = 1  # the formula's rendered glyphs: its <math> or TeX script is read instead
    if f.pre:
        if flags & F_CODE and cls and parent.snode:  # <pre><code class="language-x">
            lang = w.t.lang_hint(cls)
            if lang and w.node_tags[parent.snode - 1] == "pre" and not w.node_attrs[parent.snode - 1]:
                w.node_attrs[parent.snode - 1] = lang
        return 0
    if flags & F_STRUCT:
        tag = w.names[k]
        if flags & F_PRE:
            attrs = w.t.lang_hint(cls) if cls else None
            if not attrs and node.parent is not NULL and node.parent.type == tree.XML_ELEMENT_NODE:
                attrs = w.t.lang_hint(attr(node.parent, "class") or "")  # Sphinx: div.highlight-python
                if not attrs and node.parent.parent is not NULL \
                        and node.parent.parent.type == tree.XML_ELEMENT_NODE:
                    attrs = w.t.lang_hint(attr(node.parent.parent, "class") or "")
            f.pre = 1
        elif flags & F_CELL:
            attrs = (attr(node, "colspan"), attr(node, "rowspan"))
        elif tag == "ol":
            attrs = attr(node, "start")
        elif tag == "table":
            attrs = attr(node, "role")
        w.node_tags.append(tag)
        w.node_parents.append(parent.snode)
        w.node_attrs.append(attrs)
        f.snode = len(w.node_tags)
    if flags & F_INLINE:
        w.ctxs.append((w.names[k], parent.ictx, attr(node, "href") if flags & F_A else None))
        f.ictx = len(w.ctxs)
    if flags & F_IMG and not (cls and "mwe-math-fallback" in cls):
        w.add_piece(("img", attr(node, "src"), attr(node, "data-src"), attr(node, "alt"),
                     attr(node, "width"), attr(node, "height")), f)
    return 0


cdef int _math_item(_Walk w, tree.xmlNode* node, int flags) except -1:
    """Structure mode: a formula as TeX: a <math>'s TeX annotation (KaTeX, MathJax, Wikipedia), else its
    text; a <script type="math/tex">'s text (MathJax 2)."""
    cdef tree.xmlNode* c
    cdef Frame* f = &w.stack[w.top]
    cdef str kind, tex = None
    cdef bint display
    if flags & F_SCRIPT:
        kind = attr(node, "type") or ""
        if not kind.startswith("math/tex"):
            return 0
        display = "display" in kind
        tex = subtree_text(node)
    else:
        display = (attr(node, "display") or "") == "block"
        c = node.children
        while c is not NULL:
            if c.type == tree.XML_ELEMENT_NODE and strcmp(<const char*>c.name, "annotation") == 0 \
                    and "tex" in (attr(c, "encoding") or ""):
                tex = subtree_text(c)
                break
            c = next_in(c, node)
        if tex is None:
            tex = subtree_text(node)
    tex = tex.strip()
    if tex:
        w.add_piece(("math", tex, display), f)
    return 0

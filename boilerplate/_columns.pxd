# cython: language_level=3
"""The walk's tables and the block columns it builds (_columns.pyx), shared with the walk (_walk.pyx)."""

from libc.stdint cimport int64_t, uint64_t, uintptr_t
from lxml.includes cimport tree

from boilerplate._hints cimport HintWords


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
    long tok_lo, tok_hi  # its class/id token hashes: Columns.toks[tok_lo:tok_hi] (its ancestors' before)
    tree.xmlNode* node  # the element (NULL: the root's pseudo-parent, a skipped subtree)


cdef class Tables:
    cdef frozenset skip, block, cells, sectioning, landmark_roles
    cdef dict tag_id, tag_bits
    cdef HintWords hints
    cdef long landmark, invisible
    cdef int path_len, max_row_chars, max_button_chars
    cdef str cell_mark, cell_sep
    cdef frozenset struct_tags, inline_tags
    cdef object lang_hint


cdef class Columns:
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
    cdef list owners  # per block: its element's address (only when asked for: walk's `owners`)

    cdef int add_token(self, Frame* f, uint64_t h) except -1
    cdef int add_tokens(self, Frame* f, str s) except -1
    cdef int tag_info(self, tree.xmlNode* node) except -1
    cdef int _grow(self) except -1
    cdef Frame* push(self) except NULL
    cdef int own_text(self, long first) except -1
    cdef int structure(self, bint emitted, long snode, bint at_break) except -1
    cdef int add_piece(self, object piece, Frame* f) except -1
    cdef tuple tokens(self)
    cdef int block_tokens(self, int at) except -1
    cdef long emit(self, list parts, long link_parts, long at, bint at_break=*)

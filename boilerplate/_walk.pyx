# cython: language_level=3
"""segment.py's DOM walk, compiled: reads libxml2's nodes through lxml's public C API (no libxml2 call,
so nothing links against libxml2) and emits the same block columns as the walk it replaced."""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.string cimport strcmp, strlen
from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Element, import_lxml__etree

import_lxml__etree()

cdef enum:
    F_SKIP = 1  # subtree never rendered
    F_BLOCK = 2  # starts a new line
    F_CELL = 4  # td / th
    F_TR = 8
    F_A = 16
    F_HEADER_FOOTER = 32


cdef class Tables:
    """What the walk needs to know of tags and hints, from segment.py (one instance there)."""

    cdef frozenset skip, block, cells, sectioning, landmark_roles
    cdef dict tag_id, tag_bits
    cdef object hint_bits
    cdef long landmark, invisible
    cdef int path_len, max_row_chars
    cdef str cell_mark, cell_sep

    def __init__(self, *, skip, block, cells, sectioning, landmark_roles, tag_id, tag_bits, hint_bits,
                 landmark, invisible, path_len, max_row_chars, cell_mark, cell_sep):
        self.skip, self.block, self.cells = frozenset(skip), frozenset(block), frozenset(cells)
        self.sectioning, self.landmark_roles = frozenset(sectioning), frozenset(landmark_roles)
        self.tag_id, self.tag_bits, self.hint_bits = dict(tag_id), dict(tag_bits), hint_bits
        self.landmark, self.invisible = landmark, invisible
        self.path_len, self.max_row_chars, self.cell_mark = path_len, max_row_chars, cell_mark
        self.cell_sep = cell_sep


cdef class _Columns:
    """The block columns being built (see segment.Blocks)."""

    cdef Tables t
    cdef list texts, link_chars, tags, depths, hints, near, parents, grandparents, paths

    def __init__(self, Tables t):
        self.t = t
        self.texts, self.link_chars, self.tags, self.depths, self.hints = [], [], [], [], []
        self.near, self.parents, self.grandparents, self.paths = [], [], [], []

    cdef long emit(self, list parts, long link_parts, list stack, long at):
        """The pending text pieces as one block of the element at stack index `at` (nothing if they are
        only whitespace); clears `parts`; returns the number of blocks."""
        cdef str block = "".join(parts)
        cdef tuple entry
        cdef long i, lo
        parts.clear()
        if self.t.cell_mark in block:
            block = self.t.cell_sep.join([cell for cell in (" ".join(piece.split())
                                                            for piece in block.split(self.t.cell_mark)) if cell])
        else:
            block = " ".join(block.split())
        if block:
            entry = stack[at]
            self.texts.append(block)
            self.link_chars.append(min(link_parts, len(block)))
            self.tags.append(self.t.tag_id.get(entry[0], 1))
            self.depths.append(min(<long>entry[2], 32767))
            self.hints.append(entry[1])
            self.near.append(entry[3][2])
            self.parents.append(stack[at - 1 if at >= 1 else 0][4])
            self.grandparents.append(stack[at - 2 if at >= 2 else 0][4])
            lo = at - self.t.path_len + 1
            self.paths.append("/".join([stack[i][0] for i in range(lo if lo > 1 else 1, at + 1)]))
        return len(self.texts)


cdef inline str _utf8(const tree.xmlChar* s):
    return PyUnicode_DecodeUTF8(<const char*>s, strlen(<const char*>s), NULL)


cdef str _value(tree.xmlAttr* a):
    """An attribute's value, as lxml's `get` gives it ("" for `<div hidden>`)."""
    cdef tree.xmlNode* c = a.children
    cdef list parts
    if c is NULL:
        return ""
    if c.next is NULL and c.type == tree.XML_TEXT_NODE:
        return _utf8(c.content)
    parts = []
    while c is not NULL:
        if c.type == tree.XML_TEXT_NODE and c.content is not NULL:
            parts.append(_utf8(c.content))
        c = c.next
    return "".join(parts)


cdef str _attr(tree.xmlNode* node, const char* name):
    """The value of the first attribute without namespace of that name, or None."""
    cdef tree.xmlAttr* a = node.properties
    while a is not NULL:
        if a.ns is NULL and strcmp(<const char*>a.name, name) == 0:
            return _value(a)
        a = a.next
    return None


cdef inline bint _is_text(tree.xmlNode* c):
    return c.type == tree.XML_TEXT_NODE or c.type == tree.XML_CDATA_SECTION_NODE


cdef str _run(tree.xmlNode** at):
    """The text of the run of text nodes starting at *at, which is moved past it."""
    cdef tree.xmlNode* c = at[0]
    cdef list pieces = None
    cdef str first = None
    while c is not NULL and _is_text(c):
        if c.content is not NULL and c.content[0]:
            if first is None:
                first = _utf8(c.content)
            else:
                if pieces is None:
                    pieces = [first]
                pieces.append(_utf8(c.content))
        c = c.next
    at[0] = c
    return "".join(pieces) if pieces is not None else first


cdef long _add_run(tree.xmlNode** at, list parts, long in_link):
    """Append the run of text nodes at *at (moved past it) to `parts`; the link characters it adds."""
    cdef str s = _run(at)
    if not s:
        return 0
    parts.append(s)
    return len(s.strip()) if in_link else 0


cdef inline tree.xmlNode* _next_in(tree.xmlNode* c, tree.xmlNode* top) noexcept nogil:
    """The node after c in document order within top's subtree (NULL past its end), entering an
    element's children."""
    if c.type == tree.XML_ELEMENT_NODE and c.children is not NULL:
        return c.children
    while c.next is NULL and c.parent is not NULL and c.parent is not top:
        c = c.parent
    return c.next


cdef long _utf8_chars(const tree.xmlChar* s):
    """Characters (code points) of a UTF-8 string."""
    cdef long n = 0
    cdef const unsigned char* p = <const unsigned char*>s
    while p[0]:
        if (p[0] & 0xC0) != 0x80:
            n += 1
        p += 1
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
        elif _is_text(c) and c.content is not NULL:
            chars += _utf8_chars(c.content)
        c = _next_in(c, tr)
    return cells >= 2 and chars <= max_chars


def walk(_Element root, Tables t):
    """Walk the tree under `root` in document order, one block per rendered line. Returns the columns
    (texts, link chars, tag ids, depths, hint bits, near hint bits, parent ids, grandparent ids, tag
    paths) and the containers: (depth, first block, end block) of block-level elements holding blocks."""
    cdef _Columns out = _Columns(t)
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* node = top
    cdef tree.xmlNode* c
    cdef dict info = {}  # name pointer → (tag, flags, own hint bits of the tag), for this document
    cdef list stack = [("root", 0, 0, (0, 0, 0), 0)]
    cdef list owners = [(0, 0)]
    cdef list parts = []
    cdef list containers = []
    cdef long link_parts = 0, in_link = 0, serial = 0, own, parent_bits, p0, p1, n_blocks = 0, first
    cdef int data_row = -1, flags, parent_depth, depth
    cdef str tag, cls, ident, style, role
    cdef tuple entry, levels
    cdef tree.xmlAttr* a
    cdef const char* name
    cdef bint hidden

    while True:
        # ---- start of `node`
        key = <size_t>node.name
        entry = info.get(key)
        if entry is None:
            tag = _utf8(node.name)
            flags = ((F_SKIP if tag in t.skip else 0) | (F_BLOCK if tag in t.block else 0)
                     | (F_CELL if tag in t.cells else 0) | (F_TR if tag == "tr" else 0)
                     | (F_A if tag == "a" else 0)
                     | (F_HEADER_FOOTER if tag == "header" or tag == "footer" else 0))
            entry = (tag, flags, t.tag_bits.get(tag, 0))
            info[key] = entry
        tag, flags, own = entry
        if flags & F_SKIP:
            stack.append((tag, 0, -1, (0, 0, 0), 0))
            c = NULL
        else:
            _, parent_bits, parent_depth, levels, _ = stack[-1]
            p0, p1 = levels[0], levels[1]
            if flags & F_HEADER_FOOTER:
                for e in stack:
                    if e[0] in t.sectioning:  # an article's own header or footer is not page chrome
                        own &= ~t.landmark
                        break
            cls = ident = role = style = None
            hidden = False
            a = node.properties
            while a is not NULL:  # one pass over the attributes: class, id, role, style, hidden
                if a.ns is NULL:
                    name = <const char*>a.name
                    if strcmp(name, "class") == 0:
                        if cls is None:
                            cls = _value(a)
                    elif strcmp(name, "id") == 0:
                        if ident is None:
                            ident = _value(a)
                    elif strcmp(name, "role") == 0:
                        if role is None:
                            role = _value(a)
                    elif strcmp(name, "style") == 0:
                        if style is None:
                            style = _value(a)
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
            stack.append((tag, parent_bits | own, parent_depth + 1, (own, own | p0, own | p1), serial))
            if data_row >= 0 and flags & F_BLOCK:
                parts.append(t.cell_mark if flags & F_CELL else " ")
            elif flags & F_BLOCK:
                if parts:
                    n_blocks = out.emit(parts, link_parts, stack, owners[-1][0])
                    link_parts = 0
                owners.append((len(stack) - 1, n_blocks))
                if flags & F_TR and _is_data_row(node, t.max_row_chars):
                    data_row = len(stack) - 1
            if flags & F_A:
                in_link += 1
            c = node.children
        # ---- the children of `node`, then its end, then its siblings (its tail) under its parent
        while True:
            while c is not NULL and c.type != tree.XML_ELEMENT_NODE:
                if _is_text(c):  # a run of text nodes is one piece, as lxml's .text / .tail
                    link_parts += _add_run(&c, parts, in_link)
                else:
                    c = c.next
            if c is not NULL:
                node = c  # an element: start it (outer loop)
                break
            tag, _, depth, _, _ = stack[-1]
            if depth >= 0:
                if tag == "a":
                    in_link -= 1
                if owners[-1][0] == len(stack) - 1:
                    if parts:
                        n_blocks = out.emit(parts, link_parts, stack, owners[-1][0])
                        link_parts = 0
                    _, first = owners.pop()
                    if n_blocks > first:
                        containers.append((depth, first, n_blocks))
                    if data_row == len(stack) - 1:
                        data_row = -1
            stack.pop()
            if node is top:  # the root's tail (text only), then the last block
                c = node.next
                if c is not NULL and _is_text(c):
                    link_parts += _add_run(&c, parts, in_link)
                if parts:
                    out.emit(parts, link_parts, stack, owners[-1][0])
                return (out.texts, out.link_chars, out.tags, out.depths, out.hints, out.near, out.parents,
                        out.grandparents, out.paths, containers)
            c = node.next
            node = node.parent


cdef str _subtree_text(tree.xmlNode* top):
    """All text under an element, in document order (lxml's "".join(el.itertext()))."""
    cdef tree.xmlNode* c = top.children
    cdef list pieces = []
    while c is not NULL:
        if _is_text(c) and c.content is not NULL:
            pieces.append(_utf8(c.content))
        c = _next_in(c, top)
    return "".join(pieces)


def page_titles(_Element root):
    """(the first <title>'s text, og:title else twitter:title content), whitespace-normalized, "" when
    absent: what `root.find(".//title")` and `.//meta[@property="og:title"]` etc. give."""
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* c = top.children
    cdef tree.xmlNode* title = NULL
    cdef tree.xmlNode* og = NULL
    cdef tree.xmlNode* tw = NULL
    cdef str value, meta = ""
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE:
            if title is NULL and strcmp(<const char*>c.name, "title") == 0:
                title = c
            elif strcmp(<const char*>c.name, "meta") == 0:
                if og is NULL and _attr(c, "property") == "og:title":
                    og = c
                if tw is NULL and _attr(c, "name") == "twitter:title":
                    tw = c
        c = _next_in(c, top)
    if og is not NULL:
        value = _attr(og, "content")
        if value and value.strip():
            meta = " ".join(value.split())
    if not meta and tw is not NULL:
        value = _attr(tw, "content")
        if value and value.strip():
            meta = " ".join(value.split())
    return (" ".join(_subtree_text(title).split()) if title is not NULL else "", meta)

# cython: language_level=3
"""segment.py's DOM walk, compiled: reads libxml2's nodes through lxml's public C API (no libxml2 call,
so nothing links against libxml2) in document order and hands each block to the columns (_columns.pyx)."""

from cpython.unicode cimport PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ
from libc.stdint cimport uintptr_t
from libc.string cimport memset, strcmp
from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Element, elementFactory, import_lxml__etree

from boilerplate._columns cimport (F_A, F_BLOCK, F_BR, F_BUTTON, F_CELL, F_CODE, F_HEADER_FOOTER, F_IMG, F_INLINE,
                                  F_MATH, F_PRE, F_SCRIPT, F_SECTIONING, F_SKIP, F_STRUCT, F_TR, Columns, Frame,
                                  Tables)
from boilerplate._head cimport Meta
from boilerplate._xml cimport attr, attr_value, is_text, next_in, past, subtree_text, utf8

from collections import namedtuple

import numpy as np

import_lxml__etree()

# what a walk gives: the block columns (segment.Blocks), the containers (depth, first block, end block) of
# block-level elements holding blocks, the class/id tokens, in structure mode the record, and when asked
# each block's element
Walked = namedtuple("Walked", ["texts", "link_chars", "tags", "depths", "hints", "near", "parents",
                               "grandparents", "paths", "containers", "tokens", "record", "owners"])
# the content model's raw record (segment.Structure's fields but its base)
Record = namedtuple("Record", ["tags", "parents", "attrs", "contexts", "pieces", "starts", "node", "breaks"])


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


cdef long _add_run(Columns w, tree.xmlNode** at, list parts, long in_link) except -1:
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


cdef long _visible_chars(Columns w, tree.xmlNode* top, long limit) except -1:
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


def walk(_Element root, Tables t, bint structured=False, Meta meta=None, bint owners=False):
    """Walk the tree under `root` in document order, one block per rendered line: a Walked, whose record
    (with `structured`, else None) holds the structural nodes, inline contexts, and per block its pieces,
    node id and <br> end. With `meta`, the page's declared metadata is gathered into it on the way
    (skipped subtrees such as <head> included). With `owners`, Walked.owners holds each block's element
    (for mark_owners), else None."""
    cdef Columns w = Columns(t, structured)
    if owners:
        w.owners = []
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
                own |= t.hints.match(f"{cls or ''} {ident or ''}")
            if role and role.strip().lower() in t.landmark_roles:
                own |= t.landmark
            if hidden or (style and "none" in style and "display:none" in style.replace(" ", "")):
                own |= t.invisible
            serial += 1
            f = w.push()
            parent = f - 1
            f.info, f.depth, f.serial, f.node = k, parent.depth + 1, serial, node
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
                return Walked(w.texts, w.link_chars, w.tags, w.depths, w.hints, w.near, w.parents,
                              w.grandparents, w.paths, containers, w.tokens(),
                              Record(w.node_tags, w.node_parents, w.node_attrs, w.ctxs, w.pieces,
                                     w.starts + [len(w.pieces)], w.block_node, w.block_break) if structured else None,
                              w.owners)
            c = node.next
            node = node.parent


cdef int _structure_start(Columns w, tree.xmlNode* node, Frame* f, Frame* parent, int flags, int k,
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


cdef int _math_item(Columns w, tree.xmlNode* node, int flags) except -1:
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


def mark_owners(_Element root, list owners, str attribute):
    """Set `attribute` on each block's element (Walked.owners of a walk of `root`, whose tree is unchanged
    since) to the block's index; an element owning several blocks gets their indexes, space-separated."""
    cdef Py_ssize_t i
    cdef uintptr_t at
    for i in range(len(owners)):
        at = owners[i]
        if not at:
            continue
        element = elementFactory(root._doc, <tree.xmlNode*>at)
        before = element.get(attribute)
        element.set(attribute, f"{before} {i}" if before else str(i))

# cython: language_level=3
"""Reading libxml2's nodes through lxml's public C API: text, attributes, document-order steps (the walk's
and the head reader's common helpers)."""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.string cimport strcmp, strlen
from lxml.includes cimport tree


cdef inline str utf8(const tree.xmlChar* s):
    """A libxml2 string (UTF-8) as str."""
    return PyUnicode_DecodeUTF8(<const char*>s, strlen(<const char*>s), NULL)


cdef inline str attr_value(tree.xmlAttr* a):
    """An attribute's value, as lxml's `get` gives it ("" for `<div hidden>`)."""
    cdef tree.xmlNode* c = a.children
    cdef list parts
    if c is NULL:
        return ""
    if c.next is NULL and c.type == tree.XML_TEXT_NODE:
        return utf8(c.content)
    parts = []
    while c is not NULL:
        if c.type == tree.XML_TEXT_NODE and c.content is not NULL:
            parts.append(utf8(c.content))
        c = c.next
    return "".join(parts)


cdef inline str attr(tree.xmlNode* node, const char* name):
    """The value of the first attribute without namespace of that name, or None."""
    cdef tree.xmlAttr* a = node.properties
    while a is not NULL:
        if a.ns is NULL and strcmp(<const char*>a.name, name) == 0:
            return attr_value(a)
        a = a.next
    return None


cdef inline bint is_text(tree.xmlNode* c):
    """Whether a node is text (CDATA included)."""
    return c.type == tree.XML_TEXT_NODE or c.type == tree.XML_CDATA_SECTION_NODE


cdef inline tree.xmlNode* past(tree.xmlNode* c, tree.xmlNode* top) noexcept nogil:
    """The node after c's subtree in document order within top's subtree (NULL past its end)."""
    while c.next is NULL and c.parent is not NULL and c.parent is not top:
        c = c.parent
    return c.next


cdef inline tree.xmlNode* next_in(tree.xmlNode* c, tree.xmlNode* top) noexcept nogil:
    """The node after c in document order within top's subtree (NULL past its end), entering an
    element's children."""
    if c.type == tree.XML_ELEMENT_NODE and c.children is not NULL:
        return c.children
    return past(c, top)


cdef inline str subtree_text(tree.xmlNode* top):
    """All text under an element, in document order (lxml's "".join(el.itertext()))."""
    cdef tree.xmlNode* c = top.children
    cdef list pieces = []
    while c is not NULL:
        if is_text(c) and c.content is not NULL:
            pieces.append(utf8(c.content))
        c = next_in(c, top)
    return "".join(pieces)

# cython: language_level=3
"""The head reader's Meta, as the walk fills it (_head.pyx)."""

from lxml.includes cimport tree


cdef class Meta:
    cdef list metas, scripts, times, props, links, author_links
    cdef long script_chars, max_script_chars

    cdef bint visit(self, tree.xmlNode* c) except -1
    cdef int visit_tree(self, tree.xmlNode* top) except -1
    cdef int prop(self, tree.xmlNode* c) except -1

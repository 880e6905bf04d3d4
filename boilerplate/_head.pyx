# cython: language_level=3
"""What the page declares about itself, compiled: its <base href>, its titles (<title>, og:title,
twitter:title) and the metadata the walk gathers element by element (Meta: <meta>, JSON-LD, <time>,
itemprop, <link>, the first link to an author's page), read through lxml's public C API."""

import re

from libc.string cimport strcmp, strstr
from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Element, import_lxml__etree

from boilerplate._xml cimport attr, attr_value, is_text, next_in, past, subtree_text, utf8

import_lxml__etree()


def base_href(_Element root):
    """The href of the first <base> element in the page's <head>, or None."""
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* c = top.children
    while c is not NULL and c.type != tree.XML_ELEMENT_NODE:
        c = c.next
    if c is NULL or strcmp(<const char*>c.name, "head") != 0:
        return None
    top = c
    c = top.children
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE and strcmp(<const char*>c.name, "base") == 0:
            href = attr(c, "href")
            if href:
                return href.strip()
        c = next_in(c, top)
    return None


cdef void _find_titles(tree.xmlNode* top, tree.xmlNode** found):
    """The first <title>, <meta property="og:title"> and <meta name="twitter:title"> under top, in
    document order (found[0], [1], [2]; NULL when absent)."""
    cdef tree.xmlNode* c = top.children
    found[0] = found[1] = found[2] = NULL
    while c is not NULL:
        if c.type == tree.XML_ELEMENT_NODE:
            if found[0] is NULL and strcmp(<const char*>c.name, "title") == 0:
                found[0] = c
            elif strcmp(<const char*>c.name, "meta") == 0:
                if found[1] is NULL and attr(c, "property") == "og:title":
                    found[1] = c
                if found[2] is NULL and attr(c, "name") == "twitter:title":
                    found[2] = c
        c = next_in(c, top)


cdef str _content(tree.xmlNode* meta):
    """A <meta>'s content, whitespace-normalized ("" when it has none)."""
    value = attr(meta, "content") if meta is not NULL else None
    return " ".join(value.split()) if value else ""


def page_titles(_Element root):
    """(the first <title>'s text, og:title else twitter:title content), whitespace-normalized, "" when
    absent: what `root.find(".//title")` and `.//meta[@property="og:title"]` etc. give. The <head>, when
    it is the root's first element, is searched first: the rest of the page only when it lacks them."""
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* head = top.children
    cdef tree.xmlNode* found[3]
    found[0] = found[1] = found[2] = NULL
    while head is not NULL and head.type != tree.XML_ELEMENT_NODE:
        head = head.next
    if head is not NULL and strcmp(<const char*>head.name, "head") == 0:
        _find_titles(head, found)
    meta = _content(found[1]) or _content(found[2])
    if found[0] is NULL or found[1] is NULL or not (meta or found[2] is not NULL):
        _find_titles(top, found)  # (what the <head> holds comes first in document order)
        meta = _content(found[1]) or _content(found[2])
    return (" ".join(subtree_text(found[0]).split()) if found[0] is not NULL else "", meta)


_AUTHOR_PATH = re.compile(r"/(?:author|authors|writers?|contributors?)/[^/?#]")  # an author's page
_MEMBER_PATH = re.compile(  # a forum member's profile on the same site (phpBB, vBulletin, Discourse, Lemmy, ...)
    r"^(?![a-z][\w+.-]*:|//)(?:(?:.*/)?(?:u|users?|members?|profiles?)/(?!(?:login|log-in|signin|sign-in|signup|"
    r"sign-up|register|logout|password|me|edit|account)\b)[^/?#]|(?:.*/)?memberlist\.php\?.*mode=viewprofile"
    r"|(?:.*/)?member\.php\?|/~[\w.-]+/?$)", re.I)


cdef bint _to_author(tree.xmlNode* a) except -1:
    """Whether a link leads to an author's page: rel=author, or an href with such a path (looked for in
    the attributes' bytes first: most links have neither)."""
    cdef tree.xmlAttr* at = a.properties
    cdef const char* value
    while at is not NULL:
        if at.ns is NULL and at.children is not NULL and at.children.content is not NULL:
            value = <const char*>at.children.content
            if strcmp(<const char*>at.name, "rel") == 0 and strstr(value, "author") is not NULL:
                return True
            if strcmp(<const char*>at.name, "href") == 0:
                if (strstr(value, "/author") is not NULL or strstr(value, "/writer") is not NULL
                        or strstr(value, "/contributor") is not NULL) and _AUTHOR_PATH.search(attr_value(at)):
                    return True
                if (strstr(value, "/u") is not NULL or strstr(value, "member") is not NULL
                        or strstr(value, "/profile") is not NULL or strstr(value, "/~") is not NULL) \
                        and _MEMBER_PATH.match(attr_value(at)):
                    return True
        at = at.next
    return False
META_PROPS = frozenset({"author", "creator", "name", "datepublished", "datecreated", "datemodified"})


cdef inline bint _has_itemprop(tree.xmlNode* c) noexcept:
    """Whether an element has an itemprop attribute (its names' first letters looked at first)."""
    cdef tree.xmlAttr* a = c.properties
    while a is not NULL:
        if a.name[0] == 105 and a.ns is NULL and strcmp(<const char*>a.name, "itemprop") == 0:  # 'i'
            return True
        a = a.next
    return False


cdef str _short_text(tree.xmlNode* top, long limit, bint apart=False):
    """The first `limit` characters or so of the text under an element, whitespace-normalized (the
    rest is not read: an itemprop="author" may hold a whole profile); `apart`: its text nodes one a
    line, each up to `limit` characters (metadata.element_name picks a name among them)."""
    cdef tree.xmlNode* c = top.children
    cdef list pieces = []
    cdef long n = 0
    cdef str piece
    while c is not NULL and n < limit:
        if is_text(c) and c.content is not NULL:
            piece = utf8(c.content)
            pieces.append(piece)
            n += len(piece)
        c = next_in(c, top)
    if apart:
        return "\n".join([p[:limit].replace("\n", " ").replace("\r", " ") for p in pieces])
    return " ".join("".join(pieces).split())[:limit]


cdef class Meta:
    """The page's metadata as declared, gathered element by element during the walk (walk's `meta`):
    metas: (name, property, itemprop, content) of each <meta> with content; scripts: the text of each
    <script type="application/ld+json"> (at most `max_script_chars` in all); times: (datetime, text) of
    each <time>; props: (itemprop, content attribute or text) of elements (a <time> too) with an itemprop
    of META_PROPS; links: (rel, href) of each <link>; lang: the root's lang attribute (`result`);
    author_links: the text of the first <a> to an author's page (rel=author, or a path /author/NAME)."""

    def __cinit__(self, long max_script_chars):
        self.metas, self.scripts, self.times, self.props, self.links = [], [], [], [], []
        self.author_links = []
        self.script_chars, self.max_script_chars = 0, max_script_chars

    cdef bint visit(self, tree.xmlNode* c) except -1:
        """Read one element; True when nothing below it is an element to read (a script)."""
        cdef const char* name = <const char*>c.name
        cdef str value, text
        if strcmp(name, "meta") == 0:
            value = attr(c, "content")
            if value:
                self.metas.append((attr(c, "name"), attr(c, "property"), attr(c, "itemprop"), value))
        elif strcmp(name, "script") == 0:
            value = attr(c, "type")
            if value and "ld+json" in value.lower() and self.script_chars < self.max_script_chars:
                text = subtree_text(c)[:self.max_script_chars - self.script_chars]
                self.script_chars += len(text)
                self.scripts.append(text)
            return True
        elif strcmp(name, "time") == 0:
            self.times.append((attr(c, "datetime"), _short_text(c, 200)))
            self.prop(c)  # (a <time itemprop="dateCreated">: microdata too)
        elif strcmp(name, "link") == 0:
            value = attr(c, "href")
            if value:
                self.links.append(((attr(c, "rel") or "").lower(), value))
        else:
            if strcmp(name, "a") == 0 and not self.author_links and _to_author(c):  # (the first one)
                self.author_links.append(_short_text(c, 80, True))
            self.prop(c)
        return False

    cdef int prop(self, tree.xmlNode* c) except -1:
        """Read an element's itemprop, if it is one of META_PROPS."""
        cdef str value
        if not _has_itemprop(c):
            return 0
        value = attr(c, "itemprop")
        if value and value.lower() in META_PROPS:
            self.props.append((value, attr(c, "content") or attr(c, "datetime")
                               or _short_text(c, 200, value.lower() in ("author", "creator"))))
        return 0

    cdef int visit_tree(self, tree.xmlNode* top) except -1:
        """Read an element and every element below it (a subtree the walk does not enter: <head>...)."""
        cdef tree.xmlNode* c
        if self.visit(top):
            return 0
        c = top.children
        while c is not NULL:
            if c.type == tree.XML_ELEMENT_NODE and self.visit(c):
                c = past(c, top)
                continue
            c = next_in(c, top)
        return 0

    def result(self, _Element root):
        """(metas, scripts, times, props, links, lang, author_links)."""
        return (self.metas, self.scripts, self.times, self.props, self.links, attr(root._c_node, "lang"),
                self.author_links)

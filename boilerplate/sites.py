"""Which site a page belongs to: the registrable domain of its URL, or a guess from its HTML; pages are
grouped by it (cross-validation by site, `run --site-repeats`)."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

_CANONICAL = re.compile(rb"""<link\b[^>]*\brel=["']?canonical\b[^>]*\bhref=["']?https?://([^/"'\s>:]+)"""
                        rb"""|<meta\b[^>]*\bproperty=["']?og:url["']?[^>]*\bcontent=["']?"""
                        rb"""https?://([^/"'\s>:]+)""",
                        re.I)
_LINK_HOST = re.compile(rb"""<a\b[^>]*\bhref=["']?https?://([^/"'\s>:?#]+)""", re.I)
_SECOND_LEVEL = frozenset({"com", "net", "org", "gov", "edu", "ac", "co", "or", "ne", "go"})
MIN_SITE_LINKS = 3  # a page's own site is guessed from its links only when it has this many to it


def site_domain(host: str) -> str:
    """The registrable part of a host name, roughly: the last two labels, three under a country code's
    generic second level ("news.sina.com.cn" → "sina.com.cn"); good enough to group pages by site."""
    labels = host.lower().rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def url_site(url: str | None) -> str | None:
    """The registrable domain of a URL's host; None without a URL, a host, or with a malformed URL."""
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:  # (such as an unclosed IPv6 bracket)
        return None
    return site_domain(host) if host else None


def guess_site(html: bytes) -> str | None:
    """A page's site when its corpus does not say: its canonical or og:url host, else the domain most of
    its absolute links point to (a page links to its own site's sections more than to any other)."""
    head = _CANONICAL.search(html)
    if head:
        return site_domain((head.group(1) or head.group(2)).decode("ascii", "replace"))
    counts = Counter(site_domain(h.decode("ascii", "replace")) for h in _LINK_HOST.findall(html))
    if counts:
        domain, n = counts.most_common(1)[0]
        if n >= MIN_SITE_LINKS:
            return domain
    return None

"""Keep rules: which blocks of a page are content, from the model's scores (its threshold, the page's own,
a fallback), and the blocks then dropped as repeats, comment threads or what a site repeats."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import compress

import numpy as np

from .features import FEATURE_NAMES, row_tokens
from .metrics import tokens
from .title import Title

FALLBACK_SCORE = 0.25  # a page none of whose blocks reaches the threshold keeps its best block if it
# scores at least this: an article whose only paragraph scored 0.45 loses less than with nothing kept
LONE_MAX_LINKS = 0.5  # a page of one block keeps it unless this share of its text is links: with nothing
# around it the scores say little (docs/experiments.md)
CLEAN_TEXT_SHARE = 0.9  # a text dump whose kept lines hold this share of its tokens is clean text already
# and kept whole, so that an extraction extracted again comes back unchanged (docs/experiments.md)
CHROME_SCORE = 0.1  # ... and so is one whose lines scored below this (surely chrome: menus, footers)
CHROME_MAX_SHARE = 0.02  # hold under this share of its tokens (an extraction of a listing page has none)
F_BETA = 0.7  # a page's own threshold maximizes its expected F-beta of kept tokens; under 1 weighs
# precision more (at 1, news pages gained doubtful comment threads and menus; docs/experiments.md)
REPEAT_MIN_CHARS = 20  # a kept block this long that repeats an earlier kept one word for word is dropped:
# a page's second copy (print or mobile versions, a notice rendered twice); docs/experiments.md
THREAD_MIN_TOKENS = 100  # kept tokens before a comment heading for the blocks from it on to be dropped
COMMENT_HEADING = re.compile(  # a line that opens a comment section: "12 Comments", "Komentarze (15)"
    r"^\W*(?:(?:\d+\s+)?(?:comments?|replies|reader comments|trackbacks?|leave a (?:comment|reply)|"
    r"post a comment|комментарии|komentarze|σχόλια(?: αναγνωστών)?|评论|留言|評論|网友评论|網友回應)"
    r"(?:\s+to\s+.{1,60})?|\d+\s+responses?(?:\s+to\s+.{1,60})?|responses?\s+to\s+.{1,60})"
    r"\W*(?:\(?\d+\)?)?\W*$", re.IGNORECASE)  # ("Responses" alone heads an API's documentation)
HEADING_MAX_CHARS = 80
MAX_HEADINGS = 4  # more such lines are a listing's per-item counts ("5 comments"), not a thread's heading
SITE_REPEAT_PAGES = 2  # a kept block whose text is also on this many other pages of its site is chrome
_LINK_DENSITY = FEATURE_NAMES.index("link_density")
_HINT_COMMENT = FEATURE_NAMES.index("hint_comment")


def keep_blocks(scores: np.ndarray, cap: float, threshold: float | None = None, first: np.ndarray | None = None,
                X: np.ndarray | None = None) -> np.ndarray:
    """Which blocks of one page are content, from their scores: those at or above the threshold (`cap`,
    the model's, unless given); with no threshold given and the page's feature rows `X`, also those at or
    above the page's own (`page_threshold`; in HTML, outside comment sections). When none is kept,
    the best-scored block if it reaches FALLBACK_SCORE in the final or the `first`-stage scores (the
    context stage marks down every block of a page where nothing stands out, such as a page of one
    short paragraph), or if it is the page's only block and not mostly links (a snippet). A text
    dump (`X` given) is kept whole when its kept lines hold CLEAN_TEXT_SHARE of its tokens, or when
    its lines scored under CHROME_SCORE hold under CHROME_MAX_SHARE of them."""
    text = X is not None and len(X) > 0 and bool(text_rows(X).all())
    n = row_tokens(X) if X is not None and len(X) else None  # (so `text` implies both X and n)
    keep = scores >= (cap if threshold is None else threshold)
    if threshold is None and n is not None:
        own = scores >= page_threshold(scores, n, cap=cap)
        keep |= own if text or X is None else own & (X[:, _HINT_COMMENT] <= 0)
    if len(scores) and not keep.any():
        best = int(np.argmax(scores))
        if scores[best] >= FALLBACK_SCORE or (first is not None and first[best] >= FALLBACK_SCORE) \
                or (len(scores) == 1 and X is not None and not X[0, _LINK_DENSITY] > LONE_MAX_LINKS):
            keep[best] = True
    if text and n is not None and keep.any():
        total = n.sum()
        if n[keep].sum() >= CLEAN_TEXT_SHARE * total or n[scores < CHROME_SCORE].sum() < CHROME_MAX_SHARE * total:
            keep[:] = True
    return keep


def page_threshold(scores: np.ndarray, weights: np.ndarray, cap: float) -> float:
    """The score threshold that maximizes a page's expected F-beta (F_BETA) of kept tokens, each block
    being content with the probability its score gives, clipped to [FALLBACK_SCORE, cap]: a page whose
    items the model doubts alike (a listing, a card grid) keeps more of them than at the cap."""
    order = np.argsort(-scores, kind="stable")
    expected = scores[order] * weights[order]
    total = float(expected.sum())
    if total <= 0:
        return cap
    b2 = F_BETA * F_BETA
    f = (1 + b2) * np.cumsum(expected) / (np.cumsum(weights[order]) + b2 * total)
    return min(max(float(scores[order][int(np.argmax(f))]), FALLBACK_SCORE), cap)


def text_rows(X: np.ndarray) -> np.ndarray:
    """Which feature rows come from text dumps: theirs is the only link_density that is missing."""
    return np.isnan(X[:, _LINK_DENSITY])


def drop_repeats(texts: list[str], keep: np.ndarray, title: Title | None = None) -> np.ndarray:
    """`keep` without the kept blocks of REPEAT_MIN_CHARS or more whose text an earlier kept block has,
    or the `title` (which the text puts first)."""
    seen = {title.text} if title else set()
    repeats = []
    for i in np.flatnonzero(keep).tolist():
        text = texts[i]
        if title and i == title.block:
            continue
        if len(text) >= REPEAT_MIN_CHARS:
            if text in seen:
                repeats.append(i)
            seen.add(text)
    if not repeats:
        return keep
    keep = keep.copy()
    keep[repeats] = False
    return keep


def site_repeats(texts: Sequence[Sequence[str]], sites: Sequence[str | None],
                 min_pages: int = SITE_REPEAT_PAGES) -> list[np.ndarray | None]:
    """For each page (its blocks' `texts`), which blocks' text (case and spacing aside) is also on
    `min_pages` or more other pages of its site (`sites`: one key per page, None for unknown); None for
    a page with too few pages of its site: the menus, footers and boxes a site repeats on every page."""
    if len(texts) != len(sites):
        raise ValueError(f"{len(texts)} pages and {len(sites)} sites: give one site (or None) per page")
    members: defaultdict[str, list[int]] = defaultdict(list)
    for i, site in enumerate(sites):
        if site is not None:
            members[site].append(i)
    out: list[np.ndarray | None] = [None] * len(texts)
    for pages in members.values():
        if len(pages) <= min_pages:
            continue
        normal = {i: [" ".join(t.split()).casefold() for t in texts[i]] for i in pages}
        seen = Counter(t for i in pages for t in set(normal[i]))
        for i in pages:
            out[i] = np.fromiter((seen[t] > min_pages for t in normal[i]), dtype=bool, count=len(normal[i]))
    return out


def drop_comment_thread(texts: list[str], scores: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """`keep` without the blocks from a comment-section heading on, when the best-scored block and
    THREAD_MIN_TOKENS kept tokens come before it: readers' comments are not the page's content, and a
    text dump has no markup to tell them from the article's paragraphs."""
    if not keep.any():
        return keep
    heads = [i for i, text in enumerate(texts)
             if len(text) <= HEADING_MAX_CHARS and COMMENT_HEADING.match(text)]
    if len(heads) > MAX_HEADINGS:
        return keep
    best = int(np.argmax(scores))
    for i in heads:
        if i > best and keep[i:].any() \
                and _holds_tokens(compress(texts[:i], keep[:i].tolist()), THREAD_MIN_TOKENS):
            keep = keep.copy()
            keep[i:] = False
            return keep
    return keep


def _holds_tokens(texts: Iterable[str], n: int) -> bool:
    """Whether `texts` hold n tokens or more (counted until they do)."""
    for text in texts:
        n -= len(tokens(text))
        if n <= 0:
            return True
    return False



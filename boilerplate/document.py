"""Classified blocks → what users get: `Line`s with roles, a `Document`, and its text, JSON, Markdown or HTML.

The model decides content vs chrome; roles refine content by the block's tag and class hints: the
headline (see title.py) is `title`, content headings `subhead`, figure captions `caption`, short lines in
author/date containers `byline`, the rest `body`; everything else is `chrome`. How the kept lines are
written beyond plain text (lists, code, tables, links) is the content model's (content.py, render.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from typing import Any, Literal, NamedTuple

import numpy as np

from . import render
from .builder import build_content
from .comments import Comment, read_comments
from .content import Block
from .keep import COMMENT_HEADING, drop_comment_thread, drop_repeats
from .language import language_of
from .metadata import PUBLISHED_ON, WRITTEN_BY, Metadata, read_metadata
from .segment import HINTS, TAGS, Blocks, Structure
from .title import Title, find_title

Role = Literal["title", "subhead", "body", "caption", "byline", "chrome"]
Format = Literal["text", "markdown", "html", "json"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "html", "json")
CAPTION_TAGS = frozenset({"figcaption", "caption"})
BYLINE_MAX_CHARS = 120  # a longer line in an author/date container is a paragraph
NEARBY_LINES = 15  # lines either side of the first content line searched for a date the page declares nowhere
NEARBY_MAX_CHARS = 120  # (longer lines are paragraphs, whose dates are about other things)
LABELLED_NAME_WORDS = 6  # a line after "Written by" is read as the author's name up to this many words
AROUND_LINES = 60  # lines either side of it searched for an author the page declares nowhere
_CAPTION = 1 << HINTS.index("caption")
_H1, _H6 = TAGS.index("h1"), TAGS.index("h6")
_IS_CAPTION_TAG = np.zeros(len(TAGS), dtype=bool)
_IS_CAPTION_TAG[[TAGS.index(t) for t in CAPTION_TAGS]] = True
_ROLE_NAMES: tuple[Role, ...] = ("chrome", "subhead", "caption", "byline", "body")
_META = 1 << HINTS.index("meta")
_NOT_BYLINE_ROLES = frozenset({"caption", "subhead", "title"})  # ("Photo by ...", "Apps by Technology")
_new_line = tuple.__new__


class Line(NamedTuple):
    """One block of the page: its text, whether it is kept as content (the model's decision, less
    repeats of kept text, a comment thread after its heading and, given sites, what its site repeats),
    the model's probability of content, its line (text dump) or block (HTML) number, its role and the
    HTML tag that holds it."""

    text: str
    is_content: bool
    score: float
    line_no: int
    role: Role = "body"
    tag: str = "text"


@dataclass(frozen=True)
class Document:
    """A classified page: `title` (None when none was found), every `Line`, the codec its bytes were
    decoded with (None for text input), `error` when the page could not be read (parse_many), the page's
    `url` (for relative links), the walk's record of its structure (None: lines are written flat) and
    its `metadata` (authors, dates, site...; None when parsed without structure, or a text dump), and the
    readers' `comments` its content decision dropped after a comment heading."""

    title: str | None
    lines: list[Line] = field(default_factory=list)
    encoding: str | None = None
    error: str | None = None
    url: str | None = None
    structure: Structure | None = field(default=None, repr=False, compare=False)
    metadata: Metadata | None = None
    comments: list[Comment] = field(default_factory=list)

    @property
    def body(self) -> str:
        """The content lines, without the title, joined by newlines."""
        return "\n".join(line.text for line in self.lines if line.is_content and line.role != "title")

    @property
    def text(self) -> str:
        """The title, then the content lines, joined by newlines. A page whose only content is its
        headline (a short notice, a post of one line) gives the headline; "" when neither is there."""
        body = self.body
        if body:
            return f"{self.title}\n{body}" if self.title else body
        return self.title if self.title and any(line.role == "title" for line in self.lines) else ""

    @cached_property
    def language(self) -> str | None:
        """The language of the text (language.py, detected when first asked; None for an empty text),
        beside what the page declares (`metadata.language_declared`)."""
        return language_of(self.text)

    def content(self, *, links: bool = False, images: bool = False) -> list[Block]:
        """The kept content, title aside, as content blocks (content.py): headings, paragraphs, lists,
        code, tables, quotes, figures, formulas; `links` keeps links (resolved against `url` and the
        page's <base>), `images` keeps images. Without a structure record, from the lines' tags alone."""
        return build_content(self.lines, self.structure, url=self.url, links=links, images=images)

    def to_dict(self, *, all_lines: bool = False, include_title: bool = True, links: bool = False,
                images: bool = False) -> dict[str, Any]:
        """A JSON-ready dict: title, text (`body` without `include_title`), encoding, the content lines
        (`all_lines`: every line) and the content as typed `blocks` (render.json_blocks)."""
        lines = [line for line in self.lines if all_lines or line.is_content or line.role == "title"]
        out: dict[str, Any] = {"title": self.title, "text": self.text if include_title else self.body,
                               "encoding": self.encoding,
                               "lines": [{"line": ln.line_no, "role": ln.role, "tag": ln.tag,
                                          "score": round(ln.score, 4), "content": ln.is_content,
                                          "text": ln.text} for ln in lines],
                               "blocks": render.json_blocks(self.content(links=links, images=images))
                               if self.body else []}
        if self.metadata is not None:
            out["metadata"] = {**self.metadata.to_dict(), "language_detected": self.language}
        out["comments"] = [c.to_dict() for c in self.comments]
        if self.url is not None:
            out["url"] = self.url
        if self.error is not None:
            out["error"] = self.error
        return out

    def to_json(self, *, all_lines: bool = False, include_title: bool = True, links: bool = False,
                images: bool = False) -> str:
        """`to_dict` as one line of JSON (UTF-8 text, not ASCII escapes)."""
        return json.dumps(self.to_dict(all_lines=all_lines, include_title=include_title, links=links,
                                       images=images), ensure_ascii=False)

    def render(self, format: Format = "text", *, include_title: bool = True, links: bool = False,
               images: bool = False, comments: bool = False) -> str:
        """The page written out: "text" (`text`, or `body` without `include_title`), "markdown", "html"
        or "json" (`to_json`, which always holds the comments); `links` and `images` keep them where the
        format can; `comments` adds the readers' comments after the content."""
        if format == "text":
            text = self.text if include_title else self.body
            if comments and self.comments:
                text += "\n\n" + "\n\n".join(map(render.comment_text, self.comments))
            return text
        if format == "markdown":
            return self.to_markdown(include_title=include_title, links=links, images=images, comments=comments)
        if format == "html":
            return self.to_html(include_title=include_title, links=links, images=images, comments=comments)
        check_format(format)
        return self.to_json(include_title=include_title, links=links, images=images)

    def to_markdown(self, *, include_title: bool = True, links: bool = False, images: bool = False,
                    comments: bool = False, front_matter: bool = False) -> str:
        """GitHub-flavoured Markdown: the title as a level-1 heading (unless not `include_title`), then the
        content (headings, lists, fenced code, pipe tables, quotes, figures, $TeX$), text that would read
        as markup escaped; "" when `text` is empty. `links`, `images`: as for `content`; `comments`:
        a "Comments" section after the content, a quote per comment; `front_matter`: a YAML block first
        (title, url and the metadata's authors, dates, site name, canonical URL, language)."""
        if not self.text:
            return ""
        body = render.markdown(self.content(links=links, images=images)) if self.body else ""
        title = f"# {render.inline_markdown([self.title])}" if self.title and include_title else ""
        thread = render.comments_markdown(self.comments) if comments else ""
        head = render.front_matter(self._front_matter()) if front_matter else ""
        return head + "\n\n".join(filter(None, (title, body, thread))) + "\n"

    def _front_matter(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"title": self.title, "url": self.url}
        if self.metadata is not None:
            m = self.metadata
            fields.update(authors=m.authors or None, date_published=m.date_published, date_modified=m.date_modified,
                          site_name=m.site_name, canonical_url=m.canonical_url, language_declared=m.language_declared,
                          language_detected=self.language)
        return fields

    def to_html(self, *, include_title: bool = True, links: bool = False, images: bool = False,
                comments: bool = False) -> str:
        """A clean HTML document of the content: semantic elements only, no scripts, styles or attributes
        but href, src and alt; the title as <h1> (unless not `include_title`); `links`, `images`: as for
        `content`; `comments`: a section of them after the content. A page with no content gives an empty
        <article>."""
        blocks = self.content(links=links, images=images) if self.body else []
        thread = self.comments if comments and self.body else []
        return render.html_document(self.title if include_title else None, blocks, thread)


def check_format(format: str) -> None:
    """ValueError unless `format` is one of FORMATS."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")


def build_document(blocks: Blocks, scores: np.ndarray, keep: np.ndarray, encoding: str | None = None,
                   title: Title | None | Literal[False] = False, repeated: np.ndarray | None = None,
                   url: str | None = None) -> Document:
    """The Document of one classified page: roles for its lines and its title (`title`: the page's
    `find_title` result when the caller has it already). Blocks `repeated` on other pages of the site
    (`site_repeats`) are dropped last, unless nothing else is kept. `url`: the page's, for its links."""
    if title is False:
        title = find_title(blocks)
    kept = drop_repeats(blocks.texts, keep, title)
    keep = drop_comment_thread(blocks.texts, scores, kept)
    thread = np.flatnonzero(kept & ~keep).tolist()
    if repeated is not None and (keep & ~repeated).any():
        keep = keep & ~repeated
    roles = _roles(blocks, keep, title.block if title else None)
    tags = [TAGS[t] for t in blocks.tag.tolist()]
    # (tuple.__new__ on zipped columns: a NamedTuple's own __new__ is Python code, called per block)
    lines = list(map(_new_line, repeat(Line), zip(blocks.texts, keep.tolist(), scores.tolist(),
                                                 blocks.line_no.tolist(), roles, tags)))
    metadata = page_metadata(blocks, lines, url, title.block if title else None)
    return Document(title.text if title else None, lines, encoding, url=url, structure=blocks.structure,
                    metadata=metadata, comments=read_comments([blocks.texts[i] for i in thread
                                                               if not COMMENT_HEADING.match(blocks.texts[i])]))


def page_metadata(blocks: Blocks, lines: Sequence[Line], url: str | None = None,
                  headline: int | None = None) -> Metadata | None:
    """The page's metadata (metadata.py) from what it declares (`blocks.declared`; None without it), its
    byline lines, its URL and the short lines around its headline's block (`headline`; else the line of
    role title) and its first content line."""
    if blocks.declared is None:
        return None
    first = next((i for i, ln in enumerate(lines) if ln.is_content), 0)
    head = headline if headline is not None else next((i for i, ln in enumerate(lines) if ln.role == "title"),
                                                       first)

    def nearby() -> list[str]:
        spans = sorted({range(max(0, head - NEARBY_LINES), head + NEARBY_LINES),
                        range(max(0, first - NEARBY_LINES), first + NEARBY_LINES)}, key=lambda r: r.start)
        seen = dict.fromkeys(i for r in spans for i in r if i < len(lines))
        return [lines[i].text for i in seen if len(lines[i].text) <= NEARBY_MAX_CHARS]

    def around() -> list[tuple[str, bool]]:
        hinted = (blocks.near_hints & _META) != 0
        near = sorted((i for i in range(max(0, first - AROUND_LINES), min(len(lines), first + AROUND_LINES))
                       if len(lines[i].text) <= NEARBY_MAX_CHARS and lines[i].role not in _NOT_BYLINE_ROLES),
                      key=lambda i: abs(i - first))
        return [("By " + lines[i + 1].text if _label_before_name(lines, i) else lines[i].text, bool(hinted[i]))
                for i in near]

    def published() -> list[str]:
        return [ln.text for ln in lines if len(ln.text) <= NEARBY_MAX_CHARS and PUBLISHED_ON.match(ln.text)]

    return read_metadata(blocks.declared, url, [ln.text for ln in lines if ln.role == "byline"], published,
                         nearby, around)


def _label_before_name(lines: Sequence[Line], i: int) -> bool:
    """Whether line i is "Written by" (or the like) alone, with a short line after it: the author's name."""
    return (WRITTEN_BY.match(lines[i].text) is not None and i + 1 < len(lines)
            and len(lines[i + 1].text.split()) <= LABELLED_NAME_WORDS and not WRITTEN_BY.match(lines[i + 1].text))


def _roles(blocks: Blocks, keep: np.ndarray, title_block: int | None) -> list[Role]:
    """Each block's role, from the model's decision, its tag and the hints of its nearest containers."""
    tag = blocks.tag
    near = blocks.near_hints
    role = np.full(len(blocks), 4, dtype=np.int8)  # body, unless (later assignments win): byline
    role[[i for i in np.flatnonzero(near & _META).tolist() if len(blocks.texts[i]) <= BYLINE_MAX_CHARS]] = 3
    role[_IS_CAPTION_TAG[tag] | ((near & _CAPTION) != 0)] = 2  # caption
    role[(tag >= _H1) & (tag <= _H6)] = 1  # subhead
    role[~keep] = 0  # chrome
    names = [_ROLE_NAMES[r] for r in role.tolist()]
    if title_block is not None:
        names[title_block] = "title"
    return names

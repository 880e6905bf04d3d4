"""Readers' comments and forum replies as their own stream: the lines the content decision drops after a
comment-section heading (document.drop_comment_thread), cut into comments at their header lines (a short
line holding a date, such as "seagull77 · 5 March 2024"), with the author and date those give."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .dates import DATE_PATTERNS, parse_date
from .metadata import clean_authors

HEADER_MAX_CHARS = 120  # a longer line holding a date is a comment's text, not its header
_JOINERS = re.compile(r"(?:\b(?:says|said|wrote|on|at|replied|posted)\b|[|·•:,@-])\s*$", re.I)


@dataclass
class Comment:
    """One comment: its text (lines joined by newlines), and its author and date (ISO 8601) when its header
    line gives them."""

    text: str
    author: str | None = None
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the comment."""
        return {"author": self.author, "date": self.date, "text": self.text}


def read_comments(lines: Sequence[str]) -> list[Comment]:
    """The comments of a thread's lines, in order: a header line (short, with a date) starts a comment and
    names its author (the words before the date); without any header, each line is a comment."""
    headers = [i for i, line in enumerate(lines) if len(line) <= HEADER_MAX_CHARS and parse_date(line)]
    if not headers:
        return [Comment(line) for line in lines]
    out: list[Comment] = []
    if headers[0] > 0:
        out.append(Comment("\n".join(lines[:headers[0]])))
    for k, h in enumerate(headers):
        body = lines[h + 1:headers[k + 1] if k + 1 < len(headers) else len(lines)]
        head = lines[h]
        author = _author(head)
        rest = _after_date(head)
        text = "\n".join(([rest] if rest else []) + list(body))
        out.append(Comment(text, author, parse_date(head)))
    return [c for c in out if c.text or c.author]


def _date_span(line: str) -> tuple[int, int] | None:
    found = [m.span() for pattern, _ in DATE_PATTERNS for m in [pattern.search(line)] if m]
    return min(found) if found else None


def _author(line: str) -> str | None:
    span = _date_span(line)
    before = line[:span[0]] if span else ""
    before = before.strip()
    while _JOINERS.search(before):  # ("seagull77 says:", "by Ann on")
        before = _JOINERS.sub("", before).strip()
    names = clean_authors([before]) if before and len(before) <= 60 else []
    return names[0] if names else None


def _after_date(line: str) -> str:
    """What a header line holds after its date (a short reply on the header's own line)."""
    span = _date_span(line)
    rest = line[span[1]:].strip(" |·•,:-") if span else ""
    return rest if len(rest) > 20 else ""

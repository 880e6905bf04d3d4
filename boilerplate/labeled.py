"""The `labeled/` format: one page file (`NAME.txt` or `NAME.html`) plus `NAME.tsv` with a role per block.

The TSV has a header `line<TAB>role<TAB>text` and one row per block of the page as `segment` cuts it:
the block's 1-based line number (text dumps) or block number (HTML), its role, and its text with runs of
whitespace collapsed to one space (checked against the page, so labels can never drift from the text).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .decode import decode_text
from .errors import InputError, LabelError
from .files import PAGE_SUFFIXES, page_kind, read_page
from .segment import Blocks, segment

ROLES = ("title", "subhead", "body", "caption", "byline", "chrome")
CONTENT_ROLES = frozenset({"title", "subhead", "body", "caption"})
HEADER = ("line", "role", "text")


@dataclass
class Article:
    """A labeled page: its blocks and one role per block."""

    name: str
    blocks: Blocks
    roles: list[str]

    @property
    def labels(self) -> np.ndarray:
        """True for content blocks (title, subhead, body, caption)."""
        return np.fromiter((r in CONTENT_ROLES for r in self.roles), dtype=bool, count=len(self.roles))

    @property
    def content_text(self) -> str:
        """The gold content: the content blocks' texts joined by newlines."""
        return "\n".join(t for t, keep in zip(self.blocks.texts, self.labels) if keep)


def normalize(text: str) -> str:
    """Collapse whitespace runs to one space and strip: the form texts take in a label file."""
    return " ".join(text.split())


def page_path(tsv: Path) -> Path:
    """The page file that a label file describes; exactly one must exist beside it."""
    found = [tsv.with_suffix(s + gz) for s in PAGE_SUFFIXES for gz in ("", ".gz")
             if tsv.with_suffix(s + gz).is_file()]
    if not found:
        raise LabelError(f"{tsv}: no page file beside it (expected {tsv.stem}.html, .htm, .xhtml or .txt, "
                         "each also gzipped)")
    if len(found) > 1:
        raise LabelError(f"{tsv}: ambiguous, several page files: {', '.join(p.name for p in found)}")
    return found[0]


def read_blocks(path: Path) -> Blocks:
    """Decode and segment a page file, as text or HTML according to its suffix."""
    try:
        return segment(decode_text(read_page(path)), kind=page_kind(path) or "auto")  # type: ignore[arg-type]
    except InputError as e:
        raise LabelError(f"cannot read page: {e}" if str(e).startswith(str(path)) else f"{path}: {e}") from None


def load_article(tsv: str | Path) -> Article:
    """Load and validate one label file and its page; LabelError names the file and line of any problem."""
    tsv = Path(tsv)
    blocks = read_blocks(page_path(tsv))
    by_line = {int(n): i for i, n in enumerate(blocks.line_no)}
    roles: list[str | None] = [None] * len(blocks)
    try:
        with tsv.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    except (OSError, UnicodeDecodeError) as e:
        raise LabelError(f"{tsv}: cannot read: {e}") from None
    if not rows or tuple(rows[0]) != HEADER:
        raise LabelError(f"{tsv}:1: the header must be {'<TAB>'.join(HEADER)!r}")
    for lineno, row in enumerate(rows[1:], 2):
        if not row:
            continue
        where = f"{tsv}:{lineno}"
        if len(row) != 3:
            raise LabelError(f"{where}: expected 3 tab-separated fields (line, role, text), got {len(row)}")
        num, role, text = row
        if not num.isdigit():
            raise LabelError(f"{where}: line number {num!r} is not a positive integer")
        if role not in ROLES:
            raise LabelError(f"{where}: unknown role {role!r}; roles are {', '.join(ROLES)}")
        i = by_line.get(int(num))
        if i is None:
            raise LabelError(f"{where}: the page has no non-blank line/block {num}")
        if roles[i] is not None:
            raise LabelError(f"{where}: line {num} is labeled twice")
        if normalize(text) != normalize(blocks.texts[i]):
            raise LabelError(f"{where}: text does not match line {num} of the page: "
                             f"label has {text[:40]!r}, page has {normalize(blocks.texts[i])[:40]!r}")
        roles[i] = role
    missing = [int(blocks.line_no[i]) for i, r in enumerate(roles) if r is None]
    if missing:
        raise LabelError(f"{tsv}: {len(missing)} line(s) of the page have no label, first: line {missing[0]}")
    article = Article(name=tsv.stem, blocks=blocks, roles=[r for r in roles if r is not None])
    if not article.labels.any():
        raise LabelError(f"{tsv}: no content line (title, subhead, body or caption); nothing to learn from")
    return article


def load_labeled(directory: str | Path) -> list[Article]:
    """All labeled articles in a directory (every `*.tsv`), sorted by name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise LabelError(f"{directory}: not a directory of labeled articles")
    tsvs = sorted(directory.glob("*.tsv"))
    if not tsvs:
        raise LabelError(f"{directory}: no labeled articles (*.tsv) found")
    articles = [load_article(t) for t in tsvs]
    seen: dict[str, str] = {}  # case-folded name, then page text → the article that has it
    for a in articles:
        for key in (a.name.casefold(), "\n".join(a.blocks.texts)):
            if key in seen:  # a second copy would be trained on and scored in different CV folds
                raise LabelError(f"{directory}: {seen[key]}.tsv and {a.name}.tsv are the same article "
                                 f"({'same name' if key == a.name.casefold() else 'same page text'})")
            seen[key] = a.name
    return articles


def format_labels(line_nos: Iterable[int], roles: Iterable[str], texts: Iterable[str]) -> str:
    """The label-file text for a page's blocks and their roles (what `load_article` reads back)."""
    rows = ["\t".join(HEADER)]
    for n, role, text in zip(line_nos, roles, texts):
        rows.append(f"{int(n)}\t{role}\t{normalize(text)}")
    return "\n".join(rows) + "\n"

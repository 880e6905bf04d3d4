"""Structure benchmark: do code blocks, tables, lists and links survive into each system's Markdown?

    python -m bench.structure --corpus DIR [--corpus DIR ...] [--out bench/reports] [--peers trafilatura]

For every page, the elements are read from its HTML (lxml): code = a <pre> of two or more non-blank
lines; table = a <table> with two or more rows of two or more non-empty cells, no table, <pre> or heading inside,
not role=presentation; list item = an <li> of a <ul>/<ol> outside tables (GFM has no lists in cells)
whose own text (nested lists aside) has three or more tokens; link = an http(s) <a href> with text
inside a <p> that holds three or more tokens besides the link's (running text, not a menu). Each
system's Markdown is parsed with a CommonMark parser (markdown-it-py, GFM tables). Only the elements
whose text the output keeps are counted (a code block: 80% of its lines; a table: 80% of its rows; an
item: its text, when half its list's items are kept too and the output does not have that text as a
heading or paragraph of its own: menus whose words recur in the article are not kept lists; a link: its
paragraph; each as a run of tokens of the output), and each is right when:
- code: one fenced or indented code block holds its lines in order with their relative indentation;
- table: one table holds its kept rows in order, cell by cell (a span written once or repeated both
  count; a row that repeats a row of an earlier table, such as a header, may be left out: boilerplate
  drops a block repeating an earlier one);
- list item: a list item's own text is the item's;
- link: a link has its text and its href (resolved against the page URL and <base>).
boilerplate writes `extract(..., format="markdown", links=True, url=...)` with the shipped model;
trafilatura `extract(..., output_format="markdown", include_tables=True, include_links=True,
include_formatting=True, url=...)`. Also checked: boilerplate's plain text is the same with and without
the structure record, and its Markdown holds the same words as its text (token F1 of the two).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin

import polars as pl
from lxml import etree
from lxml import html as lxml_html

import boilerplate
from boilerplate.corpora import corpus_paths, read_corpus
from boilerplate.decode import decode_text
from boilerplate.metrics import token_prf, tokens

KINDS = ("code", "table", "list item", "link")
_BLOCKS = frozenset({"div", "p", "li", "tr"})
KEPT_SHARE = 0.8
MIN_ITEM_TOKENS = 3
SEP = "\x01"


def _norm(text: str) -> str:
    return " ".join(text.split())


def _seq(text: str) -> str:
    """A text's tokens as a searchable run: SEP-joined, SEP at both ends."""
    return SEP + SEP.join(tokens(text)) + SEP


def _text(el: etree._Element, skip: frozenset[str] = frozenset()) -> str:
    """An element's text, <br> and the ends of blocks (div, p, li, tr) as newlines, subtrees of `skip`
    tags (and scripts, styles) left out."""
    out: list[str] = []

    def visit(e: etree._Element) -> None:
        if isinstance(e.tag, str):
            if e.tag in skip or e.tag in ("script", "style"):
                return
            if e.tag == "br":
                out.append("\n")
            if e.text:
                out.append(e.text)
            for child in e:
                visit(child)
                if child.tag in _BLOCKS and out and not out[-1].endswith("\n"):
                    out.append("\n")
                if child.tail:
                    out.append(child.tail)
    visit(el)
    return "".join(out)


def _lines(text: str) -> list[tuple[int, str]]:
    """Non-blank lines as (indentation, text), tabs as 4 spaces, indentation relative to the least."""
    rows = [line.expandtabs(4).rstrip() for line in text.split("\n")]
    rows = [r for r in rows if r.strip()]
    if not rows:
        return []
    least = min(len(r) - len(r.lstrip()) for r in rows)
    return [(len(r) - len(r.lstrip()) - least, _norm(r)) for r in rows]


@dataclass
class Elements:
    code: list[list[tuple[int, str]]] = field(default_factory=list)
    tables: list[tuple[list[list[str]], list[list[str]]]] = field(default_factory=list)  # (spans repeated, not)
    lists: list[list[str]] = field(default_factory=list)  # each list's items' own texts
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (text, href, paragraph text)


def _ancestor(el: etree._Element, tags: tuple[str, ...]) -> etree._Element | None:
    p = el.getparent()
    while p is not None:
        if p.tag in tags:
            return p
        p = p.getparent()
    return None


def source_elements(page_html: str, url: str | None) -> Elements:
    """The code blocks, data tables, list items and in-paragraph links of a page's HTML."""
    out = Elements()
    try:
        root = lxml_html.document_fromstring(page_html.encode("utf-8"),
                                             parser=lxml_html.HTMLParser(encoding="utf-8", remove_comments=True))
    except (etree.ParserError, ValueError):
        return out
    base = url
    for b in root.iter("base"):
        if b.get("href"):
            base = urljoin(url or "", b.get("href").strip())
            break
    for pre in root.iter("pre"):
        if _ancestor(pre, ("pre",)) is None:
            lines = _lines(_text(pre))
            if len(lines) >= 2:
                out.code.append(lines)
    for table in root.iter("table"):
        if (table.get("role") or "").strip().lower() in ("presentation", "none"):
            continue
        if any(True for _ in table.iter("table", "pre", "h1", "h2", "h3", "h4", "h5", "h6")
               if _ is not table):
            continue
        rows = [tr for tr in table.iter("tr") if _ancestor(tr, ("table",)) is table]
        cells = [[c for c in tr if c.tag in ("td", "th")] for tr in rows]
        if sum(sum(bool(tokens(_text(c))) for c in row) >= 2 for row in cells) < 2:
            continue
        out.tables.append(_grid(cells))
    for lst in root.iter("ul", "ol"):
        if _ancestor(lst, ("table",)) is None:
            own = [_norm(_text(li, frozenset({"ul", "ol"}))) for li in lst if li.tag == "li"]
            out.lists.append([t for t in own if tokens(t)])
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        text = _norm(_text(a))
        p = _ancestor(a, ("p",))
        if not href or not text or p is None or not tokens(text):
            continue
        paragraph = _norm(_text(p))
        if len(tokens(paragraph)) < len(tokens(text)) + MIN_ITEM_TOKENS:
            continue
        try:
            resolved = urljoin(base or "", href)
        except ValueError:
            continue
        if resolved.split(":", 1)[0].lower() in ("http", "https"):
            out.links.append((text, resolved, paragraph))
    return out


def _grid(cells: list[list[etree._Element]]) -> tuple[list[list[str]], list[list[str]]]:
    """A table's rows of cell texts with rowspans repeated, and as written (spans once)."""
    expanded: list[list[str]] = []
    written: list[list[str]] = []
    carried: dict[int, tuple[str, int]] = {}
    for row in cells:
        out, col = [], 0
        texts = [_norm(_text(c)) for c in row]
        written.append(texts)
        for c, text in zip(row, texts):
            col = _carry(out, col, carried)
            span = _span(c.get("colspan"))
            rowspan = _span(c.get("rowspan"))
            for _ in range(span):
                out.append(text)
                if rowspan > 1:
                    carried[col] = (text, rowspan - 1)
                col += 1
        _carry(out, col, carried)
        expanded.append(out)
    return expanded, written


def _carry(out: list[str], col: int, carried: dict[int, tuple[str, int]]) -> int:
    """Append the cells spanning down from rows above into the columns from `col` on; the next column."""
    while col in carried:
        text, left = carried.pop(col)
        out.append(text)
        if left > 1:
            carried[col] = (text, left - 1)
        col += 1
    return col


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 100)
    except ValueError:
        return 1


def _signature(row: list[str]) -> tuple[str, ...]:
    """A row's non-empty cells as token strings, repeats of the cell before dropped."""
    out: list[str] = []
    for cell in row:
        t = " ".join(tokens(cell))
        if t and (not out or out[-1] != t):
            out.append(t)
    return tuple(out)


@dataclass
class Parsed:
    flat: str  # every text token of the output, as a run (_seq)
    code: list[list[tuple[int, str]]]
    tables: list[list[tuple[str, ...]]]  # row signatures
    items: set[str]  # items' own texts, as token strings
    links: set[tuple[str, str]]  # (link text tokens, unquoted href)
    others: set[str]  # the texts of headings and paragraphs outside lists, as token strings


def _inline_text(tok) -> str:
    parts = []
    for c in tok.children or []:
        if c.type in ("text", "code_inline"):
            parts.append(c.content)
        elif c.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif c.type == "image":
            parts.append(" ")
    return "".join(parts)


def parse_markdown(md: str) -> Parsed:
    from markdown_it import MarkdownIt

    toks = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(md)  # (<br> in cells: HTML)
    flat: list[str] = []
    code: list[list[tuple[int, str]]] = []
    tables: list[list[tuple[str, ...]]] = []
    items: set[str] = set()
    links: set[tuple[str, str]] = set()
    others: set[str] = set()
    item_stack: list[list[str]] = []
    row: list[str] | None = None
    for tok in toks:
        if tok.type == "inline":
            text = _inline_text(tok)
            flat.append(text)
            if item_stack:
                item_stack[-1].append(text)
            elif row is None:
                others.add(" ".join(tokens(text)))
            if row is not None:
                row.append(text)
            href, link_text = None, []
            for c in tok.children or []:
                if c.type == "link_open":
                    href, link_text = c.attrGet("href"), []
                elif c.type == "link_close" and href is not None:
                    links.add((" ".join(tokens("".join(link_text))), unquote(href)))
                    href = None
                elif href is not None and c.type in ("text", "code_inline"):
                    link_text.append(c.content)
                elif href is not None and c.type in ("softbreak", "hardbreak"):
                    link_text.append(" ")
        elif tok.type in ("fence", "code_block"):
            flat.append(tok.content)
            code.append(_lines(tok.content))
            if item_stack:
                item_stack[-1].append(tok.content)
        elif tok.type == "list_item_open":
            item_stack.append([])
        elif tok.type == "list_item_close":
            items.add(" ".join(tokens(" ".join(item_stack.pop()))))
        elif tok.type == "table_open":
            tables.append([])
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and row is not None:
            tables[-1].append(_signature(row))
            row = None
    return Parsed(_seq(" ".join(flat)), code, tables, items, links, others)


def _in(text: str, parsed: Parsed) -> bool:
    seq = _seq(text)
    return seq != SEP + SEP and seq in parsed.flat


def _code_right(ref: list[tuple[int, str]], blocks: list[list[tuple[int, str]]]) -> bool:
    texts = [t for _, t in ref]
    for block in blocks:
        for start in range(len(block) - len(ref) + 1):
            window = block[start:start + len(ref)]
            if [t for _, t in window] == texts:
                least = min(i for i, _ in window)
                if [i - least for i, _ in window] == [i for i, _ in ref]:
                    return True
    return False


def _rows_match(body: list[tuple[str, ...]], rows: list[tuple[tuple[str, ...], tuple[str, ...]]],
                optional: list[bool]) -> bool:
    """Whether an output table's rows are the reference's kept rows in order, optional ones aside."""
    i = 0
    for pair, may_miss in zip(rows, optional):
        if i < len(body) and body[i] in pair:
            i += 1
        elif not may_miss:
            return False
    return i == len(body) and i > 0


def score(el: Elements, out: Parsed) -> dict[str, tuple[int, int]]:
    """Per kind: (elements whose text the output keeps, of those the ones written with their structure)."""
    result: dict[str, tuple[int, int]] = {}
    kept = right = 0
    for ref in el.code:
        if sum(_in(t, out) for _, t in ref) >= KEPT_SHARE * len(ref):
            kept += 1
            right += _code_right(ref, out.code)
    result["code"] = (kept, right)
    kept = right = 0
    seen: set[tuple[str, ...]] = set()  # the rows of the page's earlier tables
    for expanded, written in el.tables:
        texts = [" ".join(w) for w in written if _signature(w)]
        rows = [(_signature(e), _signature(w)) for e, w in zip(expanded, written)
                if _signature(w) and _in(" ".join(w), out)]
        optional = [pair[1] in seen for pair in rows]
        seen.update(_signature(w) for w in written)
        if not texts or len(rows) < KEPT_SHARE * len(texts):
            continue
        kept += 1
        right += any(_rows_match([r for r in table if r], rows, optional) for table in out.tables)
    result["table"] = (kept, right)
    kept = right = 0
    for items in el.lists:
        found = [_in(item, out) for item in items]
        if not items or sum(found) < 0.5 * len(items):
            continue
        for item, there in zip(items, found):
            words = " ".join(tokens(item))
            if len(tokens(item)) >= MIN_ITEM_TOKENS and there and (words in out.items or words not in out.others):
                kept += 1
                right += words in out.items
    result["list item"] = (kept, right)
    kept = right = 0
    for text, href, paragraph in el.links:
        if _in(paragraph, out):
            kept += 1
            right += (" ".join(tokens(text)), unquote(href)) in out.links
    result["link"] = (kept, right)
    return result


def _boilerplate(page: bytes, url: str | None) -> str:
    return boilerplate.extract(page, format="markdown", links=True, url=url)


def _trafilatura(page_html: str, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(page_html, output_format="markdown", include_tables=True, include_links=True,
                               include_formatting=True, url=url) or ""


def run(corpora: list[Path], peers: list[str], progress: bool = True) -> tuple[pl.DataFrame, dict[str, float]]:
    """One row per (page, system, kind): kept and right counts; and boilerplate's text checks."""
    rows = []
    checks = {"pages": 0, "text_differs": 0, "markdown_words_f1": 0.0}
    model = boilerplate.load_model()
    for path in corpora:
        pages = list(read_corpus(path))
        t0 = time.perf_counter()
        for n, p in enumerate(pages, 1):
            try:
                page_html = decode_text(p.html)
            except boilerplate.InputError:
                continue
            el = source_elements(page_html, p.url)
            doc = boilerplate.parse(p.html, model=model, url=p.url)
            text = boilerplate.extract(p.html, model=model)
            checks["pages"] += 1
            checks["text_differs"] += doc.text != text
            md = doc.to_markdown(links=True)
            checks["markdown_words_f1"] += token_prf(" ".join(parse_markdown(md).flat.split(SEP)), text)[2] \
                if text else 1.0
            outputs = {"boilerplate": md}
            if "trafilatura" in peers:
                try:
                    outputs["trafilatura"] = _trafilatura(page_html, p.url)
                except Exception:  # a peer's crash on a page is an empty output
                    outputs["trafilatura"] = ""
            for system, out in outputs.items():
                for kind, (kept, right) in score(el, parse_markdown(out)).items():
                    rows.append((path.name, p.id, p.page_type or "", system, kind, kept, right))
            if progress and (n % 50 == 0 or n == len(pages)):
                print(f"\r{path.name}: {n}/{len(pages)} pages ({time.perf_counter() - t0:.0f} s)", end="",
                      file=sys.stderr, flush=True)
        if progress:
            print(file=sys.stderr)
    if checks["pages"]:
        checks["markdown_words_f1"] /= checks["pages"]
    df = pl.DataFrame(rows, schema=["source", "page", "page_type", "system", "kind", "kept", "right"],
                      orient="row")
    return df, checks


def table(df: pl.DataFrame, by: list[str]) -> list[str]:
    """Markdown rows: per group and kind, each system's share right of the elements it keeps (kept count)."""
    systems = sorted(df["system"].unique().to_list(), key=lambda s: s != "boilerplate")
    agg = df.group_by(*by, "kind", "system").agg(pl.col("kept").sum(), pl.col("right").sum())
    head = "| " + " | ".join(by) + " | kind | " + " | ".join(f"{s}: right / kept" for s in systems) + " |"
    out = [head, "|" + "---|" * len(by) + "---|" + "---:|" * len(systems)]
    groups = agg.select(by).unique().sort(by).iter_rows()
    for group in groups:
        for kind in KINDS:
            cells = []
            for s in systems:
                row = agg.filter(pl.all_horizontal([pl.col(c) == v for c, v in zip(by, group)])
                                 & (pl.col("kind") == kind) & (pl.col("system") == s))
                kept, right = (row["kept"][0], row["right"][0]) if len(row) else (0, 0)
                cells.append(f"{right / kept:.2f} ({right}/{kept})" if kept else "– (0)")
            out.append("| " + " | ".join(map(str, group)) + f" | {kind} | " + " | ".join(cells) + " |")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.structure", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", help="corpus directory, repeatable (default: $BOILERPLATE_CORPORA)")
    ap.add_argument("--peers", nargs="*", default=["trafilatura"], help="peers (default: trafilatura)")
    ap.add_argument("--out", default="bench/reports", help="report directory")
    args = ap.parse_args(argv)
    corpora = corpus_paths(args.corpus)
    if not corpora:
        print("bench.structure: no corpora (give --corpus)", file=sys.stderr)
        return 2
    df, checks = run(corpora, args.peers)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.write_csv(out / "structure.csv")
    command = "python -m bench.structure " + " ".join(sys.argv[1:] if argv is None else argv)
    total = df.with_columns(pl.lit("all").alias("source"))
    text = "\n".join(["# Structure benchmark", "", f"Produced by `{command.strip()}`.", "",
                      "What is counted and when an element is right: `bench/structure.py`. Each cell: the share of "
                      "the elements whose text the system's output keeps that it writes with their structure "
                      "(right / kept).", "", "## All pages", "", *table(total, ["source"]), "",
                      "## By corpus", "", *table(df, ["source"]), "",
                      "## By page type", "", *table(df.filter(pl.col("page_type") != ""), ["source", "page_type"]),
                      "", "## Plain text", "",
                      f"boilerplate's text with and without the structure record differs on "
                      f"{checks['text_differs']} of {checks['pages']} pages; the words of its Markdown against "
                      f"those of its text: mean token F1 {checks['markdown_words_f1']:.4f}.", ""])
    (out / "structure.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

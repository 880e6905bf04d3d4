"""The content model and its renderers: code, tables, lists, links, images and formulas survive into
Markdown (checked by parsing it with a CommonMark parser), HTML and JSON; plain text is unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt

import boilerplate
from boilerplate.builder import build_content
from boilerplate.content import (
    CodeBlock,
    ListBlock,
    Paragraph,
    Span,
    Table,
    safe_url,
)
from boilerplate.segment import segment

PROSE = "<p>" + "A paragraph of the article that the model keeps as the body of this page. " * 4 + "</p>"


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>T</title>{head}</head><body><article>{PROSE}{body}{PROSE}</article></body></html>"


def keep_all(body: str, head: str = "", **options) -> boilerplate.Document:
    """The page with every block kept (threshold 0: the model's decision is not under test here)."""
    return boilerplate.parse(page(body, head), threshold=0.0, **options)


def tokens(md: str) -> list:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(md)


def fences(md: str) -> list[tuple[str, str]]:
    return [(t.info, t.content) for t in tokens(md) if t.type == "fence"]


def table_rows(md: str) -> list[list[str]]:
    rows, row = [], None
    for t in tokens(md):
        if t.type == "tr_open":
            row = []
        elif t.type == "inline" and row is not None:
            row.append(t.content)
        elif t.type == "tr_close":
            rows.append(row)
            row = None
    return rows


def test_code_keeps_its_lines_indentation_and_language():
    code = "def f(x):\n    if x:\n        return 1\n    return 2"
    md = keep_all(f'<pre><code class="language-python">{code}</code></pre>').to_markdown()
    assert fences(md) == [("python", code + "\n")]


def test_code_language_from_a_wrapper_and_lines_split_by_br():
    doc = keep_all('<div class="highlight-sh"><div class="highlight"><pre>ls -l<br>  cd /tmp</pre></div></div>')
    assert fences(doc.to_markdown()) == [("sh", "ls -l\n  cd /tmp\n")]


def test_code_holding_fences_gets_a_longer_fence():
    code = "```\nnot the end\n````"
    md = keep_all(f"<pre>{code}</pre>").to_markdown()
    assert fences(md) == [("", code + "\n")]


def test_code_in_a_table_beside_its_line_numbers():
    body = '<table class="highlighttable"><tr><td class="linenos"><pre>1\n2</pre></td>' \
           '<td class="code"><pre class="language-c">int x;\n  return x;</pre></td></tr></table>'
    assert fences(keep_all(body).to_markdown()) == [("", "1\n2\n"), ("c", "int x;\n  return x;\n")]


def test_a_megabyte_of_code_comes_out_whole():
    code = "\n".join(f"    line_{i} = {i}  # comment" for i in range(40_000))
    assert len(code) > 1_000_000
    (info, content), = fences(keep_all(f"<pre>{code}</pre>").to_markdown())
    assert content == code + "\n"


def test_table_rows_cells_and_header():
    md = keep_all("<table><tr><th>Method</th><th>Stable</th></tr><tr><td>sorted()</td><td>yes</td></tr>"
                  "<tr><td>heapq</td><td>no</td></tr></table>").to_markdown()
    assert table_rows(md) == [["Method", "Stable"], ["sorted()", "yes"], ["heapq", "no"]]
    assert [t.type for t in tokens(md)].count("th_open") == 2


def test_table_spans_are_expanded_and_bad_spans_read_as_browsers_do():
    doc = keep_all('<table><tr><th colspan="2">Both</th><th>C</th></tr>'
                   '<tr><td rowspan="2">a</td><td colspan="abc">b</td><td colspan="1000000000">c</td></tr>'
                   '<tr><td>d</td><td>e</td></tr></table>')
    table, = [b for b in doc.content() if isinstance(b, Table)]
    rows = [[Paragraph(c.inlines) and "".join(x for x in c.inlines if isinstance(x, str)) for c in row]
            for row in table.rows]
    assert rows[0] == ["Both", "Both", "C"] and rows[2][:3] == ["a", "d", "e"]
    assert rows[1][:3] == ["a", "b", "c"] and len(rows[1]) <= 1000  # colspan capped at HTML's 1000
    md_rows = table_rows(doc.to_markdown())
    assert md_rows[0][:3] == ["Both", "Both", "C"] and len(md_rows) == 3


def test_a_table_of_100000_rows():
    rows = "".join(f"<tr><td>k{i}</td><td>v{i}</td></tr>" for i in range(100_000))
    table, = [b for b in keep_all(f"<table>{rows}</table>").content() if isinstance(b, Table)]
    assert len(table.rows) == 100_000 and table.rows[-1][1].inlines == ["v99999"]


def test_layout_tables_are_not_tables():
    nested = "<table><tr><td><table><tr><td>inner a</td><td>inner b</td></tr></table></td><td>side</td></tr>" \
             "<tr><td>x</td><td>y</td></tr></table>"  # (the inner table has one row: not a table either)
    presentation = '<table role="presentation"><tr><td>one</td><td>two</td></tr><tr><td>3</td><td>4</td></tr></table>'
    one_column = "<table><tr><td>first row</td></tr><tr><td>second row</td></tr></table>"
    for body in (nested, presentation, one_column):
        md = keep_all(body).to_markdown()
        assert not any(t.type == "table_open" for t in tokens(md)), body
        assert all(word in md for word in ("inner", "side", "x") if word in body)


def test_tables_inside_lists_inside_tables():
    inner = "<table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table>"
    body = f"<table><tr><td><ul><li>item {inner}</li></ul></td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"
    doc = keep_all(body)
    md = doc.to_markdown()
    assert "item" in md and "| k | v |" in md  # the outer table is layout; the list and inner table survive
    assert any(isinstance(b, ListBlock) for b in doc.content())


def test_nested_and_ordered_lists():
    md = keep_all('<ol start="3"><li>three<ul><li>nested</li></ul></li><li>four</li></ol>').to_markdown()
    types = [(t.type, t.level) for t in tokens(md) if t.type in ("ordered_list_open", "bullet_list_open",
                                                               "list_item_open")]
    assert types[0][0] == "ordered_list_open" and ("bullet_list_open", 2) in types
    assert [t.attrGet("start") for t in tokens(md) if t.type == "ordered_list_open"] == [3]
    assert "3. three\n   - nested\n4. four" in md


def test_deep_nesting_is_capped():
    depth = 900
    body = "<ul><li>x" * depth + "deep" + "</li></ul>" * depth
    md = keep_all(body).to_markdown()
    assert "deep" in md
    assert max(len(line) - len(line.lstrip()) for line in md.splitlines()) < 200


def test_links_resolved_against_the_url_and_base():
    body = '<p>See <a href="/docs/a">the docs</a>, <a href="b.html">b</a> and <a href="javascript:alert(1)">' \
           'this</a> or <a href="data:text/html,x">that</a>.</p>'
    md = keep_all(body, url="https://example.com/x/page").to_markdown(links=True)
    hrefs = [c.attrGet("href") for t in tokens(md) if t.type == "inline" for c in t.children
             if c.type == "link_open"]
    assert hrefs == ["https://example.com/docs/a", "https://example.com/x/b.html"]
    assert "this" in md and "that" in md and "javascript" not in md and "data:" not in md
    based = keep_all(body, head='<base href="https://cdn.example.org/base/">').to_markdown(links=True)
    assert "](https://cdn.example.org/docs/a)" in based and "](https://cdn.example.org/base/b.html)" in based
    relative = keep_all(body).to_markdown(links=True)
    assert "[the docs](/docs/a)" in relative
    assert "[" not in keep_all(body, url="https://example.com/").to_markdown().split("\n\n", 1)[1]


def test_link_wrapping_blocks_and_emphasis_and_inline_code():
    doc = keep_all('<a href="https://e.org/card"><h3>Card title</h3></a>'
                   "<p>Use <code>x = `y`</code> with <em>care</em> and <strong>force</strong>.</p>")
    md = doc.to_markdown(links=True)
    assert "### [Card title](https://e.org/card)" in md
    assert "Use `` x = `y` `` with *care* and **force**." in md
    code, = [c.content for t in tokens(md) if t.type == "inline" for c in t.children if c.type == "code_inline"]
    assert code == "x = `y`"


def test_images_kept_on_request():
    body = '<figure><img src="/i.png" alt="a harbour"><figcaption>The harbour</figcaption></figure>' \
           '<p>Text <img src="data:image/png;base64,AAAA" alt="inline"> and ' \
           '<img src="/pixel.gif" width="1" height="1"> more text here.</p>'
    doc = keep_all(body, url="https://example.com/")
    md = doc.to_markdown(images=True)
    assert "![a harbour](https://example.com/i.png)" in md and "*The harbour*" in md
    assert "data:" not in md and "pixel" not in md
    assert "![" not in doc.to_markdown()


def test_markdown_like_text_is_escaped():
    text = "*not emphasis* [not](a link) <b>not html</b> _x_ `y` ~~z~~"
    md = keep_all(f"<p>{text.replace('<', '&lt;').replace('>', '&gt;')}</p><p># not a heading</p>"
                  "<p>1. not a list</p><p>- nor this</p>").to_markdown()
    parsed = tokens(md)
    inline = [c.type for t in parsed if t.type == "inline" for c in t.children]
    assert set(inline) <= {"text", "softbreak"}
    texts = [t.content for t in parsed if t.type == "inline"]
    rendered = ["".join(c.content for c in t.children) for t in parsed if t.type == "inline"]
    assert text in rendered and "# not a heading" in rendered and "1. not a list" in rendered
    assert all(t.type in ("paragraph_open", "paragraph_close", "inline", "heading_open", "heading_close")
               for t in parsed) and texts


def test_formulas_as_tex():
    body = '<p>Energy <math><semantics><mi>E</mi><annotation encoding="application/x-tex">E=mc^2' \
           '</annotation></semantics></math> holds.</p><div><math display="block"><mi>x</mi></math></div>' \
           '<p>After <span class="katex"><span class="katex-mathml"><math><semantics><mi>y</mi>' \
           '<annotation encoding="application/x-tex">y^2</annotation></semantics></math></span>' \
           '<span class="katex-html" aria-hidden="true">y2</span></span> end.</p>'
    md = keep_all(body).to_markdown()
    assert "Energy $E=mc^2$ holds." in md and "$$\nx\n$$" in md and "After $y^2$ end." in md


def test_html_output_is_clean():
    body = '<p onclick="evil()" style="color:red">Hi <a href="/a" class="c" onmouseover="x()">there</a>' \
           '<script>alert(1)</script></p><table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>'
    out = keep_all(body, url="https://example.com/").to_html(links=True, images=True)
    root = lxml_html.document_fromstring(out)
    attrs = {name for el in root.iter() for name in el.attrib}
    assert attrs <= {"href", "src", "alt", "charset"}
    assert not root.xpath("//script|//style") and root.xpath("//a/@href") == ["https://example.com/a"]
    assert root.xpath("//thead/tr/th/text()") == ["a", "b"] and "alert" not in out


def test_json_blocks_are_typed():
    doc = keep_all('<h2>Sub</h2><ul><li>one item</li></ul><pre class="lang-js">let a = 1;\nlet b;</pre>')
    blocks = json.loads(doc.to_json())["blocks"]
    types = [b["type"] for b in blocks]
    assert {"heading", "list", "code", "paragraph"} <= set(types)
    code, = [b for b in blocks if b["type"] == "code"]
    assert code == {"type": "code", "language": "js", "text": "let a = 1;\nlet b;"}


def test_extract_formats_and_errors():
    html = page("<ul><li>alpha item</li></ul>")
    assert boilerplate.extract(html, format="markdown", threshold=0.0).startswith("# T\n")
    assert boilerplate.extract(html, format="html", threshold=0.0).startswith("<!DOCTYPE html>")
    assert json.loads(boilerplate.extract(html, format="json", threshold=0.0))["title"] == "T"
    with pytest.raises(ValueError, match="format must be"):
        boilerplate.extract(html, format="pdf")
    assert list(boilerplate.extract_many([html], format="markdown", threshold=0.0))[0].startswith("# T")


def test_text_dumps_and_unstructured_documents_are_written_flat():
    doc = boilerplate.parse("Title line\nA line of the dump.\nAnother line.", kind="text", threshold=0.0)
    assert doc.structure is None and doc.to_markdown() and doc.to_html()
    flat = boilerplate.parse(page("<ul><li>one</li><li>two</li></ul>"), threshold=0.0, structure=False)
    assert "- one\n- two" in flat.to_markdown()


def test_structure_record_leaves_blocks_unchanged():
    html = page("<table><tr><td>a</td><td>b <b>c</b></td></tr><tr><td>d</td><td>e</td></tr></table>"
                "<pre>x\n  y</pre><p>one<br>two <a href='q'>link</a></p><math><mi>z</mi></math>")
    plain, rich = segment(html), segment(html, structure=True)
    assert plain.texts == rich.texts and plain.tag.tolist() == rich.tag.tolist() and plain.structure is None
    assert len(rich.structure.starts) == len(rich.texts) + 1 == len(rich.structure.node) + 1


def test_plain_text_is_unchanged_on_corpus_pages():
    corpora = [Path(p) for p in os.environ.get("BOILERPLATE_CORPORA", "").split() if p]
    from boilerplate.corpora import read_corpus

    pages = [p.html for c in corpora if c.is_dir() for p in list(read_corpus(c))[:40]]
    if not pages:
        pytest.skip("no corpus in $BOILERPLATE_CORPORA")
    for raw in pages:
        doc = boilerplate.parse(raw)
        assert doc.text == boilerplate.extract(raw)
        md_words = " ".join(t.content for t in tokens(doc.to_markdown()) if t.type in ("inline", "fence"))
        assert set(boilerplate.metrics.tokens(doc.text)) <= set(boilerplate.metrics.tokens(md_words))


def test_safe_url():
    assert safe_url(" java\nscript:alert(1)", None) is None and safe_url("", "https://a/") is None
    assert safe_url("x", None) == "x" and safe_url("//cdn.org/x", "https://a/") == "https://cdn.org/x"
    assert safe_url("http://[::1", "https://a/") == "http://[::1"


def test_build_content_without_structure_uses_tags():
    lines = [boilerplate.Line("Head", True, 1.0, 1, "subhead", "h2"), boilerplate.Line("i", True, 1.0, 2, "body", "li"),
             boilerplate.Line("x", False, 0.0, 3, "chrome", "p"), boilerplate.Line("c", True, 1.0, 4, "body", "pre")]
    blocks = build_content(lines, None)
    assert [type(b).__name__ for b in blocks] == ["Heading", "ListBlock", "CodeBlock"]
    assert isinstance(blocks[2], CodeBlock) and not isinstance(blocks[0], Span)


def kept_only(html: str, keep: set[str]) -> list:
    """The content blocks of a page whose kept blocks are those with these texts (the model aside)."""
    blocks = segment(html, structure=True)
    lines = [boilerplate.Line(t, t in keep, 1.0, i + 1, "body", "p") for i, t in enumerate(blocks.texts)]
    return build_content(lines, blocks.structure)


def test_what_is_written_is_what_the_model_keeps():
    html = "<table><tr><th>Name</th><th>Score</th></tr><tr><td>Ann</td><td>3</td></tr>" \
           "<tr><td>Bo</td><td>5</td></tr></table><ul><li>one item</li><li>two item</li></ul>"
    one_row = kept_only(html, {"Ann | 3"})
    assert [type(b).__name__ for b in one_row] == ["Table"] and len(one_row[0].rows) == 1
    spanning = kept_only('<table><tr><td colspan="2">A title across</td></tr><tr><td>x</td><td>y</td></tr></table>',
                         {"A title across"})
    assert spanning == [Paragraph(["A title across"])]  # not a row of two copies
    two_rows = kept_only(html, {"Ann | 3", "Bo | 5", "two item"})
    table, items = two_rows
    assert isinstance(table, Table) and [[c.inlines for c in r] for r in table.rows] == [[["Ann"], ["3"]],
                                                                                        [["Bo"], ["5"]]]
    assert isinstance(items, ListBlock) and items.items == [[Paragraph(["two item"])]]

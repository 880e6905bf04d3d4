"""The input contract: on any str or bytes, classify/extract return lines that occur in the page or
raise InputError, never anything else. Property tests (hypothesis; `make fuzz` runs them with many more
examples) plus one test per class of bad input listed in the README."""

from __future__ import annotations

import gzip
import importlib
import json
import re
from html import escape
from html import unescape as html_unescape

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from lxml import html as lxml_html

import boilerplate
from boilerplate.decode import MAX_BYTES, decode_text
from boilerplate.metrics import tokens

WS = re.compile(r"\s+")
TAG = re.compile(r"<[^<>]*>")
HIDDEN_PARTS = re.compile(r"<(script|style|template|noscript|textarea)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
segment_stage = importlib.import_module("boilerplate.segment")  # the module, not the function


def classify_or_input_error(page: str | bytes, **kw) -> list[boilerplate.Line] | None:
    """classify's result, or None when it raised InputError; any other exception fails the test. Every
    line returned must be made of the page's own words (no token that the decoded page lacks)."""
    try:
        lines = boilerplate.classify(page, **kw)
    except boilerplate.InputError as e:
        assert str(e), "InputError without a message"
        return None
    page = html_unescape(decode_text(page, encoding=kw.get("encoding"))).casefold()
    flat = (WS.sub("", page), WS.sub("", TAG.sub("", HIDDEN_PARTS.sub("", page))))  # (inline tags join
    # words: "<b>1</b>1" → "11", and so do the scripts, styles and comments the walk leaves out)
    for line in lines:
        for token in tokens(line.text):
            assert any(token in f for f in flat), f"{token!r} is not in the page: {line.text!r}"
    return lines


# -- properties -----------------------------------------------------------------------------------------

@given(st.text())
@example("a\x00b\nc\ud800d\n\ud83d\ude00")
@example("<p>x</p>" * 3)
def test_any_text_gives_lines_of_the_page(text):
    lines = classify_or_input_error(text)
    if lines is None:
        return
    for line in lines:
        assert line.text and line.text == line.text.strip()
        line.text.encode("utf-8")  # valid Unicode, writable anywhere
        assert 0.0 <= line.score <= 1.0


@given(st.text())
def test_text_dump_lines_are_lines_of_the_page(text):
    lines = classify_or_input_error(text, kind="text")
    assert lines is not None  # a str never fails as a text dump
    page = decode_text(text)
    page_lines = {s.strip() for s in page.splitlines()}
    for line in lines:  # line 1 may have lost its " date YYYY-MM-DD" marker
        assert line.text in page_lines or (line.line_no == 1 and line.text in page)


@given(st.binary(max_size=4096))
@example(b"\x00" * 64)
@example(b"\xff\xfe")
@example(b"<meta charset=big5><p>\xa4\xa4\xa4\xe5</p>")
def test_any_bytes_give_a_result_or_input_error(data):
    lines = classify_or_input_error(data)
    if lines is not None:
        for line in lines:
            line.text.encode("utf-8")


CHARSETS = ["utf-8", "gbk", "gb2312", "big5", "shift_jis", "euc-jp", "iso-2022-jp", "euc-kr", "koi8-r",
            "windows-1251", "iso-8859-7", "utf-16", "utf-16be", "utf-32", "utf-7", "iso-8859-1", "x-bogus",
            "rot13", "base64", "hex", "zlib", "bz2", "uu", "quopri", "undefined", "idna", "unicode_escape", ""]


@given(st.sampled_from(CHARSETS), st.binary(max_size=2048))
def test_any_bytes_under_any_declared_charset(charset, data):
    page = f'<html><head><meta charset="{charset}"></head><body><p>'.encode("ascii") + data
    lines = classify_or_input_error(page)
    if lines is not None:
        for line in lines:
            line.text.encode("utf-8")


# Generated HTML: a tree of elements whose text we know, so that each output line can be checked
# against the visible text, and script/style text must never come out.
TEXT = st.text(alphabet=st.sampled_from("abc xyz 新聞內文。，的是 ABC 123 .,!?\n\t"), min_size=1, max_size=40)
TAGS = ("div", "p", "span", "a", "b", "em", "li", "ul", "h1", "h2", "section", "article", "nav",
        "footer", "blockquote", "td")
CLASSES = ("", "content", "nav menu", "footer", "related-news", "share", "article-body", "ad banner")
HIDDEN = "隱藏腳本文字"


@st.composite
def html_tree(draw, depth: int = 0) -> tuple[str, str]:
    """(markup, visible text in document order) of one random element."""
    tag = draw(st.sampled_from(TAGS))
    cls = draw(st.sampled_from(CLASSES))
    attrs = f' class="{cls}"' if cls else ""
    markup, visible = [f"<{tag}{attrs}>"], []
    for _ in range(draw(st.integers(0, 4 if depth < 4 else 0))):
        kind = draw(st.sampled_from(("text", "text", "element", "script", "br")))
        if kind == "text":
            t = draw(TEXT)
            markup.append(escape(t))
            visible.append(t)
        elif kind == "element":
            m, v = draw(html_tree(depth + 1))
            markup.append(m)
            visible.append(v)
        elif kind == "script":
            markup.append(f"<script>var s = '{HIDDEN}';</script><style>.x{{}} /* {HIDDEN} */</style>")
        else:
            markup.append("<br>")
    markup.append(f"</{tag}>")
    return "".join(markup), "".join(visible)


@given(st.lists(html_tree(), min_size=1, max_size=6))
def test_generated_html_lines_are_visible_text(trees):
    page = "<html><head><title>t</title></head><body>" + "".join(m for m, _ in trees) + "</body></html>"
    visible = WS.sub(" ", "".join(v for _, v in trees))
    lines = classify_or_input_error(page)
    assert lines is not None
    for line in lines:
        assert line.text in visible
        assert HIDDEN not in line.text
    kept = boilerplate.extract(page)
    again = boilerplate.extract(kept, kind="text")
    assert set(again.splitlines()) <= set(kept.splitlines())  # re-extraction never adds anything


STRUCTURE_TAGS = ("table", "tr", "td", "th", "pre", "code", "ol", "ul", "li", "blockquote", "figure",
                  "figcaption", "h3", "p", "em", "strong", "a", "math", "dl", "dd")
HREFS = ("/x", "javascript:alert(1)", "data:text/html,1", "https://e.org/a b", "(x)", "", "#top")


@st.composite
def structure_tree(draw, depth: int = 0) -> str:
    """Markup of one random element among the content model's, nested arbitrarily (tables in lists in
    tables, code in cells), with odd attributes."""
    tag = draw(st.sampled_from(STRUCTURE_TAGS))
    attrs = ""
    if tag == "a":
        attrs = f' href="{escape(draw(st.sampled_from(HREFS)))}"'
    elif tag in ("td", "th"):
        attrs = f' colspan="{draw(st.sampled_from(("2", "abc", "1000000000", "-1")))}"'
    markup = [f"<{tag}{attrs}>"]
    for _ in range(draw(st.integers(0, 4 if depth < 5 else 0))):
        kind = draw(st.sampled_from(("text", "element", "element", "br", "img")))
        if kind == "text":
            markup.append(escape(draw(TEXT) + draw(st.sampled_from(("", "*", "```", "| ", "[a](b)", "<b>", "# ")))))
        elif kind == "element":
            markup.append(draw(structure_tree(depth + 1)))
        elif kind == "img":
            markup.append('<img src="/i.png" alt="[x]*">')
        else:
            markup.append("<br>")
    markup.append(f"</{tag}>")
    return "".join(markup)


@given(st.lists(structure_tree(), min_size=1, max_size=5))
def test_generated_structure_renders_in_every_format(trees):
    from markdown_it import MarkdownIt

    page = "<html><head><title>t</title></head><body>" + "".join(trees) + "</body></html>"
    doc = boilerplate.parse(page, threshold=0.0, url="https://example.org/dir/")
    markdown = doc.to_markdown(links=True)  # (an image between two letters would part a word)
    parsed = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(markdown)
    words = " ".join("".join(c.content if c.type in ("text", "code_inline") else " " if "break" in c.type else ""
                             for c in t.children)
                     if t.type == "inline" else t.content for t in parsed if t.type in ("inline", "fence"))
    if "<math" not in page:  # (a formula's TeX between two letters would part a word)
        assert set(tokens(doc.body)) <= set(tokens(words))  # the Markdown holds the text's words
    markdown = doc.to_markdown(links=True, images=True)
    assert "javascript:" not in markdown and "data:text" not in markdown
    html_out = lxml_html.document_fromstring(doc.to_html(links=True, images=True))
    assert {a for el in html_out.iter() for a in el.attrib} <= {"href", "src", "alt", "charset"}
    assert json.loads(doc.to_json(links=True, images=True))["blocks"] is not None


# -- the input classes of the README table ----------------------------------------------------------------

@pytest.mark.parametrize("page", ["", "   \n\t ", b"", b" \r\n", "<html></html>", "<!-- only a comment -->",
                                  "<html><head><title>t</title></head></html>",  # no <body>
                                  "<script>var a = 1;</script><style>p{}</style>"])
def test_empty_pages_give_empty_results(page):
    assert boilerplate.classify(page) == []
    assert boilerplate.extract(page) == ""


def test_gzip_data_is_refused_with_its_name():
    with pytest.raises(boilerplate.InputError, match="gzip-compressed"):
        boilerplate.extract(gzip.compress(b"<p>compressed html</p>"))


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(100), b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", b"PK\x03\x04" + bytes(60),
    b"\xff\xd8\xff\xe0" + bytes(50), bytes(range(256)) * 20,
])
def test_binary_data_is_refused(data):
    with pytest.raises(boilerplate.InputError, match="not text/HTML"):
        boilerplate.classify(data)


def test_binary_data_is_refused_without_reading_it_all():
    data = b"\x89PNG\r\n\x1a\n" + bytes(MAX_BYTES - 100)  # under the size limit: the signature decides
    with pytest.raises(boilerplate.InputError, match="known file signature"):
        boilerplate.classify(data)


def test_size_limits(monkeypatch):
    with pytest.raises(boilerplate.InputError, match="the limit is 67,108,864"):
        boilerplate.classify(b" " * (MAX_BYTES + 1))
    monkeypatch.setattr(segment_stage, "MAX_TEXT_CHARS", 1000)
    with pytest.raises(boilerplate.InputError, match="1,200 characters of text; the limit is 1,000"):
        boilerplate.classify("<p>" + "字" * 1200 + "</p>")
    monkeypatch.setattr(segment_stage, "MAX_BLOCKS", 10)
    with pytest.raises(boilerplate.InputError, match="11 blocks; the limit is 10"):
        boilerplate.classify("\n".join(f"line {i}" for i in range(11)))


def test_long_lines_and_many_blocks():
    assert [len(line.text) for line in boilerplate.classify("字" * 1_000_000)] == [1_000_000]
    lines = boilerplate.classify("<body>" + "".join(f"<p>第{i}段。</p>" for i in range(20_000)) + "</body>")
    assert len(lines) == 20_000 and lines[-1].text == "第19999段。"


def test_deep_nesting():
    ok = "<body>" + "<div>" * 1500 + "深層的段落文字。" + "</div>" * 1500 + "</body>"
    assert [line.text for line in boilerplate.classify(ok)] == ["深層的段落文字。"]
    with pytest.raises(boilerplate.InputError, match="nested deeper than libxml2's limit of 2048"):
        boilerplate.classify("<div>" * 100_000 + "x" + "</div>" * 100_000)


def test_nul_bytes_and_lone_surrogates_are_cleaned():
    assert [line.text for line in boilerplate.classify("ab\x00c\nd\ud800e\n\ud83d\ude00")] == \
        ["abc", "d\ufffde", "\U0001f600"]
    assert [line.text for line in boilerplate.classify(b"<p>ab\x00c</p>")] == ["abc"]


def test_broken_and_unmarked_encodings():
    utf8 = "<p>這是一段新聞內文。</p>".encode()
    broken = utf8[:-7] + b"\xff" + utf8[-7:]  # one stray byte in UTF-8
    assert [line.text for line in boilerplate.classify(broken)] == ["這是一段新聞內文\ufffd。"]
    utf16 = "<p>hello 新聞</p>".encode("utf-16-le")  # no BOM
    assert [line.text for line in boilerplate.classify(utf16)] == ["hello 新聞"]


def test_framesets_xhtml_comments_and_cdata():
    frames = "<html><frameset><frame src=a.html></frameset><noframes><p>請使用支援框架的瀏覽器</p></noframes></html>"
    assert boilerplate.classify(frames) == []
    xhtml = ('<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
             '<p>XHTML 段落。</p><!-- 註解 --><![CDATA[ 資料 ]]></body></html>')
    texts = [line.text for line in boilerplate.classify(xhtml)]
    assert texts[0] == "XHTML 段落。" and not any("註解" in t or "資料" in t for t in texts)


def test_wrong_argument_types():
    for bad in (None, 42, ["<p>x</p>"]):
        with pytest.raises(boilerplate.InputError, match="expected str or bytes"):
            boilerplate.extract(bad)  # type: ignore[arg-type]
    with pytest.raises(boilerplate.InputError, match="kind must be"):
        boilerplate.extract("x", kind="pdf")  # type: ignore[arg-type]

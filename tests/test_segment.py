import pytest

from boilerplate.errors import InputError
from boilerplate.segment import (
    HINTS,
    TAG_ID,
    TAGS,
    looks_like_html,
    segment,
    segment_html,
    segment_text,
)


def test_text_dump_lines_and_date_marker():
    b = segment_text(" date 2026-02-19 我的頻道\n\n標題\n   正文第一段。  \n")
    assert b.texts == ["我的頻道", "標題", "正文第一段。"]
    assert b.line_no.tolist() == [1, 3, 4]
    assert not b.is_html


def test_date_marker_alone_leaves_no_block():
    assert segment_text(" date 2025-10-21 \n內容").texts == ["內容"]


def test_sniffing_and_override():
    assert looks_like_html("<html><body><p>x</p></body></html>")
    assert not looks_like_html("第一行\n第二行 a < b")
    assert segment("<p>x</p>", kind="text").texts == ["<p>x</p>"]
    assert segment("<p>x</p>").is_html
    with pytest.raises(InputError):
        segment("x", kind="pdf")  # type: ignore[arg-type]


def test_html_blocks_links_and_dropped_tags():
    b = segment_html("<html><head><title> A  title </title><script>var x</script></head><body>"
                     "<div class='nav'><a href=#>Home</a> | <a>News</a></div>"
                     "<p>Hello <b>world</b>,<br>second <a>link</a> line.</p>"
                     "<style>p{}</style><noscript>enable js</noscript>"
                     "<ul><li>one</li><li>two</li></ul><table><tr><td>c1</td><td>c2</td></tr></table>"
                     "<!-- a comment --></body></html>")
    assert b.texts == ["Home | News", "Hello world,", "second link line.", "enable js", "one", "two",
                       "c1 | c2"]
    assert b.title == "A title"
    assert b.link_chars.tolist() == [8, 0, 4, 0, 0, 0, 0]
    assert b.tag[0] == TAG_ID["div"] and b.tag[1] == TAG_ID["p"] and b.tag[4] == TAG_ID["li"]
    assert b.tag[6] == TAG_ID["tr"]
    noscript = 1 << HINTS.index("noscript")  # rendered (Discourse puts whole threads there), and marked
    assert [bool(h & noscript) for h in b.hints] == [False, False, False, True, False, False, False]
    assert b.hints[0] & (1 << HINTS.index("nav"))
    assert not b.hints[1] & (1 << HINTS.index("nav"))
    assert b.depth[4] == b.depth[1] + 1  # li sits one deeper (html/body/ul/li vs html/body/p)
    assert b.path[4].endswith("ul/li")


def test_hidden_elements_are_kept_and_marked_invisible():
    # closed tabs and collapsed sections are text of the page that corpora's gold often keeps
    b = segment_html('<body><p>seen</p><div hidden><p>tab</p></div><p style="display: none">no</p></body>')
    assert b.texts == ["seen", "tab", "no"]
    invisible = 1 << HINTS.index("invisible")
    assert [bool(h & invisible) for h in b.hints] == [False, True, True]


def test_headings_and_inline_text_between_blocks():
    b = segment_html("<body><h2>Head</h2>loose text<p>para</p>tail</body>")
    assert b.texts == ["Head", "loose text", "para", "tail"]
    assert b.tag[0] == TAG_ID["h2"]


def test_empty_html():
    assert len(segment_html("")) == 0
    assert len(segment_html("<html></html>")) == 0


def test_deep_nesting_within_and_beyond_the_parser_limit():
    ok = "<body>" + "<div>" * 2000 + "deep" + "</div>" * 2000 + "<p>after</p></body>"
    assert segment_html(ok).texts == ["deep", "after"]
    too_deep = "<body>" + "<div>" * 100_000 + "deep" + "</div>" * 100_000 + "</body>"
    with pytest.raises(InputError, match="nested deeper"):
        segment_html(too_deep)


def test_data_table_rows_are_one_block_but_layout_cells_are_not():
    long = "A layout cell holding a whole article paragraph. " * 7  # > MAX_ROW_CHARS
    b = segment_html("<table><tr><th>Pos</th><td></td><td><p>Player</p></td><td><a>Stats</a><br>ok</td></tr>"
                     f"<tr><td><p>{long}</p></td><td>side</td></tr>"
                     "<tr><td><table><tr><td>inner</td></tr></table></td><td>outer</td></tr>"
                     "<tr><td>lone cell</td></tr></table><p>after</p>")
    assert b.texts == ["Pos | Player | Stats ok", long.strip(), "side", "inner", "outer", "lone cell", "after"]
    assert b.link_chars.tolist() == [5, 0, 0, 0, 0, 0, 0]
    assert [TAGS[t] for t in b.tag] == ["tr", "p", "td", "td", "td", "td", "p"]


def test_containers_are_the_block_spans_of_block_level_elements():
    b = segment_html("<body><div><p>one <span>two</span></p><ul><li>three</li><li>four</li></ul></div>"
                     "<p>five</p></body>")
    assert b.texts == ["one two", "three", "four", "five"]
    spans = {(int(d), int(f), int(e)) for d, f, e in b.containers}
    # (depth, first block, end block): p, li, li, ul, div, the last p, body, html; inline <span> is none
    assert spans == {(4, 0, 1), (5, 1, 2), (5, 2, 3), (4, 1, 3), (3, 0, 3), (3, 3, 4), (2, 0, 4), (1, 0, 4)}
    assert segment_text("a\nb").containers.shape == (0, 3)


def test_landmark_hint_marks_page_chrome_elements_and_roles_but_not_an_articles_own_header():
    b = segment_html("<body><header><p>Site banner</p></header><nav><p>Menu</p></nav>"
                     "<article><header><h1>Title</h1></header><p>Body</p><footer><p>By us</p></footer>"
                     "</article><aside><p>Teaser</p></aside><footer><p>Copyright</p></footer>"
                     "<div class='sidebar'><p>Not a landmark tag</p></div>"
                     "<div role='Navigation'><p>Role menu</p></div><div role='main'><p>Role main</p></div></body>")
    landmark = 1 << HINTS.index("landmark")
    marked = {t: bool(h & landmark) for t, h in zip(b.texts, b.hints)}
    assert marked == {"Site banner": True, "Menu": True, "Title": False, "Body": False, "By us": False,
                      "Teaser": True, "Copyright": True, "Not a landmark tag": False, "Role menu": True,
                      "Role main": False}


@pytest.mark.parametrize("page, title, meta_title", [
    ("<html><head><title>T</title><meta property='og:title' content='OG'></head><body><p>x</p></body></html>",
     "T", "OG"),
    # og:title blank in the head: twitter:title, the first one in document order
    ("<title>T</title><meta property='og:title' content=' '><p>x<meta name='twitter:title' content='TW'>",
     "T", "TW"),
    # no og:title in the head: one further down the page wins over the head's twitter:title
    ("<meta name='twitter:title' content='TW'><title>T</title><p>x<meta property='og:title' content='OG'>",
     "T", "OG"),
    ("<p>no head</p><title>Late</title>", "Late", ""),
    ("<html><head></head><body><svg><title>S</title></svg><p>x</p></body></html>", "S", ""),
    ("<p>nothing</p>", "", ""),
])
def test_titles_are_the_first_in_document_order(page, title, meta_title):
    b = segment(page, kind="html")
    assert (b.title, b.meta_title) == (title, meta_title)


def test_a_button_that_swallowed_the_page_is_read_and_a_real_button_is_not():
    article = "<p>" + "This is the article's own text, long enough to be the body of the page. " * 10 + "</p>"
    # libxml2 leaves the rest of the page inside the <button> when a <div> in it is not closed
    page = (f"<html><body><header><button class='menu'><div>Menu</button><main>{article}</main></header>"
            "<p>Share this <button>Share</button></p></body></html>")
    texts = segment(page, kind="html").texts
    assert any(t.startswith("This is the article's own text") for t in texts)
    assert "Share this" in texts and not any("Share" == t or t.endswith("Share") for t in texts)


def test_mark_blocks_marks_each_blocks_element_on_the_page():
    from lxml import html as lxml_html

    from boilerplate.segment import BLOCK_MARK, mark_blocks
    page = ("<html><body><nav><a href='/'>Home</a> <a href='/n'>News</a></nav><h1>A title</h1>"
            "<p>First line of the paragraph.<br>Second line.</p><div><span>Loose text</span> in a div</div>"
            "<script>var x = 1;</script></body></html>")
    marked, blocks = mark_blocks(page)
    assert blocks.texts == segment(page).texts
    owner = {}
    for el in lxml_html.fromstring(marked).iter():
        for i in (el.get(BLOCK_MARK) or "").split():
            owner[int(i)] = el
    assert sorted(owner) == list(range(len(blocks.texts)))  # every block has its element, once
    for i, text in enumerate(blocks.texts):
        assert text in " ".join(owner[i].text_content().split()), (i, text)
    assert owner[0].tag == "nav" and owner[2] is owner[3]  # (two lines of one <p>)
    nothing, empty = mark_blocks("   ")
    assert nothing == "" and empty.texts == []

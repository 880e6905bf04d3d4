from pathlib import Path

import pytest

from boilerplate.errors import LabelError
from boilerplate.labeled import format_labels, load_article, load_labeled

PAGE = " date 2025-01-01 選單\n\n標題\n正文第一段。\n頁尾\n"
GOOD = "line\trole\ttext\n1\tchrome\t選單\n3\ttitle\t標題\n4\tbody\t正文第一段。\n5\tchrome\t頁尾\n"


def write(tmp_path: Path, tsv: str, page: str = PAGE, name: str = "a") -> Path:
    (tmp_path / f"{name}.txt").write_text(page, encoding="utf-8")
    path = tmp_path / f"{name}.tsv"
    path.write_text(tsv, encoding="utf-8")
    return path


def test_seed_articles_load(labeled_dir):
    articles = load_labeled(labeled_dir)
    assert len(articles) >= 5  # the five seed articles, and any a user has added
    for a in articles:
        assert len(a.roles) == len(a.blocks) and a.labels.any() and not a.labels.all()


def test_good_file_and_roundtrip(tmp_path):
    a = load_article(write(tmp_path, GOOD))
    assert a.roles == ["chrome", "title", "body", "chrome"]
    assert a.content_text == "標題\n正文第一段。"
    assert format_labels(a.blocks.line_no, a.roles, a.blocks.texts) == GOOD


@pytest.mark.parametrize("tsv,message", [
    (GOOD.replace("title", "headline"), r"a\.tsv:3: unknown role 'headline'"),
    (GOOD.replace("正文第一段。", "別的文字"), r"a\.tsv:4: text does not match line 4"),
    (GOOD.replace("5\tchrome\t頁尾\n", ""), r"1 line\(s\) of the page have no label, first: line 5"),
    (GOOD + "4\tbody\t正文第一段。\n", r"a\.tsv:6: line 4 is labeled twice"),
    (GOOD.replace("3\ttitle", "2\ttitle"), r"a\.tsv:3: the page has no non-blank line/block 2"),
    (GOOD.replace("line\trole\ttext", "n\trole"), r"a\.tsv:1: the header"),
    (GOOD.replace("4\tbody\t", "4\tbody "), r"a\.tsv:4: expected 3 tab-separated fields"),
    (GOOD.replace("title", "chrome").replace("body", "chrome"), "no content line"),
])
def test_loader_errors_name_file_and_line(tmp_path, tsv, message):
    with pytest.raises(LabelError, match=message):
        load_article(write(tmp_path, tsv))


def test_missing_page_and_ambiguous_page(tmp_path):
    tsv = tmp_path / "b.tsv"
    tsv.write_text(GOOD, encoding="utf-8")
    with pytest.raises(LabelError, match=r"b\.tsv: no page file"):
        load_article(tsv)
    (tmp_path / "b.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(LabelError, match="ambiguous"):
        load_article(tsv)


def test_empty_or_missing_directory(tmp_path):
    with pytest.raises(LabelError, match="no labeled articles"):
        load_labeled(tmp_path)
    with pytest.raises(LabelError, match="not a directory"):
        load_labeled(tmp_path / "nope")


def test_html_article(tmp_path):
    (tmp_path / "h.html").write_text("<body><h1>標題</h1><p>正文。</p><div>頁尾</div></body>", encoding="utf-8")
    (tmp_path / "h.tsv").write_text("line\trole\ttext\n1\ttitle\t標題\n2\tbody\t正文。\n3\tchrome\t頁尾\n",
                                    encoding="utf-8")
    assert load_article(tmp_path / "h.tsv").labels.tolist() == [True, True, False]


def test_gzipped_and_xhtml_pages_beside_labels(tmp_path):
    import gzip

    page = "<body><h1>標題</h1><p>正文。</p><div>頁尾</div></body>"
    labels = "line\trole\ttext\n1\ttitle\t標題\n2\tbody\t正文。\n3\tchrome\t頁尾\n"
    (tmp_path / "g.html.gz").write_bytes(gzip.compress(page.encode("utf-8")))
    (tmp_path / "x.xhtml").write_text(page, encoding="utf-8")
    for name in ("g", "x"):
        (tmp_path / f"{name}.tsv").write_text(labels, encoding="utf-8")
        assert load_article(tmp_path / f"{name}.tsv").labels.tolist() == [True, True, False]


def test_duplicate_articles_are_refused(tmp_path):
    for name in ("a", "copy"):
        write(tmp_path, GOOD, name=name)
    with pytest.raises(LabelError, match=r"a\.tsv and copy\.tsv are the same article \(same page text\)"):
        load_labeled(tmp_path)
    (tmp_path / "copy.txt").write_text(PAGE.replace("正文", "另一篇"), encoding="utf-8")
    (tmp_path / "copy.tsv").write_text(GOOD.replace("正文", "另一篇"), encoding="utf-8")
    assert [a.name for a in load_labeled(tmp_path)] == ["a", "copy"]
    write(tmp_path, GOOD.replace("正文", "第三篇"), PAGE.replace("正文", "第三篇"), name="A")
    with pytest.raises(LabelError, match=r"A\.tsv and a\.tsv are the same article \(same name\)"):
        load_labeled(tmp_path)

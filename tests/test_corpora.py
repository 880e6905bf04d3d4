import json

from boilerplate.corpora import guess_lang, read_corpus
from boilerplate.sites import guess_site, site_domain


def test_site_domain_keeps_the_registrable_part():
    assert site_domain("edition.cnn.com") == "cnn.com"
    assert site_domain("news.sina.com.cn") == "sina.com.cn"
    assert site_domain("www.express.co.uk") == "express.co.uk"
    assert site_domain("bbs.pku.edu.cn") == "pku.edu.cn"
    assert site_domain("rfi.fr") == "rfi.fr"
    assert site_domain("WWW.Example.COM.") == "example.com"


def test_guess_site_prefers_the_canonical_url_then_the_most_linked_domain():
    links = "".join(f'<a href="http://news.sohu.com/{i}">x</a>' for i in range(3))
    ads = '<a href="https://ads.example.net/1">ad</a><a href=https://ads.example.net/2>ad</a>'
    assert guess_site(f"<html><body>{ads}{links}</body></html>".encode()) == "sohu.com"
    canonical = b'<link rel="canonical" href="https://www.rfi.fr/cn/a.html">'
    assert guess_site(canonical + links.encode()) == "rfi.fr"
    og = b'<meta property="og:url" content="http://blog.wenxuecity.com/p/1">'
    assert guess_site(og) == "wenxuecity.com"
    # too few links to say, relative links, or none at all: unknown
    assert guess_site(ads.encode()) is None
    assert guess_site(b'<a href="/local">x</a>' * 5) is None
    assert guess_site(b"") is None


def test_pages_of_one_site_share_a_cross_validation_group(tmp_path):
    (tmp_path / "original").mkdir()
    (tmp_path / "cleaned").mkdir()
    links = "".join(f'<a href="https://blog.wenxuecity.com/{i}">x</a>' for i in range(3))
    for name in ("p1", "p2"):
        (tmp_path / "original" / f"{name}.html").write_text(f"<p>{name}</p>{links}", encoding="utf-8")
        (tmp_path / "cleaned" / f"{name}.txt").write_text(name, encoding="utf-8")
    (tmp_path / "original" / "p3.html").write_text("<p>alone</p>", encoding="utf-8")
    (tmp_path / "cleaned" / "p3.txt").write_text("alone", encoding="utf-8")
    assert [(p.id, p.site) for p in read_corpus(tmp_path)] == [
        ("p1", "wenxuecity.com"), ("p2", "wenxuecity.com"), ("p3", None)]


def test_language_guess():
    assert guess_lang("這是中文新聞的內容, with a few words") == "zh"
    assert guess_lang("This is an English article") == "en"
    assert guess_lang("") == "en"


def test_ground_truth_records_carry_language_page_type_and_title(tmp_path):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "a.html").write_text("<p>Body</p>", encoding="utf-8")
    (tmp_path / "html" / "b.html").write_text("<p>Other</p>", encoding="utf-8")
    (tmp_path / "ground-truth.json").write_text(json.dumps({
        "a": {"articleBody": "Body", "url": "https://news.example.co.uk/x", "lang": "en",
              "page_type": "forum", "title": "A title"},
        "b": {"articleBody": "Other", "url": "", "lang": 7, "page_type": None}}), encoding="utf-8")
    pages = list(read_corpus(tmp_path))
    assert [(p.site, p.lang, p.page_type, p.title) for p in pages] == [
        ("example.co.uk", "en", "forum", "A title"), (None, None, None, None)]


def test_gold_stored_as_utf16_misread_as_utf8_is_read_again():
    from boilerplate.corpora import repair_utf16

    text = "A headline\r\nThe body, ’quoted’."
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"", "utf-16-le")):
        misread = (bom + text.encode(codec)).decode("utf-8", "replace")
        assert repair_utf16(misread) == text
    assert repair_utf16(("Café" + text).encode("utf-16-le").decode("utf-8", "replace")) == "Caf?" + text
    for fine in ("plain text", "a\x00b", "", "新闻 text"):
        assert repair_utf16(fine) == fine

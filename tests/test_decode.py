import codecs

import pytest

from boilerplate.decode import declared_charset, decode_page, decode_text
from boilerplate.errors import InputError

ZH_TRAD = "美國與澳洲簽署關鍵礦產協議，共同開採稀土。"
ZH_SIMP = "美国与澳洲签署关键矿产协议，共同开采稀土。"


def page(charset: str | None, body: str) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<html><head>{meta}<title>t</title></head><body><p>{body}</p></body></html>"


def test_str_is_returned_unchanged():
    assert decode_text("abc 中文") == "abc 中文"


@pytest.mark.parametrize("bom,enc", [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                                     (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_bom_wins(bom, enc):
    assert decode_text(bom + ZH_TRAD.encode(enc)) == ZH_TRAD


@pytest.mark.parametrize("charset,enc,text", [("utf-8", "utf-8", ZH_TRAD), ("gbk", "gbk", ZH_SIMP),
                                              ("gb2312", "gb2312", ZH_SIMP), ("big5", "big5", ZH_TRAD),
                                              ("gb18030", "gb18030", ZH_TRAD)])
def test_declared_charset(charset, enc, text):
    assert text in decode_text(page(charset, text).encode(enc))


@pytest.mark.parametrize("enc,text", [("gbk", ZH_SIMP * 20), ("big5", ZH_TRAD * 20), ("utf-8", ZH_TRAD)])
def test_missing_meta_is_detected(enc, text):
    assert text in decode_text(page(None, text).encode(enc))


def test_wrong_meta_utf8_page_declared_gbk():
    assert ZH_TRAD in decode_text(page("gbk", ZH_TRAD).encode("utf-8"))


def test_wrong_meta_gbk_page_declared_utf8():
    assert ZH_SIMP * 10 in decode_text(page("utf-8", ZH_SIMP * 10).encode("gbk"))


def test_http_charset_is_used():
    assert ZH_TRAD in decode_text(page(None, ZH_TRAD).encode("big5"), http_charset="big5")


def test_declared_charset_parses_http_equiv():
    data = b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">'
    assert declared_charset(data) == "gb18030"


def test_empty_and_whitespace_bytes():
    assert decode_text(b"") == ""
    assert decode_text(b"  \n\t ") == ""


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)), b"%PDF-1.7\n%\xe2\xe3",
                                  b"PK\x03\x04" + b"\x00" * 50, bytes(range(32)) * 100])
def test_binary_is_refused(data):
    with pytest.raises(InputError, match="binary"):
        decode_text(data)


def test_not_bytes_or_str():
    with pytest.raises(InputError, match="str or bytes"):
        decode_text(12)  # type: ignore[arg-type]


def test_mostly_utf8_with_a_broken_sequence_stays_utf8():
    data = page("big5", ZH_TRAD * 50).encode("utf-8") + "截斷".encode()[:-1]
    text = decode_text(data)
    assert ZH_TRAD * 50 in text and text.count("\ufffd") == 1


NAV = "".join(f'<li><a href="/section/{i}.html" class="nav-item">Section {i}</a></li>\n' for i in range(400))


@pytest.mark.parametrize("text, enc", [
    ("美国总统与澳洲总理在白宫签署关键矿产协议，两国将在六个月内各自投入十亿美元，共同开采与加工关键矿物。", "gbk"),
    ("美国总统与澳洲总理在白宫签署关键矿产协议，两国将在六个月内各自投入十亿美元，共同开采与加工关键矿物。" * 3,
     "gbk"),
    ("美國總統與澳洲總理在白宮簽署關鍵礦產協議，兩國將在六個月內各自投入十億美元，共同開採與加工關鍵礦物。", "big5"),
])
def test_undeclared_chinese_is_not_read_as_a_single_byte_charset(text, enc):
    # much markup and a little Chinese: the detector's own guess is cp1250 or, for GBK, Big5
    page = f"<html><head><title>News</title></head><body><ul>{NAV}</ul><p>{text}</p></body></html>"
    assert decode_text(page.encode(enc)) == page


@pytest.mark.parametrize("text, encodings", [
    ("東京都は今日、新しい防災計画を発表しました。地震や台風に備えて、住民の避難場所を増やす方針です。",
     ("shift_jis", "euc_jp")),
    ("서울시는 오늘 새로운 교통 정책을 발표했습니다. 시민들의 안전을 위해 버스 노선을 늘릴 계획입니다.", ("euc_kr",)),
])
def test_undeclared_japanese_and_korean_are_not_read_as_chinese(text, encodings):
    page = "<html><body><p>" + text * 10 + "</p></body></html>"
    for enc in encodings:
        assert decode_text(page.encode(enc)) == page


def test_undeclared_cyrillic_stays_cyrillic():
    page = "<html><body><p>" + "Президент заявил, что переговоры продолжатся на следующей неделе. " * 5 + "</p>"
    assert decode_text(page.encode("cp1251")) == page


def test_chinese_corpus_pages_without_charset_declarations_decode_in_every_encoding():
    """Every Chinese page of the dev corpora, its charset declarations removed, re-encoded as UTF-8,
    GB18030, GBK and Big5 (where its text fits), extracts as its text does."""
    import re

    import boilerplate
    from boilerplate.corpora import corpus_paths, read_corpus

    meta = re.compile(r"<meta[^>]*charset[^>]*>", re.I)
    pages = [p for path in corpus_paths() for p in read_corpus(path) if (p.lang or "zh") == "zh"
             and sum("\u4e00" <= c <= "\u9fff" for c in p.clean[:2000]) > 100]
    if not pages:
        pytest.skip("no Chinese corpus pages (set $BOILERPLATE_CORPORA)")
    same = total = 0
    for p in pages:
        text = meta.sub("", decode_text(p.html))
        expected = boilerplate.extract(text)
        for enc in ("utf-8", "gb18030", "gbk", "big5"):
            try:
                data = text.encode(enc)
            except UnicodeEncodeError:
                continue
            total += 1
            same += boilerplate.extract(data) == expected
    assert same >= 0.995 * total


@pytest.mark.parametrize("data, exact", [
    ("<p>新闻 news</p>".encode(), True),
    (codecs.BOM_UTF8 + b"<p>x</p>", False),  # the BOM is not part of the text
    (b"<p>a\x00b</p>", False),  # NUL dropped from the text
    ("<p>新闻</p>".encode("gb18030") * 20, False),
    ("<p>é</p>".encode() * 500 + b"\xff", False),  # read leniently: a replacement character
    ("<p>x</p>", False),  # already text
])
def test_utf8_bytes_are_handed_on_only_when_they_are_the_text(data, exact):
    from boilerplate.segment import segment

    decoded = decode_page(data)
    assert (decoded.utf8 is not None) == exact
    if exact:
        assert decoded.utf8 == decoded.text.encode("utf-8")
        a, b = segment(decoded.text, utf8=decoded.utf8), segment(decoded.text)
        assert a.texts == b.texts == ["新闻 news"] and a.tag.tolist() == b.tag.tolist()


FRENCH = "Le garçon a mangé une crème brûlée à la française, très élégante « déjà vu ». " * 3
POLISH = "Zażółć gęślą jaźń — źródło: Łódź, ósmy października. " * 3


def misread(text: str) -> str:
    """What a browser or crawler stores after reading UTF-8 bytes as windows-1252 (WHATWG: the five bytes
    cp1252 leaves undefined become U+0081, U+008D...)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8"))


@pytest.mark.parametrize("text", [FRENCH, POLISH, "Don’t “quote” me — it’s 20 °C… ✓ " * 4])
@pytest.mark.parametrize("latin1", [False, True])
def test_utf8_read_as_cp1252_or_latin1_is_repaired(text, latin1):
    stored = page(None, text.encode("utf-8").decode("latin-1") if latin1 else misread(text))
    assert text in decode_text(stored.encode("utf-8")), "bytes holding the mojibake"
    assert text in decode_text(stored), "the same as str (a response body decoded with the wrong charset)"
    assert decode_page(stored.encode("utf-8")).encoding == "utf-8"


@pytest.mark.parametrize("charset,enc,stored_as", [("gbk", "gbk", "iso8859_15"), ("gbk", "gbk", "latin-1"),
                                                   ("big5", "big5", "latin-1")])
def test_chinese_read_as_latin_and_stored_as_utf8_is_repaired(charset, enc, stored_as):
    text = ZH_SIMP * 10 if enc == "gbk" else ZH_TRAD * 10
    stored = page(charset, text).encode(enc).decode(stored_as)
    decoded = decode_page(stored.encode("utf-8"))
    assert text in decoded.text and decoded.encoding in ("gb18030", "big5hkscs")


def test_chinese_stored_wrongly_twice_is_repaired():
    once = page("gb2312", ZH_SIMP * 10).encode("gbk").decode("latin-1")
    twice = once.encode("utf-8").decode("latin-1")
    assert ZH_SIMP * 10 in decode_text(twice.encode("utf-8"))


@pytest.mark.parametrize("text", [FRENCH, POLISH, "Ã©tÃ© " + FRENCH])
def test_real_latin_text_is_left_alone(text):
    # (the last holds a few pairs that look like mojibake, but the page as a whole does not re-encode)
    assert text in decode_text(page("utf-8", text).encode("utf-8"))
    assert text in decode_text(page(None, text))


def test_mojibake_is_not_repaired_with_an_explicit_encoding():
    stored = page(None, misread(FRENCH)).encode("utf-8")
    assert misread(FRENCH) in decode_text(stored, encoding="utf-8")


def test_text_with_undefined_cp1252_bytes_and_other_characters_is_left_alone():
    text = "Ã©tÃ© \x81 \x8d — 🤔 ✓ " * 5
    assert text in decode_text(page("utf-8", text).encode("utf-8"))

import codecs

import pytest

from boilerplate.decode import declared_charset, decode
from boilerplate.errors import InputError

ZH_TRAD = "美國與澳洲簽署關鍵礦產協議，共同開採稀土。"
ZH_SIMP = "美国与澳洲签署关键矿产协议，共同开采稀土。"


def page(charset: str | None, body: str) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<html><head>{meta}<title>t</title></head><body><p>{body}</p></body></html>"


def test_str_is_returned_unchanged():
    assert decode("abc 中文") == "abc 中文"


@pytest.mark.parametrize("bom,enc", [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                                     (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_bom_wins(bom, enc):
    assert decode(bom + ZH_TRAD.encode(enc)) == ZH_TRAD


@pytest.mark.parametrize("charset,enc,text", [("utf-8", "utf-8", ZH_TRAD), ("gbk", "gbk", ZH_SIMP),
                                              ("gb2312", "gb2312", ZH_SIMP), ("big5", "big5", ZH_TRAD),
                                              ("gb18030", "gb18030", ZH_TRAD)])
def test_declared_charset(charset, enc, text):
    assert text in decode(page(charset, text).encode(enc))


@pytest.mark.parametrize("enc,text", [("gbk", ZH_SIMP * 20), ("big5", ZH_TRAD * 20), ("utf-8", ZH_TRAD)])
def test_missing_meta_is_detected(enc, text):
    assert text in decode(page(None, text).encode(enc))


def test_wrong_meta_utf8_page_declared_gbk():
    assert ZH_TRAD in decode(page("gbk", ZH_TRAD).encode("utf-8"))


def test_wrong_meta_gbk_page_declared_utf8():
    assert ZH_SIMP * 10 in decode(page("utf-8", ZH_SIMP * 10).encode("gbk"))


def test_http_charset_is_used():
    assert ZH_TRAD in decode(page(None, ZH_TRAD).encode("big5"), http_charset="big5")


def test_declared_charset_parses_http_equiv():
    data = b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">'
    assert declared_charset(data) == "gb18030"


def test_empty_and_whitespace_bytes():
    assert decode(b"") == ""
    assert decode(b"  \n\t ") == ""


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)), b"%PDF-1.7\n%\xe2\xe3",
                                  b"PK\x03\x04" + b"\x00" * 50, bytes(range(32)) * 100])
def test_binary_is_refused(data):
    with pytest.raises(InputError, match="binary"):
        decode(data)


def test_not_bytes_or_str():
    with pytest.raises(InputError, match="str or bytes"):
        decode(12)  # type: ignore[arg-type]


def test_mostly_utf8_with_a_broken_sequence_stays_utf8():
    data = page("big5", ZH_TRAD * 50).encode("utf-8") + "截斷".encode("utf-8")[:-1]
    text = decode(data)
    assert ZH_TRAD * 50 in text and text.count("\ufffd") == 1

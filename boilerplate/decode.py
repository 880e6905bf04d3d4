"""bytes → str: BOM, then the HTTP / <meta> charset, then detection (charset-normalizer); then a
repair of mojibake (text whose bytes were once read as Latin-9 or cp1252 and stored again).

UTF-8 is tried strictly before any declared charset, because a page that validates as UTF-8 almost
never is anything else, while GB18030 and Big5 decoders accept many byte strings that are not theirs.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .errors import InputError

MAX_BYTES = 64 * 1024 * 1024  # larger inputs are refused with InputError rather than parsed
UTF8_TOLERANCE = 1000  # one invalid UTF-8 sequence per this many bytes (or 2) still reads as UTF-8 ...
UTF8_DECLARED_TOLERANCE = 50  # ... and one per this many where the page declares UTF-8

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Declared names mapped to the superset codec that browsers actually use for them.
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "big5": "big5hkscs", "x-x-big5": "big5hkscs", "cp950": "big5hkscs",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252",
    "unicode": "utf-8", "utf8": "utf-8",
}
_META_RE = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"BZh",
          b"\x7fELF", b"MZ", b"RIFF", b"OggS", b"\x00\x00\x01\x00", b"7z\xbc\xaf", b"Rar!",
          b"\xd0\xcf\x11\xe0", b"ID3", b"fLaC", b"\x00asm", b"wOFF", b"wOF2")


@lru_cache(maxsize=256)
def _codec(name: str | None) -> str | None:
    """The Python codec for a declared charset name, or None if Python does not know it."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
        if not getattr(info, "_is_text_encoding", True) or "escape" in info.name:  # rot13, base64, hex,
            return None  # zlib, bz2, uu, quopri; unicode-escape
        b"<p>\xe9\x80\xff</p>".decode(info.name, errors="replace")  # ("undefined", idna: no text codecs)
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    return info.name


def declared_charset(data: bytes) -> str | None:
    """The charset a `<meta charset>` / `http-equiv` tag in the first 8 KB declares, if any."""
    m = _META_RE.search(data[:8192])
    return _codec(m.group(1).decode("ascii", "replace")) if m else None


_CONTROL = bytes((0, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31))
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)  # deleted to count the control bytes


def check_not_binary(data: bytes) -> None:
    """Raise InputError for data that is evidently not text (file magic, or NUL/control bytes)."""
    head = data[:4096]
    if head.startswith(b"\x1f\x8b"):
        raise InputError("input is gzip-compressed; decompress it first (a file path is decompressed "
                         "when read)")
    if head.startswith(_MAGIC):
        raise InputError("input is binary data (a known file signature), not text/HTML")
    controls = len(head.translate(None, _NOT_CONTROL))
    if controls > max(8, len(head) // 100):
        raise InputError("input is binary data (control bytes), not text/HTML")


def valid_unicode(text: str) -> str:
    """Drop NUL characters and replace lone surrogates (from bad JSON, `surrogateescape`) with U+FFFD,
    so that every later stage, and every writer of the results, gets valid Unicode."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # pairs written as two surrogates are joined, lone ones replaced
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


_NO_SURROGATES = frozenset({"utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "ascii", "gb18030",
                            "big5hkscs", "cp1252"})


class Decoded(NamedTuple):
    """A decoded page and the codec used (None when the input was already text); `utf8` is the input
    itself when it is exactly `text` encoded as UTF-8 (so the HTML parser need not encode it again)."""

    text: str
    encoding: str | None
    utf8: bytes | None = None


def decode_text(data: bytes | str, *, encoding: str | None = None, http_charset: str | None = None) -> str:
    """Decode page bytes to valid text (see `valid_unicode`); raises InputError for binary or huge data."""
    return decode_page(data, encoding=encoding, http_charset=http_charset).text


def decode_page(data: bytes | str, *, encoding: str | None = None,
                http_charset: str | None = None) -> Decoded:
    """`decode_text`, also reporting the codec used. `encoding` overrides everything (BOM, declarations,
    detection); `http_charset` is the Content-Type charset, trusted like a `<meta>` declaration."""
    if isinstance(data, str):
        if len(data) > MAX_BYTES:
            raise InputError(f"input is {len(data):,} characters; the limit is {MAX_BYTES:,}")
        text = valid_unicode(data)
        if not text.isascii():
            repaired = repair_mojibake(text, text.encode("utf-8"))
            if repaired is not None:
                return Decoded(*repaired)
        return Decoded(text, None)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"expected str or bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise InputError(f"input is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    if encoding is not None:
        forced = _codec(encoding)
        if forced is None:
            raise InputError(f"unknown encoding {encoding!r}")
        return Decoded(valid_unicode(data.decode(forced, errors="replace")), forced)
    text, used, exact = _decode_bytes(data, http_charset)
    if used == "utf-8":
        repaired = repair_mojibake(text, data, http_charset)
        if repaired is not None:
            return Decoded(valid_unicode(repaired[0]), repaired[1])
    if used in _NO_SURROGATES:  # (their decoders never produce lone surrogates: only NULs to drop)
        if "\x00" in text:
            return Decoded(text.replace("\x00", ""), used)
        return Decoded(text, used, data if exact else None)
    return Decoded(valid_unicode(text), used)


# cp1252's characters for the bytes 0x80–0x9F, mapped back to them (U+0080–U+00FF are their own bytes)
_CP1252_BYTES = {ord(bytes([b]).decode("cp1252")): chr(b) for b in range(0x80, 0xA0)
                 if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_CP1252_UNDEFINED = ("\x81", "\x8d", "\x8f", "\x90", "\x9d")
_MOJIBAKE_MIN = 3  # characters of U+00C0–U+00FF a page needs before a repair is tried
_MOJIBAKE_SAMPLE = 16384  # bytes from the first such character, read in every way before the whole page
_CHINESE = ("gb18030", "big5hkscs")  # declared charsets under which repaired bytes may read as Chinese
_MOJIBAKE_ROUNDS = 2  # a page stored wrongly twice ("Ã\x8aÃ\x97" for GBK read as cp1252 twice) is common


def repair_mojibake(text: str, utf8: bytes, http_charset: str | None = None) -> tuple[str, str] | None:
    """(repaired text, codec) for text whose bytes were read as Latin-9 or cp1252 and stored again ("Ã©"
    for "é", "Ž¬³€" for GBK Chinese), or None. `utf8` is the text in UTF-8. The text's characters turned
    back into bytes must read as strict UTF-8, or as Chinese under the charset the page declares (GBK,
    Big5): French text, whose bytes do neither, is left alone."""
    used = chinese = None
    for round_ in range(_MOJIBAKE_ROUNDS):
        # (UTF-8 and GBK lead bytes read as Latin are "Ã"…"ÿ", stored as 0xC3 and a byte: found by memchr)
        start = utf8.find(b"\xc3")
        if start < 0 or utf8.count(b"\xc3", start) < _MOJIBAKE_MIN:
            break
        if round_ == 0:
            declared = _codec(http_charset) or declared_charset(utf8)
            chinese = declared if declared in _CHINESE else None
        sample = utf8[start:start + _MOJIBAKE_SAMPLE].decode("utf-8", errors="ignore")
        reading = _reread(sample, text, chinese)
        if reading is None:
            break
        text, used = reading
        utf8 = text.encode("utf-8")
    return (text, used) if used is not None else None


def _reread(sample: str, text: str, chinese: str | None) -> tuple[str, str] | None:
    """(text, codec): the text's characters as the bytes a single-byte reading (`_single_bytes`) gives,
    decoded as UTF-8, or as the `chinese` codec when they read as Chinese; each tried on the sample first
    (a page of megabytes of legitimate Latin text fails there, fast)."""
    best, best_share = None, 0.0
    for codec, raw in _single_bytes(sample):
        try:
            codecs.utf_8_decode(raw, "strict", False)  # (the sample's last character may be cut)
        except UnicodeDecodeError:
            if chinese is not None:
                enc, share = _plausible_chinese(raw)
                if enc == chinese and share > best_share:
                    best, best_share = codec, share
            continue
        try:
            return _encode(text, codec).decode("utf-8"), "utf-8"
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    if best is None or chinese is None:
        return None
    try:
        return _encode(text, best).decode(chinese, errors="replace"), chinese
    except UnicodeEncodeError:
        return None


def _single_bytes(sample: str) -> list[tuple[str, bytes]]:
    """(codec, bytes) for each single-byte reading under which every character of the sample has a byte:
    Latin-9 (ISO-8859-15: "€" and "Ž" on 0xA4 and 0xB4), cp1252, Latin-1 (C1 controls on 0x80–0x9F), else
    as browsers read windows-1252 ("whatwg": cp1252 with its five undefined bytes as C1 controls; a slow
    translation, tried only where no other reading holds and it can differ from them). A text that
    Latin-9 reads whole lacks "¤", "´", "¼" and cp1252's quotes, which a cp1252 reading of GBK or UTF-8
    bytes holds, so Latin-9 comes first and wins a tie."""
    readings = []
    for codec in ("iso8859_15", "cp1252", "latin-1"):
        try:
            readings.append((codec, sample.encode(codec)))
        except UnicodeEncodeError:
            pass
    if not readings and any(c in sample for c in _CP1252_UNDEFINED):
        try:
            readings.append(("whatwg", _encode(sample, "whatwg")))
        except UnicodeEncodeError:
            pass
    return readings


def _encode(text: str, codec: str) -> bytes:
    """The text's characters as single bytes (`_single_bytes`); UnicodeEncodeError where one has none."""
    if codec == "whatwg":
        return text.translate(_CP1252_BYTES).encode("latin-1")
    return text.encode(codec)


def _utf16_without_bom(head: bytes) -> str | None:
    """"utf-16-le"/"-be" when the bytes look like mostly-ASCII UTF-16 (NUL in every other byte)."""
    if len(head) < 8:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 0.4 * len(head) / 2 and even == 0:
        return "utf-16-le"
    if even > 0.4 * len(head) / 2 and odd == 0:
        return "utf-16-be"
    return None


def _decode_bytes(data: bytes, http_charset: str | None) -> tuple[str, str, bool]:
    """(text, codec, whether the data is exactly the text in strict UTF-8)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc, False
    if not data.strip():
        return "", "ascii", False
    utf16 = _utf16_without_bom(data[:4096])
    if utf16:
        return data.decode(utf16, errors="replace"), utf16, False
    check_not_binary(data)
    try:
        return data.decode("utf-8"), "utf-8", True
    except UnicodeDecodeError as e:
        first_error = e.start
    declared = (_codec(http_charset), declared_charset(data))
    # (UTF-8 with a few broken sequences stays UTF-8; more of them where the page says it is UTF-8)
    tolerated = max(2, len(data) // (UTF8_DECLARED_TOLERANCE if "utf-8" in declared else UTF8_TOLERANCE))
    if not _many_utf8_errors(data, first_error, tolerated):  # (else surely not UTF-8)
        lenient = data.decode("utf-8", errors="replace")
        if lenient.count("\ufffd") <= tolerated:
            return lenient, "utf-8", False
    for name in declared:
        if name and name != "utf-8":
            try:
                return data.decode(name), name, False
            except UnicodeDecodeError:
                pass
    text, enc = _detect(data, fallback=declared[0] or declared[1])
    return text, enc, False


def _many_utf8_errors(data: bytes, start: int, limit: int) -> bool:
    """Whether the bytes hold more than `limit` invalid UTF-8 sequences from `start` (the first one);
    stops counting as soon as they do, so a GBK or Big5 page is told from UTF-8 after a few hundred bytes
    of text instead of a decode of the whole page."""
    view = memoryview(data)
    errors, pos = 0, start
    while pos < len(data):
        try:
            codecs.utf_8_decode(view[pos:], "strict", True)
            return False
        except UnicodeDecodeError as e:
            errors += 1
            if errors > limit:
                return True
            pos += e.end
    return False


def _detect(data: bytes, fallback: str | None) -> tuple[str, str]:
    """Decode undeclared non-UTF-8 bytes: as Chinese when they read as plausible Chinese text (checked
    first: it is cheap, and charset-normalizer reads GBK as Cyrillic, e.g. iso8859_5 or ptcp154, and GBK
    as Big5), else with charset-normalizer's best guess; replacement characters for stray bytes."""
    sample = data[:200_000]
    enc, _ = _plausible_chinese(sample)
    if enc is None:
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
        enc = _codec(best.encoding) if best is not None else None
    enc = enc or fallback or "gb18030"
    return data.decode(enc, errors="replace"), enc


# Frequent Chinese characters, simplified and traditional: in real Chinese text most Han characters are
# among them; in bytes of another charset read as GBK or Big5, few are.
_FREQUENT_HAN = frozenset(
    "的一是不了人我在有他这這中大来來上国國个個到说說们們为為子和你地出道也时時年得就那要下以生会會自着著"
    "去之过過家学學对對可她里裡后後小么麼心多天而能好都然没沒日于於起还還发發成事只作当當想看文无無开開手十"
    "用主行方又如前所本见見经經头頭面公同三已老从從动動两兩长長知民样樣现現分将將外但身些与與高意进進把法此"
    "实實回二理美点點月明其种種声聲全工己话話儿兒者向情部正名定女问問力机機给給等几幾很业業最间間新什打便位"
    "因重被走电電四第门門相次东東政海口使教西再平真听聽世气氣信北少关關并並内內加化由却卻代军軍产產入先山五"
    "太水万萬市眼体體别別处處总總才场場师師书書比住员員九笑性通目华華报報立马馬命张張活难難神数數件安表原车車"
    "白应應路期叫死常提感金何更反合放做系计計或司利受光王果亲親界及今京务務制解各任至清物台象记記边邊共风風"
    "战戰干接它许許八特觉覺望直服毛林题題建南度统統色字请請交爱愛让讓认認算论論百吃义義科怎元社术術结結六功"
    "指思非流每青管夫连連远遠资資队隊跟带帶花快条條院变變联聯言权權往展该該领領传傳近留红紅治决決周保达達办"
    "辦运運武半候七必城父强強步完革深区區即求品士转轉量空甚众眾技轻輕程告江语語英基派满滿式李息写寫呢识識极"
    "極令黄黃德收脸臉钱錢党黨倒未持取设設始版双雙历歷越史商千片容研像找友孩站广廣改议議形委早房音火际際则則"
    "首单單据據导導影失拿网網香似斯专專石若兵弟谁誰校读讀志飞飛观觀争爭究包组組造落视視济濟喜离離虽雖坏壞兴"
    "興切装裝诉訴新闻聞台湾灣市场場记者據报導表示指出今天目前已经經表示企业業发展展示公司")
_HAN_MIN_SHARE = 0.6  # of the non-ASCII characters, for a reading to count as Chinese
_FREQUENT_MIN_SHARE = 0.3  # of the Han characters (real text: ~0.5–0.8; misread bytes: a few percent)
_HAN_SAMPLE = 5000  # Han characters enough to tell
_HAN_FIRST, _HAN_LAST = 0x4E00, 0x9FFF
_IS_FREQUENT = np.zeros(_HAN_LAST + 1, dtype=bool)
_IS_FREQUENT[[ord(c) for c in _FREQUENT_HAN]] = True


def _plausible_chinese(sample: bytes) -> tuple[str | None, float]:
    """("gb18030" or "big5hkscs", share of frequent characters among its Han ones) when the bytes read as
    Chinese text under it (mostly Han characters, most of them frequent ones, few undecodable bytes), the
    more plausible of the two; else (None, 0.0)."""
    best, best_share = None, _FREQUENT_MIN_SHARE
    for enc in ("gb18030", "big5hkscs"):
        text = sample.decode(enc, errors="replace")
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        non_ascii = np.count_nonzero(points >= 0x80)
        han = points[(points >= _HAN_FIRST) & (points <= _HAN_LAST)]
        if not len(han) or len(han) < _HAN_MIN_SHARE * non_ascii or text.count("\ufffd") > 0.01 * non_ascii:
            continue
        han = han[:_HAN_SAMPLE]
        share = np.count_nonzero(_IS_FREQUENT[han]) / len(han)
        if share >= best_share:
            best, best_share = enc, share
    return best, (best_share if best else 0.0)

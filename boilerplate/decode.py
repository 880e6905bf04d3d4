"""bytes → str: BOM, then the HTTP / <meta> charset, then detection (charset-normalizer).

UTF-8 is tried strictly before any declared charset, because a page that validates as UTF-8 almost
never is anything else, while GB18030 and Big5 decoders accept many byte strings that are not theirs.
"""

from __future__ import annotations

import codecs
import re

from .errors import InputError

MAX_BYTES = 64 * 1024 * 1024  # larger inputs are refused with InputError rather than parsed

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
_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BZh",
          b"\x7fELF", b"MZ", b"RIFF", b"OggS", b"\x00\x00\x01\x00", b"7z\xbc\xaf", b"Rar!",
          b"\xd0\xcf\x11\xe0", b"ID3", b"fLaC", b"\x00asm", b"wOFF", b"wOF2")


def _codec(name: str | None) -> str | None:
    """The Python codec for a declared charset name, or None if Python does not know it."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset a `<meta charset>` / `http-equiv` tag in the first 8 KB declares, if any."""
    m = _META_RE.search(data[:8192])
    return _codec(m.group(1).decode("ascii", "replace")) if m else None


def check_not_binary(data: bytes) -> None:
    """Raise InputError for data that is evidently not text (file magic, or NUL/control bytes)."""
    head = data[:4096]
    if head.startswith(_MAGIC):
        raise InputError("input is binary data (a known file signature), not text/HTML")
    controls = sum(head.count(bytes([c])) for c in (0, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19,
                                                   20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31))
    if controls > max(8, len(head) // 100):
        raise InputError("input is binary data (control bytes), not text/HTML")


def clean(text: str) -> str:
    """Drop NUL characters and replace lone surrogates (from bad JSON, `surrogateescape`) with U+FFFD,
    so that every later stage, and every writer of the results, gets valid Unicode."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # pairs written as two surrogates are joined, lone ones replaced
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def decode(data: bytes | str, *, http_charset: str | None = None) -> str:
    """Decode page bytes to valid text (see `clean`); raises InputError for binary or huge data."""
    if isinstance(data, str):
        if len(data) > MAX_BYTES:
            raise InputError(f"input is {len(data):,} characters; the limit is {MAX_BYTES:,}")
        return clean(data)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"expected str or bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise InputError(f"input is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    return clean(_decode_bytes(data, http_charset))


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


def _decode_bytes(data: bytes, http_charset: str | None) -> str:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    if not data.strip():
        return ""
    utf16 = _utf16_without_bom(data[:4096])
    if utf16:
        return data.decode(utf16, errors="replace")
    check_not_binary(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    if lenient.count("\ufffd") <= max(2, len(lenient) // 1000):  # UTF-8 with a few broken sequences
        return lenient
    for enc in (_codec(http_charset), declared_charset(data)):
        if enc and enc != "utf-8":
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                pass
    return _detect(data, fallback=_codec(http_charset) or declared_charset(data))


def _detect(data: bytes, fallback: str | None) -> str:
    """Decode with charset-normalizer's best guess; replacement characters for stray bytes."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    enc = _codec(best.encoding) if best is not None else None
    return data.decode(enc or fallback or "gb18030", errors="replace")

"""File helpers: which files are pages, reading a page from a path (gzip included), atomic writes."""

from __future__ import annotations

import gzip
import hashlib
import os
import secrets
import stat
import zlib
from pathlib import Path
from typing import BinaryIO

from .decode import MAX_BYTES
from .errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
PAGE_SUFFIXES = {".txt": "text", ".html": "html", ".htm": "html", ".xhtml": "html"}  # each also as .gz


def page_suffix(name: str | os.PathLike[str]) -> str | None:
    """The page suffix of a file's name, lowercased, without a .gz (`a.HTM.gz`: ".htm"), else None."""
    lower = os.fspath(name).lower().removesuffix(".gz")
    return next((suffix for suffix in PAGE_SUFFIXES if lower.endswith(suffix)), None)


def page_kind(name: str | os.PathLike[str]) -> str | None:
    """"html" or "text" for a page file's name (`a.html`, `a.htm.gz`, `a.xhtml`, `a.txt`), else None."""
    suffix = page_suffix(name)
    return PAGE_SUFFIXES[suffix] if suffix else None


def read_page(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a page file, gunzipped when it is gzip data (`page.html.gz`); InputError, naming the
    file, when it is not a regular file (a device, FIFO or socket, also behind a symlink), cannot be
    read or decompressed, or is larger than decode.MAX_BYTES (refused by its size before reading)."""
    path = Path(path)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{path}: not a regular file (a device, FIFO or socket); not read")
        if st.st_size > MAX_BYTES and not path.name.lower().endswith(".gz"):
            raise InputError(f"{path}: {st.st_size:,} bytes; the limit is {MAX_BYTES:,}")
        with open(path, "rb") as f:
            head = f.read(2)
            f.seek(0)
            if head != GZIP_MAGIC:
                data = f.read(MAX_BYTES + 1)
            else:
                with gzip.GzipFile(fileobj=f) as gz:
                    data = gz.read(MAX_BYTES + 1)
    except OSError as e:
        if isinstance(e, gzip.BadGzipFile) or not e.strerror:
            raise InputError(f"{path}: not readable as gzip ({e})") from None
        raise InputError(f"{path}: {e.strerror}") from None
    except (EOFError, zlib.error) as e:
        raise InputError(f"{path}: truncated or corrupt gzip data ({e})") from None
    if len(data) > MAX_BYTES:
        what = "decompresses to" if head == GZIP_MAGIC else "holds"
        raise InputError(f"{path}: {what} more than {MAX_BYTES:,} bytes, the limit")
    return data


def read_capped(stream: BinaryIO, name: str) -> bytes:
    """At most MAX_BYTES from a stream (stdin, a pipe), never the whole of an endless one: InputError
    naming it past the limit."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: more than {MAX_BYTES:,} bytes, the limit; not read further")
    return data


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write text (as UTF-8) or bytes so that `path` is either the old file or the complete new one, never
    a part (written to a new temporary file beside it, created exclusively, fsynced, then renamed)."""
    while True:  # (O_EXCL | O_NOFOLLOW: a file or symlink planted at the name is never written through)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read a megabyte at a time."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()

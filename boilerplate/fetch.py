"""Fetching a page over http(s): bounded in time, size and redirects, compressed transfer undone, the
HTTP charset kept for the decoder and the final URL kept as the page's address."""

from __future__ import annotations

import re
import socket
import ssl
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .decode import MAX_BYTES
from .errors import FetchError

TIMEOUT = 20.0  # seconds for the whole fetch (connect, each read, and in total)
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.I)


@dataclass(frozen=True)
class Fetched:
    """A fetched page: its final `url` (after redirects), its body bytes (decompressed), the charset of
    its Content-Type (None when absent) and its HTTP status. Give it to `parse`/`extract` as the page."""

    url: str
    data: bytes
    http_charset: str | None
    status: int


def is_url(text: str) -> bool:
    """Whether `text` is an http(s) URL (and nothing more)."""
    return bool(URL_RE.match(text.strip())) and "\n" not in text.strip()


def _user_agent() -> str:
    try:
        return f"boilerplate/{version('boilerplate-extract')} (content extraction; python-urllib)"
    except PackageNotFoundError:
        return "boilerplate (content extraction; python-urllib)"


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 (urllib's hook)
        if not is_url(newurl):
            raise FetchError(f"{req.full_url}: redirected to {newurl!r}, which is not an http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> Fetched:
    """GET `url` (http or https) with a real User-Agent, at most MAX_REDIRECTS redirects, `timeout`
    seconds in all and a body of at most `max_bytes` (after decompression). Raises FetchError (an
    InputError) with one line saying what went wrong."""
    if not is_url(url):
        raise FetchError(f"{url!r} is not an http(s) URL")
    url = url.strip()
    request = urllib.request.Request(url, headers={
        "User-Agent": _user_agent(), "Accept-Encoding": "gzip, deflate",
        "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"})
    opener = urllib.request.build_opener(_Redirects)
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            headers: Message = response.headers
            length = headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url}: {int(length):,} bytes, over the {max_bytes:,}-byte limit")
            body = _read_body(response, headers.get("Content-Encoding", "").strip().lower(), max_bytes,
                              deadline, url)
            return Fetched(response.geturl(), body, headers.get_content_charset(), response.status)
    except urllib.error.HTTPError as e:
        if e.code in (301, 302, 303, 307, 308):
            raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects") from None
        raise FetchError(f"{url}: HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise FetchError(f"{url}: {_reason(e.reason)}") from None
    except TimeoutError:
        raise FetchError(f"{url}: no answer within {timeout:g} s") from None
    except (OSError, ValueError) as e:  # a connection reset mid-body, a malformed response
        if isinstance(e, FetchError):
            raise
        raise FetchError(f"{url}: {_reason(e)}") from None


def _reason(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return "host not found (DNS lookup failed)"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error ({reason.reason or reason})"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def _read_body(response: Any, encoding: str, max_bytes: int, deadline: float, url: str) -> bytes:
    """The body, decompressed (gzip, deflate) as it arrives, refused past `max_bytes` or `deadline`."""
    inflate = (zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding in ("gzip", "x-gzip") else
               zlib.decompressobj() if encoding == "deflate" else None)
    parts: list[bytes] = []
    size = 0
    while chunk := response.read(CHUNK):
        if time.monotonic() > deadline:
            raise FetchError(f"{url}: not received in full within the time limit")
        if inflate is not None:
            try:
                chunk = inflate.decompress(chunk, max_bytes + 1 - size)
            except zlib.error as e:
                raise FetchError(f"{url}: corrupt {encoding} body ({e})") from None
        size += len(chunk)
        if size > max_bytes or (inflate is not None and inflate.unconsumed_tail):
            raise FetchError(f"{url}: body over the {max_bytes:,}-byte limit")
        parts.append(chunk)
    return b"".join(parts)

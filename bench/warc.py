"""Build WARC files from pages (for the run benchmark and the tests): one HTTP `response` record each."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path


def write_warc(path: str | Path, pages: Iterable[tuple]) -> int:
    """Write (url, HTML bytes, HTTP charset or None[, HTTP status, media type]) pages as a gzipped WARC
    (status 200 and text/html unless given); returns the record count."""
    from fastwarc.stream_io import GzipWriter
    from fastwarc.warc import WarcRecord, WarcRecordType

    n = 0
    out = GzipWriter(str(path))
    try:
        for url, body, charset, *response in pages:
            status, media = response if response else (200, "text/html")
            rec = WarcRecord()
            rec.init_headers(record_type=WarcRecordType.response,
                             record_urn=uuid.UUID(int=n + 1).urn[4:].encode())
            rec.headers["WARC-Target-URI"] = url
            rec.headers["Content-Type"] = "application/http; msgtype=response"
            content_type = media + (f"; charset={charset}" if charset else "")
            rec.set_bytes_content(f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n\r\n".encode() + body)
            rec.write(out)
            out.finish()  # one gzip member per record, as in real crawls
            n += 1
    finally:
        out.close()
    return n

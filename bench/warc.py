"""Build WARC files from pages (for the run benchmark and the tests): one HTTP `response` record each."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterable


def write_warc(path: str | Path, pages: Iterable[tuple[str, bytes, str | None]]) -> int:
    """Write (url, HTML bytes, HTTP charset or None) pages as a gzipped WARC; returns the record count."""
    from fastwarc.stream_io import GzipWriter
    from fastwarc.warc import WarcRecord, WarcRecordType

    n = 0
    out = GzipWriter(str(path))
    try:
        for url, body, charset in pages:
            rec = WarcRecord()
            rec.init_headers(record_type=WarcRecordType.response,
                             record_urn=uuid.UUID(int=n + 1).urn[4:].encode())
            rec.headers["WARC-Target-URI"] = url
            rec.headers["Content-Type"] = "application/http; msgtype=response"
            content_type = "text/html" + (f"; charset={charset}" if charset else "")
            rec.set_bytes_content(f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n".encode() + body)
            rec.write(out)
            out.finish()  # one gzip member per record, as in real crawls
            n += 1
    finally:
        out.close()
    return n

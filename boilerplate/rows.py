"""Records → output rows: each record decoded, segmented and classified (in batches), its row written in the
schema of the shards; a record that cannot be read gets a row with its error. Runs in worker processes."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import polars as pl

from .decode import decode_page
from .errors import InputError
from .model import Model
from .pipeline import parse_blocks
from .records import Record
from .segment import Blocks, segment
from .sites import url_site

SCHEMA = {"source": pl.String, "record_id": pl.String, "url": pl.String, "warc_date": pl.String,
          "http_status": pl.UInt16, "content_type": pl.String, "encoding": pl.String, "title": pl.String,
          "text": pl.String, "text_sha1": pl.String, "language": pl.String, "lines_total": pl.UInt32,
          "lines_kept": pl.UInt32, "chars_total": pl.UInt32, "chars_kept": pl.UInt32, "error": pl.String}
SCORES = {"lines": pl.List(pl.String), "scores": pl.List(pl.Float32)}
MARKDOWN = {"markdown": pl.String}
COMMENTS = {"comments": pl.List(pl.Struct({"author": pl.String, "date": pl.String, "text": pl.String}))}
METADATA = {"authors": pl.List(pl.String), "date_published": pl.String, "date_modified": pl.String,
            "site_name": pl.String, "canonical_url": pl.String, "language_declared": pl.String}


@lru_cache(maxsize=4)
def cached_model(model_path: str | None) -> Model:
    """The model, loaded once per process (worker processes reuse it for every chunk)."""
    return Model.load(model_path)


def clean_records(records: list[Record], model_path: str | None, scores: bool = False,
                  site_repeats: bool = False, markdown: bool = False, metadata: bool = False,
                  comments: bool = False) -> list[dict[str, Any]]:
    r"""One output row per record; a record that cannot be read or decoded gets a row with `error` set.
    Every string written is valid Unicode: invalid bytes in a record's fields are escaped (`\xNN`) and
    noted in `error` (in file names: escaped only). With `site_repeats`, a kept line also on two or more
    other records of the same site (the registrable domain of its URL) among these records is dropped.
    With `markdown`, each row also gets the page as Markdown, links kept and resolved against the
    record's URL; with `metadata`, the page's authors, dates, site name, canonical URL and declared
    language (METADATA); with `comments`, the readers' comments dropped after a comment heading (author,
    date, text each)."""
    rows: list[dict[str, Any]] = []
    pages: list[Blocks] = []
    encodings: list[str | None] = []
    sites: list[str | None] = []
    urls: list[str | None] = []
    at: list[int] = []
    for r in records:
        source, record_id, url = safe_text(r.source), safe_text(r.record_id), safe_text(r.url)
        bad_fields = [name for name, clean, raw in (("url", url, r.url), ("record_id", record_id, r.record_id))
                      if clean != raw]  # (the input's own name, given by the user, is escaped silently)
        error = r.error or (f"invalid UTF-8 in {', '.join(bad_fields)} (escaped)" if bad_fields else None)
        row: dict[str, Any] = {"source": source, "record_id": record_id, "url": url, "warc_date": r.warc_date,
                               "http_status": r.http_status, "content_type": r.content_type, "encoding": None,
                               "title": None, "text": "", "text_sha1": None, "language": None,
                               "lines_total": 0, "lines_kept": 0, "chars_total": 0, "chars_kept": 0,
                               "error": error}
        if scores:
            row.update(lines=[], scores=[])
        if markdown:
            row["markdown"] = ""
        if metadata:
            row.update({name: None for name in METADATA}, authors=[])
        if comments:
            row["comments"] = []
        if r.error is None:
            try:
                decoded = decode_page(r.data, http_charset=r.http_charset)
                pages.append(segment(decoded.text, kind=r.kind, utf8=decoded.utf8, structure=markdown,
                                     metadata=metadata))
                encodings.append(decoded.encoding)
                urls.append(url)
                sites.append(url_site(url) if site_repeats else None)
                at.append(len(rows))
            except InputError as e:
                row["error"] = str(e)
        rows.append(row)
    for i, doc in zip(at, parse_blocks(pages, cached_model(model_path), encodings=encodings,
                                       sites=sites if site_repeats else None, urls=urls)):
        lines = doc.lines
        kept = [line.text for line in lines if line.is_content]
        text = doc.text
        rows[i].update(title=doc.title, text=text, encoding=doc.encoding, lines_total=len(lines),
                       lines_kept=len(kept), chars_total=sum(len(line.text) for line in lines),
                       chars_kept=sum(map(len, kept)),
                       text_sha1=hashlib.sha1(text.encode("utf-8")).hexdigest() if text else None,
                       language=doc.language)
        if scores:
            rows[i].update(lines=[line.text for line in lines], scores=[line.score for line in lines])
        if markdown:
            rows[i]["markdown"] = doc.to_markdown(links=True)
        if metadata and doc.metadata is not None:
            rows[i].update({name: getattr(doc.metadata, name) for name in METADATA})
        if comments:
            rows[i]["comments"] = [c.to_dict() for c in doc.comments]
    return rows


def safe_text(value: str | None) -> str | None:
    r"""`value` as valid Unicode: bytes smuggled in as surrogates (`surrogateescape`) become `\xNN`, other
    lone surrogates (JSON's "\ud800") `\ud800`."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")

"""The pipeline, page to Document: decode → segment → features → model → document, one page or a batch
(what `boilerplate` re-exports as its API)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from .decode import decode_page
from .document import Document, Format, Line, build_document, check_format
from .errors import InputError, ModelError
from .features import batch_features
from .fetch import Fetched, is_url
from .files import read_page
from .keep import site_repeats
from .lexicon import words
from .model import Model
from .segment import Blocks, Kind, segment
from .title import find_title

Page = str | bytes | os.PathLike | Fetched
ModelLike = Model | str | os.PathLike | None
NAME_MAX_CHARS = 4096  # a longer str is page text, never taken for a file name
_MISSING = object()  # (`sites` or `urls` ended before `pages`)


def load_model(path: str | Path | None = None) -> Model:
    """Load a model file (and its card beside it); None gives the shipped default model."""
    return Model.load(path) if path is not None else _default_model()


@lru_cache(maxsize=1)
def _default_model() -> Model:
    return Model.load(None)


@lru_cache(maxsize=4)
def _model_file(path: str, mtime_ns: int) -> Model:
    return Model.load(path)


def _model(model: ModelLike) -> Model:
    """A Model, or the file a path names (loaded once while it is unchanged), or the default model."""
    if model is None or isinstance(model, Model):
        return model or _default_model()
    if isinstance(model, (str, os.PathLike)):
        path = Path(model)
        try:
            return _model_file(str(path.resolve()), path.stat().st_mtime_ns)
        except OSError as e:
            raise ModelError(f"model {path}: {e.strerror}") from None
    raise TypeError(f"model must be a Model or a model file's path, not {type(model).__name__}")


def _refuse_name(page: str) -> None:
    """InputError for a str that is a URL or names an existing file: page text it is surely not."""
    if len(page) > NAME_MAX_CHARS or "<" in page or "\n" in page.strip():
        return
    if is_url(page):
        raise InputError(f"{page.strip()!r} is a URL, not page text: fetch it with boilerplate.fetch(url) "
                         "(or `boilerplate extract URL`)")
    try:
        exists = Path(page.strip()).is_file()
    except (OSError, ValueError):
        exists = False
    if exists:
        raise InputError(f"{page.strip()!r} names a file, and a str is page text: pass "
                         f"pathlib.Path({page.strip()!r}) to read the file")


def _read(page: Page, kind: Kind, encoding: str | None, structure: bool) -> tuple[Blocks, str | None]:
    """Segmented blocks of one page and the codec its bytes were decoded with."""
    charset = None
    data: str | bytes
    if isinstance(page, Fetched):
        data, charset = page.data, page.http_charset
    elif isinstance(page, os.PathLike):
        data = read_page(page)
    else:
        if isinstance(page, str):
            _refuse_name(page)
        data = page
    decoded = decode_page(data, encoding=encoding, http_charset=charset)  # (refuses other types: InputError)
    return segment(decoded.text, kind=kind, utf8=decoded.utf8, structure=structure), decoded.encoding


def _one_page(pages: object, function: str) -> None:
    """TypeError for a single page given where an iterable of pages is expected."""
    if isinstance(pages, (str, bytes, os.PathLike, Fetched)):
        raise TypeError(f"{function} takes an iterable of pages, not one {type(pages).__name__}: "
                        f"pass [page], or call {function.removesuffix('_many')}(page)")


def parse_blocks(pages: list[Blocks], model: ModelLike = None, *,
                 encodings: list[str | None] | None = None, threshold: float | None = None,
                 sites: Sequence[str | None] | None = None,
                 urls: Sequence[str | None] | None = None) -> list[Document]:
    """Documents of pages already segmented (segment.segment), predicted in one model call (the batch entry point);
    `encodings` (one per page) is what each Document reports. With `sites` (one key per page, such as
    its registrable domain; None for unknown), a kept block whose text is on two or more other pages of
    its site in this call is dropped (document.site_repeats). `urls`: each page's URL, for its links."""
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be in [0, 1], got {threshold}")
    model = _model(model)
    titles = [find_title(blocks) for blocks in pages]  # (read by the features and the documents)
    X, offsets, groups = batch_features(pages, titles)
    first, scores = model.predict_stages(X, offsets, groups, words(pages) if model.lexicon is not None else None)
    repeated = [None] * len(pages) if sites is None else site_repeats([blocks.texts for blocks in pages], sites)
    out = []
    for i, blocks in enumerate(pages):
        rows = slice(offsets[i], offsets[i + 1])
        keep = model.keep(scores[rows], threshold, first[rows], X[rows])
        out.append(build_document(blocks, scores[rows], keep, encodings[i] if encodings else None, titles[i],
                                  repeated[i], urls[i] if urls else None))
    return out


def classify_blocks(pages: list[Blocks], model: ModelLike = None) -> list[list[Line]]:
    """The lines of already segmented pages, predicted in one model call."""
    return [doc.lines for doc in parse_blocks(pages, model)]


def parse(page: Page, *, model: ModelLike = None, kind: Kind = "auto", encoding: str | None = None,
          threshold: float | None = None, url: str | None = None, structure: bool = True) -> Document:
    """The page as a Document: title, every line with its role and score, the encoding used, and its
    structure for `to_markdown`, `to_html` and `content`.

    `kind` forces "text" or "html"; `encoding` overrides the page's declared or detected charset;
    `threshold` fixes the content threshold (default: each page its own, at most the model's;
    lower keeps more); `url` is the page's address, against which relative links are resolved;
    `structure=False` skips recording the structure (faster; Markdown and HTML are then written from
    the lines' tags alone). Raises InputError for pages that cannot be read (binary, too large,
    unreadable file)."""
    blocks, used = _read(page, kind, encoding, structure)
    if url is None and isinstance(page, Fetched):
        url = page.url
    return parse_blocks([blocks], model, encodings=[used], threshold=threshold, urls=[url])[0]


def parse_many(pages: Iterable[Page], *, model: ModelLike = None, kind: Kind = "auto",
               encoding: str | None = None, threshold: float | None = None,
               batch_size: int = 256, sites: Iterable[str | None] | None = None,
               urls: Iterable[str | None] | None = None, structure: bool = True) -> Iterator[Document]:
    """`parse` over many pages, in order, predicting `batch_size` pages per model call; a page that
    cannot be read yields a Document with `error` set (and no lines) instead of stopping the batch.
    With `sites` (one key per page, None for unknown), a kept block whose text is also on two or more
    other pages of its site in the same batch is dropped: keep a site's pages together. `urls`: one
    URL (or None) per page, for its relative links."""
    _one_page(pages, "parse_many")
    return _parse_many(pages, model=_model(model), kind=kind, encoding=encoding, threshold=threshold,
                       batch_size=batch_size, sites=sites, urls=urls, structure=structure)


def _parse_many(pages: Iterable[Page], *, model: Model, kind: Kind, encoding: str | None, threshold: float | None,
                batch_size: int, sites: Iterable[str | None] | None, urls: Iterable[str | None] | None,
                structure: bool) -> Iterator[Document]:
    batch: list[tuple[Blocks, str | None, str | None, str | None] | str] = []

    def flush() -> Iterator[Document]:
        read = [b for b in batch if not isinstance(b, str)]
        docs = iter(parse_blocks([b[0] for b in read], model, encodings=[b[1] for b in read],
                                 threshold=threshold, sites=None if sites is None else [b[2] for b in read],
                                 urls=[b[3] for b in read]))
        for item in batch:
            yield Document(None, error=item) if isinstance(item, str) else next(docs)
        batch.clear()

    keys = None if sites is None else iter(sites)
    addresses = None if urls is None else iter(urls)
    for page in pages:
        site = None if keys is None else next(keys, _MISSING)
        url = None if addresses is None else next(addresses, _MISSING)
        if site is _MISSING or url is _MISSING:
            what = "site" if site is _MISSING else "URL"
            raise ValueError(f"{what}s ran out before pages: give one {what} (or None) per page")
        if url is None and isinstance(page, Fetched):
            url = page.url
        try:
            batch.append((*_read(page, kind, encoding, structure), site, url))  # type: ignore[arg-type]
        except InputError as e:
            batch.append(str(e))
        if len(batch) >= batch_size:
            yield from flush()
    if batch:
        yield from flush()


def classify(page: Page, *, model: ModelLike = None, kind: Kind = "auto", encoding: str | None = None,
             threshold: float | None = None) -> list[Line]:
    """Every line/block of the page with its content probability and role (`parse(...).lines`)."""
    return parse(page, model=model, kind=kind, encoding=encoding, threshold=threshold, structure=False).lines


def extract(page: Page, *, model: ModelLike = None, kind: Kind = "auto", encoding: str | None = None,
            threshold: float | None = None, include_title: bool = True, format: Format = "text",
            links: bool = False, images: bool = False, url: str | None = None, comments: bool = False) -> str:
    """The page's title, then its content: by default as plain lines joined by newlines ("" when nothing
    is content); `format` "markdown", "html" or "json" writes it with its structure (Document.render);
    `links` and `images` keep them there, relative ones resolved against `url`; `comments` adds the
    readers' comments dropped after a comment heading."""
    check_format(format)
    doc = parse(page, model=model, kind=kind, encoding=encoding, threshold=threshold, url=url,
                structure=format != "text")
    return doc.render(format, include_title=include_title, links=links, images=images, comments=comments)


def extract_many(pages: Iterable[Page], *, model: ModelLike = None, kind: Kind = "auto",
                 encoding: str | None = None, threshold: float | None = None, include_title: bool = True,
                 batch_size: int = 256, sites: Iterable[str | None] | None = None, format: Format = "text",
                 links: bool = False, images: bool = False, urls: Iterable[str | None] | None = None,
                 comments: bool = False) -> Iterator[str | InputError]:
    """`extract` over many pages, in order and batched (faster); a page that cannot be read yields its
    InputError in its place rather than stopping the batch. `sites`, `urls`: as in `parse_many`."""
    check_format(format)
    _one_page(pages, "extract_many")
    docs = parse_many(pages, model=model, kind=kind, encoding=encoding, threshold=threshold,
                      batch_size=batch_size, sites=sites, urls=urls, structure=format != "text")
    return (InputError(doc.error) if doc.error is not None else
            doc.render(format, include_title=include_title, links=links, images=images, comments=comments)
            for doc in docs)

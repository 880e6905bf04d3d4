"""boilerplate: separate a web page's content (title, body, captions) from its chrome.

    import boilerplate
    text = boilerplate.extract(html_or_text)              # title, then the content lines
    md = boilerplate.extract(html, format="markdown", links=True, url="https://example.com/a/")
    doc = boilerplate.parse(Path("page.html"))            # title, lines with roles, encoding
    for line in doc.lines:
        print(line.role, round(line.score, 2), line.text)

A `str` is always page text; give a file as a `pathlib.Path` (any os.PathLike), or its bytes, and a
URL as `boilerplate.fetch(url)`. A str that is only a file name or a URL is refused with InputError.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .document import Document, Line
from .errors import FetchError, InputError, LabelError, ModelError
from .fetch import Fetched, fetch
from .model import Model
from .pipeline import (
    classify,
    classify_blocks,
    extract,
    extract_many,
    load_model,
    parse,
    parse_blocks,
    parse_many,
)
from .segment import Blocks

try:
    __version__ = version("boilerplate-extract")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__", "Document", "Line", "InputError", "FetchError", "ModelError", "LabelError", "Model",
           "Fetched", "classify", "classify_blocks", "extract", "extract_many", "fetch", "load_model", "parse",
           "parse_blocks", "parse_many", "Blocks"]

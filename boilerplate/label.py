"""`boilerplate label`: a local web app that shows pages with their blocks marked, the blocks the model is
least sure of first, and saves each role the user sets in the labeled/ format (labeled/README.md) at once.

Only 127.0.0.1 is served, on a random port; every request must carry the session's random token. Pages
are addressed by their index among those given, never by a path, and labels are written only inside
`out`. The page is shown without its scripts: they are removed, event handlers and javascript: URLs too,
and it is served with a Content-Security-Policy that allows no script, inside a sandboxed iframe.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lxml import etree
from lxml import html as lxml_html

from .decode import decode_page
from .document import Line
from .errors import InputError, LabelError
from .files import PAGE_SUFFIXES, atomic_write, page_suffix, read_page
from .labeled import CONTENT_ROLES, ROLES, format_labels, load_labeled
from .model import Model
from .pipeline import parse_blocks
from .segment import BLOCK_MARK, Blocks, mark_blocks, segment

ROLE_COLOURS = {"title": "#1565c0", "subhead": "#6a1b9a", "body": "#2e7d32", "caption": "#00838f",
                "byline": "#ef6c00", "chrome": "#c62828"}
UNCERTAIN = 0.1  # a block scored this near its page's threshold is outlined dashed
_DROP_TAGS = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal")
_URL_ATTRS = ("href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href")
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript|data:text/html)", re.I)
_CONTROLS = re.compile(r"[\x00-\x20]")
PAGE_CSP = ("default-src 'none'; img-src * data:; style-src * 'unsafe-inline'; font-src * data:; "
            "media-src *; frame-ancestors 'self'")


@dataclass
class LabelPage:
    """One page being labeled: its blocks, the model's scores and threshold, and the roles so far."""

    name: str  # the file name stem in `out`
    source: Path
    data: bytes
    suffix: str
    blocks: Blocks
    html: str  # the page with its blocks marked and its scripts removed ("" for a text dump)
    roles: list[str]  # the model's roles at first (a draft), then the user's
    scores: list[float] = field(default_factory=list)  # the model's (Labeler._score)
    kept: list[bool] = field(default_factory=list)  # the model's decisions
    threshold: float = 0.5  # the page's: its lowest kept score
    copied: bool = False  # the page written to `out` beside its labels


def page_threshold(scores: Sequence[float], kept: Sequence[bool], default: float) -> float:
    """A page's threshold as the model applied it: its lowest kept score (`default` when none is kept)."""
    return min((s for s, k in zip(scores, kept) if k), default=default)


def least_certain_first(scores: Sequence[float], threshold: float) -> list[int]:
    """Block indexes, the score nearest the threshold first: the order the app asks in. Labeling the
    first blocks of this order beats labeling random ones (docs/experiments.md, bench/labelsim.py)."""
    return sorted(range(len(scores)), key=lambda i: abs(scores[i] - threshold))


def sanitize(marked: str) -> str:
    """The marked page without anything that runs: script-like elements, event handlers, script URLs."""
    if not marked.strip():
        return ""
    root = lxml_html.fromstring(marked)
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            element.drop_tree()
            continue
        for name in list(element.attrib):
            lowered = name.lower()
            value = _CONTROLS.sub("", element.get(name) or "")  # (browsers drop them: "java\tscript:" runs)
            if lowered.startswith("on") or (lowered in _URL_ATTRS and _SCRIPT_URL.match(value)):
                del element.attrib[name]
    return etree.tostring(root, method="html", encoding="unicode")


class Labeler:
    """The pages of one labeling session and their labels, saved to `out` as they change."""

    def __init__(self, paths: list[Path], out: Path, model: Model | None = None) -> None:
        self.out = out
        self.model = model if model is not None else Model.load()
        self.lock = threading.Lock()
        self.pages = [self._load(i, Path(p)) for i, p in enumerate(paths)]

    def _load(self, index: int, path: Path) -> LabelPage:
        suffix = page_suffix(path)
        if suffix is None:
            raise InputError(f"{path}: not a page file (.html, .htm, .xhtml or .txt, each also .gz)")
        data = read_page(path)
        decoded = decode_page(data)
        if PAGE_SUFFIXES[suffix] == "html":
            marked, blocks = mark_blocks(decoded.text, decoded.utf8)
            html = sanitize(marked)
        else:
            blocks, html = segment(decoded.text, kind="text"), ""
        name = f"{index + 1:03d}_{re.sub(r'[^A-Za-z0-9_-]+', '-', path.name.split('.')[0])[:60]}"
        page = LabelPage(name, path, data, suffix, blocks, html, [])
        page.roles = [line.role for line in self._score(page)]  # (the model's roles: a draft)
        return page

    def _score(self, page: LabelPage) -> list[Line]:
        """Score a page with the session's model: its scores, decisions and threshold set; its lines."""
        lines = parse_blocks([page.blocks], self.model)[0].lines
        page.scores, page.kept = [ln.score for ln in lines], [ln.is_content for ln in lines]
        page.threshold = page_threshold(page.scores, page.kept, self.model.threshold)
        return lines

    def page(self, index: int) -> LabelPage:
        """The page at `index`; IndexError for any other number."""
        if not 0 <= index < len(self.pages):
            raise IndexError(index)
        return self.pages[index]

    def summary(self, index: int) -> dict[str, Any]:
        """A page's blocks for the app, the least certain (score nearest the threshold) first."""
        page = self.page(index)
        return {"name": page.name, "source": page.source.name, "html": bool(page.html),
                "threshold": page.threshold, "order": least_certain_first(page.scores, page.threshold),
                "blocks": [{"i": i, "text": t, "score": round(s, 4), "role": r}
                           for i, (t, s, r) in enumerate(zip(page.blocks.texts, page.scores, page.roles))]}

    def set_role(self, index: int, block: int, role: str) -> Path:
        """Set one block's role and write the page's label file (and the page beside it) to `out`."""
        if role not in ROLES:
            raise LabelError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        page = self.page(index)
        if not 0 <= block < len(page.roles):
            raise IndexError(block)
        with self.lock:
            page.roles[block] = role
            self.out.mkdir(parents=True, exist_ok=True)
            if not page.copied:  # (once a session: a file of that name from another session is replaced)
                atomic_write(self.out / f"{page.name}{page.suffix}", page.data)
                page.copied = True
            tsv = self.out / f"{page.name}.tsv"
            atomic_write(tsv, format_labels(page.blocks.line_no.tolist(), page.roles, page.blocks.texts))
        return tsv

    def train(self) -> dict[str, Any]:
        """Continue the session's model on the labels saved so far, as `boilerplate train --labeled OUT`
        does (CONTINUE_ROUNDS more trees, written to OUT/model/label-model.txt), re-score every page and
        report per page how many blocks' decisions changed and, on labeled pages, how often the
        decisions agree with the labels before and after. LabelError when nothing is labeled yet, or too
        little to change the model (train.MIN_CONTINUE_BLOCKS)."""
        from .train import CONTINUE_ROUNDS, TrainingSet, train

        with self.lock:
            labeled = {page.name for page in self.pages if (self.out / f"{page.name}.tsv").exists()}
            if not labeled:
                raise LabelError("nothing is labeled yet: set some blocks' roles first")
            data = TrainingSet()
            data.add_articles(load_labeled(self.out), source="labeled", directory=self.out)
            target = self.out / "model" / "label-model.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            train(data, target, rounds=CONTINUE_ROUNDS, cv=False, init=self.model)
            self.model = Model.load(target)
            report = []
            for page in self.pages:
                before = page.kept
                self._score(page)
                after, truth = page.kept, [r in CONTENT_ROLES for r in page.roles]
                row: dict[str, Any] = {"name": page.name, "changed": sum(a != b for a, b in zip(before, after))}
                if page.name in labeled:
                    row["agreement_before"] = round(sum(map(bool.__eq__, before, truth)) / max(len(truth), 1), 4)
                    row["agreement_after"] = round(sum(map(bool.__eq__, after, truth)) / max(len(truth), 1), 4)
                report.append(row)
            return {"model": str(target), "pages": report}

    def shown(self, index: int) -> str:
        """The page as the iframe shows it: sanitized, each block outlined in its role's colour, dashed
        when its score is within UNCERTAIN of the page's threshold."""
        page = self.page(index)
        styles = ["dashed" if abs(s - page.threshold) < UNCERTAIN else "solid" for s in page.scores]
        rules = "".join(f'[{BLOCK_MARK}~="{i}"]{{outline:2px {style} {ROLE_COLOURS[r]};outline-offset:1px}}'
                        for i, (r, style) in enumerate(zip(page.roles, styles)))
        return f"<style>{rules}[{BLOCK_MARK}].bp-current{{outline-width:4px}}</style>" + page.html


def serve(labeler: Labeler, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """A server for the session on 127.0.0.1 (`port` 0: a free one) and the URL to open, token included."""
    token = secrets.token_urlsafe(24)
    handler = type("Handler", (_Handler,), {"labeler": labeler, "token": token})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    return server, f"http://127.0.0.1:{server.server_address[1]}/?t={token}"


class _Handler(BaseHTTPRequestHandler):
    labeler: Labeler
    token: str

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        """Quiet: requests are not logged to stderr."""

    def _send(self, status: int, body: str | bytes, kind: str, extra: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False), "application/json; charset=utf-8")

    def _authorized(self) -> tuple[str, dict[str, list[str]]] | None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if not secrets.compare_digest(query.get("t", [""])[0], self.token):
            self._json(HTTPStatus.FORBIDDEN, {"error": "missing or wrong token"})
            return None
        return parts.path, query

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        """The app, the list of pages, one page's blocks, or one page as shown."""
        got = self._authorized()
        if got is None:
            return
        path, _ = got
        try:
            if path == "/":
                self._send(HTTPStatus.OK, _APP, "text/html; charset=utf-8",
                           {"Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; "
                                                       "style-src 'unsafe-inline'; frame-src 'self'"})
            elif path == "/api/pages":
                self._json(HTTPStatus.OK, [{"index": i, "name": p.name, "source": p.source.name}
                                           for i, p in enumerate(self.labeler.pages)])
            elif (m := re.fullmatch(r"/api/page/(\d{1,6})", path)) is not None:
                self._json(HTTPStatus.OK, self.labeler.summary(int(m.group(1))))
            elif (m := re.fullmatch(r"/page/(\d{1,6})\.html", path)) is not None:
                self._send(HTTPStatus.OK, self.labeler.shown(int(m.group(1))), "text/html; charset=utf-8",
                           {"Content-Security-Policy": PAGE_CSP})
            else:
                self._json(HTTPStatus.NOT_FOUND, {"error": "no such thing"})
        except IndexError:
            self._json(HTTPStatus.NOT_FOUND, {"error": "no such page"})

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        """Set a block's role ({"page": i, "block": j, "role": r} to /api/label), or train (/api/train)."""
        got = self._authorized()
        if got is None:
            return
        if got[0] == "/api/train":
            try:
                self._json(HTTPStatus.OK, self.labeler.train())
            except LabelError as e:
                self._json(HTTPStatus.BAD_REQUEST, {"error": str(e)})
            except (OSError, ValueError) as e:
                self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"cannot train: {e}"})
            return
        if got[0] != "/api/label":
            self._json(HTTPStatus.NOT_FOUND, {"error": "no such thing"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= 10_000:
                raise ValueError("a label is a small JSON object")
            body = json.loads(self.rfile.read(length))
            tsv = self.labeler.set_role(int(body["page"]), int(body["block"]), str(body["role"]))
        except IndexError:
            self._json(HTTPStatus.NOT_FOUND, {"error": "no such page or block"})
        except (ValueError, KeyError, TypeError, LabelError) as e:
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(e)})
        except OSError as e:
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"cannot save: {e}"})
        else:
            self._json(HTTPStatus.OK, {"saved": tsv.name})


_APP = (Path(__file__).parent / "label_app.html").read_text(encoding="utf-8")

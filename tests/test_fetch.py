"""Fetching pages over HTTP (served from 127.0.0.1): charset, compression, redirects, limits and errors,
in the API and the CLI."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import boilerplate
from boilerplate import FetchError, fetch
from boilerplate.cli import main

BODY = ("<html><head><title>Новости</title></head><body><nav><a href='/'>Главная</a></nav><article>"
        "<h1>Новости</h1><p>" + "Городской совет утвердил новый план развития набережной. " * 5
        + "Смотрите <a href='more.html'>подробный план</a>.</p></article></body></html>")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # (quiet)
        pass

    def send(self, body: bytes, ctype: str = "text/html", status: int = 200, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path
        if path == "/page":
            self.send(BODY.encode("cp1251"), "text/html; charset=windows-1251")
        elif path == "/gz":
            self.send(gzip.compress(BODY.encode("utf-8")), "text/html; charset=utf-8", Content_Encoding="gzip")
        elif path.startswith("/redirect/"):
            n = int(path.rsplit("/", 1)[1])
            self.send(b"", status=302, Location="/page" if n == 0 else f"/redirect/{n - 1}")
        elif path == "/ua":
            self.send(f"<p>{self.headers.get('User-Agent')}</p>".encode())
        elif path == "/slow":
            time.sleep(3)
            self.send(b"<p>late</p>")
        elif path == "/big":
            self.send(b"<p>" + b"x" * 5000 + b"</p>")
        else:
            self.send(b"<h1>Not here</h1>", status=404)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_the_http_charset_reaches_the_decoder_and_links_resolve_against_the_final_url(server):
    page = fetch(f"{server}/redirect/2")
    assert page.url == f"{server}/page" and page.http_charset == "windows-1251" and page.status == 200
    doc = boilerplate.parse(page)
    assert doc.encoding == "cp1251" and "Городской совет" in doc.text
    assert f"({server}/more.html)" in boilerplate.extract(page, format="markdown", links=True)


def test_compressed_transfer_and_user_agent(server):
    assert "Городской совет" in boilerplate.extract(fetch(f"{server}/gz"))
    assert fetch(f"{server}/ua").data.decode().startswith("<p>boilerplate")


def test_one_line_errors(server):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    cases = {f"{server}/missing": "HTTP 404", f"{server}/redirect/6": "more than 5 redirects",
             f"http://127.0.0.1:{port}/": "connection refused", "ftp://example.com/x": r"not an http\(s\) URL"}
    for url, message in cases.items():
        with pytest.raises(FetchError, match=message) as e:
            fetch(url)
        assert "\n" not in str(e.value)
    with pytest.raises(FetchError, match="within 0.5 s"):
        fetch(f"{server}/slow", timeout=0.5)
    with pytest.raises(FetchError, match="limit"):
        fetch(f"{server}/big", max_bytes=1000)
    assert isinstance(FetchError("x"), boilerplate.InputError)  # (a batch goes on past it)


def test_dns_failure_is_one_line(monkeypatch):
    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(FetchError, match="host not found"):
        fetch("http://no-such-host.example/")


def test_cli_extracts_urls_and_reports_failures(server, capsys, tmp_path):
    assert main(["extract", f"{server}/page", f"{server}/missing"]) == 1
    out, err = capsys.readouterr()
    assert "Городской совет" in out and f"boilerplate: {server}/missing: HTTP 404 Not Found\n" in err
    assert main(["extract", "--out-dir", str(tmp_path), f"{server}/page"]) == 0
    assert "Городской совет" in (tmp_path / "127.0.0.1_" f"{server.rsplit(':', 1)[1]}_page.txt").read_text()

"""Faults found by injection (hostile charsets, stray bytes, unbounded sources, odd file names, planted
symlinks): each gives a clear error or a sane result for its input alone."""

from __future__ import annotations

import os
import random
import threading

import pytest

import boilerplate
from boilerplate.decode import decode_page
from boilerplate.files import atomic_write, read_page

FRENCH = "<p>" + "Le café de la gare ferme à l’été ; crème brûlée et pâtisserie à emporter. " * 20 + "</p>"


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "zlib", "bz2", "uu", "quopri", "undefined",
                                     "unicode_escape", "idna"])
def test_a_charset_that_is_no_text_encoding_falls_back_to_detection(charset):
    page = f'<html><head><meta charset="{charset}"></head><body>{FRENCH}</body></html>'.encode("cp1252")
    for kwargs in ({}, {"http_charset": charset}):
        decoded = decode_page(page, **kwargs)  # (detection: cp1252 or a cousin that reads these words alike)
        assert "café de la gare" in decoded.text and decoded.encoding not in (None, "utf-8")
    assert "pâtisserie" in boilerplate.extract(page)
    with pytest.raises(boilerplate.InputError, match="unknown encoding"):
        boilerplate.extract(page, encoding=charset)


def test_a_declared_utf8_page_with_stray_bytes_stays_utf8():
    body = "".join(f"<div class='item-{i}'><a href='/news/{i}'>Story {i}</a><p>The council’s plan for the sea "
                   "wall was approved on Monday, and work will start next week.</p></div>\n" for i in range(300))
    page = bytearray(f'<html><head><meta charset="utf-8"><title>News</title></head><body>{body}</body></html>'
                     .encode())
    rng = random.Random(7)
    for _ in range(len(page) // 500):  # 0.2% stray bytes: such a page used to come out as mac-iceland
        page.insert(rng.randrange(100, len(page)), rng.randrange(0x80, 0x100))
    decoded = decode_page(bytes(page))
    assert decoded.encoding == "utf-8" and decoded.text.count("council’s") > 250


def test_only_regular_files_are_read_as_pages(tmp_path):
    zero = tmp_path / "zero.html"
    zero.symlink_to("/dev/zero")
    fifo = tmp_path / "fifo.html"
    os.mkfifo(fifo)
    for path in (zero, fifo):
        done: list[BaseException] = []
        reader = threading.Thread(target=lambda p=path, out=done: out.append(_error(lambda: read_page(p))),
                                  daemon=True)
        reader.start()
        reader.join(10)
        assert not reader.is_alive(), f"{path.name}: still reading"  # (a FIFO with no writer used to hang)
        assert isinstance(done[0], boilerplate.InputError) and "not a regular file" in str(done[0])


def _error(call) -> BaseException | None:
    try:
        call()
    except BaseException as e:  # noqa: BLE001 (handed to the test thread)
        return e
    return None


def test_a_planted_symlink_at_a_temporary_name_is_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    for name in (f".page.txt.{os.getpid()}.part", ".page.txt.part"):
        (out / name).symlink_to(outside)
    atomic_write(out / "page.txt", "new text")
    assert outside.read_text() == "keep me"
    assert (out / "page.txt").read_text() == "new text" and not (out / "page.txt").is_symlink()
    assert sorted(p.name for p in out.iterdir() if not p.is_symlink()) == ["page.txt"]


def test_a_tag_with_too_many_attributes_is_refused_at_once():
    from boilerplate.segment import MAX_ATTRIBUTES

    many = "<html><body><div " + " ".join(f"a{i}=x" for i in range(MAX_ATTRIBUTES + 1)) + ">"
    with pytest.raises(boilerplate.InputError, match="more than 10,000 attributes"):
        boilerplate.extract(many + "<p>text</p></div></body></html>")
    fine = "<html><body>" + "<p class=a id=b>x = y</p>" * 6000 + "</body></html>"  # (many "=", short tags)
    assert boilerplate.extract(fine).startswith("x = y")


def test_a_fifo_or_device_is_not_a_run_input(tmp_path, capsys):
    from boilerplate.cli import main

    fifo = tmp_path / "crawl.warc"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.jsonl"
    zero.symlink_to("/dev/zero")
    for name in (fifo, zero):
        assert main(["run", str(name), "--out", str(tmp_path / "out")]) == 2
        assert "not a regular file" in capsys.readouterr().err

"""The output directory's bookkeeping: the manifest of finished shards, the inputs' fingerprints, the
lock of one run at a time, and what a killed run left behind."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from .errors import InputFileError, RunError
from .files import file_sha256
from .model import DEFAULT_MODEL
from .records import page_files


def model_digest(model_path: str | Path | None) -> str:
    """sha256 of a model file (the shipped one for None): what the manifest says a shard was made with."""
    return file_sha256(Path(model_path or DEFAULT_MODEL))


def manifest_path(out_dir: Path) -> Path:
    """Where a run's manifest lives in its output directory."""
    return out_dir / "manifest.json"


def load_manifest(out_dir: str | Path) -> dict[str, Any]:
    """The manifest of an output directory (an empty one if there is none yet)."""
    path = manifest_path(Path(out_dir))
    if not path.exists():
        return {"shards": {}}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputFileError(f"{path}: unreadable manifest ({e}); remove it to start over") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("shards"), dict):
        raise InputFileError(f"{path}: not a boilerplate run manifest; remove it to start over")
    return manifest


def fingerprint(source: str) -> dict[str, Any]:
    """What identifies an input's content: size and mtime of a file; for a directory, a hash of its page
    files' paths, sizes and mtimes (taken before reading, so that a change while reading is noticed)."""
    path = Path(source)
    if path.is_dir():
        h = hashlib.sha1()
        for file in page_files(path):
            st = file.stat()
            entry = f"{file.relative_to(path)}\0{st.st_size}\0{st.st_mtime_ns}\n"
            h.update(entry.encode("utf-8", "surrogateescape"))
        return {"input_files_sha1": h.hexdigest()}
    st = path.stat()
    return {"input_bytes": st.st_size, "input_mtime": st.st_mtime}


def shard_is_complete(path: Path, entry: dict[str, Any]) -> bool:
    """Whether a shard the manifest lists is still the file written (its sha256), can be read and holds
    the rows it says."""
    try:
        if entry.get("sha256") is not None and file_sha256(path) != entry["sha256"]:
            return False  # (damaged inside, footer intact: rewritten)
        return pl.scan_parquet(path).select(pl.len()).collect().item() == entry.get("records")
    except (OSError, pl.exceptions.PolarsError):
        return False


def remove_leftovers(out: Path) -> None:
    """Temporary files a killed run left in its output directory (the caller holds its lock)."""
    for tmp in out.glob(".*.part"):
        try:
            if tmp.is_file() and not tmp.is_symlink():
                tmp.unlink()
        except OSError:
            pass


@contextmanager
def lock(out: Path) -> Iterator[None]:
    """Hold DIR/.lock for the run: a second run into the same directory is refused, not interleaved."""
    import fcntl

    try:
        f = open(out / ".lock", "a+")
    except OSError as e:
        raise InputFileError(f"--out {out}: not writable ({e.strerror})") from None
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunError(f"{out}: another boilerplate run is writing there") from None
        yield

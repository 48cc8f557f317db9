"""Writing an output folder all at once: files are made in a temporary folder beside the
target and moved into place only when every one of them is complete.

Example
-------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
>>> write_folder(out, {"a.txt": b"hello"})
{'a.txt': '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'}
>>> sorted(p.name for p in out.iterdir())
['a.txt']
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from turaqty.errors import Problem, UsageError


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV: UTF-8 with a BOM (so Excel reads Cyrillic), comma, decimal point,
    full precision."""
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.15g").encode("utf-8-sig")


def json_bytes(data) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _existing_ancestor(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


def write_folder(out: "str | Path", files: dict[str, bytes]) -> dict[str, str]:
    """Write ``files`` (name → content) into the folder ``out``, atomically per folder;
    returns each file's SHA-256. Other files already in ``out`` are left alone."""
    out = Path(out).absolute()
    if out.exists() and not out.is_dir():
        raise UsageError(Problem("out_not_a_folder", value=str(out)))
    base = _existing_ancestor(out.parent)
    if not os.access(base, os.W_OK):
        raise UsageError(Problem("out_not_writable", value=str(out)))
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=base))
    try:
        tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a result folder is not
        digests = {}
        for name, content in files.items():
            (tmp / name).write_bytes(content)
            digests[name] = hashlib.sha256(content).hexdigest()
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            for name in files:
                os.replace(tmp / name, out / name)
        else:
            os.replace(tmp, out) if tmp.parent == out.parent else shutil.move(str(tmp), str(out))
        return digests
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_file(path: "str | Path", content: bytes) -> None:
    """Write one file atomically (temporary file beside it, then rename)."""
    path = Path(path).absolute()
    if path.is_dir():
        raise UsageError(Problem("out_is_a_folder", value=str(path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

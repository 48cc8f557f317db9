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
import io
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd

from turaqty.errors import Problem, UsageError


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV: UTF-8 with a BOM (so Excel reads Cyrillic), comma, decimal point,
    numbers in full (shortest exact) precision."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # written into workbooks, so that equal inputs give equal files


def _fixed_time() -> tuple[int, ...]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return time.gmtime(max(int(epoch), 315532800))[:6]  # zip dates start in 1980
    return FIXED_TIME


def stable_zip(content: bytes) -> bytes:
    """A zip-based document (XLSX) made byte-for-byte reproducible: every entry and the
    document's created/modified properties carry one fixed time ($SOURCE_DATE_EPOCH or
    2000-01-01)."""
    when = _fixed_time()
    stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % when
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            info = zipfile.ZipInfo(item.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            zout.writestr(info, data)
    return out.getvalue()


def plain(value):
    """JSON-ready data: NaN becomes None, numpy scalars Python numbers, tuples lists.

    >>> import numpy as np
    >>> plain({"a": np.float64("nan"), "b": (np.int64(2),)})
    {'a': None, 'b': [2]}
    """
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0:  # a numpy array
        return plain(value.tolist())
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def json_bytes(data) -> bytes:
    """``data`` as indented UTF-8 JSON (NaN written as null)."""
    data = plain(data)
    return (json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _existing_ancestor(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def write_folder(out: "str | Path", files: dict[str, bytes], protect=None) -> dict[str, str]:
    """Write ``files`` (name → content) into the folder ``out``; returns each file's
    SHA-256. The files are written into a temporary folder first: a new ``out`` appears
    complete or not at all; in an existing ``out`` the files are replaced one by one at
    the end, and other files are left alone. ``protect`` (an input file) is never replaced."""
    out = Path(out).absolute()
    if out.exists() and not out.is_dir():
        raise UsageError(Problem("out_not_a_folder", value=str(out)))
    if protect is not None:
        for name in files:
            if _same_file(out / name, Path(protect)):
                raise UsageError(Problem("out_overwrites_input", value=str(out / name)))
    try:
        return _write_folder(out, files)
    except OSError as err:
        raise UsageError(Problem("out_not_writable", value=str(out),
                                 params={"reason": err.strerror or str(err)})) from None


def _write_folder(out: Path, files: dict[str, bytes]) -> dict[str, str]:
    base = _existing_ancestor(out.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=base))
    try:
        tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a result folder is not
        digests = {}
        for name, content in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)  # e.g. figures/map.png
            (tmp / name).write_bytes(content)
            digests[name] = hashlib.sha256(content).hexdigest()
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            for name in files:
                (out / name).parent.mkdir(parents=True, exist_ok=True)
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
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as err:
        raise UsageError(Problem("out_not_writable", value=str(path),
                                 params={"reason": err.strerror or str(err)})) from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)

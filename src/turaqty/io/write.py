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

import contextlib
import ctypes
import errno
import glob
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd

from turaqty.errors import Problem, UsageError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]  # a module, or None where there is none


def _load_renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


_renameat2 = _load_renameat2()
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral_text(value):
    """A text cell a spreadsheet will not run as a formula: one that starts with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return and is not a number gets a leading
    ``'`` (OWASP's advice against CSV injection). Anything else is returned unchanged.

    >>> [neutral_text(v) for v in ["=cmd|' /C calc'!A0", "-5.5", "+", "@SUM(A1)", "Абай", 3]]
    ["'=cmd|' /C calc'!A0", '-5.5', '+', "'@SUM(A1)", 'Абай', 3]
    """
    if not isinstance(value, str) or len(value) < 2 or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV: UTF-8 with a BOM (so Excel reads Cyrillic), comma, decimal point,
    numbers in full (shortest exact) precision; texts that a spreadsheet would run as a
    formula neutralised (:func:`neutral_text`)."""
    texts = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if texts:
        frame = frame.assign(**{str(c): frame[c].map(neutral_text) for c in texts}) \
            if all(isinstance(c, str) for c in texts) else frame
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # written into workbooks, so that equal inputs give equal files


def _fixed_time() -> tuple[int, int, int, int, int, int]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        t = time.gmtime(max(int(epoch), 315532800))  # zip dates start in 1980
        return t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec
    return FIXED_TIME


def stable_zip(content: bytes) -> bytes:
    """A zip-based document (XLSX) made byte-for-byte reproducible: every entry and the
    document's created/modified properties carry one fixed time ($SOURCE_DATE_EPOCH or
    2000-01-01)."""
    stamp = fixed_timestamp()
    with zipfile.ZipFile(io.BytesIO(content)) as zin:
        members = []
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(),
                              data)
            members.append((item.filename, data, item.external_attr))
    return fixed_time_zip(members)


def fixed_timestamp() -> str:
    """The fixed time of reproducible documents in ISO 8601 ($SOURCE_DATE_EPOCH or 2000-01-01).

    >>> fixed_timestamp() if "SOURCE_DATE_EPOCH" not in os.environ else "2000-01-01T00:00:00Z"
    '2000-01-01T00:00:00Z'
    """
    year, month, day, hour, minute, second = _fixed_time()
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"


def fixed_time_zip(members) -> bytes:
    """A deflated zip of ``members`` (name, bytes[, external attributes]) in their order,
    every entry dated with the fixed time, so that equal members give equal bytes."""
    when = _fixed_time()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data, *attr in members:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            if attr:
                info.external_attr = attr[0]
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


def _fresh(parent: Path, prefix: str, folder: bool = False) -> Path:
    """A new file or folder with a random name in ``parent``, created with the permissions the
    process umask allows (``tempfile`` would make it private; the umask is never changed).

    >>> import tempfile
    >>> _fresh(Path(tempfile.mkdtemp()), ".x.", folder=True).is_dir()
    True
    """
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(6)}.tmp"
        try:
            if folder:
                os.mkdir(path, 0o777)
            else:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {parent}")


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (links resolved)."""
    path, folder = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return path == folder or folder in path.parents


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _check_target(out: Path, files: dict[str, bytes], protect) -> None:
    """``out`` may be replaced: it is a folder (or new), not the folder the program runs
    in, and the input file is not one of the outputs."""
    if out.exists() and not out.is_dir():
        raise UsageError(Problem("out_not_a_folder", value=str(out)))
    if _inside(Path.cwd(), out):
        raise UsageError(Problem("out_contains_cwd", value=str(out)))
    inputs = [protect] if isinstance(protect, str | Path) else list(protect or ())
    for name in files:
        if any(_same_file(out / name, Path(path)) for path in inputs if path is not None):
            raise UsageError(Problem("out_overwrites_input", value=str(out / name)))


def _earlier_outputs(out: Path) -> set[str]:
    """The files an earlier turaqty run wrote into ``out``, by its manifest."""
    try:
        manifest = json.loads((out / "manifest.json").read_bytes())
        return set(manifest["outputs"]) if manifest.get("tool") == "turaqty" else set()
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def _carry_over(out: Path, new: Path, files: dict[str, bytes]) -> None:
    """Files of ``out`` that are not turaqty's (the user's notes, the input file) go into
    the new folder too (as hard links where possible); the outputs of an earlier run do
    not, so that the folder never mixes two runs."""
    ours = {name.split("/")[0] for name in set(files) | _earlier_outputs(out) | {"manifest.json"}}
    for entry in out.iterdir():
        if entry.name in ours:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, new / entry.name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(entry), str(new / entry.name))


def write_folder(out: str | Path, files: dict[str, bytes], protect=None) -> dict[str, str]:
    """Write ``files`` (name → content) as the folder ``out``; returns each file's SHA-256.

    The new folder is built complete beside ``out`` and swapped in as one step: ``out``
    holds either the earlier results or the new ones, whole, whatever fails or is killed
    on the way. The outputs of an earlier run in ``out`` are replaced together (its
    manifest lists them); other files there are kept. A second turaqty writing the same
    ``out`` at the same time is refused (``out_locked``); hidden leftovers of a killed run
    are removed. ``protect`` (an input file, or a list of them) is never replaced."""
    if str(out) == "":
        raise UsageError(Problem("out_empty"))
    try:
        out = Path(out).absolute()
        _check_target(out, files, protect)
        out.parent.mkdir(parents=True, exist_ok=True)
        with folder_lock(out):
            _remove_leftovers(out)
            return _swap_in(out, files)
    except OSError as err:
        raise UsageError(Problem("out_not_writable", value=str(out),
                                 params={"reason": err.strerror or str(err)})) from None


def _lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.turaqty-lock"


@contextlib.contextmanager
def folder_lock(out: Path):
    """Hold the lock of the output folder ``out`` (a hidden file beside it) while writing;
    a :class:`UsageError` ``out_locked`` if another process holds it."""
    if fcntl is None:  # no advisory locks (Windows): the swap still never half-writes
        yield
        return
    path = _lock_path(out)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # the process umask applies
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise UsageError(Problem("out_locked", value=str(out))) from None
        try:  # the holder before us may have removed the file: lock the one in place
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _remove_leftovers(out: Path) -> None:
    """Hidden folders a killed run left beside ``out`` (called under the lock)."""
    for path in out.parent.glob(f".{glob.escape(out.name)}.turaqty-*"):
        if path.name.split(".turaqty-", 1)[1][:4] in ("new-", "old-") and path.is_dir() \
                and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


def _write_member(path: Path, content: bytes) -> None:
    """Write one file of the new folder (the step a failure test replaces)."""
    path.parent.mkdir(parents=True, exist_ok=True)  # e.g. figures/map.png
    path.write_bytes(content)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where that is not available."""
    if _renameat2 is None:
        return False
    if _renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 2) == 0:  # AT_FDCWD, RENAME_EXCHANGE
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):  # file system without it
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(out: Path, files: dict[str, bytes]) -> dict[str, str]:
    tmp = _fresh(out.parent, f".{out.name}.turaqty-new-", folder=True)
    try:
        digests = {}
        for name, content in files.items():
            _write_member(tmp / name, content)
            digests[name] = hashlib.sha256(content).hexdigest()
        if out.is_dir():
            _carry_over(out, tmp, files)
        if not out.exists():
            os.rename(tmp, out)
        elif _exchange(tmp, out):  # tmp now holds the earlier results, removed below
            pass
        else:  # two renames: the earlier results aside, the new ones in
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.turaqty-old-", dir=out.parent))
            try:
                os.rename(out, old / "results")
                try:
                    os.rename(tmp, out)
                except OSError:
                    os.rename(old / "results", out)
                    raise
            finally:
                if out.exists():  # else the earlier results stay aside rather than be lost
                    shutil.rmtree(old, ignore_errors=True)
        return digests
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_file(path: str | Path, content: bytes) -> None:
    """Write one file atomically (temporary file beside it, then rename)."""
    if str(path) == "":
        raise UsageError(Problem("out_empty"))
    path = Path(path).absolute()
    if path.is_dir():
        raise UsageError(Problem("out_is_a_folder", value=str(path)))
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _fresh(path.parent, f".{path.name}.")
        tmp.write_bytes(content)
        os.replace(tmp, path)
    except OSError as err:
        raise UsageError(Problem("out_not_writable", value=str(path),
                                 params={"reason": err.strerror or str(err)})) from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)

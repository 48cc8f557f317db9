"""Output files made in a forked child process while the caller makes others.

``turaqty report`` draws its figures (Pillow's import and four files, about 0.3 s) while it
writes the page, the robustness section and the workbook: on a machine with two cores the
two halves run side by side. :class:`Forked` starts ``produce`` in a child process made with ``os.fork``
(the child shares the parent's memory, so nothing is pickled on the way in) and collects its
files through a pipe. Where forking is not safe — not Linux, or the process runs threads (a
notebook, a Dask worker) — or when the child fails for any reason, ``produce`` runs in the
caller's own process instead, so a failure raises there with its real traceback and the
files are always the same.

Example
-------
>>> with Forked(lambda: {"a.txt": b"made elsewhere"}) as job:
...     mine = {"b.txt": b"made here"}
...     files = {**mine, **job.result()}
>>> sorted(files)
['a.txt', 'b.txt']
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable

Files = dict[str, bytes]


def fork_is_safe() -> bool:
    """Whether this process may fork a worker: Linux, no thread but the main one, and
    children left to us to wait for (a host that ignores or reaps them takes their status)."""
    return (sys.platform == "linux" and hasattr(os, "fork") and threading.active_count() == 1
            and signal.getsignal(signal.SIGCHLD) == signal.SIG_DFL)


class Forked:
    """``produce()`` started in a child process; :meth:`result` returns its files."""

    def __init__(self, produce: Callable[[], Files]):
        self._produce = produce
        self._pid: int | None = None
        self._read = -1
        if fork_is_safe():
            self._start()

    def _start(self) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: make the files, send them, leave without cleanup handlers
            os.close(read)
            status = 1
            try:
                data = pickle.dumps(self._produce(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Files:
        """The child's files; computed here when there was no child or it failed."""
        if self._pid is None:
            return self._produce()
        read, self._read = self._read, -1  # closed below, even if interrupted while reading
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        try:
            _, status = os.waitpid(self._pid, 0)
        except ChildProcessError:  # reaped by someone else: the files tell whether it finished
            status = 0
        self._pid = None
        try:
            files = pickle.loads(data) if status == 0 else None
        except Exception:  # a truncated message
            files = None
        return files if isinstance(files, dict) else self._produce()  # else made here

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc) -> None:
        """A child whose result was not collected (the caller failed) is stopped."""
        if self._pid is not None:
            if self._read >= 0:
                os.close(self._read)
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except (ProcessLookupError, ChildProcessError):  # already gone
                pass
            self._pid = None

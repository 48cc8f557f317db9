"""Files made in a forked child (report/forked.py): the same files as made in-process, a
failure raised in the caller, no child left behind, no fork where it is unsafe."""
from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from turaqty.report import forked
from turaqty.report.forked import Forked, fork_is_safe

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="turaqty forks only on Linux")


def _pid() -> dict[str, bytes]:
    return {"pid": str(os.getpid()).encode()}


@linux_only
def test_the_files_are_made_in_a_child_process():
    assert fork_is_safe()
    with Forked(_pid) as job:
        files = job.result()
    assert int(files["pid"]) != os.getpid()


def test_without_a_safe_fork_the_files_are_made_here(monkeypatch):
    monkeypatch.setattr(forked, "fork_is_safe", lambda: False)
    with Forked(_pid) as job:
        assert int(job.result()["pid"]) == os.getpid()


@linux_only
def test_a_thread_running_means_no_fork():
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not fork_is_safe()
        with Forked(_pid) as job:
            assert int(job.result()["pid"]) == os.getpid()
    finally:
        stop.set()
        worker.join()


@linux_only
def test_a_failing_child_raises_in_the_caller_with_the_real_error():
    calls = []

    def broken():
        calls.append(os.getpid())  # the child's append is lost with the child
        raise ValueError("no figures")

    with pytest.raises(ValueError, match="no figures"), Forked(broken) as job:
        job.result()
    assert calls == [os.getpid()]  # made again here, where the error surfaced


@linux_only
def test_a_child_not_collected_is_stopped():
    with pytest.raises(RuntimeError), Forked(lambda: time.sleep(60) or {}) as job:
        child = job._pid
        raise RuntimeError("the caller failed")
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # already reaped: nothing left running


def test_the_report_is_the_same_made_in_one_process_or_two(monkeypatch):
    import turaqty
    from turaqty.report.outputs import report_files

    a = turaqty.assess()
    both = report_files(a)
    monkeypatch.setattr(forked, "fork_is_safe", lambda: False)
    one = report_files(a)
    assert list(both) == list(one)
    assert {k: v for k, v in both.items() if k != "manifest.json"} == \
        {k: v for k, v in one.items() if k != "manifest.json"}

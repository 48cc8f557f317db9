"""Files made in a forked child (report/forked.py): the same files as made in-process, a
failure raised in the caller, no child left behind, no fork where it is unsafe."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

import pytest

from turaqty.report import forked
from turaqty.report.forked import Forked, fork_is_safe

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="turaqty forks only on Linux")


def _pid() -> dict[str, bytes]:
    return {"pid": str(os.getpid()).encode()}


def _fresh(code: str) -> str:
    """Run ``code`` in a new interpreter (no threads left by other tests, e.g. a browser's
    driver) and return what it prints."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


@linux_only
def test_the_files_are_made_in_a_child_process():
    out = _fresh("""
        import os
        from turaqty.report.forked import Forked, fork_is_safe
        with Forked(lambda: {"pid": str(os.getpid()).encode()}) as job:
            print(fork_is_safe(), int(job.result()["pid"]) != os.getpid())
    """)
    assert out == "True True"


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
    out = _fresh("""
        import os
        from turaqty.report.forked import Forked
        calls = []
        def broken():
            calls.append(os.getpid())  # the child's append is lost with the child
            raise ValueError("no figures")
        try:
            with Forked(broken) as job:
                job.result()
        except ValueError as e:
            print(e, calls == [os.getpid()])  # made again here, where the error surfaced
    """)
    assert out == "no figures True"


@linux_only
def test_a_child_not_collected_is_stopped():
    out = _fresh("""
        import os, time
        from turaqty.report.forked import Forked
        start = time.perf_counter()
        try:
            with Forked(lambda: time.sleep(60) or {}) as job:
                child = job._pid
                raise RuntimeError("the caller failed")
        except RuntimeError:
            pass
        try:
            os.waitpid(child, os.WNOHANG)
        except ChildProcessError:
            print("reaped", child is not None, time.perf_counter() - start < 30)
    """)
    assert out == "reaped True True"


@linux_only
def test_the_report_is_the_same_made_in_one_process_or_three():
    out = _fresh("""
        import turaqty
        from turaqty.report import forked
        from turaqty.report.outputs import report_files
        a = turaqty.assess()
        assert forked.fork_is_safe()
        three = report_files(a)
        forked.fork_is_safe = lambda: False
        one = report_files(a)
        same = list(three) == list(one) and all(three[k] == one[k] for k in one if k != "manifest.json")
        print(same, len(one))
    """)
    assert out == "True 7"  # report.html, four figures, results.xlsx, manifest.json


@linux_only
def test_an_interrupted_wait_stops_the_child_and_raises_the_interruption():
    # Ctrl-C while the caller waits for the child's files: KeyboardInterrupt, not an error
    # about a closed file, and no child left running
    out = _fresh("""
        import os, signal, threading, time
        from turaqty.report.forked import Forked
        signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        try:
            with Forked(lambda: time.sleep(60) or {}) as job:
                child = job._pid
                signal.setitimer(signal.ITIMER_REAL, 0.3)
                job.result()
        except KeyboardInterrupt:
            try:
                os.waitpid(child, os.WNOHANG)
            except ChildProcessError:
                print("interrupted, reaped")
    """)
    assert out == "interrupted, reaped"


@linux_only
def test_a_host_that_reaps_children_gets_the_files_made_in_process():
    out = _fresh("""
        import os, signal
        from turaqty.report.forked import Forked, fork_is_safe
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # e.g. a server that reaps its children
        with Forked(lambda: {"pid": str(os.getpid()).encode()}) as job:
            print(fork_is_safe(), int(job.result()["pid"]) == os.getpid())
    """)
    assert out == "False True"

"""The progress bar of ``turaqty robustness`` (issue 11, item 6): on a terminal (a
pseudo-terminal here) it is drawn in place on standard error and wiped at the end, also when
the run fails; piped, nothing of it is written."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pty = pytest.importorskip("pty", reason="pseudo-terminals need a POSIX system")

BAR = re.compile(r"\r(Replications|Қайталаулар|Повторения) \[([#.]{30})\] (\d+)/(\d+)")


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("TURAQTY_LANG", "TURAQTY_DEBUG")}


def _on_terminal(*args) -> tuple[int, str]:
    """Run the command with its standard output and error on a pseudo-terminal; what the
    terminal received, as text."""
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "turaqty", *map(str, args)], stdin=slave, stdout=slave,
                         stderr=slave, env=_env(), close_fds=True)
    os.close(slave)
    received = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed (Linux raises EIO)
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    return p.wait(timeout=300), received.decode("utf-8")


def test_terminal_shows_the_bar_and_wipes_it(tmp_path):
    code, text = _on_terminal("robustness", "--runs", 3000, "--sobol", 64, "--memory", 32,
                              "--out", tmp_path / "out", "--lang", "ru")
    assert code == 0, text
    bars = BAR.findall(text)
    assert len(bars) >= 3, text
    done = [int(b[2]) for b in bars]
    total = {int(b[3]) for b in bars}
    assert done == sorted(done) and done[0] == 0 and len(total) == 1 and done[-1] == total.pop()
    assert bars[-1][1] == "#" * 30 and bars[0][1] == "." * 30
    # wiped: the last bar is overwritten by spaces and the cursor sent back, then the results
    # start at the beginning of a clean line
    end = list(BAR.finditer(text))[-1].end()
    wipe = re.match(r"\r( +)\r", text[end:])
    assert wipe is not None and len(wipe.group(1)) >= len(BAR.search(text).group(0)) - 1
    after = text[end + wipe.end():]
    assert after.startswith("Различия в рангах") or after.startswith("Все различия"), after[:80]
    assert "[#" not in after and "\r" not in after.replace("\r\n", "")
    assert (tmp_path / "out" / "robustness.csv").exists()


def test_terminal_bar_is_wiped_before_an_error(tmp_path):
    # the geometric mean of z-scores fails in the first chunk of replications
    factors = tmp_path / "f.yaml"
    factors.write_text("normalise: [zscore]\naggregate: [geometric]\n", encoding="utf-8")
    code, text = _on_terminal("robustness", "--factors", factors, "--runs", 200, "--sobol", 0,
                              "--out", tmp_path / "out")
    assert code == 2, text
    assert BAR.search(text), text
    wipe = re.search(r"\r +\r", text)
    assert wipe is not None and "error" in text[wipe.end():].lower()
    assert not (tmp_path / "out").exists()


def test_piped_output_has_no_bar(tmp_path):
    p = subprocess.run([sys.executable, "-m", "turaqty", "robustness", "--runs", "3000", "--sobol", "64",
                        "--memory", "32", "--out", str(tmp_path / "out")], capture_output=True,
                       text=True, encoding="utf-8", env=_env(), timeout=300)
    assert p.returncode == 0, p.stderr
    for stream in (p.stdout, p.stderr):
        assert "\r" not in stream and "[#" not in stream and "Replications" not in stream
        assert not BAR.search(stream)
    assert p.stderr == "" and p.stdout.startswith("Rank differences")

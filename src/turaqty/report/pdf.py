"""PDF from an HTML page, printed by the system's headless Chromium (Debian package ``chromium``).

The page is printed with its own print stylesheet (A4, see :mod:`turaqty.report.layout`),
from a temporary folder, offline, without the browser's header and footer. Chromium is found
on PATH (``chromium``, ``chromium-browser``, ``google-chrome``) or named by ``$TURAQTY_CHROMIUM``;
when none is there, :func:`find_chromium` raises a :class:`~turaqty.errors.UsageError` saying how
to install it, before anything is written.

Example
-------
>>> import os
>>> os.environ["TURAQTY_CHROMIUM"] = "/nonexistent/chromium"
>>> try:
...     find_chromium()
... except UsageError as err:
...     print(err.problems[0].key)
chromium_missing
>>> del os.environ["TURAQTY_CHROMIUM"]
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from turaqty.errors import Problem, UsageError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-pdf-header-footer", "--print-to-pdf-no-header", "--run-all-compositor-stages-before-draw")
TIMEOUT = 120  # seconds for one document


def find_chromium() -> str:
    """The path of the Chromium that prints PDFs; a UsageError (exit 2) if there is none."""
    named = os.environ.get("TURAQTY_CHROMIUM")
    candidates = [named] if named else list(BROWSERS)
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    raise UsageError(Problem("chromium_missing", value=named or "chromium"))


def html_to_pdf(pages: dict[str, str], chromium: str | None = None) -> dict[str, bytes]:
    """Print each HTML page (name → text, names ending in ``.pdf``) to PDF; returns name → bytes.

    Pages are printed one at a time from a private temporary folder; a failure raises a
    UsageError with Chromium's last words, and no file is returned.
    """
    browser = chromium or find_chromium()
    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="turaqty-pdf-") as tmp:
        for name, page in pages.items():
            source = Path(tmp) / "page.html"
            target = Path(tmp) / "page.pdf"
            source.write_text(page, encoding="utf-8")
            target.unlink(missing_ok=True)
            try:
                proc = subprocess.run([browser, *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
                                       f"--print-to-pdf={target}", source.as_uri()],
                                      capture_output=True, text=True, timeout=TIMEOUT)
                reason = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
            except (OSError, subprocess.TimeoutExpired) as err:
                reason = str(err)
            if not target.exists() or target.stat().st_size == 0:
                raise UsageError(Problem("pdf_failed", value=name, params={"reason": reason,
                                                                             "browser": browser}))
            out[name] = target.read_bytes()
    return out

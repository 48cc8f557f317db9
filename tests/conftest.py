"""Shared helpers for the input and command-line tests.

Inputs are built from the embedded 2023 data (``turaqty.load_embedded().wide(national=True)``)
so that a file that is read correctly must give exactly the indices of ``turaqty.assess()``.
"""
from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import pandas as pd
import pytest

import turaqty
from turaqty.i18n import LANGUAGES

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TURAQTY_SHARED", REPO.parent / "shared"))
KZ_OPEN_DATA = SHARED / "external" / "kz-open-data"
TEST_DATA = Path(__file__).resolve().parent / "data"

GROUP_SPACES = (" ", "\u00a0", "\u202f")  # space, no-break space, narrow no-break space


@pytest.fixture(scope="session")
def wide() -> pd.DataFrame:
    """The embedded data as a wide table indexed by unit_id, national row ``kz`` last."""
    return turaqty.load_embedded().wide(national=True)


@pytest.fixture(scope="session")
def reference():
    """``turaqty.assess()`` on the embedded data (default profile, English)."""
    return turaqty.assess()


def row_of(frame: pd.DataFrame, unit: str) -> int:
    """Row number (as a spreadsheet shows it, header = 1) of ``unit`` in a file made by
    :func:`table_rows` from ``frame``."""
    return list(frame.index).index(unit) + 2


def fmt(x, decimal: str = ".", group: str | None = None) -> str:
    """``x`` as text that reads back to exactly the same float ('' when missing)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    text = repr(float(x))
    if "e" in text or "inf" in text:
        return text.replace(".", decimal)
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, frac = text.partition(".")
    if group:
        parts = []
        while len(whole) > 3:
            parts.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = group.join([whole] + parts)
    return sign + whole + (decimal + frac if frac else "")


def table_rows(frame: pd.DataFrame, names: dict | None = None, decimal: str = ".",
               group=None, header: str = "region") -> list[list[str]]:
    """A wide file as rows of text cells: ``[header, codes...]`` then one row per unit.

    ``names`` maps unit_id → the text written in the region cell (default: the id).
    ``group`` is a thousands separator, or a sequence of them used in turn.
    """
    groups = [group] if isinstance(group, str) or group is None else list(group)
    rows = [[header, *map(str, frame.columns)]]
    k = 0
    for unit, values in frame.iterrows():
        cells = []
        for x in values:
            cells.append(fmt(x, decimal, groups[k % len(groups)]))
            k += 1
        rows.append([(names or {}).get(unit, unit), *cells])
    return rows


def csv_text(rows, sep: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, rows, sep: str = ",", encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text(rows, sep).encode(encoding))
    return path


def write_xlsx(path: Path, rows, sheet: str = "data", before: tuple[str, ...] = ()) -> Path:
    """An XLSX with ``rows`` on ``sheet``; ``before`` names sheets put in front of it."""
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    for title in before:
        ws = wb.create_sheet(title)
        ws.append(["this sheet is not the data"])
    ws = wb.create_sheet(sheet)
    wb.remove(first)
    for row in rows:
        ws.append([None if c == "" else c for c in row])
    wb.save(path)
    return path


def rewrite_xlsx(good: Path, bad: Path, edit) -> Path:
    """A copy of the workbook ``good`` at ``bad`` with every member's bytes passed through
    ``edit(name, data)`` (to damage or alter one part)."""
    import zipfile

    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, edit(item.filename, zin.read(item.filename)))
    return bad


def numeric_rows(frame: pd.DataFrame, names: dict | None = None) -> list[list]:
    """Like :func:`table_rows` but with real numbers (None when missing), for XLSX."""
    rows = [["region", *map(str, frame.columns)]]
    for unit, values in frame.iterrows():
        rows.append([(names or {}).get(unit, unit)]
                    + [None if math.isnan(x) else float(x) for x in values])
    return rows


def assert_problem(p, key, file, row, column, value, mentions=()):
    """``p`` is the expected problem and renders in every language, naming the bad value
    (or, when there is no value, the file), the row and each text of ``mentions``."""
    assert (p.key, p.file, p.row, p.column, p.value) == (key, str(file), row, column, value), p
    english = p.render("en")
    for lang in LANGUAGES:
        text = p.render(lang)
        assert text.strip(), (lang, p)
        assert "{" not in text and "}" not in text, (lang, text)  # no unfilled placeholder
        assert str(value if value is not None else file) in text, (lang, text)
        if row is not None:
            assert str(row) in text, (lang, text)
        if column is not None:
            assert str(column) in text, (lang, text)
        for m in mentions:
            assert str(m) in text, (lang, m, text)
        if lang != "en":
            assert text != english, f"{key} is not translated into {lang}"


def assert_same_indices(a, ref) -> None:
    """``a.indices`` equals ``ref.indices`` (numbers to 1e-12, ranks and levels exactly)."""
    pd.testing.assert_frame_equal(a.indices.reset_index(drop=True),
                                  ref.indices.reset_index(drop=True),
                                  check_exact=False, rtol=1e-12, atol=1e-12)


def file_state(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, for the tests of one module; skipped when it is absent."""
    from tests.test_report import CHROMIUM, FLAGS

    if CHROMIUM is None:
        pytest.skip("Chromium not installed (Debian package 'chromium'); .ci/run installs it")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright not installed (test extras)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()

"""Benchmarks of reading big inputs (prints figures; not a timed test).

    python benchmarks/bench_inputs.py [--skip-200mb] [--dir DIR]

Each case is a generated file, read by ``turaqty validate`` (or ``assess``) in a fresh
process; the wall time and the peak resident memory of that process are printed:

1. XLSX, 100,000 rows × 53 columns (the 21 real rows, then the regions again and again):
   target ≤ 20 s; the answer is the list of duplicated regions, cut at 1,000 problems;
2. CSV, 200 MB: the 21 real rows, then 200 MB of empty separator rows as spreadsheets
   export them: read and assessed; target ≤ 10 s and ≤ 1.5 GB;
3. CSV, 200 MB of data rows (53 numbers each): refused at the row cap (200,000 rows with
   content) with its message; target ≤ 10 s and ≤ 1.5 GB;
4. a small XLSX zip bomb (unpacks to 2 GB of whitespace) and 200 M empty rows: refused
   within seconds by the unpacked-size cap.

The two 200 MB cases are run once each (the machine is shared).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import turaqty
from turaqty.io.tables import column_label

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 b'<Default Extension="rels" '
                 b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 b'<Default Extension="xml" ContentType="application/xml"/>'
                 b'<Override PartName="/xl/workbook.xml" '
                 b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                 b'<Override PartName="/xl/worksheets/sheet1.xml" '
                 b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                 b'</Types>')
ROOT_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             b'<Relationship Id="rId1" '
             b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
             b'Target="xl/workbook.xml"/>'
             b'</Relationships>')
WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 b'<Relationship Id="rId1" '
                 b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                 b'Target="worksheets/sheet1.xml"/>'
                 b'</Relationships>')
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


def write_xlsx(path: Path, rows, sheet_xml: bytes | None = None) -> Path:
    """A minimal workbook with one sheet "data" of ``rows`` (texts inline, numbers as
    numbers), or with the given sheet XML."""
    if sheet_xml is None:
        parts = [SHEET_HEAD]
        for i, row in enumerate(rows, start=1):
            cells = []
            for j, v in enumerate(row):
                ref = f"{column_label(j)}{i}"
                if isinstance(v, str):
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
                elif v == v:  # not NaN
                    cells.append(f'<c r="{ref}"><v>{v!r}</v></c>')
            parts.append(f'<row r="{i}">{"".join(cells)}</row>'.encode())
        parts.append(SHEET_TAIL)
        sheet_xml = b"".join(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                           ("xl/worksheets/sheet1.xml", sheet_xml)):
            z.writestr(name, data)
    return path


def real_rows() -> list[list]:
    """Header and the 21 rows (20 regions and the national row) of the embedded data."""
    wide = turaqty.load_embedded().wide(national=True)
    return [["region", *wide.columns]] + [[u, *map(float, r)] for u, r in zip(wide.index,
                                                                              wide.to_numpy(), strict=True)]


# run turaqty in a child that records its own peak memory (VmHWM: of its own memory map,
# so not the benchmark's, which a forked child's accounting would inherit)
CHILD = """
import atexit, os, runpy, sys
def peak():
    with open("/proc/self/status") as fh, open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(next(line.split()[1] for line in fh if line.startswith("VmHWM")))
atexit.register(peak)
sys.argv = ["turaqty", *sys.argv[1:]]
runpy.run_module("turaqty", run_name="__main__")
"""


def measure(label: str, args: list[str], target: str) -> None:
    """Run ``turaqty ARGS`` in a fresh process; print its wall time, its peak resident
    memory and the first and last lines of its answer."""
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                              env={**os.environ, "BENCH_PEAK_FILE": str(peak_file)})
        seconds = time.perf_counter() - t0
        peak = int(peak_file.read_text()) / 1024 if peak_file.exists() else float("nan")
    answer = (proc.stderr or proc.stdout).strip().splitlines()
    print(f"{label}: {seconds:.1f} s, peak memory {peak:.0f} MB, exit {proc.returncode}; target {target}")
    print(f"    {answer[0][:160] if answer else ''}")
    last = [line for line in answer if line.strip() and not line.startswith(" ")]
    if len(last) > 1:
        print(f"    {last[-1][:160]}")


def bench_xlsx_100k(folder: Path) -> None:
    rows = real_rows()
    body = rows[1:]
    table = [rows[0]] + [body[k % len(body)] for k in range(100_000)]
    t0 = time.perf_counter()
    path = write_xlsx(folder / "rows100k.xlsx", table)
    print(f"(made {path.name}: {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s)")
    measure("XLSX 100,000 rows × 53 columns, validate", ["validate", str(path)], "≤ 20 s")


def bench_csv_empty_rows(folder: Path) -> None:
    rows = real_rows()
    path = folder / "data_then_empty_rows.csv"
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(";".join(str(v) for v in row) + "\n")
        line = ";" * (len(rows[0]) - 1) + "\n"
        fh.write(line * (200 * 1024 * 1024 // len(line)))
    print(f"(made {path.name}: {path.stat().st_size / 1e6:.0f} MB)")
    measure("CSV 200 MB (data, then empty rows), assess", ["assess", str(path), "--quiet", "--out",
                                                          str(folder / "out")], "≤ 10 s, ≤ 1.5 GB")


def bench_csv_data_rows(folder: Path) -> None:
    rows = real_rows()
    lines = [";".join(str(v) for v in row) + "\n" for row in rows[1:]]
    path = folder / "data_rows.csv"
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(";".join(rows[0]) + "\n")
        size, k = 0, 0
        while size < 200 * 1024 * 1024:
            fh.write(lines[k % len(lines)])
            size += len(lines[k % len(lines)])
            k += 1
    print(f"(made {path.name}: {path.stat().st_size / 1e6:.0f} MB, {k} data rows)")
    measure("CSV 200 MB of data rows, validate", ["validate", str(path)], "≤ 10 s, ≤ 1.5 GB")


def _streamed_xlsx(path: Path, block: bytes, times: int) -> Path:
    """A workbook whose sheet is ``block`` repeated ``times`` times, written as a stream."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)):
            z.writestr(name, data)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(SHEET_HEAD)
            for _ in range(times):
                fh.write(block)
            fh.write(SHEET_TAIL)
    return path


def bench_xlsx_bombs(folder: Path) -> None:
    whitespace = _streamed_xlsx(folder / "whitespace_bomb.xlsx", b" " * (16 * 1024 * 1024), 128)
    print(f"(made {whitespace.name}: {whitespace.stat().st_size / 1e6:.1f} MB, unpacks to 2 GB)")
    measure("XLSX unpacking to 2 GB of whitespace, validate",
            ["validate", str(whitespace)], "refused, ≤ 10 s")
    many = _streamed_xlsx(folder / "empty_rows_bomb.xlsx", b"<row/>" * 1_000_000, 200)
    print(f"(made {many.name}: {many.stat().st_size / 1e6:.1f} MB, 200 M empty rows)")
    measure("XLSX with 200 M empty rows, validate", ["validate", str(many)], "refused, ≤ 10 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-200mb", action="store_true", help="leave out the two 200 MB CSV cases")
    parser.add_argument("--dir", help="folder for the generated files (default: a temporary one)")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="turaqty-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"turaqty {turaqty.__version__ if hasattr(turaqty, '__version__') else ''}, "
          f"{os.cpu_count()} CPUs; files in {folder}")
    try:
        bench_xlsx_100k(folder)
        bench_xlsx_bombs(folder)
        if not args.skip_200mb:
            bench_csv_empty_rows(folder)
            bench_csv_data_rows(folder)
    finally:
        if not args.dir:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

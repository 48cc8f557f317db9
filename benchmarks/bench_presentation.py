"""Benchmark of the outputs for paper and meetings (prints figures; not a timed test).

    python benchmarks/bench_presentation.py

In-process on the embedded data, median of 3: report.html alone, report.docx, the 20 briefs
(HTML); then, when the system's Chromium is there, printing report.pdf and one brief's PDF,
side by side with the HTML they are printed from, and the ratios.
"""
from __future__ import annotations

import statistics
import time

import turaqty
from turaqty.errors import UsageError
from turaqty.report.brief import brief_pages
from turaqty.report.html import report_html
from turaqty.report.pdf import find_chromium, html_to_pdf
from turaqty.report.word import report_docx


def _median(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    a = turaqty.assess(lang="ru")
    units = list(a.dataset.units)
    page = report_html(a)
    brief = brief_pages(a, units[:1])
    t_html = _median(lambda: report_html(a))
    t_docx = _median(lambda: report_docx(a))
    t_briefs = _median(lambda: brief_pages(a, units))
    print(f"report.html: {t_html:.3f} s; report.docx (no figures): {t_docx:.3f} s "
          f"({t_docx / t_html:.1f}× the HTML); 20 briefs (HTML): {t_briefs:.3f} s")
    try:
        find_chromium()
    except UsageError:
        print("Chromium not found: PDF timings skipped")
        return
    t_pdf = _median(lambda: html_to_pdf({"report.pdf": page}), runs=2)
    t_brief_pdf = _median(lambda: html_to_pdf({"brief.pdf": next(iter(brief.values()))}), runs=2)
    print(f"report.pdf: {t_pdf:.2f} s ({t_pdf / t_html:.0f}× building the HTML); one brief's PDF: "
          f"{t_brief_pdf:.2f} s (Chromium's start dominates: 20 briefs ≈ {20 * t_brief_pdf:.0f} s)")


if __name__ == "__main__":
    main()

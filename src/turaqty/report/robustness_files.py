"""The files of a robustness run: ``robustness.csv``, ``sensitivity.csv``, ``drop_one.csv``,
``reversals.csv``, ``robustness.xlsx`` (the same tables, headed in the run's language, and
a summary sheet with the sentence on meaningful differences), ``summary.txt``, the rank
interval chart ``rank_intervals.png``/``.svg`` and ``manifest.json``.

Example
-------
>>> from turaqty.analysis.robustness import run_robustness
>>> files = robustness_files(run_robustness(runs=50, sobol=0), "kk")
>>> sorted(files)  # doctest: +NORMALIZE_WHITESPACE
['drop_one.csv', 'manifest.json', 'rank_intervals.png', 'rank_intervals.svg', 'reversals.csv',
 'robustness.csv', 'robustness.xlsx', 'sensitivity.csv', 'summary.txt']
"""
from __future__ import annotations

import pandas as pd

from turaqty.i18n import t
from turaqty.io.write import csv_bytes, json_bytes


def robustness_files(r, lang: str = "en") -> dict[str, bytes]:
    """Every output of :func:`~turaqty.analysis.robustness.run_robustness` as bytes."""
    sentence = r.sentence(lang)
    files = {
        "robustness.csv": csv_bytes(r.table),
        "sensitivity.csv": csv_bytes(r.sensitivity),
        "drop_one.csv": csv_bytes(r.drop_one),
        "reversals.csv": csv_bytes(r.reversals),
        "robustness.xlsx": robustness_workbook(r, lang),
        "summary.txt": (sentence + "\n").encode("utf-8"),
        "manifest.json": json_bytes({**r.manifest, "sentence": sentence, "lang": lang}),
    }
    files.update({f"rank_intervals.{fmt}": data for fmt, data in rank_interval_chart(r, lang).items()})
    return files


def robustness_workbook(r, lang: str) -> bytes:
    """The tables in one workbook, column headings in ``lang``."""
    from turaqty.report.xlsx import frames_workbook

    summary = pd.DataFrame({t("robustness.col.item", lang): [
        t("robustness.summary.sentence", lang), t("robustness.summary.runs", lang),
        t("robustness.summary.seed", lang), t("robustness.summary.factors", lang)],
        t("robustness.col.value", lang): [r.sentence(lang), r.manifest["runs"], r.manifest["seed"],
                                          ", ".join(r.factors.names)]})
    sheets = [(t("robustness.sheet.summary", lang), summary),
              (t("robustness.sheet.ranks", lang), _headed(r.table, lang)),
              (t("robustness.sheet.sensitivity", lang), _headed(r.sensitivity, lang)),
              (t("robustness.sheet.drop_one", lang), _headed(r.drop_one, lang)),
              (t("robustness.sheet.reversals", lang), _headed(r.reversals, lang))]
    return frames_workbook((title, frame, {}) for title, frame in sheets)


def _headed(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    def heading(column: str) -> str:
        base = column.rstrip("0123456789")
        return t(f"robustness.col.{base}", lang, default=column, k=column[len(base):])
    return frame.rename(columns={c: heading(c) for c in frame.columns})


def rank_interval_chart(r, lang: str) -> dict[str, bytes]:
    """Each unit's 5–95 % rank interval, median and nominal rank (PNG and SVG)."""
    from turaqty.report.figures import rank_interval_figure

    canvas = rank_interval_figure(r, lang)
    return {"png": canvas.png(), "svg": canvas.svg()}

"""The reproduction of the printed tables as a readable report (Markdown and HTML).

Example
-------
>>> from turaqty.analysis.reproduction import reproduce
>>> doc = reproduction_document(reproduce(), "en")
>>> [s.title for s in doc.sections][:2]
['Summary', 'Differences by cause']
"""
from __future__ import annotations

import re

import pandas as pd

from turaqty.analysis.reproduction import STATUSES, Reproduction
from turaqty.i18n import t
from turaqty.model.framework import load_framework
from turaqty.model.units import load_regions
from turaqty.report.document import Document, Section


def _region(unit_id: str, lang: str) -> str:
    return load_regions().name(unit_id, lang) if unit_id else ""


def _table_label(table: str, lang: str) -> str:
    """'Table 10' → '10-кесте'; 'Text line 4557' → 'Мәтін, 4557-жол' (in ``lang``)."""
    match = re.fullmatch(r"(Table|Text line) (\d+)", table)
    if not match:
        return table
    return t("reproduce.table" if match.group(1) == "Table" else "reproduce.text_line", lang,
             n=match.group(2))


def _column_label(column: str, lang: str) -> str:
    """'B1 (T18.c01) risk' → 'B1 (T18.c01) тәуекел класы'; 'rank_social' → 'Орны, әлеуметтік'."""
    match = re.fullmatch(r"(B\d+ \(\S+\)) (risk|value)", column)
    if match:
        return f"{match.group(1)} {t(f'reproduce.kind.{match.group(2)}', lang)}"
    return t(f"col.{column}", lang, default=column)


def _value(value, column: str, lang: str):
    """A printed or recomputed cell in ``lang``: classes and levels in words, region ids as
    names, numbers written as text as numbers (so they get the decimal comma)."""
    if not isinstance(value, str):
        return value
    if column.endswith(" risk"):
        if value in ("n/a", "none"):
            return t(f"reproduce.class_{'na' if value == 'n/a' else 'none'}", lang)
        if all(part in ("high", "medium", "low") for part in value.split("/")):
            return " / ".join(t(f"risk.{part}", lang) for part in value.split("/"))
    if column.startswith("level_") and value in ("high", "medium", "low"):
        return t(f"level.{value}", lang)
    if value in load_regions().by_id:
        return _region(value, lang)
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return value


def _levels_changed(text: str, lang: str) -> str:
    """'social: medium→high; …' in ``lang``."""
    fw = load_framework()

    def one(part: str) -> str:
        match = re.fullmatch(r"(\w+): (\w*)→(\w*)", part.strip())
        if not match:
            return part
        node, before, after = match.groups()
        level = {v: t(f"level.{v}", lang) for v in (before, after) if v}
        return f"{fw.pillar_name(node, lang)}: {level.get(before, '–')}→{level.get(after, '–')}"

    return "; ".join(one(p) for p in text.split(";")) if text else ""


def reproduction_document(r: Reproduction, lang: str = "en") -> Document:
    """The report: counts per table and status, the differences grouped by cause, and their
    effect on indices, ranks and levels."""
    cells = r.cells
    counts = cells.groupby(["table", "status"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(STATUSES), fill_value=0).reset_index()
    counts["table"] = [_table_label(x, lang) for x in counts["table"]]
    counts.columns = [t("reproduce.col.table", lang)] + [t(f"reproduce.status.{s}", lang) for s in STATUSES]
    total = cells["status"].value_counts()
    summary = Section(t("reproduce.summary", lang), [
        t("reproduce.summary_text", lang, n=len(cells), reproduced=int(total.get("reproduced", 0)),
          explained=int(total.get("explained", 0)), unexplained=int(total.get("unexplained", 0))),
        counts,
    ])

    by_cause = Section(t("reproduce.by_cause", lang))
    differing = cells[cells["status"] != "reproduced"]
    for cause, block in differing.groupby("cause", sort=False):
        by_cause.blocks.append(f"{t(f'cause.{cause}', lang)} — {len(block)}")
        shown = block.assign(
            table=[_table_label(x, lang) for x in block["table"]],
            unit_id=[_region(u, lang) for u in block["unit_id"]],
            column=[f"{_column_label(c, lang)} ← {r.details[('copied_column', tb, c)]}"
                    if ("copied_column", tb, c) in r.details else _column_label(c, lang)
                    for tb, c in zip(block["table"], block["column"], strict=True)],
            printed=[_value(v, c, lang) for v, c in zip(block["printed"], block["column"], strict=True)],
            recomputed=[_value(v, c, lang) for v, c in zip(block["recomputed"],
                                                           block["column"], strict=True)],
        )[["table", "unit_id", "column", "printed", "recomputed"]]
        shown.columns = [t(f"reproduce.col.{c}", lang) for c in shown.columns]
        by_cause.blocks.append(shown)

    e = r.effects
    moved = e[(e["rank_change_dissertation"] != 0) | (e["rank_change_meaningful"] != 0)
              | (e["levels_changed_dissertation"] != "") | (e["levels_changed_meaningful"] != "")]
    moved = moved.reindex(moved["rank_change_meaningful"].abs().sort_values(ascending=False).index)
    table = pd.DataFrame({
        t("col.name", lang): moved["name"],
        t("reproduce.col.rank_printed", lang): moved["rank_integral_printed"].astype("Int64"),
        t("reproduce.col.rank_dissertation", lang): moved["rank_integral_dissertation"].astype("Int64"),
        t("reproduce.col.rank_meaningful", lang): moved["rank_integral_meaningful"].astype("Int64"),
        t("reproduce.col.levels_dissertation", lang): [_levels_changed(x, lang)
                                                       for x in moved["levels_changed_dissertation"]],
        t("reproduce.col.levels_meaningful", lang): [_levels_changed(x, lang)
                                                     for x in moved["levels_changed_meaningful"]],
    })
    biggest = e.loc[e["rank_change_meaningful"].abs().idxmax()]
    effect = Section(t("reproduce.effects", lang), [
        t("reproduce.effects_text", lang),
        t("reproduce.effects_counts", lang,
          n_diss=int((e["rank_change_dissertation"] != 0).sum()),
          n_meaningful=int((e["rank_change_meaningful"] != 0).sum()),
          name=biggest["name"], change=int(abs(biggest["rank_change_meaningful"])),
          before=int(biggest["rank_integral_printed"]), after=int(biggest["rank_integral_meaningful"])),
        table,
    ])
    return Document(t("reproduce.title", lang), [summary, by_cause, effect], lang)

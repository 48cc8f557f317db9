"""The report as a Word document (``report.docx``, python-docx) for officials who edit it:
summary findings, the ranking, the sustainability matrix, the robustness of the places (when
computed), the risk summary, a profile per region, and the method with the data's warnings;
the map and the index chart when given.
Byte-for-byte reproducible (fixed zip and document times, see :func:`turaqty.io.write.stable_zip`).

Example
-------
>>> import io
>>> from docx import Document
>>> from turaqty.engine.assessment import assess
>>> doc = Document(io.BytesIO(report_docx(assess(lang="kk"))))
>>> doc.paragraphs[0].text
'Қазақстан аймақтарының тұрақты дамуы'
>>> len(doc.tables[0].rows)  # the ranking: a header and 20 regions
21
"""
from __future__ import annotations

import io

import pandas as pd

from turaqty.core.classify import LEVELS
from turaqty.engine.assessment import Assessment
from turaqty.i18n import t
from turaqty.io.write import stable_zip
from turaqty.report import scope as applies  # what applies to the framework and units
from turaqty.report.facts import high_risks, mechanisms_by_region, strengths_weaknesses
from turaqty.report.html import _num, scored_indicator
from turaqty.report.scope import Scope


def _level(level: str, lang: str) -> str:
    return t(f"level.{level}", lang) if level else "–"


def _table(doc, head: list[str], rows: list[list[str]], numeric: frozenset[int] | set[int] = frozenset()):
    """A table with a bold header row; columns in ``numeric`` aligned right."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for k, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = text
            if k in numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _summary(doc, a: Assessment, scope: Scope) -> None:
    lang = a.lang
    ranking = a.ranking()
    fw = a.framework
    root = fw.root
    doc.add_heading(t("report.summary", lang), level=1)
    doc.add_paragraph(applies.lead_text(a, scope))
    doc.add_heading(t("report.findings", lang), level=2)
    for text in applies.summary_findings(a, scope):
        doc.add_paragraph(text, style="List Bullet")
    doc.add_heading(t("report.ranking", lang), level=2)
    levelled = fw.levels(root) is not None
    columns = applies.ranking_columns(fw)
    head = [t("col.rank_integral", lang), applies.column_name(a, "name"),
            *(applies.column_name(a, c) for c in columns),
            *[t("col.level_integral", lang)] * levelled]
    rows = [["" if pd.isna(r[f"rank_{root}"]) else str(int(r[f"rank_{root}"])), r["name"]]
            + [_num(r[c], lang) for c in columns]
            + [_level(r.get(f"level_{root}", ""), lang)] * levelled
            for r in ranking.to_dict("records")]
    _table(doc, head, rows, numeric={0, *range(2, 2 + len(columns))})
    m = a.matrix
    if not len(m):  # no index has level bands
        return
    doc.add_heading(t("report.matrix", lang), level=2)
    rows = [[fw.pillar_name(col, lang)]
            + [(m[(m["pillar"] == col) & (m["level"] == lv)]["names"].iloc[0].replace("; ", ", ") or "–")
               for lv in LEVELS] for col in dict.fromkeys(m["pillar"])]
    _table(doc, [""] + [t(f"level.{lv}", lang) for lv in LEVELS], rows)


def _robustness(doc, r) -> None:
    """The robustness of the places, compact: the finding, the interval per region, the
    factors that matter most."""
    from turaqty.report.robustness_section import factors_sentence, interval_rows, intro, place, top_factors

    lang = r.assessment.lang
    doc.add_heading(t("report.robustness", lang), level=1)
    doc.add_paragraph().add_run(r.sentence(lang)).bold = True
    doc.add_paragraph(intro(r, lang))
    rows = [[place(x["nominal"]), x["name"], place(x["median"]),
             "–" if x["p05"] is None else f'{x["p05"]}–{x["p95"]}'] for x in interval_rows(r)]
    _table(doc, [t("col.rank_integral", lang), applies.column_name(r.assessment, "name"),
                 t("robreport.col.median", lang), t("robreport.col.interval", lang)], rows, numeric={0, 2, 3})
    if len(r.sensitivity):
        doc.add_heading(t("robreport.factors_title", lang), level=2)
        doc.add_paragraph(factors_sentence(r, lang))
        _table(doc, [t(f"robreport.col.{c}", lang) for c in ("factor", "total", "ci", "first")],
               [[f["label"], _num(f["total"], lang), f'{_num(f["low"], lang)}–{_num(f["high"], lang)}',
                 _num(f["first"], lang)] for f in top_factors(r, lang)], numeric={1, 2, 3})
        doc.add_paragraph(t("robreport.factors_note", lang, base=r.manifest["sobol_base_samples"],
                            sobol_runs=r.manifest["sobol_runs"]))


def _risks(doc, a: Assessment) -> None:
    lang = a.lang
    doc.add_heading(t("report.docx_risk_summary", lang), level=1)
    doc.add_paragraph(t("report.docx_risk_text", lang, mode=t(f"risk.mode.{a.method.risk_thresholds}", lang)))
    cols = ["high_total", "medium_total", "low_total", "none_total"]
    s = a.risk_summary.sort_values("high_total", ascending=False, kind="stable")
    rows = [[r["name"]] + [str(int(r[c])) for c in cols] for _, r in s.iterrows()]
    _table(doc, [applies.column_name(a, "name")] + [t(f"col.{c}", lang) for c in cols], rows,
           numeric={1, 2, 3, 4})


def _profiles(doc, a: Assessment, scope: Scope) -> None:
    lang = a.lang
    fw = a.framework
    ix = a.indices.set_index("unit_id")
    high = high_risks(a) if scope.risk else {}
    mechanisms = mechanisms_by_region(a) if scope.mechanisms else {}
    doc.add_heading(t(applies.profiles_key(scope), lang), level=1)
    for unit in a.ranking()["unit_id"]:
        row = ix.loc[unit]
        rank = "" if pd.isna(row[f"rank_{fw.root}"]) else int(row[f"rank_{fw.root}"])
        doc.add_heading(f"{row['name']} — {t('col.rank_integral', lang)} {rank}", level=2)
        if not scope.home and (label := applies.group_label(a, unit)):
            doc.add_paragraph(label)
        _table(doc, ["", t("col.value", lang), t("col.level_integral", lang)],
               [[fw.pillar_name(c, lang), _num(row[c], lang), _level(row.get(f"level_{c}", ""), lang)]
                for c in fw.index_columns], numeric={1})
        best, worst = strengths_weaknesses(a, unit)
        risks = high.get(unit, [])
        lines = [(t("report.strongest", lang), ", ".join(scored_indicator(a, c, v) for c, v in best)),
                 (t("report.weakest", lang), ", ".join(scored_indicator(a, c, v) for c, v in worst))]
        if scope.risk:
            lines.append((f"{t('report.high_risks', lang)} ({len(risks)})",
                          ", ".join(f"{c} {fw.by_code[c].name(lang)}" for c in risks)))
        for label, text in lines:
            p = doc.add_paragraph()
            p.add_run(f"{label}: ").bold = True
            p.add_run(text or "–")
        if not mechanisms:
            continue
        p = doc.add_paragraph()
        p.add_run(f"{t('report.mechanisms', lang)}:").bold = True
        for mechanism, answers in mechanisms.get(unit, []):
            doc.add_paragraph(f"{mechanism} ({answers})", style="List Bullet")


def _method(doc, a: Assessment, scope: Scope) -> None:
    lang = a.lang
    doc.add_heading(t("report.method", lang), level=1)
    doc.add_paragraph(applies.formulas_text(a, scope))
    _table(doc, [t("col.parameter", lang), t("col.value", lang)],
           [[k, str(v)] for k, v in applies.method_table(a, scope)])
    doc.add_heading(t("report.quality", lang), level=2)
    for message in a.warnings["message"]:
        doc.add_paragraph(message, style="List Bullet")
    if not len(a.warnings):
        doc.add_paragraph("–")


def report_docx(a: Assessment, figures: dict[str, bytes] | None = None, robustness=None,
                scope: Scope | None = None) -> bytes:
    """``report.docx`` of ``a``; ``figures`` (``figure_files``' PNGs) are placed after the
    summary when given, then the robustness of the places when ``robustness`` (a
    :class:`~turaqty.analysis.robustness.Robustness` of ``a``) is given."""
    from docx import Document
    from docx.shared import Cm

    lang = a.lang
    scope = scope or applies.report_scope(a)
    doc = Document()
    doc.core_properties.title = applies.report_title(a)
    doc.core_properties.language = lang
    doc.add_heading(applies.report_title(a), level=0)
    doc.add_paragraph(t("report.subtitle", lang, source=applies.source_name(a.dataset, lang),
                        profile=applies.profile_name(a.method, lang), version=a.manifest["version"]))
    _summary(doc, a, scope)
    for name in ("figures/map.png", "figures/indices.png"):
        if figures and name in figures:
            doc.add_picture(io.BytesIO(figures[name]), width=Cm(16))
    if robustness is not None:
        _robustness(doc, robustness)
    if scope.risk:
        _risks(doc, a)
    _profiles(doc, a, scope)
    _method(doc, a, scope)
    out = io.BytesIO()
    doc.save(out)
    return stable_zip(out.getvalue())

"""The files of an assessment folder: CSV tables, the workbook and the manifest.

Example
-------
>>> from turaqty.engine.assessment import assess
>>> sorted(assessment_files(assess()))  # doctest: +NORMALIZE_WHITESPACE
['findings.csv', 'indices.csv', 'macro_regions.csv', 'manifest.json', 'matrix.csv',
 'mechanisms.csv', 'region_types.csv', 'results.xlsx', 'risk.csv', 'risk_summary.csv',
 'scores.csv', 'stats.csv', 'warnings.csv']
>>> sorted(risk_files(assess()))  # doctest: +NORMALIZE_WHITESPACE
['findings.csv', 'macro_regions.csv', 'manifest.json', 'mechanisms.csv', 'region_types.csv',
 'risk.csv', 'risk.xlsx', 'risk_summary.csv', 'warnings.csv']
"""
from __future__ import annotations

import hashlib

import pandas as pd

from turaqty.analysis.mechanisms import region_mechanisms
from turaqty.engine.assessment import Assessment
from turaqty.io.write import csv_bytes, json_bytes, write_folder
from turaqty.report.robustness_section import (
    REPORT_RUNS,
    REPORT_SOBOL,
    check_options,
    record,
    report_robustness,
)
from turaqty.report.xlsx import assessment_workbook, risk_workbook


def _risk_tables(a: Assessment) -> dict[str, bytes]:
    """The risk map and the analyses built on it (none for a framework without risk rules)."""
    if not a.has_risk_map:
        return {}
    return {
        "risk.csv": csv_bytes(a.risk),
        "risk_summary.csv": csv_bytes(a.risk_summary),
        "region_types.csv": csv_bytes(a.region_types),
        "macro_regions.csv": csv_bytes(a.macro_regions),
        "findings.csv": csv_bytes(a.findings),
        "mechanisms.csv": csv_bytes(region_mechanisms(a)),
    }


def assessment_files(a: Assessment) -> dict[str, bytes]:
    """Every output file of ``a`` (name → content); the manifest lists the others' hashes."""
    files = {
        "scores.csv": csv_bytes(a.scores),
        "indices.csv": csv_bytes(a.indices),
        "stats.csv": csv_bytes(a.stats),
        "matrix.csv": csv_bytes(a.matrix),
        **_risk_tables(a),
        "warnings.csv": csv_bytes(a.warnings),
        "results.xlsx": assessment_workbook(a),
    }
    return _with_manifest(a, files)


def risk_files(a: Assessment) -> dict[str, bytes]:
    """The files of the risk map alone (``turaqty risk``)."""
    files = {**_risk_tables(a), "warnings.csv": csv_bytes(a.warnings),
             "risk.xlsx": risk_workbook(a)}
    return _with_manifest(a, files)


def reproduction_files(r, lang: str = "en") -> dict[str, bytes]:
    """``turaqty reproduce``: every printed cell, the effects, and the report."""
    from turaqty.report.reproduction_report import reproduction_document

    doc = reproduction_document(r, lang)
    files = {"reproduce.csv": csv_bytes(r.cells), "reproduce_effects.csv": csv_bytes(r.effects),
             "reproduce.md": doc.to_markdown().encode("utf-8"),
             "reproduce.html": doc.to_html().encode("utf-8")}
    return _with_manifest(r.assessment, files)


def audit_files(a: Assessment, audit: dict) -> dict[str, bytes]:
    """``turaqty audit``: audit.json and its report."""
    from turaqty.report.audit import audit_document

    doc = audit_document(audit, a.lang, a)
    files = {"audit.json": json_bytes(audit), "audit.md": doc.to_markdown().encode("utf-8"),
             "audit.html": doc.to_html().encode("utf-8")}
    return _with_manifest(a, files)


def scenario_files(base: Assessment, results: list, lang: str,
                   summaries: list[pd.DataFrame] | None = None) -> dict[str, bytes]:
    """``turaqty scenario`` / ``whatif``: the comparison with the baseline, the changes
    applied with their derivation and narrative source, a per-region summary, a workbook.
    ``summaries``: each result's ``comparison_summary`` when the caller has them already."""
    from turaqty.analysis.scenario_order import order_violations
    from turaqty.analysis.scenarios import changes_table, comparison_summary
    from turaqty.report.xlsx import scenario_workbook

    comparison = pd.concat([r.comparison for r in results], ignore_index=True)
    changes = pd.concat([changes_table(r.applied, lang, r.baseline).assign(scenario=r.name) for r in results],
                        ignore_index=True)
    if summaries is None:
        summaries = [comparison_summary(r, lang) for r in results]
    summary = pd.concat([s.assign(scenario=r.name) for r, s in zip(results, summaries, strict=True)],
                        ignore_index=True)
    files = {"comparison.csv": csv_bytes(comparison), "scenario_changes.csv": csv_bytes(changes),
             "scenario_summary.csv": csv_bytes(summary),
             "scenario.xlsx": scenario_workbook(base, results, summary, changes, comparison)}
    if _has_trio(results):  # a macro-region's three scenarios: check their order
        files["scenario_order.csv"] = csv_bytes(order_violations(results, lang))
    return _with_manifest(base, files,
                          scenarios=[r.assessment.manifest["scenario"] for r in results])


def _has_trio(results: list) -> bool:
    """Whether ``results`` hold the three scenarios of some macro-region."""
    names = {r.name for r in results}
    return any(all(f"{n.split(':')[0]}:{s}" in names for s in ("pessimistic", "realistic", "optimistic"))
               for n in names if ":" in n)


def report_files(a: Assessment, pdf: bool = False, docx: bool = False, *,
                 robustness_runs: int = REPORT_RUNS, robustness_sobol: int = REPORT_SOBOL,
                 seed: int = 0) -> dict[str, bytes]:
    """``turaqty report``: report.html, figures (PNG, SVG), results.xlsx and the manifest; with
    ``pdf`` also report.pdf (printed by the system's Chromium), with ``docx`` report.docx.
    The report's section on the robustness of the places runs ``robustness_runs``
    replications and ``robustness_sobol`` Sobol base samples with ``seed`` (0 runs: no
    section); the manifest records them."""
    from turaqty.report.figures import figure_files
    from turaqty.report.forked import Forked
    from turaqty.report.html import report_html
    from turaqty.report.scope import report_scope

    check_options(robustness_runs, robustness_sobol, seed)  # a bad count: no work, no output
    scope = report_scope(a)  # what applies (a units.geojson read once for every output)
    # the figures drawn side by side with the page, the robustness of the places and the workbook
    with Forked(lambda: figure_files(a, scope=scope)) as figures:
        robustness = report_robustness(a, robustness_runs, seed, robustness_sobol)
        page = report_html(a, robustness=robustness, scope=scope)
        workbook = assessment_workbook(a)
        files = {"report.html": page.encode("utf-8"), **figures.result(), "results.xlsx": workbook}
    if docx:
        from turaqty.report.word import report_docx

        files["report.docx"] = report_docx(a, files, robustness, scope)
    if pdf:
        from turaqty.report.pdf import html_to_pdf

        files.update(html_to_pdf({"report.pdf": page}))
    return _with_manifest(a, files, robustness=record(robustness))


def brief_files(a: Assessment, units: list[str], previous: Assessment | None = None,
                pdf: bool = False, *, robustness_runs: int = REPORT_RUNS, seed: int = 0) -> dict[str, bytes]:
    """``turaqty brief``: brief-<region id>.html for each of ``units`` (and .pdf with ``pdf``);
    each gives the region's interval of places over ``robustness_runs`` replications with
    ``seed`` (0: none), recorded in the manifest."""
    from turaqty.report.brief import brief_pages

    robustness = report_robustness(a, robustness_runs, seed, sobol=0)
    pages = brief_pages(a, units, previous, robustness)
    files = {name: page.encode("utf-8") for name, page in pages.items()}
    if pdf:
        from turaqty.report.pdf import html_to_pdf

        files.update(html_to_pdf({name.replace(".html", ".pdf"): page for name, page in pages.items()}))
    extra = {"previous": {"source": previous.dataset.source,
                          "sha256": previous.dataset.sha256}} if previous else {}
    return _with_manifest(a, files, robustness=record(robustness), **extra)


def _with_manifest(a: Assessment, files: dict[str, bytes], **extra) -> dict[str, bytes]:
    """``files`` and a manifest.json listing their hashes (plus ``extra`` entries)."""
    manifest = {**a.manifest, **extra}
    manifest["language"] = a.lang
    manifest["outputs"] = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    return {**files, "manifest.json": json_bytes(manifest)}


def write_assessment(a: Assessment, out, risk_only: bool = False, protect=None) -> dict[str, str]:
    """Write the assessment folder ``out`` (only the risk map's files if ``risk_only``);
    returns the files' SHA-256. ``protect`` (the input file) is never overwritten."""
    return write_folder(out, risk_files(a) if risk_only else assessment_files(a), protect=protect)

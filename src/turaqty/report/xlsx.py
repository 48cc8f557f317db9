"""The results workbook: one sheet per table, headers and names in the user's language.

Example
-------
>>> from turaqty.engine.assessment import assess
>>> content = assessment_workbook(assess(lang="kk"))
>>> content[:2]
b'PK'
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from turaqty.analysis.mechanisms import region_mechanisms
from turaqty.core.classify import LEVELS
from turaqty.engine.assessment import Assessment
from turaqty.i18n import format_number, t
from turaqty.io.tables import column_label
from turaqty.io.xlsx_writer import Format, Sheet, Workbook
from turaqty.model.data_notes import exclusion_reason

SCORE_FORMAT = "0.00"
VALUE_FORMAT = "#,##0.00"
MAP_FORMAT = "#,##0.0###"  # thresholds such as 0.0485 must show their digits


def _localised(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.rename(columns={c: t(f"col.{c}", lang, default=c) for c in frame.columns})


def _level_text(series: pd.Series, lang: str) -> pd.Series:
    return series.map(lambda v: t(f"level.{v}", lang) if v else "")


def method_rows(a: Assessment) -> list[tuple[str, str]]:
    """The method, the data and the version as (parameter, value) rows in the user's language;
    the parameter's code stays in brackets so the sheet can be matched to manifest.json."""
    lang = a.lang

    def value(key, v):
        if key == "exclude":
            return "; ".join(f"{c}: {t(f'reason.{exclusion_reason(a.dataset, c, r)}', lang, default=r)}"
                             for c, r in v.items()) or "-"
        if isinstance(v, list):
            return " – ".join(format_number(x, lang, 2).rstrip("0").rstrip(",.") for x in v)
        return t(f"method.{key}.{v}", lang, default=str(v))

    rows = [(f"{t(f'method.{k}', lang, default=k)} ({k})", value(k, v))
            for k, v in a.method.to_dict().items()]
    rows += [(t("method.data", lang), a.dataset.source), ("SHA-256", a.dataset.sha256),
             (t("method.version", lang), a.manifest["version"])]
    return rows


def _sheets(a: Assessment) -> list[tuple[str, pd.DataFrame, dict[str, str]]]:
    lang = a.lang
    fw = a.framework
    indices = a.ranking().drop(columns=["unit_id"])
    levelled = [c for c in fw.index_columns if fw.levels(c) is not None]
    for col in levelled:
        indices[f"level_{col}"] = _level_text(indices[f"level_{col}"], lang)
    index_formats = {t(f"col.{c}", lang, default=c): SCORE_FORMAT for c in fw.index_columns}

    scores = a.scores.copy()
    scores.insert(1, "name", a.indices["name"].to_numpy())  # same rows, same order
    scores = scores.drop(columns=["unit_id"])
    score_formats = {c: SCORE_FORMAT for c in a.dataset.indicators}

    stats = a.stats.copy()
    stats["pillar"] = stats["pillar"].map(lambda p: fw.pillar_name(p, lang))
    stats["in_index"] = stats["in_index"].map(lambda b: t("yes" if b else "no", lang))
    stats = stats.rename(columns={"name": "indicator_name"})
    stat_formats = {t(f"col.{c}", lang): VALUE_FORMAT
                    for c in ("min", "max", "mean", "median", "sd", "skewness", "kurtosis", "national")}

    cells = {(r.pillar, r.level): r.names.replace("; ", "\n") for r in a.matrix.itertuples()}
    grid = pd.DataFrame({t(f"level.{lv}", lang): [cells[(p, lv)] for p in levelled]
                         for lv in LEVELS})
    grid.insert(0, t("col.pillar", lang), [fw.pillar_name(p, lang) for p in levelled])

    warnings = a.warnings[["indicator", "unit_id", "message"]]
    method = pd.DataFrame(method_rows(a), columns=[t("col.parameter", lang), t("col.value", lang)])
    return [
        (t("sheet.indices", lang), _localised(indices, lang), index_formats),
        (t("sheet.scores", lang), _localised(scores, lang), score_formats),
        (t("sheet.stats", lang), _localised(stats, lang), stat_formats),
        (t("sheet.matrix", lang), grid, {}),
        (t("sheet.warnings", lang), _localised(warnings, lang), {}),
        (t("sheet.method", lang), method, {}),
    ]


RED, YELLOW, GREEN = "FFC7CE", "FFEB9C", "C6EFCE"  # Excel's light fills for bad, neutral, good


HEADER = Format(bold=True, wrap=True)
BOLD, ITALIC = Format(bold=True), Format(italic=True)
LINK = Format(colour="0563C1", underline=True)


def _append_frame(ws: Sheet, frame: pd.DataFrame, formats: dict[str, str]) -> None:
    """Write ``frame`` into the empty sheet ``ws``: bold header, frozen, widths, formats;
    cells wrapped when a text of the frame has several lines."""
    ws.write_row(1, frame.columns, HEADER)
    columns = [(name, col, col.tolist()) for name, col in frame.items()]
    wrap = any(isinstance(v, str) and "\n" in v for _, col, values in columns if col.dtype.kind not in "fiub"
               for v in values)
    for j, (name, col, values) in enumerate(columns, start=1):
        ws.write_column(j, col, first_row=2, fmt=Format(number=formats.get(name, "General"), wrap=wrap))
        shown = [str(name)] + [str(v) for v in values[:200]]
        longest = max(max(map(len, v.split("\n"))) if "\n" in v else len(v) for v in shown)
        ws.width(j, min(max(8, longest + 2), 60))
    ws.freeze(2, 2)


def _risk_map_sheet(wb: Workbook, a: Assessment) -> None:
    """Regions × indicators values coloured red/yellow/green by conditional formatting that
    reads the thresholds written under the map, so edited values and thresholds recolour."""
    lang = a.lang
    th = a.thresholds
    frame = a.dataset.wide()
    frame.insert(0, t("col.name", lang), a.indices["name"].to_numpy())
    ws = wb.add_sheet(t("sheet.risk", lang))
    _append_frame(ws, frame, {c: MAP_FORMAT for c in a.dataset.indicators})
    first, last = 2, len(frame) + 1
    high_row, low_row, name_row, side_row = last + 2, last + 3, last + 4, last + 5
    for row, key in ((high_row, "risk.high_threshold"), (low_row, "risk.low_threshold"),
                     (name_row, "col.indicator"), (side_row, "risk.risky_side")):
        ws.write(row, 1, t(key, lang), BOLD)
    ws.write_row(name_row, [a.framework.by_code[code].name(lang) for code in a.dataset.indicators],
                 first_col=2)
    ws.write_row(side_row, [t("risk.low_is_risk" if up > 0 else "risk.high_is_risk", lang)
                            for up in th.orientation], first_col=2)
    number = Format(number=MAP_FORMAT)
    for k in range(len(a.dataset.indicators)):
        col = column_label(k + 1)
        if np.isnan(th.high[k]):
            continue
        span = f"{col}{first}:{col}{last}"
        for row, value, source in ((high_row, th.high[k], th.high_source[k]),
                                   (low_row, th.low[k], th.low_source[k])):
            # a median or mean threshold stays a formula, so it follows edited values
            formula = {"median": f"MEDIAN({span})", "mean": f"AVERAGE({span})"}.get(source)
            if formula:
                ws.formula(row, k + 2, formula, number)
            else:
                ws.write(row, k + 2, float(value), number)
        up = th.orientation[k] > 0
        ops = {True: ("<=", ">="), False: ("<", ">")}
        high_op = ops[bool(th.high_inclusive[k])][0 if up else 1]
        low_op = ops[bool(th.low_inclusive[k])][1 if up else 0]
        cell = f"{col}{first}"
        rules = [(f"{cell}{high_op}{col}${high_row}", RED), (f"{cell}{low_op}{col}${low_row}", GREEN),
                 ("TRUE", YELLOW)]
        for formula, colour in rules:
            ws.rule(span, colour, f"AND(ISNUMBER({cell}),{formula})", stop_if_true=True)
    ws.write(side_row + 2, 1, t("risk.sheet_note", lang), ITALIC)
    ws.print_landscape(title_rows="1:1", title_cols="A:A")


def _risk_sheets(a: Assessment) -> list[tuple[str, pd.DataFrame, dict[str, str]]]:
    lang = a.lang
    fw = a.framework
    summary = a.risk_summary.drop(columns=["unit_id"])
    types = a.region_types.drop(columns=["unit_id"]).copy()
    for p in fw.pillars:
        types[f"level_{p}"] = _level_text(types[f"level_{p}"], lang)
    types["main_risk_pillar"] = types["main_risk_pillar"].map(
        lambda ps: ", ".join(fw.pillar_name(p, lang) for p in ps.split(", ")) if ps else "")
    macro = a.macro_regions.drop(columns=["macro_region"]).copy()
    for col in (c for c in fw.index_columns if fw.levels(c) is not None):
        macro[f"level_{col}"] = _level_text(macro[f"level_{col}"], lang)
    macro_formats = {t(f"col.{c}", lang, default=c): SCORE_FORMAT for c in macro.columns
                     if c.endswith(("_mean", "_min", "_max"))}
    mech = region_mechanisms(a)[["name", "specialisation", "group", "mechanism", "answers",
                                 "description"]].copy()
    mech["specialisation"] = mech["specialisation"].map(lambda s: t(f"specialisation.{s}", lang) if s else "")
    mech["group"] = mech["group"].map(lambda g: t(f"mechanism.group.{g}", lang))
    found = a.findings[["pillar", "indicator", "text"]].copy()
    found["pillar"] = found["pillar"].map(lambda p: fw.pillar_name(p, lang))
    return [
        (t("sheet.risk_summary", lang), _localised(summary, lang), {}),
        (t("sheet.region_types", lang), _localised(types, lang), {}),
        (t("sheet.macro_regions", lang), _localised(macro, lang), macro_formats),
        (t("sheet.findings", lang), _localised(found, lang), {}),
        (t("sheet.mechanisms", lang), _localised(mech, lang), {}),
    ]


def _colour_levels(ws: Sheet, frame: pd.DataFrame, lang: str) -> None:
    """Level cells (high/medium/low in the user's language) coloured by conditional
    formatting, so the colours follow edits."""
    span = f"A2:{column_label(max(frame.shape[1], 1) - 1)}{len(frame) + 1}"
    for level, colour in (("high", GREEN), ("medium", YELLOW), ("low", RED)):
        ws.rule_equal(span, colour, t(f"level.{level}", lang))


def _contents_sheet(wb: Workbook, lang: str) -> None:
    """A first sheet listing the others, each a link."""
    ws = wb.add_sheet(t("sheet.contents", lang), position=0)
    ws.write(1, 1, t("sheet.contents", lang), Format(bold=True, size=13))
    for k, sheet in enumerate(wb.sheets[1:], start=2):
        ws.write(k, 1, sheet.title, LINK)
        ws.link(k, 1, sheet)  # inside the workbook
    ws.width(1, 40)


def _workbook_bytes(a: Assessment, sheets, risk_map_position: int) -> bytes:
    """The workbook of ``sheets`` with the coloured risk map inserted at its position, a
    contents sheet first, and level cells coloured."""
    wb = Workbook()
    levelled = {t(f"sheet.{s}", a.lang) for s in ("indices", "region_types", "macro_regions")}
    for k, (title, frame, formats) in enumerate(sheets):
        if k == risk_map_position:
            _risk_map_sheet(wb, a)
        ws = wb.add_sheet(title)
        _append_frame(ws, frame, formats)
        if title in levelled:
            _colour_levels(ws, frame, a.lang)
    _contents_sheet(wb, a.lang)
    return wb.to_bytes()


def frames_workbook(sheets) -> bytes:
    """A workbook of ``(title, frame, number formats by column)`` sheets, each with a bold
    frozen header (as every table turaqty writes).

    >>> import io, pandas as pd, openpyxl
    >>> book = frames_workbook([("Sheet", pd.DataFrame({"a": [1.5]}), {"a": "0.00"})])
    >>> openpyxl.load_workbook(io.BytesIO(book))["Sheet"]["A2"].number_format
    '0.00'
    """
    wb = Workbook()
    for title, frame, formats in sheets:
        _append_frame(wb.add_sheet(title), frame, formats)
    return wb.to_bytes()


def assessment_workbook(a: Assessment) -> bytes:
    """The assessment as an XLSX workbook (bytes): indices, the coloured risk map, scores,
    statistics, matrix, risks by region, region types, macro-regions, findings, warnings,
    method."""
    main = _sheets(a)
    if not a.has_risk_map:
        return _workbook_bytes(a, main, risk_map_position=-1)
    return _workbook_bytes(a, main[:4] + _risk_sheets(a) + main[4:], risk_map_position=1)


def risk_workbook(a: Assessment) -> bytes:
    """The risk map alone as an XLSX workbook: the coloured map, risks by region, region
    types, macro-regions, findings."""
    return _workbook_bytes(a, _risk_sheets(a), risk_map_position=0)


def scenario_workbook(base: Assessment, results: list, summary: pd.DataFrame,
                      changes: pd.DataFrame, comparison: pd.DataFrame) -> bytes:
    """Scenarios as a workbook: per-region summary, changes applied, full comparison, and
    the narrative of each catalogue scenario."""
    from turaqty.analysis.scenarios import scenario_ids, scenario_label, scenario_narrative

    lang = base.lang
    narrative_rows = []
    for r in results:
        if r.name in scenario_ids():
            n = scenario_narrative(r.name)
            narrative_rows.append((scenario_label(r.name, lang), t("scenario.quantification", lang),
                                   n["quantification"][lang]))
            for kind in ("factors", "results"):
                for bullet in n[kind]:
                    narrative_rows.append((scenario_label(r.name, lang), t(f"scenario.{kind}", lang),
                                           f"{bullet['id']}: {bullet[lang]}"))
    narrative = pd.DataFrame(narrative_rows, columns=[t("col.scenario", lang), t("col.part", lang),
                                                      t("col.text", lang)])
    sheets = [
        (t("sheet.scenario_summary", lang), _localised(summary, lang),
         {t("col.integral", lang): SCORE_FORMAT, t("col.integral_scenario", lang): SCORE_FORMAT}),
        (t("sheet.scenario_changes", lang), _localised(changes, lang), {}),
        (t("sheet.comparison", lang), _localised(comparison, lang), {}),
        (t("sheet.narrative", lang), narrative, {}),
    ]
    return frames_workbook(sheets)

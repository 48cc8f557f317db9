"""The results workbook: one sheet per table, headers and names in the user's language.

Example
-------
>>> from turaqty.assessment import assess
>>> content = assessment_workbook(assess(lang="kk"))
>>> content[:2]
b'PK'
"""
from __future__ import annotations

import io

import pandas as pd

from turaqty.assessment import INDEX_COLUMNS, Assessment
from turaqty.core.classify import LEVELS
from turaqty.i18n import t

SCORE_FORMAT = "0.00"
VALUE_FORMAT = "#,##0.00"


def _cell(value):
    """A value openpyxl can store: NaN and NA become empty cells, numpy scalars Python ones."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _localised(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.rename(columns={c: t(f"col.{c}", lang, default=c) for c in frame.columns})


def _level_text(series: pd.Series, lang: str) -> pd.Series:
    return series.map(lambda v: t(f"level.{v}", lang) if v else "")


def _sheets(a: Assessment) -> list[tuple[str, pd.DataFrame, dict[str, str]]]:
    lang = a.lang
    fw = a.framework
    indices = a.ranking().drop(columns=["unit_id"])
    for col in INDEX_COLUMNS:
        indices[f"level_{col}"] = _level_text(indices[f"level_{col}"], lang)
    index_formats = {t(f"col.{c}", lang): SCORE_FORMAT for c in INDEX_COLUMNS}

    scores = a.scores.copy()
    scores.insert(1, "name", [a.indices.set_index("unit_id").loc[u, "name"] for u in scores["unit_id"]])
    scores = scores.drop(columns=["unit_id"])
    score_formats = {c: SCORE_FORMAT for c in a.dataset.indicators}

    stats = a.stats.copy()
    stats["pillar"] = stats["pillar"].map(lambda p: fw.pillar_name(p, lang))
    stats["in_index"] = stats["in_index"].map(lambda b: t("yes" if b else "no", lang))
    stats = stats.rename(columns={"name": "indicator_name"})
    stat_formats = {t(f"col.{c}", lang): VALUE_FORMAT
                    for c in ("min", "max", "mean", "median", "sd", "skewness", "kurtosis", "national")}

    cells = {(r.pillar, r.level): r.names.replace("; ", "\n") for r in a.matrix.itertuples()}
    grid = pd.DataFrame({t(f"level.{lv}", lang): [cells[(p, lv)] for p in INDEX_COLUMNS]
                         for lv in LEVELS})
    grid.insert(0, t("col.pillar", lang), [fw.pillar_name(p, lang) for p in INDEX_COLUMNS])

    warnings = a.warnings[["indicator", "unit_id", "message"]]
    method = pd.DataFrame(
        [(k, v if isinstance(v, str) else str(v)) for k, v in a.method.to_dict().items()]
        + [("data", a.dataset.source), ("sha256", a.dataset.sha256),
           ("version", a.manifest["version"])],
        columns=[t("col.parameter", lang), t("col.value", lang)],
    )
    return [
        (t("sheet.indices", lang), _localised(indices, lang), index_formats),
        (t("sheet.scores", lang), _localised(scores, lang), score_formats),
        (t("sheet.stats", lang), _localised(stats, lang), stat_formats),
        (t("sheet.matrix", lang), grid, {}),
        (t("sheet.warnings", lang), _localised(warnings, lang), {}),
        (t("sheet.method", lang), method, {}),
    ]


def assessment_workbook(a: Assessment) -> bytes:
    """The assessment as an XLSX workbook (bytes)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for title, frame, formats in _sheets(a):
        ws = wb.create_sheet(title[:31])
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([_cell(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "B2"
        for j, col in enumerate(frame.columns, start=1):
            letter = get_column_letter(j)
            values = [str(col)] + [str(v) for v in frame.iloc[:, j - 1].head(200)]
            longest = max(max((len(line) for line in v.split("\n")), default=0) for v in values)
            ws.column_dimensions[letter].width = min(max(8, longest + 2), 60)
            fmt = formats.get(col)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = fmt
        if "\n" in "".join(str(v) for v in frame.to_numpy().ravel()):
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

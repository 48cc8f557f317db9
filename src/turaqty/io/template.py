"""An empty input file to fill in: one row per region, one column per indicator code.

The ``region`` column holds the region ids, ``name`` the names in the chosen language
(read back as a label and ignored). Two comment rows (region cell starting with ``#``)
give each indicator's name and unit; the reader skips them.

Example
-------
>>> frame = template_frame("ru")
>>> for row in frame.iloc[:3, :3].values.tolist():
...     print(row)
['# name', 'Название показателя', 'Изменение численности населения (% к базовому году)']
['# unit', 'Единица измерения', '% (базовый год = 100)']
['abai', 'область Абай', '']
"""
from __future__ import annotations

import io

import pandas as pd

from turaqty.i18n import t
from turaqty.io.write import csv_bytes, stable_zip
from turaqty.model.framework import load_framework
from turaqty.model.units import load_regions


def template_frame(lang: str = "en") -> pd.DataFrame:
    """The template as a table (all cells text)."""
    fw = load_framework()
    regions = load_regions()
    indicators = [i for i in fw.indicators if i.has_data]
    rows = [
        ["# name", t("template.name_row", lang)] + [i.name(lang) for i in indicators],
        ["# unit", t("template.unit_row", lang)] + [i.unit(lang) for i in indicators],
    ]
    rows += [[r.id, r.name(lang)] + [""] * len(indicators) for r in regions.regions]
    return pd.DataFrame(rows, columns=["region", "name"] + [i.code for i in indicators])


def template_bytes(fmt: str = "csv", lang: str = "en") -> bytes:
    """The template file's content, ``fmt`` being ``csv`` or ``xlsx``."""
    frame = template_frame(lang)
    if fmt == "csv":
        return csv_bytes(frame)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    fw = load_framework()
    wb = Workbook()
    ws = wb.active
    ws.title = t("sheet.data", lang)
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([v if v != "" else None for v in row])
    for cell in [*ws[1], *ws[2], *ws[3]]:
        cell.font = Font(bold=True) if cell.row == 1 else Font(italic=True, color="666666")
    ws.freeze_panes = "C4"
    ws.column_dimensions["B"].width = 32
    info = wb.create_sheet(t("sheet.indicators", lang))
    info.append([t(key, lang) for key in ("col.indicator", "template.name_row", "col.unit", "col.pillar",
                                          "col.direction")])
    for i in fw.indicators:
        if i.has_data:
            info.append([i.code, i.name(lang), i.unit(lang), fw.pillar_name(i.pillar, lang),
                         "+" if i.direction > 0 else "-"])
    info.column_dimensions["B"].width = 70
    buffer = io.BytesIO()
    wb.save(buffer)
    return stable_zip(buffer.getvalue())

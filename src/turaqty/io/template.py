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

import pandas as pd

from turaqty.i18n import t
from turaqty.io.write import csv_bytes
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
    from turaqty.io.xlsx_writer import Format, Workbook

    fw = load_framework()
    wb = Workbook()
    ws = wb.add_sheet(t("sheet.data", lang))
    ws.write_row(1, frame.columns, Format(bold=True))
    comment = Format(italic=True, colour="666666")
    for r, row in enumerate(frame.itertuples(index=False), start=2):
        ws.write_row(r, row, comment if r <= 3 else Format())  # "" is an empty cell
    ws.freeze(4, 3)
    ws.width(2, 32)
    info = wb.add_sheet(t("sheet.indicators", lang))
    info.write_row(1, [t(key, lang) for key in ("col.indicator", "template.name_row", "col.unit",
                                                "col.pillar", "col.direction")])
    rows = [[i.code, i.name(lang), i.unit(lang), fw.pillar_name(i.pillar, lang),
             "+" if i.direction > 0 else "-"] for i in fw.indicators if i.has_data]
    for r, row in enumerate(rows, start=2):
        info.write_row(r, row)
    info.width(2, 70)
    return wb.to_bytes()

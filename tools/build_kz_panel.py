"""Build the embedded panel ``src/turaqty/data/datasets/kz-panel.csv`` (2010–2023).

Years 2010–2022 come from Kazakhstan's national SDG platform (``kazstat/sdg-data-kazstat``,
MIT; a copy in ``../shared/external/kazstat-sdg``) read by :mod:`turaqty.io.kazstat`: every
kz-isdr indicator with a matching regional series. 2023 is the dissertation's data (Tables
7–9, the embedded ``kz-2023`` dataset), so that the last year of the panel is what
``turaqty assess`` scores. The platform's 2023 values are not dropped: they go to
``kz-panel-reconciliation.csv`` beside the dissertation's, with every difference.

Run from the repository root::

    .venv/bin/python tools/build_kz_panel.py [PATH/TO/kazstat-sdg]
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pandas as pd

from turaqty.analysis.reconcile import reconcile
from turaqty.io.kazstat import kazstat_long
from turaqty.model.dataset import load_embedded

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "turaqty" / "data"
DEFAULT_SOURCE = ROOT / "../shared/external/kazstat-sdg"
FIRST_YEAR, LAST_YEAR = 2010, 2023
COMMIT = "72277878d12502232b21c3d4b8ac459630b4f578"


def _order(code: str) -> int:
    return int(code[1:]) if code[1:].isdigit() else 10**6


def main(source: Path) -> None:
    long, _ = kazstat_long(source)
    long = long[(long["year"] >= FIRST_YEAR) & (long["year"] <= LAST_YEAR)]
    history = long[long["year"] < LAST_YEAR].copy()
    platform_2023 = long[long["year"] == LAST_YEAR].drop(columns="year")
    d = load_embedded().tidy()
    d["source"] = "dissertation:Tables 7-9"
    d = d[d["value"].notna() | (d["flag"] != "")]
    panel = pd.concat([history, d[["unit_id", "indicator", "year", "value", "flag", "source"]]],
                      ignore_index=True)
    panel = panel.sort_values(["indicator", "unit_id", "year"],
                              key=lambda s: s.map(_order) if s.name == "indicator" else s)
    folder = DATA / "datasets"
    panel.to_csv(folder / "kz-panel.csv", index=False, lineterminator="\n", float_format="%.10g")
    rec = reconcile(platform_2023)
    rec.to_csv(folder / "kz-panel-reconciliation.csv", index=False, lineterminator="\n",
               float_format="%.10g")
    meta = {
        "id": "kz-panel", "framework": "kz-isdr", "years": [FIRST_YEAR, LAST_YEAR],
        "title": {"en": "Kazakhstan's regions 2010–2023: national SDG platform series and the dissertation's "
                        "2023 data",
                  "kk": "Қазақстан аймақтары 2010–2023: ұлттық ТДМ платформасының қатарлары және "
                        "диссертацияның 2023 деректері",
                  "ru": "Регионы Казахстана 2010–2023: ряды национальной платформы ЦУР и данные диссертации "
                        "за 2023 год"},
        "sources": {"kazstat-sdg": f"github.com/kazstat/sdg-data-kazstat@{COMMIT} (MIT, see "
                                   "data/kazstat/LICENSE.txt)",
                    "dissertation": "kz-2023 (Tables 7-9)"},
        "built_by": "tools/build_kz_panel.py",
    }
    (folder / "kz-panel.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")
    shutil.copyfile(source / "LICENSE", DATA / "kazstat" / "LICENSE.txt")
    print(f"{len(panel)} values, {panel['indicator'].nunique()} indicators; "
          f"{len(rec)} reconciled, {int((rec['status'].str.startswith('differs')).sum())} differ")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE)

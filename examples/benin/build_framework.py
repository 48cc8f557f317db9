"""Build examples/benin/framework/ from SDSN's Benin codebook (shared/external/sdsn-benin).

Each indicator of ``infranational_2023_codebook.csv`` becomes a node with its lower bound
(scored 0) and target (scored 100) under its "leave no one behind" category (``Genre``,
``Pauvreté``, ``Revenu``, ``Services``, the ids of the published score columns); the
categories sit under one index. The units are the rows of ``infranational_2023_base_complete.csv``
(12 departments and Benin), with the file's ``id`` as id and name.

Usage: python examples/benin/build_framework.py [SHARED_EXTERNAL_FOLDER]
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATEGORIES = {"Égalité des sexes": "Genre", "Pauvreté et privation matérielle": "Pauvreté",
              "Inégalité de revenus et de richesse": "Revenu",
              "Accessibilité et qualité des services": "Services"}


def main(external: Path) -> None:
    folder = HERE / "framework"
    folder.mkdir(exist_ok=True)
    with (external / "sdsn-benin" / "infranational_2023_codebook.csv").open(encoding="utf-8") as fh:
        codebook = list(csv.DictReader(fh))
    rows = [{"id": "Index", "parent": "", "type": "aggregate", "name_en": "Leave no one behind",
             "name_ru": "", "name_kk": "", "lower_bound": "", "target": "", "direction": ""}]
    rows += [{"id": cid, "parent": "Index", "type": "aggregate", "name_en": name, "name_ru": "",
              "name_kk": "", "lower_bound": "", "target": "", "direction": ""}
             for name, cid in CATEGORIES.items()]
    rows += [{"id": r["IndCode"], "parent": CATEGORIES[r["Catégorie - ne laissez personne de côté"]],
              "type": "indicator", "name_en": r["Indicateur"], "name_ru": "", "name_kk": "",
              "lower_bound": r["Limite inferieure"], "target": r["Valeur Cible"], "direction": "+"}
             for r in codebook]
    with (folder / "structure.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with (external / "sdsn-benin" / "infranational_2023_base_complete.csv").open(encoding="utf-8") as fh:
        units = [r["id"].strip() for r in csv.DictReader(fh)]
    with (folder / "units.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,name_en\n" + "".join(f"{u},{u}\n" for u in units))
    meta = {"id": "sdsn-benin-lnob",
            "name": {"en": "SDSN Benin 2023: leave no one behind (sub-national)"},
            "source": "SDSN, Rapport sur le Developpement Durable pour le Benin 2023; codebook "
                      "infranational_2023_codebook.csv (goalposts: 'Limite inferieure' → 0, "
                      "'Valeur Cible' → 100). Direction '+' everywhere: a lower bound above the "
                      "target reverses the scale by itself."}
    (folder / "framework.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "external")

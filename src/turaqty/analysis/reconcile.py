"""Reconciliation: another source's values beside the dissertation's 2023 data (Tables 7–9).

Every difference is shown, never hidden: ``equal`` (within half a unit of the second decimal),
``differs``, or ``dissertation_missing``; ``;definition`` is added where the other source's
definition differs from the indicator's.

Example (the national SDG platform's poverty rate B3 of Abai, 8.0, against Table 7's 8.6)
-------
>>> import pandas as pd
>>> other = pd.DataFrame({"unit_id": ["abai"], "indicator": ["B3"], "value": [8.0],
...                       "flag": [""], "source": ["kazstat-sdg:indicator_1-2-1.csv"]})
>>> row = reconcile(other).iloc[0]
>>> float(row["dissertation"]), float(row["platform"]), float(row["difference"]), row["status"]
(8.6, 8.0, -0.6, 'differs')
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from turaqty.model.dataset import load_embedded

COLUMNS = ["unit_id", "indicator", "dissertation", "platform", "difference", "relative_difference",
           "status", "platform_source"]
TOLERANCE = 0.005


def reconcile(other: pd.DataFrame) -> pd.DataFrame:
    """``other`` (``unit_id, indicator, value, flag, source`` of 2023) against the dissertation."""
    reference = load_embedded().tidy()[["unit_id", "indicator", "value"]]
    left = other.rename(columns={"value": "platform", "source": "platform_source", "flag": "platform_flag"})
    both = left.merge(reference.rename(columns={"value": "dissertation"}), on=["unit_id", "indicator"],
                      how="left")
    both["difference"] = (both["platform"] - both["dissertation"]).round(4)
    with np.errstate(divide="ignore", invalid="ignore"):
        both["relative_difference"] = (both["difference"] / both["dissertation"].abs()).round(4)
    status = np.where(both["dissertation"].isna(), "dissertation_missing",
                      np.where(both["difference"].abs() <= TOLERANCE + 1e-9, "equal", "differs"))
    flagged = both["platform_flag"].fillna("").str.contains("definition").to_numpy()
    both["status"] = np.where(flagged, np.char.add(status.astype(str), ";definition"), status)
    order = {c: k for k, c in enumerate(load_embedded().indicators)}
    return both[COLUMNS].sort_values(["indicator", "unit_id"], kind="stable",
                                     key=lambda s: s.map(order) if s.name == "indicator" else s
                                     ).reset_index(drop=True)

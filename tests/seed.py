"""Access to the dissertation's extracted tables in ``../shared/seed/tables`` (beside the
repository; ``$TURAQTY_SHARED`` overrides). Tests that need them skip, saying why, when
they are absent."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

SHARED = Path(os.environ.get("TURAQTY_SHARED", Path(__file__).resolve().parents[2] / "shared"))
TABLES = SHARED / "seed" / "tables"
EXTERNAL = SHARED / "external"


def seed_table(name: str, **kwargs) -> pd.DataFrame:
    path = TABLES / name
    if not path.exists():
        pytest.skip(f"dissertation table {path} not found (set TURAQTY_SHARED)")
    return pd.read_csv(path, **kwargs)


def decimals(text: str) -> int:
    """Number of decimals printed in ``text`` ('4.70' → 2)."""
    return len(text.split(".")[1]) if "." in text else 0

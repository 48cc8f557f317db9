"""Issue 12 (content): one definition of a high-risk count across every output, notes only
where they apply, findings naming their pillar, wording corrections, what-if messages."""
from __future__ import annotations

import csv
import html as htmllib
import re

import openpyxl
import pandas as pd
import pytest

import turaqty
from turaqty.i18n import t

from .test_cli import run


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def report_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    done = run("report", "--out", out)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def risk_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("risk")
    done = run("risk", "--out", out)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_high_risk_counts_agree_across_every_output(report_run, risk_run):
    """Counted over the indicators in the index: Abai 22 (its B43, left out, is not counted)."""
    a = turaqty.assess()
    included = [c for c, inc in zip(a.dataset.indicators, a.arrays.included) if inc]
    risk = a.risk[a.risk["indicator"].isin(included) & (a.risk["risk"] == "high")]
    expected = risk.groupby("unit_id").size().reindex(a.dataset.units, fill_value=0)
    assert expected["abai"] == 22
    risk_out, console = risk_run
    summary = _csv(risk_out / "risk_summary.csv").set_index("unit_id")
    types = _csv(risk_out / "region_types.csv").set_index("unit_id")
    assert (summary["high_total"] == expected).all()
    assert (types["high_risks"] == expected).all()
    assert summary.loc["abai", "high_risk_outside_index"] == "B43"
    assert "B43" not in summary.loc["abai", "high_risk_indicators"].split("; ")
    macro = _csv(risk_out / "macro_regions.csv")
    assert macro["high_risks"].sum() == expected.sum()
    # the console's table: "Abai Region  22  ..."
    names = dict(zip(a.indices["unit_id"], a.indices["name"]))
    for unit, n in expected.items():
        line = next(l for l in console.splitlines() if re.match(re.escape(names[unit]) + r"\s{2,}\d", l))
        assert line.split()[-3] == str(n), line
    # both workbooks' "Risks by region" and "Region types" sheets
    for book in (report_run / "results.xlsx", risk_out / "risk.xlsx"):
        wb = openpyxl.load_workbook(book, read_only=True)
        for sheet, column in (("sheet.risk_summary", "col.high_total"), ("sheet.region_types", "col.high_risks")):
            rows = list(wb[t(sheet)].values)
            header = list(rows[0])
            k, name_col = header.index(t(column)), header.index(t("col.name"))
            got = {r[name_col]: r[k] for r in rows[1:] if r[name_col]}
            assert got == {names[u]: int(n) for u, n in expected.items()}, book
    # the report's profiles: "High risks (22): ..."
    page = (report_run / "report.html").read_text(encoding="utf-8")
    for unit, n in expected.items():
        block = page.split(f'id="profile-{unit}"', 1)[1].split('<div class="profile"', 1)[0]
        shown = re.search(re.escape(t("report.high_risks")) + r" \((\d+)\)", htmllib.unescape(block))
        assert shown and int(shown.group(1)) == n, unit
    # the findings count the same values
    findings = _csv(risk_out / "findings.csv")
    pillar_rows = findings[findings["indicator"].isna() & (findings["n_high"] > 0)]
    assert pillar_rows["n_high"].sum() == expected.sum()


def test_an_excluded_indicator_is_counted_nowhere():
    a = turaqty.assess(profile=turaqty.get_method("default").replace(
        exclude={"B43": "suspect", "B25": "user"}))
    s = a.risk_summary.set_index("unit_id")
    assert not s["high_risk_indicators"].str.contains(r"\bB25\b").any()
    high_b25 = a.risk.query("indicator == 'B25' and risk == 'high'")["unit_id"]
    assert len(high_b25) > 0
    for unit in high_b25:
        assert "B25" in s.loc[unit, "high_risk_outside_index"].split("; ")
    assert not a.mechanisms["answers"].str.contains(r"\bB43\b|\bB25\b").any()

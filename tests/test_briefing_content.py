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


def _user_frame(b43_repeats_b48: bool) -> pd.DataFrame:
    frame = turaqty.load_embedded().wide(national=True)
    frame["B43"] = frame["B48"] if b43_repeats_b48 else frame["B48"] * 0.37 + 1000
    return frame.rename_axis("region").reset_index()


@pytest.mark.parametrize("lang,copy_words", [("en", "copy of B48"), ("ru", "копия B48"), ("kk", "B48 көшірмесі")])
def test_the_b43_copy_note_only_where_it_is_true(lang, copy_words):
    def excluded_message(data) -> str:
        w = turaqty.assess(data, lang=lang).warnings
        return w.query("code == 'indicator_excluded' and indicator == 'B43'")["message"].iloc[0]

    assert copy_words in excluded_message(None)                      # the embedded data
    assert copy_words in excluded_message(_user_frame(True))         # a user's B43 = B48
    independent = excluded_message(_user_frame(False))
    assert copy_words not in independent and "B48" not in independent and "--include B43" in independent


def test_the_method_sheet_gives_the_same_reason(tmp_path):
    path = tmp_path / "regions-2024.csv"
    _user_frame(False).to_csv(path, index=False)
    done = run("assess", path, "--out", tmp_path / "out", "--quiet")
    assert done.returncode == 0, done.stderr
    wb = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx", read_only=True)
    text = " ".join(str(c) for row in wb[t("sheet.method")].values for c in row if c)
    assert "B43" in text and "copy of B48" not in text
    manifest = __import__("json").loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["inputs"]["data"]["year"], manifest["inputs"]["data"]["year_from"]) == (2024, "file_name")


def test_the_b1_label_names_the_period_only_for_the_embedded_data():
    assert turaqty.assess(lang="kk").framework.by_code["B1"].name("kk") == \
        "2019–2023 жылдардағы халық санының өзгерісі"
    a = turaqty.assess()
    assert a.stats.set_index("indicator").loc["B1", "unit"] == "% (2019 = 100)"
    user = turaqty.assess(_user_frame(False), lang="ru")
    for lang in ("en", "kk", "ru"):
        assert "2019" not in user.framework.by_code["B1"].name(lang)
        assert "2019" not in user.framework.by_code["B1"].unit(lang)
    assert "2019" not in user.stats.set_index("indicator").loc["B1", "name"]
    assert "2019" not in turaqty.load_framework().by_code["B1"].name("en")  # the template's label


def test_the_manifest_records_the_data_year(tmp_path):
    assert turaqty.assess().manifest["inputs"]["data"]["year"] == 2023
    path = tmp_path / "regions.csv"
    _user_frame(False).to_csv(path, index=False)
    assert turaqty.assess(str(path)).manifest["inputs"]["data"]["year"] is None
    assert turaqty.assess(str(path), year=2022).manifest["inputs"]["data"]["year"] == 2022
    done = run("assess", path, "--year", "2021", "--out", tmp_path / "out", "--quiet")
    assert done.returncode == 0, done.stderr
    manifest = __import__("json").loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["inputs"]["data"]["year"], manifest["inputs"]["data"]["year_from"]) == (2021, "data")


@pytest.mark.parametrize("lang,expected,pillar_line", [
    ("en", "Highest social index: Astana (7.67); lowest: Turkistan Region (4.62).", "161 of 420"),
    ("kk", "Ең жоғары әлеуметтік индекс: Астана қаласы (7,67)", "жоғары тәуекелді мәндер: 161"),
    ("ru", "Наивысший социальный индекс: город Астана (7,67)", "161 из 420"),
])
def test_findings_name_the_pillar_of_the_index(lang, expected, pillar_line):
    f = turaqty.assess(lang=lang).findings
    social = f[f["pillar"] == "social"]["text"].tolist()
    assert pillar_line in social[0]
    assert social[1].startswith(expected)
    ecological = f[f["pillar"] == "ecological"]["text"].tolist()[1]
    assert {"en": "ecological index", "kk": "экологиялық индекс", "ru": "экологический индекс"}[lang] in ecological

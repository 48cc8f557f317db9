"""The report's section on the robustness of the places (issue 11, item 6): its numbers are
those of ``run_robustness`` with the same seed and counts, read back from the HTML; the
section in kk/ru/en with decimal commas; ``--robustness-runs 0`` leaves it out; the manifest
records the run; the same seed gives the same page; names from data are escaped; bad
counts are a clear error writing nothing. Layout on paper and on a phone is checked with
the rest of the report in tests/test_presentation.py."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

import turaqty
from turaqty.analysis.robustness import run_robustness
from turaqty.errors import UsageError
from turaqty.i18n import LANGUAGES, format_number, t
from turaqty.report.outputs import report_files
from turaqty.report.robustness_section import (
    factor_label,
    report_robustness,
    robustness_section,
    top_factors,
)

RUNS, SOBOL, SEED = 300, 48, 5


class Tables(HTMLParser):
    """The rows of the tables of a page, by table id: per row its attributes and cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[dict, list[str]]]] = {}
        self.styles: dict[str, list[str]] = {}  # data-unit → the chart's inline styles
        self._table = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self._table = self.tables.setdefault(a["id"], [])
        elif tag == "tr" and self._table is not None:
            self._row = (a, [])
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "span" and self._row is not None and a.get("class", "").startswith("rank-"):
            self.styles.setdefault(self._row[0].get("data-unit"), []).append(f'{a["class"]}:{a["style"]}')

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row[1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _tables(page: str) -> Tables:
    parser = Tables()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_section_shows_the_numbers_of_run_robustness(lang):
    """Read back from report.html: per region the nominal and median place and the 5–95 %
    interval (and where the bar is drawn), the sentence, the top factors' Sobol indices."""
    reference = run_robustness(runs=RUNS, sobol=SOBOL, seed=SEED, lang=lang)  # from the data, afresh
    files = report_files(turaqty.assess(lang=lang), robustness_runs=RUNS, robustness_sobol=SOBOL, seed=SEED)
    page = files["report.html"].decode("utf-8")
    parsed = _tables(page)
    rows = [(attrs["data-unit"], cells) for attrs, cells in parsed.tables["robustness-table"][1:]]
    table = reference.table
    assert [u for u, _ in rows] == table["unit_id"].tolist()
    n = len(table)
    for (unit, cells), ref in zip(rows, table.to_dict("records"), strict=True):
        assert cells[:4] == [str(ref["nominal"]), ref["name"], str(ref["median"]),
                             f'{ref["p05"]}–{ref["p95"]}']
        bar, median, nominal = parsed.styles[unit]
        left, width = (ref["p05"] - 1) / n * 100, (ref["p95"] - ref["p05"] + 1) / n * 100
        assert bar == f"rank-bar:left:{left:.2f}%;width:{width:.2f}%"
        assert median == f'rank-median:left:{(ref["median"] - 0.5) / n * 100:.2f}%'
        assert nominal == f'rank-nominal:left:{(ref["nominal"] - 0.5) / n * 100:.2f}%'
    assert f'<p class="robustness-finding">{reference.sentence(lang)}</p>' in page
    top = reference.sensitivity.sort_values("total", ascending=False).head(5)
    sobol = parsed.tables["sobol-table"][1:]
    assert [attrs["data-factor"] for attrs, _ in sobol] == top["factor"].tolist()
    for (_, cells), ref in zip(sobol, top.to_dict("records"), strict=True):
        assert cells == [factor_label(reference, ref["factor"], lang), format_number(ref["total"], lang),
                         f'{format_number(ref["total_low"], lang)}–{format_number(ref["total_high"], lang)}',
                         format_number(ref["first"], lang)]
    recorded = json.loads(files["manifest.json"])["robustness"]
    assert (recorded["runs"], recorded["seed"], recorded["sobol_base_samples"]) == (RUNS, SEED, SOBOL)
    assert recorded["places_not_meaningful"] == reference.places


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_section_in_each_language(lang):
    a = turaqty.assess(lang=lang)
    r = report_robustness(a, RUNS, SEED, SOBOL)
    page = turaqty.report_html(a, scenarios=False, robustness=r)
    section = page[page.index('<section id="robustness">'):]
    section = section[:section.index("</section>")]
    assert f'<a href="#robustness">{t("report.robustness", lang)}</a>' in page
    assert page.index('id="summary"') < page.index('id="robustness"') < page.index('id="map-section"')
    for key in ("report.robustness", "robreport.factors_title", "robreport.legend", "col.name"):
        assert t(key, lang) in section, key
    assert r.sentence(lang) in section and f"{RUNS}" in section
    indices = re.findall(r'<td class="num">(-?\d+[.,]\d+)</td>', section)
    assert len(indices) == 2 * len(top_factors(r, lang))  # total and first-order index per factor
    comma = lang in ("kk", "ru")
    assert all(("," in x) == comma and ("." in x) != comma for x in indices), indices
    words = {"en": "indicator weights", "kk": "көрсеткіштердің салмақтары", "ru": "веса показателей"}
    assert words[lang] in section  # the factors in words, not their ids


def test_the_same_seed_gives_the_same_page_and_another_seed_another():
    a = turaqty.assess(lang="kk")

    def page(seed: int) -> str:
        return turaqty.report_html(a, scenarios=False, robustness=report_robustness(a, RUNS, seed, SOBOL))

    assert page(1) == page(1)
    assert page(1) != page(2)


def test_robustness_runs_zero_leaves_the_section_out_and_the_manifest_says_so():
    files = report_files(turaqty.assess(), robustness_runs=0)
    page = files["report.html"].decode("utf-8")
    assert 'id="robustness"' not in page and 'href="#robustness"' not in page
    assert json.loads(files["manifest.json"])["robustness"] is None
    no_sobol = report_files(turaqty.assess(), robustness_runs=RUNS, robustness_sobol=0)["report.html"]
    assert b'id="robustness-table"' in no_sobol and b'id="sobol-table"' not in no_sobol


def test_report_command_options_and_manifest(tmp_path):
    """`turaqty report` includes the section by default (1,000 runs, seed 0); --seed and the
    counts are recorded; the same seed gives byte-identical pages; 0 runs, no section."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}

    def report(out: str, *options: str) -> tuple[str, dict]:
        done = subprocess.run([sys.executable, "-m", "turaqty", "report", "--lang", "ru", "--out",
                               str(tmp_path / out), *options], capture_output=True, text=True, env=env)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        manifest = json.loads((tmp_path / out / "manifest.json").read_text(encoding="utf-8"))
        return (tmp_path / out / "report.html").read_text(encoding="utf-8"), manifest

    page, manifest = report("default")
    assert 'id="robustness"' in page and t("report.robustness", "ru") in page
    assert {k: manifest["robustness"][k] for k in ("runs", "seed", "sobol_base_samples")} == \
        {"runs": 1000, "seed": 0, "sobol_base_samples": 128}
    first, manifest = report("seeded", "--seed", "7", "--robustness-runs", "500", "--robustness-sobol", "64")
    again, _ = report("again", "--seed", "7", "--robustness-runs", "500", "--robustness-sobol", "64")
    assert first == again
    assert {k: manifest["robustness"][k] for k in ("runs", "seed", "sobol_base_samples")} == \
        {"runs": 500, "seed": 7, "sobol_base_samples": 64}
    page, manifest = report("none", "--robustness-runs", "0")
    assert 'id="robustness"' not in page and manifest["robustness"] is None


@pytest.mark.parametrize(("option", "value"), [("--robustness-runs", "1"), ("--robustness-runs", "-5"),
                                               ("--robustness-sobol", "1"), ("--seed", "-1")])
def test_bad_counts_are_a_clear_error_and_write_nothing(tmp_path, option, value):
    out = tmp_path / "r"
    done = subprocess.run([sys.executable, "-m", "turaqty", "report", "--lang", "kk", option, value,
                           "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 2 and not out.exists()
    assert option in done.stderr and f"'{value}'" in done.stderr
    key = "report_seed" if option == "--seed" else "report_robustness_count"
    assert t(f"hint.{key}", "kk") in done.stderr
    with pytest.raises(UsageError):
        report_robustness(turaqty.assess(), runs=True)  # not a count


def test_names_from_data_are_escaped():
    a = turaqty.assess()
    r = report_robustness(a, RUNS, SEED, SOBOL)
    evil = '"><img src=x onerror=alert(1)>'
    r.table.loc[0, "name"] = evil
    html = robustness_section(r)
    assert "<img" not in html
    assert html.count("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;") == 2  # the cell and the chart's label


def test_the_brief_gives_the_region_s_interval_in_one_line():
    a = turaqty.assess(lang="kk")
    reference = run_robustness(runs=RUNS, sobol=0, seed=SEED, lang="kk").table.set_index("unit_id")
    files = turaqty.brief_files(a, ["abai", "almaty_city"], robustness_runs=RUNS, seed=SEED)
    for unit in ("abai", "almaty_city"):
        page = files[f"brief-{unit}.html"].decode("utf-8")
        row = reference.loc[unit]
        line = t("robreport.brief", "kk", runs=RUNS, low=row["p05"], high=row["p95"], median=row["median"])
        assert f'<p class="sub" id="rank-interval">{line}</p>' in page
    assert json.loads(files["manifest.json"])["robustness"]["runs"] == RUNS
    plain = turaqty.brief_files(a, ["abai"], robustness_runs=0)
    assert b'id="rank-interval"' not in plain["brief-abai.html"]
    assert json.loads(plain["manifest.json"])["robustness"] is None


def test_a_run_with_pooled_bounds_names_them_in_words():
    """A run of one's own (here with the embedded panel's pooled min–max bounds as a factor)
    goes into the report as it is; its factors are named in words."""
    a = turaqty.assess(lang="ru")
    r = run_robustness(a, runs=RUNS, sobol=0, seed=SEED, panel="embedded")
    assert factor_label(r, "bounds", "ru") == "границы min–max (своего года, объединённые по годам панели)"
    page = turaqty.report_html(a, scenarios=False, robustness=r)
    assert "границы min–max (своего года, объединённые по годам панели)" in page
    assert 'id="sobol-table"' not in page  # no Sobol indices asked for


def test_brief_with_a_bad_count_is_a_clear_error_and_writes_nothing(tmp_path):
    out = tmp_path / "b"
    done = subprocess.run([sys.executable, "-m", "turaqty", "brief", "abai", "--robustness-runs", "1",
                           "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 2 and not out.exists()
    assert "--robustness-runs '1'" in done.stderr and t("hint.report_robustness_count") in done.stderr

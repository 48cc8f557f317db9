"""Issue 12 (content): one definition of a high-risk count across every output, notes only
where they apply, findings naming their pillar, wording corrections, what-if messages."""
from __future__ import annotations

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
    included = [c for c, inc in zip(a.dataset.indicators, a.arrays.included, strict=True) if inc]
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
    names = dict(zip(a.indices["unit_id"], a.indices["name"], strict=True))
    for unit, n in expected.items():
        line = next(row for row in console.splitlines()
                    if re.match(re.escape(names[unit]) + r"\s{2,}\d", row))
        assert line.split()[-3] == str(n), line
    # both workbooks' "Risks by region" and "Region types" sheets
    for book in (report_run / "results.xlsx", risk_out / "risk.xlsx"):
        wb = openpyxl.load_workbook(book, read_only=True)
        for sheet, column in (("sheet.risk_summary", "col.high_total"),
                              ("sheet.region_types", "col.high_risks")):
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
    from turaqty.analysis.mechanisms import region_mechanisms

    assert not region_mechanisms(a)["answers"].str.contains(r"\bB43\b|\bB25\b").any()


def _user_frame(b43_repeats_b48: bool) -> pd.DataFrame:
    frame = turaqty.load_embedded().wide(national=True)
    frame["B43"] = frame["B48"] if b43_repeats_b48 else frame["B48"] * 0.37 + 1000
    return frame.rename_axis("region").reset_index()


@pytest.mark.parametrize("lang,copy_words",
                         [("en", "copy of B48"), ("ru", "копия B48"), ("kk", "B48 көшірмесі")])
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
    assert (manifest["inputs"]["data"]["year"],
            manifest["inputs"]["data"]["year_from"]) == (2024, "file_name")


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
    assert {"en": "ecological index", "kk": "экологиялық индекс",
            "ru": "экологический индекс"}[lang] in ecological


KK_NAMES = {
    "B4": "Табысы СҚП бойынша күніне 6,8 АҚШ долларынан төмен халықтың үлесі",
    "B5": "Темір тапшылығы анемиясы анықталған жүкті әйелдердің үлесі",
    "B20": "Басшылық лауазымдардағы әйелдердің үлесі",
    "B16": "6–74 жас аралығындағы халықтың цифрлық сауаттылық деңгейі",
    "B28": "Бір жұмыспен қамтылған адамға шаққандағы нақты ЖӨӨ-нің жылдық өсу қарқыны",
    "B50": "Атмосфераға ластаушы заттар шығарындыларындағы аймақтың үлесі",
    "B51": "Орташа жылдық ауа температурасының 1961–1990 жылдардағы нормадан ауытқуы",
    "B24": "ЖӨӨ нақты көлем индексі",
    "B35": "1 млн тұрғынға шаққандағы зерттеушілер саны",
}


@pytest.mark.parametrize("code,name", sorted(KK_NAMES.items()))
def test_corrected_kazakh_indicator_names(code, name):
    assert turaqty.load_framework().by_code[code].name("kk") == name


def test_corrected_units_and_the_b1_label():
    fw = turaqty.load_framework()
    assert fw.by_code["B35"].unit("kk") == "1 млн тұрғынға"
    for lang, word in (("en", "passengers"), ("ru", "пассажиров"), ("kk", "жолаушы")):
        assert word in fw.by_code["B37"].unit(lang)  # passengers are not tonnes
    assert not fw.by_code["B16"].name("kk").startswith("Облыстар бөлінісінде")
    assert turaqty.assess(lang="kk").framework.by_code["B1"].name("kk") == \
        "2019–2023 жылдардағы халық санының өзгерісі"


def test_one_kazakh_term_for_public_private_partnership():
    from turaqty.analysis.mechanisms import load_mechanisms

    texts = " ".join(m.name("kk") + " " + m.description("kk") for m in load_mechanisms())
    assert "мемлекеттік-жекешелік әріптестік" in texts.lower()
    assert "жекеменшік серіктестік" not in texts.lower()


@pytest.mark.parametrize("key,lang,text", [
    ("cli.help.audit_description", "kk", "ЕО Бірлескен зерттеу орталығы"),
    ("cli.help.profile", "kk", "жарияланған кестелер"),
    ("cli.help.risk_thresholds", "kk", "түзетілген шекті мәндер"),
    ("cli.help.profile", "ru", "направления по смыслу показателей"),
    ("cli.help.bounds", "ru", "сохранить"),
    ("audit.outlier", "ru", "аномальные значения"),
    ("audit.outlier", "kk", "шектен тыс мәнді аймақтар"),
    ("risk.risky_side", "en", "Risk at"),
    ("risk.risky_side", "ru", "Риск при"),
    ("risk.risky_side", "kk", "Тәуекел:"),
    ("cli.help.risk_description", "en", "Classify every indicator value"),
])
def test_corrected_messages(key, lang, text):
    assert text in t(key, lang)


def test_words_that_were_wrong_are_gone():
    assert "выброс" not in t("audit.outlier", "ru") + t("cli.help.audit", "ru")
    assert "шеткі" not in t("audit.outlier", "kk")
    assert "для которого" not in t("error.duplicate_region", "ru")
    assert t("report.mean", "kk") != t("level.medium", "kk")   # the mean is not the medium level


def test_map_tooltip_names_the_index_and_the_level():
    from turaqty.report.html import _map_tip

    a = turaqty.assess(lang="ru")
    row = a.indices.set_index("unit_id").loc["pavlodar"]
    assert "Экологический индекс 3,33 (низкий уровень)" in _map_tip(a, row, "ecological", row["ecological"])


def test_workbook_names_the_risk_side(tmp_path):
    done = run("risk", "--out", tmp_path, "--lang", "ru", "--quiet")
    assert done.returncode == 0, done.stderr
    wb = openpyxl.load_workbook(tmp_path / "risk.xlsx", read_only=True)
    cells = [c for row in wb[t("sheet.risk", "ru")].values for c in row if isinstance(c, str)]
    assert "Риск при" in cells and "низких значениях" in cells and "Рискованная сторона" not in cells


def test_template_indicator_sheet_header(tmp_path):
    out = tmp_path / "t.xlsx"
    done = run("template", "--out", out, "--lang", "kk")
    assert done.returncode == 0, done.stderr
    wb = openpyxl.load_workbook(out, read_only=True)
    header = next(wb[t("sheet.indicators", "kk")].values)
    assert header[1] == t("template.name_row", "kk") and t("col.name", "kk") not in header


def test_version_and_assess_help_in_the_users_language(tmp_path):
    for lang, word in (("kk", "нұсқасы"), ("ru", "версия")):
        done = run("--version", "--lang", lang)
        assert done.returncode == 0 and word in done.stdout
    help_text = " ".join(run("assess", "--help").stdout.split())
    out = tmp_path / "out"
    assert run("assess", "--out", out, "--quiet").returncode == 0
    for f in out.iterdir():
        assert f.name in help_text, f.name


def _readme() -> str:
    from pathlib import Path

    return " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8").split())


def _n(text: str) -> int:
    return int(text.replace(",", ""))


def test_readme_figures_match_the_outputs():
    """Every figure the README states about the embedded data, recomputed."""
    import numpy as np

    readme = _readme()
    r = turaqty.reproduce()
    cells = r.cells
    scores = cells[cells["table"].isin(["Table 10", "Table 11", "Table 12"])
                   & cells["column"].str.fullmatch(r"B\d+")]
    m = re.search(r"Under `dissertation`, ([\d,]+) of the ([\d,]+) printed scores .*? "
                  r"the other (\d+)", readme)
    assert (_n(m.group(1)), _n(m.group(2)), _n(m.group(3))) == (
        int((scores["status"] == "reproduced").sum()), len(scores),
        int((scores["status"] != "reproduced").sum()))
    m = re.search(r"([\d,]+) rows, ([\d,]+) reproduced, ([\d,]+) explained, (\d+) unexplained", readme)
    counts = cells["status"].value_counts()
    assert tuple(_n(g) for g in m.groups()) == (len(cells), counts.get("reproduced", 0),
                                                 counts.get("explained", 0), counts.get("unexplained", 0))
    values = turaqty.load_embedded().wide()
    m = re.search(r"B43 and B48 \(r = ([\d.]+)\)", readme)
    assert m.group(1) == f"{np.corrcoef(values['B43'], values['B48'])[0, 1]:.3f}"
    flags = turaqty.run_audit(turaqty.assess())["flags"]
    audit_r = [f for f in flags if f["type"] == "near_duplicate"][0]["figure"]
    assert m.group(1) == f"{audit_r:.3f}"
    derived, printed = turaqty.assess(), turaqty.assess(risk_thresholds="printed")
    m = re.search(r"`derived` and `printed` agree on ([\d,]+) of ([\d,]+) cells", readme)
    assert (_n(m.group(1)), _n(m.group(2))) == (int((derived.risk["risk"] == printed.risk["risk"]).sum()),
                                                len(derived.risk))
    m = re.search(r"Abai has (\d+) high risks", readme)
    assert int(m.group(1)) == derived.risk_summary.set_index("unit_id").loc["abai", "high_total"]


def test_readme_printed_map_figures():
    import numpy as np

    from turaqty.analysis.reproduction import printed_tables
    from turaqty.engine.risk import printed_class

    readme = _readme()
    slot = {rule.printed_slot: rule for rule in turaqty.load_framework().risk_rules.values()}
    unambiguous = same = unused = fixed = 0
    for row in printed_tables()["risk"].itertuples():
        shown = row.printed_class or "none"
        if shown in ("none", "n/a") or "/" in shown:
            continue
        unambiguous += 1
        rule = slot.get(row.slot)
        if rule is None:
            unused += 1
        elif printed_class(rule, float(row.map_value) if row.map_value else np.nan) == shown:
            same += 1
        else:
            fixed += 1
    m = re.search(r"of the ([\d,]+) region cells the printed thresholds classify unambiguously, the cleaned "
                  r"thresholds give the same class to ([\d,]+); the other (\d+) are .*? and (\d+) are the "
                  r"unused", readme)
    assert tuple(_n(g) for g in m.groups()) == (unambiguous, same, fixed, unused)


def test_reproduce_rounding_causes_of_the_issue():
    cells = turaqty.reproduce().cells.set_index(["table", "unit_id", "column"]).sort_index()
    for table in ("Table 12", "Table 13"):
        assert cells.loc[(table, "north_kazakhstan", "ecological"), "cause"] == "rounding"
    aktobe = cells.loc[("Table 18", "aktobe")]
    assert aktobe.loc["B6 (T18.c06) value", "status"] == "reproduced"       # 21.86 printed as 21.9
    assert aktobe.loc["B6 (T18.c06) risk", "cause"] == "rounding"          # on the threshold 21.9


@pytest.mark.parametrize("lang,table,word", [("kk", "10-кесте", "тәуекел класы"),
                                             ("ru", "Таблица 10", "класс риска")])
def test_reproduce_and_audit_reports_in_the_users_language(tmp_path, lang, table, word):
    done = run("reproduce", "--lang", lang, "--out", tmp_path / "r")
    assert done.returncode == 0, done.stderr
    md = (tmp_path / "r" / "reproduce.md").read_text(encoding="utf-8")
    assert table in md and word in md and "Table 1" not in md and "Text line" not in md
    assert re.search(r"\| \d+,\d+ \|", md) and not re.search(r"\| \d+\.\d+ \|", md)  # decimal commas
    assert not re.search(r"\b(high|medium|low|social|economic|ecological|n/a)\b", md)
    done = run("audit", "--lang", lang, "--out", tmp_path / "a")
    assert done.returncode == 0, done.stderr
    md = (tmp_path / "a" / "audit.md").read_text(encoding="utf-8")
    for code in ("near_duplicate", "against_pillar", "cronbach_alpha", "max_shift", "| social |"):
        assert code not in md
    assert re.search(r"\| \d+,\d+ \|", md) and not re.search(r"\| \d+\.\d+ \|", md)
    assert t("audit.type.near_duplicate", lang) in md and t("audit.type.near_duplicate", lang) in done.stdout


def test_audit_flags_worst_first_and_no_weak_against_pillar():
    from turaqty.analysis.audit import SEVERITY

    audit = turaqty.run_audit(turaqty.assess())
    order = {"high": 0, "medium": 1, "low": 2}
    ranks = [order[f["severity"]] for f in audit["flags"]]
    assert ranks == sorted(ranks) and ranks[0] == 0
    assert all(f["severity"] == SEVERITY[f["type"]] for f in audit["flags"])
    against = [f for f in audit["flags"] if f["type"] == "against_pillar"]
    assert against and all(f["figure"] <= -0.1 for f in against)
    weak = [c for c in audit["correlations"]
            if c["with_pillar"]["pearson"] is not None and -0.1 < c["with_pillar"]["pearson"] < 0]
    assert weak, "the embedded data have weakly negative indicators, which are no longer flagged"
    assert not {c["indicator"] for c in weak} & {f["indicators"][0] for f in against}


def test_readme_whatif_example_shows_a_change():
    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ turaqty whatif --set zhambyl.B25=4.3\n", 1)[1].split("```", 1)[0]
    done = run("whatif", "--set", "zhambyl.B25=4.3", "--out", __import__("tempfile").mkdtemp())
    assert done.returncode == 0, done.stderr
    shown = [line for line in block.splitlines() if line.strip()]
    assert shown == done.stdout.splitlines()[:len(shown)]
    assert "rank 7 → 5" in done.stdout


def test_whatif_messages_for_changes_without_effect(tmp_path):
    done = run("whatif", "--set", "karaganda.B25=4.0", "--set", "abai.B1=95.82",
               "--set", "astana.B25=3.0", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Karaganda Region: B25 4.1 → 4 has no effect: the region already has the best score (9)" in out
    assert "Abai Region: B1 is already 95.82: the value set equals the baseline" in out
    assert "Astana: B25 4.5 → 3 lies beyond the baseline's range: its score is clipped to 9.00" in out
    changes = _csv(tmp_path / "scenario_changes.csv").set_index("unit_id")
    assert changes.loc["karaganda", "note"] == t("scenario.note.at_best")
    assert changes.loc["abai", "note"] == t("scenario.note.same_value")
    ru = run("whatif", "--set", "karaganda.B25=4.0", "--out", tmp_path / "ru", "--lang", "ru")
    assert "уже лучший балл (9)" in ru.stdout


def test_whatif_bare_almaty_is_ambiguous(tmp_path):
    for lang in ("ru", "en"):
        done = run("whatif", "--set", "Алматы.B25=4.0", "--out", tmp_path / lang, "--lang", lang)
        assert done.returncode == 2
        assert t("error.ambiguous_region", lang, value="Алматы", options="").split("Алматы")[0] in done.stderr
        for name in ("almaty_region", "almaty_city"):
            assert turaqty.load_regions().name(name, lang) in done.stderr
        assert not (tmp_path / lang).exists()
    from turaqty.analysis.scenarios import parse_setting

    with pytest.raises(turaqty.DataError):
        parse_setting("Алматы.B25=4.0")
    assert parse_setting("Алматы облысы.B25=4.0").target == "almaty_region"


def test_scenario_incomes_grow_slowly_and_b10_only_with_health():
    from turaqty.analysis.scenarios import narratives, run_scenario, scenario_changes

    base = turaqty.assess()
    for macro in ("west", "east_central"):
        b29 = [c for c in scenario_changes(f"{macro}:pessimistic") if c.indicator == "B29"]
        assert b29 and all(c.method == "gap" and c.reference == "national" and 0 < c.value < 0.25
                           for c in b29)
        applied = run_scenario(base, f"{macro}:pessimistic").applied.query("indicator == 'B29'")
        assert (applied["after"] >= applied["before"]).all() and (applied["after"] > applied["before"]).any()
    bullets = {f"{m['id']}:{s['id']}:{b['id']}": b["en"].lower()
               for m in narratives()["macro_regions"] for s in m["scenarios"]
               for b in s["factors"] + s["results"]}
    from turaqty.analysis.scenarios import scenario_ids

    for sid in scenario_ids():
        for c in scenario_changes(sid):
            if c.indicator == "B10":
                assert any(w in bullets[c.source] for w in ("morbidity", "health")), (sid, c.source)


def test_scenario_clipped_changes_are_reported(tmp_path):
    done = run("scenario", "west:pessimistic", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    from turaqty.analysis.scenarios import run_scenario

    applied = run_scenario(turaqty.assess(), "west:pessimistic").applied
    beyond = applied["note"].isin(["clipped", "at_best", "at_worst"]).sum()
    assert beyond > 0
    assert t("cli.scenario_clipped", n=int(beyond),
             no_effect=int(applied["note"].isin(["at_best", "at_worst"]).sum())) in done.stdout


def test_scenario_order_under_recomputed_bounds_is_explained(tmp_path):
    done = run("scenario", "all", "--bounds", "recomputed", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    order = _csv(tmp_path / "scenario_order.csv")
    assert len(order) and (order["explanation"].str.len() > 50).all()
    # every violation of pessimistic ≤ realistic ≤ optimistic is listed, none else
    from turaqty.analysis.scenarios import run_scenario, scenario_ids

    base = turaqty.assess()
    results = {sid: run_scenario(base, sid, "recomputed") for sid in scenario_ids()}
    expected = 0
    for macro in ("west", "east_central", "south_southeast", "north"):
        ix = [results[f"{macro}:{s}"].assessment.indices for s in ("pessimistic", "realistic", "optimistic")]
        for col in ("social", "economic", "ecological", "integral"):
            p, r, o = (x[col].to_numpy() for x in ix)
            expected += int(((p > r + 1e-9) | (r > o + 1e-9)).sum())
    assert len(order) == expected
    assert set(order.loc[~order["member"], "cause"]) == {"renormalised"}
    macro_names = {m.id: m.name("en") for m in turaqty.load_regions().macro_regions}
    for macro in order["macro_region"].unique():
        assert f"{macro_names[macro]}: the order pessimistic ≤ realistic ≤ optimistic breaks" in done.stdout
    assert run("scenario", "all", "--out", tmp_path / "b").returncode == 0
    assert len(_csv(tmp_path / "b" / "scenario_order.csv")) == 0   # baseline bounds: order holds

"""``report``, ``brief``, ``audit`` and ``risk`` on a framework of the user's own: the template
framework (``turaqty framework template``), a framework with a mean root and four pillars
(with and without a ``units.geojson``; names that are HTML), and COINr's ASEM index (four
levels) from ../shared/external. Each command exits 0 (``risk`` without risk rules: 2), the
page's numbers are those of ``turaqty assess`` on the same inputs, nothing of Kazakhstan's
index is said where it does not apply, and the page runs in Chromium without errors."""
from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import turaqty
from tests.test_report import CHROMIUM
from turaqty.i18n import LANGUAGES, t
from turaqty.io.frameworks import read_framework
from turaqty.model.method import Method
from turaqty.report.canvas import Rect
from turaqty.report.outputs import brief_files, report_files
from turaqty.report.scope import ranking_columns

REPO = Path(__file__).resolve().parents[1]
ASEM = REPO / "../shared/external/coinr-asem"
ASEM_METHOD = REPO / "examples/asem/method.yaml"
XSS_UNIT = '<script>window.__xss=1</script>'
XSS_INDICATOR = '<img src=x onerror="window.__xss=2">'
PILLARS = ("health", "work", "nature", "money")


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "turaqty", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def mean4_folder(folder: Path, geometry: bool = False) -> Path:
    """A framework with a mean root over four pillars (two indicators each; bands on the root
    and two pillars only), twelve units, one unit and one indicator named with HTML; with
    ``geometry``, a units.geojson of twelve squares (one unit by its name, one by id)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["id,parent,type,weight,direction,aggregation,level_low,level_high,name_en,name_ru,unit_en",
            "idx,,aggregate,1,,arithmetic,4.5,5.5,Well-being,Благополучие,",
            *(f"{p},idx,aggregate,{w},,arithmetic,{lo},{hi},{p.title()},{p.upper()},"
              for p, w, lo, hi in zip(PILLARS, (1, 2, 1, 1), ("3.5", "", "", "3.5"), ("6.5", "", "", "6.5"),
                                      strict=True))]
    codes = []
    for p in PILLARS:
        for m in (1, 2):
            code = f"{p[0].upper()}{m}"
            codes.append(code)
            name = XSS_INDICATOR if code == "H2" else f"{p} measure {m}"
            sign = "-" if m == 2 else "+"
            rows.append(f'{code},{p},indicator,1,{sign},,,,"{name.replace(chr(34), 2 * chr(34))}",,%')
    (folder / "structure.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "framework.json").write_text(json.dumps({"id": "mean4", "name": {"en": "Four pillars"}}))
    names = [XSS_UNIT if i == 4 else f"Town {i:02d}" for i in range(1, 13)]
    units = ["id,name_en,group"] + [
        f'u{i:02d},"{n.replace(chr(34), 2 * chr(34))}",{"east" if i % 2 else "west"}'
        for i, n in enumerate(names, 1)]
    (folder / "units.csv").write_text("\n".join(units) + "\n", encoding="utf-8")
    rng = np.random.default_rng(7)
    values = rng.uniform(0, 100, size=(12, len(codes))).round(2)
    values[2, 0] = np.nan  # one gap
    data = pd.DataFrame(values, columns=codes)
    data.insert(0, "region", [f"u{i:02d}" for i in range(1, 13)])
    data.to_csv(folder / "data.csv", index=False)
    if geometry:
        features = []
        for i in range(12):
            x, y = 60 + (i % 4), 45 + (i // 4)
            key = {"id": "Town 02"} if i == 1 else {"id": f"u{i + 1:02d}"}
            square = [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]
            features.append({"type": "Feature", "properties": key,
                             "geometry": {"type": "Polygon", "coordinates": square}})
        (folder / "units.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return folder


@pytest.fixture(scope="module")
def frameworks(tmp_path_factory) -> dict[str, tuple[Path, Path, list[str]]]:
    """name → (data, framework, extra options): the template, mean4, mean4 with a map."""
    root = tmp_path_factory.mktemp("fw")
    assert run("framework", "template", root / "template").returncode == 0
    mean4, mapped = mean4_folder(root / "mean4"), mean4_folder(root / "mapped", geometry=True)
    return {"template": (root / "template/data.csv", root / "template", []),
            "mean4": (mean4 / "data.csv", mean4, []),
            "mapped": (mapped / "data.csv", mapped, ["--lang", "ru"])}


def asem_or_skip() -> tuple[Path, Path, list[str]]:
    if not (ASEM / "ASEM_iMeta.csv").is_file():
        pytest.skip(f"COINr's ASEM data not found at {ASEM.resolve()} (shared/external/coinr-asem)")
    return ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv", ["--method", ASEM_METHOD]


def visible_text(page: str) -> str:
    """The words a reader sees: no scripts, styles, attributes or the manifest."""
    body = page.split("<body", 1)[1]
    body = re.sub(r"<(script|style|pre)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


KAZAKHSTAN_WORDS = ("integral", "Integral", "интеграл", "Интеграл", "Kazakhstan", "Казахстан", "Қазақстан",
                    "macro-region", "Macro-region", "Макрорегион", "Макроаймақ", "doctors", "врач", "дәрігер",
                    r"\b52 (indicators|показател|көрсеткіш)", r"3[-–]27", r"\(27\b", "Tables? 1[0-9]")


def assert_nothing_of_kazakhstan(text: str, names=()) -> None:
    """None of the dissertation's words in ``text`` (the units' own ``names`` aside: ASEM
    has Kazakhstan)."""
    for name in names:
        text = text.replace(name, "")
    found = [(w, m.start()) for w in KAZAKHSTAN_WORDS for m in [re.search(w, text)] if m]
    assert not found, [(w, text[max(0, at - 80):at + 40]) for w, at in found]


def page_indices(page: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """The ranking table of report.html as numbers: unit id → rank and each index column
    (from the cells' exact values)."""
    table = page.split('id="ranking-table"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for unit, cells in re.findall(r'<tr data-unit="([^"]*)">(.*?)</tr>', table, flags=re.S):
        values = re.findall(r'<td class="num" data-value="([^"]*)"', cells)
        rows[html.unescape(unit)] = [float(v) if v else np.nan for v in values]
    return pd.DataFrame.from_dict(rows, orient="index", columns=["rank", *columns])


@pytest.mark.parametrize("name", ["template", "mean4", "mapped", "asem"])
def test_every_command_on_a_user_framework(frameworks, tmp_path, name):
    data, framework, extra = asem_or_skip() if name == "asem" else frameworks[name]
    lang = extra[extra.index("--lang") + 1] if "--lang" in extra else "en"
    common = [data, "--framework", framework, *extra]
    assess = run("assess", *common, "--out", tmp_path / "assess", "--quiet")
    assert assess.returncode == 0, assess.stderr
    pdf = ["--pdf"] if name == "template" and CHROMIUM else []  # printed by Chromium: once is enough
    report = run("report", *common, "--out", tmp_path / "report", "--docx", *pdf)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "report/report.pdf").is_file() == bool(pdf)
    out = tmp_path / "report"
    page = (out / "report.html").read_text(encoding="utf-8")
    fw = read_framework(framework)
    # the page's numbers are those of indices.csv from `turaqty assess` on the same inputs
    indices = pd.read_csv(tmp_path / "assess/indices.csv", dtype={"unit_id": str}).set_index("unit_id")
    shown = page_indices(page, ranking_columns(fw))
    assert sorted(shown.index) == sorted(indices.index)
    for col in fw.index_columns:
        np.testing.assert_allclose(shown[col].to_numpy(), indices.loc[shown.index, col].to_numpy(),
                                   rtol=0, atol=1e-12, err_msg=col)
    assert (shown["rank"].to_numpy() == indices.loc[shown.index, f"rank_{fw.root}"].to_numpy()).all()
    # what applies, and nothing else
    names = indices["name"].tolist()
    assert_nothing_of_kazakhstan(visible_text(page), names)
    assert 'id="risk"' not in page and "risk-heatmap" not in page
    mapped = name == "mapped"
    assert ('id="map-section"' in page) == mapped and ("figures/map.png" in _written(out)) == mapped
    assert "figures/indices.png" in _written(out)
    title = fw.names.get(lang) or fw.names["en"]
    title = fw.pillar_name(fw.root, lang) if title == fw.id else title  # COINr: the root's name
    assert f"<title>{html.escape(t('fwreport.title', lang, framework=title))}</title>" in page
    # the Word document says the same
    from docx import Document

    doc = Document(io.BytesIO((out / "report.docx").read_bytes()))
    words = "\n".join([p.text for p in doc.paragraphs]
                      + [c.text for tb in doc.tables for r in tb.rows for c in r.cells])
    assert_nothing_of_kazakhstan(words, names)
    assert len(doc.tables[0].rows) == 1 + len(indices)
    assert not _found(REGION_WORDS, _without(words, [*names, *(i.name(lang) for i in fw.indicators)]))
    # brief, audit: exit 0; risk: no rules, exit 2 in every language
    brief = run("brief", "all", *common, "--out", tmp_path / "brief")
    assert brief.returncode == 0, brief.stderr
    briefs = sorted(p.name for p in (tmp_path / "brief").glob("brief-*.html"))
    assert briefs == sorted(f"brief-{u}.html" for u in indices.index)
    for p in (tmp_path / "brief").glob("brief-*.html"):
        assert_nothing_of_kazakhstan(visible_text(p.read_text(encoding="utf-8")), names)
    audit = run("audit", *common, "--out", tmp_path / "audit")
    assert audit.returncode == 0, audit.stderr
    audited = json.loads((tmp_path / "audit/audit.json").read_text(encoding="utf-8"))
    assert sorted(audited["pillars"]) == sorted(fw.pillars)
    audit_page = (tmp_path / "audit/audit.html").read_text(encoding="utf-8")
    assert_nothing_of_kazakhstan(visible_text(audit_page), names)
    # units, not regions: the report (its robustness, audit, warnings), the audit, the consoles
    own = [*names, *(i.name(lang) for i in fw.indicators)]
    for text in (visible_text(page), visible_text(audit_page), audit.stdout, brief.stdout):
        assert not _found(REGION_WORDS, _without(text, own)), _found(REGION_WORDS, _without(text, own))
    for lang_ in LANGUAGES:
        risk = run("risk", *common, "--out", tmp_path / f"risk-{lang_}", "--lang", lang_)
        assert risk.returncode == 2 and not (tmp_path / f"risk-{lang_}").exists()
        assert t("error.risk_no_rules", lang_, value="@").split("@")[-1].strip() in risk.stderr, risk.stderr


def _written(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_options_like_assess(frameworks, tmp_path):
    """--weight, --method and --allow-partial act on report, brief and audit as on assess."""
    data, framework, _ = frameworks["mean4"]
    opts = ["--framework", framework, "--weight", "work=0.5", "--weight", "H1=3", "--allow-partial"]
    assert run("assess", data, *opts, "--out", tmp_path / "a", "--quiet").returncode == 0
    assert run("report", data, *opts, "--out", tmp_path / "r").returncode == 0
    manifest = json.loads((tmp_path / "r/manifest.json").read_text(encoding="utf-8"))
    assert manifest["method"]["weights"] == {"work": 0.5, "H1": 3.0}
    assert manifest["method"]["availability"] == 0
    indices = pd.read_csv(tmp_path / "a/indices.csv").set_index("unit_id")
    shown = page_indices((tmp_path / "r/report.html").read_text(encoding="utf-8"),
                         ranking_columns(read_framework(framework)))
    np.testing.assert_allclose(shown["idx"], indices.loc[shown.index, "idx"], rtol=0, atol=1e-12)
    method = tmp_path / "m.json"
    method.write_text(json.dumps({"profile": "mine", "normalise": {"method": "zscore"}}))
    brief = run("brief", "Town 01", data, "--framework", framework, "--method", method,
                "--out", tmp_path / "b")
    assert brief.returncode == 0, brief.stderr
    assert json.loads((tmp_path / "b/manifest.json").read_text())["method"]["normalise"]["method"] == "zscore"
    # --previous: the same data then, so every change is 0 and every rank stays
    again = run("brief", "u02", data, "--framework", framework, "--previous", data, "--out", tmp_path / "b1")
    assert again.returncode == 0, again.stderr
    page = (tmp_path / "b1/brief-u02.html").read_text(encoding="utf-8")
    ranks = re.findall(r"(\d+) → (\d+)</td>", page)
    assert len(ranks) == 5 and all(then == now for then, now in ranks)
    unknown = run("brief", "Nowhere", data, "--framework", framework, "--out", tmp_path / "b2")
    assert unknown.returncode == 2 and "Nowhere" in unknown.stderr


def test_escapes_names_from_the_users_files(frameworks, browser, tmp_path):
    """A unit named <script>… and an indicator named <img onerror=…> stay text: in the page,
    the map, the brief and in Chromium (nothing runs)."""
    data, framework, _ = frameworks["mapped"]
    a = turaqty.assess(str(data), framework=read_framework(framework), profile=Method(profile="generic"))
    files = report_files(a)
    page = files["report.html"].decode("utf-8")
    assert XSS_UNIT not in page and XSS_INDICATOR not in page
    assert html.escape(XSS_UNIT) in page
    brief = brief_files(a, ["u04"])["brief-u04.html"].decode("utf-8")
    assert XSS_UNIT not in brief and html.escape(XSS_UNIT) in brief
    (tmp_path / "report.html").write_bytes(files["report.html"])
    pg = browser.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    pg.goto((tmp_path / "report.html").as_uri())
    pg.wait_for_load_state("load")
    assert pg.evaluate("window.__xss === undefined") and errors == []
    assert XSS_UNIT in pg.locator('#ranking-table tr[data-unit="u04"] td.region').inner_text()
    assert XSS_UNIT in pg.locator('#map text.label').all_text_contents()
    pg.close()


def _open(browser, path: Path):
    pg = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    pg.goto(path.as_uri())
    pg.wait_for_load_state("load")
    return pg, errors


def _assessments(frameworks, names=("template", "mean4", "mapped", "asem")):
    for name in names:
        if name == "asem":
            data, framework, extra = asem_or_skip()
            method = turaqty.read_method(extra[1])
        else:
            data, framework, _ = frameworks[name]
            method = Method(profile="generic")
        yield name, turaqty.assess(str(data), framework=read_framework(framework), profile=method)


@pytest.mark.parametrize("name", ["template", "mean4", "mapped", "asem"])
def test_page_and_weights_in_chromium(frameworks, browser, tmp_path, name):
    """No script error; the weights recompute the framework's tree (any depth, means and
    sums) as assess() does with the same weights; the map (where drawn) has every unit."""
    (_, a), = _assessments(frameworks, (name,))
    path = tmp_path / "report.html"
    path.write_bytes(report_files(a)["report.html"])
    pg, errors = _open(browser, path)
    assert errors == []
    values = np.array(pg.evaluate("window.turaqtyWeights.state().values"), dtype=float)
    np.testing.assert_allclose(values, a.arrays.aggregates, rtol=0, atol=1e-9)
    fw = a.framework
    node, code = fw.index_columns[0], a.dataset.indicators[-1]
    k, j = fw.index_columns.index(node), a.dataset.indicators.index(code)
    for kind, at, w in (("node", k, 2.5), ("indicator", j, 0.25)):
        pg.evaluate("([kind, k, w]) => window.turaqtyWeights.set(kind, k, w)", [kind, at, w])
    py = turaqty.assess(a.dataset, framework=fw, profile=a.method.replace(weights={node: 2.5, code: 0.25}))
    values = np.array(pg.evaluate("window.turaqtyWeights.state().values"), dtype=float)
    np.testing.assert_allclose(values, py.arrays.aggregates, rtol=0, atol=1e-9)
    shown = pg.eval_on_selector_all("#ranking-table tbody tr",
                                    "rs => rs.map(r => r.getAttribute('data-unit'))")
    assert shown == py.ranking()["unit_id"].tolist()
    cells = pg.eval_on_selector_all(
        "#ranking-table tbody tr",
        "rs => rs.map(r => Array.from(r.querySelectorAll('td.num')).slice(1)"
        ".map(td => td.getAttribute('data-value')))")
    expected = py.ranking()[list(ranking_columns(fw))].to_numpy(dtype=float)  # the columns as shown
    np.testing.assert_allclose([[float(v) if v else np.nan for v in row] for row in cells], expected,
                               rtol=0, atol=1e-9)
    regions = pg.locator("#map path.region")
    assert regions.count() == (len(a.dataset.units) if name == "mapped" else 0)
    if name == "mapped":
        pg.locator(f'input[name=map-layer][value="{PILLARS[1]}"]').check()
        regions.first.hover()
        assert pg.locator("#tooltip").is_visible()
    assert errors == []
    pg.close()


def _bars(canvas, series=None):
    """The indices chart's bars as {unit: (start, end)} in data values (of one series, or
    the whole stack), read back through the chart's x scale."""
    x = canvas.scales["x"]
    out: dict[str, tuple[float, float]] = {}
    for r in canvas.shapes:
        if isinstance(r, Rect) and ":" in r.key and (series is None or r.key.endswith(f":{series}")):
            unit = r.key.split(":")[0]
            start, end = x.value(r.x), x.value(r.x + r.width)
            out[unit] = (min(out.get(unit, (start,))[0], start), end)
    return out


def test_indices_figure_by_the_roots_aggregation(frameworks):
    """Stacked contributions where the root is a sum (they add up to it; weights count);
    one bar per unit, equal to the root, for a mean; the axis fits the values, not 27."""
    from turaqty.report.figures import _indices_figure

    kz = turaqty.assess(profile=turaqty.get_method().replace(weights={"economic": 2.0}))
    chart = _indices_figure(kz)
    ranked = kz.ranking()
    bars = _bars(chart)
    np.testing.assert_allclose([bars[u][1] for u in ranked["unit_id"]], ranked["integral"], rtol=0, atol=1e-9)
    economic = _bars(chart, "economic")
    np.testing.assert_allclose([economic[u][1] - economic[u][0] for u in ranked["unit_id"]],
                               2.0 * ranked["economic"], rtol=0, atol=1e-9)
    for name, a in _assessments(frameworks, ("template", "mean4", "asem")):
        chart = _indices_figure(a)
        root = a.framework.root
        assert {r.key.split(":")[1] for r in chart.shapes if isinstance(r, Rect) and ":" in r.key} == {root}
        ranked = a.ranking()
        bars = _bars(chart)
        widths = np.array([bars[u][1] - bars[u][0] if u in bars else 0.0 for u in ranked["unit_id"]])
        values = ranked[root].to_numpy(dtype=float)
        np.testing.assert_allclose(widths, np.nan_to_num(values), rtol=0, atol=1e-9)
        high = chart.scales["x"].high
        levels = a.framework.levels(root) or (0,)
        assert np.nanmax(values) < high <= 1.1 * max(np.nanmax(values), *levels), name
        assert [x.text for x in chart.texts("xlabel")] == [a.framework.pillar_name(root)]
        assert [x.text for x in chart.texts("unit")] == ranked["name"].tolist()


def test_units_geometry_errors_and_matches(tmp_path):
    """A units.geojson that is not GeoJSON is an error naming the file (exit 2, nothing
    written); a feature may name its unit by id or by name."""
    from turaqty.report.scope import unit_map

    folder = mean4_folder(tmp_path / "fw", geometry=True)
    a = turaqty.assess(str(folder / "data.csv"), framework=read_framework(folder),
                       profile=Method(profile="generic"))
    shapes = unit_map(a)
    assert shapes is not None and sorted(shapes.geometry) == sorted(a.dataset.units)
    # boundaries in metres (a projected GeoJSON) are drawn as they are, inside the drawing
    side = 5e4
    corners = [(5e5 + side * (i % 4), 5.2e6 + side * (i // 4)) for i in range(12)]
    squares = [[[[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]] for x, y in corners]
    metres = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": f"u{i + 1:02d}"},
         "geometry": {"type": "Polygon", "coordinates": square}} for i, square in enumerate(squares)]}
    (folder / "units.geojson").write_text(json.dumps(metres))
    rings, (width, height) = unit_map(a).rings()
    points = np.concatenate([np.asarray(r) for rs in rings.values() for r in rs])
    assert len(rings) == 12 and height == pytest.approx(width * 3 / 4, rel=0.05)
    assert (points >= 0).all() and (points[:, 0] <= width).all() and (points[:, 1] <= height).all()
    (folder / "units.geojson").write_text('{"type": "FeatureCollection", "features": [{"geometry": 1}]}')
    p = run("report", folder / "data.csv", "--framework", folder, "--out", tmp_path / "out", "--lang", "kk")
    assert p.returncode == 2 and "units.geojson" in p.stderr and not (tmp_path / "out").exists()
    assert t("error.units_geometry", "kk", value="@").split("(")[0] in p.stderr


def test_kazakhstan_report_keeps_its_sections():
    """The dissertation's report still shows what applies to it: the map (page and figure),
    the risk map, the matrix, macro-regions, mechanisms and its own texts."""
    files = report_files(turaqty.assess(lang="en"))
    page = files["report.html"].decode("utf-8")
    for marker in ('id="map-section"', 'id="risk-heatmap"', 'id="matrix-table"',
                   html.escape(t("col.macro_region", "en")), html.escape(t("report.mechanisms", "en")),
                   html.escape(t("report.formulas", "en")), f"<title>{t('report.title', 'en')}</title>"):
        assert marker in page, marker
    assert "figures/map.png" in files and "52 indicators" in visible_text(page)


def test_a_user_framework_with_risk_rules(tmp_path, browser):
    """With a risk_rules.csv, the risk map and its counts appear (tips without a national
    value), `risk` writes its files and names region types by the framework's pillars; no
    mechanisms, macro-regions or scenarios (Kazakhstan's catalogue)."""
    folder = mean4_folder(tmp_path / "fw")
    (folder / "risk_rules.csv").write_text(
        "code,printed_slot,printed_high,printed_low,derived_high,derived_low,printed_fix,note\n"
        "H1,,<30,>60,median,mean,,\nM2,,>60,<30,mean,median,,\n", encoding="utf-8")
    risk = run("risk", folder / "data.csv", "--framework", folder, "--out", tmp_path / "risk")
    assert risk.returncode == 0, risk.stderr
    types = pd.read_csv(tmp_path / "risk/region_types.csv", encoding="utf-8-sig")
    assert types["type_name"].str.startswith("health: ").all()
    assert run("report", folder / "data.csv", "--framework", folder, "--out", tmp_path / "r",
               "--docx").returncode == 0
    a = turaqty.assess(str(folder / "data.csv"), framework=read_framework(folder),
                       profile=Method(profile="generic"))
    page = (tmp_path / "r/report.html").read_text(encoding="utf-8")
    assert page.count('class="risk-cell') == 2 * 12 * 8  # the screen table and the printed ones
    high = int((a.risk["risk"] == "high").sum())
    assert high and page.count('data-risk="high"') == 2 * high
    text = visible_text(page)
    assert_nothing_of_kazakhstan(text)
    assert t("report.high_risks", "en") in text and t("report.mechanisms", "en") not in text
    pg, errors = _open(browser, tmp_path / "r/report.html")
    pg.locator('#risk-heatmap td.risk-cell[data-unit="u01"][data-indicator="H1"]').hover()
    tip = pg.locator("#tooltip").inner_text()
    assert tip.startswith("Town 01 — H1") and "Kazakhstan" not in tip and errors == []
    pg.close()


@settings(max_examples=12, deadline=None)
@given(pillars=st.integers(1, 5), root=st.sampled_from(["sum", "arithmetic", "geometric", "harmonic"]),
       weights=st.lists(st.floats(0.1, 4.0), min_size=5, max_size=5), seed=st.integers(0, 2**16))
def test_indices_figure_and_page_on_generated_frameworks(pillars, root, weights, seed):
    """Any two-level framework (on six of Kazakhstan's regions, so with their map): the chart's
    bars end at the root's values (stacked only for a sum of indices), and the page's ranking
    holds the root and every pillar as assessed."""
    from turaqty.model.framework import build_framework
    from turaqty.report.figures import _indices_figure
    from turaqty.report.html import report_html

    rows = [{"id": "root", "type": "aggregate", "aggregation": root}]
    rows += [{"id": f"p{k}", "parent": "root", "type": "aggregate", "weight": str(weights[k])}
             for k in range(pillars)]
    rows += [{"id": f"x{k}{m}", "parent": f"p{k}", "direction": "+-"[m]} for k in range(pillars)
             for m in range(2)]
    fw = build_framework("generated", {}, rows, file="generated.csv")
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(rng.uniform(1, 100, size=(6, 2 * pillars)), columns=list(fw.codes),
                        index=pd.Index(turaqty.load_regions().unit_ids[:6], name="region"))
    a = turaqty.assess(data, framework=fw, profile=Method(profile="generic"))
    ranked = a.ranking()
    chart = _indices_figure(a)
    bars = _bars(chart)
    np.testing.assert_allclose([bars[u][1] for u in ranked["unit_id"]], ranked["root"], rtol=0, atol=1e-9)
    keys = {r.key.split(":")[1] for r in chart.shapes if isinstance(r, Rect) and ":" in r.key}
    assert keys == ({f"p{k}" for k in range(pillars)} if root == "sum" else {"root"})
    page = report_html(a)
    shown = page_indices(page, ranking_columns(fw))
    # no level bands: no level column, no matrix, and the map's note does not promise levels
    assert 'id="matrix-table"' not in page and '<td class="root-level">' not in page
    assert html.escape(t("fwreport.map_note", "en")) in page and 'id="map-section"' in page
    for col in fw.index_columns:
        np.testing.assert_allclose(shown[col], a.indices.set_index("unit_id").loc[shown.index, col],
                                   rtol=0, atol=1e-12)


def test_the_console_names_the_users_framework_not_the_dissertation(tmp_path):
    template = tmp_path / "fw"
    subprocess.run([sys.executable, "-m", "turaqty", "framework", "template", str(template)], check=True,
                   capture_output=True)
    for lang, words in (("en", "generic (min–max"), ("ru", "общий (min–max"), ("kk", "жалпы (1–9")):
        done = subprocess.run([sys.executable, "-m", "turaqty", "assess", str(template / "data.csv"),
                               "--framework", str(template), "--lang", lang, "--out", str(tmp_path / lang)],
                              capture_output=True, text=True, check=True)
        first, head = done.stdout.splitlines()[:2]
        assert words in first and t("cli.title", lang, profile="", source="").split(":")[0] not in first
        assert t("col.integral", lang) not in head and t("col.social", lang) not in head


def test_units_without_boundaries_are_named_under_the_map(tmp_path):
    """A units.geojson that lacks some units: the map draws the others and says which are not
    on it (escaped: one unit's name is HTML)."""
    import html as html_module

    from turaqty.report.html import report_html

    folder = mean4_folder(tmp_path / "fw", geometry=True)
    collection = json.loads((folder / "units.geojson").read_text())
    collection["features"] = [f for f in collection["features"]
                              if f["properties"]["id"] not in ("u04", "u05")]
    (folder / "units.geojson").write_text(json.dumps(collection))
    for lang in LANGUAGES:
        a = turaqty.assess(str(folder / "data.csv"), framework=read_framework(folder),
                           profile=Method(profile="generic"), lang=lang)
        page = report_html(a, robustness=None)
        names = ", ".join(html_module.escape(n) for n in (XSS_UNIT, "Town 05"))  # u04, u05
        assert html_module.escape(t("report.map_undrawn", lang, names="@")).split("@")[0] + names in page
        assert XSS_UNIT not in page
    full = mean4_folder(tmp_path / "full", geometry=True)
    a = turaqty.assess(str(full / "data.csv"), framework=read_framework(full),
                       profile=Method(profile="generic"))
    page = report_html(a, robustness=None)
    assert t("report.map_undrawn", "en", names="@").split("@")[0] not in page
    assert t("fwreport.profiles", "en") in page and t("report.profiles", "en") not in page  # not "regions"


def test_a_summed_root_with_negative_children_is_not_stacked():
    """z-scores can be negative: stacked bars would hide each other, so the chart shows the
    root's value per unit instead."""
    from turaqty.model.method import get_method
    from turaqty.report.scope import report_scope

    assert report_scope(turaqty.assess()).stacked
    zscores = get_method("default").replace(profile="z", normalise={"method": "zscore"})
    a = turaqty.assess(profile=zscores)
    assert (a.indices[list(a.framework.pillars)].to_numpy() < 0).any() and not report_scope(a).stacked


def test_units_geometry_reads_null_geometries_and_ids_written_as_floats(tmp_path):
    from turaqty.model.units import build_units
    from turaqty.report.geo import read_units_geometry

    square = [[[70, 50], [71, 50], [71, 51], [70, 51], [70, 50]]]
    (tmp_path / "units.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": 1.0},
         "geometry": {"type": "Polygon", "coordinates": square}},
        {"type": "Feature", "properties": {"id": 2}, "geometry": None},
        {"type": "Feature", "properties": {"id": 3}}]}))
    units = build_units([{"id": str(k), "name": f"D{k}"} for k in (1, 2, 3)], file="units.csv")
    assert sorted(read_units_geometry(str(tmp_path / "units.geojson"), units)) == ["1"]


def test_a_unit_inside_another_ones_hole_stays_visible():
    """An enclave (a city inside its region): the surrounding unit's hole is wound against its
    exterior (whatever the file's winding) so the figure leaves it open, the page fills by
    the even–odd rule, and the surrounding unit's label is not put in the hole."""
    from turaqty.report import geo

    outer = [(60.0, 45.0), (64.0, 45.0), (64.0, 49.0), (60.0, 49.0), (60.0, 45.0)]
    hole = [(61.0, 46.0), (63.0, 46.0), (63.0, 48.0), (61.0, 48.0), (61.0, 46.0)]  # same winding
    geometry = {"city": [hole], "region": [outer, hole]}
    rings, _ = geo.projected_rings(400, geometry)
    areas = [geo.signed_area(np.asarray(r)) for r in rings["region"]]
    assert areas[0] * areas[1] < 0  # the hole is wound the other way: non-zero filling skips it
    x, y = geo.label_points(400, geometry)["region"]
    projected = [np.asarray(r) for r in rings["region"]]
    assert geo._filled(x, y, projected) and not geo._inside(x, y, projected[1])
    assert geo.label_points(400, geometry)["city"] == pytest.approx(
        tuple(np.asarray(rings["city"][0])[:-1].mean(axis=0)), abs=0.2)
    a = turaqty.assess()
    assert 'fill-rule="evenodd"' in turaqty.report_html(a, robustness=None)
    # the figure: the region drawn first, its hole open, the city over it, in both formats
    from PIL import Image

    from turaqty.report.canvas import Area, Canvas
    from turaqty.report.figures import _map_figure

    canvas = Canvas(400, 400)
    canvas.area(rings["region"], "#00ff00", stroke="#000000")
    canvas.area(rings["city"], "#ff0000")
    png = Image.open(io.BytesIO(canvas.png(scale=1))).convert("RGB")
    centre = np.asarray(rings["city"][0])[:-1].mean(axis=0)
    assert png.getpixel(tuple(int(v) for v in centre)) == (255, 0, 0)
    assert png.getpixel((int(x), int(y))) == (0, 255, 0)  # the region's label point
    assert canvas.svg().decode().count('fill-rule="evenodd"') == 2
    drawn = [max(abs(geo.signed_area(r)) for r in s.rings)
             for s in _map_figure(a).shapes if isinstance(s, Area)]
    assert drawn == sorted(drawn, reverse=True) and len(drawn) == 20  # enclosing units first


def test_ranking_columns_put_a_deep_trees_index_first(frameworks):
    """Pillars then the root for two-level trees (the dissertation, the template); the index,
    its sub-indices, then the pillars for ASEM; the page's header in that order."""
    for name, a in _assessments(frameworks, ("template", "asem")):
        fw = a.framework
        columns = ranking_columns(fw)
        assert sorted(columns) == sorted(fw.index_columns)
        if name == "template":
            assert columns == fw.index_columns and columns[-1] == fw.root
        else:
            assert columns[0] == fw.root and [fw.height[c] for c in columns] == sorted(
                (fw.height[c] for c in columns), reverse=True)
            page = report_files(a, robustness_runs=0)["report.html"].decode()
            head = page.split('id="ranking-table"', 1)[1].split("</thead>", 1)[0]
            labels = [html.unescape(x) for x in re.findall(r"<th[^>]*>([^<]*)</th>", head)]
            assert labels[2:2 + len(columns)] == [fw.pillar_name(c) for c in columns]
            from docx import Document

            from turaqty.report.word import report_docx

            table = Document(io.BytesIO(report_docx(a))).tables[0]  # the ranking, in Word too
            assert [c.text for c in table.rows[0].cells][2:2 + len(columns)] == labels[2:2 + len(columns)]


def _texts_stay_on(canvas) -> None:
    """Every text of a figure lies within its canvas (measured in the font it is drawn with)."""
    from turaqty.report.canvas import text_width

    for x in canvas.texts():
        w = text_width(x.text, x.size)
        start = {"start": x.x, "middle": x.x - w / 2, "end": x.x - w}[x.anchor]
        assert -0.5 <= start and start + w <= canvas.width + 0.5, (x.key, x.text)


def test_names_with_line_breaks_and_long_titles_stay_on_the_figures(tmp_path):
    """A unit name typed with Alt+Enter in Excel (a line break) and a long framework name:
    `turaqty report` draws both figures (it crashed on the break), each name on one line,
    every text inside the figure, the SVG still XML."""
    import xml.etree.ElementTree as ET

    from turaqty.report.figures import _indices_figure, _map_figure, rank_interval_figure

    folder = mean4_folder(tmp_path / "fw", geometry=True)
    units = (folder / "units.csv").read_text(encoding="utf-8")
    long = "Town with a name\nlong enough to run past the left margin of the chart\tif not measured"
    (folder / "units.csv").write_text(units.replace("Town 01", long), encoding="utf-8")
    title = "A framework whose name is long enough to need more than one line in the title " * 2
    (folder / "framework.json").write_text(json.dumps({"id": "mean4", "name": {"en": title}}))
    done = run("report", folder / "data.csv", "--framework", folder, "--out", tmp_path / "out",
               "--robustness-runs", "20")
    assert done.returncode == 0, done.stderr
    for name in ("indices", "map"):
        root = ET.parse(tmp_path / "out" / "figures" / f"{name}.svg").getroot()
        texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
        assert not any("\n" in x or "\t" in x for x in texts)
    a = turaqty.assess(str(folder / "data.csv"), framework=read_framework(folder),
                       profile=Method(profile="generic"))
    drawn = [x.text for x in _indices_figure(a).texts("unit") if x.text.startswith("Town with a name long")]
    assert len(drawn) == 1 and drawn[0].endswith("…")  # one line, cut short: the plot keeps its room
    robust = turaqty.run_robustness(a, runs=20, sobol=0)
    for chart in (_indices_figure(a), _map_figure(a), rank_interval_figure(robust, "en")):
        _texts_stay_on(chart)
        assert len(chart.texts("title")) >= 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_dissertations_figures_keep_their_texts_on_the_canvas(lang):
    from turaqty.report.figures import _indices_figure, _map_figure

    a = turaqty.assess(lang=lang)
    for chart in (_indices_figure(a), _map_figure(a)):
        _texts_stay_on(chart)
    levels = _indices_figure(a).texts("level")
    assert len(levels) == 2


REGION_WORDS = r"(?i)region|аймақ|өңір|регион"  # Kazakhstan's regions, in en, kk (two words), ru
PILLAR_WORDS = r"(?i)pillar|құрамдас|составляющ"  # the dissertation's pillars


def _found(pattern: str, text: str) -> list[str]:
    return [text[max(0, m.start() - 60):m.end() + 40] for m in re.finditer(pattern, text)]


def _without(text: str, names) -> str:
    """``text`` without the data's own ``names`` (ASEM's "Regional trade agreements" …)."""
    for name in names:
        text = text.replace(name, "")
    return text


def _generic_assessments(frameworks, lang: str):
    """The template (three districts) and COINr's ASEM (countries), assessed in ``lang``."""
    data, framework, _ = frameworks["template"]
    yield "template", turaqty.assess(str(data), framework=read_framework(framework),
                                     profile=Method(profile="generic"), lang=lang)
    if (ASEM / "ASEM_iMeta.csv").is_file():
        yield "asem", turaqty.assess(str(ASEM / "ASEM_iData.csv"),
                                     framework=read_framework(ASEM / "ASEM_iMeta.csv"),
                                     profile=turaqty.read_method(ASEM_METHOD), lang=lang)


def _robustness_and_audit_texts(a) -> dict[str, str]:
    """What a reader sees of the robustness (sentence, report section) and the audit
    (flags, Markdown and HTML documents) of ``a``."""
    from turaqty.analysis.audit import run_audit
    from turaqty.report.audit import audit_document
    from turaqty.report.robustness_section import report_robustness, robustness_section

    r = report_robustness(a, runs=60, sobol=8)
    audit = run_audit(a)
    doc = audit_document(audit, a.lang, a)
    return {"sentence": r.sentence(a.lang), "section": visible_text("<body>" + robustness_section(r)),
            "flags": "\n".join(f["message"] for f in audit["flags"]), "audit.md": doc.to_markdown(),
            "audit.html": visible_text(doc.to_html())}


def robustness_section_html(a) -> str:
    from turaqty.report.robustness_section import report_robustness, robustness_section

    return robustness_section(report_robustness(a, runs=20, sobol=0))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_user_frameworks_are_not_told_of_regions_or_pillars(frameworks, lang):
    """The template's districts and ASEM's countries are units, their nodes not "pillars": the
    robustness section and sentence and the audit say so in every language (the units' and
    indicators' own names aside: ASEM has "Regional trade agreements"); the dissertation's
    assessment keeps its regions and pillars."""
    for name, a in _generic_assessments(frameworks, lang):
        own = [*a.indices["name"], *(i.name(lang) for i in a.framework.indicators)]
        for part, text in _robustness_and_audit_texts(a).items():
            text = _without(text, own)
            assert not _found(REGION_WORDS, text), (name, part, _found(REGION_WORDS, text))
            assert not _found(PILLAR_WORDS, text), (name, part, _found(PILLAR_WORDS, text))
        if name == "template":  # three districts: the audit's flag counts them as units
            flags = _robustness_and_audit_texts(a)["flags"]
            assert t("unit.audit.small_sample", lang, figure=3, n=10) in flags
    home = turaqty.assess(lang=lang)
    texts = _robustness_and_audit_texts(home)
    assert _found(REGION_WORDS, texts["sentence"]) and _found(REGION_WORDS, texts["section"])
    assert _found(REGION_WORDS, texts["audit.md"]) and _found(PILLAR_WORDS, texts["audit.md"])
    assert f">{html.escape(t('col.name', lang))}</th>" in robustness_section_html(home)


@pytest.mark.parametrize("name", ["template", "asem"])
def test_consoles_of_user_frameworks_say_units(frameworks, tmp_path, name):
    """``brief``, ``audit`` and ``robustness`` on the template and on ASEM print no word of
    regions (in kk, ru, en); on Kazakhstan's regions the brief's line still counts regions."""
    data, framework, extra = asem_or_skip() if name == "asem" else frameworks[name]
    fw = read_framework(framework)
    units = pd.read_csv(data if name == "template" else ASEM / "ASEM_iData.csv")
    own = [str(x) for column in units.columns[:3] for x in units[column]]  # ids and names
    own += [i.name(lang) for i in fw.indicators for lang in LANGUAGES]
    for lang in LANGUAGES:
        common = [data, "--framework", framework, *extra, "--lang", lang]
        for command, options in (("brief", ["all"]), ("audit", []),
                                 ("robustness", ["--runs", "60", "--sobol", "0"])):
            out = tmp_path / f"{command}-{lang}"
            done = run(command, *options, *common, "--out", out)
            assert done.returncode == 0, done.stderr
            text = _without(done.stdout, own)
            assert not _found(REGION_WORDS, text), (command, lang, _found(REGION_WORDS, text))
            if command == "brief":
                n, files = len(list(out.glob("brief-*.html"))), len(_written(out))
                assert t("unit.cli.brief_written", lang, n=n, out=str(out), files=files) in done.stdout
    home = run("brief", "astana", "--out", tmp_path / "home", "--lang", "ru")
    assert home.returncode == 0 and "Справки по регионам (1)" in home.stdout

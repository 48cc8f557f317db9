"""The report on paper and on a phone, the PDF and Word outputs, the one-page brief, and the
figures (issue 12, items 2-5). Layout is checked in the system's headless Chromium, as a
reader sees it; PDFs are read back with pypdf, Word documents with python-docx. Screenshots
(phone, print preview, brief) are saved in test-artifacts/ for a person to look at."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import turaqty
from tests.test_report import ARTIFACTS, CHROMIUM, _write_report
from turaqty.errors import UsageError
from turaqty.i18n import LANGUAGES, t
from turaqty.report.brief import brief_pages, regions_asked
from turaqty.report.facts import index_changes
from turaqty.report.robustness_section import interval_rows, report_robustness, top_factors

A4_PRINTABLE = (718, 1039)  # CSS px inside the report's @page margins (A4, 10 mm / 12 mm)
PHONE = {"width": 390, "height": 844}


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "turaqty", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def _needs_chromium():
    if CHROMIUM is None:
        pytest.skip("Chromium not installed (Debian package 'chromium'); .ci/run installs it")


def _pdf_text(path: Path) -> tuple[int, str]:
    pypdf = pytest.importorskip("pypdf", reason="pypdf not installed (test extras)")
    reader = pypdf.PdfReader(str(path))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


# --- print and PDF -------------------------------------------------------------------------

def test_report_pdf_has_every_heatmap_column(tmp_path):
    """`report --pdf`: the PDF exists and each pillar's heatmap table prints all its codes
    on one line, in order, after the pillar's name: no column is cut."""
    _needs_chromium()
    proc = _cli("report", "--pdf", "--out", str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr
    pages, text = _pdf_text(tmp_path / "r" / "report.pdf")
    assert pages > 20  # sections and profiles each begin a page
    a = turaqty.assess()
    fw = a.framework
    lines = text.splitlines()
    for pillar in fw.pillars:
        codes = [c for c in a.dataset.indicators if fw.pillar_of[c] == pillar]
        name = fw.pillar_name(pillar, "en")
        rows = [lines[k + 1].split() for k, line in enumerate(lines[:-1]) if line.strip() == name]
        assert codes in rows, (pillar, rows)
    manifest = (tmp_path / "r" / "manifest.json").read_text(encoding="utf-8")
    assert '"report.pdf"' in manifest


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_without_chromium_is_a_clear_error_and_writes_nothing(tmp_path, lang):
    for command in (["report"], ["brief", "abai"]):
        out = tmp_path / "-".join(command)
        proc = _cli(*command, "--pdf", "--lang", lang, "--out", str(out), env={"PATH": str(tmp_path)})
        assert proc.returncode == 2
        assert "Chromium" in proc.stderr and "apt-get install chromium" in proc.stderr
        assert proc.stderr.startswith(t("error", lang))
        assert not out.exists()


def test_print_layout(browser, tmp_path):
    """Paper: no navigation, layer switches, tooltip or sort arrows; the heatmap printed as one
    table per pillar, each within the page's width; sections and profiles begin a page; the
    map is as wide as the page."""
    path = _write_report(tmp_path, "ru")
    page = browser.new_page(viewport={"width": A4_PRINTABLE[0], "height": 900})
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    for hidden in ("nav", "fieldset", "#tooltip", "#risk-heatmap"):
        assert not page.locator(hidden).first.is_visible(), hidden
    arrow = page.evaluate("getComputedStyle(document.querySelector('th[data-sort]'), '::after').content")
    assert arrow in ("none", "normal")
    tables = page.locator(".heat-print table")
    assert tables.count() == 3
    for k in range(3):
        box = tables.nth(k).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= A4_PRINTABLE[0], box
    assert page.locator(".heat-print td.risk-cell").count() == 20 * 52
    assert not page.locator("#weights").is_visible()  # the weight sliders are for the screen
    printed = page.evaluate("document.querySelector('main').innerText")  # no screen-only hints
    assert "Нажмите на заголовок" not in printed and "Наведите курсор" not in printed
    assert "ниже 4 — низкий, от 7 — высокий" in printed  # the framework's level bands
    breaks = page.evaluate("""() => [...document.querySelectorAll('main > section, .profile')]
        .filter(e => getComputedStyle(e).display !== 'none')
        .map(e => [e.id || e.className, getComputedStyle(e).breakBefore])""")
    assert breaks[0] == ["summary", "auto"]
    assert all(b == "page" for _, b in breaks[1:]) and len(breaks) == 6 + 20  # robustness: issue 11
    _robustness_fits(page, A4_PRINTABLE[0])
    map_box, main_box = page.locator("#map").bounding_box(), page.locator("main").bounding_box()
    assert abs(map_box["width"] - main_box["width"]) < 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#risk").screenshot(path=str(ARTIFACTS / "report-ru-print-risk.png"))
    page.locator("#robustness").screenshot(path=str(ARTIFACTS / "report-ru-print-robustness.png"))
    page.close()


def _robustness_fits(page, width: float) -> list:
    """The section on the robustness of the places within ``width``: its tables, no cell's
    text cut, and a bar per region inside its scale, as wide as the table on a phone."""
    for table in ("#robustness-table", "#sobol-table"):
        box = page.locator(table).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (table, box)
    cut = page.eval_on_selector_all("#robustness-table th, #robustness-table td",
                                    "els => els.filter(e => e.scrollWidth > e.clientWidth + 1)"
                                    ".map(e => e.textContent)")
    assert cut == []
    bars = page.eval_on_selector_all("#robustness-table .rank-bar", """els => els.map(e => {
        const b = e.getBoundingClientRect(), s = e.parentElement.getBoundingClientRect();
        return [b.width, b.left - s.left, s.right - b.right, s.width]; })""")
    assert len(bars) == 20 and all(w > 0 and left >= -0.5 and right >= -0.5 for w, left, right, _ in bars)
    return bars


# --- phone ---------------------------------------------------------------------------------

OVERFLOWING = """() => {
  const W = document.documentElement.clientWidth, bad = [];
  for (const el of document.querySelectorAll('body *')) {
    let p = el.parentElement, inBox = false;  // inside a box that scrolls or clips: fine
    while (p && p !== document.body) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) { inBox = true; break; }
      p = p.parentElement;
    }
    const r = el.getBoundingClientRect();
    if (!inBox && r.width > 0 && (r.right > W + 0.5 || r.left < -0.5))
      bad.push(el.tagName + '#' + el.id + '.' + el.className);
  }
  return bad;
}"""


@pytest.fixture()
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
    yield context
    context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_phone_layout(phone, tmp_path, lang):
    page = phone.new_page()
    page.goto(_write_report(tmp_path, lang).as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(OVERFLOWING) == []
    # the ranking scrolls inside its box; the region column stays in view
    box = page.locator("#ranking-table").locator("xpath=..")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    box.evaluate("b => { b.scrollLeft = 250; }")
    left = box.evaluate("b => b.getBoundingClientRect().left")
    cell = page.locator("#ranking-table tbody td.region").first
    assert abs(cell.bounding_box()["x"] - left) < 1.5
    heat = page.locator("#risk-heatmap").locator("xpath=..")
    heat.evaluate("b => { b.scrollLeft = 600; }")
    region = page.locator("#risk-heatmap tbody th.region").first
    assert abs(region.bounding_box()["x"] - heat.evaluate("b => b.getBoundingClientRect().left")) < 1.5
    # profile cards: one per row
    xs = page.eval_on_selector_all(".profile",
                                   "els => els.map(e => [e.getBoundingClientRect().left, "
                                   "e.getBoundingClientRect().width])")
    main = page.locator("main").evaluate("m => m.clientWidth - "
                                         "parseFloat(getComputedStyle(m).paddingLeft) * 2")
    assert len(xs) == 20 and len({round(x) for x, _ in xs}) == 1 and all(abs(w - main) < 2 for _, w in xs)
    # the robustness of the places: no sideways scrolling, each region's bar on a line of its own
    bars = _robustness_fits(page, PHONE["width"])
    table = page.locator("#robustness-table").bounding_box()
    assert all(scale > 0.85 * table["width"] for *_, scale in bars)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{lang}-phone.png"))
    page.close()


def _inside_screen(page) -> bool:
    box = page.locator("#tooltip").bounding_box()
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and \
        box["x"] + box["width"] <= PHONE["width"] and box["y"] + box["height"] <= PHONE["height"]


def test_phone_tooltips_open_and_close_on_tap_and_stay_on_screen(phone, tmp_path):
    page = phone.new_page()
    page.goto(_write_report(tmp_path, "kk").as_uri())
    tip = page.locator("#tooltip")
    east = page.locator('#map path.region[data-unit="east_kazakhstan"]')  # at the right edge
    east.scroll_into_view_if_needed()
    east.tap()
    assert tip.is_visible() and turaqty.load_regions().name("east_kazakhstan", "kk") in tip.inner_text()
    assert _inside_screen(page)
    east.tap()
    assert not tip.is_visible()
    cell = page.locator('#risk-heatmap td.risk-cell[data-unit="shymkent"][data-indicator="B3"]')  # bottom row
    cell.scroll_into_view_if_needed()
    cell.tap()
    assert tip.is_visible() and "B3" in tip.inner_text() and _inside_screen(page)
    page.locator("#risk h2").tap()  # a tap elsewhere closes it
    assert not tip.is_visible()
    page.close()


# --- one-page brief ------------------------------------------------------------------------

def test_brief_region_names():
    a = turaqty.assess()
    assert regions_asked(a, "Алматы қаласы") == ["almaty_city"]
    assert regions_asked(a, "Ақмола облысы") == ["akmola"]
    assert regions_asked(a, "Северо-Казахстанская область") == ["north_kazakhstan"]
    assert regions_asked(a, "shymkent") == ["shymkent"]
    assert regions_asked(a, "ALL") == list(a.dataset.units)
    with pytest.raises(UsageError) as err:
        regions_asked(a, "Алматы")
    assert err.value.problems[0].key == "ambiguous_region"
    assert "Алматинская область, город Алматы" in err.value.render("ru")
    with pytest.raises(UsageError) as err:
        regions_asked(a, "Караганда облыс")
    assert err.value.problems[0].key == "unknown_region" and "Karaganda Region" in err.value.render("en")
    with pytest.raises(UsageError) as err:
        regions_asked(a, "Казахстан")  # the national row is not a region with a brief
    assert err.value.problems[0].key == "brief_region_missing"


def test_brief_accepts_the_region_spellings_of_an_open_data_file():
    from tests.test_inputs import open_data_names

    a = turaqty.assess()
    regions = turaqty.load_regions()
    names = [n for n in open_data_names("doctors-by-region/data/arzte.csv")
             if regions.resolve(n) in a.dataset.units]
    assert len(names) >= 15
    assert all(regions_asked(a, n) == [regions.resolve(n)] for n in names)


def test_brief_region_missing_from_the_data(tmp_path, wide):
    path = tmp_path / "19.csv"
    wide.drop(index="ulytau").rename_axis("region").to_csv(path)
    proc = _cli("brief", "Ұлытау облысы", str(path), "--out", str(tmp_path / "b"))
    assert proc.returncode == 2 and "Ulytau Region" in proc.stderr and not (tmp_path / "b").exists()


def test_brief_shows_changes_since_a_previous_assessment(wide, tmp_path):
    """Abai's GRP per capita (B23) at the lowest regional value last year, everything else as
    now: the min and max of B23 are unchanged, so only Abai's B23 score moves, from exactly 1
    to today's score, and its economic index by that difference over the number of economic
    indicators in the index."""
    regions = [u for u in wide.index if u != "kz"]
    before = wide.copy()
    before.loc["abai", "B23"] = wide.loc[regions, "B23"].min()
    path = tmp_path / "before.csv"
    before.rename_axis("region").to_csv(path)
    now, then = turaqty.assess(lang="ru"), turaqty.assess(path, lang="ru")
    assert then.scores.set_index("unit_id").loc["abai", "B23"] == 1.0
    score_now = now.scores.set_index("unit_id").loc["abai", "B23"]
    n_economic = sum(1 for c, inc in zip(now.dataset.indicators, now.arrays.included, strict=True)
                     if inc and now.framework.pillar_of[c] == "economic")
    ch = index_changes(now, then)
    assert ch.loc[("abai", "economic"), "change"] == pytest.approx((score_now - 1.0) / n_economic)
    assert ch.loc[("abai", "integral"), "change"] == pytest.approx((score_now - 1.0) / n_economic)
    assert ch.loc[("abai", "social"), "change"] == 0
    assert (ch.drop(index="abai", level="unit_id")["change"] == 0).all()
    row = ch.loc[("abai", "economic")]
    assert row["rank_change"] == row["rank_before"] - row["rank"] and row["rank_before"] >= row["rank"]
    page = brief_pages(now, ["abai"], then)["brief-abai.html"]
    assert f"<th>{t('brief.change', 'ru')}</th>" in page and str(path) in page
    assert f'▲ {turaqty.i18n.format_number((score_now - 1.0) / n_economic, "ru", 2)}' in page
    proc = _cli("brief", "Абай облысы", "--previous", str(path), "--out", str(tmp_path / "b"))
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "b" / "brief-abai.html").read_text(encoding="utf-8")
    assert f"<th>{t('brief.change', 'en')}</th>" in page
    assert '"previous"' in (tmp_path / "b" / "manifest.json").read_text(encoding="utf-8")
    plain = brief_pages(now, ["abai"])["brief-abai.html"]
    assert f"<th>{t('brief.change', 'ru')}</th>" not in plain


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_brief_fits_one_printed_page(browser, lang):
    a = turaqty.assess(lang=lang)
    page = browser.new_page(viewport={"width": 718, "height": 200})
    page.emulate_media(media="print")
    r = report_robustness(a, sobol=0)  # the brief's line on the region's interval of places
    for name, html in brief_pages(a, list(a.dataset.units),
                                  turaqty.assess(profile="dissertation", lang=lang), r).items():
        assert 'id="rank-interval"' in html
        page.set_content(html)
        height = page.evaluate("document.body.getBoundingClientRect().bottom")
        assert height <= A4_PRINTABLE[1] - 40, (name, height)  # 40 px to spare
    page.close()


def test_brief_command_html_and_pdf(tmp_path):
    _needs_chromium()
    out = tmp_path / "b"
    proc = _cli("brief", "Түркістан облысы", "--pdf", "--lang", "kk", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["brief-turkistan.html",
                                                     "brief-turkistan.pdf", "manifest.json"]
    pages, text = _pdf_text(out / "brief-turkistan.pdf")
    assert pages == 1
    assert "Түркістан облысы" in text and t("report.high_risks", "kk") in text


def test_brief_all_on_a_phone(phone, tmp_path):
    proc = _cli("brief", "all", "--lang", "ru", "--out", str(tmp_path / "b"))
    assert proc.returncode == 0, proc.stderr
    files = sorted((tmp_path / "b").glob("brief-*.html"))
    assert len(files) == 20
    page = phone.new_page()
    for path in files[:3]:
        page.goto(path.as_uri())
        assert page.evaluate(OVERFLOWING) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "brief-ru-phone.png"), full_page=True)
    page.close()


# --- Word ----------------------------------------------------------------------------------

def test_report_docx_reads_back(tmp_path):
    docx = pytest.importorskip("docx", reason="python-docx not installed")
    proc = _cli("report", "--docx", "--lang", "ru", "--out", str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr
    doc = docx.Document(str(tmp_path / "r" / "report.docx"))
    a = turaqty.assess(lang="ru")
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for key in ("report.summary", "report.findings", "report.ranking", "report.matrix", "report.robustness",
                "robreport.factors_title", "report.docx_risk_summary", "report.profiles", "report.method"):
        assert t(key, "ru") in headings, key
    ranking, matrix, intervals, sobol, risks = doc.tables[:5]
    r = report_robustness(a)  # the command's default: 1,000 runs, seed 0
    assert [[c.text for c in row.cells] for row in intervals.rows[1:]] == [
        [str(x["nominal"]), x["name"], str(x["median"]), f'{x["p05"]}–{x["p95"]}'] for x in interval_rows(r)]
    assert [row.cells[1].text for row in sobol.rows[1:]] == [
        turaqty.i18n.format_number(f["total"], "ru") for f in top_factors(r, "ru")]
    assert r.sentence("ru") in [p.text for p in doc.paragraphs]
    assert [r.cells[1].text for r in ranking.rows[1:]] == a.ranking()["name"].tolist()
    assert ranking.rows[1].cells[5].text == turaqty.i18n.format_number(a.ranking()["integral"].iloc[0], "ru")
    assert len(matrix.rows) == 5 and matrix.rows[4].cells[0].text == a.framework.pillar_name("integral", "ru")
    summary = a.risk_summary.set_index("name")
    assert {r.cells[0].text: int(r.cells[1].text) for r in risks.rows[1:]} == summary["high_total"].to_dict()
    profiles = [h for h in headings if f"— {t('col.rank_integral', 'ru')}" in h]
    assert len(profiles) == 20
    text = "\n".join(p.text for p in doc.paragraphs)
    assert all(f in text for f in a.findings["text"])
    assert len(doc.inline_shapes) == 2  # the map and the index chart


def test_docx_is_reproducible():
    from turaqty.report.word import report_docx

    a = turaqty.assess(lang="kk")
    assert report_docx(a) == report_docx(a)


# --- figures and map labels ----------------------------------------------------------------

def test_figures_text_year_decimal_comma_and_labels():
    from turaqty.report.figures import figure_files

    a = turaqty.assess(lang="ru")
    files = figure_files(a)
    svg = files["figures/map.svg"].decode("utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    regions = a.regions
    for unit in a.dataset.units:
        name = regions.name(unit, "ru")
        label = name if regions.by_id[unit].type == "city" else name.replace("область", "").strip()
        assert label in texts, label
    assert any("2023" in x for x in texts)  # the year in the title
    ticks = [x for x in texts if re.fullmatch(r"\d+[.,]\d", x)]
    assert len(ticks) == 8 and all("," in x for x in ticks)
    indices = re.findall(r"<text[^>]*>([^<]*)</text>", files["figures/indices.svg"].decode())
    assert "2023" in "".join(indices)
    assert all("," in x or x.isdigit() for x in indices if re.fullmatch(r"[\d.,]+", x))
    for name in ("map", "indices"):  # both formats of both figures, the same size
        png = Image.open(io.BytesIO(files[f"figures/{name}.png"]))
        size = re.search(r'width="([\d.]+)" height="([\d.]+)"', files[f"figures/{name}.svg"].decode())
        assert png.size == tuple(round(1.5 * float(v)) for v in size.groups())
        assert png.info["dpi"] == pytest.approx((150, 150), rel=1e-3)  # stored per metre


def test_colour_bar_labels_do_not_overlap():
    """The colour bar's eight numbers, measured in the font they are drawn with, stay apart;
    they sit under the class limits they name."""
    from turaqty.report.canvas import text_width
    from turaqty.report.figures import _map_figure

    for lang in LANGUAGES:
        chart = _map_figure(turaqty.assess(lang=lang))
        ticks = chart.texts("tick")
        boxes = sorted((x.x - text_width(x.text, x.size) / 2, x.x + text_width(x.text, x.size) / 2)
                       for x in ticks)
        assert len(boxes) == 8
        assert all(left[1] + 2 < right[0] for left, right in zip(boxes, boxes[1:], strict=False)), lang
        bar = chart.scales["colour"]
        assert ticks[0].x == pytest.approx(bar.start) and ticks[-1].x == pytest.approx(bar.end)


def test_map_labels_in_the_page(browser, tmp_path):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(_write_report(tmp_path, "en").as_uri())
    labels = page.locator("#map text.label")
    assert labels.count() == 20
    assert "Karaganda" in labels.all_text_contents() and "Almaty" in labels.all_text_contents()
    boxes = [labels.nth(k).bounding_box() for k in range(20)]
    overlaps = [(i, j) for i in range(20) for j in range(i + 1, 20)
                if not (boxes[i]["x"] + boxes[i]["width"] <= boxes[j]["x"]
                        or boxes[j]["x"] + boxes[j]["width"] <= boxes[i]["x"]
                        or boxes[i]["y"] + boxes[i]["height"] <= boxes[j]["y"]
                        or boxes[j]["y"] + boxes[j]["height"] <= boxes[i]["y"])]
    assert overlaps == []
    page.close()


# --- invariants ----------------------------------------------------------------------------

@settings(max_examples=15, deadline=None)
@given(unit=st.sampled_from(turaqty.load_embedded().units), code=st.sampled_from(["B3", "B23", "B29", "B44"]),
       factor=st.floats(0.2, 1.0))  # smaller: shares stay within 0–100 (impossible values are errors)
def test_index_changes_are_antisymmetric(unit, code, factor):
    """Comparing now with then is the opposite of comparing then with now: changes and rank
    changes change sign, and the values swap."""
    frame = turaqty.load_embedded().wide(national=True)
    then = frame.copy()
    then.loc[unit, code] = frame.loc[unit, code] * factor
    a, b = turaqty.assess(frame), turaqty.assess(then)
    ab, ba = index_changes(a, b), index_changes(b, a)
    assert np.allclose(ab["change"].astype(float), -ba["change"].astype(float), equal_nan=True)
    assert (ab["rank_change"] == -ba["rank_change"]).all()
    assert np.allclose(ab["value_before"].astype(float), ba["value"].astype(float), equal_nan=True)
    for col in a.framework.index_columns:  # without ties, ranks are a permutation: changes sum to 0
        ranks = ab.xs(col, level="index")[["rank", "rank_before"]]
        if ranks["rank"].is_unique and ranks["rank_before"].is_unique:
            assert ab.xs(col, level="index")["rank_change"].sum() == 0


@given(st.lists(st.sampled_from(["Алматы", "облысы", "область", "город", "Region", "North", "қаласы"]),
                min_size=1, max_size=4))
def test_map_label_drops_only_the_unit_words(words):
    """A label is the name without the words region/city, in order; never empty."""
    from turaqty.report.geo import _UNIT_WORDS, short_name

    name = " ".join(words)
    kept = [w for w in words if w.lower() not in _UNIT_WORDS]
    assert short_name(name) == (" ".join(kept) if kept else name)
    assert short_name(name, city=True) == name


def test_pdf_printing_failure_is_an_error_and_writes_nothing(tmp_path):
    proc = _cli("report", "--pdf", "--out", str(tmp_path / "r"), env={"TURAQTY_CHROMIUM": "false"})
    assert proc.returncode == 2 and "Chromium (" in proc.stderr and not (tmp_path / "r").exists()

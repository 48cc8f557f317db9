"""The HTML report, opened in a real headless Chromium (Debian's `chromium`) from file:// with
the network blocked. Screenshots of the summary, the map and one profile are saved in
test-artifacts/ for a person to look at."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import turaqty
from turaqty.i18n import t
from turaqty.report.outputs import report_files

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# the fixture ``browser`` (Chromium launched with these flags) is in conftest.py, for every test module


def _write_report(tmp_path: Path, lang: str, data=None) -> Path:
    files = report_files(turaqty.assess(data, lang=lang))
    out = tmp_path / lang
    for name, content in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(content)
    return out / "report.html"


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    events = {"errors": [], "requests": []}
    page.on("console", lambda m: events["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: events["errors"].append(str(e)))

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            events["requests"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, events


@pytest.mark.parametrize("lang", ["en", "kk", "ru"])
def test_report_in_chromium(browser, tmp_path, lang):
    path = _write_report(tmp_path, lang)
    assert path.stat().st_size <= 5 * 2**20
    page, events = _open(browser, path)
    assert events["errors"] == [] and events["requests"] == []
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("header h1").inner_text() == t("report.title", lang)
    assert page.locator("nav a").first.inner_text() == t("report.summary", lang)
    # the map draws the 20 regions, painted for the integral index; switching layers repaints
    regions = page.locator("#map path.region")
    assert regions.count() == 20
    fills = [regions.nth(k).get_attribute("fill") for k in range(20)]
    assert all(f and f.startswith("#") for f in fills)
    page.locator("input[name=map-layer][value=ecological]").check()
    assert [regions.nth(k).get_attribute("fill") for k in range(20)] != fills
    # hovering a region shows its name and value
    astana = page.locator('#map path.region[data-unit="akmola"]')
    astana.hover()
    tip = page.locator("#tooltip")
    assert tip.is_visible() and turaqty.load_regions().name("akmola", lang) in tip.inner_text()
    # one heatmap cell per region and indicator, coloured by class
    cells = page.locator("#risk-heatmap td.risk-cell")
    assert cells.count() == 20 * 52
    assert page.locator('#risk-heatmap td.risk-cell[data-risk="high"]').count() == int(
        (turaqty.assess().risk["risk"] == "high").sum())
    # the ranking sorts when a header is clicked: by name, then by the integral index
    page.locator("#ranking-table th").nth(1).click()
    names = page.eval_on_selector_all("#ranking-table tbody tr td:nth-child(2)",
                                      "els => els.map(e => e.textContent)")
    assert names == page.evaluate("n => n.slice().sort((a, b) => a.localeCompare(b))", names)
    page.locator("#ranking-table th").nth(5).click()
    page.locator("#ranking-table th").nth(5).click()  # second click: descending
    assert page.locator("#ranking-table tbody tr").first.get_attribute("data-unit") == "almaty_city"
    assert page.locator(".profile").count() == 20
    assert page.locator("#audit").count() == 1  # the audit's section (issue 4)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("input[name=map-layer][value=integral]").check()
    page.screenshot(path=str(ARTIFACTS / f"report-{lang}-summary.png"))
    page.locator("#map-section").screenshot(path=str(ARTIFACTS / f"report-{lang}-map.png"))
    page.locator(".profile").first.screenshot(path=str(ARTIFACTS / f"report-{lang}-profile.png"))
    page.close()


def test_data_is_escaped(browser, tmp_path):
    """A file name carrying markup appears as text, never as markup."""
    evil = tmp_path / '"><img src=x onerror=alert(1)><script>alert(2)<\\script>.csv'
    frame = turaqty.load_embedded().wide(national=True).rename_axis("region")
    frame.to_csv(evil)
    path = _write_report(tmp_path, "en", evil)
    text = path.read_text(encoding="utf-8")
    assert "<img src=x" not in text and "<script>alert" not in text
    page, events = _open(browser, path)
    dialogs = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    assert page.locator("img").count() == 0 and dialogs == [] and events["errors"] == []
    assert "onerror=alert(1)" in page.locator("header p").inner_text()
    page.close()


def test_report_command(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "turaqty", "report", "--lang", "kk", "--out",
                           str(tmp_path / "r")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    names = {str(p.relative_to(tmp_path / "r")) for p in (tmp_path / "r").rglob("*") if p.is_file()}
    assert names == {"report.html", "results.xlsx", "manifest.json", "figures/indices.png",
                     "figures/indices.svg", "figures/map.png", "figures/map.svg"}
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing fetched at view time
    # its speed is measured by benchmarks/bench_cold.py, not asserted on a shared machine

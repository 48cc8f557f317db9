"""The report people read: one self-contained, offline HTML page in kk, ru or en.

Sections: summary (findings in words, the sortable ranking, the matrix), the robustness
of the places when a run is given (:mod:`turaqty.report.robustness_section`), the map of the
regions (switchable between the integral index and each pillar, values on hover), the
risk heatmap (regions × indicators, red/yellow/green, hover: value, thresholds, national
value), a profile per region, and the method with every warning and the manifest. For
another framework, :mod:`turaqty.report.scope` decides which sections apply (no map without
boundaries, no risk heatmap without risk rules) and names its indices. Every
style and script is inlined; nothing is fetched when the page is viewed. Everything that
comes from data is escaped.

Example
-------
>>> from turaqty.engine.assessment import assess
>>> page = report_html(assess(lang="ru"))
>>> page.startswith("<!DOCTYPE html>"), 'lang="ru"' in page, "http" in page.split("<body")[1]
(True, True, False)
"""
from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd

from turaqty.core.classify import LEVELS
from turaqty.engine.assessment import Assessment
from turaqty.i18n import format_number, t, worded
from turaqty.report.facts import high_risks, mechanisms_by_region, strengths_weaknesses
from turaqty.report.layout import page_style
from turaqty.report.robustness_section import STYLE as ROBUSTNESS_STYLE
from turaqty.report.robustness_section import robustness_section
from turaqty.report.scope import (
    Scope,
    column_name,
    formulas_text,
    group_label,
    label_places,
    lead_text,
    method_table,
    profile_name,
    profiles_key,
    ranking_columns,
    report_scope,
    report_title,
    source_name,
    summary_findings,
)
from turaqty.report.weights_panel import weights_panel

E = html.escape
RISK_COLOURS = {"high": "#e8716b", "medium": "#f6d46b", "low": "#7fc98f", "none": "#e6e6e6"}
LEVEL_COLOURS = {"high": "#2e8b57", "medium": "#e0b13a", "low": "#d0544d", "": "#bbbbbb"}
REGION_CLASS = ' class="region"'  # the region column: kept in view when a table scrolls
PALETTE = ["#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#005a32"]

STYLE = """
:root{--ink:#1b1b1b;--muted:#5c5c5c;--line:#d8d8d8;--band:#f4f6f4}
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,
"Noto Sans",sans-serif;color:var(--ink);line-height:1.45;background:#fff}
header{background:#17483a;color:#fff;padding:1.2em 2em}header h1{margin:0;font-size:1.5em}
header p{margin:.3em 0 0;opacity:.85}nav{position:sticky;top:0;background:#fff;
border-bottom:1px solid var(--line);
padding:.5em 2em;z-index:5}nav a{margin-right:1.2em;color:#17483a;text-decoration:none;font-weight:600}
main{max-width:1200px;margin:0 auto;padding:0 2em 3em}section{margin-top:2.2em}
h2{font-size:1.3em;border-bottom:2px solid #17483a;padding-bottom:.2em}h3{font-size:1.05em;margin:.2em 0 .5em}
table{border-collapse:collapse;font-size:.88em}th,td{border:1px solid var(--line);padding:.25em .5em;
vertical-align:top}
th{background:var(--band);text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
th[data-sort]{cursor:pointer}th[data-sort]:after{content:" \\2195";color:var(--muted)}
.findings li{margin:.25em 0}.level{display:inline-block;padding:0 .45em;border-radius:.6em;color:#fff;
font-size:.85em}
.map-wrap{display:flex;gap:1.5em;flex-wrap:wrap;align-items:flex-start}#map{max-width:100%;height:auto}
#map path.region{stroke:#6b6b6b;stroke-width:.6}
#map path.region:hover{stroke:#000;stroke-width:2}.legend span{display:inline-block;width:2.2em;height:.9em;
margin-right:1px}
.heat{overflow-x:auto}.heat td.risk-cell{width:1.6em;height:1.4em;padding:0;border:1px solid #fff}
.heat th.code{font-size:.7em;writing-mode:vertical-rl;transform:rotate(180deg);padding:.3em .1em}
.heat th.pillar{text-align:left}.heat{max-height:85vh;overflow:auto}.heat thead{position:sticky;top:0;
z-index:2}
.heat tbody th{white-space:nowrap;font-weight:normal}.heat td.excluded{opacity:.35}
.legend table td{border:none;padding:0 .3em;font-size:.8em}.profiles{display:grid;
grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:1em}
.profile{border:1px solid var(--line);border-radius:.5em;padding:.8em 1em}.bar{height:.8em;background:#41ab5d;
display:inline-block}
.bar.ref{background:#9aa79e}.bar.best{background:#17483a}.small{font-size:.85em;color:var(--muted)}
pre{white-space:pre-wrap;background:var(--band);padding:.8em;font-size:.8em;max-height:30em;overflow:auto}
#tooltip{position:fixed;pointer-events:none;background:#fff;border:1px solid #888;padding:.3em .5em;
font-size:.85em;
display:none;z-index:10;max-width:24em;box-shadow:0 2px 6px rgba(0,0,0,.2)}
"""

SCRIPT = """
(function(){
  function cellValue(td){var v=td.getAttribute('data-value');return v===null?td.textContent:v;}
  document.querySelectorAll('table.sortable th[data-sort]').forEach(function(th,i){
    th.addEventListener('click',function(){
      var table=th.closest('table'),body=table.tBodies[0],rows=Array.from(body.rows);
      var idx=Array.prototype.indexOf.call(th.parentNode.children,th),asc=th.getAttribute('data-dir')!=='asc';
      rows.sort(function(a,b){var x=cellValue(a.cells[idx]),y=cellValue(b.cells[idx]);
        var nx=parseFloat(x),ny=parseFloat(y);var c=(isNaN(nx)||isNaN(ny))?x.localeCompare(y):nx-ny;
        return asc?c:-c;});
      rows.forEach(function(r){body.appendChild(r);});th.setAttribute('data-dir',asc?'asc':'desc');});
  });
  var tip=document.getElementById('tooltip'),pinned=null;
  function tipText(el){
    return el.getAttribute('data-tip-'+(el.getAttribute('data-layer')||''))||el.getAttribute('data-tip');}
  function show(x,y,text){tip.textContent=text;tip.style.display='block';
    var w=tip.offsetWidth,h=tip.offsetHeight,W=document.documentElement.clientWidth,H=window.innerHeight;
    var left=x+14;if(left+w>W-8){left=x-14-w;}left=Math.max(8,Math.min(left,W-8-w));
    var top=y+14;if(top+h>H-8){top=y-14-h;}top=Math.max(8,Math.min(top,H-8-h));
    tip.style.left=left+'px';tip.style.top=top+'px';}
  function hide(){tip.style.display='none';pinned=null;}
  document.querySelectorAll('[data-tip]').forEach(function(el){
    el.addEventListener('pointermove',function(e){if(e.pointerType==='mouse'&&(!pinned||pinned===el)){show(e.clientX,e.clientY,tipText(el));}});
    el.addEventListener('pointerleave',function(e){if(e.pointerType==='mouse'&&!pinned){tip.style.display='none';}});
    el.addEventListener('click',function(e){e.stopPropagation();
      // a tap (or click) opens the tip; a second one closes it
      if(pinned===el){hide();}else{pinned=el;show(e.clientX,e.clientY,tipText(el));}});
  });
  document.addEventListener('click',function(){if(pinned){hide();}});
  window.addEventListener('scroll',function(){if(pinned){hide();}},{passive:true});
  var mapData=document.getElementById('map-data');
  if(!mapData){return;}  // no boundaries for these units: no map
  var layers=JSON.parse(mapData.textContent);
  function paint(layer){
    document.querySelectorAll('#map path.region').forEach(function(p){
      var d=layers[layer][p.getAttribute('data-unit')];p.setAttribute('fill',d?d.colour:'#ccc');
      p.setAttribute('data-layer',layer);p.setAttribute('data-tip-'+layer,d?d.tip:'');});
    document.querySelectorAll('.legend').forEach(function(l){l.style.display=l.getAttribute('data-layer')===layer?'block':'none';});
  }
  document.querySelectorAll('input[name=map-layer]').forEach(function(r){r.addEventListener('change',function(){paint(r.value);});});
  paint(document.querySelector('input[name=map-layer]:checked').value);
})();
"""


def _num(x, lang: str, decimals: int = 2) -> str:
    return format_number(float(x), lang, decimals) if x is not None and not pd.isna(x) else "–"


def _value(x: float, lang: str) -> str:
    """An indicator value with sensible precision."""
    if x is None or pd.isna(x):
        return "–"
    x = float(x)
    decimals = 0 if abs(x) >= 1000 else 1 if abs(x) >= 100 else 2 if abs(x) >= 1 else 3
    return format_number(x, lang, decimals)


def _level(level: str, lang: str) -> str:
    if not level:
        return ""
    return (f'<span class="level" style="background:{LEVEL_COLOURS[level]}">'
            f'{E(t(f"level.{level}", lang))}</span>')


def palette_colours(values: np.ndarray, lo: float | None = None, hi: float | None = None,
                    missing: str = "#ccc", palette: list[str] = PALETTE) -> list[str]:
    """The map colour of each value: ``palette``'s equal-width classes between ``lo`` and
    ``hi`` (the values' lowest and highest by default); ``missing`` for NaN.

    >>> palette_colours(np.array([1.0, 8.0, np.nan]))
    ['#e5f5e0', '#005a32', '#ccc']
    """
    ok = values[~np.isnan(values)]
    if lo is None or hi is None:
        lo, hi = (float(ok.min()), float(ok.max())) if ok.size else (0.0, 1.0)
    span = hi - lo or 1.0
    n = len(palette)
    return [palette[min(int((v - lo) / span * n), n - 1)] if not np.isnan(v) else missing for v in values]


def _level_bands(fw, lang: str) -> str:
    """The framework's level bands in words, one clause per distinct band and the nodes with it."""
    groups: dict[tuple[float, float], list[str]] = {}
    for node in fw.index_columns:
        bands = fw.levels(node)
        if bands is not None:
            groups.setdefault(bands, []).append(fw.pillar_name(node, lang))
    def bound(x: float) -> str:
        return _num(x, lang, 0 if x == int(x) else 2)

    return "; ".join(t("report.level_band", lang, name=", ".join(names), low=bound(low), high=bound(high))
                     for (low, high), names in groups.items())


def _summary(a: Assessment, scope: Scope) -> str:
    lang = a.lang
    fw = a.framework
    root = fw.root
    findings = "".join(f"<li>{E(text)}</li>" for text in summary_findings(a, scope))
    lead = lead_text(a, scope)
    levelled = fw.levels(root) is not None
    head = ([(t("col.rank_integral", lang), "num"), (column_name(a, "name"), "text")]
            + [(column_name(a, c), "num") for c in ranking_columns(fw)]
            + [(t("col.level_integral", lang), "text")] * levelled)
    ths = "".join(f'<th data-sort="{kind}"{REGION_CLASS if k == 1 else ""}>{E(label)}</th>'
                  for k, (label, kind) in enumerate(head))
    rows = []
    for r in a.ranking().to_dict("records"):
        rank = "" if pd.isna(r[f"rank_{root}"]) else int(r[f"rank_{root}"])
        cells = [f'<td class="num" data-value="{rank}">{rank}</td>',
                 f'<td class="region"><a href="#profile-{E(r["unit_id"])}">{E(r["name"])}</a></td>']
        for c in ranking_columns(fw):
            v = r[c]
            cells.append(f'<td class="num" data-value="{"" if pd.isna(v) else repr(float(v))}">'
                         f'{_num(v, lang)} '
                         f'{_level(r.get(f"level_{c}", ""), lang)}</td>')
        if levelled:
            cells.append(f'<td class="root-level">{_level(r.get(f"level_{root}", ""), lang)}</td>')
        rows.append(f"<tr data-unit=\"{E(r['unit_id'])}\">{''.join(cells)}</tr>")
    matrix = a.matrix
    mhead = "".join(f"<th>{E(t(f'level.{lv}', lang))}</th>" for lv in LEVELS)
    mrows = []
    for col in dict.fromkeys(matrix["pillar"]):  # the nodes with level bands
        cells = []
        for lv in LEVELS:
            names = matrix[(matrix["pillar"] == col) & (matrix["level"] == lv)]["names"].iloc[0]
            cells.append(f"<td>{E(names.replace('; ', ', ')) or '–'}</td>")
        mrows.append(f"<tr><th>{E(fw.pillar_name(col, lang))}</th>{''.join(cells)}</tr>")
    return f"""<section id="summary"><h2>{E(t("report.summary", lang))}</h2>
<p>{E(lead)}</p><h3>{E(t("report.findings", lang))}</h3><ul class="findings">{findings}</ul>
<h3 id="ranking">{E(t("report.ranking", lang))}</h3>
<div class="scroll"><table id="ranking-table" class="sortable"><thead><tr>{ths}</tr></thead>
<tbody>{''.join(rows)}</tbody></table></div>
<p class="small"><span class="screen-only">{E(t("report.sort_hint", lang))} </span>
{E(_level_bands(fw, lang))}</p>{_matrix_block(lang, mhead, mrows)}</section>"""


def _matrix_block(lang: str, head: str, rows: list[str]) -> str:
    """The sustainability matrix (nothing where no index has level bands)."""
    if not rows:
        return ""
    return f"""
<h3 id="matrix">{E(t("report.matrix", lang))}</h3>
<div class="scroll"><table id="matrix-table"><thead><tr><th></th>{head}</tr></thead>
<tbody>{''.join(rows)}</tbody></table></div>"""


def _map_tip(a: Assessment, row, col: str, value: float) -> str:
    lang = a.lang
    level = row.get(f"level_{col}", "")
    rank = row[f"rank_{col}"]
    params = {"region": row["name"], "value": _num(value, lang), "index": column_name(a, col),
              "rank": "–" if pd.isna(rank) else str(int(rank))}
    if not level:
        return t("report.map_tip_no_level", lang, **params)
    return t("report.map_tip", lang, level=t(f"level.{level}", lang), **params)


def _map_labels(a: Assessment, units, points: dict) -> str:
    """Region names on the map (``points``: each region's centre); a city (an enclave) as a
    dot with its name beside it, so that it does not cover the name of the region around it."""
    out = []
    for _, x, y, name, city in label_places(a, units, points):
        if city:
            out.append(f'<circle class="city" cx="{x}" cy="{y}" r="3"></circle>'
                       f'<text class="label" x="{x + 6}" y="{y}" style="text-anchor:start">{E(name)}</text>')
        else:
            out.append(f'<text class="label" x="{x}" y="{y}">{E(name)}</text>')
    return f'<g class="labels">{"".join(out)}</g>'


def _map(a: Assessment, scope: Scope) -> str:
    """The map section (nothing where the units have no boundaries)."""
    if scope.map is None:
        return ""
    lang = a.lang
    fw = a.framework
    paths, (width, height) = scope.map.svg_paths()
    ix = a.indices.set_index("unit_id")
    layers, legends = {}, []
    for col in fw.index_columns:
        values = ix[col].to_numpy(dtype=float)
        colours = palette_colours(values)
        layers[col] = {u: {"colour": c, "tip": _map_tip(a, ix.loc[u], col, v)}
                       for u, v, c in zip(ix.index, values, colours, strict=True)}
        ok = values[~np.isnan(values)]
        lo, hi = (ok.min(), ok.max()) if ok.size else (0.0, 0.0)
        step = (hi - lo) / len(PALETTE)
        rows_ = "".join(f'<tr><td><span style="background:{c};border:1px solid #6b6b6b"></span></td>'
                        f'<td>{_num(lo + k * step, lang)} – {_num(lo + (k + 1) * step, lang)}</td></tr>'
                        for k, c in enumerate(PALETTE))
        legends.append(f'<div class="legend" data-layer="{E(col)}"><b>{E(fw.pillar_name(col, lang))}</b>'
                       f'<table>{rows_}</table></div>')
    shapes = "".join(
        f'<path class="region" data-unit="{E(u)}" data-tip="{E(ix.loc[u, "name"])}" fill-rule="evenodd" '
        f'd="{d}"></path>'
        for u, d in paths.items() if u in ix.index)
    shapes += _map_labels(a, ix.index, scope.map.label_points(width))
    radios = "".join(
        f'<label><input type="radio" name="map-layer" value="{E(col)}"'
        f'{" checked" if col == fw.root else ""}> '
        f'{E(fw.pillar_name(col, lang))}</label><br>' for col in fw.index_columns)
    data = json.dumps(layers, ensure_ascii=False).replace("</", "<\\/")
    note = f'<p class="small">{E(t("report.map_fallback", lang))}</p>' if scope.map.schematic else ""
    undrawn = [ix.loc[u, "name"] for u in ix.index if u not in paths]
    if undrawn:  # units the boundaries file does not name: said, not silently left out
        note += f'<p class="small">{E(t("report.map_undrawn", lang, names=", ".join(undrawn)))}</p>'
    banded = any(fw.levels(c) is not None for c in fw.index_columns)  # levels in the ranking
    return f"""<section id="map-section"><h2>{E(t("report.map", lang))}</h2>
<p class="small">{E(t(worded("report.map_note", scope.home) if banded else "fwreport.map_note", lang))}</p>
<div class="map-wrap"><div class="map-box"><svg id="map" viewBox="0 0 {width} {height}" width="{width}"
 height="{height}" role="img" aria-label="{E(t("report.map", lang))}">{shapes}</svg></div>
<div><fieldset><legend>{E(t("report.layer", lang))}</legend>{radios}</fieldset>
{''.join(legends)}</div></div>{note}
<script type="application/json" id="map-data">{data}</script></section>"""


def _heatmap(a: Assessment, scope: Scope) -> str:
    """The risk heatmap (nothing where the framework has no risk rules)."""
    if not scope.risk:
        return ""
    lang = a.lang
    fw = a.framework
    ds = a.dataset
    codes = list(ds.indicators)
    groups = [(p, [c for c in codes if fw.pillar_of[c] == p]) for p in fw.pillars]
    groups = [(p, cs) for p, cs in groups if cs]
    pillar_row = "".join(f'<th class="pillar" colspan="{len(cs)}">{E(fw.pillar_name(p, lang))}</th>'
                         for p, cs in groups)
    code_row = "".join(f'<th class="code" title="{E(fw.by_code[c].name(lang))}">{E(c)}</th>'
                       for _, cs in groups for c in cs)
    order = [codes.index(c) for _, cs in groups for c in cs]
    national = ds.national
    rules = a.risk.drop_duplicates("indicator").set_index("indicator")["rule"]
    included = dict(zip(codes, a.arrays.included, strict=True))
    names = [a.indices.loc[i, "name"] for i in range(len(ds.units))]

    def cell(i: int, j: int, tip: bool) -> str:
        code, risk = codes[j], a.risk_classes[i, j]
        extra = "" if included[code] else " excluded"
        attrs = ""
        if tip:
            text = t("report.risk_tip" if scope.home else "fwreport.risk_tip", lang, region=names[i],
                     indicator=f"{code} {fw.by_code[code].name(lang)}",
                     value=_value(ds.values[i, j], lang), unit=fw.by_code[code].unit(lang),
                     risk=t(f"risk.{risk}", lang), rule=rules.get(code, "–"),
                     national=_value(national[j], lang) if national is not None else "–")
            if not included[code]:
                text += f" ({t('report.not_in_index', lang)})"
            attrs = f' data-unit="{E(ds.units[i])}" data-indicator="{E(code)}" data-tip="{E(text)}"'
        return (f'<td class="risk-cell{extra}"{attrs} data-risk="{risk}" '
                f'style="background:{RISK_COLOURS[risk]}"></td>')

    def region(i: int) -> str:
        return f'<th class="region"><a href="#profile-{E(ds.units[i])}">{E(names[i])}</a></th>'

    rows = "".join(f'<tr>{region(i)}{"".join(cell(i, j, True) for j in order)}</tr>'
                   for i in range(len(names)))
    printed = []  # for paper: one table per pillar, so that no column is cut
    for p, cs in groups:
        head = "".join(f'<th class="code">{E(c)}</th>' for c in cs)
        body = "".join(f'<tr>{region(i)}{"".join(cell(i, codes.index(c), False) for c in cs)}</tr>'
                       for i in range(len(names)))
        printed.append(f'<div class="heat-print" data-pillar="{E(p)}"><table><caption>'
                       f'{E(fw.pillar_name(p, lang))}'
                       f'</caption><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table></div>')
    legend = " ".join(f'<span class="level" style="background:{RISK_COLOURS[r]};color:#000">'
                      f'{E(t(f"risk.{r}", lang))}</span>' for r in ("high", "medium", "low", "none"))
    mode = t(f"risk.mode.{a.method.risk_thresholds}", lang)
    return f"""<section id="risk"><h2>{E(t("report.risk", lang))}</h2>
<p>{E(t("report.risk_text", lang, mode=mode))}
<span class="screen-only">{E(t("report.risk_hover_hint", lang))}</span></p><p>{legend}</p>
<div class="heat heat-screen scroll"><table id="risk-heatmap">
<thead><tr><th class="region"></th>{pillar_row}</tr>
<tr><th class="region"></th>{code_row}</tr></thead><tbody>{rows}</tbody></table></div>
{''.join(printed)}</section>"""


def scored_indicator(a: Assessment, code: str, score: float) -> str:
    """``B8 name (9,0)``: an indicator with its score, saying when lower values are better."""
    lower = f", {t('report.lower_better', a.lang)}" if a.manifest["directions"][code] == "-" else ""
    return f"{code} {a.framework.by_code[code].name(a.lang)} ({_num(score, a.lang, 1)}{lower})"


def _profiles(a: Assessment, scenarios: dict | None, scope: Scope) -> str:
    lang = a.lang
    fw = a.framework
    root = fw.root
    ix = a.indices.set_index("unit_id")
    types = a.region_types.set_index("unit_id") if scope.home else None
    macro = {m.id: m.name(lang) for m in a.regions.macro_regions}
    high = high_risks(a) if scope.risk else {}
    mechanisms = mechanisms_by_region(a) if scope.mechanisms else {}
    means = {c: ix[c].mean() for c in fw.index_columns}
    bests = {c: ix[c].max() for c in fw.index_columns}
    blocks = []
    for unit in ix.index:
        row = ix.loc[unit]
        bars = []
        for c in fw.index_columns:
            top = max(bests[c], 1e-9)
            bars.append(
                f"<tr><th>{E(fw.pillar_name(c, lang))}</th><td class=\"num\">{_num(row[c], lang)}</td>"
                f"<td>{_level(row.get(f'level_{c}', ''), lang)}</td><td style=\"width:12em\">"
                f'<span class="bar" style="width:{0 if pd.isna(row[c]) else 10 * row[c] / top:.2f}em"></span>'
                '<br>'
                f'<span class="bar ref" style="width:{10 * means[c] / top:.2f}em"></span><br>'
                f'<span class="bar best" style="width:{10 * bests[c] / top:.2f}em"></span></td>'
                f'<td class="num small">{_num(row[c], lang)}<br>{E(t("report.mean", lang))} '
                f'{_num(means[c], lang)}'
                f'<br>{E(t("report.best", lang))} {_num(bests[c], lang)}</td></tr>')
        best, worst = strengths_weaknesses(a, unit)
        strong = ", ".join(scored_indicator(a, c, v) for c, v in best)
        weak = ", ".join(scored_indicator(a, c, v) for c, v in worst)
        region = a.regions.by_id[unit]
        group = macro.get(region.macro_region, "–")
        scen = ""
        if scenarios and unit in scenarios:
            items = "".join(f"<li>{E(label)}: {_num(before, lang)} → {_num(after, lang)}</li>"
                            for label, before, after in scenarios[unit])
            scen = f"<h3>{E(t('report.scenarios', lang, macro=group))}</h3><ul>{items}</ul>"
        rank = "" if pd.isna(row[f"rank_{root}"]) else int(row[f"rank_{root}"])
        if types is not None:
            about = (f'<p class="small">{E(t("col.macro_region", lang))}: {E(group)}. '
                     f'{E(t("col.type_name", lang))}: {E(types.loc[unit, "type_name"])}.</p>')
        else:
            about = f'<p class="small">{E(label)}.</p>' if (label := group_label(a, unit)) else ""
        risk_lines = _risk_lines(a, unit, high, mechanisms, scope)
        blocks.append(f"""<div class="profile" id="profile-{E(unit)}" data-unit="{E(unit)}">
<h3>{E(row['name'])} — {E(t("col.rank_integral", lang))} {rank}</h3>{about}
<div class="scroll"><table><tbody>{''.join(bars)}</tbody></table></div>
<p class="small">{E(t("report.bars" if scope.home and scope.stacked else "fwreport.bars", lang))}</p>
<p><b>{E(t("report.strongest", lang))}:</b> {E(strong)}</p>
<p><b>{E(t("report.weakest", lang))}:</b> {E(weak)}</p>{risk_lines}{scen}</div>""")
    return f"""<section id="profiles"><h2>{E(t(profiles_key(scope), lang))}</h2>
<div class="profiles">{''.join(blocks)}</div></section>"""


def _risk_lines(a: Assessment, unit: str, high: dict, mechanisms: dict, scope: Scope) -> str:
    """A profile's high risks and the mechanisms that answer them, where they apply."""
    if not scope.risk:
        return ""
    lang, fw = a.lang, a.framework
    risks = ", ".join(f"{c} {fw.by_code[c].name(lang)}" for c in high.get(unit, [])) or "–"
    text = f"\n<p><b>{E(t('report.high_risks', lang))} ({len(high.get(unit, []))}):</b> {E(risks)}</p>"
    if scope.mechanisms:
        items = "".join(f"<li>{E(m)} <span class=\"small\">({E(answers)})</span></li>"
                        for m, answers in mechanisms.get(unit, []))
        text += f"\n<h3>{E(t('report.mechanisms', lang))}</h3><ul>{items or '<li>–</li>'}</ul>"
    return text


def _method(a: Assessment, scope: Scope) -> str:
    lang = a.lang
    method = "".join(f"<tr><th>{E(k)}</th><td>{E(str(v))}</td></tr>" for k, v in method_table(a, scope))
    warnings = "".join(f"<li>{E(m)}</li>" for m in a.warnings["message"]) or "<li>–</li>"
    manifest = E(json.dumps(a.manifest, ensure_ascii=False, indent=1, default=str))
    from turaqty.analysis.audit import run_audit

    flags = run_audit(a)["flags"]
    audit_items = "".join(f"<li>{E(f['message'])}</li>" for f in flags) or "<li>–</li>"
    return f"""<section id="method"><h2>{E(t("report.method", lang))}</h2>
<p>{E(formulas_text(a, scope))}</p>
<div class="scroll"><table><tbody>{method}</tbody></table></div>
<h3 id="quality">{E(t("report.quality", lang))}</h3><ul>{warnings}</ul>
<h3 id="audit">{E(t("audit.title", lang))}</h3>
<p>{E(t(worded("audit.flags_text", scope.home), lang, n=len(flags)))}</p>
<details><summary>{E(t("report.show_audit", lang))}</summary><ul>{audit_items}</ul></details>
<h3>{E(t("report.manifest", lang))}</h3><details><summary>{E(t("report.show_manifest", lang))}</summary>
<pre>{manifest}</pre></details></section>"""


def scenario_brief(a: Assessment) -> dict[str, list[tuple[str, float, float]]]:
    """Per region: its macro-region's scenarios with the integral index before and after."""
    from turaqty.analysis.change_sets import run_change_sets
    from turaqty.analysis.scenarios import scenario_changes, scenario_ids, scenario_label

    out: dict[str, list] = {}
    base = a.indices.set_index("unit_id")[a.framework.root]
    ids = scenario_ids()
    runs = run_change_sets(a, {sid: scenario_changes(sid) for sid in ids})  # all in one pass
    for sid in ids:
        macro = sid.split(":")[0]
        after = runs[runs["set"] == sid].set_index("unit_id")[a.framework.root]
        for unit in base.index:
            if a.regions.by_id[unit].macro_region == macro:
                out.setdefault(unit, []).append((scenario_label(sid, a.lang).split(": ", 1)[-1],
                                                 base[unit], after[unit]))
    return out


def report_html(a: Assessment, scenarios: bool = True, robustness=None, scope: Scope | None = None) -> str:
    """The whole report as one HTML page (str); with ``robustness`` (a
    :class:`~turaqty.analysis.robustness.Robustness` of ``a``, e.g. from
    :func:`~turaqty.report.robustness_section.report_robustness`) a section on the
    robustness of the places follows the summary. ``scope``: :func:`report_scope` of ``a``
    when the caller has it."""
    lang = a.lang
    scope = scope or report_scope(a)
    brief = scenario_brief(a) if scenarios and scope.home else None
    nav = "".join(f'<a href="#{target}">{E(t(key, lang))}</a>' for target, key, shown in (
        ("summary", "report.summary", True), ("robustness", "report.robustness", robustness is not None),
        ("map-section", "report.map", scope.map is not None), ("risk", "report.risk", scope.risk),
        ("profiles", profiles_key(scope), True), ("method", "report.method", True)) if shown)
    sub = t("report.subtitle", lang, source=source_name(a.dataset, lang),
            profile=profile_name(a.method, lang), version=a.manifest["version"])
    body = "".join([_summary(a, scope), robustness_section(robustness) if robustness is not None else "",
                    _map(a, scope), weights_panel(a, scope.map is not None), _heatmap(a, scope),
                    _profiles(a, brief, scope), _method(a, scope)])
    title = E(report_title(a))
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{STYLE}{page_style()}{ROBUSTNESS_STYLE}</style></head>
<body><header><h1>{title}</h1><p>{E(sub)}</p></header><nav>{nav}</nav>
<main>{body}</main><div id="tooltip"></div><script>{SCRIPT}</script></body></html>"""

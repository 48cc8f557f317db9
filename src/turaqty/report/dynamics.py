"""The dynamics report of monitoring: one offline HTML page (``monitor.html``) in kk, ru or en.

Sections, alerts first: the alerts of the last year; the ranking of the last year with rank
movements and trend arrows; a line chart per region (each index over the years); a slope
chart of ranks (base year → last year); the map for a chosen year (year selector, index
selector); the method (goalposts, base year, monitored indicators, warnings). Every style
and script is inline, nothing is fetched, everything from data is escaped.

Example
-------
>>> from turaqty.analysis.monitor import monitor
>>> page = dynamics_html(monitor(lang="kk"))
>>> page.startswith("<!DOCTYPE html>"), 'lang="kk"' in page, "http" in page.split("<body")[1]
(True, True, False)
"""
from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd

from turaqty.analysis.monitor import Monitoring
from turaqty.i18n import t
from turaqty.report import geo
from turaqty.report.html import _num, palette_colours

E = html.escape
PALETTE = ["#d0544d", "#e98a5c", "#f3c26b", "#e9e58d", "#b5d98a", "#74c476", "#238b45"]
LINE_COLOURS = ["#17483a", "#d0544d", "#3b6fb6", "#e0b13a", "#7b4fa0", "#2aa1a1"]
ALERTS_SHOWN = 60

STYLE = """
*{box-sizing:border-box}body{margin:0;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
color:#1b1b1b;line-height:1.45}header{background:#17483a;color:#fff;padding:1.1em 2em}header h1{margin:0;
font-size:1.45em}
header p{margin:.3em 0 0;opacity:.85}nav{position:sticky;top:0;background:#fff;
border-bottom:1px solid #d8d8d8;padding:.5em 2em;z-index:5}
nav a{margin-right:1.2em;color:#17483a;text-decoration:none;font-weight:600}main{max-width:1200px;
margin:0 auto;padding:0 2em 3em}
section{margin-top:2em}h2{font-size:1.25em;border-bottom:2px solid #17483a;padding-bottom:.2em}
table{border-collapse:collapse;font-size:.88em}th,td{border:1px solid #d8d8d8;padding:.25em .5em;
vertical-align:top}
th{background:#f4f6f4;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.up{color:#238b45}.down{color:#c0392b}.flat{color:#777}.small{font-size:.85em;color:#5c5c5c}
.alerts li{margin:.2em 0}.alert-entered_high_risk{color:#b03a2e}.alert-level_drop{color:#a0522d}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:.8em}
.chart{border:1px solid #d8d8d8;border-radius:.4em;padding:.4em}.chart h3{font-size:.95em;margin:.1em 0}
.legend-line span{display:inline-block;width:1.4em;height:.25em;margin:0 .3em .2em .8em;vertical-align:middle}
#map path.region{stroke:#6b6b6b;stroke-width:.6}#map{max-width:100%;height:auto}
"""

SCRIPT = """
(function(){
  var source=document.getElementById('map-data');if(!source)return;  // no map: units without boundaries
  var data=JSON.parse(source.textContent);
  var year=document.getElementById('map-year'),layer=document.getElementById('map-layer');
  function paint(){
    var cells=(data[year.value]||{})[layer.value]||{};
    document.querySelectorAll('#map path.region').forEach(function(p){
      var d=cells[p.getAttribute('data-unit')];p.setAttribute('fill',d?d.colour:'#dddddd');
      var title=p.querySelector('title');title.textContent=d?d.tip:p.getAttribute('data-name');});
    document.getElementById('map-caption').textContent=
      year.value+' · '+layer.options[layer.selectedIndex].text;
  }
  year.addEventListener('change',paint);layer.addEventListener('change',paint);paint();
})();
"""


def _series_with_data(m: Monitoring) -> list[str]:
    """The index columns that have a value in some year (root last, as the framework)."""
    return [n for k, n in enumerate(m.framework.index_columns) if not np.isnan(m.aggregates[:, k, :]).all()]


def _headline(m: Monitoring) -> str:
    """The index of the ranking, the slope chart and the map: the root if it has values, else
    the index column with the most values."""
    have = _series_with_data(m)
    if m.framework.root in have or not have:
        return m.framework.root
    count = {n: int((~np.isnan(m.aggregates[:, m.framework.index_columns.index(n), :])).sum()) for n in have}
    return max(have, key=lambda n: count[n])


def _alerts(m: Monitoring) -> str:
    lang = m.lang
    alerts = m.alerts
    if alerts.empty:
        body = f"<p>{E(t('monitor.report.no_alerts', lang))}</p>"
    else:
        last = int(alerts["year"].max())
        latest = alerts[alerts["year"] == last]
        items = "".join(f'<li class="alert-{E(a)}">{E(msg)}</li>'
                        for a, msg in zip(latest["alert"].head(ALERTS_SHOWN),
                                          latest["message"].head(ALERTS_SHOWN), strict=True))
        more = len(latest) - min(len(latest), ALERTS_SHOWN)
        counts = alerts.groupby(["year", "alert"]).size().unstack(fill_value=0).sort_index(ascending=False)
        head = "".join(f"<th>{E(t(f'monitor.report.alert.{c}', lang))}</th>" for c in counts.columns)
        rows = "".join(f"<tr><td>{y}</td>" + "".join(f'<td class="num">{int(v)}</td>' for v in r) + "</tr>"
                       for y, r in counts.iterrows())
        body = (f"<h3>{E(t('monitor.report.alerts_of', lang, year=last))}</h3><ul class='alerts'>{items}</ul>"
                + (f"<p class='small'>{E(t('monitor.report.more_alerts', lang, n=more))}</p>" if more else "")
                + f"<table><thead><tr><th>{E(t('monitor.report.year', lang))}</th>{head}</tr></thead>"
                  f"<tbody>{rows}</tbody></table>")
    return f'<section id="alerts"><h2>{E(t("monitor.report.alerts", lang))}</h2>{body}</section>'


def _move(change) -> str:
    if change is None or pd.isna(change):
        return ""
    if change == 0:
        return '<span class="flat">=</span>'
    return (f'<span class="up">▲{int(change)}</span>' if change > 0
            else f'<span class="down">▼{-int(change)}</span>')


def _ranking(m: Monitoring) -> str:
    lang, fw = m.lang, m.framework
    columns = _series_with_data(m)
    head_col = _headline(m)
    tr = m.trends[m.trends["kind"] == "index"].set_index(["unit_id", "series"])
    last = max(m.years)
    rows = []
    ix = m.indices[m.indices["year"] == last].sort_values(f"rank_{head_col}", na_position="last")
    for _, r in ix.iterrows():
        cells = [f"<td>{E(str(r['name']))}</td>"]
        for col in columns:
            key = (r["unit_id"], col)
            trend = tr.loc[key] if key in tr.index else None
            arrow = "" if trend is None else str(trend["arrow"])
            klass = {"↑": "up", "↓": "down", "→": "flat"}.get(arrow, "")
            rank = r[f"rank_{col}"]
            cells.append(f'<td class="num">{_num(r[col], lang)} <span class="{klass}">{E(arrow)}</span></td>'
                         f'<td class="num">{"" if pd.isna(rank) else int(rank)} '
                         f'{_move(None if trend is None else trend["rank_change"])}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{E(fw.pillar_name(c, lang))}</th><th>{E(t('monitor.report.rank', lang))}</th>"
                   for c in columns)
    return (f'<section id="ranking"><h2>{E(t("monitor.report.ranking", lang, year=last))}</h2>'
            f'<p class="small">{E(t("monitor.report.ranking_note", lang))}</p>'
            f'<table><thead><tr><th>{E(t("col.name", lang))}</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def _line_chart(m: Monitoring, i: int, columns: list[str], lo: float, hi: float) -> str:
    width, height, pad = 270, 130, 26
    years = np.array(m.years)
    x = pad + (years - years[0]) / max(1, years[-1] - years[0]) * (width - pad - 6)
    span = (hi - lo) or 1.0

    def y(v):
        return height - 18 - (v - lo) / span * (height - 30)
    lines = []
    for n, col in enumerate(columns):
        values = m.aggregates[i, m.framework.index_columns.index(col), :]
        ok = ~np.isnan(values)
        if not ok.any():
            continue
        points = " ".join(f"{x[k]:.1f},{y(values[k]):.1f}" for k in np.flatnonzero(ok))
        colour = LINE_COLOURS[n % len(LINE_COLOURS)]
        lines.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{points}"/>'
                     + "".join(f'<circle cx="{x[k]:.1f}" cy="{y(values[k]):.1f}" r="1.8" fill="{colour}">'
                               f'<title>{E(m.framework.pillar_name(col, m.lang))} {years[k]}: '
                               f'{_num(values[k], m.lang)}</title></circle>' for k in np.flatnonzero(ok)))
    axis = (f'<line x1="{pad}" y1="{height - 18}" x2="{width - 6}" y2="{height - 18}" stroke="#999"/>'
            f'<text x="{pad}" y="{height - 5}" font-size="9">{years[0]}</text>'
            f'<text x="{width - 6}" y="{height - 5}" font-size="9" text-anchor="end">{years[-1]}</text>'
            f'<text x="2" y="{y(hi) + 3:.1f}" font-size="9">{_num(hi, m.lang, 1)}</text>'
            f'<text x="2" y="{y(lo) + 3:.1f}" font-size="9">{_num(lo, m.lang, 1)}</text>')
    name = m.regions.name(m.units[i], m.lang)
    return (f'<div class="chart"><h3>{E(name)}</h3><svg viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{E(name)}">{axis}{"".join(lines)}</svg></div>')


def _lines(m: Monitoring) -> str:
    lang = m.lang
    columns = _series_with_data(m)
    k = [m.framework.index_columns.index(c) for c in columns]
    values = m.aggregates[:, k, :]
    lo, hi = (float(np.nanmin(values)), float(np.nanmax(values))) if columns else (0.0, 1.0)
    legend = "".join(f'<span style="background:{LINE_COLOURS[n % len(LINE_COLOURS)]}"></span>'
                     f'{E(m.framework.pillar_name(c, lang))}' for n, c in enumerate(columns))
    charts = "".join(_line_chart(m, i, columns, lo, hi) for i in range(len(m.units))
                     if not np.isnan(values[i]).all())
    return (f'<section id="lines"><h2>{E(t("monitor.report.lines", lang))}</h2>'
            f'<p class="legend-line small">{legend}</p><div class="charts">{charts}</div></section>')


def _slope(m: Monitoring) -> str:
    lang = m.lang
    col = _headline(m)
    k = m.framework.index_columns.index(col)
    ranks = m.ranks[:, k, :]
    have = ~np.isnan(ranks)
    years = [y for j, y in enumerate(m.years) if have[:, j].any()]
    if len(years) < 2:
        return ""
    first = m.base_year if m.base_year in years else years[0]
    a, b = m.years.index(first), m.years.index(years[-1])
    both = np.flatnonzero(have[:, a] & have[:, b])
    n = int(np.nanmax(ranks[:, [a, b]]))
    width, row, left, right = 760, 20, 250, 510
    height = row * n + 40

    def y(r):
        return 26 + (r - 1) * row
    parts = [f'<text x="{left}" y="14" font-size="11" text-anchor="middle">{first}</text>',
             f'<text x="{right}" y="14" font-size="11" text-anchor="middle">{years[-1]}</text>']
    for i in both:
        r0, r1 = ranks[i, a], ranks[i, b]
        colour = "#238b45" if r1 < r0 else "#c0392b" if r1 > r0 else "#888"
        name = E(m.regions.name(m.units[i], lang))
        parts.append(f'<line x1="{left}" y1="{y(r0)}" x2="{right}" y2="{y(r1)}" stroke="{colour}" '
                     'stroke-width="1.5"/>'
                     f'<text x="{left - 6}" y="{y(r0) + 4}" font-size="10" text-anchor="end">{int(r0)}. '
                     f'{name}</text>'
                     f'<text x="{right + 6}" y="{y(r1) + 4}" font-size="10">{int(r1)}. {name}</text>')
    return ('<section id="slope"><h2>'
            f'{E(t("monitor.report.slope", lang, index=m.framework.pillar_name(col, lang)))}</h2>'
            f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">'
            f'{"".join(parts)}</svg>'
            f'<p class="small">{E(t("monitor.report.slope_note", lang))}</p></section>')


def _map(m: Monitoring) -> str:
    """The map section; none when no unit of the panel has a boundary (not Kazakhstan's
    regions, e.g. COINr's ASEM countries)."""
    lang = m.lang
    columns = _series_with_data(m)
    paths, (width, height) = geo.svg_paths()
    if not set(m.units) & set(paths):
        return ""
    data: dict = {}
    for col in columns:
        k = m.framework.index_columns.index(col)
        values = m.aggregates[:, k, :]
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))  # one scale for every year
        for j, year in enumerate(m.years):
            cells = data.setdefault(str(year), {}).setdefault(col, {})
            for u, v, c, r in zip(m.units, values[:, j], palette_colours(values[:, j], lo, hi, "", PALETTE),
                                  m.ranks[:, k, j], strict=True):
                if c:
                    cells[u] = {"colour": c, "tip": f"{m.regions.name(u, lang)}: {_num(v, lang)}"
                                + ("" if np.isnan(r) else f" ({t('monitor.report.rank', lang).lower()} "
                                                          f"{int(r)})")}
    shapes = "".join(f'<path class="region" data-unit="{E(u)}" data-name="{E(m.regions.name(u, lang))}" '
                     f'd="{d}">'
                     f'<title></title></path>' for u, d in paths.items())
    years = "".join(f'<option value="{y}"{" selected" if y == m.years[-1] else ""}>{y}</option>'
                    for y in m.years)
    head = _headline(m)
    layers = "".join(f'<option value="{E(c)}"{" selected" if c == head else ""}>'
                     f'{E(m.framework.pillar_name(c, lang))}</option>'
                     for c in columns)
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (f'<section id="map-section"><h2>{E(t("monitor.report.map", lang))}</h2>'
            f'<p><label>{E(t("monitor.report.year", lang))} <select id="map-year">{years}</select></label> '
            f'<label>{E(t("monitor.report.index", lang))} <select id="map-layer">{layers}</select></label> '
            f'<span id="map-caption" class="small"></span></p>'
            f'<svg id="map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">'
            f'{shapes}</svg>'
            f'<p class="small">{E(t("monitor.report.map_note", lang))}</p>'
            f'<script type="application/json" id="map-data">{payload}</script></section>')


def _method(m: Monitoring) -> str:
    lang = m.lang
    monitored = ", ".join(m.monitored)
    warnings = "".join(f"<li>{E(x)}</li>" for x in m.warnings["message"])
    return (f'<section id="method"><h2>{E(t("monitor.report.method", lang))}</h2><ul>'
            f'<li>{E(t(m.scale_text, lang))}</li>'
            f'<li>{E(t("monitor.report.base_year", lang, year=m.base_year))}</li>'
            f'<li>{E(t("monitor.report.monitored", lang, codes=monitored))}</li></ul>'
            f'<h3>{E(t("monitor.report.warnings", lang))}</h3><ul class="small">{warnings}</ul></section>')


def dynamics_html(m: Monitoring) -> str:
    """The dynamics report as one HTML page (str)."""
    lang = m.lang
    sections = [("alerts", "monitor.report.alerts"), ("ranking", "monitor.report.ranking_nav"),
                ("lines", "monitor.report.lines"), ("slope", "monitor.report.slope_nav"),
                ("map-section", "monitor.report.map"), ("method", "monitor.report.method")]
    drawn = _map(m)
    nav = "".join(f'<a href="#{s}">{E(t(key, lang))}</a>' for s, key in sections
                  if s != "map-section" or drawn)
    source = (t("monitor.report.embedded", lang) if m.panel.source.startswith("embedded:")
              else m.panel.source)
    sub = t("monitor.report.subtitle", lang, source=source, first=m.years[0], last=m.years[-1],
            version=m.manifest["version"])
    body = "".join([_alerts(m), _ranking(m), _lines(m), _slope(m), drawn, _method(m)])
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{E(t("monitor.report.title", lang))}</title><style>{STYLE}</style></head>
<body><header><h1>{E(t("monitor.report.title", lang))}</h1><p>{E(sub)}</p></header><nav>{nav}</nav>
<main>{body}</main><script>{SCRIPT}</script></body></html>"""

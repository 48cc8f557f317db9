"""A one-page brief per region, for a meeting: the rank and level of each index (with the change
since a previous assessment when one is given), the strongest and weakest indicators, the high
risks, the scenarios of the region's macro-region and the mechanisms that answer its risks;
with a robustness run, the region's 5–95 % interval of places in one line.

Each brief is one self-contained HTML page that prints on one A4 page (``turaqty brief
--pdf`` prints it with :mod:`turaqty.report.pdf`). Everything that comes from data is escaped.

Example
-------
>>> from turaqty.engine.assessment import assess
>>> a = assess(lang="ru")
>>> regions_asked(a, "Алматы қаласы"), len(regions_asked(a, "all"))
(['almaty_city'], 20)
>>> page = region_brief(a, "almaty_city")
>>> page.startswith("<!DOCTYPE html>"), "город Алматы: устойчивое развитие" in page
(True, True)
>>> sorted(brief_pages(a, ["abai", "shymkent"]))
['brief-abai.html', 'brief-shymkent.html']
"""
from __future__ import annotations

import pandas as pd

from turaqty.engine.assessment import Assessment
from turaqty.errors import Problem, RegionNames, UsageError
from turaqty.i18n import format_number, t
from turaqty.report.facts import high_risks, index_changes, mechanisms_by_region, strengths_weaknesses
from turaqty.report.html import E, _level, _num, scenario_brief, scored_indicator
from turaqty.report.robustness_section import brief_line
from turaqty.report.scope import Scope, framework_name, group_label, report_scope, source_name

STYLE = """
@page{size:A4;margin:11mm 12mm}*{box-sizing:border-box;-webkit-print-color-adjust:exact;
print-color-adjust:exact}
body{margin:0 auto;max-width:52em;padding:1em;font-family:system-ui,"Noto Sans",sans-serif;color:#1b1b1b;
font-size:10pt;line-height:1.35}
h1{font-size:1.45em;margin:0;color:#17483a}h2{font-size:1.05em;margin:.8em 0 .25em;
border-bottom:1.5px solid #17483a}
p{margin:.2em 0}.sub{color:#5c5c5c;font-size:.9em}ul{margin:.2em 0;padding-left:1.2em}li{margin:.1em 0}
table{border-collapse:collapse;width:100%;font-size:.95em}th,td{border:1px solid #d8d8d8;padding:.2em .45em;
text-align:left}
thead th{background:#f4f6f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.level{display:inline-block;padding:0 .45em;border-radius:.6em;color:#fff;font-size:.85em}
.two{display:grid;grid-template-columns:1fr 1fr;gap:0 1.2em}.risks{columns:2;column-gap:1.2em;font-size:.88em}
.risks li{break-inside:avoid}.scroll{overflow-x:auto}.up{color:#2e8b57}.down{color:#c0392b}
.small{font-size:.85em;color:#5c5c5c}
@media (max-width:600px){.two{display:block}.risks{columns:1}body{padding:.6em}}
@media print{body{padding:0;max-width:none;font-size:8.6pt;line-height:1.28}h2{margin:.55em 0 .2em}}
"""


def regions_asked(a: Assessment, text: str) -> list[str]:
    """The region ids ``text`` names: ``all`` (every region in the data) or one region by any
    name or alias the data reader accepts; unknown, ambiguous (bare «Алматы») or not in the
    data is a UsageError listing the candidates."""
    if text.strip().lower() == "all":
        return list(a.dataset.units)
    regions = a.regions
    options = regions.candidates(text)
    if len(options) > 1:
        raise UsageError(Problem("ambiguous_region", value=text,
                                 params={"options": RegionNames(options)}))
    if not options:
        raise UsageError(Problem("unknown_region", value=text,
                                 params={"suggestions": RegionNames(regions.suggest(text))}))
    if options[0] not in a.dataset.units:
        raise UsageError(Problem("brief_region_missing", value=text,
                                 params={"region": RegionNames(options)}))
    return [options[0]]


def _rank(x) -> str:
    return "–" if pd.isna(x) else str(int(x))


def _change(value: float, decimals: int = 2, lang: str = "en") -> str:
    if pd.isna(value):  # no value then or now
        return "–"
    if round(value, decimals) == 0:
        return format_number(0.0, lang, decimals)
    arrow, kind = ("▲", "up") if value > 0 else ("▼", "down")
    return f'<span class="{kind}">{arrow} {format_number(abs(value), lang, decimals)}</span>'


def _indices(a: Assessment, unit: str, changes, with_previous: bool) -> str:
    lang = a.lang
    n = int(a.indices[f"rank_{a.framework.root}"].notna().sum())
    levelled = any(a.framework.levels(c) is not None for c in a.framework.index_columns)
    head = [t("brief.index", lang), t("col.value", lang), *[t("col.level_integral", lang)] * levelled,
            t("brief.rank_of", lang, n=n)]
    if with_previous:
        head += [t("col.before", lang), t("brief.change", lang), t("brief.rank_change", lang)]
    rows = []
    for col in a.framework.index_columns:
        c = changes.loc[(unit, col)]
        rank = _rank(c["rank"])
        cells = [f"<th>{E(a.framework.pillar_name(col, lang))}</th>",
                 f'<td class="num">{_num(c["value"], lang)}</td>',
                 *[f"<td>{_level(c['level'], lang)}</td>"] * levelled, f'<td class="num">{rank}</td>']
        if with_previous:
            cells += [f'<td class="num">{_num(c["value_before"], lang)} {_level(c["level_before"], lang)}'
                      '</td>',
                      f'<td class="num">{_change(c["change"], 2, lang)}</td>',
                      f'<td class="num">{_rank(c["rank_before"])} → {rank}</td>']
        rows.append(f"<tr>{''.join(cells)}</tr>")
    ths = "".join(f"<th>{E(h)}</th>" for h in head)
    body = "".join(rows)
    return f'<div class="scroll"><table><thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table></div>'


def region_brief(a: Assessment, unit: str, previous: Assessment | None = None,
                 scenarios: dict | None = None, changes=None, mechanisms: dict | None = None,
                 robustness=None, scope: Scope | None = None) -> str:
    """The brief of region ``unit`` as one HTML page; with ``previous`` (an earlier or baseline
    assessment of the same regions) each index shows its value and rank then and the change;
    with ``robustness`` (a :class:`~turaqty.analysis.robustness.Robustness` of ``a``) one line
    gives the region's 5–95 % interval of places.
    ``scenarios`` (from :func:`~turaqty.report.html.scenario_brief`), ``changes`` (from
    :func:`~turaqty.report.facts.index_changes`) and ``mechanisms`` (from
    :func:`~turaqty.report.facts.mechanisms_by_region`) are computed when not given; the
    macro-region, scenarios, risks and mechanisms appear only where they apply (``scope``)."""
    lang = a.lang
    fw = a.framework
    scope = scope or report_scope(a)
    changes = index_changes(a, previous) if changes is None else changes
    scenarios = (scenario_brief(a) if scope.home else {}) if scenarios is None else scenarios
    mechanisms = (mechanisms_by_region(a) if scope.mechanisms else {}) \
        if mechanisms is None else mechanisms
    regions = a.regions
    name = regions.name(unit, lang)
    region = regions.by_id[unit]
    macro = {m.id: m.name(lang) for m in regions.macro_regions}.get(region.macro_region, "–")
    rank = changes.loc[(unit, a.framework.root), "rank"]
    source = source_name(a.dataset, lang)
    title = t("brief.title", lang, region=name) if scope.home else f"{name}: {framework_name(a)}"
    if a.dataset.year:
        title = t("figure.title_year", lang, title=title, year=a.dataset.year)
    n = int(a.indices[f"rank_{fw.root}"].notna().sum())
    sub = (t("brief.subtitle", lang, source=source, rank=_rank(rank), n=n, version=a.manifest["version"])
           if scope.home else t("fwreport.brief_subtitle", lang, source=source, rank=_rank(rank), n=n,
                                index=fw.pillar_name(fw.root, lang), version=a.manifest["version"]))
    group = (f"{t('col.macro_region', lang)}: {macro}." if scope.home
             else f"{label}." if (label := group_label(a, unit)) else "")
    interval = brief_line(robustness, unit, lang) if robustness is not None else ""
    interval = f'<p class="sub" id="rank-interval">{E(interval)}</p>' if interval else ""
    prev = ""
    if previous is not None:
        before = source_name(previous.dataset, lang)
        prev = f'<p class="sub">{E(t("brief.previous", lang, source=before))}</p>'
    best, worst = strengths_weaknesses(a, unit)
    strong = "".join(f"<li>{E(scored_indicator(a, c, v))}</li>" for c, v in best) or "<li>–</li>"
    weak = "".join(f"<li>{E(scored_indicator(a, c, v))}</li>" for c, v in worst) or "<li>–</li>"
    risk_block, mech_block = _risk_blocks(a, unit, mechanisms, scope)
    scen = "".join(f"<li>{E(label)}: {_num(b, lang)} → {_num(after, lang)}</li>"
                   for label, b, after in scenarios.get(unit, []))
    if scen:  # the cities form no macro-region with scenarios
        scen = f'<h2>{E(t("report.scenarios", lang, macro=macro))}</h2><ul>{scen}</ul>'
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{E(title)}</title>
<style>{STYLE}</style></head>
<body data-unit="{E(unit)}"><h1>{E(title)}</h1><p class="sub">{E(sub)}</p>
{f'<p class="sub">{E(group)}</p>' if group else ""}{prev}
<h2>{E(t("brief.indices", lang))}</h2>{_indices(a, unit, changes, previous is not None)}{interval}
<div class="two"><div><h2>{E(t("report.strongest", lang))}</h2><ul>{strong}</ul></div>
<div><h2>{E(t("report.weakest", lang))}</h2><ul>{weak}</ul></div></div>
{risk_block}{scen}{mech_block}</body></html>"""


def _risk_blocks(a: Assessment, unit: str, mechanisms: dict, scope: Scope) -> tuple[str, str]:
    """The high risks of ``unit`` (with a risk map) and the mechanisms that answer them
    (Kazakhstan's catalogue); '' where they do not apply."""
    if not scope.risk:
        return "", ""
    lang = a.lang
    risks = high_risks(a).get(unit, [])
    items = "".join(f"<li><b>{E(c)}</b> {E(a.framework.by_code[c].name(lang))}</li>" for c in risks)
    block = f'<ul class="risks">{items}</ul>' if risks else f"<p>{E(t('brief.no_risks', lang))}</p>"
    out = f'<h2 id="high-risks">{E(t("report.high_risks", lang))} ({len(risks)})</h2>{block}\n'
    if not scope.mechanisms:
        return out, ""
    mech = "".join(f'<li>{E(m)} <span class="small">({E(answers)})</span></li>'
                   for m, answers in mechanisms.get(unit, [])) or "<li>–</li>"
    return out, (f'\n<h2>{E(t("report.mechanisms", lang))} <span class="small">'
                 f'{E(t("brief.mechanisms_note", lang))}</span></h2>\n<ul>{mech}</ul>')


def brief_pages(a: Assessment, units: list[str], previous: Assessment | None = None,
                robustness=None) -> dict[str, str]:
    """``brief-<region id>.html`` → page, for each of ``units`` (``robustness`` as in
    :func:`region_brief`)."""
    scope = report_scope(a)
    scenarios = scenario_brief(a) if scope.home else {}
    mechanisms = mechanisms_by_region(a) if scope.mechanisms else {}
    changes = index_changes(a, previous)
    return {f"brief-{unit}.html": region_brief(a, unit, previous, scenarios, changes, mechanisms,
                                               robustness=robustness, scope=scope) for unit in units}

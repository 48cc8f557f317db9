"""The report's section on the robustness of the places: each region's place in the ranking,
its median place and 5–95 % interval over a Monte Carlo of the method's contested choices
(drawn as a bar per region), the sentence on which rank differences are not meaningful, and
the factors that matter most (total Sobol indices with their confidence intervals).

:func:`report_robustness` runs :func:`~turaqty.analysis.robustness.run_robustness` on the
report's own assessment with a modest default (``REPORT_RUNS`` replications, ``REPORT_SOBOL``
base samples: about 0.1 s on the embedded data), so that reading a ranking with its
uncertainty is the normal way. The same seed gives the same numbers and the same page.
Everything that comes from data is escaped.

Example
-------
>>> from turaqty.engine.assessment import assess
>>> r = report_robustness(assess(lang="ru"), runs=200, sobol=32)
>>> html = robustness_section(r)
>>> html.startswith('<section id="robustness">'), html.count('<tr data-unit=')
(True, 20)
>>> interval_rows(r)[0]["unit_id"], factor_label(r, "aggregate", "en")
('almaty_city', 'aggregation (as in the framework, geometric mean)')
"""
from __future__ import annotations

import html
from numbers import Integral

import pandas as pd

from turaqty.errors import Problem, UsageError
from turaqty.i18n import format_number, t, worded
from turaqty.report.scope import column_name

E = html.escape
REPORT_RUNS = 1000  # replications in the report's section by default
REPORT_SOBOL = 128  # base samples of its Sobol indices: N·(factors + 2) more replications
SHOWN_FACTORS = 5  # the factors listed as mattering most

STYLE = """
#robustness-table{width:100%;max-width:64em}#robustness-table td.chart{width:45%;min-width:8em}
.rank-scale{position:relative;height:1.1em;background:var(--band);border-radius:2px}
.rank-scale span{position:absolute;top:0;height:100%}
.rank-scale .rank-bar{background:#8fb8d8;border-radius:2px}
.rank-scale .rank-median{width:.55em;height:.55em;top:.275em;margin-left:-.275em;border-radius:50%;
background:#1b3b5a}
.rank-scale .rank-nominal{width:2px;margin-left:-1px;background:#c0392b}
.rank-axis{display:flex;justify-content:space-between;font-weight:normal}
.robustness-finding{font-weight:600}#robustness td.num{white-space:nowrap}#sobol-table{max-width:64em}
#sobol-table th+th{text-align:right}
@media (max-width:600px){  /* a phone: each region on two lines, its numbers, then its bar */
#robustness-table,#robustness-table thead,#robustness-table tbody{display:block}
#robustness-table tr{display:grid;grid-template-columns:3.6em minmax(0,1fr) 5em 4.6em;
border-bottom:1px solid var(--line)}
#robustness-table th,#robustness-table td{border:none}#robustness-table thead th{font-size:.85em}
#robustness-table td.chart,#robustness-table th.chart{grid-column:1/-1;width:auto;min-width:0;
padding:0 .5em .45em}
#robustness-table .region{position:static}
#sobol-table,#sobol-table thead,#sobol-table tbody{display:block}  /* the factor, then its numbers */
#sobol-table tr{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));
border-bottom:1px solid var(--line)}
#sobol-table th,#sobol-table td{border:none}#sobol-table tr>:first-child{grid-column:1/-1}
}
@media print{#robustness-table{font-size:8.5pt;max-width:none}#robustness-table td{padding:.1em .4em}}
"""


def report_robustness(a, runs: int = REPORT_RUNS, seed: int = 0, sobol: int = REPORT_SOBOL):
    """The robustness of ``a``'s ranking for its report (None when ``runs`` is 0): ``runs``
    Monte Carlo replications and ``sobol`` base samples (0: no Sobol indices) with ``seed``,
    as :func:`~turaqty.analysis.robustness.run_robustness` computes them with its default
    factors (the options checked by :func:`check_options`)."""
    check_options(runs, sobol, seed)
    if runs == 0:
        return None
    from turaqty.analysis.robustness import run_robustness

    return run_robustness(a, runs=int(runs), sobol=int(sobol), seed=int(seed))


def check_options(runs, sobol, seed) -> None:
    """A count that is neither 0 nor from 2 to 10⁹, or a seed outside 0 … 10⁹, is a UsageError.

    >>> check_options(1000, 0, 7)
    >>> try:
    ...     check_options(1000, 0, -1)
    ... except UsageError as err:
    ...     print(err.problems[0].render("en").splitlines()[0])
    --seed '-1' is not a whole number from 0 to 1000000000.
    """
    from turaqty.analysis.robustness import MAX_RUNS  # the engine's limit (imported when used)

    for option, value, key, low in (("--robustness-runs", runs, "report_robustness_count", 2),
                                    ("--robustness-sobol", sobol, "report_robustness_count", 2),
                                    ("--seed", seed, "report_seed", 0)):
        if isinstance(value, bool) or not isinstance(value, Integral) or not (
                value == 0 or low <= int(value) <= MAX_RUNS):
            raise UsageError(Problem(key, value=value,
                                     params={"option": option, "low": low, "high": MAX_RUNS}))


def record(r) -> dict | None:
    """What a report's manifest records of the run ``r`` (no timings: the same seed, the same
    file); None without a run."""
    if r is None:
        return None
    m = r.manifest
    return {"runs": m["runs"], "seed": m["seed"], "sobol_base_samples": m["sobol_base_samples"],
            "sobol_runs": m["sobol_runs"], "factors": m["factors"],
            "places_not_meaningful": m["places_not_meaningful"], "significance": m["significance"]}


def place(x) -> str:
    """A place as text ("–" when there is none)."""
    return "–" if x is None or pd.isna(x) else str(int(x))


def interval_rows(r) -> list[dict]:
    """Per unit, in the order of the ranking: id, name, nominal and median place, 5 % and
    95 % quantiles (``None`` where a unit is never ranked)."""
    rows = []
    for row in r.table.to_dict("records"):
        rows.append({k: (None if pd.isna(row[k]) else int(row[k])) if k in ("nominal", "median", "p05", "p95")
                     else row[k] for k in ("unit_id", "name", "nominal", "median", "p05", "p95")})
    return rows


def factor_label(r, name: str, lang: str) -> str:
    """A factor of the run in words (its name when the report has no words for it)."""
    f = next((x for x in r.factors.factors if x.name == name), None)
    if f is None:
        return name
    if f.kind == "weights":
        o = f.options
        if o["distribution"] == "uniform":
            spread = t("robreport.spread.uniform", lang, noise=format_number(o["noise"] * 100, lang, 0))
        else:
            spread = t("robreport.spread.dirichlet", lang,
                       concentration=format_number(o["concentration"], lang, 0))
        return t(worded(f"robreport.factor.{name}", r.assessment.home), lang, default=name, spread=spread)
    if f.kind == "exclude":
        code = r.factors.codes[f.options["column"]]
        return t("robreport.factor.exclude", lang, code=code,
                 name=r.assessment.framework.by_code[code].name(lang))
    prefix = {"directions": "robreport.direction", "bounds": "robreport.bounds"}.get(
        f.kind, "robreport.method")
    words = [t(f"{prefix}.{getattr(x, 'method', x)}", lang, default=str(getattr(x, "method", x)))
             for x in r.factors.alternatives.get(name, ())]
    if name == "bounds" and r.factors.scales:  # pooled z-scores … beside (or instead of) min–max bounds
        name = "bounds_parameters"
    return t(f"robreport.factor.{name}", lang, default=name, alternatives=", ".join(words))


def top_factors(r, lang: str, k: int = SHOWN_FACTORS) -> list[dict]:
    """The ``k`` factors with the largest total Sobol index: label and numbers (none without
    Sobol indices)."""
    s = r.sensitivity.sort_values(["total", "factor"], ascending=[False, True], kind="stable").head(k)
    return [{"factor": row["factor"], "label": factor_label(r, row["factor"], lang), "total": row["total"],
             "low": row["total_low"], "high": row["total_high"], "first": row["first"]}
            for row in s.to_dict("records")]


def factors_sentence(r, lang: str, k: int = 3) -> str:
    """``The choices that move the places most (…): directions …: 0.72 (0.56–0.91); …``."""
    items = [t("robreport.factor_value", lang, factor=f["label"], total=format_number(f["total"], lang),
               low=format_number(f["low"], lang), high=format_number(f["high"], lang))
             for f in top_factors(r, lang, k)]
    return t("robreport.factors_text", lang, factors="; ".join(items))


def intro(r, lang: str) -> str:
    """What was replicated, how often, with which seed (the indicators that may be left out
    named in one clause)."""
    names = [factor_label(r, f.name, lang) for f in r.factors.factors if f.kind != "exclude"]
    excluded = [r.factors.codes[f.options["column"]] for f in r.factors.factors if f.kind == "exclude"]
    if excluded:
        names.append(t("robreport.factor.excluded_each", lang, codes=", ".join(excluded)))
    return t(worded("robreport.intro", r.assessment.home), lang, runs=r.manifest["runs"],
             seed=r.manifest["seed"], factors="; ".join(names) or "–")


def _chart(row: dict, n: int, lang: str) -> str:
    """A region's places as a bar (5–95 %), a dot (median) and a line (nominal) on 1 … n."""
    if row["p05"] is None:
        return ""

    def at(rank: int) -> str:  # the centre of place ``rank``'s slot, in % of the scale
        return f"{(rank - 0.5) / n * 100:.2f}%"

    left, width = (row["p05"] - 1) / n * 100, (row["p95"] - row["p05"] + 1) / n * 100
    parts = [f'<span class="rank-bar" style="left:{left:.2f}%;width:{width:.2f}%"></span>',
             f'<span class="rank-median" style="left:{at(row["median"])}"></span>']
    if row["nominal"] is not None:
        parts.append(f'<span class="rank-nominal" style="left:{at(row["nominal"])}"></span>')
    label = t("robreport.chart_label", lang, region=row["name"], low=row["p05"], high=row["p95"],
              median=row["median"], nominal=place(row["nominal"]))
    return f'<div class="rank-scale" role="img" aria-label="{E(label)}">{"".join(parts)}</div>'


def _factors_table(r, lang: str) -> str:
    rows = "".join(
        f'<tr data-factor="{E(f["factor"])}"><td>{E(f["label"])}</td>'
        f'<td class="num">{format_number(f["total"], lang)}</td>'
        f'<td class="num">{format_number(f["low"], lang)}–{format_number(f["high"], lang)}</td>'
        f'<td class="num">{format_number(f["first"], lang)}</td></tr>' for f in top_factors(r, lang))
    head = "".join(f"<th>{E(t(f'robreport.col.{c}', lang))}</th>" for c in ("factor", "total", "ci", "first"))
    return (f'<div class="scroll"><table id="sobol-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def robustness_section(r) -> str:
    """The section of ``report.html`` (``<section id="robustness">``) in the run's language."""
    lang = r.assessment.lang
    rows = interval_rows(r)
    n = len(rows)
    body = []
    for row in rows:
        interval, low = ("–", "") if row["p05"] is None else (f'{row["p05"]}–{row["p95"]}', row["p05"])
        body.append(
            f'<tr data-unit="{E(row["unit_id"])}"><td class="num" data-value="{place(row["nominal"])}">'
            f'{place(row["nominal"])}</td><td class="region"><a href="#profile-{E(row["unit_id"])}">'
            f'{E(row["name"])}</a></td><td class="num" data-value="{place(row["median"])}">'
            f'{place(row["median"])}</td><td class="num" data-value="{low}">{interval}</td>'
            f'<td class="chart">{_chart(row, n, lang)}</td></tr>')
    head = (f'<th data-sort="num">{E(t("col.rank_integral", lang))}</th>'
            f'<th data-sort="text" class="region">{E(column_name(r.assessment, "name"))}</th>'
            f'<th data-sort="num">{E(t("robreport.col.median", lang))}</th>'
            f'<th data-sort="num">{E(t("robreport.col.interval", lang))}</th>'
            f'<th class="chart">{E(t("robreport.col.chart", lang))}'
            f'<div class="rank-axis small"><span>1</span><span>{n}</span></div></th>')
    factors = ""
    if len(r.sensitivity):
        note = t("robreport.factors_note", lang, base=r.manifest["sobol_base_samples"],
                 sobol_runs=r.manifest["sobol_runs"])
        factors = (f'<h3 id="robustness-factors">{E(t("robreport.factors_title", lang))}</h3>'
                   f"<p>{E(factors_sentence(r, lang))}</p>{_factors_table(r, lang)}"
                   f'<p class="small">{E(note)}</p>')
    return f"""<section id="robustness"><h2>{E(t("report.robustness", lang))}</h2>
<p class="robustness-finding">{E(r.sentence(lang))}</p><p>{E(intro(r, lang))}</p>
<div class="scroll"><table id="robustness-table" class="sortable"><thead><tr>{head}</tr></thead>
<tbody>{''.join(body)}</tbody></table></div>
<p class="small">{E(t("robreport.legend", lang))}</p>{factors}
<p class="small">{E(t("robreport.more", lang))}</p></section>"""


def brief_line(r, unit: str, lang: str) -> str:
    """The region's interval in one sentence for its one-page brief ("" if never ranked)."""
    row = next((x for x in interval_rows(r) if x["unit_id"] == unit), None)
    if row is None or row["p05"] is None:
        return ""
    return t("robreport.brief", lang, runs=r.manifest["runs"], low=row["p05"], high=row["p95"],
             median=row["median"])

"""How the report's pages adapt to where they are read: a phone screen and paper (print and PDF).

``SCROLL_STYLE`` applies everywhere: wide tables scroll inside their own box (``div.scroll``)
with the region column (``.region``) kept in view, and the tooltip never wider than the screen.
``PHONE_STYLE`` is for screens up to 600 px wide (a phone is 390 px): narrow margins, one
profile card per row, the map and its legend one above the other, the map wide enough for its
names to be read and scrolled sideways inside its box. ``PRINT_STYLE`` is for paper (A4): no
navigation, layer switches, weight sliders or sort arrows, the screen's 52-column risk
heatmap replaced by one table per pillar (``.heat-print``) so that no column is cut, a page
break before each section and each region profile, the map at the page's width, and the
colours printed as they are.

Example
-------
>>> "@media print" in PRINT_STYLE and "@media (max-width:600px)" in PHONE_STYLE
True
>>> page_style().count("@media")
2
"""
from __future__ import annotations

SCROLL_STYLE = """
.scroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
.scroll .region{position:sticky;left:0;z-index:1;background:#fff}
.scroll thead .region{background:var(--band);z-index:3}
#tooltip{max-width:min(24em,calc(100vw - 16px))}
#map text.label{font-size:11px;fill:#1b1b1b;stroke:#fff;stroke-width:3px;paint-order:stroke;
pointer-events:none;text-anchor:middle;dominant-baseline:middle}
#map circle.city{fill:#1b1b1b;pointer-events:none}
.heat-print{display:none}.map-box{max-width:100%;min-width:0}
"""

PHONE_STYLE = """
@media (max-width:600px){
header{padding:1em}header h1{font-size:1.25em}nav{padding:.4em 1em;white-space:nowrap;overflow-x:auto}
main{padding:0 1em 2em}.profiles{grid-template-columns:1fr}.profile{padding:.6em;min-width:0}
.map-wrap{display:block}.map-wrap fieldset{margin-top:.6em}
.map-box{overflow-x:auto}#map{min-width:600px}#map text.label{font-size:13px}  /* names legible;
 the map scrolls sideways */
td.num .level{display:block;width:max-content}
.heat tbody th.region{white-space:normal;min-width:7em;max-width:8.5em;font-size:.8em}
}
"""

PRINT_STYLE = """
@page{size:A4;margin:12mm 10mm}
@media print{
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-size:10pt}nav,#tooltip,fieldset,.heat-screen,details,#weights,.screen-only{display:none!important}
header{background:none;color:var(--ink);padding:0 0 .5em;border-bottom:2px solid #17483a}
header p{opacity:1;color:var(--muted)}
main{max-width:none;padding:0}section{margin-top:0;break-before:page}#summary{break-before:auto}
h2,h3{break-after:avoid}tr,li,.legend{break-inside:avoid}
th[data-sort]{cursor:auto}th[data-sort]:after{content:none}
a{color:inherit;text-decoration:none}
.scroll{overflow:visible}.scroll .region{position:static}
.map-wrap{display:block}.map-box{overflow:visible}#map{width:100%!important;height:auto!important;min-width:0}
.legend table{display:inline-table}
.heat-print{display:block;margin-top:.8em;break-inside:avoid}
.heat-print table{font-size:7.5pt}.heat-print th.code{font-size:6.5pt;padding:.1em;text-align:center}
.heat-print td.risk-cell{min-width:1.9em;height:1.25em;padding:0;border:1px solid #fff}
.heat-print caption{text-align:left;font-weight:600;margin-bottom:.2em}
.heat-print tbody th{font-weight:normal;white-space:nowrap}.heat-print td.excluded{opacity:.35}
.profiles{display:block}.profile{break-before:page;border:none;padding:0}
}
"""


def page_style() -> str:
    """The styles this module adds to the report's page (after the page's own)."""
    return SCROLL_STYLE + PHONE_STYLE + PRINT_STYLE

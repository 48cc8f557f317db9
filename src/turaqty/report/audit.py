"""The audit as a readable report section (Markdown and HTML).

Example
-------
>>> from turaqty.engine.assessment import assess
>>> from turaqty.analysis.audit import run_audit
>>> doc = audit_document(run_audit(assess()), "en")
>>> doc.sections[0].title
'Flags'
"""
from __future__ import annotations

import pandas as pd

from turaqty.analysis.audit import audit_tables
from turaqty.i18n import t, worded
from turaqty.report.document import Document, Section


def audit_document(audit: dict, lang: str = "en", assessment=None) -> Document:
    """Flags (worst first), pillar statistics, correlations, importance and leave-one-out
    shifts, with headers, flag types, pillars and regions in ``lang`` (names from the
    audited ``assessment``'s framework and units, in general words — units, nodes — where
    they are not the dissertation's; without it, Kazakhstan's)."""
    tables = audit_tables(audit)
    home = assessment is None or assessment.home
    if assessment is not None:
        fw, regions = assessment.framework, assessment.regions
    else:
        from turaqty.model.framework import load_framework
        from turaqty.model.units import load_regions

        fw, regions = load_framework(), load_regions()
    flags = tables["flags"][["severity", "type", "message"]].assign(
        severity=lambda f: [t(f"audit.severity.{v}", lang) for v in f["severity"]],
        type=lambda f: [t(worded(f"audit.type.{v}", home), lang, default=v) for v in f["type"]])
    pillars = tables["pillars"].assign(pillar=lambda f: [fw.pillar_name(p, lang) for p in f["pillar"]])
    corr = tables["correlations"][["indicator", "pillar", "pearson_pillar", "pearson_p_pillar",
                                   "spearman_pillar", "pearson_integral", "spearman_integral"]]
    importance = tables["importance"][["indicator", "pillar", "correlation_ratio",
                                       "importance_share", "nominal_weight", "ratio"]]
    corr, importance = (frame.assign(pillar=[fw.pillar_name(p, lang) for p in frame["pillar"]])
                        for frame in (corr, importance))
    loo = tables["leave_one_out"].sort_values("max_shift", ascending=False, kind="stable")
    loo = loo.assign(region=[regions.name(u, lang) if isinstance(u, str) else "" for u in loo["region"]])
    correlations = t("audit.correlations", lang)
    if fw.root != "integral":  # another framework: its own root, by name
        index = fw.pillar_name(fw.root, lang)
        correlations = t("fwreport.audit.correlations", lang, index=index)
        corr = corr.rename(columns={f"{k}_integral": t(f"fwreport.audit.{k}_root", lang, index=index)
                                    for k in ("pearson", "spearman")})
    return Document(t("audit.title", lang), [
        Section(t("audit.flags", lang), [t(worded("audit.flags_text", home), lang, n=len(flags)),
                                         _headed(flags, lang, home)]),
        Section(t(worded("audit.pillars", home), lang), [_headed(pillars, lang, home)]),
        Section(correlations, [_headed(corr, lang, home)]),
        Section(t("audit.importance", lang), [_headed(importance, lang, home)]),
        Section(t("audit.leave_one_out", lang), [_headed(loo, lang, home)]),
    ], lang)


def _headed(frame: pd.DataFrame, lang: str, home: bool = True) -> pd.DataFrame:
    """``frame`` with its column codes replaced by headers in ``lang`` (general words where
    not ``home``)."""
    return frame.rename(columns={c: t(worded(f"audit.col.{c}", home), lang, default=c)
                                 for c in frame.columns})

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
from turaqty.i18n import t
from turaqty.report.document import Document, Section


def audit_document(audit: dict, lang: str = "en") -> Document:
    """Flags, pillar statistics, correlations, importance and leave-one-out shifts."""
    tables = audit_tables(audit)
    flags = tables["flags"][["type", "message"]]
    pillars = tables["pillars"]
    corr = tables["correlations"][["indicator", "pillar", "pearson_pillar", "pearson_p_pillar",
                                   "spearman_pillar", "pearson_integral", "spearman_integral"]]
    importance = tables["importance"][["indicator", "pillar", "correlation_ratio",
                                       "importance_share", "nominal_weight", "ratio"]]
    loo = tables["leave_one_out"].sort_values("max_shift", ascending=False)
    return Document(t("audit.title", lang), [
        Section(t("audit.flags", lang), [t("audit.flags_text", lang, n=len(flags)), flags]),
        Section(t("audit.pillars", lang), [pillars]),
        Section(t("audit.correlations", lang), [corr]),
        Section(t("audit.importance", lang), [importance]),
        Section(t("audit.leave_one_out", lang), [pd.DataFrame(loo)]),
    ], lang)

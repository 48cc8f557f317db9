"""turaqty: measure the sustainable development of regions and turn it into decisions.

The dissertation's method on Kazakhstan's 20 regions: indicators rescaled to 1 (worst)
… 9 (best), social, economic and ecological indices (mean of scores), the integral
index (their sum, 3-27), ranks, levels and the sustainability matrix; and a general engine
for any framework (a tree of any depth), units catalogue and method file.

The package loads lazily: ``import turaqty`` costs nothing until a name is used.

Example
-------
>>> import turaqty
>>> a = turaqty.assess()                       # the embedded 2023 data, default profile
>>> a.ranking()[["unit_id", "integral", "level_integral"]].iloc[0].tolist()[0]
'almaty_city'
>>> turaqty.assess(profile="dissertation").method.directions
'printed'
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

_EXPORTS = {
    "turaqty.engine.assessment": ("Assessment", "assess", "version"),
    "turaqty.analysis.audit": ("run_audit",),
    "turaqty.analysis.robustness": ("Robustness", "run_robustness"),
    "turaqty.analysis.factors": ("Factors", "default_factors", "read_factors"),
    "turaqty.analysis.change_sets": ("read_change_sets", "run_change_sets"),
    "turaqty.model.framework": ("Framework", "load_framework"),
    "turaqty.model.units": ("Regions", "load_regions", "build_units"),
    "turaqty.model.dataset": ("Dataset", "load_embedded"),
    "turaqty.errors": ("DataError", "Problem", "TuraqtyError", "UsageError"),
    "turaqty.io.read": ("check_data", "read_data"),
    "turaqty.io.limits": ("Limits", "current_limits"),
    "turaqty.io.frameworks": ("read_framework", "read_units", "read_coinr_data"),
    "turaqty.io.methods": ("read_method",),
    "turaqty.io.template": ("template_frame",),
    "turaqty.model.method": ("PROFILES", "Method", "Step", "get_method"),
    "turaqty.report.outputs": ("brief_files", "report_files", "write_assessment"),
    "turaqty.report.html": ("report_html",),
    "turaqty.report.robustness_section": ("report_robustness",),
    "turaqty.report.brief": ("region_brief", "regions_asked"),
    "turaqty.report.facts": ("index_changes",),
    "turaqty.analysis.reproduction": ("Reproduction", "reproduce"),
    "turaqty.analysis.monitor": ("Monitoring", "monitor"),
    "turaqty.model.panel": ("Panel", "load_embedded_panel"),
    "turaqty.model.layout": ("Layout", "load_layout"),
    "turaqty.io.panel": ("read_panel", "panel_from_frame"),
    "turaqty.io.kazstat": ("read_kazstat",),
    "turaqty.report.monitor_outputs": ("monitor_files", "write_monitor"),
    "turaqty.analysis.scenarios": ("Change", "ScenarioResult", "parse_setting", "parse_settings",
                                   "read_changes", "run_changes", "run_scenario", "scenario_changes",
                                   "scenario_ids"),
    "turaqty.analysis.scenario_order": ("order_violations",),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'turaqty' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

"""turaqty: measure the sustainable development of regions and turn it into decisions.

The dissertation's method on Kazakhstan's 20 regions: indicators rescaled to 1 (worst)
… 9 (best), social, economic and ecological indices (mean of scores), the integral
index (their sum, 3-27), ranks, levels and the sustainability matrix.

Example
-------
>>> import turaqty
>>> a = turaqty.assess()                       # the embedded 2023 data, default profile
>>> a.ranking()[["unit_id", "integral", "level_integral"]].iloc[0].tolist()[0]
'almaty_city'
>>> turaqty.assess(profile="dissertation").method.directions
'printed'
"""
from turaqty.engine.assessment import Assessment, assess, version
from turaqty.analysis.audit import run_audit
from turaqty.model.framework import load_framework
from turaqty.model.units import load_regions
from turaqty.model.dataset import Dataset, load_embedded
from turaqty.errors import DataError, Problem, TuraqtyError, UsageError
from turaqty.io.read import check_data, read_data
from turaqty.io.template import template_frame
from turaqty.model.method import PROFILES, Method, get_method
from turaqty.report.outputs import write_assessment
from turaqty.analysis.reproduction import Reproduction, reproduce
from turaqty.analysis.scenarios import (Change, ScenarioResult, parse_setting, read_changes, run_changes,
                               run_scenario, scenario_changes, scenario_ids)

__version__ = version()

__all__ = [
    "Assessment", "DataError", "Dataset", "Method", "PROFILES", "Problem", "Reproduction",
    "TuraqtyError", "UsageError", "assess", "check_data", "get_method", "load_embedded",
    "load_framework", "load_regions", "read_data", "reproduce", "run_audit", "template_frame",
    "version", "write_assessment", "Change", "ScenarioResult", "parse_setting", "read_changes",
    "run_changes", "run_scenario", "scenario_changes", "scenario_ids",
]

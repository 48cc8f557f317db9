"""The step registries, stage by stage, against two published external builds.

* COINr's ASEM example (``coinr-asem/``, the legacy ``ASEM_COIN`` object = ``build_ASEM()``):
  denominate by iMeta's Denominator → impute the EurAsia group mean → winsorise (winmax 6,
  else log) → min–max 0–100 → weighted arithmetic means up the iMeta tree; every stage to
  1e-6, and the treatment's points and sides as COINr's TreatSummary/TreatFlags.
* SDSN's Benin sub-national "leave no one behind" scores (``sdsn-benin/``): codebook
  bounds (lower bound → 0, target → 100, clipped), mean within each category; the four
  published category scores of the 12 departments and Benin to 1e-3.

Both skip, saying why, when ``../shared/external`` is absent. The files are read with
pandas; only NumPy arrays go into the registries.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.seed import EXTERNAL
from turaqty.core.aggregate import AGGREGATION
from turaqty.core.denominate import DENOMINATION
from turaqty.core.impute import IMPUTATION, group_codes
from turaqty.core.normalise import NORMALISATION
from turaqty.core.registry import call
from turaqty.core.treat import TREATMENT

ASEM = EXTERNAL / "coinr-asem"
LEGACY = ASEM / "ASEM_COIN_legacy"
BENIN = EXTERNAL / "sdsn-benin"


@pytest.fixture(scope="module")
def asem():
    if not (ASEM / "ASEM_iData.csv").exists():
        pytest.skip(f"COINr's ASEM reference {ASEM} not found (set TURAQTY_SHARED)")
    data = pd.read_csv(ASEM / "ASEM_iData.csv")
    meta = pd.read_csv(ASEM / "ASEM_iMeta.csv")
    indicators = meta[meta["Type"] == "Indicator"]
    denominators = meta.loc[meta["Type"] == "Denominator", "iCode"].tolist()
    codes = indicators["iCode"].tolist()
    by = [denominators.index(d) if isinstance(d, str) else -1 for d in indicators["Denominator"]]
    stages = {}
    stages["Denominated"] = call(DENOMINATION, "divide", data[codes].to_numpy(float), {
        "denominators": data[denominators].to_numpy(float), "by": by})
    groups, _ = group_codes(data["EurAsia_group"])
    stages["Imputed"] = call(IMPUTATION, "group_mean", stages["Denominated"].values,
                             {"groups": groups})
    stages["Treated"] = call(TREATMENT, "winsorise", stages["Imputed"].values, {"winmax": 6})
    stages["Normalised"] = call(NORMALISATION, "minmax", stages["Treated"].values, {
        "directions": indicators["Direction"].to_numpy(), "scale": (0, 100)})
    tree = meta.set_index("iCode")
    level, level_codes, columns, names = stages["Normalised"].values, codes, [], list(codes)
    columns.append(level)
    for depth in sorted(meta.loc[meta["Type"] == "Aggregate", "Level"].unique()):
        parents = meta.loc[meta["Level"] == depth, "iCode"].tolist()
        membership = np.array([[tree.at[c, "Parent"] == p for p in parents] for c in level_codes])
        level = call(AGGREGATION, "arithmetic", level, {
            "membership": membership, "weights": tree.loc[level_codes, "Weight"].to_numpy()}).values
        level_codes = parents
        columns.append(level)
        names += parents
    stages["Aggregated"] = (np.column_stack(columns), names)
    return data["uCode"].tolist(), codes, stages


def legacy(name: str, units: list[str], columns: list[str]) -> np.ndarray:
    table = pd.read_csv(LEGACY / f"{name}.csv").set_index("UnitCode")
    return table.loc[units, columns].to_numpy(float)


@pytest.mark.parametrize("stage", ["Denominated", "Imputed", "Treated", "Normalised"])
def test_asem_stage_matches_coinr(asem, stage):
    units, codes, stages = asem
    expected = legacy(f"Data__{stage}", units, codes)
    ours = stages[stage].values
    assert (np.isnan(ours) == np.isnan(expected)).all()
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-6, equal_nan=True)


def test_asem_aggregates_match_coinr(asem):
    units, _, stages = asem
    ours, names = stages["Aggregated"]
    expected = legacy("Data__Aggregated", units, names)
    assert len(names) == 49 + 8 + 2 + 1
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-6)


def test_asem_treatment_points_match_coinr(asem):
    units, codes, stages = asem
    treated = stages["Treated"]
    summary = pd.read_csv(LEGACY / "Analysis__Treated__TreatSummary.csv").set_index("IndCode")
    flags = pd.read_csv(LEGACY / "Analysis__Treated__TreatFlags.csv").set_index("UnitCode")
    assert not treated.details["logged"].any()  # COINr needed no log transform on ASEM
    for j, code in enumerate(codes):
        points = treated.details["winsorised"][:, j]
        assert (points > 0).sum() == summary.at[code, "High"], code
        assert (points < 0).sum() == summary.at[code, "Low"], code
        assert treated.details["count"][j] == summary.at[code, "High"] + summary.at[code, "Low"]
        expected = flags.loc[units, code].map({"No": 0, "WHigh": 1, "WLow": -1}).to_numpy()
        assert (points == expected).all(), code


def test_asem_replay_with_the_parameters_used(asem):
    """Each stage called again with the parameters it returned gives the same values."""
    _, _, stages = asem
    inputs = {"Imputed": "Denominated", "Treated": "Imputed", "Normalised": "Treated"}
    registries = {"Imputed": (IMPUTATION, "group_mean"), "Treated": (TREATMENT, "winsorise"),
                  "Normalised": (NORMALISATION, "minmax")}
    for stage, previous in inputs.items():
        registry, name = registries[stage]
        replay = call(registry, name, stages[previous].values, stages[stage].params)
        np.testing.assert_array_equal(replay.values, stages[stage].values)


@pytest.fixture(scope="module")
def benin():
    codebook_path = BENIN / "infranational_2023_codebook.csv"
    if not codebook_path.exists():
        pytest.skip(f"SDSN's Benin reference {BENIN} not found (set TURAQTY_SHARED)")
    codebook = pd.read_csv(codebook_path)
    base = pd.read_csv(BENIN / "infranational_2023_base_complete.csv")
    base.columns = [c.strip() for c in base.columns]  # some headers end in spaces
    return codebook, base


CATEGORY_SCORES = {
    "Égalité des sexes": "Score Genre",
    "Pauvreté et privation matérielle": "Score Pauvreté",
    "Inégalité de revenus et de richesse": "Score Revenu",
    "Accessibilité et qualité des services": "Score Services",
}


def test_benin_category_scores_match_sdsn(benin):
    codebook, base = benin
    assert len(base) == 13  # 12 departments and Benin
    values = base[codebook["IndCode"]].to_numpy(float)
    scores = call(NORMALISATION, "goalposts", values, {
        "lower": codebook["Limite inferieure"].to_numpy(),
        "upper": codebook["Valeur Cible"].to_numpy()}).values
    assert np.nanmin(scores) == 0 and np.nanmax(scores) == 100  # clipped to the goalposts
    category = codebook["Catégorie - ne laissez personne de côté"]
    names = list(CATEGORY_SCORES)
    membership = np.array([[c == name for name in names] for c in category])
    ours = call(AGGREGATION, "arithmetic", scores, {"membership": membership}).values
    published = base[[CATEGORY_SCORES[name] for name in names]].to_numpy(float)
    np.testing.assert_allclose(ours, published, rtol=0, atol=1e-3)


def test_benin_goalposts_with_explicit_directions(benin):
    """Bounds in natural order plus the codebook's direction give the same scores."""
    codebook, base = benin
    values = base[codebook["IndCode"]].to_numpy(float)
    lb, target = codebook["Limite inferieure"].to_numpy(), codebook["Valeur Cible"].to_numpy()
    sdsn = call(NORMALISATION, "goalposts", values, {"lower": lb, "upper": target}).values
    directions = np.where(codebook["Direction"] == "descending", -1, 1)
    assert ((directions < 0) == (lb > target)).all()
    natural = call(NORMALISATION, "goalposts", values, {
        "lower": np.minimum(lb, target), "upper": np.maximum(lb, target),
        "directions": directions}).values
    np.testing.assert_allclose(natural, sdsn, rtol=0, atol=1e-12)

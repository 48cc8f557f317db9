"""The general engine: frameworks of any shape from files, units catalogues, method files,
replays, the two external references (COINr's ASEM, SDSN's Benin) and bad inputs."""
from __future__ import annotations

import ast
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import turaqty
from turaqty.io.frameworks import read_framework

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "turaqty"
KZ = PACKAGE / "data" / "frameworks" / "kz-isdr"
EXTERNAL = Path(os.environ.get("TURAQTY_SHARED", ROOT.parent / "shared")) / "external"
TURAQTY = [sys.executable, "-m", "turaqty"]


def run(*args, cwd=None):
    return subprocess.run([*TURAQTY, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def four_pillar_copy(tmp_path: Path) -> Path:
    """kz-isdr copied, with B20–B22 moved into a fourth pillar 'governance'."""
    folder = tmp_path / "kz4"
    shutil.copytree(KZ, folder)
    rows = list(csv.DictReader((folder / "indicators.csv").open(encoding="utf-8")))
    for r in rows:
        if r["code"] in ("B20", "B21", "B22"):
            r["pillar"] = "governance"
    with (folder / "indicators.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with (folder / "aggregates.csv").open("a", encoding="utf-8") as fh:
        fh.write("governance,integral,1,arithmetic,4,7,Басқару,Управление,Governance\n")
    meta = json.loads((folder / "framework.json").read_text(encoding="utf-8"))
    meta["id"] = "kz4"
    (folder / "framework.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_four_pillars_sum_into_the_integral(tmp_path):
    fw = read_framework(four_pillar_copy(tmp_path))
    assert fw.index_columns == ("social", "economic", "ecological", "governance", "integral")
    a = turaqty.assess(framework=fw, profile=turaqty.get_method().replace(framework=""))
    ix = a.indices.set_index("unit_id")
    pillars = ix[["social", "economic", "ecological", "governance"]].sum(axis=1)
    np.testing.assert_allclose(ix["integral"], pillars, rtol=0, atol=1e-12)
    assert ix["integral"].max() > 20  # four pillars of 1–9, not one
    assert list(a.indices.columns[-5:]) == [f"level_{c}" for c in fw.index_columns]
    # the fourth pillar by hand: mean of the 1–9 scores of B20–B22
    by_hand = a.scores.set_index("unit_id")[["B20", "B21", "B22"]].mean(axis=1)
    assert ix["governance"].tolist() == pytest.approx(by_hand.tolist())


def test_kz_isdr_keeps_its_layout_and_levels():
    a = turaqty.assess()
    assert list(a.indices.columns) == [
        "unit_id", "name", "social", "economic", "ecological", "integral", "rank_social",
        "rank_economic", "rank_ecological", "rank_integral", "level_social", "level_economic",
        "level_ecological", "level_integral"]
    fw = a.framework
    assert fw.levels("social") == (4.0, 7.0) and fw.levels("integral") == (11.0, 19.0)


def three_level(tmp_path: Path, weights: dict[str, str] | None = None,
                data: str | None = None) -> tuple[Path, Path]:
    """A two-level tree over four indicators: x1, x2 → A; x3, x4 → B; A, B → top."""
    w = weights or {}
    folder = tmp_path / "fw"
    folder.mkdir(exist_ok=True)
    (folder / "structure.csv").write_text(
        "id,parent,type,weight,direction,name_en\n"
        f"top,,aggregate,1,,Top\nA,top,aggregate,{w.get('A', 1)},,A\nB,top,aggregate,{w.get('B', 1)},,B\n"
        f"x1,A,indicator,{w.get('x1', 1)},+,x1\nx2,A,indicator,1,-,x2\n"
        "x3,B,indicator,1,+,x3\nx4,B,indicator,1,+,x4\n", encoding="utf-8")
    (folder / "units.csv").write_text("id,name_en,aliases\nu1,Unit 1,U-1\nu2,Unit 2,\nu3,Unit 3,\n",
                                      encoding="utf-8")
    path = tmp_path / "data.csv"
    path.write_text(data or "region,x1,x2,x3,x4\nU-1,0,10,1,5\nUnit 2,5,0,2,\nu3,10,5,3,1\n",
                    encoding="utf-8")
    return folder, path


def test_two_level_tree_by_hand(tmp_path):
    folder, data = three_level(tmp_path)
    a = turaqty.assess(data, framework=folder, profile=turaqty.Method())
    ix = a.indices.set_index("unit_id")
    # scores 1–9: x1 1,5,9; x2 (−) 1,9,5; x3 1,5,9; x4 9,–,1
    assert ix["A"].tolist() == [1.0, 7.0, 7.0]
    assert ix["B"].tolist() == [5.0, 5.0, 5.0]
    assert ix["top"].tolist() == [3.0, 6.0, 6.0]
    assert ix["rank_top"].tolist() == [3, 1, 1]
    assert "level_top" not in ix.columns  # no level bands in this framework


def test_weights_from_the_framework_and_the_method(tmp_path):
    folder, data = three_level(tmp_path, weights={"x1": "3", "A": "2"})
    a = turaqty.assess(data, framework=folder, profile=turaqty.Method())
    ix = a.indices.set_index("unit_id")
    assert ix["A"].tolist() == pytest.approx([1.0, (3 * 5 + 9) / 4, (3 * 9 + 5) / 4])
    assert ix["top"].tolist() == pytest.approx([(2 * a_ + b) / 3
                                                for a_, b in zip(ix["A"], ix["B"], strict=True)])
    m = turaqty.Method.from_dict({"weights": {"x1": 1, "A": 1}})  # the method overrides
    b = turaqty.assess(data, framework=folder, profile=m).indices.set_index("unit_id")
    assert b["A"].tolist() == [1.0, 7.0, 7.0]


def test_weights_on_the_command_line(tmp_path):
    out = tmp_path / "w"
    p = run("assess", "--weight", "ecological=2", "--weight", "b48=0", "--out", out, "--quiet")
    assert p.returncode == 0, p.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["method"]["weights"] == {"B48": 0.0, "ecological": 2.0}
    ix = pd.read_csv(out / "indices.csv")
    m = turaqty.get_method().replace(weights={"ecological": 2.0, "B48": 0.0})
    expected = turaqty.assess(profile=m).indices
    np.testing.assert_allclose(ix["integral"], expected["integral"], rtol=0, atol=1e-12)
    a = turaqty.assess().indices  # the sum: the ecological index counts twice
    assert not np.allclose(ix["integral"], a["integral"])
    for bad in ("nowhere=1", "social=-1", "social=heavy"):
        p = run("assess", "--weight", bad, "--out", tmp_path / "bad")
        assert p.returncode == 2 and "--weight" in p.stderr and not (tmp_path / "bad").exists()


def test_availability_threshold(tmp_path):
    folder, data = three_level(tmp_path)
    m = turaqty.Method.from_dict({"availability": 0.75})
    ix = turaqty.assess(data, framework=folder, profile=m).indices.set_index("unit_id")
    assert np.isnan(ix.loc["u2", "B"]) and np.isnan(ix.loc["u2", "top"])  # 1 of 2 < 75 %
    assert ix.loc["u1", "B"] == 5.0
    assert pd.isna(ix.loc["u2", "rank_top"])


def test_availability_per_node(tmp_path):
    folder, data = three_level(tmp_path)
    m = turaqty.Method.from_dict({"availability": {"default": 0.75, "B": 0.5}})
    assert m.to_dict()["availability"] == {"default": 0.75, "B": 0.5}
    ix = turaqty.assess(data, framework=folder, profile=m).indices.set_index("unit_id")
    assert ix.loc["u2", "B"] == 5.0 and not np.isnan(ix.loc["u2", "top"])  # 1 of 2 ≥ 50 %


def test_replay_refuses_changed_data(tmp_path):
    folder, data = three_level(tmp_path)
    first = tmp_path / "first"
    assert run("assess", data, "--framework", folder, "--out", first, "--quiet").returncode == 0
    data.write_text(data.read_text(encoding="utf-8").replace("10,5,3,1", "10,5,3,2"), encoding="utf-8")
    p = run("assess", "--from", first / "manifest.json", "--out", tmp_path / "second")
    assert p.returncode == 2 and "SHA-256" in p.stderr and "--method" in p.stderr
    assert not (tmp_path / "second").exists()
    p = run("assess", data, "--framework", folder, "--method", first / "manifest.json",
            "--out", tmp_path / "third", "--quiet")
    assert p.returncode == 0, p.stderr


def test_coverage_counts_framework_indicators_absent_from_the_data(tmp_path):
    """A file with 6 of the 52 indicators gets no index (80 % rule) unless partial is allowed."""
    frame = turaqty.load_embedded().wide(national=True)[["B1", "B2", "B3", "B22", "B23", "B44"]]
    a = turaqty.assess(frame)
    assert a.indices["rank_integral"].isna().all() and a.indices["social"].isna().all()
    b = turaqty.assess(frame, profile=turaqty.get_method().replace(availability=0.0))
    assert b.indices["rank_integral"].notna().all()
    path = tmp_path / "six.csv"
    frame.to_csv(path, index_label="region")
    out = tmp_path / "out"
    assert run("assess", path, "--out", out, "--quiet").returncode == 0
    assert pd.read_csv(out / "indices.csv")["rank_integral"].isna().all()
    p = run("assess", path, "--out", out, "--quiet", "--allow-partial")
    assert p.returncode == 0 and "PARTIAL DATA" in p.stderr
    assert pd.read_csv(out / "indices.csv")["rank_integral"].notna().all()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["partial_indices"]) == {"social", "economic", "ecological", "integral"}
    assert "index_partial" in pd.read_csv(out / "warnings.csv")["code"].tolist()
    assert turaqty.assess().manifest["partial_indices"] == {}


def test_profiles_are_method_files_and_give_the_dissertations_table_13():
    d = turaqty.assess(profile="dissertation")
    assert d.ranking()["unit_id"].iloc[0] == "akmola"  # Table 13
    for name in turaqty.PROFILES:
        path = PACKAGE / "data" / "methods" / f"{name}.json"
        assert turaqty.read_method(path) == turaqty.get_method(name)


@pytest.mark.parametrize("method, expected", [
    ({"normalise": {"method": "zscore"}}, "zscore"),
    ({"normalise": {"method": "rank"}}, "rank"),
    ({"aggregate": {"method": "geometric"}, "normalise": {"method": "minmax", "scale": [1, 9]}}, "geometric"),
    ({"aggregate": {"method": "framework", "by_level": {"3": {"method": "harmonic"}}}}, "harmonic"),
])
def test_method_choices_change_the_result(tmp_path, method, expected):
    folder, data = three_level(tmp_path)
    base = turaqty.assess(data, framework=folder, profile=turaqty.Method()).indices["top"]
    m = turaqty.Method.from_dict(method)
    other = turaqty.assess(data, framework=folder, profile=m)
    assert expected in json.dumps(other.manifest["method"])
    assert not np.allclose(other.indices["top"], base, equal_nan=True)


def test_replay_is_byte_identical(tmp_path):
    folder, data = three_level(tmp_path)
    method = tmp_path / "m.yaml"
    method.write_text("normalise: {method: minmax, scale: [1, 100]}\naggregate: geometric\n"
                      "weights: {x1: 2}\n", encoding="utf-8")
    first, second = tmp_path / "first", tmp_path / "second"
    p = run("assess", data, "--framework", folder, "--method", method, "--out", first, "--quiet")
    assert p.returncode == 0, p.stderr
    p = run("assess", "--from", first / "manifest.json", "--out", second, "--quiet")
    assert p.returncode == 0, p.stderr
    assert (first / "indices.csv").read_bytes() == (second / "indices.csv").read_bytes()
    embedded = tmp_path / "embedded"
    assert run("assess", "--profile", "dissertation", "--out", embedded, "--quiet").returncode == 0
    again = tmp_path / "again"
    assert run("assess", "--from", embedded / "manifest.json", "--out", again, "--quiet").returncode == 0
    assert (embedded / "indices.csv").read_bytes() == (again / "indices.csv").read_bytes()


def test_framework_template_and_validate(tmp_path):
    out = tmp_path / "fw"
    p = run("framework", "template", out)
    assert p.returncode == 0, p.stderr
    p = run("framework", "validate", out)
    assert p.returncode == 0 and "4 indicators" in p.stdout
    p = run("assess", out / "data.csv", "--framework", out, "--out", tmp_path / "res", "--quiet")
    assert p.returncode == 0, p.stderr
    assert "rank_index" in (tmp_path / "res" / "indices.csv").read_text(encoding="utf-8-sig")


def test_framework_from_an_xlsx_workbook(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "structure"
    for row in (["id", "parent", "type", "direction"], ["top", None, "aggregate", None],
                ["x1", "top", "indicator", "+"], ["x2", "top", "indicator", "-"]):
        ws.append(row)
    units = wb.create_sheet("units")
    for row in (["id", "name_ru"], ["a", "Район А"], ["b", "Район Б"]):
        units.append(row)
    path = tmp_path / "fw.xlsx"
    wb.save(path)
    data = tmp_path / "d.csv"
    data.write_text("region,x1,x2\nРайон А,1,2\nРайон Б,3,1\n", encoding="utf-8")
    a = turaqty.assess(data, framework=path, profile=turaqty.Method())
    assert a.indices.set_index("unit_id")["top"].tolist() == [1.0, 9.0]


@pytest.mark.parametrize("structure, key, row", [
    ("id,parent,type\ntop,,aggregate\nA,B,aggregate\nB,A,aggregate\nx,A,indicator\ny,top,indicator\n",
     "framework_cycle", 3),
    ("id,parent,type\ntop,,aggregate\nx,nowhere,indicator\ny,top,indicator\n", "framework_orphan", 3),
    ("id,parent,type\ntop,,aggregate\nempty,top,aggregate\nx,top,indicator\n", "framework_no_children", 3),
    ("id,parent,type,weight\ntop,,aggregate,1\nx,top,indicator,-2\n", "framework_weight", 3),
    ("id,parent,type,weight\ntop,,aggregate,1\nx,top,indicator,heavy\n", "framework_number", 3),
    ("id,parent,type\ntop,,aggregate\nx,top,indicator\nx,top,indicator\n", "framework_duplicate", 4),
    ("id,parent,type\ntop,,aggregate\nother,,aggregate\nx,top,indicator\ny,other,indicator\n",
     "framework_roots", None),
])
def test_bad_frameworks(tmp_path, structure, key, row):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "structure.csv").write_text(structure, encoding="utf-8")
    with pytest.raises(turaqty.DataError) as err:
        read_framework(folder)
    problem = err.value.problems[0]
    assert problem.key == key and problem.row == row
    data = tmp_path / "d.csv"
    data.write_text("region,x\nAbai,1\nAkmola,2\n", encoding="utf-8")
    out = tmp_path / "out"
    p = run("assess", data, "--framework", folder, "--out", out)
    assert p.returncode == 2 and "structure.csv" in p.stderr and not out.exists()


@pytest.mark.parametrize("text, needle", [
    ("normalise: {method: minmaxx}", "minmaxx"),
    ("normalise: {method: minmax, scael: [0, 1]}", "scael"),
    ("normalise: {method: minmax, scale: zero}", "scale"),
    ("aggregate: {method: geometric, by_level: {one: arithmetic}}", "by_level"),
    ("weights: {x1: -1}", "weights.x1"),
    ("colour: red", "colour"),
    ("normalise: [", "method file"),
])
def test_bad_method_files(tmp_path, text, needle):
    folder, data = three_level(tmp_path)
    method = tmp_path / "m.yaml"
    method.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    p = run("assess", data, "--framework", folder, "--method", method, "--out", out)
    assert p.returncode == 2, p.stderr
    assert needle in p.stderr and "Traceback" not in p.stderr and not out.exists()


def test_bad_units_catalogues_and_data(tmp_path):
    folder, data = three_level(tmp_path)
    (folder / "units.csv").write_text("id,name_en\nu1,One\nu1,Uno\n", encoding="utf-8")
    p = run("assess", data, "--framework", folder, "--out", tmp_path / "o")
    assert p.returncode == 2 and "units.csv" in p.stderr and "row 3" in p.stderr
    (folder / "units.csv").write_text("id,name_en,aliases\nu1,One,X\nu2,Two,X\n", encoding="utf-8")
    p = run("assess", data, "--framework", folder, "--out", tmp_path / "o")
    assert p.returncode == 2 and "'X'" in p.stderr
    (tmp_path / "second").mkdir()
    folder, data = three_level(tmp_path / "second", data="region,x1,x9\nu1,1,2\nu2,3,4\n")
    p = run("assess", data, "--framework", folder, "--out", tmp_path / "o")
    assert p.returncode == 2 and "x9" in p.stderr and not (tmp_path / "o").exists()


def _external(name: str) -> Path:
    folder = EXTERNAL / name
    if not folder.is_dir():
        pytest.skip(f"{folder} not found: the external references are not beside the repository")
    return folder


def test_asem_reproduced_through_the_cli(tmp_path):
    _external("coinr-asem")
    out = tmp_path / "asem"
    env = {**os.environ, "TURAQTY": str(Path(sys.executable).parent / "turaqty")}
    p = subprocess.run([str(ROOT / "examples" / "asem" / "run"), str(out)], capture_output=True,
                       text=True, env=env)
    assert p.returncode == 0, p.stderr
    ours = pd.read_csv(out / "indices.csv", encoding="utf-8-sig").set_index("unit_id")
    legacy = EXTERNAL / "coinr-asem" / "ASEM_COIN_legacy"
    ref = pd.read_csv(legacy / "Data__Aggregated.csv").set_index("UnitCode")
    nodes = ["Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social", "SusEcFin",
             "Conn", "Sust", "Index"]
    assert list(ours.columns[1:12]) == nodes  # lowest level first, the root last
    np.testing.assert_allclose(ours[nodes], ref.loc[ours.index, nodes], rtol=0, atol=1e-6)
    ranks = pd.read_csv(legacy / "Results__AggregatesRank.csv").set_index("UnitCode")
    assert (ours["rank_Index"] == ranks.loc[ours.index, "Index"]).all()


def test_benin_reproduced_through_the_cli(tmp_path):
    _external("sdsn-benin")
    out = tmp_path / "benin"
    env = {**os.environ, "TURAQTY": str(Path(sys.executable).parent / "turaqty"),
           "PYTHON": sys.executable}
    p = subprocess.run([str(ROOT / "examples" / "benin" / "run"), str(out)], capture_output=True,
                       text=True, env=env)
    assert p.returncode == 0, p.stderr
    ours = pd.read_csv(out / "indices.csv", encoding="utf-8-sig").set_index("unit_id")
    base = pd.read_csv(EXTERNAL / "sdsn-benin" / "infranational_2023_base_complete.csv")
    base.columns = [c.strip() for c in base.columns]
    base = base.set_index(base["id"].str.strip())
    assert len(ours) == 13
    for category in ("Genre", "Pauvreté", "Revenu", "Services"):
        np.testing.assert_allclose(ours[category], base.loc[ours.index, f"Score {category}"],
                                   rtol=0, atol=1e-3)


LAYERS = ["core", "model", "io", "engine", "analysis", "report", "cli"]
BASE = {"errors", "i18n"}  # used by every layer


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "turaqty" or len(parts) == 1:
        return None
    name = parts[1]
    return "base" if name in BASE else name if name in LAYERS else None


def test_lower_layers_never_import_higher_ones():
    """core < model < io < engine < analysis < report < cli; errors and i18n are for all."""
    offences = []
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        own = _layer(module)
        if own in (None, "base", "cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for target in targets:
                other = _layer(target)
                if other in (None, "base") or other == own:
                    continue
                if LAYERS.index(other) > LAYERS.index(own):
                    offences.append(f"{module} imports {target}")
                if own == "core" and other != "core":
                    offences.append(f"{module} (core) imports {target}")
    assert not offences, "\n".join(offences)


def test_help_starts_fast_without_pandas():
    p = subprocess.run([sys.executable, "-X", "importtime", "-m", "turaqty", "--help"],
                       capture_output=True, text=True)
    assert p.returncode == 0
    imported = [line.rsplit("|", 1)[-1].strip() for line in p.stderr.splitlines()]
    assert "pandas" not in imported and "numpy" not in imported


PREVIOUS = {  # sha256 of the files of turaqty 0.1.0 (commit bfccc33), before the general engine
    ("default", "indices.csv"): "bbf87b6b1d34e9a5b00455e50314caf5816ef747299305a9a61c691e5862d448",
    ("default", "scores.csv"): "deff990f67914367473d053129cff78a86286afdd765e1afc3baaba860092c68",
    ("default", "matrix.csv"): "14f50d296c3f02a809d0288fee254740c4bd039e84149b0c5fc03fbda08e2e63",
    ("dissertation", "indices.csv"): "59864cdf0d5b4c58ea2232957233819358ebe65c0a5218956264b32151d568c5",
    ("dissertation", "scores.csv"): "89f06b5701ce54230039295423c9312ec4fa5f2ffb4cd04a2dc3844acc9fc030",
    ("dissertation", "matrix.csv"): "8ef6f8a4465fdaac129a0d9846c4f42c728a76c5d40dd0ca9579c449d85a27fa",
}


@pytest.mark.parametrize("profile, name", sorted(PREVIOUS))
def test_profiles_give_exactly_the_previous_outputs(profile, name):
    import hashlib

    from turaqty.report.outputs import assessment_files

    files = assessment_files(turaqty.assess(profile=profile))
    assert hashlib.sha256(files[name]).hexdigest() == PREVIOUS[(profile, name)]


def test_no_global_state_is_changed(tmp_path, monkeypatch):
    """Writing a result folder never touches the umask; argparse's translator and sys.stdout
    are as they were after a run."""
    import argparse

    from turaqty.cli import main

    def no_umask(*_):
        raise AssertionError("the process umask was changed")

    monkeypatch.setattr(os, "umask", no_umask)
    translator, stdout = argparse._, sys.stdout
    assert main(["--lang", "ru", "report", "--out", str(tmp_path / "r")]) == 0
    assert main(["template", "--out", str(tmp_path / "t.csv")]) == 0
    assert argparse._ is translator and sys.stdout is stdout
    assert (tmp_path / "r" / "report.html").stat().st_mode & 0o777 == 0o666 & ~_umask_now()


def _umask_now() -> int:
    """The umask read without changing it (Linux), else the usual 022."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022

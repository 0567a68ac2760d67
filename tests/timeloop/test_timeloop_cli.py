"""`focus timeloop-model` / `focus timeloop-mapper` end to end (in-process, through focus_tools.cli)."""

from __future__ import annotations

import json
import shutil

import pytest
from timeloop_testutil import need_refs, variant_files

from focus_tools.cli import main

SIMBA = "07_example_designs_conv_c3m32_224/simba_like"


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_model_json_has_the_promised_fields(capsys):
    code, out, _ = _run(capsys, "timeloop-model", *variant_files(SIMBA), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["cycles"] == 225792 and data["macs"] == 10838016
    assert data["utilization"] == pytest.approx(0.1875)
    assert data["energy_pJ"] == pytest.approx(239146133.67, rel=1e-6)  # expected: rounded fJ/compute x MACs
    assert data["energy_source"].startswith("ERT ") and data["energy_source"].endswith("timeloop-mapper.ERT.yaml")
    assert any(e["type"] == "spatial" for e in data["mapping"])
    levels = {lv["name"]: lv for lv in data["levels"]}
    w = levels["PEWeightRegs"]["dataspaces"]["Weights"]
    assert (w["reads"], w["fills"], w["updates"]) == (225792, 32256, 0)
    assert levels["DRAM"]["dataspaces"]["Outputs"]["energy_pJ"] > 0
    assert data["area_um2"] == {}  # no ART given
    art = [str(need_refs() / SIMBA / "timeloop-mapper.ART.yaml")]
    code, out, _ = _run(capsys, "timeloop-model", *variant_files(SIMBA), *art, "--json")
    area = json.loads(out)["area_um2"]
    assert area["mac"] == pytest.approx(106752.0)  # stats.txt "Area (total)" of the MACs
    assert area["PEWeightRegs"] / 256 == pytest.approx(49.12, abs=0.005)


def test_model_builtin_energy_and_text_summary(capsys):
    need_refs()
    files = variant_files("08_gemm_and_link_transfer_cases/pytimeloop_two_level_mm")
    code, out, _ = _run(capsys, "timeloop-model", *files)
    assert code == 0
    assert "Cycles: 64" in out and "Energy source: built-in table" in out
    code, out, _ = _run(capsys, "timeloop-model", *files, "--json")
    assert json.loads(out)["energy_pJ"] == pytest.approx(19590.9, abs=0.05)  # timeloop-python's assertion


def test_model_outputs_are_deterministic(capsys, tmp_path):
    files = variant_files(SIMBA)
    for sub in ("a", "b"):
        assert _run(capsys, "timeloop-model", *files, "-o", str(tmp_path / sub))[0] == 0
    for name in ("timeloop-model.stats.txt", "timeloop-model.map.txt", "timeloop-model.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    txt = (tmp_path / "a" / "timeloop-model.map.txt").read_text()
    assert "for C in [0:3) (Spatial-X)" in txt and "PEWeightBuffer [ Weights:18 (18) ]" in txt


def test_model_accepts_map_txt(capsys):
    need_refs()
    files = variant_files(SIMBA, with_mapping=False) + [str(need_refs() / SIMBA / "timeloop-mapper.map.txt")]
    code, out, _ = _run(capsys, "timeloop-model", *files, "--json")
    assert code == 0 and json.loads(out)["cycles"] == 225792


def test_mapper_json_and_determinism(capsys, tmp_path):
    files = variant_files("05_ex05_mapper_conv1d_oc_3level/freebypass", with_mapping=False)
    code, out1, err = _run(capsys, "timeloop-mapper", *files, "--json", "--seed", "4", "-o", str(tmp_path))
    assert code == 0 and "mappings scored" in err
    code, out2, _ = _run(capsys, "timeloop-mapper", *files, "--json", "--seed", "4")
    assert out1 == out2
    data = json.loads(out1)
    assert data["objective"] == "edp" and data["search"]["evaluations"] > 0
    assert data["energy_pJ"] <= 46485.5 * 1.05 and data["cycles"] == 1536
    for suffix in ("stats.txt", "map.txt", "map.yaml", "json"):
        assert (tmp_path / f"timeloop-mapper.{suffix}").exists()
    # the written mapping replays with timeloop-model to the same numbers
    replay = files + [str(tmp_path / "timeloop-mapper.map.yaml")]
    code, out3, _ = _run(capsys, "timeloop-model", *replay, "--json")
    assert code == 0 and json.loads(out3)["energy_pJ"] == data["energy_pJ"]


def test_mapper_objective_flag(capsys):
    files = variant_files("07_example_designs_conv_c3m32_224/eyeriss_like", with_mapping=False)
    code, out, _ = _run(capsys, "timeloop-mapper", *files, "--json", "--objective", "delay", "--effort", "0.3")
    assert code == 0 and json.loads(out)["objective"] == "delay"


@pytest.mark.skipif(shutil.which("timeloop-mapper") is not None, reason="a real timeloop-mapper is installed")
def test_engine_timeloop_without_binary_is_exit_2(capsys):
    files = variant_files("05_ex05_mapper_conv1d_oc_3level/null", with_mapping=False)
    code, out, err = _run(capsys, "timeloop-mapper", *files, "--engine", "timeloop")
    assert code == 2
    assert err.strip().count("\n") == 0 and "timeloop-mapper: not found on PATH" in err


@pytest.mark.skipif(shutil.which("timeloop-model") is None, reason="needs a real timeloop-model on PATH")
def test_engine_timeloop_model_matches_focus(capsys, tmp_path):
    files = variant_files(SIMBA)
    code, out, _ = _run(capsys, "timeloop-model", *files, "--engine", "timeloop", "--json", "-o", str(tmp_path))
    assert code == 0
    assert json.loads(out)["cycles"] == 225792


def test_errors_are_one_line_exit_2(capsys, tmp_path):
    code, _, err = _run(capsys, "timeloop-model", str(tmp_path / "missing.yaml"))
    assert code == 2 and "missing.yaml: no such file" in err and err.count("\n") == 1
    # a mapping whose tiles overflow a buffer names the level and the data space
    need_refs()
    bad = tmp_path / "map.yaml"
    bad.write_text("mapping:\n"
                   "  - {target: Buffer, type: temporal, factors: R=3 P=16, permutation: RP}\n"
                   "  - {target: MainMemory, type: temporal, factors: R=1 P=1, permutation: RP}\n")
    small = tmp_path / "small.yaml"
    small.write_text("architecture:\n  version: 0.3\n  subtree:\n  - name: S\n    local:\n"
                     "    - {name: MainMemory, class: DRAM, attributes: {width: 64, datawidth: 8}}\n"
                     "    - {name: Buffer, class: regfile, attributes: {depth: 8, width: 8, datawidth: 8}}\n"
                     "    - {name: MAC, class: intmac, attributes: {datawidth: 8}}\n")
    prob = need_refs() / "01_ex00_conv1d_1level" / "inputs" / "prob" / "conv1d.prob.yaml"
    code, _, err = _run(capsys, "timeloop-model", str(small), str(prob), str(bad))
    assert code == 2 and err.count("\n") == 1
    assert "Buffer: tiles" in err and "exceed its capacity 8" in err and "largest: Inputs" in err

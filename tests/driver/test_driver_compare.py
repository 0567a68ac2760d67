"""`focus compare`: both presets on one chip, side by side."""

from __future__ import annotations

import dataclasses
import json

import pytest
from driver_helpers import TINY_TASK, cache_env, png_ok

from focus_tools.cli import main


@pytest.fixture(scope="module")
def compared(cache_dir, tmp_path_factory):
    """`focus compare TINY --json --out DIR` (no --mesh): (exit code, parsed JSON, out dir)."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("compare")
    buf = io.StringIO()
    with cache_env(cache_dir), contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
        code = main(["compare", str(TINY_TASK), "--json", "--out", str(out), "--no-progress"])
    return code, json.loads(buf.getvalue()), out


def test_compare_runs_both_presets_on_the_larger_default_mesh(compared, focus_cache):
    from focus_tools.commands.compare import default_mesh
    from focus_tools.driver import RunOptions

    code, doc, out = compared
    assert code == 0
    assert set(doc["presets"]) == {"focus", "focus-original"}
    base = RunOptions(task=str(TINY_TASK), progress=False)
    meshes = {p: default_mesh(dataclasses.replace(base, preset=p)) for p in doc["presets"]}
    side = max(max(m) for m in meshes.values())
    assert doc["mesh"] == f"{side}x{side}"
    for name, row in doc["presets"].items():
        assert row["mesh"] == doc["mesh"]
        assert row["total_cycles"] >= row["compute_lower_bound"] > 0
        report = json.loads((out / name / "report.json").read_text())
        assert report["preset"] == name and report["total_cycles"] == row["total_cycles"]
        assert report["mesh"] == [side, side]
        png_ok(out / name / "gantt.png")
        assert (out / name / "trace.json").is_file()
    # same workload: the compute lower bound does not depend on the preset's NoC choices
    assert doc["presets"]["focus"]["compute_lower_bound"] == doc["presets"]["focus-original"]["compute_lower_bound"]
    assert doc["speedup"] == pytest.approx(doc["presets"]["focus-original"]["total_cycles"] /
                                           doc["presets"]["focus"]["total_cycles"], rel=1e-5)


def test_compare_table_lists_both_presets(compared):
    from focus_tools.commands.compare import table

    text = table(compared[1]["presets"])
    lines = text.splitlines()
    assert "focus-original" in lines[1] and "| focus" in lines[1].replace("focus-original", "")
    for label in ("total cycles", "compute lower bound", "slowdown", "energy (uJ)", "busiest link",
                  "compile (s)", "simulate (s)"):
        assert any(line.startswith(f"| {label} ") for line in lines), label
    row = next(line for line in lines if line.startswith("| total cycles"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    orig, ours = (int(c.replace(",", "")) for c in cells[1:3])
    assert (orig, ours) == (compared[1]["presets"]["focus-original"]["total_cycles"],
                            compared[1]["presets"]["focus"]["total_cycles"])
    assert cells[3] == f"{orig / ours:.3f}x"


def test_compare_reports_a_failing_preset_in_its_column(focus_cache, capsys):
    code = main(["compare", str(TINY_TASK), "--mesh", "6x6", "--max-cycles", "50", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 3  # the simulation stopped at the cycle limit: a SimulationDeadlock-class error
    assert out.splitlines()[0] == f"{TINY_TASK}: mesh 6x6, seed 0"
    assert "| total cycles        |          error | error |" in out
    assert "focus-original: error: cycle limit 50 reached" in out and "focus: error: cycle limit 50" in out

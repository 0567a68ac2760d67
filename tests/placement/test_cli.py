"""`focus place`: import + dataflow search + placement, its JSON, PNG and module outputs, and its errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tiny_task import TINY_MODELS, write_tiny_task
from xdsl.parser import Parser

from focus_dialects import placed_subop
from focus_tools.cli import main
from focus_tools.driver import make_context
from passes.place_subops import subop_problem
from passes.placed_subop_check import PlacedSubopCheckPass
from passes.placement import placement_cost

REPO = Path(__file__).resolve().parents[2]
FOCUS = REPO / ".venv" / "bin" / "focus"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
N_LAYERS = sum(len(v) for v in TINY_MODELS.values())


@pytest.fixture
def task(tmp_path, monkeypatch):
    monkeypatch.setenv("FOCUS_CACHE_DIR", str(tmp_path / "cache"))
    return write_tiny_task(tmp_path / "data")


def run_place(capsys, *argv) -> tuple[int, str, str]:
    code = main(["place", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def parse(text: str):
    ctx = make_context()
    return ctx, Parser(ctx, text).parse_module()


def test_place_writes_json_png_and_module(task, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    code, stdout, stderr = run_place(capsys, task, "--json", out / "p.json", "--plot", out / "p.png",
                                     "-o", out / "p.mlir", "--seed", 3)
    assert code == 0 and stderr == ""
    assert stdout.startswith(f"{task}: placed ") and "[focus, anneal, seed 3]" in stdout
    data = json.loads((out / "p.json").read_text())

    # schema
    assert set(data) == {"task", "preset", "strategy", "seed", "mesh", "memory_pes", "memory_compute",
                         "time_sharing", "groups", "pes", "cost", "stats"}
    assert (data["preset"], data["strategy"], data["seed"], data["time_sharing"]) == ("focus", "anneal", 3, False)
    w, h = data["mesh"]
    assert set(data["cost"]) == {"total", "flit_hops", "max_link_load", "link_weight", "offchip_messages"}
    cost = data["cost"]
    assert cost["total"] == cost["flit_hops"] + cost["link_weight"] * cost["max_link_load"] > 0
    memory = {tuple(pe) for pe in data["memory_pes"]}
    groups = {g["name"]: g for g in data["groups"]}
    for g in data["groups"]:
        assert set(g) == {"name", "model", "layer", "kind", "memory", "pe", "subops"}
        assert g["kind"] in ("source", "worker", "sink") and g["subops"] and g["name"] in g["subops"]
        x, y = g["pe"]
        assert 0 <= x < w and 0 <= y < h
        if g["memory"]:  # memory sources and writeback sinks
            assert tuple(g["pe"]) in memory
    assert {g["layer"] for g in data["groups"]} == {f"{m}_layer{i + 1}" for m, ls in TINY_MODELS.items()
                                                    for i in range(len(ls))}
    # the last layer of each model writes its output back: a sink on a memory PE
    assert {n for n, g in groups.items() if g["kind"] == "sink" and g["memory"]} == {
        "tinycnn_layer3.sink", "tinymlp_layer2.sink"}
    # per-PE lists are the inverse of group -> PE, one compute group per PE
    listed = [(tuple(p["pe"]), n) for p in data["pes"] for n in p["groups"]]
    assert sorted(listed) == sorted((tuple(g["pe"]), n) for n, g in groups.items())
    for p in data["pes"]:
        assert p["memory"] == (tuple(p["pe"]) in memory)
        assert sum(groups[n]["kind"] != "source" for n in p["groups"]) <= 1
    # the smallest square mesh that fits: one compute group per PE, and not one size smaller
    compute = sum(g["kind"] != "source" for g in data["groups"])
    assert w == h and compute <= w * h and compute > (w - 1) ** 2

    # PNG: the signature, and matplotlib reads it back
    png = (out / "p.png").read_bytes()
    assert png[:8] == PNG_MAGIC
    import matplotlib.image

    img = matplotlib.image.imread(str(out / "p.png"))
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 200

    # the module: placed, passes the checks, and its cost matches the JSON
    ctx, module = parse((out / "p.mlir").read_text())
    PlacedSubopCheckPass().apply(ctx, module)
    placed = [o for o in module.ops if isinstance(o, (placed_subop.SourceOp, placed_subop.WorkerOp,
                                                      placed_subop.SinkOp))]
    assert len(placed) == sum(len(g["subops"]) for g in data["groups"])
    dev = next(o for o in module.ops if o.name == "chip.device")
    problem, group_of = subop_problem(module, tuple(dev.memory), dev.memory_compute is not None, "t")
    pe_of = {g: op.pe.xy for op, g in group_of.items()}
    assert all(pe_of[n] == tuple(g["pe"]) for n, g in groups.items())
    assert placement_cost(problem, pe_of) == cost["total"]


def test_place_is_deterministic(task, tmp_path, capsys):
    outs = []
    for k in range(2):
        d = tmp_path / f"run{k}"
        d.mkdir()
        assert run_place(capsys, task, "--json", d / "p.json", "--plot", d / "p.png", "--mesh", "5x5")[0] == 0
        outs.append(((d / "p.json").read_bytes(), (d / "p.png").read_bytes()))
    assert outs[0] == outs[1]


def test_original_preset_places_with_hilbert_and_no_writeback(task, tmp_path, capsys):
    bank = task.parent.parent / "database"
    code, stdout, _ = run_place(capsys, task, "--preset", "focus-original", "--layer-bank", bank,
                                "--json", tmp_path / "o.json")
    assert code == 0 and "[focus-original, hilbert, seed 0]" in stdout
    data = json.loads((tmp_path / "o.json").read_text())
    assert data["memory_compute"] is False
    memory = {tuple(pe) for pe in data["memory_pes"]}
    for g in data["groups"]:
        assert g["memory"] == (g["kind"] == "source")  # writeback=false: no sink touches memory
        assert (tuple(g["pe"]) in memory) == (g["kind"] == "source")


def test_strategy_option_and_time_sharing(task, tmp_path, capsys):
    code, stdout, _ = run_place(capsys, task, "--strategy", "snake", "--mesh", "3x3", "--allow-time-sharing",
                                "--json", tmp_path / "s.json")
    assert code == 0 and "[focus, snake, seed 0]" in stdout and "time-shared PEs" in stdout
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["mesh"] == [3, 3] and data["time_sharing"] is True


@pytest.mark.parametrize("argv,message", [
    (["--strategy", "tetris"], "--strategy 'tetris' is unknown (valid: hilbert, snake, random, anneal)"),
    (["--preset", "fast"], "preset 'fast' is unknown (valid: focus, focus-original)"),
    (["--mesh", "4by4"], "--mesh: '4by4', expected WIDTHxHEIGHT"),
    (["--strategy", "hilbert", "--iterations", "10"], "--iterations 10: needs --strategy anneal"),
])
def test_bad_options_are_one_line_errors(task, capsys, argv, message):
    code, _, err = run_place(capsys, task, *argv)
    assert code == 2 and err.count("\n") == 1 and message in err


def test_too_small_mesh_is_one_line_and_exit_2_through_the_cli(task, tmp_path):
    env = dict(os.environ, FOCUS_CACHE_DIR=str(tmp_path / "cache"))
    res = subprocess.run([str(FOCUS), "place", str(task), "--mesh", "3x3"], capture_output=True, text=True,
                         env=env, cwd=tmp_path, check=False)
    assert res.returncode == 2 and res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"focus place: error: {task}: needs ")
    assert lines[0].endswith("compute PEs, the 3x3 mesh has 9; use a larger mesh or allow time sharing")


def test_missing_task_is_one_line(tmp_path, capsys):
    code, _, err = run_place(capsys, tmp_path / "nope.yaml")
    assert code == 2 and err.count("\n") == 1 and "nope.yaml" in err


def test_help_lists_the_options():
    res = subprocess.run([sys.executable, "-m", "focus_tools.cli", "place", "--help"], capture_output=True,
                         text=True, cwd=REPO, check=True)
    for opt in ("--layer-bank", "--mesh", "--strategy", "--seed", "--preset", "--plot", "--json", "-o"):
        assert opt in res.stdout


EXAMPLE = REPO / "examples" / "tasks" / "residual_block.yaml"


@pytest.mark.skipif(not EXAMPLE.is_file(), reason="examples/tasks/residual_block.yaml is absent")
def test_example_dag_task_on_its_own_mesh(tmp_path, capsys, monkeypatch):
    """The task names its 6x6 chip: too small one group per PE, fine when PEs are time-shared."""
    monkeypatch.setenv("FOCUS_CACHE_DIR", str(tmp_path / "cache"))
    code, _, err = run_place(capsys, EXAMPLE)
    assert code == 2 and err.count("\n") == 1 and "the 6x6 mesh has 36; use a larger mesh or allow time sharing" in err
    code, stdout, _ = run_place(capsys, EXAMPLE, "--allow-time-sharing", "--json", tmp_path / "r.json",
                                "--strategy", "hilbert")
    assert code == 0 and "time-shared PEs" in stdout
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["mesh"] == [6, 6] and data["time_sharing"] is True
    groups = {g["name"]: g for g in data["groups"]}
    # the stem's tensor feeds three layers: their input sources share the stem's sink group
    assert groups["cnn.stem.sink"]["subops"] == ["cnn.stem.sink", "cnn.branch_a.src.Inputs",
                                                 "cnn.branch_b.src.Inputs", "cnn.residual.src.B"]
    # the classifier is the model output: written back from a memory PE
    assert groups["cnn.classifier.sink"]["memory"] and tuple(groups["cnn.classifier.sink"]["pe"]) in {
        tuple(pe) for pe in data["memory_pes"]}
    per_pe = [sum(groups[n]["kind"] != "source" for n in p["groups"]) for p in data["pes"]]
    assert max(per_pe) == 2


def test_outputs_are_byte_identical_across_hash_seeds(task, tmp_path):
    outs = []
    for hash_seed in ("1", "777"):
        d = tmp_path / f"h{hash_seed}"
        d.mkdir()
        env = dict(os.environ, FOCUS_CACHE_DIR=str(tmp_path / "cache"), PYTHONHASHSEED=hash_seed)
        subprocess.run([str(FOCUS), "place", str(task), "--json", str(d / "p.json"), "-o", str(d / "p.mlir")],
                       capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
        outs.append(((d / "p.json").read_bytes(), (d / "p.mlir").read_bytes()))
    assert outs[0] == outs[1]

"""`focus draw FILE.mlir -o FILE.png` on every level, generated with focus-opt from a small tensor_op input."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from driver_helpers import TINY_TASK, cache_env, png_ok

from focus_tools.cli import main

STAGES = [  # level -> pass that produces it from the previous level
    ("tiled_subop", "dataflow-search{objective=delay writeback=true}"),
    ("placed_subop", "place-subops{strategy=anneal seed=0}"),
    ("routed_message", "route-messages{unicast=adaptive multicast=steiner search=anneal seed=0}"),
    ("pe_isa", "lower-to-pe-isa"),
]


def focus_opt(*args: str) -> str:
    exe = Path(sys.executable).parent / "focus-opt"
    res = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.fixture(scope="module")
def levels(cache_dir, tmp_path_factory):
    """level -> .mlir file: the tiny task imported (tensor_op), then each pass of the focus pipeline."""
    d = tmp_path_factory.mktemp("levels")
    files = {"tensor_op": d / "tensor_op.mlir"}
    with cache_env(cache_dir):
        files["tensor_op"].write_text(focus_opt(str(TINY_TASK)))
        prev = files["tensor_op"]
        for level, spec in STAGES:
            files[level] = d / f"{level}.mlir"
            files[level].write_text(focus_opt(str(prev), "-p", spec))
            prev = files[level]
    return files


@pytest.mark.parametrize("level", ["tensor_op", "tiled_subop", "placed_subop", "routed_message", "pe_isa"])
def test_draw_each_level(levels, level, tmp_path, capsys):
    src = levels[level]
    png = tmp_path / f"{level}.png"
    assert main(["draw", str(src), "-o", str(png)]) == 0
    assert capsys.readouterr().out.strip() == f"{png}: {level}"
    png_ok(png)


def test_levels_are_drawn_differently(levels, tmp_path, capsys):
    digests = set()
    for level, src in levels.items():
        assert main(["draw", str(src), "-o", str(tmp_path / f"{level}.png")]) == 0
        digests.add(hashlib.sha256((tmp_path / f"{level}.png").read_bytes()).hexdigest())
    assert len(digests) == 5


def test_default_output_is_beside_the_input(levels, tmp_path, capsys):
    src = tmp_path / "m.mlir"
    src.write_text(levels["tensor_op"].read_text())
    assert main(["draw", str(src)]) == 0
    png_ok(tmp_path / "m.png")


def test_drawable_data_from_each_level(levels):
    """What the drawings show is read from the IR: layers and dependencies, sub-operators and streams,
    PEs, routes and programs."""
    from backend_sim import plots
    from focus_tools.commands.draw import parse_module

    mods = {level: parse_module(path) for level, path in levels.items()}
    assert {level: plots.level_of(m) for level, m in mods.items()} == {level: level for level in mods}
    layers = plots.layers_from_ir(mods["tensor_op"])
    deps = {row["name"]: row["deps"] for row in layers}
    assert deps == {"cnn.conv1": [], "cnn.conv2": ["cnn.conv1"], "cnn.residual": ["cnn.conv2", "cnn.conv1"],
                    "cnn.fc": ["cnn.residual"], "mlp.hidden": [], "mlp.out": ["mlp.hidden"]}
    tiled_deps = {row["name"]: sorted(row["deps"]) for row in plots.layers_from_ir(mods["tiled_subop"])}
    assert tiled_deps == {k: sorted(v) for k, v in deps.items()}
    g = plots.subop_graph_from_ir(mods["tiled_subop"])
    assert {d["role"] for _, d in g.nodes(data=True)} == {"source", "worker", "sink"}
    assert all(d["pe"] is None for _, d in g.nodes(data=True))
    hidden_workers = [v for v, d in g.nodes(data=True) if d["layer"] == "mlp.hidden" and d["role"] == "worker"]
    assert len(hidden_workers) >= 1 and all(g.has_edge(w, "mlp.hidden.sink") for w in hidden_workers)
    for v, d in g.nodes(data=True):  # streams: workers read and write, sinks read, memory sources write
        if d["role"] == "worker":
            assert g.in_degree(v) > 0 and g.out_degree(v) > 0
        elif d["role"] == "sink":
            assert g.in_degree(v) > 0
    placed = plots.subop_graph_from_ir(mods["placed_subop"])
    assert set(placed.nodes) == set(g.nodes) and all(d["pe"] is not None for _, d in placed.nodes(data=True))
    msgs = plots.messages_from_ir(mods["routed_message"])
    text = levels["routed_message"].read_text()
    assert len(msgs) == text.count("routed_message.message @") > 0
    for m in msgs:  # every route starts at the source and reaches every destination
        heads = {b for _, b in m["links"]}
        assert set(map(tuple, m["dsts"])) <= heads and tuple(m["src"]) not in heads
    pe_msgs = plots.messages_from_ir(mods["pe_isa"])
    assert len(pe_msgs) >= len(msgs)  # plus control messages
    progs = plots.programs_from_ir(mods["pe_isa"])
    assert len(progs) == levels["pe_isa"].read_text().count("pe_isa.program on")
    sends = sum(b["sends"] for blocks in progs.values() for b in blocks)
    recvs = sum(b["recvs"] for blocks in progs.values() for b in blocks)
    assert sends > 0 and recvs >= sends


def test_draw_accepts_a_task_file(focus_cache, tmp_path, capsys):
    png = tmp_path / "task.png"
    assert main(["draw", str(TINY_TASK), "-o", str(png)]) == 0
    assert capsys.readouterr().out.strip() == f"{png}: tensor_op"
    png_ok(png)


@pytest.mark.parametrize("content, argv, message", [
    ("garbage\n", [], "bad.mlir:2:1: Operation garbage is not registered"),
    ("builtin.module {\n}\n", [], "no tensor_op, tiled_subop, placed_subop, routed_message or pe_isa ops"),
    (None, [], "nope.mlir: no such file"),
    ("LEVEL", ["--level", "pe_isa"], "--level pe_isa, but the module is at level tensor_op"),
    ("LEVEL", ["-o", "x.jpg"], "expected a .png file"),
])
def test_draw_errors_are_one_line(levels, tmp_path, capsys, content, argv, message):
    name = "nope.mlir" if content is None else "bad.mlir"
    src = tmp_path / name
    if content == "LEVEL":
        src.write_text(levels["tensor_op"].read_text())
    elif content is not None:
        src.write_text(content)
    argv = [str(tmp_path / a) if a.endswith(".jpg") else a for a in argv]
    code = main(["draw", str(src), *argv])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err, err

"""`focus route`: import + dataflow search + placement + routing; its JSON, PNG and module outputs, its errors."""

import json
import os
import re
import struct
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from xdsl.parser import Parser

from focus_dialects import routed_message
from focus_tools.cli import main
from focus_tools.driver import make_context
from passes.routed_message_check import RoutedMessageCheckPass
from passes.routing import Mesh, route_error

REPO = Path(__file__).resolve().parents[2]
FOCUS = REPO / ".venv" / "bin" / "focus"
TASK = REPO / "examples" / "tiny" / "task.yaml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(not TASK.is_file(), reason="examples/tiny/task.yaml is absent")


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FOCUS_CACHE_DIR", str(tmp_path / "cache"))


def run_route(capsys, *argv) -> tuple[int, str, str]:
    code = main(["route", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def parse(text: str):
    ctx = make_context()
    return ctx, Parser(ctx, text).parse_module()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_route_writes_json_png_and_module(tmp_path, capsys):
    code, stdout, stderr = run_route(capsys, TASK, "--json", tmp_path / "r.json", "--plot", tmp_path / "r.png",
                                     "-o", tmp_path / "r.mlir", "--budget", 150, "--seed", 2)
    assert code == 0 and stderr == ""
    assert stdout.startswith(f"{TASK}: routed ") and stdout.count("\n") == 1
    assert "[focus, unicast adaptive, multicast steiner, search anneal, seed 2]" in stdout
    assert "150 evaluations" in stdout

    w, h = png_size((tmp_path / "r.png").read_bytes())
    assert w > 300 and h > 300

    data = json.loads((tmp_path / "r.json").read_text())
    assert set(data) == {"task", "preset", "mesh", "unicast", "multicast", "search", "seed", "evaluations",
                         "link_bandwidth", "cost", "start_cost", "messages", "links", "routers"}
    assert (data["preset"], data["unicast"], data["multicast"], data["search"], data["seed"], data["evaluations"]) \
        == ("focus", "adaptive", "steiner", "anneal", 2, 150)
    mesh = Mesh(*data["mesh"])
    assert data["messages"], "the tiny task has inter-PE streams"
    names = {m["name"] for m in data["messages"]}
    load = defaultdict(int)
    for m in data["messages"]:
        assert set(m) == {"name", "ir_names", "src", "dsts", "flits", "packets", "priority", "after", "algorithm",
                          "kind", "minimal", "start", "finish", "copies"}
        assert set(m["after"]) <= names and m["flits"] >= 1 and m["packets"] >= 1
        assert m["start"] <= m["finish"] <= data["cost"]["makespan"]
        src = tuple(m["src"])
        reached = []
        for c in m["copies"]:
            links = [(tuple(a), tuple(b)) for a, b in c["links"]]
            assert c["vc"] in (0, 1)
            assert route_error(mesh, src, links, [tuple(d) for d in c["dsts"]]) is None
            reached += [tuple(d) for d in c["dsts"]]
            for link in links:
                load[link] += m["flits"] * m["packets"]
        assert sorted(reached) == sorted(tuple(d) for d in m["dsts"])
    # link loads, routers and the cost figures are those of the routes
    assert {(tuple(l["from"]), tuple(l["to"])): l["load"] for l in data["links"]} == dict(load)
    assert data["cost"]["max_link_load"] == max(load.values())
    assert data["cost"]["flit_hops"] == sum(load.values())
    per_router = defaultdict(int)
    for (a, _), flits in load.items():
        per_router[a] += flits
    assert {tuple(r["pe"]): r["load"] for r in data["routers"]} == dict(per_router)
    start = data["start_cost"]
    assert (data["cost"]["makespan"], data["cost"]["max_link_load"], data["cost"]["flit_hops"]) <= \
        (start["makespan"], start["max_link_load"], start["flit_hops"])

    # the module: routed_message level, passes the route check, one op per IR name
    ctx, module = parse((tmp_path / "r.mlir").read_text())
    RoutedMessageCheckPass().apply(ctx, module)
    ops = {op.sym_name.data: op for op in module.walk() if isinstance(op, routed_message.MessageOp)}
    assert set(ops) == {n for m in data["messages"] for n in m["ir_names"]}
    for m in data["messages"]:
        assert ops[m["ir_names"][0]].priority.value.data == m["priority"]


def test_route_is_deterministic_and_follows_the_options(tmp_path, capsys):
    outs = []
    for k in range(2):
        d = tmp_path / str(k)
        d.mkdir()
        code, stdout, _ = run_route(capsys, TASK, "--multicast", "whirl", "--search", "evolve", "--budget", 60,
                                    "--json", d / "r.json", "--plot", d / "r.png", "-o", d / "r.mlir")
        assert code == 0
        stdout = re.sub(r"routing [0-9.]+ s", "routing - s", stdout)  # the only wall-clock figure
        outs.append((stdout, *((d / f).read_bytes() for f in ("r.json", "r.png", "r.mlir"))))
    assert outs[0] == outs[1]
    data = json.loads(outs[0][1])
    assert (data["unicast"], data["multicast"], data["search"]) == ("adaptive", "whirl", "evolve")
    assert data["evaluations"] <= 60


def test_original_preset_routes_star_copies_without_search(tmp_path, capsys):
    code, stdout, _ = run_route(capsys, TASK, "--preset", "focus-original", "--json", tmp_path / "r.json")
    assert code == 0 and "[focus-original, unicast xy, multicast star, search none, seed 0]" in stdout
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["evaluations"] == 0 and data["start_cost"] is None
    assert all(m["priority"] == 0 for m in data["messages"])
    multicast = [m for m in data["messages"] if len(m["dsts"]) > 1]
    assert all(m["kind"] == "star" and len(m["copies"]) == len(m["dsts"]) for m in multicast)


@pytest.mark.parametrize("argv,message", [
    (["--unicast", "west-first"], "--unicast 'west-first' is unknown (valid: xy, yx, adaptive)"),
    (["--multicast", "mesh"], ("--multicast 'mesh' is unknown (valid: xy, yx, star, rpm, bam, whirl, steiner, "
                               "steiner-min)")),
    (["--search", "tabu"], "--search 'tabu' is unknown (valid: none, anneal, evolve)"),
    (["--budget", "-1"], "--budget -1: must be a number of evaluations >= 0"),
    (["--plot", "/nonexistent-dir/r.png"], "/nonexistent-dir/r.png: the folder /nonexistent-dir does not exist"),
    (["--mesh", "4by4"], "4by4"),
])
def test_bad_options_are_one_line_errors(capsys, argv, message):
    code, out, err = run_route(capsys, TASK, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err
    assert err.startswith("focus route: error: ")


def test_bad_preset_and_strategy_are_one_line_errors(capsys):
    code, _, err = run_route(capsys, TASK, "--preset", "fast")
    assert code == 2 and err == "focus route: error: preset 'fast' is unknown (valid: focus, focus-original)\n"
    code, _, err = run_route(capsys, TASK, "--strategy", "tetris")
    assert code == 2 and err.count("\n") == 1 and "--strategy 'tetris' is unknown" in err


@pytest.mark.parametrize("argv,message", [
    (["--seed", "abc"], "argument --seed: invalid int value: 'abc'"),
    ([], "the following arguments are required: TASK"),
])
def test_command_line_errors_are_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        main(["route", *([str(TASK)] if argv else []), *argv])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err == f"focus route: error: {message}\n"


def test_missing_task_is_one_line(tmp_path, capsys):
    code, _, err = run_route(capsys, tmp_path / "nope.yaml")
    assert code == 2 and err.count("\n") == 1 and "nope.yaml" in err


def test_bad_option_through_the_cli_is_one_line_and_exit_2(tmp_path):
    env = dict(os.environ, FOCUS_CACHE_DIR=str(tmp_path / "cache"))
    res = subprocess.run([str(FOCUS), "route", str(TASK), "--unicast", "zigzag"], capture_output=True, text=True,
                         env=env, cwd=tmp_path, check=False)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.splitlines() == [
        "focus route: error: --unicast 'zigzag' is unknown (valid: xy, yx, adaptive)"]


def test_help_lists_the_options():
    res = subprocess.run([sys.executable, "-m", "focus_tools.cli", "route", "--help"], capture_output=True,
                         text=True, cwd=REPO, check=True)
    for opt in ("--layer-bank", "--mesh", "--preset", "--unicast", "--multicast", "--search", "--seed", "--budget",
                "--plot", "--json", "-o"):
        assert opt in res.stdout

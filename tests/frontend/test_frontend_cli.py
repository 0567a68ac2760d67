"""`focus import` and the focus-opt frontends: output, statistics, and one-line errors (exit 2)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys

import pytest
from frontend_testutil import DATA, MINI_TASK, REPO, assert_one_line_error, run_cli

from focus_tools.errors import FocusError


def test_import_prints_a_module_that_parses_back(tmp_path):
    code, out, err = run_cli(["import", str(MINI_TASK)])
    assert code == 0, err
    assert out.startswith("builtin.module attributes {focus.batch = 1 : i64}")
    assert "tensor_op.layer @toy_layer2 kind \"depthwise\"" in out
    f = tmp_path / "m.mlir"
    f.write_text(out)
    text = _focus_opt([str(f)])
    assert text.rstrip() == out.rstrip()  # focus-opt prints it back unchanged


def test_import_output_file_batch_and_mesh(tmp_path):
    out_file = tmp_path / "o.mlir"
    code, out, err = run_cli(["import", str(MINI_TASK), "--batch", "3", "--mesh", "4x4", "--arch",
                              "focus-original", "-o", str(out_file)])
    assert (code, out) == (0, ""), err
    text = out_file.read_text()
    assert "focus.batch = 3 : i64" in text and "chip.device @\"focus-original\" mesh 4 x 4" in text


def test_stats_json_resnet50():
    code, out, err = run_cli(["import", "--model", "resnet50", "--stats", "--json"])
    assert code == 0, err
    stats = json.loads(out)
    r = stats["models"]["resnet50"]
    assert (r["layers"], r["macs"], r["ops"]) == (70, 4089184256, {"conv2d": 53, "matmul": 1, "add": 16})
    assert len(r["per_layer"]) == 70


def test_stats_json_bert_base_shows_every_gemm():
    code, out, err = run_cli(["import", "--model", "bert-base", "--seq-len", "128", "--stats", "--json"])
    assert code == 0, err
    b = json.loads(out)["models"]["bert-base"]
    gemms = [r for r in b["per_layer"] if r["kind"] == "matmul"]
    assert len(gemms) == 12 * 8 + 1
    block0 = {r["name"].split(".")[-1]: r["dims"] for r in gemms if ".layer0." in r["name"]}
    assert block0 == {
        "query": {"M": 128, "K": 768, "N": 768}, "key": {"M": 128, "K": 768, "N": 768},
        "value": {"M": 128, "K": 768, "N": 768}, "scores": {"B": 12, "M": 128, "K": 64, "N": 128},
        "context": {"B": 12, "M": 128, "K": 128, "N": 64}, "attn_output": {"M": 128, "K": 768, "N": 768},
        "ffn1": {"M": 128, "K": 768, "N": 3072}, "ffn2": {"M": 128, "K": 3072, "N": 768},
    }


def test_stats_text_and_list_models():
    code, out, _ = run_cli(["import", "resnet18", "--stats"])
    assert code == 0 and "resnet18" in out and "1.814" in out
    code, out, _ = run_cli(["import", "--list-models"])
    assert code == 0 and "bert-large" in out.split()


# ---- bad input: one line, exit code 2, no traceback ------------------------------------------------------
def _mini(tmp_path):
    root = tmp_path / "focus"
    shutil.copytree(DATA / "focus", root)
    return root


def test_error_yaml_syntax(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("toy:\n- toy_layer1: 2\n- toy_layer2: 2: 3\n")
    code, _, err = run_cli(["import", str(f)])
    assert_one_line_error(code, err, f"{f}:3: mapping values are not allowed")


def test_error_missing_layer_file(tmp_path):
    root = _mini(tmp_path)
    task = root / "benchmark" / "t.yaml"
    task.write_text("toy:\n- toy_layer1: 2\n- toy_layer7: 2\n")
    code, _, err = run_cli(["import", str(task)])
    assert_one_line_error(code, err, "t.yaml:3: layer toy_layer7: no file toy/toy_layer7.yaml in layer bank")


def test_error_unknown_dimension(tmp_path):
    root = _mini(tmp_path)
    layer = root / "database" / "toy" / "toy_layer2.yaml"
    layer.write_text(layer.read_text().replace("N: 1,", "N: 1, X: 3,"))
    code, _, err = run_cli(["import", str(root / "benchmark" / "mini.yaml")])
    assert_one_line_error(code, err, "toy_layer2.yaml: unknown dimension 'X' in problem.instance")


@pytest.mark.parametrize("size", ["0", "-8"])
def test_error_zero_or_negative_size(tmp_path, size):
    root = _mini(tmp_path)
    layer = root / "database" / "toy" / "toy_layer1.yaml"
    layer.write_text(layer.read_text().replace("    M: 8\n", f"    M: {size}\n"))
    code, _, err = run_cli(["import", str(root / "benchmark" / "mini.yaml")])
    assert_one_line_error(code, err, f"dimension M = {size}, expected a positive integer")


def test_error_cores_larger_than_the_mesh():
    code, _, err = run_cli(["import", str(MINI_TASK), "--mesh", "1x2"])
    assert_one_line_error(code, err, "layer toy_layer2: cores 3 exceed the 2 PEs of the 1x2 mesh")


def test_error_dependency_cycle(tmp_path):
    f = tmp_path / "cyc.yaml"
    f.write_text("models:\n  m:\n    layers:\n      - {name: a, matmul: {M: 2, K: 2, N: 2}, from: c}\n"
                 "      - {name: b, matmul: {M: 2, K: 2, N: 2}, from: a}\n"
                 "      - {name: c, matmul: {M: 2, K: 2, N: 2}, from: b}\n")
    code, _, err = run_cli(["import", str(f)])
    assert_one_line_error(code, err, "cyc.yaml:4: dependency cycle: m.a -> m.b -> m.c -> m.a")


def test_error_unsupported_onnx_op(tmp_path):
    from onnx import helper
    from onnx_graphs import save, tensor, weight

    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
             helper.make_node("LpNormalization", ["c"], ["n"], name="lpn"),
             helper.make_node("GRU", ["n", "wg", "rg"], ["y"], name="gru", hidden_size=2)]
    f = save(nodes, [tensor("x", [1, 2, 3])], [tensor("y", None)],
             [weight("w", (2, 2, 1)), weight("wg", (1, 6, 2)), weight("rg", (1, 6, 2))], tmp_path / "g.onnx")
    code, _, err = run_cli(["import", str(f)])
    assert_one_line_error(code, err, "unsupported ONNX ops: GRU (1 node: gru); LpNormalization (1 node: lpn)")


@pytest.mark.parametrize("argv, needle", [
    (["import", "no-such-model"], "no-such-model: no such file and not a zoo model"),
    (["import", "--model", "resnet9"], "--model resnet9: not a zoo model"),
    (["import"], "give TASK_OR_MODEL or --model NAME"),
    (["import", "resnet18", "--cores", "0"], "--cores: cores 0"),
    (["import", "resnet18", "--batch", "0"], "--batch: batch 0"),
    (["import", "resnet18", "--mesh", "9"], "--mesh: '9', expected WIDTHxHEIGHT"),
    (["import", "resnet18", "--arch", "nowhere.yaml"], "nowhere.yaml: no such architecture file"),
])
def test_error_cli_arguments(argv, needle):
    code, _, err = run_cli(argv)
    assert_one_line_error(code, err, needle)


def test_error_as_a_real_process(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("a: [1,\n")
    r = subprocess.run([sys.executable, "-m", "focus_tools.cli", "import", str(f)], capture_output=True, text=True,
                       cwd=REPO, timeout=120, check=False)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith(f"focus import: error: {f}:")


# ---- focus-opt frontends --------------------------------------------------------------------------------
def _focus_opt(argv: list[str]) -> str:
    from focus_tools.focus_opt import FocusOptMain

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        FocusOptMain(args=argv).run()
    return out.getvalue()


def test_focus_opt_reads_yaml_and_onnx(tmp_path):
    from onnx_graphs import tiny_cnn

    text = _focus_opt([str(MINI_TASK)])
    assert "tensor_op.layer @toy_layer1" in text
    _, out, _ = run_cli(["import", str(MINI_TASK)])
    assert text.rstrip() == out.rstrip()
    text = _focus_opt([str(tiny_cnn(tmp_path / "tiny.onnx"))])
    assert "tensor_op.layer @tiny.residual kind \"add\"" in text
    t = _focus_opt([str(REPO / "examples" / "tasks" / "residual_block.yaml")])
    assert "focus.batch = 2 : i64" in t


def test_focus_opt_frontend_error_is_a_focus_error(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("models:\n  m: {zoo: nope}\n")
    with pytest.raises(FocusError, match="zoo: unknown model 'nope'"):
        _focus_opt([str(f)])

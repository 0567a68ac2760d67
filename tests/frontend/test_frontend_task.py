"""focus's own task format: explicit DAGs, zoo/ONNX/FOCUS models, settings, and its errors."""

from __future__ import annotations

import shutil

import pytest
from frontend_testutil import DATA, REPO

from focus_dialects.tensor_op import LayerOp, OutputOp
from focus_tools.errors import FocusError
from frontend.load import load_workload
from frontend.to_ir import module_stats, workload_to_module


def _write(tmp_path, body, name="task.yaml"):
    f = tmp_path / name
    f.write_text(body)
    return f


DAG = """\
batch: 3
cores: 2
models:
  net:
    inputs: {image: [1, 4, 8, 8]}
    layers:
      - {name: a, conv2d: {C: 4, M: 8, P: 8, Q: 8, R: 3, S: 3}, from: image}
      - {name: b, conv2d: {C: 8, M: 8, P: 8, Q: 8, R: 3, S: 3}}
      - {name: c, depthwise: {C: 8, P: 8, Q: 8, R: 3, S: 3}, from: a, cores: auto}
      - {name: cat, concat: {N: 1, C: [8, 8], Q: 8, P: 8}, from: [b, c]}
      - {name: res, add: {N: 1, C: 8, Q: 8, P: 8}, from: [b, a], cores: 5}
      - {name: fc, matmul: {M: 1, K: 512, N: 10}, from: res}
"""


def test_explicit_dag_residual_and_concat(tmp_path):
    wl = load_workload(_write(tmp_path, DAG))
    assert wl.batch == 3
    by = {layer.name: layer for layer in wl.layers}
    assert by["net.a"].inputs == (("net.image", "Inputs"),)
    assert by["net.b"].inputs == (("net.a", "Inputs"),)  # default: the previous layer
    assert by["net.c"].inputs == (("net.a", "Inputs"),) and by["net.c"].kind == "depthwise"
    assert by["net.cat"].inputs == (("net.b", "In0"), ("net.c", "In1"))
    assert by["net.res"].inputs == (("net.b", "A"), ("net.a", "B")) and by["net.res"].kind == "add"
    assert [by[n].cores for n in ("net.a", "net.c", "net.res")] == [2, 0, 5]
    module = workload_to_module(wl)
    layers = {op.sym_name.data: op for op in module.ops if isinstance(op, LayerOp)}
    # net.a feeds three layers: a real DAG in SSA
    assert len(list(layers["net.a"].out.uses)) == 3
    outs = sorted(op.value.owner.sym_name.data for op in module.ops if isinstance(op, OutputOp))
    assert outs == ["net.cat", "net.fc"]  # layers nothing else reads
    s = module_stats(module)["models"]["net"]
    assert s["ops"] == {"conv2d": 2, "depthwise": 1, "matmul": 1, "add": 1, "concat": 1}
    assert s["macs"] == 4 * 8 * 9 * 64 + 8 * 8 * 9 * 64 + 8 * 9 * 64 + 512 * 10


def test_explicit_bind_outputs_problem_file_and_text(tmp_path):
    prob = tmp_path / "gemm.yaml"
    prob.write_text("problem:\n  shape:\n    dimensions: [M, K, N]\n    data-spaces:\n"
                    "    - {name: A, projection: [[[M]], [[K]]]}\n    - {name: B, projection: [[[K]], [[N]]]}\n"
                    "    - {name: C, projection: [[[M]], [[N]]], read-write: true}\n  instance: {M: 4, K: 8, N: 2}\n")
    body = """\
models:
  m:
    inputs: {x: [4, 8], y: [8, 2]}
    layers:
      - {name: g, file: gemm.yaml, from: [y, x], bind: [B, A]}
      - {name: t, problem: "I=4 J=2 | X[I][J] Out[I][J]*", from: g, kind: add}
    outputs: [g, t]
"""
    wl = load_workload(_write(tmp_path, body))
    g = wl.layer("m.g")
    assert g.inputs == (("m.y", "B"), ("m.x", "A")) and g.kind == "matmul"
    assert wl.layer("m.t").kind == "add" and wl.output_layers() == ["m.g", "m.t"]


def test_zoo_onnx_and_focus_models_in_one_task(tmp_path):
    root = tmp_path / "focus"
    shutil.copytree(DATA / "focus", root)
    from onnx_graphs import tiny_cnn

    tiny_cnn(tmp_path / "tiny.onnx")
    task = root / "benchmark" / "mixed.yaml"
    task.write_text(f"""\
seq-len: 16
models:
  r18: {{zoo: resnet18, cores: 3}}
  bert: {{zoo: bert-base, seq-len: 8}}
  tiny: {{onnx: {tmp_path / 'tiny.onnx'}}}
  toy:
    - toy_layer1: 2
    - toy_layer2: 2
""")
    wl = load_workload(task)
    stats = workload_to_module(wl) and wl.stats()["models"]
    assert stats["r18"]["ops"] == {"conv2d": 20, "matmul": 1, "add": 8}
    assert all(layer.cores == 3 for layer in wl.layers if layer.model == "r18")
    assert wl.layer("bert.layer0.query").problem.bounds == {"M": 8, "K": 768, "N": 768}  # model seq-len wins
    assert wl.layer("toy_layer2").inputs == (("toy_layer1", "Inputs"),)
    assert stats["tiny"]["layers"] >= 3


def test_settings_and_overrides(tmp_path):
    chip = REPO / "examples" / "tasks" / "chip-6x6.yaml"
    body = f"batch: 2\narch: {chip}\nmodels:\n  r: {{zoo: resnet18, cores: 4}}\n"
    f = _write(tmp_path, body)
    wl = load_workload(f)
    assert wl.batch == 2 and wl.device.mesh == (6, 6) and wl.device.macs_per_cycle == 64 and wl.mesh_known
    wl = load_workload(f, batch=5, mesh="7x3", arch="focus-original")
    assert wl.batch == 5 and wl.device.mesh == (7, 3) and wl.device.preset == "focus-original"
    wl = load_workload(f, cores=0)
    assert {layer.cores for layer in wl.layers} == {0}


def test_examples_load():
    for f in sorted((REPO / "examples" / "tasks").glob("*.yaml")):
        if "device:" in f.read_text():
            continue
        wl = load_workload(f)
        workload_to_module(wl)
    wl = load_workload(REPO / "examples" / "tasks" / "residual_block.yaml")
    assert wl.layer("cnn.residual").inputs == (("cnn.mix", "A"), ("cnn.stem", "B"))
    assert wl.device.name == "chip6" and wl.batch == 2


@pytest.mark.parametrize("body, msg", [
    ("models:\n  m:\n    layers:\n      - {name: a, matmul: {M: 2, K: 2, N: 2}, from: b}\n"
     "      - {name: b, matmul: {M: 2, K: 2, N: 2}, from: a}\n", r"task.yaml:4: dependency cycle: m.a -> m.b -> m.a"),
    ("models:\n  m:\n    layers:\n      - {name: a, matmul: {M: 2, K: 2, N: 2}, from: a}\n",
     r"dependency cycle: m.a -> m.a"),
    ("models:\n  m:\n    layers:\n      - {name: a, matmul: {M: 2, K: 2, N: 2}, from: nope}\n",
     r"task.yaml:4: layer a reads 'nope', which is neither a layer nor an input of model m"),
    ("models:\n  m:\n    layers:\n      - {name: a, conv2d: {C: 2, M: 2, P: 2, Q: 2, R: 1, Z: 1}}\n",
     r"task.yaml:4: layer a: conv2d: unknown dimension 'Z' \(dimensions are C, M, P, Q, R, S"),
    ("models:\n  m:\n    layers:\n      - {name: a, matmul: {M: 2, K: 0, N: 2}}\n",
     r"layer a: matmul: K: 0, expected a positive integer"),
    ("models:\n  m:\n    layers:\n      - {name: a, matmul: {M: 2, K: -1, N: 2}}\n", r"K: -1, expected"),
    ("models:\n  m:\n    layers:\n      - {name: a, matmul: {M: 2, K: 2, N: 2}, cores: 0}\n",
     r"layer a: cores 0, expected a positive integer or auto"),
    ("models:\n  m:\n    layers:\n      - {name: a, matmul: {M: 2, K: 2, N: 2}, colour: 1}\n", r"unknown key 'colour'"),
    ("models:\n  m:\n    layers:\n      - {name: a, matmul: {M: 2, K: 2, N: 2}, add: {M: 2}}\n",
     r"give exactly one of conv2d"),
    ("models:\n  m:\n    inputs: {x: [2, 2]}\n    layers:\n      - {name: a, matmul: {M: 2, K: 2, N: 2}, "
     "from: [x, x, x]}\n", r"3 operands but the problem has only 2 input data spaces"),
    ("models:\n  m:\n    layers:\n      - {name: a, matmul: {M: 2, K: 2, N: 2}, bind: [Outputs], from: []}\n",
     r"bind \['Outputs'\] must list one data space per 'from' entry \(0\)"),
    ("models:\n  m:\n    inputs: {x: [2, 2]}\n    layers:\n      - {name: a, matmul: {M: 2, K: 2, N: 2}, "
     "bind: [Outputs], from: x}\n", r"layer m.a binds its output data space 'Outputs'"),
    ("models:\n  m:\n    layers:\n      - {name: a, matmul: {M: 2, K: 2, N: 2}}\n      - {name: a, matmul: "
     "{M: 2, K: 2, N: 2}}\n", r"task.yaml:5: name 'a' is defined twice in model m"),
    ("models:\n  m: {zoo: resnet9000}\n", r"zoo: unknown model 'resnet9000'"),
    ("models:\n  m: {zoo: resnet18, onnx: x.onnx}\n", r"give exactly one of zoo, onnx, layers"),
    ("batch: 0\nmodels:\n  m: {zoo: resnet18}\n", r"batch 0, expected a positive integer"),
    ("mesh: 2x2\nmodels:\n  m: {zoo: resnet18, cores: 8}\n",
     r"layer m.conv1: cores 8 exceed the 4 PEs of the 2x2 mesh"),
    ("models:\n  a:\n    inputs: {x: [2, 2]}\n    layers: [{name: l, matmul: {M: 2, K: 2, N: 2}, from: x}]\n"
     "  b:\n    layers: [{name: l, matmul: {M: 2, K: 2, N: 2}, from: x}]\n", r"layer l reads 'x'"),
])
def test_task_errors(tmp_path, body, msg):
    with pytest.raises(FocusError, match=msg):
        load_workload(_write(tmp_path, body))

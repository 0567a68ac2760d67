"""The original FOCUS inputs: task specs, the layer bank (all 15 models), its arch and constraints."""

from __future__ import annotations

import itertools
import shutil

import pytest
import yaml
from frontend_testutil import DATA, FOCUS_DATA, MINI_TASK, need

from focus_dialects.tensor_op import InputOp, LayerOp, OutputOp
from focus_tools.errors import FocusError
from frontend.load import load_workload
from frontend.to_ir import module_stats, workload_to_module

# focus-original.md section 8.1: model -> (layer files, GMAC)
GMAC_TABLE = {
    "alexnet": (8, 0.93), "bert": (73, 0.09), "bert-large": (145, 0.30), "flappybird": (4, 0.00),
    "inception": (95, 2.84), "mnasnet": (53, 0.31), "mobilenet_v3_large": (64, 0.22),
    "mobilenet_v3_small": (54, 0.06), "resnet50": (54, 4.09), "resnext50_32x4d": (64, 11.43),
    "wide_resnet50_2": (64, 11.43), "ssd_r34": (51, 14.00), "unet": (19, 11.53), "vgg16": (16, 20.17),
    "prob": (1, 0.11),
}


def test_mini_task_chain_kinds_and_cores():
    wl = load_workload(MINI_TASK)
    assert wl.models == ("toy", "fc")
    by = {layer.name: layer for layer in wl.layers}
    assert [by[n].kind for n in ("toy_layer1", "toy_layer2", "toy_layer3", "fc_layer1")] == [
        "conv2d", "depthwise", "conv2d", "matmul"]
    assert [by[n].cores for n in ("toy_layer1", "toy_layer2", "toy_layer3", "fc_layer1")] == [2, 3, 0, 1]
    assert by["toy_layer1"].inputs == (("toy.input", "Inputs"),)
    assert by["toy_layer2"].inputs == (("toy_layer1", "Inputs"),)
    assert by["toy_layer3"].inputs == (("toy_layer2", "Inputs"),)
    assert by["fc_layer1"].inputs == (("fc.input", "Inputs"),)
    module = workload_to_module(wl)
    ins = [op for op in module.ops if isinstance(op, InputOp)]
    assert [op.sym_name.data for op in ins] == ["toy.input", "fc.input"]
    assert ins[0].out.type.get_shape() == (1, 3, 33, 33)  # Inputs[N][C][R+2P][S+2Q]
    outs = [op for op in module.ops if isinstance(op, OutputOp)]
    assert [op.value.owner.sym_name.data for op in outs] == ["toy_layer3", "fc_layer1"]
    assert module.attributes["focus.batch"].value.data == 1


def _copy_mini(tmp_path):
    root = tmp_path / "focus"
    shutil.copytree(DATA / "focus", root)
    return root


def _task(root, body):
    f = root / "benchmark" / "t.yaml"
    f.write_text(body)
    return f


def test_layer_bank_option_and_default(tmp_path):
    root = _copy_mini(tmp_path)
    moved = tmp_path / "elsewhere" / "bank"
    shutil.move(str(root / "database"), str(moved))
    task = _task(root, "toy:\n- toy_layer1: 2\n")
    with pytest.raises(FocusError, match=r"t.yaml:2: layer toy_layer1: no layer bank at .*database \(the default"):
        load_workload(task)
    wl = load_workload(task, layer_bank=moved)
    assert [layer.name for layer in wl.layers] == ["toy_layer1"]


def test_missing_layer_file(tmp_path):
    root = _copy_mini(tmp_path)
    task = _task(root, "toy:\n- toy_layer1: 2\n- toy_layer9: 2\n")
    with pytest.raises(FocusError) as e:
        load_workload(task)
    assert str(e.value) == (f"{task}:3: layer toy_layer9: no file toy/toy_layer9.yaml in layer bank "
                            f"{task.absolute().parent.parent / 'database'}")


def test_unknown_dimension_and_zero_size_in_a_layer_file(tmp_path):
    root = _copy_mini(tmp_path)
    layer = root / "database" / "toy" / "toy_layer1.yaml"
    text = layer.read_text()
    layer.write_text(text.replace("    N: 1\n", "    N: 1\n    Z: 4\n"))
    task = _task(root, "toy:\n- toy_layer1: 2\n")
    with pytest.raises(FocusError, match=r"toy_layer1.yaml: unknown dimension 'Z' in problem.instance"):
        load_workload(task)
    layer.write_text(text.replace("    M: 8\n", "    M: 0\n"))
    with pytest.raises(FocusError, match=r"toy_layer1.yaml: dimension M = 0, expected a positive integer"):
        load_workload(task)


@pytest.mark.parametrize("body, msg", [
    ("toy:\n- toy_layer1: 0\n", r"t.yaml:2: layer toy_layer1: cores 0, expected a positive integer or auto"),
    ("toy:\n- toy_layer1: -4\n", r"cores -4, expected"),
    ("toy:\n- toy_layer1: many\n", r"cores 'many', expected"),
    ("toy:\n- toy_layer1: 2\n- toy_layer1: 2\n", r"t.yaml:3: layer toy_layer1 is listed twice \(first at line 2\)"),
    ("toy:\n- toy_layer1: 2\n- toy_layer2\n", r"not a task"),
])
def test_bad_task_entries(tmp_path, body, msg):
    root = _copy_mini(tmp_path)
    with pytest.raises(FocusError, match=msg):
        load_workload(_task(root, body))


def test_gap_in_chain_reads_memory_like_the_original(tmp_path):
    root = _copy_mini(tmp_path)
    wl = load_workload(_task(root, "toy:\n- toy_layer1: 2\n- toy_layer3: 2\n"))
    assert wl.layer("toy_layer3").inputs == (("toy_layer3.input", "Inputs"),)


def test_out_of_order_list_still_chains(tmp_path):
    root = _copy_mini(tmp_path)
    wl = load_workload(_task(root, "toy:\n- toy_layer2: 2\n- toy_layer1: 2\n"))
    assert wl.layer("toy_layer2").inputs == (("toy_layer1", "Inputs"),)
    order = [layer.name for layer in wl.topological_layers()]
    assert order == ["toy_layer1", "toy_layer2"]


def test_cores_larger_than_the_mesh(tmp_path):
    root = _copy_mini(tmp_path)
    task = _task(root, "toy:\n- toy_layer1: 2\n- toy_layer2: 20\n")
    with pytest.raises(FocusError) as e:
        load_workload(task, mesh="4x4")
    assert str(e.value) == f"{task}:3: layer toy_layer2: cores 20 exceed the 16 PEs of the 4x4 mesh"
    with pytest.raises(FocusError, match=r"cores 20 exceed the 25 PEs of the 5x5 mesh, 14 of them can compute"):
        load_workload(task, mesh="5x5", arch="focus-original")
    # without a mesh the default 8x8 device holds 20 cores
    assert load_workload(task).device.mesh == (8, 8)
    task.write_text("toy:\n- toy_layer1: 100\n")
    assert load_workload(task).device.mesh == (10, 10)  # grown to fit


# ---- the real FOCUS data ---------------------------------------------------------------------------------
def _entries(task):
    data = yaml.safe_load(task.read_text())
    return {m: [next(iter(e)) for e in (v or [])] for m, v in data.items()}


def test_all_benchmark_tasks_import():
    bench = need(FOCUS_DATA / "benchmark")
    tasks = sorted(bench.glob("*.yaml"))
    assert len(tasks) == 11
    for task in tasks:
        wl = load_workload(task)
        module = workload_to_module(wl)
        entries = _entries(task)
        stats = module_stats(module, per_layer=False)["models"]
        assert {m: s["layers"] for m, s in stats.items()} == {m: len(v) for m, v in entries.items()}
        for names in entries.values():  # implicit chain: N reads N-1
            for prev, cur in itertools.pairwise(names):
                assert wl.layer(cur).inputs == ((prev, "Inputs"),), (task.name, cur)
        assert wl.device.macs_per_cycle == 256  # from database/arch
        assert any(f.endswith("simba_constraints.yaml") for f in wl.timeloop_files)
        assert module.attributes["focus.timeloop_inputs"]


def test_multi_model_3_numbers():
    task = need(FOCUS_DATA / "benchmark" / "multi-model-3.yaml")
    wl = load_workload(task, batch=4)
    module = workload_to_module(wl)
    stats = module_stats(module, per_layer=False)["models"]
    assert {m: s["layers"] for m, s in stats.items()} == {"bert-large": 8, "inception": 24, "unet": 12,
                                                          "wide_resnet50_2": 24}
    assert module.attributes["focus.batch"].value.data == 4
    cores = {op.sym_name.data: op.cores.value.data for op in module.ops if isinstance(op, LayerOp)}
    assert cores["bert-large_layer1"] == 2 and cores["inception_layer7"] == 4 and cores["unet_layer12"] == 5


@pytest.mark.parametrize("model", sorted(GMAC_TABLE))
def test_every_layer_of_every_model_and_the_gmac_table(tmp_path, model):
    db = need(FOCUS_DATA / "database")
    n, gmac = GMAC_TABLE[model]
    if model == "prob":
        names, bank = ["vgg16_layer1"], db / "prob"  # a flat bank folder
    else:
        names, bank = [f"{model}_layer{i}" for i in range(1, n + 1)], db
    assert len(list((db / model).glob("*.yaml"))) == n
    task = tmp_path / "all.yaml"
    task.write_text(yaml.safe_dump({model: [{name: 1} for name in names]}))
    wl = load_workload(task, layer_bank=bank)
    module = workload_to_module(wl)
    stats = module_stats(module, per_layer=False)["models"][model]
    assert stats["layers"] == n
    macs = sum(layer.problem.macs for layer in wl.layers)  # every layer counts in the original's table
    assert round(macs / 1e9, 2) == gmac

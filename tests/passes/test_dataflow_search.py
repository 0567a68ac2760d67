"""The dataflow-search pass on whole models: MACs are conserved, IR verifies, caching and errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from focus_dialects import tensor_op, tiled_subop
from focus_tools.driver import make_context
from frontend.load import load_workload
from frontend.to_ir import workload_to_module
from passes.dataflow_search import DataflowSearchPass

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "focus-data"


def _macs_by_layer(module, cls, field="macs"):
    return {op.sym_name.data: op for op in module.ops if isinstance(op, cls)}


@pytest.mark.parametrize("model", ["resnet18", "resnet50", "vgg16", "mobilenet_v3_large", "bert-base", "alexnet"])
def test_worker_macs_sum_to_layer_macs_for_zoo_models(model, tmp_path):
    module = workload_to_module(load_workload(model, cores=8, seq_len=32))
    want = {op.sym_name.data: op.layer_problem.macs for op in module.ops if isinstance(op, tensor_op.LayerOp)}
    DataflowSearchPass(cache_dir=str(tmp_path)).apply(make_context(), module)
    module.verify()
    got: dict[str, int] = {}
    for op in module.ops:
        if isinstance(op, tiled_subop.WorkerOp):
            layer = op.layer.root_reference.data
            got[layer] = got.get(layer, 0) + op.macs.value.data
    assert got == want
    layers = _macs_by_layer(module, tiled_subop.LayerOp)
    assert {k: v.macs.value.data for k, v in layers.items()} == want
    assert all(1 <= v.workers.value.data <= 8 for v in layers.values())


def test_cache_gives_the_same_ir(tmp_path):
    wl = load_workload("resnet18", cores=4)
    a = workload_to_module(wl)
    b = workload_to_module(wl)
    DataflowSearchPass(cache_dir=str(tmp_path)).apply(make_context(), a)
    assert list((tmp_path / "dataflow").glob("*.json"))
    DataflowSearchPass(cache_dir=str(tmp_path)).apply(make_context(), b)
    assert str(a) == str(b)


def test_split_sources_spreads_memory_streams(tmp_path):
    module = workload_to_module(load_workload("resnet18", cores=4))
    DataflowSearchPass(cache=False, split_sources=True).apply(make_context(), module)
    for op in module.ops:
        if isinstance(op, tiled_subop.SourceOp) and op.memory is not None:
            assert len(op.streams) == 1


def test_writeback_marks_model_outputs_only(tmp_path):
    module = workload_to_module(load_workload("resnet18", cores=2))
    DataflowSearchPass(cache=False).apply(make_context(), module)
    sinks = [op for op in module.ops if isinstance(op, tiled_subop.SinkOp)]
    assert sum(1 for s in sinks if s.writeback is not None) == 1
    module2 = workload_to_module(load_workload("resnet18", cores=2))
    DataflowSearchPass(cache=False, writeback=False).apply(make_context(), module2)
    assert not any(op.writeback is not None for op in module2.ops if isinstance(op, tiled_subop.SinkOp))


def test_bad_objective_is_one_line_exit_2(tmp_path):
    src = tmp_path / "in.mlir"
    out = subprocess.run([sys.executable, "-m", "focus_tools.cli", "import", "resnet18", "-o", str(src)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    res = subprocess.run([str(ROOT / ".venv" / "bin" / "focus-opt"), str(src), "-p",
                          "dataflow-search{objective=fast cache=false}"], capture_output=True, text=True)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "focus-opt: error: dataflow-search: objective 'fast' is not one of delay, energy, edp"]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/focus-data is absent")
def test_timeloop_engine_on_a_focus_task(tmp_path):
    task = tmp_path / "benchmark" / "t.yaml"
    task.parent.mkdir()
    task.write_text("resnet50:\n- resnet50_layer2: 4\n- resnet50_layer3: 4\n")
    module = workload_to_module(load_workload(task, layer_bank=SHARED / "database"))
    DataflowSearchPass(cache=False, engine="timeloop", time_budget=0.3).apply(make_context(), module)
    module.verify()
    layers = [op for op in module.ops if isinstance(op, tiled_subop.LayerOp)]
    assert len(layers) == 2
    for lay in layers:
        stats = lay.attributes["stats"].data
        assert stats["engine"].data == "timeloop"
        assert stats["energy_pJ"].value.data > 0
        assert 1 <= lay.workers.value.data <= 4


def test_timeloop_engine_without_arch_is_an_error(tmp_path):
    from focus_tools.errors import FocusError

    module = workload_to_module(load_workload("resnet18", cores=2))
    with pytest.raises(FocusError, match="engine 'timeloop' needs a Timeloop architecture"):
        DataflowSearchPass(cache=False, engine="timeloop").apply(make_context(), module)

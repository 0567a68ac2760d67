"""Through the real pipeline (import -> dataflow-search -> placement groups of the tiled IR), the annealer
must beat the original's Hilbert placement on every FOCUS benchmark task."""

from pathlib import Path

import pytest

from focus_dialects.chip import find_device
from passes.place_subops import subop_problem
from passes.placement import check_placement, place, placement_cost

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "focus-data"
TASKS = sorted((SHARED / "benchmark").glob("*.yaml")) if SHARED.is_dir() else []
ITERATIONS = 20000  # well below the default budget, to keep the test fast


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("dataflow-cache")


@pytest.mark.skipif(not TASKS, reason="../shared/focus-data is absent")
@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.stem)
def test_anneal_beats_hilbert_on_focus_task(task, cache_dir, monkeypatch):
    from focus_tools.commands.place import tiled_for_task

    monkeypatch.setenv("FOCUS_CACHE_DIR", str(cache_dir))
    tiled = tiled_for_task(task, layer_bank=SHARED / "database", preset="focus", allow_time_sharing=True)
    dev = find_device(tiled.module)
    problem, _ = subop_problem(tiled.module, tuple(dev.memory), dev.memory_compute is not None, task.name)
    share = tiled.time_sharing
    assert not share  # every benchmark task fits one group per PE on a mesh of at most 32 x 32
    # the focus preset writes model outputs back: one writeback sink per model
    assert len(problem.writeback_groups()) == len({g.model for g in problem.groups})
    hilbert = place(problem, "hilbert", allow_time_sharing=share)
    anneal = place(problem, "anneal", seed=0, allow_time_sharing=share, iterations=ITERATIONS)
    assert check_placement(problem, anneal, share) is None
    assert placement_cost(problem, anneal) < placement_cost(problem, hilbert)


@pytest.mark.skipif(not TASKS, reason="../shared/focus-data is absent")
def test_focus_task_groups_come_from_the_tiled_ir(cache_dir, monkeypatch):
    from focus_tools.commands.place import tiled_for_task

    monkeypatch.setenv("FOCUS_CACHE_DIR", str(cache_dir))
    task = SHARED / "benchmark" / "test.yaml"
    tiled = tiled_for_task(task, layer_bank=SHARED / "database", preset="focus")
    dev = find_device(tiled.module)
    problem, _ = subop_problem(tiled.module, tuple(dev.memory), True, task.name)
    layers = [o for o in tiled.module.ops if o.name == "tiled_subop.layer"]
    # bert-large L1-5 x2, resnet50 L4-6 x4, resnext50 L1-3 x4, wrn50 L1-2 x5 (the search may use fewer workers)
    assert len(layers) == 13
    workers = sum(o.workers.value.data for o in layers)
    assert len(problem.compute_groups()) == workers + len(layers)
    assert workers <= 5 * 2 + 3 * 4 + 3 * 4 + 2 * 5
    # consumer layers' input sources share their producer's sink group: only first layers read inputs from memory
    first_inputs = {g.layer for g in problem.source_groups() if g.name.endswith(".src.Inputs")}
    assert first_inputs == {"bert-large_layer1", "resnet50_layer4", "resnext50_32x4d_layer1",
                            "wide_resnet50_2_layer1"}
    # the mesh is the smallest square holding one worker/sink per PE
    side = dev.mesh[0]
    assert dev.mesh == (side, side) and (side - 1) ** 2 < len(problem.compute_groups()) <= side * side

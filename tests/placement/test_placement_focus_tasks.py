"""The annealer must beat the original's Hilbert placement on every FOCUS benchmark task."""

from pathlib import Path

import pytest

from passes.placement import check_placement, original_memory_pes, place, placement_cost
from passes.placement.focus_tasks import problem_from_focus_task

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "focus-data"
TASKS = sorted((SHARED / "benchmark").glob("*.yaml")) if SHARED.is_dir() else []


def mesh_side(task: Path) -> int:
    """`<d>_<d>.yaml` names its mesh; the other tasks run on 16 x 16."""
    head = task.stem.split("_")[0]
    return int(head) if head.isdigit() else 16


@pytest.mark.skipif(not TASKS, reason="../shared/focus-data is absent")
@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.stem)
def test_anneal_beats_hilbert_on_focus_task(task):
    d = mesh_side(task)
    prob = problem_from_focus_task(task, SHARED / "database", d, d, original_memory_pes(d))
    share = prob.capacity_error() is not None
    hilbert = place(prob, "hilbert", allow_time_sharing=share)
    anneal = place(prob, "anneal", seed=0, allow_time_sharing=share, iterations=4000)
    assert check_placement(prob, anneal, share) is None
    assert placement_cost(prob, anneal) < placement_cost(prob, hilbert)


@pytest.mark.skipif(not TASKS, reason="../shared/focus-data is absent")
def test_focus_task_groups_follow_the_original_clusters():
    task = SHARED / "benchmark" / "test.yaml"
    prob = problem_from_focus_task(task, SHARED / "database", 16, 16, original_memory_pes(16))
    # bert-large L1-5 x2, resnet50 L4-6 x4, resnext50 L1-3 x4, wrn50 L1-2 x5
    layers = 5 + 3 + 3 + 2
    workers = 5 * 2 + 3 * 4 + 3 * 4 + 2 * 5
    assert len(prob.compute_groups()) == workers + layers
    # one weight source per layer, one input source per model (its first layer in the task)
    assert len(prob.source_groups()) == layers + 4
    assert {g.name for g in prob.source_groups() if g.name.endswith(".insrc")} == {
        "bert-large_layer1.insrc", "resnet50_layer4.insrc", "resnext50_32x4d_layer1.insrc",
        "wide_resnet50_2_layer1.insrc"}

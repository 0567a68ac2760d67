"""Placement quality and speed on the original FOCUS benchmark tasks, through the real pipeline.

For every task in `../shared/focus-data/benchmark`: import (`frontend.load.load_workload` with the layer
bank) -> `tensor_op` module -> `dataflow-search` (the `focus` preset: writeback on) on the smallest
square mesh where every worker and sink gets its own PE under the `focus` device preset (tasks that
need more than 32 x 32 run time-shared on 32 x 32, marked in the table), then the placement groups and
traffic of the tiled IR (`passes.place_subops.subop_problem`) are placed by the original's Hilbert walk
and by the annealer and scored with the shared estimate `passes.placement.placement_cost`.

    .venv/bin/python bench/placement.py [--tasks 4_4 test ...] [--seed N] [--iterations N]

`time s` is the wall time of both placers (Hilbert + annealing), the figure the < 10 s per task goal is
about; import and dataflow search are reported separately below the table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchutil import machine  # noqa: E402

SHARED = REPO.parent / "shared" / "focus-data"


def warm_up() -> float:
    """Load (or compile) the annealing kernel on a toy problem, so task times measure placement only."""
    from passes.placement import Group, Message, PlacementProblem, place

    groups = (Group("s", "L", "m", "source", True), Group("w", "L", "m", "worker"), Group("k", "L", "m", "sink"))
    toy = PlacementProblem(3, 3, ((0, 0),), groups, (Message("s", ("w",), 5), Message("w", ("k",), 3)))
    t = time.perf_counter()
    place(toy, "anneal", iterations=100)
    return time.perf_counter() - t


def bench_task(task: Path, seed: int, iterations: int | None) -> dict:
    from focus_dialects.chip import find_device
    from focus_tools.commands.place import tiled_for_task
    from passes.place_subops import subop_problem
    from passes.placement import place, placement_cost

    t0 = time.perf_counter()
    tiled = tiled_for_task(task, layer_bank=SHARED / "database", preset="focus", allow_time_sharing=True)
    pipeline_s = time.perf_counter() - t0
    dev = find_device(tiled.module)
    problem, _ = subop_problem(tiled.module, tuple(dev.memory), dev.memory_compute is not None, task.name)
    share = tiled.time_sharing
    t1 = time.perf_counter()
    hilbert = place(problem, "hilbert", seed, allow_time_sharing=share)
    options = {} if iterations is None else {"iterations": iterations}
    anneal = place(problem, "anneal", seed, allow_time_sharing=share, **options)
    place_s = time.perf_counter() - t1
    h_cost, a_cost = placement_cost(problem, hilbert), placement_cost(problem, anneal)
    return {
        "task": task.stem, "mesh": f"{problem.width}x{problem.height}" + (" time-shared" if share else ""),
        "groups": len(problem.groups), "compute": len(problem.compute_groups()),
        "writeback": len(problem.writeback_groups()), "hilbert": h_cost, "anneal": a_cost,
        "ratio": a_cost / h_cost if h_cost else 1.0, "place_s": place_s, "pipeline_s": pipeline_s,
        "iterations": anneal.stats.get("iterations", 0), "capped": anneal.stats.get("time_capped", False),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="*", help="task names (file stems); default: all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iterations", type=int, help="annealing budget (default: by problem size)")
    args = parser.parse_args(argv)
    if not (SHARED / "benchmark").is_dir():
        print(f"{SHARED / 'benchmark'} is absent: nothing to measure", file=sys.stderr)
        return 1
    tasks = sorted((SHARED / "benchmark").glob("*.yaml"))
    if args.tasks:
        tasks = [t for t in tasks if t.stem in set(args.tasks)]
    print(f"machine: {machine()}")
    print(f"anneal kernel load (numba cache, once per process; compiles when cold): {warm_up():.2f} s")
    print(f"anneal seed {args.seed}, iterations {args.iterations or 'default (20000 + 1000 x groups)'}")
    print()
    print("| task | mesh | groups | hilbert cost | anneal cost | ratio | time s |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    for task in tasks:
        r = bench_task(task, args.seed, args.iterations)
        rows.append(r)
        capped = " (time cap)" if r["capped"] else ""
        print(f"| {r['task']} | {r['mesh']} | {r['groups']} ({r['compute']} compute, {r['writeback']} writeback) "
              f"| {r['hilbert']} | {r['anneal']} | {r['ratio']:.3f} | {r['place_s']:.2f}{capped} |", flush=True)
    print()
    worst = max(rows, key=lambda r: r["place_s"])
    print(f"placement time: max {worst['place_s']:.2f} s ({worst['task']}), total {sum(r['place_s'] for r in rows):.2f} s; "
          f"anneal < hilbert on {sum(r['anneal'] < r['hilbert'] for r in rows)}/{len(rows)} tasks; "
          f"geomean ratio {_geomean([r['ratio'] for r in rows]):.3f}")
    print(f"import + dataflow search: total {sum(r['pipeline_s'] for r in rows):.2f} s "
          f"(max {max(r['pipeline_s'] for r in rows):.2f} s; plans come from the dataflow cache when warm)")
    return 0


def _geomean(values: list[float]) -> float:
    import math

    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


if __name__ == "__main__":
    sys.exit(main())

"""Routing quality and speed on a placed FOCUS task, through the real pipeline.

The task (default: the original FOCUS `multi-model-1` with its layer bank) is loaded with
`focus_tools.driver.load`, then `dataflow-search` and `place-subops` run as in `compile_workload` (the
`focus` preset, seed 0). On the placed module, `route-messages` (`passes.route_messages.route_module`) runs
once per routing choice, each on a fresh clone:

* star, rpm, whirl, steiner: XY unicast, no search (star = one XY copy per destination, the original FOCUS);
* adaptive+steiner: the `focus` preset's algorithms without the search;
* search: the `focus` preset (adaptive unicast, steiner multicast, anneal search, default budget).

For each: the analytic max link load (flits on the busiest directed link, per batch), the total link
traversals (flit-hops: flits x links, every copy counted), the analytic makespan of the contention model
(cycles, with the search's priorities) and the routing wall time (building routes, search, VC classes and
the IR; the contention figures are computed afterwards and not timed), as wall and CPU seconds (the CPU
time of this process is the better figure on a shared machine).

    .venv/bin/python bench/routing.py [TASK] [--layer-bank DIR] [--mesh WxH] [--seed N] [--budget N]
        [--allow-time-sharing] [--compile]

Without TASK and without ../shared, prints a message and exits 0.
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
DEFAULT_TASK = SHARED / "benchmark" / "multi-model-1.yaml"
DEFAULT_BANK = SHARED / "database"

CONFIGS = (  # label, unicast, multicast, search
    ("star", "xy", "star", "none"),
    ("rpm", "xy", "rpm", "none"),
    ("whirl", "xy", "whirl", "none"),
    ("steiner", "xy", "steiner", "none"),
    ("adaptive+steiner", "adaptive", "steiner", "none"),
    ("search (anneal)", "adaptive", "steiner", "anneal"),
)


def warm_up() -> float:
    """Load (or compile) the numba contention kernel on a toy problem."""
    from passes.routing import Mesh, Message, contention_schedule, route_message

    mesh = Mesh(3, 3)
    routes = {"a": route_message(mesh, (0, 0), [(2, 2)]), "b": route_message(mesh, (2, 0), [(0, 2), (1, 1)])}
    messages = [Message("a", (0, 0), ((2, 2),), 2), Message("b", (2, 0), ((0, 2), (1, 1)), 2, after=("a",))]
    t = time.perf_counter()
    contention_schedule(messages, routes)
    from passes.routing.search import search_routes

    search_routes(mesh, messages, routes, budget=3)
    return time.perf_counter() - t


def route_figures(module, unicast: str, multicast: str, search: str, seed: int, budget: int | None) -> dict:
    """Route a clone of the placed `module`; the analytic figures and the routing time."""
    from passes.route_messages import route_module
    from passes.routing.contention import flit_hops, max_link_load

    clone = module.clone()
    t, cpu = time.perf_counter(), time.process_time()
    result = route_module(clone, unicast, multicast, search, seed, budget)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    if result is None:
        return {"messages": 0, "ir_messages": 0, "max_link_load": 0, "flit_hops": 0, "makespan": 0.0,
                "seconds": seconds, "cpu": cpu, "evaluations": 0}
    load = result.link_loads()
    return {
        "messages": len(result.messages),
        "ir_messages": sum(len(v) for v in result.ir_names.values()),
        "max_link_load": max_link_load(load),
        "flit_hops": flit_hops(load),
        "makespan": result.schedule().makespan,
        "seconds": seconds,
        "cpu": cpu,
        "evaluations": result.search.evaluations if result.search else 0,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("task", nargs="?", help="task (default: ../shared/focus-data/benchmark/multi-model-1.yaml)")
    ap.add_argument("--layer-bank", metavar="DIR", help="FOCUS layer bank (default: ../shared/focus-data/database "
                    "for the default task)")
    ap.add_argument("--mesh", metavar="WxH", help="mesh (default: the task's, else the smallest that fits)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=int, help="search budget in evaluations (default: scaled to the problem)")
    ap.add_argument("--allow-time-sharing", action="store_true")
    ap.add_argument("--compile", action="store_true", help="also time the whole compile (driver.compile_workload: "
                    "every pass of the focus preset, route-messages with its default search budget)")
    args = ap.parse_args(argv)

    task, bank = args.task, args.layer_bank
    if task is None:
        if not DEFAULT_TASK.is_file():
            print(f"skipped: {DEFAULT_TASK} not found (the ../shared reference data is absent)")
            return 0
        task, bank = str(DEFAULT_TASK), bank or str(DEFAULT_BANK)

    from focus_tools.commands.route import stages_until
    from focus_tools.driver import RunOptions, load

    print(f"machine: {machine()}")
    print(f"numba kernel load/compile: {warm_up():.2f} s")
    opts = RunOptions(task=str(task), layer_bank=bank, mesh=args.mesh, seed=args.seed, progress=False,
                      allow_time_sharing=args.allow_time_sharing)
    t = time.perf_counter()
    workload = load(opts)
    load_s = time.perf_counter() - t
    module, device, timings = stages_until(workload, opts, "place-subops")
    w, h = device.mesh
    print(f"task: {Path(str(task)).name} on {w}x{h} (focus preset, seed {args.seed}); load {load_s:.2f} s, "
          + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    print()
    print("| routing | unicast | multicast | search | messages | IR messages | max link load (flits) | "
          "link traversals (flit-hops) | analytic makespan (cycles) | evaluations | routing wall (s) | routing CPU (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, unicast, multicast, search in CONFIGS:
        f = route_figures(module, unicast, multicast, search, args.seed, args.budget)
        print(f"| {label} | {unicast} | {multicast} | {search} | {f['messages']} | {f['ir_messages']} | "
              f"{f['max_link_load']:,} | {f['flit_hops']:,} | {f['makespan']:,.0f} | {f['evaluations']} | "
              f"{f['seconds']:.2f} | {f['cpu']:.2f} |", flush=True)
    if args.compile:
        from focus_tools.driver import compile_workload

        t, cpu = time.perf_counter(), time.process_time()
        compiled = compile_workload(load(opts), opts)
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        print()
        print(f"whole compile (load + compile_workload): {wall:.2f} s wall, {cpu:.2f} s CPU; stages: "
              + ", ".join(f"{k} {v:.2f} s" for k, v in compiled.timings.items())
              + f"; {len(compiled.messages)} routed messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())

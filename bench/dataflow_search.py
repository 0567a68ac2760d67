"""Time the dataflow search of all 54 layers of resnet50 (8 workers each) on the Simba-like architecture.

Two engines: `focus` (the fast analytic top-level search of passes/subops.py) and `timeloop` (our
Timeloop-compatible mapper, passes/timeloop, on ../shared/focus-data's simba_512gops_256core.yaml with
simba_constraints.yaml). The original FOCUS spends up to 60 s per layer in timeloop-mapper. Target: < 60 s
in total. Prints per-engine totals and the slowest layers.

    .venv/bin/python bench/dataflow_search.py [--engine focus|timeloop|both] [--workers 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchutil import machine  # noqa: E402

SHARED = ROOT.parent / "shared" / "focus-data"


def resnet50_layers(workers: int):
    """(name, Problem) for resnet50_layer1..54 from the FOCUS layer bank (or the zoo without ../shared)."""
    from frontend.load import load_workload

    if SHARED.is_dir():
        names = [f"resnet50_layer{i}" for i in range(1, 55)]
        task = Path(tempfile.mkdtemp()) / "benchmark" / "resnet50.yaml"
        task.parent.mkdir(parents=True)
        task.write_text("resnet50:\n" + "".join(f"- {n}: {workers}\n" for n in names))
        wl = load_workload(task, layer_bank=SHARED / "database")
    else:
        wl = load_workload("resnet50", cores=workers)
    return [(layer.name, layer.problem) for layer in wl.layers if layer.kind in ("conv2d", "matmul")]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default="both", choices=("focus", "timeloop", "both"))
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--time-budget", type=float, default=1.0, help="per layer, timeloop engine")
    args = ap.parse_args()
    from passes import subops

    layers = resnet50_layers(args.workers)
    print(f"machine: {machine()}")
    print(f"resnet50: {len(layers)} layers, {args.workers} workers each")
    engines = ("focus", "timeloop") if args.engine == "both" else (args.engine,)
    for engine in engines:
        per = []
        t0 = time.perf_counter()
        if engine == "focus":
            for name, p in layers:
                t = time.perf_counter()
                plan = subops.search_top_level(p, args.workers, macs_per_cycle=256, buffer_words=131072,
                                               link_words_per_cycle=128)
                per.append((time.perf_counter() - t, name, plan.cycles, plan.macs))
        else:
            if not SHARED.is_dir():
                print("timeloop engine: skipped (../shared/focus-data is absent)")
                continue
            from passes.timeloop import load_simba_focus_arch, search_layer

            arch = load_simba_focus_arch(SHARED / "database" / "arch" / "simba_512gops_256core.yaml",
                                         SHARED / "database" / "constraints" / "simba_constraints.yaml")
            for name, p in layers:
                t = time.perf_counter()
                lm = search_layer(p, arch, workers=args.workers, objective="delay", seed=0,
                                  time_budget=args.time_budget)
                per.append((time.perf_counter() - t, name, lm.result.cycles, lm.result.macs))
        total = time.perf_counter() - t0
        cycles = sum(c for _, _, c, _ in per)
        macs = sum(m for _, _, _, m in per)
        util = macs / max(1, cycles * args.workers * 256)
        print(f"engine {engine:9s}: {total:8.2f} s total, {total / len(per) * 1000:8.1f} ms/layer, "
              f"sum of layer cycles {cycles:,}, mean utilization {util:.3f}")
        for dt, name, c, _ in sorted(per, reverse=True)[:3]:
            print(f"    slowest: {name:20s} {dt:6.2f} s  cycles {c:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

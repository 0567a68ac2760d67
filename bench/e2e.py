"""End-to-end compile and simulation time of resnet50 on a 16x16 mesh (targets: compile < 120 s, simulation
< 5 min), for both presets. Prints per-stage compile times, op counts, simulated cycles and slowdown.

    .venv/bin/python bench/e2e.py [--model resnet50] [--mesh 16x16] [--preset focus|focus-original|both]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet50")
    ap.add_argument("--mesh", default="16x16")
    ap.add_argument("--preset", default="both", choices=("focus", "focus-original", "both"))
    ap.add_argument("--cores", type=int, default=None)
    ap.add_argument("--no-time-sharing", action="store_true")
    args = ap.parse_args()
    from focus_tools.driver import RunOptions, build_report, compile_workload, load, simulate

    print(f"machine: {platform.node()} ({os.cpu_count()} cores), Python {platform.python_version()}")
    presets = ("focus", "focus-original") if args.preset == "both" else (args.preset,)
    for preset in presets:
        opts = RunOptions(task=args.model, mesh=args.mesh, preset=preset, cores=args.cores,
                          allow_time_sharing=not args.no_time_sharing, progress=False)
        t0 = time.perf_counter()
        wl = load(opts)
        compiled = compile_workload(wl, opts)
        compile_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        program, result = simulate(compiled, opts)
        sim_s = time.perf_counter() - t1
        rep = build_report(compiled, result, opts)
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in compiled.timings.items() if k not in ("pack", "simulate"))
        print(f"{args.model} {args.mesh} preset {preset}: compile {compile_s:.1f} s ({stages}); "
              f"{compiled.op_counts['pe_isa_ops']} pe_isa ops; simulate {sim_s:.1f} s "
              f"(loop {result.sim_seconds:.1f} s, {result.total_cycles / max(result.sim_seconds, 1e-9):,.0f} cycles/s); "
              f"{result.total_cycles:,} cycles, lower bound {rep['compute_lower_bound']:,}, "
              f"slowdown {rep['slowdown']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

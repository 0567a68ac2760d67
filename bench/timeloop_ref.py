"""Bench: our Timeloop-compatible model and mapper against the 21 reference runs (+ resnet50 on FOCUS).

    .venv/bin/python bench/timeloop_ref.py [--no-resnet] [--workers 8] [--seed 0]

Prints, case by case: our cycles / energy vs the expected ones, the error, model time (closed form and
the literal recursion), and for mapper runs our search's cycles / energy vs Timeloop's mapper and its
time; then the kernel's scoring rate and the time to search all 54 resnet50 layers on the FOCUS arch.
Needs ../shared (exits with a message when it is absent).
"""

from __future__ import annotations

import argparse
import glob
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
REF = SHARED / "timeloop-ref"


def _files(d: Path, mapping: bool) -> list[str]:
    files = sorted(glob.glob(str(d / "parsed-processed-input.yaml"))) or sorted(glob.glob(str(d / "inputs" / "*.yaml")))
    if mapping:
        files += sorted(glob.glob(str(d / "*.map.yaml")))
    return files + sorted(glob.glob(str(d / "*.ERT.yaml")))


def _best_time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def bench_refs(seed: int) -> None:
    from passes.timeloop.mapper import search
    from passes.timeloop.model import evaluate, make_energy_table
    from passes.timeloop.spec import (
        load_ert,
        load_yaml_files,
        parse_architecture,
        parse_constraints,
        parse_mapping,
        parse_problem,
    )

    print("== Timeloop reference runs (model: fixed mapping; mapper: our search under the same constraints)")
    hdr = (f"{'case':44s} {'cycles':>11s} {'expected':>11s} {'energy pJ':>13s} {'expected':>13s} {'err %':>8s} "
           f"{'model ms':>9s} {'recur ms':>9s} | {'mapper cycles':>13s} {'E/E_ref':>8s} {'mapper s':>8s}")
    print(hdr)
    print("-" * len(hdr))
    worst = 0.0
    for exp_file in sorted(REF.glob("*/*/expected.yaml")):
        d = exp_file.parent
        name = f"{d.parent.name[:2]}/{d.name}"
        exp = yaml.safe_load(exp_file.read_text())
        doc, _ = load_yaml_files(_files(d, True))
        arch = parse_architecture(doc)
        prob = parse_problem(doc)
        mapping = parse_mapping(doc, arch, prob)
        energy = make_energy_table(arch, load_ert(doc))
        res = evaluate(prob, arch, mapping, energy)
        args = (prob, arch, mapping, energy)
        t_fast = _best_time(lambda args=args: evaluate(*args))
        t_ref = _best_time(lambda args=args: evaluate(*args, engine="reference"), 1)
        e_exp = exp["energy_pJ_total_from_fJ_per_compute"]
        err = 100.0 * abs(res.energy_pJ - e_exp) / e_exp
        worst = max(worst, err)
        line = (f"{name:44s} {res.cycles:>11d} {exp['cycles']:>11d} {res.energy_pJ:>13.6g} {e_exp:>13.6g} "
                f"{err:>8.5f} {1000 * t_fast:>9.2f} {1000 * t_ref:>9.2f} |")
        if str(exp.get("tool", "")).startswith("timeloop-mapper"):
            doc2, _ = load_yaml_files(_files(d, False))
            cons = parse_constraints(doc2, arch, prob)
            metrics = (doc2.get("mapper") or {}).get("optimization_metrics") or ["edp"]
            obj = metrics[0] if metrics[0] in ("delay", "energy", "edp") else "edp"
            sr = search(prob, arch, cons, energy, objective=obj, seed=seed)
            line += (f" {sr.result.cycles:>13d} {sr.result.energy_pJ / e_exp:>8.3f} {sr.seconds:>8.2f}"
                     f"  ({obj}, {sr.evaluations} scored, {sr.rate:,.0f}/s)")
        print(line)
    print(f"largest energy error vs expected.yaml: {worst:.5f} % (expected.yaml totals are rounded fJ/MAC x MACs)")


def bench_rate() -> None:
    from passes.timeloop.api import focus_constraints, load_simba_focus_arch
    from passes.timeloop.mapper import evaluation_rate
    from passes.timeloop.mapspace import build_mapspace
    from passes.timeloop.spec import load_yaml_files, parse_problem

    db = SHARED / "focus-data" / "database"
    fa = load_simba_focus_arch()
    doc, _ = load_yaml_files([db / "resnet50" / "resnet50_layer10.yaml"])
    prob = parse_problem(doc)
    arch = fa.for_workers(8)
    ms = build_mapspace(prob, arch, focus_constraints(fa.constraints_doc, arch, prob, "simba"), fa.energy(arch))
    rate = evaluation_rate(ms, n=20000)
    print(f"\n== kernel scoring rate (FOCUS simba, resnet50 layer 10, K=8, random candidates): {rate:,.0f} mappings/s")


def bench_resnet(workers: int, seed: int) -> None:
    from passes.timeloop.api import load_simba_focus_arch, search_layer
    from passes.timeloop.spec import load_yaml_files, parse_problem

    db = SHARED / "focus-data" / "database" / "resnet50"
    fa = load_simba_focus_arch()
    # warm the JIT cache outside the timing
    doc, _ = load_yaml_files([db / "resnet50_layer2.yaml"])
    search_layer(parse_problem(doc), fa, workers=workers, seed=seed, effort=0.1)
    times, utils, evals = [], [], 0
    total_cycles = 0
    t_all = time.perf_counter()
    for n in range(1, 55):
        doc, _ = load_yaml_files([db / f"resnet50_layer{n}.yaml"])
        prob = parse_problem(doc)
        t = time.perf_counter()
        lm = search_layer(prob, fa, workers=workers, objective="edp", seed=seed)
        times.append(time.perf_counter() - t)
        utils.append(lm.result.utilization)
        evals += lm.search.evaluations
        total_cycles += lm.cycles
    wall = time.perf_counter() - t_all
    print(f"\n== resnet50, 54 layers, {workers} workers each, FOCUS simba arch + constraints, objective edp, one core")
    print(f"total search time {wall:.1f} s (per layer: mean {statistics.mean(times):.2f} s, max {max(times):.2f} s); "
          f"{evals:,} mappings scored ({evals / wall:,.0f}/s)")
    print(f"sum of layer cycles {total_cycles:,}; mean utilization {statistics.mean(utils):.3f}, "
          f"layers at 100 %: {sum(u > 0.999 for u in utils)}/54")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-resnet", action="store_true", help="skip the 54-layer resnet50 search")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if not REF.exists():
        print(f"{REF} not found: the reference runs are needed for this bench")
        return 1
    bench_refs(args.seed)
    bench_rate()
    if not args.no_resnet:
        bench_resnet(args.workers, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

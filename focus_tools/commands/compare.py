"""`focus compare TASK`: run the `focus-original` and `focus` presets on the same chip and print them side by side.

Both runs use the same seed, batch and mesh. Without `--mesh` (and no mesh in the task or its architecture)
the mesh is the larger of the two presets' default meshes (the smallest square each needs), so both run on
the same chip.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from focus_tools.commands.common import add_input_arguments

NAME = "compare"
HELP = "run the focus-original and focus presets on a task (same chip, seed, batch) and print them side by side"

PRESET_ORDER = ("focus-original", "focus")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input_arguments(p)
    p.add_argument("--seed", type=int, default=0, help="seed of every randomised search (default 0)")
    p.add_argument("--link-bits", type=int, metavar="B", help="NoC link width in bits (both presets)")
    p.add_argument("--flit-bits", type=int, metavar="B", help="flit size in bits (both presets)")
    p.add_argument("--allow-time-sharing", action="store_true", help="let several sub-operators share a PE")
    p.add_argument("--max-cycles", type=int, metavar="N", help="stop each simulation after N cycles")
    p.add_argument("--out", metavar="DIR", help="write each preset's outputs (report, trace, plots) in DIR/<preset>/")
    p.add_argument("--detail", choices=("layers", "subops"), default="layers", help="operator-graph plot detail")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")


def default_mesh(opts) -> tuple[int, int]:
    """The mesh `focus run` would pick for these options: the task's own, or the smallest square that holds
    the sub-operators of the preset's dataflow search."""
    from xdsl.passes import PassPipeline

    from focus_tools import driver
    from focus_tools.presets import get_preset
    from focus_tools.registry import get_all_passes
    from frontend.to_ir import workload_to_module

    workload = driver.load(opts)
    base = workload.device
    if workload.mesh_known:
        return tuple(base.mesh)
    preset = get_preset(opts.preset)
    w, h = base.mesh
    provisional = driver._device_for(base, max(w, 64), max(h, 64), preset, opts)
    module = workload_to_module(workload.with_(device=provisional))
    search = preset.pipeline(opts.seed, opts.allow_time_sharing).split("},")[0] + "}"
    PassPipeline.parse_spec(get_all_passes(), search).apply(driver.make_context(), module)
    d = driver.smallest_square(driver.compute_groups(module), preset, base, opts)
    return (d, d)


def _row(report: dict) -> dict:
    t = report["timings_s"]
    return {
        "mesh": f"{report['mesh'][0]}x{report['mesh'][1]}",
        "total_cycles": report["total_cycles"],
        "compute_lower_bound": report["compute_lower_bound"],
        "slowdown": report["slowdown"],
        "energy_pJ": report["energy_pJ"],
        "max_link_utilization": report["max_link_utilization"],
        "compile_s": round(sum(v for k, v in t.items() if k not in ("simulate", "pack")), 3),
        "simulate_s": round(t.get("simulate", 0.0), 3),
    }


RATIO_KEYS = ("total_cycles", "compute_lower_bound", "slowdown", "energy_pJ", "max_link_utilization")
ROWS = (
    ("mesh", "mesh", str),
    ("total cycles", "total_cycles", lambda v: f"{v:,}"),
    ("compute lower bound", "compute_lower_bound", lambda v: f"{v:,}"),
    ("slowdown", "slowdown", lambda v: f"{v:.3f}" if v is not None else "-"),
    ("energy (uJ)", "energy_pJ", lambda v: f"{v / 1e6:,.3f}"),
    ("busiest link", "max_link_utilization", lambda v: f"{v:.3f}"),
    ("compile (s)", "compile_s", lambda v: f"{v:.2f}"),
    ("simulate (s)", "simulate_s", lambda v: f"{v:.2f}"),
)


def table(results: dict[str, dict]) -> str:
    """Side-by-side table: one column per preset and a ratio column (original / focus)."""
    names = [n for n in PRESET_ORDER if n in results]
    header = ["", *names]
    ok = all("error" not in results[n] for n in names) and len(names) == 2
    if ok:
        header.append("original / focus")
    lines = []
    for label, key, fmt in ROWS:
        cells = [label]
        for n in names:
            r = results[n]
            cells.append("error" if "error" in r else fmt(r[key]))
        if ok:
            a, b = results[names[0]][key], results[names[1]][key]
            cells.append(f"{a / b:.3f}x" if key in RATIO_KEYS and a is not None and b else "")
        lines.append(cells)
    widths = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [sep, "| " + " | ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))
           + " |", sep]
    for row in lines:
        out.append("| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
                   + " |")
    out.append(sep)
    for n in names:
        if "error" in results[n]:
            out.append(f"{n}: error: {results[n]['error']}")
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    import io
    import json

    from focus_tools import driver
    from focus_tools.commands.common import options_from_args
    from focus_tools.errors import FocusError

    base = options_from_args(args)
    mesh = args.mesh
    if mesh is None:
        meshes, errors = {}, []
        for n in PRESET_ORDER:
            try:
                meshes[n] = default_mesh(dataclasses.replace(base, preset=n, progress=False))
            except FocusError as exc:  # reported again by that preset's run below
                errors.append(exc)
        if not meshes:
            raise errors[0]
        side = max(max(m) for m in meshes.values())
        known = len({m for m in meshes.values()}) == 1 and next(iter(meshes.values()))
        mesh = f"{known[0]}x{known[1]}" if known else f"{side}x{side}"
    results: dict[str, dict] = {}
    reports: dict[str, dict] = {}
    code = 0
    for name in PRESET_ORDER:
        opts = dataclasses.replace(base, preset=name, mesh=mesh)
        out = Path(args.out) / name if args.out else None
        try:
            reports[name] = driver.run(opts, out, log=io.StringIO(), detail=args.detail)
            results[name] = _row(reports[name])
        except FocusError as exc:
            results[name] = {"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}
            code = max(code, exc.exit_code)
    if args.json:
        doc = {"task": str(args.task), "mesh": mesh, "seed": args.seed, "presets": results}
        if "error" not in results.get("focus", {"error": 1}) and "error" not in results.get("focus-original",
                                                                                           {"error": 1}):
            doc["speedup"] = round(results["focus-original"]["total_cycles"] / results["focus"]["total_cycles"], 6)
        print(json.dumps(doc, indent=1, sort_keys=True))
    else:
        print(f"{args.task}: mesh {mesh}, seed {args.seed}")
        print(table(results))
        if args.out:
            print(f"outputs in {args.out}/{{{','.join(PRESET_ORDER)}}}/")
    return code

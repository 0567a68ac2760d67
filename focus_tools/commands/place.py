"""`focus place TASK`: import a task, run the dataflow search and place its sub-operators on the mesh.

Without `--mesh`, the mesh is the task's (when it names one), else the smallest square (up to 32 x 32)
on which every worker and sink gets its own PE under the preset's device; `--allow-time-sharing` lets
PEs host several (and a task that needs more than 32 x 32 then runs on 32 x 32). Outputs: a one-line
summary on stdout, `--json` (the placement: group -> PE, per-PE groups, cost breakdown), `--plot` (a PNG
placement map) and `-o` (the placed_subop module).

`tiled_for_task` (import + dataflow search on the chosen mesh) is shared with `bench/placement.py`;
`placement_json` and `plot_placement` work on any placement.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

NAME = "place"
HELP = "Import a task, run the dataflow search and place its sub-operators on the mesh of PEs."
MAX_AUTO_SIDE = 32


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", help="workload (a FOCUS task spec, our task format, ...)")
    parser.add_argument("--layer-bank", metavar="DIR", help="layer bank of a FOCUS task (default: the "
                        "database/ folder beside the task's folder)")
    parser.add_argument("--mesh", metavar="WxH", help="mesh size (default: the smallest square that fits)")
    parser.add_argument("--strategy", metavar="S", help="hilbert | snake | random | anneal (default: the preset's)")
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the placer (default 0)")
    parser.add_argument("--preset", default="focus", metavar="P", help="focus | focus-original (default focus)")
    parser.add_argument("--iterations", type=int, metavar="N", help="annealing iterations (default: by size)")
    parser.add_argument("--allow-time-sharing", action="store_true",
                        help="let a PE host several workers/sinks when they do not fit one per PE")
    parser.add_argument("--plot", metavar="FILE", help="write the placement map as a PNG")
    parser.add_argument("--json", metavar="FILE", help="write the placement as JSON")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the placed_subop module")


# ---- pipeline -------------------------------------------------------------------------------------------
@dataclass
class TiledTask:
    """A task after import and dataflow search, on the mesh it is placed on."""

    task: str
    preset: str
    module: Any  # builtin.module at the tiled_subop level
    device: Any  # frontend.device.Device
    time_sharing: bool  # the compute groups do not fit one per PE
    compute_groups: int
    timings: dict[str, float] = field(default_factory=dict)


def preset_device(base, width: int, height: int, device_preset: str):
    """`base` (PE compute, buffers, links from the input) on a width x height mesh with the preset's memory
    layout and memory-compute rule."""
    from frontend.device import Device

    fresh = Device.for_mesh(width, height, device_preset, source=f"{device_preset} preset on {width}x{height}")
    return replace(base, width=width, height=height, memory_pes=None, memory_layout=fresh.memory_layout,
                   memory_compute=fresh.memory_compute, preset=fresh.preset, name=fresh.name)


def _fits(problem) -> bool:
    """One compute group per compute PE, and (with writeback) one writeback sink per memory PE."""
    return problem.capacity_error() is None and len(problem.writeback_groups()) <= len(problem.memory_pes)


def tiled_for_task(task: str | Path, *, layer_bank: str | Path | None = None, mesh: tuple[int, int] | None = None,
                   preset: str = "focus", allow_time_sharing: bool = False, max_side: int = MAX_AUTO_SIDE,
                   dataflow_options: dict[str, Any] | None = None) -> TiledTask:
    """Import `task` and run `dataflow-search` on the given mesh (else the task's, when it names one), or
    on the smallest square mesh up to `max_side` where no PE is time-shared (with `allow_time_sharing`,
    `max_side` x `max_side` when none is big enough; without, the placement error of that mesh)."""
    import time

    from xdsl.context import Context
    from xdsl.dialects.builtin import Builtin

    from focus_dialects import get_all_dialects
    from focus_tools.errors import FocusError
    from focus_tools.presets import get_preset
    from frontend.load import load_workload
    from frontend.to_ir import workload_to_module
    from passes.dataflow_search import DataflowSearchPass
    from passes.place_subops import subop_problem

    chosen = get_preset(preset)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    workload = load_workload(str(task), layer_bank=str(layer_bank) if layer_bank is not None else None)
    timings["import"] = time.perf_counter() - t0
    ctx = Context()
    ctx.load_dialect(Builtin)
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    search = DataflowSearchPass(objective=chosen.objective, writeback=chosen.writeback,
                                **(dataflow_options or {}))

    def tiled(width: int, height: int):
        dev = preset_device(workload.device, width, height, chosen.device_preset)
        module = workload_to_module(workload.with_(device=dev))
        t = time.perf_counter()
        search.apply(ctx, module)
        timings["dataflow_search"] = timings.get("dataflow_search", 0.0) + time.perf_counter() - t
        dev_op = next(o for o in module.ops if o.name == "chip.device")
        problem, _ = subop_problem(module, tuple(dev_op.memory), dev.memory_compute, str(task))
        return dev, module, problem

    if mesh is None and workload.mesh_known:  # the task or its architecture says the mesh
        mesh = workload.device.mesh
    if mesh is not None:
        dev, module, problem = tiled(*mesh)
        return TiledTask(str(task), preset, module, dev, not _fits(problem), len(problem.compute_groups()), timings)
    cores = max((layer.cores for layer in workload.layers), default=1)
    side = max(2, math.isqrt(max(cores, 1) - 1) + 1)
    if side > max_side:
        raise FocusError(f"{task}: a layer asks for {cores} cores, more than the {max_side}x{max_side} PEs of the "
                         "largest automatic mesh; give --mesh")
    while True:
        try:
            dev, module, problem = tiled(side, side)
        except FocusError:
            if side >= max_side:
                raise
            side += 1  # e.g. the original memory layout leaves no compute PE on a tiny mesh
            continue
        if _fits(problem):
            return TiledTask(str(task), preset, module, dev, False, len(problem.compute_groups()), timings)
        if side >= max_side:
            if not allow_time_sharing:
                detail = problem.capacity_error() or (
                    f"{task}: {len(problem.writeback_groups())} sinks write back to memory, the "
                    f"{side}x{side} mesh has {len(problem.memory_pes)} memory PEs")
                raise FocusError(f"{detail} (largest automatic mesh {max_side}x{max_side}; give --mesh or "
                                 "--allow-time-sharing)")
            return TiledTask(str(task), preset, module, dev, True, len(problem.compute_groups()), timings)
        # grow: at least enough PEs for the compute groups
        need = len(problem.compute_groups()) + (0 if dev.memory_compute else len(problem.memory_pes))
        side = min(max_side, max(side + 1, math.isqrt(max(need, 1) - 1) + 1))


# ---- outputs --------------------------------------------------------------------------------------------
def placement_json(task: str, preset: str, problem, placement, group_of, *, time_sharing: bool) -> dict:
    """The placement as plain data: groups (with their sub-operators) -> PE, per-PE groups, cost."""
    from passes.placement import cost_breakdown

    subops: dict[str, list[str]] = {}
    for op, g in group_of.items():
        subops.setdefault(g, []).append(op.sym_name.data)
    memory = set(problem.memory_pes)
    cost = cost_breakdown(problem, placement)
    return {
        "task": task,
        "preset": preset,
        "strategy": placement.strategy,
        "seed": placement.seed,
        "mesh": [problem.width, problem.height],
        "memory_pes": [list(pe) for pe in problem.memory_pes],
        "memory_compute": problem.memory_hosts_compute,
        "time_sharing": time_sharing,
        "groups": [
            {"name": g.name, "model": g.model, "layer": g.layer, "kind": g.kind, "memory": g.needs_memory,
             "pe": list(placement.pe_of[g.name]), "subops": subops.get(g.name, [])}
            for g in problem.groups
        ],
        "pes": [
            {"pe": list(pe), "memory": pe in memory, "groups": list(names)}
            for pe, names in placement.groups_on.items()
        ],
        "cost": {"total": cost.total, "flit_hops": cost.flit_hops, "max_link_load": cost.max_link_load,
                 "link_weight": cost.link_weight, "offchip_messages": cost.offchip_messages},
        "stats": {k: v for k, v in placement.stats.items() if isinstance(v, (int, float, str, bool))},
    }


def compact_json(data: dict) -> str:
    """Indented JSON with every [x, y] pair on one line."""
    text = json.dumps(data, indent=1)
    return re.sub(r"\[\s+(-?\d+),\s+(-?\d+)\s+\]", r"[\1, \2]", text) + "\n"


_MODEL_MAPS = ("Blues", "Oranges", "Greens", "Reds", "Purples", "YlOrBr", "PuRd", "Greys", "BuGn", "RdPu")


def plot_placement(problem, placement, path: str | Path, title: str = "") -> None:
    """A PNG of the mesh: each PE coloured by the layer(s) of its workers/sinks (stripes when shared),
    memory PEs with a thick outline and an 'M', sources as dots; the legend lists models and layers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    models: dict[str, list[str]] = {}
    for g in problem.groups:
        layers = models.setdefault(g.model, [])
        if g.layer not in layers:
            layers.append(g.layer)
    colour: dict[str, tuple] = {}
    n_layers = sum(len(v) for v in models.values())
    if n_layers <= 20:  # one distinct colour per layer
        palette = plt.get_cmap("tab20")
        for k, layer in enumerate(layer for layers in models.values() for layer in layers):
            colour[layer] = palette(k)
    else:  # a colour family per model, shades along its layers
        for i, (model, layers) in enumerate(models.items()):
            cmap = plt.get_cmap(_MODEL_MAPS[i % len(_MODEL_MAPS)])
            for j, layer in enumerate(layers):
                colour[layer] = cmap(0.3 + 0.6 * j / max(1, len(layers) - 1))
    kind_of = {g.name: g for g in problem.groups}
    w, h = problem.width, problem.height
    side = min(12.0, max(4.0, 0.4 * max(w, h)))
    legend_rows = len(models) + sum(len(v) for v in models.values()) + 2
    columns = max(1, math.ceil(legend_rows / 45))
    fig, ax = plt.subplots(figsize=(side + 2.2 * columns, side))
    label_cells = max(w, h) <= 16

    def ink(rgba) -> str:
        r, g, b = rgba[:3]
        return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"

    for pe, names in placement.groups_on.items():
        x, y = pe
        compute = [kind_of[n] for n in names if kind_of[n].is_compute]
        for k, g in enumerate(compute):
            part = 1.0 / len(compute)
            ax.add_patch(Rectangle((x + k * part, y), part, 1, facecolor=colour[g.layer], edgecolor="none"))
        sources = [kind_of[n] for n in names if not kind_of[n].is_compute]
        for k, g in enumerate(sources[:4]):
            ax.plot(x + 0.75 - 0.18 * k, y + 0.8, marker="o", markersize=4 if label_cells else 2,
                    color=colour[g.layer], markeredgecolor="black", markeredgewidth=0.5)
        if label_cells and compute:
            text = "/".join("S" if g.kind == "sink" else g.name.rsplit(".", 1)[-1] for g in compute[:2])
            ax.text(x + 0.5, y + 0.45, text, ha="center", va="center", fontsize=6, color=ink(colour[compute[0].layer]))
    for y in range(h):
        for x in range(w):
            ax.add_patch(Rectangle((x, y), 1, 1, facecolor="none", edgecolor="#999999", linewidth=0.4))
    for x, y in problem.memory_pes:
        ax.add_patch(Rectangle((x + 0.05, y + 0.05), 0.9, 0.9, facecolor="none", edgecolor="black", linewidth=1.4))
        if label_cells:
            ax.text(x + 0.12, y + 0.25, "M", fontsize=5, fontweight="bold")
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)  # y = row, 0 = north at the top
    ax.set_aspect("equal")
    ax.set_xticks([i + 0.5 for i in range(w)], [str(i) for i in range(w)], fontsize=6)
    ax.set_yticks([i + 0.5 for i in range(h)], [str(i) for i in range(h)], fontsize=6)
    ax.tick_params(length=0)
    ax.set_title(title or f"placement on {w}x{h} ({placement.strategy})", fontsize=9)
    handles: list = [Line2D([], [], linestyle="none", marker="s", markerfacecolor="white", markeredgecolor="black",
                            markeredgewidth=1.6, markersize=8, label="memory PE (M)"),
                     Line2D([], [], linestyle="none", marker="o", color="grey", markeredgecolor="black",
                            markersize=4, label="memory source (layer colour)")]
    for model, layers in models.items():
        handles.append(Patch(facecolor="none", edgecolor="none", label=model))
        handles += [Patch(facecolor=colour[layer], label=f"  {layer}") for layer in layers]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=6, ncol=columns,
              frameon=False)
    fig.tight_layout()
    fig.savefig(str(path), format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)


# ---- command --------------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    from focus_tools.commands.common import check_output_folder, write_output
    from focus_tools.errors import FocusError
    from focus_tools.presets import get_preset
    from frontend.device import parse_mesh
    from frontend.to_ir import module_text
    from passes.place_subops import place_module
    from passes.placement import STRATEGIES, cost_breakdown

    chosen = get_preset(args.preset)
    strategy = args.strategy or chosen.placement
    if strategy not in STRATEGIES:
        raise FocusError(f"--strategy '{strategy}' is unknown (valid: {', '.join(STRATEGIES)})")
    if args.iterations is not None and (strategy != "anneal" or args.iterations < 0):
        raise FocusError(f"--iterations {args.iterations}: needs --strategy anneal and a count >= 0")
    mesh = parse_mesh(args.mesh, "--mesh") if args.mesh is not None else None
    tiled = tiled_for_task(args.task, layer_bank=args.layer_bank, mesh=mesh, preset=chosen.name,
                           allow_time_sharing=args.allow_time_sharing)
    module = tiled.module
    problem, placement, group_of = place_module(
        module, strategy, args.seed, allow_time_sharing=args.allow_time_sharing,
        iterations=-1 if args.iterations is None else args.iterations, where=str(args.task))
    cost = cost_breakdown(problem, placement)
    shared = f", {len(placement.shared_pes)} time-shared PEs" if placement.shared_pes else ""
    print(f"{args.task}: placed {len(problem.groups)} groups ({len(group_of)} sub-operators, "
          f"{len(problem.compute_groups())} on compute slots) on {problem.width}x{problem.height} "
          f"[{chosen.name}, {strategy}, seed {args.seed}]{shared}: cost {cost.total} "
          f"(flit-hops {cost.flit_hops}, max link load {cost.max_link_load} x {cost.link_weight})")
    if args.json:
        data = placement_json(str(args.task), chosen.name, problem, placement, group_of,
                              time_sharing=bool(placement.shared_pes))
        write_output(args.json, compact_json(data))
    if args.plot:
        check_output_folder(args.plot)
        plot_placement(problem, placement, args.plot,
                       f"{Path(args.task).name}: {strategy} on {problem.width}x{problem.height}, cost {cost.total}")
    if args.output:
        write_output(args.output, module_text(module))
    return 0

"""`focus route TASK`: import a task, run the dataflow search, placement and routing.

The preset's passes run as in `focus_tools.driver.compile_workload` up to `place-subops`, then
`route-messages` (`passes.route_messages.route_module`) with the preset's algorithms or `--unicast`,
`--multicast`, `--search` (`--budget`: search evaluations, default scaled to the problem size).
Outputs: a one-line summary on stdout (messages, analytic makespan, max link load, total link traversals),
`--json` (per-message routes with their VC classes, priorities and analytic start/finish, per-link and
per-router loads), `--plot` (a PNG heatmap of the analytic link loads: one arrow per directed link, coloured
by its load, PEs shaded by the flits their router sends) and `-o` (the routed_message module).

`stages_until` (run the preset's pipeline up to a stage) is shared with `bench/routing.py`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from focus_tools.commands.common import add_compile_arguments, add_input_arguments

NAME = "route"
HELP = "Import a task, run the dataflow search, placement and routing; report, plot or dump the routes."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    add_compile_arguments(parser)
    for action in parser._actions:  # an unknown preset is a one-line error from get_preset, as the others
        if action.dest == "preset":
            action.choices = None
            action.metavar = "P"
            action.help = "compiler choices: focus (ours, default) or focus-original (the original toolchain's)"
    parser.error = _usage_error  # type: ignore[method-assign]
    parser.add_argument("--budget", type=int, metavar="N",
                        help="route search budget in cost evaluations (default: scaled to the problem size)")
    parser.add_argument("--plot", metavar="FILE", help="write the link-load heatmap as a PNG")
    parser.add_argument("--json", metavar="FILE", help="write per-message routes and link loads as JSON")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the routed_message module")


def _usage_error(message: str) -> None:
    """A bad command line: one line on stderr, exit code 2 (argparse would add the usage)."""
    import sys

    sys.stderr.write(f"focus {NAME}: error: {message}\n")
    sys.exit(2)


# ---- pipeline -------------------------------------------------------------------------------------------
def stages_until(workload, opts, stop_after: str = "place-subops"):
    """Run the preset's pipeline on `workload` up to and including `stop_after` (the mesh is fixed after the
    dataflow search as in `focus_tools.driver.compile_workload`). Returns (module, device, timings)."""
    from xdsl.passes import PassPipeline

    from focus_tools import driver
    from focus_tools.errors import FocusError
    from focus_tools.presets import get_preset
    from focus_tools.registry import get_all_passes
    from frontend.to_ir import workload_to_module

    if stop_after not in driver.STAGES:
        raise FocusError(f"stage '{stop_after}': not a pass of the pipeline (valid: {', '.join(driver.STAGES)})")
    preset = get_preset(opts.preset).with_options(
        placement=opts.placement, unicast=opts.unicast, multicast=opts.multicast, search=opts.search)
    ctx = driver.make_context()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    base = workload.device
    w, h = base.mesh
    provisional = driver._device_for(base, w, h, preset, opts) if workload.mesh_known else \
        driver._device_for(base, max(w, 64), max(h, 64), preset, opts)
    module = workload_to_module(workload.with_(device=provisional))
    timings["import"] = time.perf_counter() - t0
    passes = get_all_passes()
    specs = preset.pipeline(opts.seed, opts.allow_time_sharing).split("},")
    specs = [s if s.endswith("}") or "{" not in s else s + "}" for s in specs]
    device = provisional
    for spec in specs:
        name = spec.split("{")[0]
        t = time.perf_counter()
        PassPipeline.parse_spec(passes, spec).apply(ctx, module)
        if name == "dataflow-search" and not workload.mesh_known:
            d = driver.smallest_square(driver.compute_groups(module), preset, base, opts)
            device = driver._device_for(base, d, d, preset, opts)
            driver._replace_device(module, device)
        module.verify()
        timings[name] = time.perf_counter() - t
        if name == stop_after:
            break
    return module, device, timings


def check_choices(unicast: str, multicast: str, search: str, budget: int | None) -> None:
    """FocusError for an unknown algorithm or a negative budget (before any work is done)."""
    from focus_tools.errors import FocusError
    from passes.routing import MULTICAST, UNICAST
    from passes.routing.search import METHODS

    for option, value, valid in (("--unicast", unicast, UNICAST), ("--multicast", multicast, MULTICAST),
                                 ("--search", search, METHODS)):
        if value not in valid:
            raise FocusError(f"{option} '{value}' is unknown (valid: {', '.join(valid)})")
    if budget is not None and budget < 0:
        raise FocusError(f"--budget {budget}: must be a number of evaluations >= 0")


# ---- outputs --------------------------------------------------------------------------------------------
def _pe(p) -> list[int]:
    return [int(p[0]), int(p[1])]


def routing_json(task: str, preset: str, result, schedule, *, unicast: str, multicast: str, search: str,
                 seed: int) -> dict:
    """Per-message routes (every copy with its VC class and links), priorities, analytic start/finish, the
    load of every used directed link and of every router (flits it sends on its output links, per batch)."""
    from passes.routing.contention import flit_hops, max_link_load

    load = result.link_loads()
    router: dict[tuple[int, int], int] = {}
    for (a, _), flits in load.items():
        router[a] = router.get(a, 0) + flits
    found = result.search

    def cost(c) -> dict | None:
        return None if c is None else {"makespan": c[0], "max_link_load": c[1], "flit_hops": c[2]}

    messages = []
    for m in result.messages:
        route = result.routes[m.name]
        t = schedule.timing[m.name]
        messages.append({
            "name": m.name, "ir_names": result.ir_names[m.name], "src": _pe(m.src), "dsts": [_pe(d) for d in m.dsts],
            "flits": m.flits, "packets": m.packets, "priority": result.priorities[m.name],
            "after": list(m.after), "algorithm": route.algorithm, "kind": route.kind, "minimal": route.minimal,
            "start": t.start, "finish": t.finish,
            "copies": [{"vc": c.vc, "dsts": [_pe(d) for d in c.dsts], "links": [[_pe(a), _pe(b)] for a, b in c.links]}
                       for c in route.copies],
        })
    return {
        "task": task,
        "preset": preset,
        "mesh": [result.mesh.width, result.mesh.height],
        "unicast": unicast,
        "multicast": multicast,
        "search": search,
        "seed": seed,
        "evaluations": found.evaluations if found else 0,
        "link_bandwidth": result.link_bandwidth,
        "cost": {"makespan": schedule.makespan, "max_link_load": max_link_load(load), "flit_hops": flit_hops(load)},
        "start_cost": cost(found.start_cost) if found else None,
        "messages": messages,
        "links": [{"from": _pe(a), "to": _pe(b), "load": flits} for (a, b), flits in sorted(load.items())],
        "routers": [{"pe": _pe(pe), "load": flits} for pe, flits in sorted(router.items(), key=lambda kv: (kv[0][1], kv[0][0]))],
    }


def compact_json(data: dict) -> str:
    """Indented JSON with every list of numbers (a PE, a link, a list of PEs) on one line."""
    import json
    import re

    text = json.dumps(data, indent=1)
    flat = re.compile(r"\[\s*([^\[\]{}\"]*?)\s*\]", re.DOTALL)
    while True:
        new = flat.sub(lambda m: "[" + re.sub(r",\s+", ", ", m.group(1).strip()) + "]", text)
        new = re.sub(r"\[\s+((?:\[[^\[\]{}\"]*\],?\s*)+)\]",
                     lambda m: "[" + re.sub(r"\],\s+\[", "], [", m.group(1).strip()) + "]", new)
        if new == text:
            return text + "\n"
        text = new


def plot_link_loads(width: int, height: int, load: dict, path: str | Path, title: str = "") -> None:
    """A PNG heatmap of the analytic link loads: every used directed link is an arrow coloured by its flits
    (offset to the right of its direction, so both directions show), every PE is shaded by the flits its
    router sends (grey scale); one colour bar each. North (y = 0) is at the top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import Normalize

    router = np.zeros((height, width))
    xs, ys, us, vs, cs = [], [], [], [], []
    for ((x0, y0), (x1, y1)), flits in sorted(load.items()):
        router[y0, x0] += flits
        dx, dy = x1 - x0, y1 - y0
        ox, oy = -dy * 0.15, dx * 0.15  # right-hand side of the direction, in screen terms (y down)
        xs.append(x0 + 0.2 * dx + ox)
        ys.append(y0 + 0.2 * dy + oy)
        us.append(0.6 * dx)
        vs.append(0.6 * dy)
        cs.append(flits)
    side = min(14.0, max(5.0, 0.45 * max(width, height)))
    fig, ax = plt.subplots(figsize=(side + 1.2, side + 0.8))
    peak_router = float(router.max()) if router.size else 0.0
    shade = ax.imshow(router, cmap="Greys", vmin=0, vmax=max(peak_router, 1.0), extent=(-0.5, width - 0.5, height - 0.5, -0.5),
                      alpha=0.55, interpolation="nearest")
    peak = max(cs, default=0)
    norm = Normalize(vmin=0, vmax=max(peak, 1))
    arrows = ax.quiver(xs, ys, us, vs, cs, cmap="inferno_r", norm=norm, angles="xy", scale_units="xy", scale=1,
                       width=min(0.006, 0.07 / max(width, height)), headwidth=3, headlength=3, headaxislength=2.6)
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    ax.set_aspect("equal")
    step = 1 if max(width, height) <= 16 else 2
    ax.set_xticks(range(0, width, step))
    ax.set_yticks(range(0, height, step))
    ax.tick_params(labelsize=6, length=0)
    ax.set_xlabel("x (column)", fontsize=7)
    ax.set_ylabel("y (row)", fontsize=7)
    for k in range(width + 1):
        ax.axvline(k - 0.5, color="#cccccc", linewidth=0.4)
    for k in range(height + 1):
        ax.axhline(k - 0.5, color="#cccccc", linewidth=0.4)
    ax.set_title(title or f"analytic link loads on {width}x{height}", fontsize=9)
    bar = fig.colorbar(arrows, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label("flits per link (per batch)", fontsize=7)
    bar.ax.tick_params(labelsize=6)
    bar2 = fig.colorbar(shade, ax=ax, orientation="horizontal", fraction=0.035, pad=0.07, aspect=40)
    bar2.set_label("flits sent by the router (per batch)", fontsize=7)
    bar2.ax.tick_params(labelsize=6)
    fig.savefig(str(path), format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)






# ---- command --------------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    from focus_tools.commands.common import check_output_folder, options_from_args, write_output
    from frontend.to_ir import module_text
    from focus_tools.driver import load
    from focus_tools.errors import FocusError
    from focus_tools.presets import get_preset
    from passes.placement import STRATEGIES
    from passes.route_messages import route_module
    from passes.routing.contention import flit_hops, max_link_load

    opts = options_from_args(args)
    chosen = get_preset(opts.preset).with_options(unicast=opts.unicast, multicast=opts.multicast, search=opts.search)
    check_choices(chosen.unicast, chosen.multicast, chosen.search, args.budget)
    strategy = opts.placement or chosen.placement
    if strategy not in STRATEGIES:
        raise FocusError(f"--strategy '{strategy}' is unknown (valid: {', '.join(STRATEGIES)})")
    for path in (args.plot, args.json, args.output):
        if path:
            check_output_folder(path)
    workload = load(opts)
    module, device, timings = stages_until(workload, opts, "place-subops")
    t = time.perf_counter()
    result = route_module(module, chosen.unicast, chosen.multicast, chosen.search, opts.seed, args.budget)
    timings["route-messages"] = time.perf_counter() - t
    module.verify()
    w, h = device.mesh
    where = f"on {w}x{h} [{chosen.name}, unicast {chosen.unicast}, multicast {chosen.multicast}, " \
            f"search {chosen.search}, seed {opts.seed}]"
    if result is None:
        print(f"{args.task}: no message crosses PEs {where}")
        load_map: dict = {}
        schedule = None
    else:
        schedule = result.schedule()
        load_map = result.link_loads()
        evaluations = f", {result.search.evaluations} evaluations" if result.search else ""
        print(f"{args.task}: routed {len(result.messages)} messages "
              f"({sum(len(v) for v in result.ir_names.values())} IR messages) {where}: analytic makespan "
              f"{schedule.makespan:,.0f} cycles, max link load {max_link_load(load_map):,} flits, "
              f"link traversals {flit_hops(load_map):,} flit-hops (routing {timings['route-messages']:.2f} s"
              f"{evaluations})")
    if args.json:
        if result is None:
            data = {"task": str(args.task), "preset": chosen.name, "mesh": [w, h], "unicast": chosen.unicast,
                    "multicast": chosen.multicast, "search": chosen.search, "seed": opts.seed, "evaluations": 0,
                    "link_bandwidth": device.link_bits / device.flit_bits,
                    "cost": {"makespan": 0.0, "max_link_load": 0, "flit_hops": 0}, "start_cost": None,
                    "messages": [], "links": [], "routers": []}
        else:
            data = routing_json(str(args.task), chosen.name, result, schedule, unicast=chosen.unicast,
                                multicast=chosen.multicast, search=chosen.search, seed=opts.seed)
        write_output(args.json, compact_json(data))
    if args.plot:
        plot_link_loads(w, h, load_map, args.plot,
                        f"{Path(str(args.task)).name}: {chosen.unicast}/{chosen.multicast}/{chosen.search} on {w}x{h}")
    if args.output:
        write_output(args.output, module_text(module))
    return 0

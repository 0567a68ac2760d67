"""`focus timeloop-mapper FILE...`: search a mapping like timeloop-mapper and print its evaluation."""

from __future__ import annotations

import argparse
import sys

NAME = "timeloop-mapper"
HELP = ("Search a mapping like timeloop-mapper (arch, problem, constraints, optional ERT files); prints the "
        "best mapping and a Timeloop-style summary.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="YAML files merged like Timeloop (later top-level keys win); directories "
                             "contribute all their YAML files")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("-o", "--output", metavar="DIR",
                        help="write timeloop-mapper.stats.txt, .map.txt, .map.yaml and .json into DIR")
    parser.add_argument("--objective", choices=("delay", "energy", "edp"),
                        help="what to minimise (default: the first of mapper.optimization_metrics, else edp)")
    parser.add_argument("--seed", type=int, default=0, help="search seed (default 0)")
    parser.add_argument("--time-budget", type=float, default=None, metavar="S",
                        help="stop starting new restarts after S seconds (the result may then depend on speed)")
    parser.add_argument("--effort", type=float, default=1.0,
                        help="scale the search schedule (restarts x moves), default 1")
    parser.add_argument("--engine", choices=("focus", "timeloop"), default="focus",
                        help="focus (built-in mapper, default) or timeloop (run the real timeloop-mapper)")
    parser.add_argument("--current-stride-rule", action="store_true",
                        help="Timeloop >= 2025 stride-change rule (default: the legacy rule of the refs)")
    parser.add_argument("--no-link-transfers", action="store_true", help="disable inter-PE link transfers")


def run(args: argparse.Namespace) -> int:
    from focus_tools.errors import FocusError
    from passes.timeloop.cli_common import dumps, load_inputs, run_real_timeloop, write_outputs

    if args.engine == "timeloop":
        res = run_real_timeloop("timeloop-mapper", args.files, args.output)
        if args.json:
            sys.stdout.write(dumps(res))
        else:
            sys.stdout.write(res.get("map_txt", "") + f"\nCycles: {res.get('cycles')}\n"
                             f"Energy: {res.get('energy_pJ', 0) / 1e6:.2f} uJ\n")
        return 0
    if args.effort <= 0:
        raise FocusError(f"--effort {args.effort}: expected a positive number")
    if args.time_budget is not None and args.time_budget <= 0:
        raise FocusError(f"--time-budget {args.time_budget}: expected a positive number of seconds")

    from passes.timeloop.mapper import search
    from passes.timeloop.report import dump_yaml, map_txt, mapping_to_yaml, result_to_json, stats_txt

    inp = load_inputs(args.files)
    objective = args.objective
    if objective is None:
        metrics = (inp.doc.get("mapper") or {}).get("optimization_metrics") or []
        first = str(metrics[0]) if metrics else "edp"
        objective = first if first in ("delay", "energy", "edp") else "edp"
    sr = search(inp.problem, inp.arch, inp.constraints, inp.energy, objective=objective, seed=args.seed,
                time_budget=args.time_budget, effort=args.effort,
                legacy_stride=not args.current_stride_rule, link_transfers=not args.no_link_transfers)
    result = sr.result
    dims = list(inp.problem.dims)
    spaces = [ds.name for ds in inp.problem.data_spaces]
    summary = result_to_json(result, {
        "tool": "focus timeloop-mapper", "objective": objective, "seed": args.seed,
        "search": {"evaluations": sr.evaluations, "restarts": sr.restarts, "stopped": sr.stopped},
        "notes": list(sr.notes),
        "area_um2": inp.area_um2(),
    })
    write_outputs(args.output, "timeloop-mapper", {
        "stats.txt": stats_txt(result, "timeloop-mapper"), "map.txt": map_txt(result),
        "map.yaml": dump_yaml(mapping_to_yaml(result.mapping, inp.arch, dims, spaces)), "json": dumps(summary)})
    for note in sr.notes:
        print(f"focus timeloop-mapper: note: {note}", file=sys.stderr)
    print(f"focus timeloop-mapper: {sr.evaluations} mappings scored in {sr.seconds:.2f} s "
          f"({sr.rate:.0f}/s), stopped by {sr.stopped}", file=sys.stderr)
    if args.json:
        sys.stdout.write(dumps(summary))
    else:
        from focus_tools.commands.timeloop_model import _summary_lines

        sys.stdout.write(map_txt(result) + "\n" + _summary_lines(result))
    return 0

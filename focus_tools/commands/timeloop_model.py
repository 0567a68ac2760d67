"""`focus timeloop-model FILE...`: evaluate a fixed mapping with the Timeloop-compatible model."""

from __future__ import annotations

import argparse
import sys

NAME = "timeloop-model"
HELP = ("Evaluate a mapping like timeloop-model: give the same YAML files (arch, problem, mapping, "
        "optional ERT, or a parsed-processed-input.yaml); prints a Timeloop-style summary.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="YAML files merged like Timeloop (later top-level keys win); a *.map.txt is "
                             "read as the mapping; directories contribute all their YAML files")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("-o", "--output", metavar="DIR",
                        help="write timeloop-model.stats.txt, .map.txt and .json into DIR")
    parser.add_argument("--engine", choices=("focus", "timeloop"), default="focus",
                        help="focus (built-in model, default) or timeloop (run the real timeloop-model)")
    parser.add_argument("--current-stride-rule", action="store_true",
                        help="Timeloop >= 2025 stride-change rule (default: the legacy rule of the refs)")
    parser.add_argument("--no-link-transfers", action="store_true",
                        help="disable inter-PE link transfers (TIMELOOP_DISABLE_LINK_TRANSFERS)")
    parser.add_argument("--reference", action="store_true",
                        help="use the literal (exponential) nest-analysis recursion instead of the closed form")


def run(args: argparse.Namespace) -> int:
    from passes.timeloop.cli_common import (
        check_mapping_constraints,
        dumps,
        load_inputs,
        run_real_timeloop,
        write_outputs,
    )

    if args.engine == "timeloop":
        res = run_real_timeloop("timeloop-model", args.files, args.output)
        if args.json:
            sys.stdout.write(dumps(res))
        else:
            sys.stdout.write(f"Cycles: {res.get('cycles')}\nEnergy: {res.get('energy_pJ', 0) / 1e6:.2f} uJ\n")
        return 0

    from passes.timeloop.model import evaluate
    from passes.timeloop.report import map_txt, result_to_json, stats_txt

    inp = load_inputs(args.files)
    mapping = inp.mapping()
    source = inp.origin.get("mapping", inp.map_txt[1] if inp.map_txt else "mapping")
    check_mapping_constraints(mapping, inp, source)
    result = evaluate(inp.problem, inp.arch, mapping, inp.energy,
                      legacy_stride=not args.current_stride_rule, link_transfers=not args.no_link_transfers,
                      engine="reference" if args.reference else "fast", source=source)
    summary = result_to_json(result, {"tool": "focus timeloop-model", "area_um2": inp.area_um2()})
    stats = stats_txt(result, "timeloop-model")
    write_outputs(args.output, "timeloop-model",
                  {"stats.txt": stats, "map.txt": map_txt(result), "json": dumps(summary)})
    if args.json:
        sys.stdout.write(dumps(summary))
    else:
        sys.stdout.write(map_txt(result) + "\n" + _summary_lines(result))
    return 0


def _summary_lines(result) -> str:
    lines = [
        f"Utilization: {100 * result.utilization:.2f}%",
        f"Cycles: {result.cycles}",
        f"Energy: {result.energy_pJ / 1e6:.2f} uJ ({result.pj_per_mac:.5f} pJ/MAC)",
        f"Computes = {result.macs}",
        f"Energy source: {result.energy_source}",
        "fJ/Compute",
    ]
    for k, v in result.fj_per_compute().items():
        lines.append(f"    {k:<30} = {v:.2f}")
    return "\n".join(lines) + "\n"

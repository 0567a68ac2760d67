"""`focus run TASK`: compile and simulate a task end to end; write a report, a trace and plots."""

from __future__ import annotations

import argparse
from pathlib import Path

from focus_tools.commands.common import add_compile_arguments, add_input_arguments, options_from_args

NAME = "run"
HELP = "compile a task (frontend -> dataflow search -> placement -> routing -> per-PE programs) and simulate it"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input_arguments(p)
    add_compile_arguments(p)
    p.add_argument("--out", metavar="DIR", default="out", help="output directory (default: out)")
    p.add_argument("--print-ir-after", action="append", metavar="PASS",
                   help="print the IR after this pass (repeatable): dataflow-search, place-subops, "
                        "route-messages, lower-to-pe-isa")
    p.add_argument("--max-cycles", type=int, metavar="N", help="stop the simulation after N cycles (exit 3)")
    p.add_argument("--detail", choices=("layers", "subops"), default="layers",
                   help="operator-graph plot detail (default: layers)")
    p.add_argument("--json", action="store_true", help="print the report as JSON instead of the summary table")


def run(args: argparse.Namespace) -> int:
    import json

    from focus_tools.driver import STAGES, run as drive, summary_table
    from focus_tools.errors import FocusError

    for stage in args.print_ir_after or ():
        if stage not in STAGES:
            raise FocusError(f"--print-ir-after {stage}: not a pass of the pipeline (valid: {', '.join(STAGES)})")
    opts = options_from_args(args)
    out = Path(args.out)
    report = drive(opts, out, detail=args.detail)
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
    else:
        print(summary_table(report))
        files = sorted(p.name for p in out.iterdir() if p.is_file())
        print(f"outputs in {out}/: {', '.join(files)}")
    return 0

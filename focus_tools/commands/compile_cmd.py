"""`focus compile TASK`: compile to per-PE programs (pe_isa) and write the module and/or a target."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from focus_tools.commands.common import add_compile_arguments, add_input_arguments, options_from_args

NAME = "compile"
HELP = "compile a task to per-PE programs: pe_isa IR (-o), a listing (--asm), a packed program (--packed) " \
       "or an original spatial_sim task directory (--spatial-sim DIR)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input_arguments(p)
    add_compile_arguments(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write the pe_isa module here (default: stdout, "
                   "unless another output is chosen)")
    p.add_argument("--asm", metavar="FILE", help="write the readable per-PE listing (pe-asm target)")
    p.add_argument("--packed", metavar="FILE.npz", help="write the packed program the simulator loads")
    p.add_argument("--spatial-sim", metavar="DIR", help="write an original spatial_sim task directory")
    p.add_argument("--print-ir-after", action="append", metavar="PASS", help="print the IR after this pass")


def run(args: argparse.Namespace) -> int:
    from focus_tools.driver import STAGES, compile_workload, load, write_text_atomic
    from focus_tools.errors import FocusError

    for stage in args.print_ir_after or ():
        if stage not in STAGES:
            raise FocusError(f"--print-ir-after {stage}: not a pass of the pipeline (valid: {', '.join(STAGES)})")
    opts = options_from_args(args)
    compiled = compile_workload(load(opts), opts,
                                on_ir=lambda stage, text: print(f"// ----- IR after {stage} -----\n{text}"))
    module = compiled.module
    wrote = False
    if args.asm:
        from backend_sim.targets import pe_asm_listing

        write_text_atomic(Path(args.asm), pe_asm_listing(module))
        wrote = True
    if args.packed:
        from backend_sim.lower_packed import pack_module

        pack_module(module).save(Path(args.packed))
        wrote = True
    if args.spatial_sim:
        from backend_sim.spatial_sim_export import export_spatial_sim

        export_spatial_sim(module, Path(args.spatial_sim))
        wrote = True
    text = str(module) + "\n"
    if args.output:
        write_text_atomic(Path(args.output), text)
    elif not wrote:
        sys.stdout.write(text)
    print(f"compiled {len(compiled.layers)} layers on a {compiled.device.width}x{compiled.device.height} mesh: "
          f"{compiled.op_counts['pe_isa_ops']} pe_isa ops", file=sys.stderr)
    return 0

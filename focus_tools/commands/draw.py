"""`focus draw FILE.mlir -o FILE.png`: draw the graph of a module of any level.

tensor_op: the layer DAG; tiled_subop: sub-operators and streams; placed_subop: the same on the mesh;
routed_message: every message's route tree on the mesh; pe_isa: the programs per PE. A task YAML or ONNX
file is imported first (drawn as tensor_op).
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "draw"
HELP = "draw the graph of any level's IR (tensor_op, tiled/placed sub-operators, routed messages, pe_isa) as a PNG"

LEVELS = ("tensor_op", "tiled_subop", "placed_subop", "routed_message", "pe_isa")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="a .mlir module of any focus level (or a task .yaml / .onnx)")
    p.add_argument("-o", "--output", metavar="PNG", help="output image (default: FILE with the suffix .png)")
    p.add_argument("--level", choices=LEVELS, help="draw as this level (default: detected from the ops)")


def parse_module(path: Path):
    """Parse a .mlir file with focus's dialects (or import a task/ONNX file); FocusError on bad input."""
    from focus_tools.errors import FocusError

    if not path.is_file():
        raise FocusError(f"{path}: no such file")
    if path.suffix in (".yaml", ".yml", ".onnx"):
        from frontend.load import load_workload
        from frontend.to_ir import workload_to_module

        return workload_to_module(load_workload(str(path)))
    from xdsl.parser import Parser
    from xdsl.utils.exceptions import DiagnosticException, ParseError

    from focus_tools.driver import make_context
    from focus_tools.focus_opt import one_line

    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise FocusError(f"{path}: not a text file, expected an MLIR module") from None
    try:
        module = Parser(make_context(), text, str(path)).parse_module()
        module.verify()
    except Exception as exc:  # noqa: BLE001 - any parse/verify failure is bad input
        # parse errors carry FILE:LINE:COL; verifier errors name the op
        line = one_line(exc) if isinstance(exc, (ParseError, DiagnosticException)) else str(exc).splitlines()[0]
        raise FocusError(line if line.startswith(str(path)) else f"{path}: {line}") from None
    return module


def run(args: argparse.Namespace) -> int:
    from backend_sim.plots import draw_module, level_of
    from focus_tools.errors import FocusError

    path = Path(args.file)
    module = parse_module(path)
    found = level_of(module)
    if not found:
        raise FocusError(f"{path}: no tensor_op, tiled_subop, placed_subop, routed_message or pe_isa ops, "
                         "expected a module of one of these levels")
    if args.level and args.level != found and not (found == "routed_message" and args.level == "placed_subop"):
        raise FocusError(f"{path}: --level {args.level}, but the module is at level {found}")
    out = Path(args.output) if args.output else path.with_suffix(".png")
    if out.suffix.lower() != ".png":
        raise FocusError(f"-o {out}: expected a .png file")
    level, written = draw_module(module, out, level=args.level or found)
    print(f"{written}: {level}")
    return 0

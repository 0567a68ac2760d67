"""Arguments shared by the commands that compile a task (run, compare, sweep, place, route, compile)."""

from __future__ import annotations

import argparse

from focus_tools.presets import PRESETS


def add_input_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("task", metavar="TASK", help="a task YAML (ours or FOCUS's), a Timeloop problem, an ONNX file "
                   "or a zoo model name (resnet50, bert-base, ...)")
    p.add_argument("--layer-bank", metavar="DIR", help="FOCUS layer bank (default: database/ beside the task's folder)")
    p.add_argument("--arch", metavar="FILE", help="architecture file (ours or a Timeloop arch)")
    p.add_argument("--mesh", metavar="WxH", help="mesh size (default: the smallest square that fits the task)")
    p.add_argument("--batch", type=int, metavar="N", help="inferences per model")
    p.add_argument("--seq-len", type=int, metavar="N", help="sequence length of transformer zoo models")
    p.add_argument("--cores", type=int, metavar="K", help="override every layer's core budget (0 = auto)")


def add_compile_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", default="focus", choices=sorted(PRESETS),
                   help="compiler choices: focus (ours, default) or focus-original (the original toolchain's)")
    p.add_argument("--seed", type=int, default=0, help="seed of every randomised search (default 0)")
    p.add_argument("--strategy", dest="placement", metavar="S", help="placement: hilbert|snake|random|anneal")
    p.add_argument("--unicast", metavar="R", help="unicast routing: xy|yx|adaptive")
    p.add_argument("--multicast", metavar="T", help="multicast trees: star|rpm|bam|whirl|steiner")
    p.add_argument("--search", metavar="S", help="route/priority search: none|anneal|evolve")
    p.add_argument("--link-bits", type=int, metavar="B", help="NoC link width in bits")
    p.add_argument("--flit-bits", type=int, metavar="B", help="flit size in bits")
    p.add_argument("--allow-time-sharing", action="store_true", help="let several sub-operators share a PE")
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")


def check_output_folder(path: str) -> None:
    """A one-line error when the folder an output file goes into does not exist (checked before any work)."""
    from pathlib import Path

    from focus_tools.errors import FocusError

    parent = Path(path).parent
    if not parent.is_dir():
        raise FocusError(f"{path}: the folder {parent} does not exist")


def write_output(path: str, text: str) -> None:
    """Write an output file; a missing folder or a write failure is a one-line error."""
    from pathlib import Path

    from focus_tools.errors import FocusError

    check_output_folder(path)
    try:
        Path(path).write_text(text)
    except OSError as exc:
        raise FocusError(f"{path}: cannot write ({exc.strerror})") from None


def options_from_args(args: argparse.Namespace, **extra):
    from focus_tools.driver import RunOptions

    return RunOptions(
        task=args.task, layer_bank=args.layer_bank, arch=args.arch, mesh=args.mesh, batch=args.batch,
        seq_len=args.seq_len, cores=args.cores, preset=getattr(args, "preset", "focus"),
        seed=getattr(args, "seed", 0), placement=getattr(args, "placement", None),
        unicast=getattr(args, "unicast", None), multicast=getattr(args, "multicast", None),
        search=getattr(args, "search", None), link_bits=getattr(args, "link_bits", None),
        flit_bits=getattr(args, "flit_bits", None), allow_time_sharing=getattr(args, "allow_time_sharing", False),
        max_cycles=getattr(args, "max_cycles", None),
        print_ir_after=tuple(getattr(args, "print_ir_after", None) or ()),
        progress=not getattr(args, "no_progress", False), **extra)

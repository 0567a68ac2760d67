"""`focus import TASK_OR_MODEL`: read a task, a Timeloop problem, an ONNX file or a zoo model into a
verified `tensor_op` module (printed, or written with `-o`); `--stats [--json]` prints per-model
statistics instead (layer count, MACs, op counts by kind; the JSON adds every layer's dims and MACs).
"""

from __future__ import annotations

import argparse
import json
import sys

NAME = "import"
HELP = ("Read a task (FOCUS or focus format), a Timeloop problem, an ONNX file or a zoo model into a "
        "tensor_op module.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", nargs="?", metavar="TASK_OR_MODEL",
                        help="task YAML (focus or FOCUS format), Timeloop problem YAML, .onnx file, or zoo model")
    parser.add_argument("--model", metavar="NAME", help="a model-zoo name (instead of TASK_OR_MODEL)")
    parser.add_argument("--layer-bank", metavar="DIR",
                        help="layer bank of FOCUS layer names (default: the database/ folder beside the task's folder)")
    parser.add_argument("--arch", metavar="FILE",
                        help="architecture: our device YAML, a Timeloop arch file or folder, or a preset "
                        "(focus, focus-original); default: the task's, else the embedded focus device")
    parser.add_argument("--mesh", metavar="WxH", help="mesh size, e.g. 8x8 (overrides the architecture's)")
    parser.add_argument("--batch", type=int, metavar="N", help="inferences per model (default: the task's, else 1)")
    parser.add_argument("--seq-len", type=int, metavar="N", help="sequence length of transformers (default 128)")
    parser.add_argument("--cores", metavar="K", help="core budget of every layer: a positive integer or auto")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the module (or the statistics) to FILE")
    parser.add_argument("--stats", action="store_true", help="print per-model statistics instead of the module")
    parser.add_argument("--json", action="store_true", help="statistics as JSON (implies --stats)")
    parser.add_argument("--list-models", action="store_true", help="list the model zoo and exit")


def _stats_text(stats: dict) -> str:
    lines = [f"{'model':<24} {'layers':>6} {'GMAC':>10}  ops"]
    for name, m in stats["models"].items():
        ops = ", ".join(f"{k} {v}" for k, v in m["ops"].items())
        lines.append(f"{name:<24} {m['layers']:>6} {m['macs'] / 1e9:>10.3f}  {ops}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from focus_tools.errors import FocusError

    if args.list_models:
        from frontend.zoo import ZOO

        print("\n".join(f"{name}  ({kind})" for name, (kind, _) in ZOO.items()))
        return 0
    source = args.model if args.model is not None else args.input
    if source is None:
        raise FocusError("give TASK_OR_MODEL or --model NAME (see --list-models)")
    if args.model is not None and args.input is not None:
        raise FocusError(f"give either TASK_OR_MODEL ({args.input}) or --model ({args.model}), not both")
    cores = None
    if args.cores is not None:
        from frontend.focus_task import parse_cores

        value = args.cores if args.cores.strip().lower() == "auto" else (
            int(args.cores) if args.cores.strip().lstrip("-").isdigit() else args.cores)
        cores = parse_cores(value, "--cores")
    if args.model is not None:
        from frontend.zoo import is_zoo_model, zoo_names

        if not is_zoo_model(args.model):
            raise FocusError(f"--model {args.model}: not a zoo model (zoo: {', '.join(zoo_names())})")

    from frontend.load import load_workload
    from frontend.to_ir import module_stats, module_text, workload_to_module

    workload = load_workload(source, layer_bank=args.layer_bank, arch=args.arch, batch=args.batch,
                             seq_len=args.seq_len, mesh=args.mesh, cores=cores)
    module = workload_to_module(workload)
    if args.stats or args.json:
        stats = module_stats(module, per_layer=args.json)
        text = json.dumps(stats) + "\n" if args.json else _stats_text(stats)
    else:
        text = module_text(module)
    if args.output:
        try:
            with open(args.output, "w") as f:
                f.write(text)
        except OSError as exc:
            raise FocusError(f"-o {args.output}: cannot write ({exc.strerror})") from None
    else:
        sys.stdout.write(text)
    return 0

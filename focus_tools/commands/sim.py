"""`focus sim`: run a program on the cycle-accurate simulator.

`focus sim PROGRAM.mlir|.npz [--json] [--out DIR] [--max-cycles N] [--recv-at-head]` simulates a pe_isa
module (device parameters from its chip.device) or a packed program (`PackedProgram.save`, simulator
defaults). `focus sim --spatial-sim DIR` runs an original spatial_sim task directory in compatibility
mode. Prints total cycles (and more with --json); a deadlock or the cycle limit exits with code 3.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "sim"
HELP = "Simulate a pe_isa program (.mlir/.npz) or a spatial_sim task directory cycle by cycle."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("program", nargs="?", metavar="PROGRAM", help="a pe_isa .mlir module or a packed .npz program")
    p.add_argument("--spatial-sim", metavar="DIR", help="run an original spatial_sim task directory instead")
    p.add_argument("--spatial-multicast", action="store_true",
                   help="with --spatial-sim: one multicast packet along the routing_board tree per send "
                        "(spatial_sim's MULTICAST build) instead of one unicast per destination")
    p.add_argument("--json", action="store_true", help="print the full JSON result")
    p.add_argument("--out", metavar="DIR", help="write result.json (and pe_stats.csv) into DIR")
    p.add_argument("--max-cycles", type=int, metavar="N", help="stop with exit code 3 after N cycles")
    p.add_argument("--deadlock-window", type=int, metavar="N",
                   help="cycles without progress before a deadlock is reported (default 100000)")
    p.add_argument("--recv-at-head", action="store_true",
                   help="a packet counts as delivered when its head flit arrives (default: tail)")
    p.add_argument("--multicast-mode", choices=("sync", "branch"),
                   help="tree replication: all branches in the same cycle (sync) or independently (branch)")
    p.add_argument("--vcs", type=int, metavar="V", help="virtual channels per port (overrides the device)")
    p.add_argument("--buf", type=int, metavar="B", help="flits per VC buffer (overrides the device)")
    p.add_argument("--no-skip", action="store_true", help="disable event skipping (same results, slower)")


def _overrides(args) -> dict:
    over = {}
    if args.max_cycles is not None:
        over["max_cycles"] = args.max_cycles
    if args.deadlock_window is not None:
        over["deadlock_window"] = args.deadlock_window
    if args.multicast_mode:
        over["multicast_mode"] = args.multicast_mode
    if args.vcs is not None:
        over["num_vcs"] = args.vcs
    if args.buf is not None:
        over["vc_buf_size"] = args.buf
    return over


def run(args: argparse.Namespace) -> int:
    from backend_sim.engine import simulate
    from focus_tools.errors import FocusError

    over = _overrides(args)
    if args.spatial_sim:
        if args.program:
            raise FocusError(f"sim: {args.program} and --spatial-sim {args.spatial_sim}, expected one input")
        from backend_sim.spatial_sim import read_spatial_sim_dir, spatial_config, to_program

        task = read_spatial_sim_dir(args.spatial_sim)
        for warning in task.warnings:
            print(f"focus sim: warning: {warning}", file=sys.stderr)
        prog = to_program(task, multicast=args.spatial_multicast)
        cfg = spatial_config(task, **over)
    else:
        if not args.program:
            raise FocusError("sim: no PROGRAM given, expected a .mlir/.npz file or --spatial-sim DIR")
        from backend_sim.from_ir import load_program

        if args.recv_at_head:
            over["recv_at_head"] = True
        prog, cfg = load_program(args.program, **over)
    result = simulate(prog, cfg, skip=not args.no_skip)
    data = result.to_json()
    if args.out:
        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            (out / "result.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
            lines = ["pe," + ",".join(next(iter(data["pes"].values()), {}).keys())]
            for pe, st in data["pes"].items():
                lines.append(f"\"{pe}\"," + ",".join(str(v) for v in st.values()))
            (out / "pe_stats.csv").write_text("\n".join(lines) + "\n")
        except OSError as exc:
            raise FocusError(f"sim: cannot write into {out} ({exc.strerror})") from None
    if args.json:
        print(json.dumps(data, indent=1, sort_keys=True))
    else:
        fl = data["flits"]
        print(f"total_cycles {data['total_cycles']}  flits injected {fl['injected']} ejected {fl['ejected']}  "
              f"sim_seconds {data['sim_seconds']:.3f}")
    result.raise_if_failed()
    return 0

"""Bench: lower-to-pe-isa on a compiled model (default resnet50 on a 16x16 mesh).

Runs dataflow-search, place-subops and route-messages (the preset's options), then times lower-to-pe-isa
alone (its self-check included) and prints the op count of the lowered module (target < 100,000) and the
lowering time (target < 20 s). Usage: `.venv/bin/python bench/lowering.py [--model resnet50] [--mesh 16x16]
[--preset focus] [--batch 1] [--simulate]`.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

OP_TARGET = 100_000
TIME_TARGET = 20.0
NEEDED = ("passes.dataflow_search", "passes.place_subops", "passes.route_messages")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="resnet50")
    ap.add_argument("--mesh", default="16x16")
    ap.add_argument("--preset", default="focus")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--simulate", action="store_true", help="also pack the program and run the simulator")
    ap.add_argument("--save-routed", default="", help="write the routed_message module to this file")
    ap.add_argument("--routed", default="", help="start from this routed_message module (skips the earlier passes)")
    ap.add_argument("--no-time-sharing", dest="time_sharing", action="store_false",
                    help="one sub-operator per PE (resnet50 needs more than 256 PEs then)")
    args = ap.parse_args(argv)

    missing = [m for m in NEEDED if importlib.util.find_spec(m) is None]
    if missing:
        print(f"lowering bench: cannot run, missing passes: {', '.join(missing)}")
        return 1

    from xdsl.context import Context
    from xdsl.passes import PassPipeline

    from focus_dialects import pe_isa
    from focus_dialects.chip import find_device
    from focus_tools.presets import get_preset
    from focus_tools.registry import get_all_passes
    from frontend.device import Device, parse_mesh
    from frontend.to_ir import workload_to_module
    from frontend.zoo import zoo_workload
    from passes.lower_to_pe_isa import LowerToPeIsaPass

    preset = get_preset(args.preset)
    w, h = parse_mesh(args.mesh)
    ctx = Context()
    if args.routed:
        from xdsl.dialects.builtin import Builtin
        from xdsl.parser import Parser

        from focus_dialects import get_all_dialects

        ctx.load_dialect(Builtin)
        for name, factory in get_all_dialects().items():
            ctx.register_dialect(name, factory)
        t0 = time.perf_counter()
        module = Parser(ctx, Path(args.routed).read_text(), args.routed).parse_module()
        t_front = time.perf_counter() - t0
        front_what = f"parsed {args.routed}"
        w, h = find_device(module).mesh
    else:
        workload = zoo_workload(args.model).with_(device=Device.for_mesh(w, h, preset=preset.device_preset),
                                                  batch=args.batch, mesh_known=True)
        module = workload_to_module(workload)
        spec = preset.pipeline(args.seed, allow_time_sharing=args.time_sharing)
        assert spec.endswith(",lower-to-pe-isa"), spec
        front = spec[: -len(",lower-to-pe-isa")]
        t0 = time.perf_counter()
        PassPipeline.parse_spec(get_all_passes(), front).apply(ctx, module)
        t_front = time.perf_counter() - t0
        front_what = "earlier passes (dataflow-search, place-subops, route-messages)"
        if args.save_routed:
            Path(args.save_routed).write_text(str(module) + "\n")
    routed_ops = sum(1 for _ in module.walk()) - 1

    t0 = time.perf_counter()
    LowerToPeIsaPass().apply(ctx, module)
    t_lower = time.perf_counter() - t0
    t0 = time.perf_counter()
    module.verify()
    t_verify = time.perf_counter() - t0

    ops = sum(1 for _ in module.walk()) - 1  # the builtin.module itself is not counted
    programs = sum(1 for o in module.ops if isinstance(o, pe_isa.ProgramOp))
    blocks = sum(1 for o in module.walk() if isinstance(o, pe_isa.BlockOp))
    messages = sum(1 for o in module.ops if isinstance(o, pe_isa.MessageOp))
    print(f"lowering bench: {args.model} on {w}x{h}, preset {args.preset}, batch {args.batch}")
    print(f"  {front_what}: {t_front:.2f} s, {routed_ops} ops")
    print(f"  lowered module: {ops} ops ({programs} programs, {blocks} blocks, {messages} messages); "
          f"target < {OP_TARGET:,}: {'ok' if ops < OP_TARGET else 'MISSED'}")
    print(f"  lower-to-pe-isa (with its self-check): {t_lower:.2f} s; target < {TIME_TARGET:.0f} s: "
          f"{'ok' if t_lower < TIME_TARGET else 'MISSED'}")
    print(f"  verify of the lowered module: {t_verify:.2f} s")
    if args.simulate:
        from backend_sim.config import SimConfig
        from backend_sim.engine import simulate
        from backend_sim.lower_packed import pack_module

        t0 = time.perf_counter()
        prog = pack_module(module)
        t_pack = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = simulate(prog, SimConfig.from_device(find_device(module)))
        t_sim = time.perf_counter() - t0
        state = "finished" if result.finished else f"DEADLOCK: {str(result.deadlock).splitlines()[0]}"
        print(f"  packed: {len(prog.instr_op)} instructions ({t_pack:.2f} s); simulated: {result.total_cycles} "
              f"cycles, {state} ({t_sim:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

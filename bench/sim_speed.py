"""Simulator speed: simulated cycles per second of the numba engine (synthetic traffic, BookSim-style
routers), and memory for a 32x32 mesh.

(a) 8x8 mesh, uniform random, 0.1 flits/node/cycle, 1-flit packets, 2 VCs x 4 flit buffers
(b) the same at 0.3 flits/node/cycle (beyond saturation for this router: the network stays full)
(c) 16x16 mesh at 0.1 flits/node/cycle
(d) 32x32 mesh at 0.1: peak resident memory of the process
(e) program mode: a synthetic layer on a 16x16 mesh (16 memory PEs stream 4-flit multicast packets to 64
    workers that compute 300 cycles per packet and send results to 8 sinks)
Cycles/s are measured on the simulation loop only (after JIT compilation / cache load and a warm-up),
as wall time and as process CPU time (the machine may be shared).

With --booksim PATH (a BookSim2 binary you built, github.com/booksim/booksim2), case (a)'s configuration
is also written as a BookSim2 configuration file and run through BookSim2 and through `focus noc
--booksim-cfg`, alternately, --repeat times; it prints both speeds (BookSim's "Total run time", our
`sim_seconds`: the simulation loops alone) and their ratio, measured in the same run on the same machine.

Usage: python bench/sim_speed.py [--cycles N] [--booksim PATH [--repeat K]]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # idle BLAS threads spin and steal CPU

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend_sim.config import SimConfig
from backend_sim.engine import simulate
from backend_sim.program import ProgramBuilder
from backend_sim.traffic import EngineTraffic, TrafficSpec, warm_up_jit


def measure(side: int, rate: float, cycles: int, warm: int = 2000) -> tuple[float, float, int]:
    cfg = SimConfig(width=side, height=side, num_vcs=2, vc_buf_size=4)
    st = EngineTraffic(cfg, TrafficSpec(pattern="uniform", rate=rate, packet_flits=1, seed=1))
    st.steps(warm)
    w0, c0 = time.perf_counter(), time.process_time()
    st.steps(cycles)
    w1, c1 = time.perf_counter(), time.process_time()
    return cycles / (w1 - w0), cycles / max(c1 - c0, 1e-9), st.counters()["ejected"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=100_000, help="measured cycles for (a) and (b)")
    ap.add_argument("--booksim", help="a BookSim2 binary: also compare speed on case (a)'s configuration")
    ap.add_argument("--repeat", type=int, default=3, help="alternating runs of each simulator for --booksim")
    args = ap.parse_args()
    if args.booksim and not Path(args.booksim).is_file():
        print(f"sim_speed: --booksim {args.booksim}: no such file, expected a BookSim2 binary", file=sys.stderr)
        return 2
    if args.repeat < 1:
        print(f"sim_speed: --repeat {args.repeat}: expected at least 1", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    warm_up_jit()
    print(f"jit compile/cache load: {time.perf_counter() - t0:.1f} s")
    cases = [("(a) 8x8 uniform 0.1", 8, 0.1, args.cycles), ("(b) 8x8 uniform 0.3", 8, 0.3, args.cycles),
             ("(c) 16x16 uniform 0.1", 16, 0.1, max(1, args.cycles // 4))]
    for name, side, rate, n in cases:
        wall, cpu, ej = measure(side, rate, n)
        print(f"{name:24s} {wall:10,.0f} cycles/s wall  {cpu:10,.0f} cycles/s cpu  ({n} cycles, {ej} flits ejected)")
    wall, cpu, _ = measure(32, 0.1, 2000, warm=500)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'(d) 32x32 uniform 0.1':24s} {wall:10,.0f} cycles/s wall  {cpu:10,.0f} cycles/s cpu  "
          f"peak RSS {rss_mb:.0f} MB")
    res = simulate(layer_program(), SimConfig(width=16, height=16, num_vcs=4, vc_buf_size=4, injection_queue=8))
    res.raise_if_failed()
    print(f"{'(e) program 16x16 layer':24s} {res.total_cycles / res.sim_seconds:10,.0f} cycles/s wall  "
          f"({res.total_cycles} cycles in {res.sim_seconds:.2f} s, {res.flits_ejected} flits ejected)")
    if args.booksim:
        compare_booksim(args.booksim, args.repeat)
    return 0


def compare_booksim(binary: str, repeat: int) -> None:
    """Case (a) as one BookSim2 configuration file, through BookSim2 and through our engine, alternately."""
    from booksim_fidelity import CONFIG, run_booksim, run_ours

    rates: dict[str, list[float]] = {"BookSim2": [], "focus": []}
    with tempfile.TemporaryDirectory(prefix="sim_speed_booksim_") as tmp:
        for i in range(repeat):
            cfg = Path(tmp) / f"case_a_{i}.cfg"  # one file per run: run_booksim keeps BookSim's log beside it
            cfg.write_text(CONFIG.format(vcs=2, buf=4, flits=1, rate=0.1, seed=0))
            for name, run in (("BookSim2", lambda c: run_booksim(binary, c)), ("focus", run_ours)):
                out = run(cfg)
                rates[name].append(out["cycles"] / out["seconds"])
    print(f"(a) as one BookSim2 configuration file, {repeat} alternating runs each, simulation loop only:")
    for name, rs in rates.items():
        print(f"    {name:9s} {min(rs):10,.0f} - {max(rs):10,.0f} cycles/s")
    ratio = sorted(rates["focus"])[repeat // 2] / sorted(rates["BookSim2"])[repeat // 2]
    print(f"    focus / BookSim2 (medians): {ratio:.1f}x (target: over 10x)")


def layer_program():
    b = ProgramBuilder(16, 16, memory_pes=[(x, 0) for x in range(16)])
    workers = [(x, y) for y in range(4, 16, 3) for x in range(16)][:64]
    sinks = [(x, 2) for x in range(0, 16, 2)]
    iters = 200
    for s in range(16):
        group = [w for i, w in enumerate(workers) if i % 16 == s]
        t = b.add_message((s, 0), group, 4, name=f"in{s}")
        with b.block((s, 0), f"src{s}") as blk, blk.loop(iters):
            blk.mem_read(256)
            blk.send(t)
        for i, w in enumerate(group):
            sink = sinks[(s + i) % len(sinks)]
            o = b.add_message(w, [sink], 1, name=f"out{s}.{i}")
            with b.block(w, f"w{s}.{i}") as blk, blk.loop(iters):
                blk.recv(t)
                blk.compute(300)
                blk.send(o)
            with b.block(sink, f"sink{s}.{i}") as blk, blk.loop(iters):
                blk.recv(o)
    return b.build()


if __name__ == "__main__":
    sys.exit(main())

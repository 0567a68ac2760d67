"""`focus noc`: synthetic traffic on the mesh NoC, or a BookSim2 configuration file.

`focus noc --mesh 8x8 --traffic uniform --rate 0.1 --packet-flits 1 --vcs 2 --buf 4 --cycles 10000
[--warmup 1000] [--json]`: packets created during the measured cycles (after the warm-up) are measured
until delivered; prints avg_latency (creation to tail ejection), accepted_rate (flits/node/cycle in the
measured window), cycles and sim_seconds. `--sweep [START:STOP:STEP]` prints the latency-load curve
(rates in flits/node/cycle) up to the first unstable point; `saturated` marks points whose accepted rate
is below 0.95 x offered.

`focus noc --booksim-cfg FILE [key=value ...]` runs a BookSim2 configuration with BookSim's measurement
protocol and prints pkt_lat_avg, net_lat_avg, flit_lat_avg, accepted_flit_rate, hops_avg, cycles and
sim_seconds. An unstable (saturated) run prints its numbers with "stable": false and exits with code 1.
"""

from __future__ import annotations

import argparse
import json

NAME = "noc"
HELP = "Synthetic-traffic NoC simulation (BookSim-compatible), or run a BookSim2 configuration file."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="BookSim config overrides (with --booksim-cfg)")
    p.add_argument("--booksim-cfg", metavar="FILE", help="a BookSim2 configuration file")
    p.add_argument("--mesh", default="8x8", metavar="WxH", help="mesh size (default 8x8)")
    p.add_argument("--traffic", default="uniform",
                   help="uniform, transpose, bitcomp, hotspot, bitrev, shuffle, tornado or neighbor")
    p.add_argument("--hotspots", default="", metavar="N1,N2",
                   help="hotspot node ids (default: the node nearest the centre)")
    p.add_argument("--rate", type=float, default=0.1, help="offered load in flits/node/cycle (default 0.1)")
    p.add_argument("--packet-flits", type=int, default=1, help="flits per packet (default 1)")
    p.add_argument("--vcs", type=int, default=2, help="virtual channels per port (default 2)")
    p.add_argument("--buf", type=int, default=4, help="flits per VC buffer (default 4)")
    p.add_argument("--cycles", type=int, default=10000, help="measured cycles (default 10000)")
    p.add_argument("--warmup", type=int, default=1000, help="warm-up cycles (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--latency-thres", type=float, default=500.0,
                   help="average latency above which a run counts as unstable (default 500)")
    p.add_argument("--sweep", nargs="?", const="0.02:1.0:0.02", metavar="START:STOP:STEP",
                   help="print the latency-load curve (default 0.02:1.0:0.02 flits/node/cycle)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _mesh(text: str):
    from focus_tools.errors import FocusError

    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise FocusError(f"noc: --mesh {text}, expected WxH such as 8x8") from None
    if w < 1 or h < 1 or w * h < 2:
        raise FocusError(f"noc: --mesh {text}, expected at least two nodes")
    return w, h


def run(args: argparse.Namespace) -> int:
    from backend_sim.config import SimConfig
    from backend_sim.traffic import TrafficSpec, simulate_traffic, sweep
    from focus_tools.errors import FocusError

    if args.booksim_cfg:
        from backend_sim.booksim_cfg import run_config

        res = run_config(args.booksim_cfg, args.overrides)
        out = res.to_json()
        if args.json:
            print(json.dumps(out, indent=1, sort_keys=True))
        else:
            print(f"pkt_lat_avg {out['pkt_lat_avg']}  net_lat_avg {out['net_lat_avg']}  "
                  f"flit_lat_avg {out['flit_lat_avg']}  accepted_flit_rate {out['accepted_flit_rate']}  "
                  f"hops_avg {out['hops_avg']}  cycles {out['cycles']}  sim_seconds {out['sim_seconds']}"
                  + ("" if res.stable else "  (unstable)"))
        return 0 if res.stable else 1
    if args.overrides:
        raise FocusError(f"noc: {args.overrides[0]}: key=value overrides need --booksim-cfg FILE")
    w, h = _mesh(args.mesh)
    if args.packet_flits < 1:
        raise FocusError(f"noc: --packet-flits {args.packet_flits}, expected at least 1")
    if args.cycles < 1 or args.warmup < 0:
        raise FocusError(f"noc: --cycles {args.cycles} --warmup {args.warmup}, expected cycles >= 1, warmup >= 0")
    cfg = SimConfig(width=w, height=h, num_vcs=args.vcs, vc_buf_size=args.buf).validated()
    hot: tuple[int, ...] = ()
    if args.traffic == "hotspot":
        if args.hotspots:
            try:
                hot = tuple(int(x) for x in args.hotspots.split(","))
            except ValueError:
                raise FocusError(f"noc: --hotspots {args.hotspots}, expected node ids like 0,63") from None
        else:
            hot = ((h // 2) * w + w // 2,)
    if not 0 <= args.rate / args.packet_flits <= 1:
        raise FocusError(f"noc: --rate {args.rate} with {args.packet_flits}-flit packets, expected at most "
                         f"{args.packet_flits} flits/node/cycle (one packet per cycle)")
    spec = TrafficSpec(pattern=args.traffic, rate=args.rate / args.packet_flits, packet_flits=args.packet_flits,
                       hotspots=hot, seed=args.seed).check(cfg)
    if args.sweep:
        try:
            lo, hi, step = (float(x) for x in args.sweep.split(":"))
        except ValueError:
            raise FocusError(f"noc: --sweep {args.sweep}, expected START:STOP:STEP") from None
        if step <= 0 or lo <= 0 or hi < lo:
            raise FocusError(f"noc: --sweep {args.sweep}, expected 0 < START <= STOP and STEP > 0")
        rates = []
        r = lo
        while r <= hi + 1e-12 and r <= args.packet_flits:
            rates.append(round(r, 6))
            r += step
        results = sweep(cfg, spec, rates, warmup=args.warmup, cycles=args.cycles, latency_thres=args.latency_thres)
        rows = [{"rate": round(res.offered_flit_rate, 6), **res.to_json()} for res in results]
        if args.json:
            print(json.dumps(rows, indent=1, sort_keys=True))
        else:
            print("rate      avg_latency  accepted_rate  stable  saturated")
            for row in rows:
                print(f"{row['rate']:<9} {row['avg_latency']:<12} {row['accepted_rate']:<14} {row['stable']!s:<7} "
                      f"{row['saturated']}")
        return 0
    res = simulate_traffic(cfg, spec, warmup=args.warmup, cycles=args.cycles, latency_thres=args.latency_thres)
    out = res.to_json()
    if args.json:
        print(json.dumps(out, indent=1, sort_keys=True))
    else:
        print(f"avg_latency {out['avg_latency']}  accepted_rate {out['accepted_rate']}  cycles {out['cycles']}  "
              f"sim_seconds {out['sim_seconds']}" + ("" if res.stable else "  (unstable)"))
    return 0 if res.stable else 1

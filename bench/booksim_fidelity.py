"""Fidelity against real BookSim2: the same configuration file through BookSim2 and through our engine
(`focus noc --booksim-cfg`), on an 8x8 mesh with dimension-order routing, for 2 and 4 VCs, 4- and 8-flit
buffers, 1- and 4-flit packets, uniform traffic at several loads and seeds.

Prints one row per point: BookSim's and our `pkt_lat_avg` and `accepted_flit_rate` and their ratios,
averaged over the seeds, and whether the point is within the issue's tolerance (latency 5 %, accepted rate
2 %). Points where BookSim itself is saturated (accepted rate < 0.95 x offered) are marked and not
judged. Also prints both simulators' speed (simulated cycles per second of the simulation loop: BookSim's
"Total run time", our `sim_seconds`).

BookSim2 is not part of focus: build it yourself (github.com/booksim/booksim2, `make` in src/) and pass
its binary. Configurations and BookSim's outputs are written to --work (default: a temporary folder).

Usage: python bench/booksim_fidelity.py --booksim PATH/TO/booksim [--seeds 0,1,2] [--rates 0.05,0.15,...]
       [--quick]   (one seed, 2 loads: about 2 minutes of BookSim time)
"""

from __future__ import annotations

import argparse
import itertools
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchutil import machine

from backend_sim.traffic import SATURATION_FRACTION

CONFIG = """topology = mesh;
k = 8;
n = 2;
routing_function = dim_order;
router = iq;
num_vcs = {vcs};
vc_buf_size = {buf};
packet_size = {flits};
sim_type = latency;
injection_process = bernoulli;
injection_rate_uses_flits = 1;
traffic = uniform;
injection_rate = {rate};
warmup_periods = 3;
sample_period = 10000;
max_samples = 10;
latency_thres = -1.0;
warmup_thres = -1.0;
acc_warmup_thres = -1.0;
stopping_thres = -1.0;
acc_stopping_thres = -1.0;
seed = {seed};
"""

BOOKSIM_FIELDS = {
    "pkt_lat_avg": r"Packet latency average = ([-\d.e+]+)",
    "net_lat_avg": r"Network latency average = ([-\d.e+]+)",
    "accepted_flit_rate": r"Accepted flit rate average = ([-\d.e+]+)",
    "hops_avg": r"Hops average = ([-\d.e+]+)",
}
LATENCY_TOL, RATE_TOL = 0.05, 0.02


def parse_booksim(text: str, where: str) -> dict:
    """The overall statistics of a BookSim2 run (its stdout)."""
    i = text.find("====== Overall Traffic Statistics ======")
    if i < 0:
        raise SystemExit(f"{where}: no 'Overall Traffic Statistics' in BookSim's output (did it fail?)")
    overall = text[i:]
    out = {k: float(re.search(p, overall).group(1)) for k, p in BOOKSIM_FIELDS.items()}
    out["cycles"] = int(re.search(r"Time taken is (\d+) cycles", text).group(1))
    out["seconds"] = float(re.search(r"Total run time ([\d.e+-]+)", text).group(1))
    return out


def run_booksim(binary: str, cfg: Path) -> dict:
    log = cfg.with_suffix(".booksim.txt")
    if not log.exists():
        proc = subprocess.run([binary, str(cfg)], check=False, capture_output=True, text=True, timeout=3600)
        log.write_text(proc.stdout + proc.stderr)
    return parse_booksim(log.read_text(), str(log))


def run_ours(cfg: Path) -> dict:
    from backend_sim.booksim_cfg import run_config

    res = run_config(cfg)
    return {"pkt_lat_avg": res.pkt_lat_avg, "net_lat_avg": res.net_lat_avg,
            "accepted_flit_rate": res.accepted_flit_rate, "hops_avg": res.hops_avg,
            "cycles": res.cycles, "seconds": res.sim_seconds}


def mean(rows: list[dict], key: str) -> float:
    return sum(r[key] for r in rows) / len(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--booksim", required=True, help="path of a BookSim2 binary")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--rates", default="0.05,0.15,0.25,0.35", help="offered loads, flits/node/cycle")
    ap.add_argument("--quick", action="store_true", help="seed 0, loads 0.05 and 0.25")
    ap.add_argument("--work", help="folder for configurations and BookSim logs (default: a temporary one)")
    ap.add_argument("--jobs", type=int, default=2, help="BookSim runs in parallel")
    args = ap.parse_args()
    if not Path(args.booksim).is_file():
        print(f"booksim_fidelity: --booksim {args.booksim}: no such file, expected a BookSim2 binary",
              file=sys.stderr)
        return 2
    seeds = [0] if args.quick else [int(s) for s in args.seeds.split(",")]
    rates = [0.05, 0.25] if args.quick else [float(r) for r in args.rates.split(",")]
    work = Path(args.work or tempfile.mkdtemp(prefix="booksim_fidelity_"))
    work.mkdir(parents=True, exist_ok=True)
    points = list(itertools.product([2, 4], [4, 8], [1, 4], rates))
    cfgs = {}
    for (vcs, buf, flits, rate), seed in itertools.product(points, seeds):
        path = work / f"mesh8_vc{vcs}_buf{buf}_ps{flits}_r{rate:.2f}_s{seed}.cfg"
        path.write_text(CONFIG.format(vcs=vcs, buf=buf, flits=flits, rate=rate, seed=seed))
        cfgs[(vcs, buf, flits, rate, seed)] = path
    with ThreadPoolExecutor(args.jobs) as pool:
        booksim = dict(zip(cfgs, pool.map(lambda p: run_booksim(args.booksim, p), cfgs.values())))
    ours = {key: run_ours(path) for key, path in cfgs.items()}

    print(f"machine: {machine()}; work folder {work}; seeds {seeds}")
    print(f"{'VCs':>3} {'buf':>3} {'pkt':>3} {'load':>5} | {'BookSim lat':>11} {'ours':>8} {'ratio':>6} | "
          f"{'BookSim acc':>11} {'ours':>8} {'ratio':>6} | result")
    judged = failed = 0
    for vcs, buf, flits, rate in points:
        b = [booksim[(vcs, buf, flits, rate, s)] for s in seeds]
        o = [ours[(vcs, buf, flits, rate, s)] for s in seeds]
        bl, ol = mean(b, "pkt_lat_avg"), mean(o, "pkt_lat_avg")
        ba, oa = mean(b, "accepted_flit_rate"), mean(o, "accepted_flit_rate")
        if ba < SATURATION_FRACTION * rate:
            verdict = "BookSim saturated (not judged)"
        else:
            judged += 1
            ok = abs(ol / bl - 1) <= LATENCY_TOL and abs(oa / ba - 1) <= RATE_TOL
            failed += not ok
            verdict = "ok" if ok else "OUT OF TOLERANCE"
        print(f"{vcs:>3} {buf:>3} {flits:>3} {rate:>5.2f} | {bl:>11.3f} {ol:>8.3f} {ol / bl:>6.3f} | "
              f"{ba:>11.4f} {oa:>8.4f} {oa / ba:>6.3f} | {verdict}")
    bc = sum(r["cycles"] for r in booksim.values())
    bs = sum(r["seconds"] for r in booksim.values())
    oc = sum(r["cycles"] for r in ours.values())
    os_ = sum(r["seconds"] for r in ours.values())
    print(f"{judged - failed}/{judged} judged points within tolerance "
          f"(pkt_lat_avg {LATENCY_TOL:.0%}, accepted_flit_rate {RATE_TOL:.0%})")
    print(f"speed: BookSim2 {bc / bs:,.0f} cycles/s, ours {oc / os_:,.0f} cycles/s "
          f"({bs / os_:.1f}x) over all {len(cfgs)} runs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

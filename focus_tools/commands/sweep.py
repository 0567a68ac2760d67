"""`focus sweep TASK --param link_bits=256,512,1024 --param mesh=8,16 ...`: run the Cartesian product of
parameter values in parallel with Dask, as a table, `sweep.json`, `sweep.csv` and `sweep.png` (slowdown
against one parameter, one line per combination of the others).

Points run on a local Dask cluster (`LocalCluster`, one single-threaded worker process per point up to 2,
or `--workers N`), on an existing cluster (`--scheduler tcp://HOST:PORT`) or in this process
(`--scheduler synchronous`). Each point is `focus_tools.driver.run(opts, OUT/points/<point>,
artifacts=False)`; its result is cached in `OUT/cache/<hash>.json` (the hash covers the options and the
task file's bytes), so re-running a sweep only runs the new or failed points. A failed point is reported
with its one-line error and does not stop the others; the exit code is 0 when every point succeeded, else 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from focus_tools.commands.common import add_input_arguments
from focus_tools.presets import PRESETS

NAME = "sweep"
HELP = "run a task over a grid of parameters (link/flit width, mesh, batch, preset, ...) in parallel with Dask"

CACHE_VERSION = 1
METRICS = ("total_cycles", "compute_lower_bound", "slowdown", "energy_pJ", "max_link_utilization")


def _int(name: str, text: str) -> int:
    from focus_tools.errors import FocusError

    try:
        v = int(text)
    except ValueError:
        raise FocusError(f"--param {name}={text}: not an integer") from None
    if v < (0 if name == "seed" else 1):
        raise FocusError(f"--param {name}={text}: expected {'>= 0' if name == 'seed' else '>= 1'}")
    return v


def _mesh(name: str, text: str) -> int | str:
    from focus_tools.errors import FocusError

    if re.fullmatch(r"\d+", text):
        return _int(name, text)
    if re.fullmatch(r"\d+x\d+", text):
        return text
    raise FocusError(f"--param mesh={text}: expected N (an NxN mesh) or WxH")


def _preset(name: str, text: str) -> str:
    from focus_tools.presets import get_preset

    get_preset(text)
    return text


def _text(name: str, text: str) -> str:
    from focus_tools.errors import FocusError

    if not text:
        raise FocusError(f"--param {name}=: empty value")
    return text


# sweep parameter -> (value parser, RunOptions field, value -> RunOptions value)
PARAMS: dict[str, tuple[Callable[[str, str], Any], str, Callable[[Any], Any]]] = {
    "link_bits": (_int, "link_bits", lambda v: v),
    "flit_bits": (_int, "flit_bits", lambda v: v),
    "mesh": (_mesh, "mesh", lambda v: f"{v}x{v}" if isinstance(v, int) else v),
    "batch": (_int, "batch", lambda v: v),
    "preset": (_preset, "preset", lambda v: v),
    "seed": (_int, "seed", lambda v: v),
    "multicast": (_text, "multicast", lambda v: v),
    "placement": (_text, "placement", lambda v: v),
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input_arguments(p)
    p.add_argument("--param", action="append", default=[], metavar="NAME=V1,V2,...",
                   help=f"a swept parameter (repeatable): {', '.join(PARAMS)}; mesh N means NxN; an integer "
                        "range MIN-MAX-STEP (the original's -fr) is expanded, e.g. flit_bits=256-1024-256")
    p.add_argument("--preset", default="focus", choices=sorted(PRESETS),
                   help="preset of every point unless swept (default focus)")
    p.add_argument("--seed", type=int, default=0, help="seed unless swept (default 0)")
    p.add_argument("--link-bits", type=int, metavar="B", help="link width unless swept")
    p.add_argument("--flit-bits", type=int, metavar="B", help="flit size unless swept")
    p.add_argument("--strategy", dest="placement", metavar="S", help="placement unless swept")
    p.add_argument("--multicast", metavar="T", help="multicast trees unless swept")
    p.add_argument("--allow-time-sharing", action="store_true", help="let several sub-operators share a PE")
    p.add_argument("--max-cycles", type=int, metavar="N", help="stop each simulation after N cycles")
    p.add_argument("--out", metavar="DIR", default="sweep-out", help="output directory (default: sweep-out)")
    p.add_argument("--x", dest="x_param", metavar="NAME", help="the plot's x parameter (default: the first swept "
                   "numeric parameter with several values)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="an existing Dask scheduler (tcp://host:port), or 'synchronous' to run in this process "
                        "(default: a local cluster)")
    p.add_argument("--workers", type=int, metavar="N", help="local cluster workers (default: min(points, 2))")
    p.add_argument("--no-cache", action="store_true", help="ignore cached results (they are still written)")
    p.add_argument("--json", action="store_true", help="print sweep.json instead of the table")


def parse_params(specs: list[str]) -> dict[str, list]:
    """`["link_bits=256,512", "mesh=8"]` -> {"link_bits": [256, 512], "mesh": [8]} (order kept)."""
    from focus_tools.errors import FocusError

    out: dict[str, list] = {}
    for spec in specs:
        if "=" not in spec:
            raise FocusError(f"--param {spec}: expected NAME=V1,V2,... (names: {', '.join(PARAMS)})")
        name, values = spec.split("=", 1)
        name = name.strip().replace("-", "_")
        if name not in PARAMS:
            raise FocusError(f"--param {spec}: unknown parameter '{name}' (valid: {', '.join(PARAMS)})")
        if name in out:
            raise FocusError(f"--param {spec}: '{name}' is swept twice, give all its values in one --param")
        parse = PARAMS[name][0]
        vals = []
        for text in (v.strip() for v in values.split(",")):
            m = re.fullmatch(r"(\d+)-(\d+)-(\d+)", text) if parse in (_int, _mesh) else None
            if m:  # the original's -fr Fmin-Fmax-Step: range(Fmin, Fmax + Step, Step)
                lo, hi, step = map(int, m.groups())
                if step < 1 or hi < lo:
                    raise FocusError(f"--param {name}={text}: expected MIN-MAX-STEP with MIN <= MAX and STEP >= 1")
                vals += [parse(name, str(v)) for v in range(lo, hi + 1, step)]
            else:
                vals.append(parse(name, text))
        if len(set(map(str, vals))) != len(vals):
            raise FocusError(f"--param {spec}: a value is repeated")
        out[name] = vals
    return out


def grid(params: dict[str, list]) -> list[dict]:
    """The Cartesian product, first parameter outermost."""
    names = list(params)
    return [dict(zip(names, combo)) for combo in itertools.product(*(params[n] for n in names))]


def point_options(base, point: dict):
    changes = {PARAMS[k][1]: PARAMS[k][2](v) for k, v in point.items()}
    return dataclasses.replace(base, progress=False, print_ir_after=(), **changes)


def point_dir(point: dict) -> str:
    text = "_".join(f"{k}={v}" for k, v in point.items()) or "default"
    return re.sub(r"[^A-Za-z0-9_.=+-]", "-", text)


def _file_digest(path: str | None) -> str:
    if not path:
        return ""
    p = Path(path)
    if p.is_file():
        return hashlib.sha256(p.read_bytes()).hexdigest()
    return ""


def cache_key(opts) -> str:
    """Hash of everything a point's result depends on that the options name: the options themselves and
    the bytes of the task and architecture files."""
    from focus_tools.errors import FocusError
    from focus_tools.presets import get_preset

    fields = dataclasses.asdict(opts)
    for k in ("progress", "print_ir_after"):
        fields.pop(k, None)
    try:  # the preset's choices as they resolve: --param placement=anneal under `focus` is the default point
        preset = get_preset(opts.preset).with_options(placement=opts.placement, unicast=opts.unicast,
                                                      multicast=opts.multicast, search=opts.search)
        for k in ("preset", "placement", "unicast", "multicast", "search"):
            fields.pop(k, None)
        fields["resolved_preset"] = dataclasses.asdict(preset)
    except FocusError:
        pass
    doc = {"version": CACHE_VERSION, "options": fields, "task": _file_digest(opts.task),
           "arch": _file_digest(opts.arch)}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:20]


def run_point(options: dict, out_dir: str) -> dict:
    """Run one point (in a Dask worker); never raises: errors come back as {"status": "error", ...}."""
    import io
    import time

    from focus_tools.driver import RunOptions, run
    from focus_tools.errors import FocusError

    t = time.perf_counter()
    try:
        report = run(RunOptions(**options), Path(out_dir), log=io.StringIO(), artifacts=False)
    except FocusError as exc:
        lines = str(exc).splitlines()
        return {"status": "error", "error": lines[0] if lines else type(exc).__name__, "exit_code": exc.exit_code,
                "seconds": round(time.perf_counter() - t, 3)}
    except Exception as exc:  # noqa: BLE001 - a bug, not bad input: still only this point fails
        lines = str(exc).splitlines()
        return {"status": "error", "error": f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": "),
                "exit_code": 1, "seconds": round(time.perf_counter() - t, 3)}
    return {"status": "ok", **{k: report[k] for k in METRICS}, "mesh": f"{report['mesh'][0]}x{report['mesh'][1]}",
            "link_bits": report["link_bits"], "flit_bits": report["flit_bits"], "batch": report["batch"],
            "seconds": round(time.perf_counter() - t, 3)}


def run_point_on_worker(options: dict, out_dir: str) -> dict:
    """`run_point`, plus the address of the Dask worker that ran it (`_worker`, shown in the log only)."""
    from distributed import get_worker

    res = run_point(options, out_dir)
    try:
        res["_worker"] = get_worker().address
    except ValueError:  # not inside a worker
        res["_worker"] = "local"
    return res


def _client(args, n_points: int):
    """(client, cluster) for the requested scheduler; (None, None) for synchronous runs."""
    import logging

    from focus_tools.errors import FocusError

    if args.scheduler == "synchronous":
        return None, None
    from distributed import Client, LocalCluster

    if args.scheduler:
        try:
            return Client(args.scheduler, timeout="10s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise FocusError(f"--scheduler {args.scheduler}: cannot connect ({exc})") from None
    workers = args.workers if args.workers else min(n_points, 2)
    if workers < 1:
        raise FocusError(f"--workers {args.workers}: expected >= 1")
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    return Client(cluster), cluster


def execute(jobs: list[tuple[int, dict, str]], args, log) -> dict[int, dict]:
    """Run (index, options, out_dir) jobs; returns index -> result. Failed futures become error results."""
    results: dict[int, dict] = {}
    if not jobs:
        return results
    client, cluster = _client(args, len(jobs))
    try:
        if client is None:
            for i, opts, out in jobs:
                results[i] = run_point(opts, out)
                print(f"  [{len(results)}/{len(jobs)}] {out}: {results[i]['status']}", file=log)
            return results
        from distributed import as_completed

        futures = {client.submit(run_point_on_worker, opts, out, pure=False): (i, out) for i, opts, out in jobs}
        for fut in as_completed(list(futures)):
            i, out = futures[fut]
            try:
                results[i] = fut.result()
            except Exception as exc:  # noqa: BLE001 - the worker died (KilledWorker, lost connection)
                lines = str(exc).splitlines()
                results[i] = {"status": "error", "error": f"{type(exc).__name__}: {lines[0] if lines else ''}",
                              "exit_code": 1}
            where = f" on {results[i]['_worker']}" if "_worker" in results[i] else ""
            print(f"  [{len(results)}/{len(jobs)}] {out}: {results[i]['status']}{where}", file=log)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    return results


def choose_x(params: dict[str, list], wanted: str | None) -> str | None:
    from focus_tools.errors import FocusError

    if wanted:
        name = wanted.replace("-", "_")
        if name not in params:
            raise FocusError(f"--x {wanted}: not a swept parameter (swept: {', '.join(params) or 'none'})")
        return name
    multi = [n for n, v in params.items() if len(v) > 1]
    numeric = [n for n in multi if all(isinstance(x, int) for x in params[n])]
    return (numeric or multi or list(params) or [None])[0]


def format_table(params: dict[str, list], points: list[dict]) -> str:
    names = list(params)
    header = [*names, "status", "total cycles", "lower bound", "slowdown", "energy (uJ)", "busiest link", "note"]
    rows = []
    for p in points:
        cells = [str(p["params"][n]) for n in names] + [p["status"]]
        if p["status"] == "ok":
            cells += [f"{p['total_cycles']:,}", f"{p['compute_lower_bound']:,}",
                      f"{p['slowdown']:.3f}" if p["slowdown"] is not None else "-", f"{p['energy_pJ'] / 1e6:,.3f}",
                      f"{p['max_link_utilization']:.3f}", "cached" if p.get("_cached") else ""]
        else:
            cells += ["-"] * 5 + [p.get("error", "")]
        rows.append(cells)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    numeric = set(range(len(names) + 1, len(header) - 1))

    def line(cells):
        return "| " + " | ".join(c.rjust(w) if i in numeric else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    return "\n".join([sep, line(header), sep, *map(line, rows), sep])


CSV_COLUMNS = ("status", *METRICS, "mesh", "link_bits", "flit_bits", "batch", "error")


def write_csv(path: Path, params: dict[str, list], points: list[dict]) -> None:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*(f"param_{n}" for n in params), *CSV_COLUMNS])
    for p in points:
        w.writerow([*(p["params"][n] for n in params), *(p.get(c, "") if p.get(c) is not None else ""
                                                         for c in CSV_COLUMNS)])
    path.write_text(buf.getvalue())


def run(args: argparse.Namespace) -> int:
    from backend_sim.plots import plot_sweep
    from focus_tools.commands.common import options_from_args
    from focus_tools.driver import write_text_atomic

    params = parse_params(args.param)
    x_param = choose_x(params, args.x_param)
    base = options_from_args(args)
    out = Path(args.out)
    cache = out / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    combos = grid(params)
    points: list[dict] = []
    jobs: list[tuple[int, dict, str]] = []
    keys: list[str] = []
    for i, combo in enumerate(combos):
        opts = point_options(base, combo)
        key = cache_key(opts)
        keys.append(key)
        directory = out / "points" / point_dir(combo)
        point = {"params": combo, "dir": str(directory.relative_to(out)), "key": key}
        cached = cache / f"{key}.json"
        if cached.is_file() and not args.no_cache:
            try:
                point.update(json.loads(cached.read_text()), _cached=True)
                points.append(point)
                continue
            except (ValueError, OSError):
                pass  # a damaged cache entry: run the point again
        points.append(point)
        jobs.append((i, dataclasses.asdict(opts), str(directory)))
    log = sys.stderr
    where = "in this process" if args.scheduler == "synchronous" else (
        f"on {args.scheduler}" if args.scheduler else "on a local Dask cluster")
    print(f"focus sweep: {len(combos)} point(s), {len(combos) - len(jobs)} cached, running {len(jobs)} {where}",
          file=log)
    results = execute(jobs, args, log)
    for i, res in results.items():
        points[i].update(res)
        if res["status"] == "ok":
            stored = {k: v for k, v in res.items() if not k.startswith("_")}
            write_text_atomic(cache / f"{keys[i]}.json", json.dumps(stored, indent=1, sort_keys=True) + "\n")
    # wall-clock seconds stay out of sweep.json, so the same sweep writes the same bytes
    doc = {"task": str(args.task), "params": params, "x": x_param,
           "points": [{k: v for k, v in p.items() if not k.startswith("_") and k != "seconds"} for p in points]}
    write_text_atomic(out / "sweep.json", json.dumps(doc, indent=1, sort_keys=True) + "\n")
    write_csv(out / "sweep.csv", params, points)
    if x_param is not None:
        others = [n for n in params if n != x_param]
        plot_sweep(points, x_param, others, out / "sweep.png", title=f"focus sweep: {args.task}")
    if args.json:
        print(json.dumps(doc, indent=1, sort_keys=True))
    else:
        print(format_table(params, points))
        files = ["sweep.json", "sweep.csv"] + (["sweep.png"] if x_param is not None else [])
        print(f"outputs in {out}/: {', '.join(files)}")
    return 0 if all(p["status"] == "ok" for p in points) else 2

"""The files `focus run` writes besides report.json/report.md: a Perfetto/Chrome trace and PNG plots.

`write_all(out, compiled, program, result, report, detail=...)` writes

* `trace.json`: Chrome trace-event JSON (opens in ui.perfetto.dev or chrome://tracing); 1 trace microsecond
  = 1 cycle. Tracks: one process per PE ("PE <x, y>"): its first thread spans the PE's activity (args: its
  busy / blocked / idle cycle counts), the other threads hold its blocks as slices (blocks of a PE run
  concurrently, so they are spread over as few non-overlapping lanes as needed), and a "received packets"
  counter counts the deliveries to it so far; a "layers" process (one thread per layer, first to last
  activity); a "links" process with one counter track per busy mesh link: the packets in flight through it
  (injection at the source to delivery at the last destination behind the link), reconstructed from the
  simulator's packet and delivery logs.
* `graph.png` (operator graph: layers, or with detail="subops" sub-operators and streams coloured by
  layer), `placement.png`, `links.png` (link-utilization heatmap), `gantt.png` (per-layer timeline),
  `latency.png` (histogram of per-delivery latency).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from backend_sim.program import PORT_L, PORT_NAMES, PackedProgram, neighbor, xy_path

PID_LAYERS = 1
PID_LINKS = 2
PID_PE0 = 1000
MAX_COUNTER_EVENTS = 400_000  # bound on link counter events (and a quarter of it on PE counters)
FILES = ("trace.json", "graph.png", "placement.png", "links.png", "gantt.png", "latency.png")


# ---- packet timing ---------------------------------------------------------------------------------
def delivery_latencies(result) -> np.ndarray:
    """Latency of every delivery: delivery cycle minus the cycle the packet was created by its send."""
    if len(result.del_msg) == 0:
        return np.zeros(0, dtype=np.int64)
    nseq = int(max(result.pkt_seq.max(initial=0), result.del_seq.max(initial=0))) + 1
    nodes = result.prog.nodes + 1

    def key(m, s, d):
        return (m.astype(np.int64) * nseq + s.astype(np.int64)) * nodes + (d.astype(np.int64) + 1)

    pk = key(result.pkt_msg, result.pkt_seq, result.pkt_dst)
    order = np.argsort(pk, kind="stable")
    pk_sorted = pk[order]
    ctime = result.pkt_ctime[order]
    # a copies packet is keyed by its destination, a tree packet by -1
    out = np.empty(len(result.del_msg), dtype=np.int64)
    found = np.zeros(len(result.del_msg), dtype=bool)
    for dst in (result.del_dst, np.full_like(result.del_dst, -1)):
        k = key(result.del_msg, result.del_seq, dst)
        i = np.searchsorted(pk_sorted, k)
        i = np.minimum(i, len(pk_sorted) - 1)
        hit = (pk_sorted[i] == k) & ~found
        out[hit] = result.del_time[hit] - ctime[i[hit]]
        found |= hit
    return out[found]


@dataclass
class LinkIntervals:
    """Per (packet, mesh link) traversal: the link's router `node` and output `port` (E/W/S/N), the time the
    packet was injected at its source and the time its last destination behind that link received it, and
    the NoC flits it put on the link."""

    node: np.ndarray
    port: np.ndarray
    start: np.ndarray
    end: np.ndarray
    flits: np.ndarray


def _tree_links(prog: PackedProgram, m: int) -> list[tuple[int, int, list[int]]]:
    """(node, port, destination indices reached through that link) for each link of message m's tree."""
    route = prog.route(m)
    dst_index = {int(d): k for k, d in enumerate(prog.dsts(m))}
    out: list[tuple[int, int, list[int]]] = []

    def visit(node: int) -> list[int]:
        mask = route.get(node, 0)
        below = [dst_index[node]] if mask & (1 << PORT_L) and node in dst_index else []
        for port in range(4):
            if mask & (1 << port):
                reached = visit(neighbor(prog.width, node, port))
                out.append((node, port, reached))
                below += reached
        return below

    visit(int(prog.msg_src[m]))
    return out


def _port_between(width: int, a: int, b: int) -> int:
    d = b - a
    return {1: 0, -1: 1, width: 2, -width: 3}[d]


def link_intervals(prog: PackedProgram, result, cfg=None) -> LinkIntervals:
    """Reconstruct which packet crossed which link when, from the packet log (injection times) and the
    delivery log. Tree packets follow their message's route tree; `copies` packets the XY path to their
    destination. Packets never injected are skipped; a destination never reached counts as the end of the
    simulation."""
    cfg = cfg if cfg is not None else result.cfg
    total = int(result.total_cycles)
    nodes_l, ports_l, start_l, end_l, flits_l = [], [], [], [], []
    if len(result.pkt_msg) == 0:
        z = np.zeros(0, dtype=np.int64)
        return LinkIntervals(z, z, z, z, z)
    p_order = np.lexsort((result.pkt_seq, result.pkt_msg))
    d_order = np.lexsort((result.del_seq, result.del_msg))
    pm = result.pkt_msg[p_order]
    dm = result.del_msg[d_order]
    p_bounds = np.searchsorted(pm, np.arange(prog.num_messages + 1))
    d_bounds = np.searchsorted(dm, np.arange(prog.num_messages + 1))
    for m in range(prog.num_messages):
        pi = p_order[p_bounds[m]:p_bounds[m + 1]]
        if len(pi) == 0:
            continue
        di = d_order[d_bounds[m]:d_bounds[m + 1]]
        dsts = [int(d) for d in prog.dsts(m)]
        dst_index = {d: k for k, d in enumerate(dsts)}
        seq = result.pkt_seq[pi].astype(np.int64)
        itime = result.pkt_itime[pi].astype(np.int64)
        nseq = int(max(seq.max(initial=0), result.del_seq[di].max(initial=0))) + 1
        deliver = np.full((nseq, len(dsts)), total, dtype=np.int64)  # undelivered: until the end
        if len(di):
            k = np.array([dst_index.get(int(d), 0) for d in result.del_dst[di]], dtype=np.int64)
            deliver[result.del_seq[di].astype(np.int64), k] = result.del_time[di]
        nfl = cfg.noc_flits(int(prog.msg_flits[m]))
        pdst = result.pkt_dst[pi]
        injected = itime >= 0
        tree = injected & (pdst < 0)
        if tree.any():
            s, t0 = seq[tree], itime[tree]
            for node, port, reached in _tree_links(prog, m):
                nodes_l.append(np.full(len(s), node))
                ports_l.append(np.full(len(s), port))
                start_l.append(t0)
                end_l.append(deliver[np.ix_(s, reached)].max(axis=1) if reached else t0)
                flits_l.append(np.full(len(s), nfl))
        copies = injected & (pdst >= 0)
        if copies.any():
            src = int(prog.msg_src[m])
            for d in np.unique(pdst[copies]).tolist():
                sel = copies & (pdst == d)
                s, t0 = seq[sel], itime[sel]
                end = deliver[s, dst_index[int(d)]]
                path = xy_path(prog.width, src, int(d))
                for a, b in pairwise(path):
                    nodes_l.append(np.full(len(s), a))
                    ports_l.append(np.full(len(s), _port_between(prog.width, a, b)))
                    start_l.append(t0)
                    end_l.append(end)
                    flits_l.append(np.full(len(s), nfl))
    if not nodes_l:
        z = np.zeros(0, dtype=np.int64)
        return LinkIntervals(z, z, z, z, z)
    cat = [np.concatenate(x).astype(np.int64) for x in (nodes_l, ports_l, start_l, end_l, flits_l)]
    return LinkIntervals(*cat)


def _in_flight_steps(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step function (times, values) of how many [start, end] intervals are open."""
    t = np.concatenate([start, end])
    d = np.concatenate([np.ones(len(start), np.int64), -np.ones(len(end), np.int64)])
    order = np.lexsort((-d, t))
    t, d = t[order], d[order]
    v = np.cumsum(d)
    last = np.r_[t[1:] != t[:-1], True]
    return t[last], v[last]


def _downsample(t: np.ndarray, v: np.ndarray, cap: int, total: int) -> tuple[np.ndarray, np.ndarray]:
    """At most `cap` steps: equal bins over [0, total], each holding the maximum reached in it."""
    if len(t) <= cap:
        return t, v
    edges = np.linspace(0, max(total, 1), cap + 1).astype(np.int64)
    edges = np.unique(edges)[:-1]
    # value in force at each bin start, then the max of the changes inside the bin
    at_start = np.searchsorted(t, edges, side="right") - 1
    base = np.where(at_start >= 0, v[np.maximum(at_start, 0)], 0)
    which = np.searchsorted(edges, t, side="right") - 1
    peak = base.copy()
    np.maximum.at(peak, which, v)
    keep = np.r_[True, peak[1:] != peak[:-1]]
    return edges[keep], peak[keep]


# ---- trace -----------------------------------------------------------------------------------------
def _lanes(intervals: list[tuple[int, int, int]]) -> dict[int, int]:
    """Interval partitioning: block index -> lane, so that slices in one lane never overlap."""
    lane_end: list[int] = []
    out = {}
    for s, e, b in sorted(intervals):
        for k, end in enumerate(lane_end):
            if end <= s:
                lane_end[k] = e
                out[b] = k
                break
        else:
            lane_end.append(e)
            out[b] = len(lane_end) - 1
    return out


def link_label(prog: PackedProgram, node: int, port: int) -> str:
    x, y = prog.coord(node)
    nx_, ny = prog.coord(neighbor(prog.width, node, port))
    return f"<{x}, {y}> -> <{nx_}, {ny}> ({PORT_NAMES[port]})"


def build_trace(prog: PackedProgram, result, report: dict | None = None,
                max_counter_events: int = MAX_COUNTER_EVENTS) -> dict:
    """The Chrome trace-event document (see the module docstring for the tracks)."""
    from backend_sim.result import PE_CATEGORIES

    total = int(result.total_cycles)
    events: list[dict] = []

    def meta(pid: int, name: str, sort: int, tid: int | None = None) -> None:
        if tid is None:
            events.append({"ph": "M", "pid": pid, "name": "process_name", "args": {"name": name}})
            events.append({"ph": "M", "pid": pid, "name": "process_sort_index", "args": {"sort_index": sort}})
        else:
            events.append({"ph": "M", "pid": pid, "tid": tid, "name": "thread_name", "args": {"name": name}})
            events.append({"ph": "M", "pid": pid, "tid": tid, "name": "thread_sort_index",
                           "args": {"sort_index": sort}})

    # layers
    layers = result.layer_stats()
    compute = {row["name"]: row for row in (report or {}).get("layers", [])}
    meta(PID_LAYERS, "layers", 0)
    for i, (name, t) in enumerate(layers.items()):
        meta(PID_LAYERS, name, i, tid=i + 1)
        if t["start"] >= 0 and t["finish"] >= t["start"]:
            args = {"layer": name}
            if name in compute:
                args.update(compute_cycles=compute[name].get("compute_cycles"), workers=compute[name].get("workers"),
                            model=compute[name].get("model"))
            events.append({"ph": "X", "pid": PID_LAYERS, "tid": i + 1, "name": name, "cat": "layer",
                           "ts": t["start"], "dur": t["finish"] - t["start"], "args": args})

    # PEs
    memory = {int(p) for p in prog.memory_pes}
    by_pe: dict[int, list[int]] = {}
    for b in range(prog.num_blocks):
        by_pe.setdefault(int(prog.block_pe[b]), []).append(b)
    stats = {int(node): result.pe_stats[i] for i, node in enumerate(result.pe_nodes.tolist())}
    pe_cap = max(20, max_counter_events // 4 // max(1, len(set(by_pe) | set(stats))))
    by_dst = np.lexsort((result.del_time, result.del_dst))
    del_times = result.del_time[by_dst]
    del_bounds = np.searchsorted(result.del_dst[by_dst], np.arange(prog.nodes + 1))
    for node in sorted(set(by_pe) | set(stats)):
        pid = PID_PE0 + node
        label = f"PE {prog.pe_label(node)}" + (" memory" if node in memory else "")
        meta(pid, label, 10 + node)
        meta(pid, "activity", 0, tid=0)
        blocks = by_pe.get(node, [])
        spans = [(int(result.block_first[b]), int(result.block_done[b]), b) for b in blocks
                 if result.block_first[b] >= 0]
        spans = [(s, e if e >= s else total, b) for s, e, b in spans]
        args = {"pe": prog.pe_label(node), "blocks": len(blocks)}
        if node in stats:
            cats = {c: int(v) for c, v in zip(PE_CATEGORIES, stats[node].tolist())}
            args.update(cats)
            args["utilization"] = round(cats["busy"] / max(total, 1), 6)
        if spans:
            s0 = min(s for s, _, _ in spans)
            e0 = max(e for _, e, _ in spans)
            events.append({"ph": "X", "pid": pid, "tid": 0, "name": label, "cat": "pe", "ts": s0,
                           "dur": e0 - s0, "args": args})
        lanes = _lanes(spans)
        for lane in range(max(lanes.values(), default=-1) + 1):
            meta(pid, f"blocks {lane + 1}" if lane else "blocks", lane + 1, tid=lane + 1)
        for s, e, b in spans:
            events.append({"ph": "X", "pid": pid, "tid": lanes[b] + 1, "name": prog.block_names[b], "cat": "block",
                           "ts": s, "dur": e - s, "args": {"layer": prog.block_layers[b], "pe": prog.pe_label(node)}})
        # packets delivered to this PE so far (a counter track; downsampled beyond the budget)
        times = del_times[del_bounds[node]:del_bounds[node + 1]]
        if len(times):
            t = np.r_[times[np.r_[times[1:] != times[:-1], True]]]
            v = np.searchsorted(times, t, side="right")
            t, v = _downsample(t, v, pe_cap, total)
            events.append({"ph": "C", "pid": pid, "tid": 0, "name": "received packets", "ts": 0,
                           "args": {"packets": 0}})
            for ti, vi in zip(t.tolist(), v.tolist()):
                events.append({"ph": "C", "pid": pid, "tid": 0, "name": "received packets", "ts": ti,
                               "args": {"packets": vi}})

    # links
    meta(PID_LINKS, "links (packets in flight)", 1)
    iv = link_intervals(prog, result)
    busy = [(int(n), int(p)) for n, p in zip(*np.nonzero(result.link_flits[:, :4]))]
    busy.sort()
    cap = max(50, max_counter_events // max(1, len(busy)))
    link_id = iv.node * 4 + iv.port
    order = np.argsort(link_id, kind="stable")
    ids_sorted = link_id[order]
    link_rows = []
    for node, port in busy:
        lo, hi = np.searchsorted(ids_sorted, [node * 4 + port, node * 4 + port + 1])
        sel = order[lo:hi]
        name = link_label(prog, node, port)
        link_rows.append({"link": name, "flits": int(result.link_flits[node, port]),
                          "utilization": round(int(result.link_flits[node, port]) / max(total, 1), 6),
                          "packets": len(sel)})
        events.append({"ph": "C", "pid": PID_LINKS, "tid": 0, "name": name, "ts": 0, "args": {"packets": 0}})
        if len(sel):
            t, v = _downsample(*_in_flight_steps(iv.start[sel], iv.end[sel]), cap, total)
            for ti, vi in zip(t.tolist(), v.tolist()):
                events.append({"ph": "C", "pid": PID_LINKS, "tid": 0, "name": name, "ts": ti, "args": {"packets": vi}})
    other = {"time_unit": "1 trace microsecond = 1 simulated cycle", "total_cycles": total,
             "mesh": f"{prog.width}x{prog.height}", "links": link_rows}
    if report:
        other.update({k: report[k] for k in ("task", "preset", "compute_lower_bound", "slowdown") if k in report})
    return {"traceEvents": events, "otherData": other}


def write_trace(path: Path, prog: PackedProgram, result, report: dict | None = None) -> Path:
    doc = build_trace(prog, result, report)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, separators=(",", ":")) + "\n")  # dumps: the C encoder (dump is pure Python)
    tmp.replace(path)
    return path


# ---- everything ------------------------------------------------------------------------------------
def _subop_graph(compiled):
    """The tiled_subop graph of the compiled workload (parsed from the text the driver kept), with PEs."""
    from backend_sim.plots import subop_graph_from_ir

    if not compiled.tiled_text:
        return None
    from xdsl.parser import Parser

    from focus_tools.driver import make_context

    module = Parser(make_context(), compiled.tiled_text, "tiled_subop").parse_module()
    g = subop_graph_from_ir(module)
    for v in g.nodes:
        g.nodes[v]["pe"] = compiled.placement.get(v)
    return g


def write_all(out: Path, compiled, program: PackedProgram, result, report: dict, *, detail: str = "layers") -> list[Path]:
    """Write trace.json and the PNGs into `out`; returns the paths written."""
    from backend_sim import plots

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_trace(out / "trace.json", program, result, report)]
    title = f"{report.get('task', '')} ({report.get('preset', '')})"
    if detail == "subops" and (g := _subop_graph(compiled)) is not None:
        written.append(plots.plot_subop_graph(g, out / "graph.png", f"{title}: sub-operators and streams"))
    else:
        rows = [dict(row, workers=row.get("workers", 0)) for row in compiled.layers]
        written.append(plots.plot_layer_graph(rows, out / "graph.png", f"{title}: operator graph"))
    device = compiled.device
    memory = [tuple(p) for p in device.memory_pes]
    written.append(plots.plot_placement(tuple(device.mesh), memory, compiled.placement, compiled.placed_layers,
                                        out / "placement.png", f"placement, {title}"))
    links = [{"from": program.coord(n), "port": PORT_NAMES[p], "utilization": int(result.link_flits[n, p]) /
              max(1, int(result.total_cycles))} for n in range(program.nodes) for p in range(4)
             if 0 <= neighbor(program.width, n, p) < program.nodes and
             not (p == 0 and n % program.width == program.width - 1) and not (p == 1 and n % program.width == 0)]
    total = max(1, int(result.total_cycles))
    pe_util = {program.coord(int(node)): float(result.pe_stats[i, 0]) / total
               for i, node in enumerate(result.pe_nodes.tolist())}
    written.append(plots.plot_link_heatmap(tuple(device.mesh), links, pe_util, out / "links.png",
                                           f"link utilization, {title}"))
    batch = {row["name"]: row["batch"] for row in compiled.layers}
    rows = [dict(row, batch=batch.get(row["name"], 1)) for row in report["layers"]]
    written.append(plots.plot_gantt(rows, int(result.total_cycles), out / "gantt.png",
                                    report.get("compute_lower_bound"), f"per-layer timeline, {title}"))
    written.append(plots.plot_latency_histogram(delivery_latencies(result), out / "latency.png",
                                                f"packet latency, {title}"))
    return written


__all__ = ["FILES", "build_trace", "delivery_latencies", "link_intervals", "write_all", "write_trace"]

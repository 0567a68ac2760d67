"""The trace's reconstructions: per-link packet intervals agree with the simulator's link counters, latencies with
its per-message averages; the counter downsampling keeps peaks."""

from __future__ import annotations

import numpy as np
import pytest

from backend_sim import report_files
from backend_sim.program import MODE_COPIES, ProgramBuilder


@pytest.mark.parametrize("preset", ["focus", "focus-original"])
def test_link_intervals_match_simulated_link_flits(compiled_runs, preset):
    """Every flit the simulator counted on a mesh link is accounted for by exactly one reconstructed packet
    traversal (tree routes for focus, per-destination copies for the original's star multicast)."""
    _, program, result, _ = compiled_runs[preset]
    if preset == "focus-original":
        assert (program.msg_mode == MODE_COPIES).any()
    iv = report_files.link_intervals(program, result)
    flits = np.zeros((program.nodes, 4), dtype=np.int64)
    np.add.at(flits, (iv.node, iv.port), iv.flits)
    assert flits.sum() > 0
    assert (flits == result.link_flits[:, :4]).all()
    assert (iv.end >= iv.start).all() and (iv.start >= 0).all() and (iv.end <= result.total_cycles).all()


@pytest.mark.parametrize("preset", ["focus", "focus-original"])
def test_latencies_agree_with_message_stats(compiled_runs, preset):
    result = compiled_runs[preset][2]
    lat = report_files.delivery_latencies(result)
    assert len(lat) == len(result.del_msg) > 0 and (lat > 0).all()
    stats = result.message_stats()
    total = sum(m["avg_latency"] * m["deliveries"] for m in stats if m["deliveries"])
    assert lat.sum() == pytest.approx(total)


def test_link_intervals_on_a_hand_built_program():
    """A 3x1 mesh, one multicast tree (0,0) -> {(1,0), (2,0)}, 2 packets: link E of node 0 is held until the
    later of the two deliveries, link E of node 1 until the delivery at (2,0)."""
    from backend_sim.config import SimConfig
    from backend_sim.engine import simulate

    b = ProgramBuilder(3, 1, memory_pes=[(0, 0)])
    t = b.add_message((0, 0), [(1, 0), (2, 0)], flits=3, name="m")
    with b.block((0, 0), "src") as blk, blk.loop(2):
        blk.send(t)
    for pe in [(1, 0), (2, 0)]:
        with b.block(pe, f"dst{pe[0]}") as blk, blk.loop(2):
            blk.recv(t)
            blk.compute(5)
    prog = b.build()
    res = simulate(prog, SimConfig(width=3, height=1)).raise_if_failed()
    iv = report_files.link_intervals(prog, res)
    assert sorted(zip(iv.node.tolist(), iv.port.tolist())) == [(0, 0), (0, 0), (1, 0), (1, 0)]
    deliver = {(int(s), int(d)): int(tm) for s, d, tm in zip(res.del_seq, res.del_dst, res.del_time)}
    for node, start, end in zip(iv.node.tolist(), iv.start.tolist(), iv.end.tolist()):
        seq = sorted(res.pkt_itime.tolist()).index(start)
        assert end == (max(deliver[(seq, 1)], deliver[(seq, 2)]) if node == 0 else deliver[(seq, 2)])
    doc = report_files.build_trace(prog, res)
    counters = [e for e in doc["traceEvents"] if e["ph"] == "C" and e["pid"] == report_files.PID_LINKS]
    assert {e["name"] for e in counters} == {"<0, 0> -> <1, 0> (E)", "<1, 0> -> <2, 0> (E)"}
    assert max(e["args"]["packets"] for e in counters) >= 1


def test_in_flight_steps_and_downsampling_keep_the_peak():
    rng = np.random.default_rng(0)
    start = np.sort(rng.integers(0, 10_000, 3000))
    end = start + rng.integers(0, 200, 3000)
    t, v = report_files._in_flight_steps(start, end)
    assert (np.diff(t) > 0).all() and v[-1] == 0 and (v >= 0).all()
    # brute force: open intervals at each step time (opens counted before closes at equal times)
    for ti, vi in list(zip(t, v))[::97]:
        assert vi == int(((start <= ti) & (end > ti)).sum())
    ts, vs = report_files._downsample(t, v, 100, 10_200)
    assert len(ts) <= 100 and vs.max() == v.max() and (np.diff(ts) > 0).all()
    same = report_files._downsample(t, v, len(t), 10_200)
    assert same[0] is t and same[1] is v


def test_lanes_never_overlap():
    spans = [(0, 10, 0), (5, 15, 1), (10, 20, 2), (12, 13, 3), (20, 21, 4)]
    lanes = report_files._lanes(spans)
    assert max(lanes.values()) == 2  # three lanes: the most spans open at once (at cycle 12)
    for a in spans:
        for b in spans:
            if a != b and lanes[a[2]] == lanes[b[2]]:
                assert a[1] <= b[0] or b[1] <= a[0]


def test_received_packets_counters_count_the_deliveries(compiled_runs):
    from backend_sim.report_files import PID_PE0

    _, program, result, _ = compiled_runs["focus"]
    doc = report_files.build_trace(program, result)
    final: dict[int, int] = {}
    for e in doc["traceEvents"]:
        if e["ph"] == "C" and e["pid"] >= PID_PE0:
            assert e["name"] == "received packets" and e["args"]["packets"] >= final.get(e["pid"], 0)
            final[e["pid"]] = e["args"]["packets"]  # events are in time order: the last is the total
    expected = np.bincount(result.del_dst, minlength=program.nodes)
    assert final == {PID_PE0 + n: int(c) for n, c in enumerate(expected) if c}
    # with a tiny budget the counters are downsampled but still end at the totals
    small = report_files.build_trace(program, result, max_counter_events=100)
    last = {}
    for e in small["traceEvents"]:
        if e["ph"] == "C" and e["pid"] >= PID_PE0:
            last[e["pid"]] = e["args"]["packets"]
    assert last == final and len(small["traceEvents"]) < len(doc["traceEvents"])

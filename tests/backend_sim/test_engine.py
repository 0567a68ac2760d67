"""Engine behaviour: zero-load latency formula, deadlock and cycle-limit reporting, statistics, format."""

from __future__ import annotations

import numpy as np
import pytest

from backend_sim.config import SimConfig
from backend_sim.engine import simulate
from backend_sim.program import PackedProgram, ProgramBuilder
from backend_sim.reference import simulate_reference
from focus_tools.errors import FocusError, SimulationDeadlock


def _one_packet(hops: int, flits: int):
    b = ProgramBuilder(8, 8)
    dst = (min(hops, 7), max(0, hops - 7))
    t = b.add_message((0, 0), [dst], flits)
    with b.block((0, 0), "s") as blk:
        blk.send(t)
    with b.block(dst, "r") as blk:
        blk.recv(t)
    return b.build()


def zero_load_latency(cfg: SimConfig, hops: int, flits: int) -> int:
    """Documented formula (docs/simulator.md): send at cycle 0 to tail delivery at the destination,
    (H + 1) * P + H * L + 3 + (F - 1), with P = routing + VC alloc + switch alloc + crossbar delays
    (each router holds a head P cycles; spatial_sim's MC router one cycle less: its crossbar stage starts
    in the cycle switch allocation completes), L = link latency, 3 = injection + ejection channels."""
    p = cfg.routing_delay + cfg.vc_alloc_delay + cfg.sw_alloc_delay + cfg.crossbar_delay - (cfg.router == "mc")
    return (hops + 1) * p + hops * cfg.link_latency + 3 + (flits - 1)


@pytest.mark.parametrize("flits", [1, 4])
@pytest.mark.parametrize(("router", "per_hop", "extra"), [("iq", 5, 7), ("mc", 4, 6)])
def test_zero_load_latency_every_hop_count(flits, router, per_hop, extra):
    cfg = SimConfig(width=8, height=8, num_vcs=2, vc_buf_size=4, router=router)
    for hops in range(1, 15):
        res = simulate(_one_packet(hops, flits), cfg)
        assert res.finished
        assert res.del_time.tolist() == [zero_load_latency(cfg, hops, flits)] == [per_hop * hops + extra + flits - 1]
        assert res.flits_injected == flits and res.flits_ejected == flits == res.flits_expected
        if hops in (1, 14):
            assert simulate_reference(_one_packet(hops, flits), cfg).del_time.tolist() == res.del_time.tolist()


@pytest.mark.parametrize("delays", [
    {"link_latency": 2, "credit_delay": 1, "st_prepare_delay": 1},
    {"routing_delay": 2, "vc_alloc_delay": 2, "sw_alloc_delay": 3},
    {"router": "mc", "st_final_delay": 3},
])
def test_zero_load_latency_other_pipeline_delays(delays):
    cfg = SimConfig(width=8, height=8, num_vcs=2, vc_buf_size=4, **delays)
    for hops in (1, 7, 14):
        res = simulate(_one_packet(hops, 1), cfg)
        assert res.del_time.tolist() == [zero_load_latency(cfg, hops, 1)]
        assert simulate_reference(_one_packet(hops, 1), cfg).del_time.tolist() == res.del_time.tolist()


def test_two_cycle_crossbar_spaces_body_flits():
    # BookSim keeps one crossbar deque per router: with st delay 2 a body flit waits for the flit ahead
    cfg = SimConfig(width=8, height=8, num_vcs=2, vc_buf_size=4, st_final_delay=2)
    one = simulate(_one_packet(3, 1), cfg).del_time[0]
    two = simulate(_one_packet(3, 2), cfg).del_time[0]
    assert one == zero_load_latency(cfg, 3, 1) and two > one + 1


def test_deadlock_two_pes_receiving_first():
    b = ProgramBuilder(2, 2)
    a = b.add_message((0, 0), [(1, 1)], 1, name="a_to_b")
    c = b.add_message((1, 1), [(0, 0)], 1, name="b_to_a")
    with b.block((0, 0), "A") as blk:
        blk.recv(c)
        blk.send(a)
    with b.block((1, 1), "B") as blk:
        blk.recv(a)
        blk.send(c)
    cfg = SimConfig(width=2, height=2, deadlock_window=50)
    res = simulate(b.build(), cfg)
    assert not res.finished and res.deadlock.kind == "deadlock"
    assert res.deadlock.cycle <= 50
    with pytest.raises(SimulationDeadlock) as exc:
        res.raise_if_failed()
    msg = str(exc.value)
    assert "deadlock at cycle" in msg and "'A'" in msg and "'B'" in msg and "recv tag 1 (b_to_a)" in msg
    assert exc.value.exit_code == 3


def test_cycle_limit_is_reported_not_silent():
    b = ProgramBuilder(2, 1)
    with b.block(0, "long") as blk:
        blk.compute(10_000)
    res = simulate(b.build(), SimConfig(width=2, height=1, max_cycles=500))
    assert res.deadlock.kind == "cycle limit" and res.total_cycles == 500
    with pytest.raises(SimulationDeadlock, match="cycle limit 500 reached"):
        res.raise_if_failed()


def test_long_compute_is_not_a_deadlock_and_is_skipped():
    b = ProgramBuilder(2, 1)
    t = b.add_message(0, [1], 2)
    with b.block(0, "a") as blk:
        blk.compute(5_000_000)
        blk.send(t)
    with b.block(1, "b") as blk:
        blk.recv(t)
        blk.compute(3)
    res = simulate(b.build(), SimConfig(width=2, height=1, deadlock_window=100))
    assert res.finished
    assert res.total_cycles == 5_000_000 + (5 * 1 + 7 + 1) + 1 + 3  # send, 2-flit packet 1 hop, recv, compute
    stats = dict(zip(res.pe_nodes.tolist(), res.pe_stats.tolist()))
    assert stats[0][0] == 5_000_000 and sum(stats[0]) == res.total_cycles
    assert stats[1][0] == 3 and sum(stats[1]) == res.total_cycles


def test_compute_unit_is_shared_round_robin():
    b = ProgramBuilder(1, 2)
    with b.block(0, "x") as blk:
        blk.compute(10)
        blk.compute(10)
    with b.block(0, "y") as blk:
        blk.compute(5)
    res = simulate(b.build(), SimConfig(width=1, height=2))
    # x runs 0..9, y 10..14, x again 15..24
    assert res.total_cycles == 25
    assert res.block_first.tolist() == [0, 10]
    assert res.block_done.tolist() == [25, 15]
    assert res.pe_stats.tolist() == [[25, 0, 0, 0, 0]]


def test_dram_channel_bandwidth_and_latency():
    b = ProgramBuilder(2, 1, memory_pes=[0])
    with b.block(0, "a") as blk:
        blk.mem_read(640)
    with b.block(0, "b") as blk:
        blk.mem_write(64)
    res = simulate(b.build(), SimConfig(width=2, height=1, dram_bytes_per_cycle=64.0, dram_latency=20))
    # a: 10 transfer cycles + 20 latency; b queues behind a on the channel: 10 + 1 + 20
    assert res.block_done.tolist() == [30, 31]
    assert res.pe_stats[0].tolist() == [0, 0, 0, 31, 0]


def test_multicast_tree_delivers_once_per_destination():
    b = ProgramBuilder(4, 4)
    edges = [((0, 0), (1, 0)), ((1, 0), (2, 0)), ((1, 0), (1, 1)), ((1, 1), (1, 2))]
    t = b.add_message((0, 0), [(2, 0), (1, 1), (1, 2)], 3, tree_edges=edges)
    with b.block((0, 0), "s") as blk, blk.loop(5):
        blk.send(t)
    for d in [(2, 0), (1, 1), (1, 2)]:
        with b.block(d, "r") as blk, blk.loop(5):
            blk.recv(t)
    for mode in ("sync", "branch"):
        res = simulate(b.build(), SimConfig(width=4, height=4, multicast_mode=mode, num_vcs=2, vc_buf_size=2))
        assert res.finished
        assert len(res.del_time) == 15
        assert res.flits_injected == 15 and res.flits_ejected == 45 == res.flits_expected
        # the tree's links carry each flit once: (0,0)->E, (1,0)->E and S, (1,1)->S
        assert res.link_flits[0, 0] == 15 and res.link_flits[1, 0] == 15 and res.link_flits[1, 2] == 15
        assert res.link_flits[5, 2] == 15 and res.link_flits[4:].sum() - res.link_flits[5, 2] - \
            res.link_flits[:, 4].sum() + res.link_flits[:4, 4].sum() == 0


def test_result_json_has_required_sections():
    b = ProgramBuilder(3, 3, memory_pes=[0])
    t = b.add_message(0, [4, 8], 2, name="w", layer="conv1")
    with b.block(0, "src", layer="conv1") as blk:
        blk.mem_read(100)
        blk.send(t)
    for d in (4, 8):
        with b.block(d, "w", layer="conv1") as blk:
            blk.recv(t)
            blk.compute(4)
    res = simulate(b.build(), SimConfig(width=3, height=3))
    js = res.to_json()
    assert js["total_cycles"] == res.total_cycles and js["finished"]
    assert set(js["pes"]["<0, 0>"]) == {"busy", "blocked_send", "blocked_recv", "mem_wait", "idle"}
    assert all(sum(v.values()) == res.total_cycles for v in js["pes"].values())
    assert js["messages"][0]["deliveries"] == 2 and js["messages"][0]["finish"] > js["messages"][0]["start"]
    assert js["layers"]["conv1"]["start"] == 0 and js["layers"]["conv1"]["finish"] == res.total_cycles
    assert any(link["flits"] > 0 and link["utilization"] > 0 for link in js["links"])
    assert js["flits"]["ejected"] == js["flits"]["expected_ejected"] == 4


def test_save_load_roundtrip_is_byte_identical(tmp_path):
    b = ProgramBuilder(3, 2, memory_pes=[(0, 0)])
    t = b.add_message((0, 0), [(2, 1), (1, 1)], 2, name="m", layer="L")
    with b.block((0, 0), "s", layer="L") as blk, blk.loop(3):
        blk.mem_read(8)
        blk.send(t)
    for d in [(2, 1), (1, 1)]:
        with b.block(d, "r") as blk, blk.loop(3):
            blk.recv(t)
    prog = b.build()
    prog.save(tmp_path / "a.npz")
    back = PackedProgram.load(tmp_path / "a.npz")
    back.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    for name in ("instr_op", "instr_arg", "route_node", "route_mask", "msg_dst"):
        assert np.array_equal(getattr(prog, name), getattr(back, name))
    assert back.msg_names == ["m"] and back.block_names == ["s", "r", "r"]
    cfg = SimConfig(width=3, height=2)
    assert simulate(prog, cfg).raw() == simulate(back, cfg).raw() == simulate_reference(back, cfg).raw()


@pytest.mark.parametrize("build, match", [
    (lambda b: b.add_message((0, 0), [(0, 0)], 1), "other than the source"),
    (lambda b: b.add_message((0, 0), [(5, 0)], 1), "outside the 3x3 mesh"),
    (lambda b: b.add_message((0, 0), [(1, 0)], 0), "flits 0"),
    (lambda b: b.add_message((0, 0), [(2, 0)], 1, tree_edges=[((0, 0), (1, 1))]), "not a unit mesh link"),
    (lambda b: b.add_message((0, 0), [(2, 0)], 1, tree_edges=[((0, 0), (1, 0))]), "not on the route tree"),
    (lambda b: b.add_message((0, 0), [(1, 0)], 1, tree_edges=[((0, 0), (1, 0)), ((1, 0), (1, 1))]),
     "is not a destination"),
])
def test_builder_rejects_bad_messages(build, match):
    with pytest.raises(FocusError, match=match):
        build(ProgramBuilder(3, 3))


def test_builder_rejects_bad_programs():
    b = ProgramBuilder(3, 3, memory_pes=[0])
    t = b.add_message(0, [1], 1)
    with b.block(2, "x") as blk:
        blk.send(t)
    with pytest.raises(FocusError, match="is sent by <0, 0>"):
        b.build()
    b = ProgramBuilder(3, 3, memory_pes=[0])
    with b.block(1, "x") as blk:
        blk.mem_read(4)
    with pytest.raises(FocusError, match="not a memory PE"):
        b.build()
    b = ProgramBuilder(3, 3)
    t = b.add_message(0, [1], 1, name="m")
    with b.block(0, "s") as blk:
        blk.send(t)
    with b.block(1, "r") as blk:
        blk.recv(t)
        blk.recv(t)
    with pytest.raises(FocusError, match="2 recvs on <1, 0> but only 1 sends"):
        b.build()


def test_load_rejects_garbage(tmp_path):
    p = tmp_path / "x.npz"
    p.write_bytes(b"not a zip")
    with pytest.raises(FocusError, match="not a packed program"):
        PackedProgram.load(p)

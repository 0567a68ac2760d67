"""Deadlock freedom of compiled programs: VC classes and all-or-nothing multicast VC allocation."""

from __future__ import annotations

import pytest

from backend_sim.config import SimConfig, vc_class_ranges
from backend_sim.engine import simulate
from backend_sim.program import ProgramBuilder
from backend_sim.reference import simulate_reference
from focus_tools.errors import FocusError


def crossing_trees():
    """Two 8-flit trees, A from <2,1> and B from <1,0>, both branching at <1,1> into W and S while a
    16-flit unicast C (<0,1> -> <1,2>) holds <1,1>'s S output. With per-port VC allocation A took W,
    then B took S when C left: each held one branch and waited for the other (a deadlock at cycle ~550)."""
    b = ProgramBuilder(3, 3)
    c = b.add_message((0, 1), [(1, 2)], 16, name="C")
    a = b.add_message((2, 1), [(0, 1), (1, 2)], 8, name="A")
    t = b.add_message((1, 0), [(0, 1), (1, 2)], 8, name="B",
                      tree_edges=[((1, 0), (1, 1)), ((1, 1), (0, 1)), ((1, 1), (1, 2))])
    with b.block((0, 1), "c") as blk:
        blk.send(c)
    for src, tag in (((2, 1), a), ((1, 0), t)):
        with b.block(src, "s") as blk:
            blk.compute(3)
            blk.send(tag)
    for dst, tags in (((0, 1), (a, t)), ((1, 2), (c, a, t))):
        for tag in tags:
            with b.block(dst, f"r{tag}") as blk:
                blk.recv(tag)
    return b.build()


@pytest.mark.parametrize("mode", ["sync", "branch"])
def test_crossing_multicast_trees_finish(mode):
    cfg = SimConfig(width=3, height=3, num_vcs=1, vc_buf_size=2, multicast_mode=mode, deadlock_window=500)
    eng = simulate(crossing_trees(), cfg)
    ref = simulate_reference(crossing_trees(), cfg)
    assert eng.deadlock is None and eng.finished
    assert eng.flits_ejected == eng.flits_expected == 16 + 2 * 8 * 2
    assert eng.raw() == ref.raw()
    # one tree takes both branches, the other waits for both: A (lower input index) goes first
    assert eng.del_time.tolist() == ref.del_time.tolist()
    assert eng.total_cycles == 98


def split_switch_grants():
    """Trees A (from <0,1>) and B (from <1,2>) both need N and L at <1,1>; an earlier unicast from <0,1>
    to <1,1> moved L's grant pointer past the W input. Per-output iSLIP then granted N to A and L to B
    every cycle: neither synchronous flit could take both, no pointer moved, nothing ever left."""
    b = ProgramBuilder(3, 3)
    u = b.add_message((0, 1), [(1, 1)], 1, name="U")
    a = b.add_message((0, 1), [(1, 1), (1, 0)], 4, name="A", tree_edges=[((0, 1), (1, 1)), ((1, 1), (1, 0))])
    t = b.add_message((1, 2), [(1, 1), (1, 0)], 4, name="B", tree_edges=[((1, 2), (1, 1)), ((1, 1), (1, 0))])
    with b.block((0, 1), "a") as blk:
        blk.send(u)
        blk.compute(20)
        blk.send(a)
    with b.block((1, 2), "b") as blk:
        blk.compute(21)
        blk.send(t)
    for dst, tags in (((1, 1), (u, a, t)), ((1, 0), (a, t))):
        for tag in tags:
            with b.block(dst, f"r{tag}") as blk:
                blk.recv(tag)
    return b.build()


def test_sync_switch_allocation_does_not_split_grants():
    cfg = SimConfig(width=3, height=3, num_vcs=2, vc_buf_size=2, deadlock_window=500)
    eng = simulate(split_switch_grants(), cfg)
    assert eng.deadlock is None and eng.finished
    assert eng.raw() == simulate_reference(split_switch_grants(), cfg).raw()
    assert eng.total_cycles == 47  # (529, deadlock, with per-output grants)


def test_vc_class_ranges():
    cfg = SimConfig(num_vcs=4)
    assert vc_class_ranges([0, 0, 0], cfg) == [(0, 3)] * 3
    assert vc_class_ranges([1, 1], cfg) == [(0, 3)] * 2  # one class in use: nothing split
    assert vc_class_ranges([0, 1, 0], cfg) == [(0, 1), (2, 3), (0, 1)]
    assert vc_class_ranges([0, 1], SimConfig(num_vcs=4, vc_lo=1)) == [(1, 1), (2, 3)]
    assert vc_class_ranges([0, 2], SimConfig(num_vcs=3)) == [(0, 0), (2, 2)]
    with pytest.raises(FocusError, match="num_vcs = 1"):
        vc_class_ranges([0, 1], SimConfig(num_vcs=1))


def _two_packets(third_class: int):
    """X and Z (class 0, 8 flits each) from <0,0> to <3,0>; W (class `third_class`) is never sent."""
    b = ProgramBuilder(4, 1)
    x = b.add_message(0, [3], 8, name="X")
    z = b.add_message(0, [3], 8, name="Z")
    b.add_message(1, [2], 1, name="W", vc=third_class)
    with b.block(0, "s") as blk:
        blk.send(x)
        blk.send(z)
    with b.block(3, "r") as blk:
        blk.recv(x)
        blk.recv(z)
    return b.build()


def test_vc_classes_split_the_vcs():
    # with a class-1 message in the table, class-0 packets only get VC 0: Z waits for X's tail
    # instead of interleaving with it on VC 1
    cfg = SimConfig(width=4, height=1, num_vcs=2, vc_buf_size=2)
    one, two = _two_packets(0), _two_packets(1)
    shared, split = simulate(one, cfg), simulate(two, cfg)
    assert shared.raw() == simulate_reference(one, cfg).raw()
    assert split.raw() == simulate_reference(two, cfg).raw()
    assert split.del_time[0] < shared.del_time[0]  # X alone on the links
    assert split.finished and shared.finished

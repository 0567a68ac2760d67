"""The analytic contention model and the link-load metrics."""

import itertools

import pytest

from focus_tools.errors import FocusError
from passes.routing import algorithms as A
from passes.routing.contention import Message, contention_schedule, flit_hops, link_loads, max_link_load
from passes.routing.mesh import Mesh

M = Mesh(4, 4)


def xy(src, *dsts):
    return A.xy_tree(M, src, list(dsts))


def test_single_message_timing():
    msgs = [Message("a", (0, 0), ((2, 0),), flits=4, packets=2)]
    s = contention_schedule(msgs, {"a": xy((0, 0), (2, 0))})
    # a train of 8 flits: head reaches (2, 0) after 2 hops, tail 8 cycles later
    assert s.makespan == 10 and s.timing["a"].start == 0 and s.timing["a"].wait == 0
    assert s.link_busy[((1, 0), (2, 0))] == [(1, 9, "a")]
    assert s.busy_cycles(((0, 0), (1, 0))) == 8
    # half the link bandwidth doubles the occupancy; hop latency stretches the head
    assert contention_schedule(msgs, {"a": xy((0, 0), (2, 0))}, link_bandwidth=0.5).makespan == 18
    assert contention_schedule(msgs, {"a": xy((0, 0), (2, 0))}, hop_latency=3).makespan == 14


def test_shared_link_order_follows_priority():
    routes = {"a": xy((0, 0), (2, 0)), "b": xy((1, 0), (2, 0))}
    msgs = [Message("a", (0, 0), ((2, 0),), 4), Message("b", (1, 0), ((2, 0),), 4)]
    s = contention_schedule(msgs, routes)
    assert s.timing["a"].finish == 6 and s.timing["b"].start == 5 and s.makespan == 10
    s = contention_schedule(msgs, routes, priorities={"a": 0, "b": 1})
    assert s.timing["b"].finish == 5 and s.timing["a"].start == 3 and s.makespan == 9
    assert s.timing["a"].wait == 3


def test_dependencies_and_earliest_start():
    routes = {"a": xy((0, 0), (1, 0)), "b": xy((3, 3), (2, 3))}
    msgs = [Message("b", (3, 3), ((2, 3),), 2, after=("a",)), Message("a", (0, 0), ((1, 0),), 5, earliest=10)]
    s = contention_schedule(msgs, routes)
    assert s.timing["a"].finish == 16 and s.timing["b"].ready == 16 and s.makespan == 19


def test_star_copies_serialize_at_injection_and_count_per_copy():
    dsts = [(0, 1), (2, 1)]
    msgs = [Message("m", (1, 1), tuple(dsts), flits=3, packets=2)]
    star = {"m": A.star(M, (1, 1), dsts)}
    tree = {"m": A.xy_tree(M, (1, 1), dsts)}
    assert contention_schedule(msgs, star).makespan == 6 + 6 + 1
    assert contention_schedule(msgs, tree).makespan == 6 + 1
    far = [(3, 1), (3, 2)]
    msgs = [Message("m", (0, 1), tuple(far), flits=3, packets=2)]
    star_load = link_loads(msgs, {"m": A.star(M, (0, 1), far)})
    tree_load = link_loads(msgs, {"m": A.xy_tree(M, (0, 1), far)})
    assert star_load[((0, 1), (1, 1))] == 12 and tree_load[((0, 1), (1, 1))] == 6
    assert flit_hops(star_load) == 6 * (3 + 4) and flit_hops(tree_load) == 6 * 4
    assert max_link_load(star_load) == 12 and max_link_load({}) == 0


def test_spaced_packets_leave_gaps_for_others():
    routes = {"a": xy((0, 0), (1, 0)), "b": xy((0, 0), (1, 0))}
    msgs = [
        Message("a", (0, 0), ((1, 0),), flits=2, packets=3, interval=10),
        Message("b", (0, 0), ((1, 0),), flits=2, packets=1),
    ]
    s = contention_schedule(msgs, routes)
    assert s.timing["a"].finish == 20 + 1 + 2
    assert s.timing["b"].start == 2  # fits into the gap after a's first packet


def test_bad_messages():
    r = {"a": xy((0, 0), (1, 0))}
    with pytest.raises(FocusError, match="unknown message zz"):
        contention_schedule([Message("a", (0, 0), ((1, 0),), 1, after=("zz",))], r)
    with pytest.raises(FocusError, match="form a cycle"):
        contention_schedule(
            [Message("a", (0, 0), ((1, 0),), 1, after=("b",)), Message("b", (0, 0), ((1, 0),), 1, after=("a",))],
            {"a": r["a"], "b": r["a"]},
        )
    with pytest.raises(FocusError, match="no route"):
        contention_schedule([Message("q", (0, 0), ((1, 0),), 1)], r)
    with pytest.raises(FocusError, match="flits 0"):
        contention_schedule([Message("a", (0, 0), ((1, 0),), 0)], r)
    with pytest.raises(FocusError, match="link_bandwidth"):
        contention_schedule([Message("a", (0, 0), ((1, 0),), 1)], r, link_bandwidth=0)


def test_many_spaced_packets_interleave_exactly():
    """Interleaved spaced trains on one link: every reservation is logged, none overlap, and the makespan
    is the last tail; the same result whatever the bounding mesh of the routes."""
    routes = {n: xy((0, 0), (2, 0)) for n in "abc"}
    msgs = [Message(n, (0, 0), ((2, 0),), flits=2, packets=5, interval=7) for n in "abc"]
    s = contention_schedule(msgs, routes)
    busy = sorted(s.link_busy[((0, 0), (1, 0))])
    assert len(busy) == 15 and all(e0 <= s1 for (_, e0, _), (s1, _, _) in itertools.pairwise(busy))
    assert [b[:2] for b in s.link_busy[((1, 0), (2, 0))]] == [(b[0] + 1, b[1] + 1) for b in
                                                             s.link_busy[((0, 0), (1, 0))]]
    # a: 0, 7, .., 28; b and c fill the gaps at 2, 9, .. and 4, 11, ..
    assert s.timing["a"].finish == 28 + 2 + 2 and s.timing["c"].start == 4 and s.makespan == 32 + 4
    far = {**routes, "z": A.xy_tree(Mesh(9, 9), (8, 8), [(7, 8)])}
    s2 = contention_schedule(msgs + [Message("z", (8, 8), ((7, 8),), 1)], far)
    assert all(s2.timing[n] == s.timing[n] for n in "abc")

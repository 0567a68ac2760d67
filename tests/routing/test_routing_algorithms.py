"""Unit and property tests of the routing algorithms."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focus_tools.errors import FocusError
from passes.routing import algorithms as A
from passes.routing.deadlock import deadlock_cycles, fitting_classes
from passes.routing.mesh import Mesh, manhattan, path_links, xy_nodes, yx_nodes
from passes.routing.trees import analyze_tree, route_error


def links_of(route):
    return set(route.links)


def test_xy_and_yx_trees():
    m = Mesh(4, 3)
    r = A.xy_tree(m, (1, 1), [(3, 0), (3, 2), (0, 1)])
    assert links_of(r) == {
        ((1, 1), (2, 1)), ((2, 1), (3, 1)), ((3, 1), (3, 0)), ((3, 1), (3, 2)), ((1, 1), (0, 1)),
    }
    assert len(r.copies) == 1 and r.minimal
    r = A.yx_tree(m, (1, 1), [(3, 0)])
    assert list(r.links) == path_links(yx_nodes((1, 1), (3, 0)))


def test_adaptive_avoids_loaded_links_and_defaults_to_xy():
    m = Mesh(4, 4)
    idle = A.adaptive(m, (0, 0), (2, 2))
    assert list(idle.links) == path_links(xy_nodes((0, 0), (2, 2)))
    load = {((0, 0), (1, 0)): 10}
    busy = A.adaptive(m, (0, 0), (2, 2), load)
    assert ((0, 0), (1, 0)) not in busy.links and busy.minimal and len(busy.links) == 4
    # the bottleneck decides first: one link of 5 beats two links of 3 only if 5 < 3 (it does not)
    load = {((0, 0), (1, 0)): 3, ((1, 0), (2, 0)): 3, ((0, 0), (0, 1)): 5}
    r = A.adaptive(m, (0, 0), (2, 0), load)
    assert list(r.links) == [((0, 0), (1, 0)), ((1, 0), (2, 0))]
    # westward/northward as well
    r = A.adaptive(m, (3, 3), (1, 2), {((3, 3), (2, 3)): 1})
    assert r.links[0] == ((3, 3), (3, 2)) and len(r.links) == 3


def test_star_is_one_xy_copy_per_destination():
    m = Mesh(5, 5)
    dsts = [(4, 0), (4, 4), (0, 2)]
    r = A.star(m, (2, 2), dsts)
    assert r.kind == "star" and len(r.copies) == 3
    for c in r.copies:
        (d,) = c.dsts
        assert list(c.links) == path_links(xy_nodes((2, 2), d))
    assert route_error(m, (2, 2), r.links, dsts) is None  # the union is the XY tree


def test_rpm_examples():
    m = Mesh(5, 5)
    # NE goes east when only E is occupied, then north at the end of the row
    r = A.rpm(m, (2, 2), [(4, 0), (4, 2)])
    assert list(r.links) == [((2, 2), (3, 2)), ((3, 2), (4, 2)), ((4, 2), (4, 1)), ((4, 1), (4, 0))]
    # NE follows the N branch when N is occupied
    r = A.rpm(m, (2, 2), [(4, 0), (2, 0)])
    assert set(r.links) == {((2, 2), (2, 1)), ((2, 1), (2, 0)), ((2, 0), (3, 0)), ((3, 0), (4, 0))}
    assert r.minimal


def test_bam_uses_loads_to_break_ties():
    m = Mesh(5, 5)
    r = A.bam(m, (2, 2), [(4, 0)], {((2, 2), (2, 1)): 0, ((2, 2), (3, 2)): 7})
    assert r.links[0] == ((2, 2), (2, 1))
    r = A.bam(m, (2, 2), [(4, 0)], {((2, 2), (2, 1)): 9, ((2, 2), (3, 2)): 7})
    assert r.links[0] == ((2, 2), (3, 2))


@pytest.mark.parametrize("pattern", range(16))
def test_whirl_broadcast_covers_the_mesh_once(pattern):
    for w, h, src in [(5, 4, (2, 1)), (3, 3, (0, 0)), (6, 2, (5, 1)), (1, 4, (0, 2))]:
        m = Mesh(w, h)
        links = A.whirl_links(m, src, pattern)
        info = analyze_tree(m, src, links)
        assert len(info.depth) == w * h and len(links) == w * h - 1
        assert all(info.depth[n] == manhattan(src, n) for n in info.depth)


def test_whirl_prunes_around_pe0_and_picks_fewest_links():
    m = Mesh(4, 4)
    r = A.whirl(m, (0, 0), [(3, 0), (0, 3)])
    assert set(r.links) == set(path_links(xy_nodes((0, 0), (3, 0)))) | set(path_links(yx_nodes((0, 0), (0, 3))))
    with pytest.raises(FocusError, match="whirl pattern 16"):
        A.whirl(m, (0, 0), [(1, 1)], pattern=16)


def test_steiner_greedy_example_and_no_output(capsys):
    m = Mesh(5, 5)
    r = A.steiner(m, (0, 0), [(3, 0), (3, 1)])
    assert list(r.links) == [((0, 0), (1, 0)), ((1, 0), (2, 0)), ((2, 0), (3, 0)), ((3, 0), (3, 1))]
    # greedy Steiner shares the trunk: fewer links than the XY tree here
    dsts = [(4, 1), (4, 3), (1, 4), (3, 4)]
    assert len(A.steiner(m, (0, 0), dsts).links) < len(A.xy_tree(m, (0, 0), dsts).links)
    assert capsys.readouterr().out == ""


def test_route_message_dispatch_and_errors():
    m = Mesh(3, 3)
    assert A.route_message(m, (0, 0), [(2, 2)], unicast="yx").algorithm == "yx"
    assert A.route_message(m, (0, 0), [(2, 2), (1, 1)], multicast="whirl").algorithm == "whirl"
    with pytest.raises(FocusError, match="unicast=foo"):
        A.route_message(m, (0, 0), [(2, 2)], unicast="foo")
    with pytest.raises(FocusError, match="multicast=bar"):
        A.route_message(m, (0, 0), [(2, 2)], multicast="bar")
    with pytest.raises(FocusError, match="equals the source"):
        A.route_message(m, (0, 0), [(0, 0)])
    with pytest.raises(FocusError, match="no destination"):
        A.route_message(m, (0, 0), [])
    with pytest.raises(FocusError, match="outside the 3 x 3 mesh"):
        A.route_message(m, (0, 0), [(3, 0)])


@st.composite
def multicasts(draw):
    w = draw(st.integers(1, 16))
    h = draw(st.integers(2 if w == 1 else 1, 16))
    pes = [(x, y) for y in range(h) for x in range(w)]
    src = draw(st.sampled_from(pes))
    others = [p for p in pes if p != src]
    dsts = draw(st.lists(st.sampled_from(others), min_size=1, max_size=min(24, len(others)), unique=True))
    return Mesh(w, h), src, dsts


def check_route(mesh, src, dsts, route, claims_minimal):
    assert sorted(route.dsts) == sorted(dsts)
    covered = []
    for c in route.copies:
        assert route_error(mesh, src, c.links, c.dsts) is None
        assert c.vc in fitting_classes(c.links)
        covered += c.dsts
        info = analyze_tree(mesh, src, c.links)
        if claims_minimal:
            assert all(info.depth[d] == manhattan(src, d) for d in c.dsts)
    assert sorted(covered) == sorted(dsts)
    if route.kind == "tree":  # the copies are subtrees of one tree
        assert route_error(mesh, src, route.links, dsts) is None
    assert route.minimal == claims_minimal or not claims_minimal


@settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(multicasts())
def test_every_multicast_algorithm_property(case):
    mesh, src, dsts = case
    routes = []
    for name in A.MULTICAST:
        route = A.multicast_route(mesh, src, dsts, name)
        check_route(mesh, src, dsts, route, name in A.MINIMAL)
        routes.append(route)
        # every destination also as a unicast source: a busy mix of routes, still deadlock-free per class
        routes.append(A.route_message(mesh, dsts[-1], [src], unicast=A.UNICAST[len(routes) % 3]))
    assert deadlock_cycles(routes) == {}


@settings(max_examples=80, deadline=None, database=None)
@given(multicasts(), st.integers(0, 2**31))
def test_unicast_and_loaded_algorithms_property(case, seed):
    import random

    mesh, src, dsts = case
    rng = random.Random(seed)
    load = {l: rng.randint(0, 5) for l in mesh.links() if rng.random() < 0.5}
    for name in A.UNICAST:
        r = A.route_message(mesh, src, dsts[:1], unicast=name, load=load)
        check_route(mesh, src, dsts[:1], r, True)
    check_route(mesh, src, dsts, A.bam(mesh, src, dsts, load), True)


@settings(max_examples=60, deadline=None, database=None)
@given(multicasts())
def test_whirl_trees_are_the_pruned_broadcast_trees(case):
    """`whirl` builds each pattern's tree directly from the destinations; it is the broadcast tree of
    `whirl_links` pruned to them, and `whirl_patterns` lists the distinct ones."""
    from passes.routing.trees import prune

    mesh, src, dsts = case
    distinct = set()
    for p in range(16):
        pruned = set(prune(src, A.whirl_links(mesh, src, p), dsts))
        assert set(A.whirl(mesh, src, dsts, pattern=p).links) == pruned
        distinct.add(frozenset(pruned))
    listed = A.whirl_patterns(mesh, src, dsts)
    assert {frozenset(r.links) for r in listed} == distinct and len(listed) == len(distinct)

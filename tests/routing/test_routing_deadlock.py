"""Channel dependency check, VC classes and user waypoints."""

import random

import pytest

from focus_tools.errors import FocusError
from passes.routing import algorithms as A
from passes.routing.deadlock import (
    assign_vc,
    assign_vc_classes,
    deadlock_cycles,
    find_cycle,
    fitting_classes,
)
from passes.routing.mesh import Mesh, path_links, xy_nodes, yx_nodes
from passes.routing.trees import Copy, Route, make_copy, route_error
from passes.routing.waypoints import waypoint_route

M = Mesh(4, 4)


def copy_of(nodes, vc=0):
    return make_copy(nodes[0], path_links(nodes), [nodes[-1]], vc)


def test_known_xy_plus_yx_cycle_is_found():
    # two XY and two YX unicasts around the square (0,0)-(1,1) close a channel cycle in one class
    copies = [
        copy_of(xy_nodes((0, 0), (1, 1))),  # E then S
        copy_of(yx_nodes((1, 0), (0, 1))),  # S then W
        copy_of(xy_nodes((1, 1), (0, 0))),  # W then N
        copy_of(yx_nodes((0, 1), (1, 0))),  # N then E
    ]
    cycle = find_cycle(copies)
    assert cycle is not None and len(cycle) == 4
    assert set(cycle) == {((0, 0), (1, 0)), ((1, 0), (1, 1)), ((1, 1), (0, 1)), ((0, 1), (0, 0))}
    routes = [Route(c.links[0][0], c.dsts, (c,)) for c in copies]
    assert set(deadlock_cycles(routes)) == {0}
    # the turn-model classes break it
    classed = assign_vc_classes([Route(c.links[0][0], c.dsts, (Copy(c.links, c.dsts),)) for c in copies])
    assert deadlock_cycles(classed) == {}
    assert find_cycle(copies[:3]) is None


def test_turn_model_classes():
    south = path_links(xy_nodes((0, 0), (2, 2)))  # E, S: fits both, moves south -> class 1
    north = path_links(xy_nodes((0, 3), (2, 1)))  # E, N: fits both -> class 0
    yx_south = path_links(yx_nodes((0, 0), (2, 2)))  # S->E: only north-last
    yx_north = path_links(yx_nodes((0, 3), (2, 1)))  # N->E: only south-last
    assert fitting_classes(south) == [0, 1] and fitting_classes(north) == [0, 1]
    assert fitting_classes(yx_south) == [1] and fitting_classes(yx_north) == [0]
    hook = [((0, 0), (1, 0)), ((1, 0), (1, 1)), ((1, 1), (0, 1)), ((0, 1), (0, 2))]  # E, S, W, S
    assert fitting_classes(hook) == [1]  # S->W rules out class 0; it never goes north
    zigzag = hook + [((0, 2), (1, 2)), ((1, 2), (1, 1))][:1] + [((1, 2), (2, 2)), ((2, 2), (2, 1)), ((2, 1), (3, 1))]
    assert fitting_classes(zigzag) == []  # S->E and N->E
    assert A.xy_tree(M, (0, 0), [(2, 2)]).copies[0].vc == 1
    assert A.xy_tree(M, (0, 3), [(2, 1)]).copies[0].vc == 0


def test_mixed_tree_is_split_by_destination():
    # a YX tree with N->E and S->E turns fits no class: split into two subtrees
    r = A.yx_tree(Mesh(5, 5), (0, 2), [(3, 0), (3, 4), (0, 1)])
    assert len(r.copies) == 2
    by_vc = {c.vc: c for c in r.copies}
    assert set(by_vc) == {0, 1}
    assert by_vc[0].dsts == ((0, 1), (3, 0)) and by_vc[1].dsts == ((3, 4),)
    for c in r.copies:
        assert route_error(Mesh(5, 5), (0, 2), c.links, c.dsts) is None
        assert c.vc in fitting_classes(c.links)


def test_all_algorithms_together_are_deadlock_free():
    rng = random.Random(7)
    mesh = Mesh(8, 8)
    pes = mesh.pes()
    routes = []
    for i in range(160):
        src = rng.choice(pes)
        dsts = rng.sample([p for p in pes if p != src], rng.choice([1, 2, 5, 12]))
        name = A.MULTICAST[i % len(A.MULTICAST)]
        routes.append(A.route_message(mesh, src, dsts, unicast=A.UNICAST[i % 3], multicast=name))
    assert all(c.vc in (0, 1) for r in routes for c in r.copies)
    assert deadlock_cycles(routes) == {}
    # without classes (everything in one class) the same set deadlocks
    flat = [r.with_copies([Copy(c.links, c.dsts, 0) for c in r.copies]) for r in routes]
    assert deadlock_cycles(flat)


def test_waypoints_are_honoured_exactly():
    r = waypoint_route(M, (0, 0), [(3, 3)], [(2, 0), (2, 3)])
    nodes = [(0, 0), (1, 0), (2, 0), (2, 1), (2, 2), (2, 3), (3, 3)]
    assert list(r.links) == path_links(nodes)
    assert r.kind == "path" and r.copies[0].vc == 1 and r.minimal
    # a multicast through a waypoint: path then an XY tree from the last waypoint
    r = waypoint_route(M, (0, 0), [(3, 0), (3, 2), (2, 1)], [(2, 1)])
    assert route_error(M, (0, 0), r.links, [(3, 0), (3, 2), (2, 1)]) is None
    assert ((2, 1), (3, 1)) in r.links
    with pytest.raises(FocusError, match="revisits PE <1, 0>"):
        waypoint_route(M, (0, 0), [(3, 3)], [(2, 0), (1, 0)])
    with pytest.raises(FocusError, match="waypoint <3, 0>: the route ends there"):
        waypoint_route(M, (0, 0), [(1, 0)], [(3, 0)])
    with pytest.raises(FocusError, match="waypoint"):
        waypoint_route(M, (0, 0), [(1, 0)], [(9, 0)])


def test_waypoint_route_that_could_deadlock_names_the_cycle():
    mesh = Mesh(4, 3)
    user = waypoint_route(mesh, (0, 1), [(3, 2)], [(1, 0), (2, 2)])  # turns E>N, N>E, E>S, S>E
    assert user.copies[0].vc == -1 and fitting_classes(user.copies[0].links) == []
    class0 = [
        A.xy_tree(mesh, (2, 2), [(3, 1)]),  # E, N
        waypoint_route(mesh, (3, 2), [(2, 2)], [(3, 1), (2, 1)]),  # N, W, S
    ]
    class1 = [
        waypoint_route(mesh, (1, 0), [(1, 1)], [(2, 0), (2, 1)]),  # E, S, W
        waypoint_route(mesh, (2, 0), [(1, 0)], [(2, 1), (1, 1)]),  # S, W, N
    ]
    assert [r.copies[0].vc for r in class0 + class1] == [0, 0, 1, 1]
    # alone, or with only one class crowded, the user route is placed and checked
    ok = assign_vc_classes(class0 + [user])
    assert ok[-1].copies[0].vc == 1 and deadlock_cycles(ok) == {}
    ok = assign_vc_classes(class1 + [user])
    assert ok[-1].copies[0].vc == 0 and deadlock_cycles(ok) == {}
    with pytest.raises(FocusError, match=r"@user: route could deadlock, channel dependency cycle <") as err:
        assign_vc_classes(class0 + class1 + [user], names=["@a", "@b", "@c", "@d", "@user"])
    assert "\n" not in str(err.value)


def test_assign_vc_keeps_given_classes():
    c = Copy(tuple(path_links(xy_nodes((0, 0), (2, 2)))), ((2, 2),), 0)
    r = assign_vc(Route((0, 0), ((2, 2),), (c,)))
    assert r.copies[0].vc == 0

"""Tree validation, the inverse analysis (route_error / reached_pes) and pruning."""

import pytest

from focus_tools.errors import FocusError
from passes.routing.mesh import Mesh, direction, path_links, xy_nodes, yx_nodes
from passes.routing.trees import TreeError, analyze_tree, canonical_links, prune, reached_pes, route_error

M = Mesh(4, 3)


def test_mesh_basics():
    assert M.contains((3, 2)) and not M.contains((4, 0)) and not M.contains((0, -1))
    assert sorted(M.neighbours((0, 0))) == [(0, 1), (1, 0)]
    assert len(M.links()) == 2 * (3 * 3 + 4 * 2)
    assert direction(((1, 1), (1, 0))) == "N" and direction(((1, 1), (2, 1))) == "E"
    with pytest.raises(ValueError):
        direction(((0, 0), (1, 1)))
    with pytest.raises(FocusError, match="outside the 4 x 3 mesh"):
        M.check_pe((4, 1))
    with pytest.raises(FocusError):
        Mesh(0, 3)


def test_dimension_order_paths():
    assert xy_nodes((0, 0), (2, 1)) == [(0, 0), (1, 0), (2, 0), (2, 1)]
    assert yx_nodes((0, 0), (2, 1)) == [(0, 0), (0, 1), (1, 1), (2, 1)]
    assert xy_nodes((3, 2), (1, 0)) == [(3, 2), (2, 2), (1, 2), (1, 1), (1, 0)]


def test_route_error_accepts_a_tree_and_reports_reached():
    links = [((0, 0), (1, 0)), ((1, 0), (2, 0)), ((1, 0), (1, 1))]
    assert route_error(M, (0, 0), links, [(2, 0), (1, 1)]) is None
    assert route_error(M, (0, 0), links, [(2, 0), (1, 1), (1, 0)]) is None  # internal destination
    assert reached_pes(M, (0, 0), links) == [(1, 1), (2, 0)]
    assert reached_pes(M, (0, 0), links, [(1, 0)]) == [(1, 0), (1, 1), (2, 0)]


@pytest.mark.parametrize(
    "links, dsts, message",
    [
        ([((0, 0), (1, 0))], [(1, 0), (2, 0)], "misses destination <2, 0>"),
        ([((0, 0), (1, 0)), ((1, 0), (2, 0))], [(1, 0)], "extra PE <2, 0>"),
        ([((3, 0), (4, 0))], [(4, 0)], "leaves the 4 x 3 mesh"),
        ([((0, 0), (2, 0))], [(2, 0)], "does not join neighbouring PEs"),
        ([((0, 0), (1, 0)), ((0, 0), (1, 0))], [(1, 0)], "uses link <0, 0> -> <1, 0> twice"),
        ([((0, 0), (1, 0)), ((1, 0), (0, 0))], [(1, 0)], "enters the source"),
        (
            [((0, 0), (1, 0)), ((1, 0), (1, 1)), ((0, 0), (0, 1)), ((0, 1), (1, 1))],
            [(1, 1)],
            "<1, 1> is entered twice",
        ),
        ([((0, 0), (1, 0)), ((2, 2), (3, 2))], [(1, 0), (3, 2)], "not connected to the source"),
        (
            [((0, 0), (1, 0)), ((2, 1), (2, 2)), ((2, 2), (3, 2)), ((3, 2), (3, 1)), ((3, 1), (2, 1))],
            [(1, 0)],
            "not connected",
        ),
    ],
)
def test_route_error_reasons(links, dsts, message):
    err = route_error(M, (0, 0), links, dsts)
    assert err is not None and message in err
    assert "\n" not in err


def test_analyze_tree_depths_and_leaves():
    info = analyze_tree(M, (1, 1), [((1, 1), (1, 0)), ((1, 0), (2, 0)), ((1, 1), (0, 1))])
    assert info.depth == {(1, 1): 0, (1, 0): 1, (2, 0): 2, (0, 1): 1}
    assert info.leaves == [(0, 1), (2, 0)]
    with pytest.raises(TreeError):
        analyze_tree(M, (5, 5), [])


def test_prune_keeps_root_pe0_and_destinations():
    # the original's Whirl dest_pruner treated parent PE 0 as "no parent": pruning must work at (0, 0)
    links = [((0, 0), (1, 0)), ((1, 0), (2, 0)), ((0, 0), (0, 1)), ((0, 1), (0, 2)), ((0, 1), (1, 1))]
    assert sorted(prune((0, 0), links, [(2, 0)])) == [((0, 0), (1, 0)), ((1, 0), (2, 0))]
    assert sorted(prune((0, 0), links, [(0, 1)])) == [((0, 0), (0, 1))]
    assert prune((0, 0), links, []) == []


def test_canonical_is_breadth_first_and_order_independent():
    links = path_links(xy_nodes((0, 0), (2, 1))) + [((1, 0), (1, 1))]
    a = canonical_links((0, 0), links)
    b = canonical_links((0, 0), list(reversed(links)))
    assert a == b
    assert a[0] == ((0, 0), (1, 0))

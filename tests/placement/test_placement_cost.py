from passes.placement import Group, Message, PlacementProblem, cost_breakdown, placement_cost
from passes.placement.cost import xy_tree_links


def test_unicast_tree_is_the_xy_path():
    # 4x4: from (0,0) to (2,3): two east links on row 0, then three south links in column 2
    links = xy_tree_links(4, 0, [3 * 4 + 2])
    assert len(links) == 5
    assert sorted(links) == sorted([0 * 4 + 0, 1 * 4 + 0, (0 * 4 + 2) * 4 + 2, (1 * 4 + 2) * 4 + 2,
                                    (2 * 4 + 2) * 4 + 2])


def test_multicast_shares_links_and_skips_the_source_pe():
    # source (1,1) on 4x4 (id 5): to (3,1) and (3,3) shares the two east links
    links = xy_tree_links(4, 5, [7, 15, 5])
    assert len(links) == 4 and len(set(links)) == 4
    west_and_north = xy_tree_links(4, 5, [4, 1])
    assert len(west_and_north) == 2
    assert xy_tree_links(4, 5, [5]) == []


def _problem():
    groups = (Group("s", "L", "m", "source", True), Group("a", "L", "m", "worker"),
              Group("b", "L", "m", "worker"), Group("k", "L", "m", "sink"))
    messages = (Message("s", ("a", "b"), 10), Message("a", ("k",), 3), Message("b", ("k",), 5))
    return PlacementProblem(4, 4, ((0, 0),), groups, messages)


def test_cost_by_hand():
    prob = _problem()
    pe_of = {"s": (0, 0), "a": (1, 0), "b": (1, 1), "k": (2, 1)}
    # s->{a,b}: east (0,0)->(1,0), south (1,0)->(1,1): 2 links x 10 = 20
    # a->k: (1,0)->(2,0)->(2,1): 2 x 3 = 6; b->k: (1,1)->(2,1): 1 x 5 = 5
    # link (1,0)->(2,0) carries 3, (0,0)->(1,0) carries 10: max 10
    cost = cost_breakdown(prob, pe_of, link_weight=7)
    assert (cost.flit_hops, cost.max_link_load, cost.total) == (31, 10, 31 + 70)
    assert placement_cost(prob, pe_of) == 31 + (4 + 4) * 10


def test_co_located_messages_cost_nothing():
    prob = _problem()
    pe_of = {"s": (0, 0), "a": (0, 0), "b": (0, 0), "k": (0, 0)}
    assert placement_cost(prob, pe_of) == 0

"""Route/priority search: never worse than its start, deterministic, respects fixed routes."""

import random

import pytest

from focus_tools.errors import FocusError
from passes.routing import algorithms as A
from passes.routing.contention import Message
from passes.routing.deadlock import deadlock_cycles
from passes.routing.mesh import Mesh
from passes.routing.search import candidate_routes, perturb, route_key, search_routes
from passes.routing.trees import route_error


def scenario(seed, n=24):
    mesh = Mesh(6, 6)
    rng = random.Random(seed)
    pes = mesh.pes()
    msgs, routes = [], {}
    for i in range(n):
        src = rng.choice(pes)
        dsts = tuple(sorted(rng.sample([p for p in pes if p != src], rng.choice([1, 1, 2, 4]))))
        after = (f"m{i - 4}",) if i >= 4 and i % 3 == 0 else ()
        msgs.append(Message(f"m{i}", src, dsts, flits=rng.randint(1, 8), packets=rng.randint(1, 4), after=after))
        routes[f"m{i}"] = A.route_message(mesh, src, dsts, multicast="rpm")
    return mesh, msgs, routes


@pytest.mark.parametrize("method", ["anneal", "evolve"])
def test_search_never_worse_and_valid(method):
    for seed in range(3):
        mesh, msgs, routes = scenario(seed)
        res = search_routes(mesh, msgs, routes, method=method, seed=seed, budget=60)
        assert res.cost <= res.start_cost
        assert res.evaluations <= 60 and not res.stopped_by_time
        for m in msgs:
            r = res.routes[m.name]
            assert sorted(r.dsts) == sorted(m.dsts)
            for c in r.copies:
                assert route_error(mesh, m.src, c.links, c.dsts) is None and c.vc in (0, 1)
        assert deadlock_cycles(res.routes.values()) == {}
        assert sorted(res.priorities.values()) == list(range(1, len(msgs) + 1))


@pytest.mark.parametrize("method", ["anneal", "evolve"])
def test_search_is_deterministic(method):
    mesh, msgs, routes = scenario(11)
    a = search_routes(mesh, msgs, routes, method=method, seed=5, budget=50)
    b = search_routes(mesh, msgs, routes, method=method, seed=5, budget=50)
    assert a.cost == b.cost and a.priorities == b.priorities
    assert {k: route_key(v) for k, v in a.routes.items()} == {k: route_key(v) for k, v in b.routes.items()}


def test_search_finds_the_obvious_detour_and_keeps_fixed_routes():
    mesh = Mesh(4, 2)
    msgs = [Message("a", (0, 0), ((3, 0),), flits=8), Message("b", (1, 0), ((3, 1),), flits=8)]
    routes = {"a": A.xy_tree(mesh, (0, 0), [(3, 0)]), "b": A.xy_tree(mesh, (1, 0), [(3, 1)])}
    res = search_routes(mesh, msgs, routes, method="anneal", seed=0, budget=40)
    assert res.start_cost[0] > res.cost[0] == 11  # b takes the YX path: no shared link
    fixed = search_routes(mesh, msgs, routes, method="anneal", seed=0, budget=40, fixed=["a", "b"])
    assert all(route_key(fixed.routes[n]) == route_key(routes[n]) for n in "ab")
    none = search_routes(mesh, msgs, routes, method="none")
    assert none.cost == none.start_cost and none.evaluations == 1
    with pytest.raises(FocusError, match="search=tabu"):
        search_routes(mesh, msgs, routes, method="tabu")


def test_candidates_and_perturbation_are_valid_trees():
    mesh = Mesh(7, 5)
    rng = random.Random(3)
    src, dsts = (3, 2), [(0, 0), (6, 4), (6, 0), (1, 4), (3, 0)]
    cands = candidate_routes(mesh, src, dsts)
    assert len(cands) >= 4 and len({route_key(c) for c in cands}) == len(cands)
    route = A.rpm(mesh, src, dsts)
    changed = 0
    for _ in range(200):
        new = perturb(mesh, route, rng)
        if new is None:
            continue
        assert route_error(mesh, src, new.links, dsts) is None
        changed += route_key(new) != route_key(route)
        route = new
    assert changed > 20
    assert perturb(mesh, A.star(mesh, src, dsts), rng) is None


def test_incremental_evaluation_equals_a_schedule_from_scratch():
    """The evaluator re-runs the model only from the first changed position; after any sequence of moves,
    commits and undone moves its cost is the one of `contention_schedule` on the same routes/priorities."""
    import numpy as np

    from passes.routing.contention import contention_schedule, flit_hops, link_loads, max_link_load
    from passes.routing.search import _Evaluator, _Moves, start_priorities

    mesh, msgs, routes = scenario(5, n=40)
    names = [m.name for m in msgs]
    p0 = start_priorities(msgs)
    ev = _Evaluator(mesh, msgs, [routes[n] for n in names], np.array([p0[n] for n in names]), 1.0, 1.0)
    moves = _Moves(mesh, msgs, routes, set())
    ev.cost()
    ev.commit()
    rng = random.Random(9)
    checked = partial = 0
    for _ in range(250):
        move = moves.apply(ev, rng)
        if move is None:
            continue
        cost = ev.cost()
        partial += ev._first > 0
        state = dict(zip(names, ev.routes))
        full = contention_schedule(msgs, state, priorities=dict(zip(names, ev.prio.tolist())), keep_links=False)
        load = link_loads(msgs, state)
        assert cost == (full.makespan, max_link_load(load), flit_hops(load))
        checked += 1
        if rng.random() < 0.4:
            ev.commit()
            moves.changed()
        else:
            moves.undo(ev, move)
            ev.discard()
    assert checked > 120 and partial > 60  # most evaluations reused a prefix
    assert ev.schedule.rerun < 0.9 * ev.evaluations * len(msgs)


def test_default_budget_scales_with_the_problem():
    from passes.routing.search import MAX_BUDGET, MIN_BUDGET, default_budget, reservations

    small = scenario(1, n=6)
    big = scenario(1, n=80)
    b_small = default_budget(small[1], small[2])
    b_big = default_budget(big[1], big[2])
    assert MIN_BUDGET <= b_big <= b_small <= MAX_BUDGET
    assert reservations(big[1], big[2]) > reservations(small[1], small[2])
    res = search_routes(*small, method="anneal", seed=0)
    assert res.evaluations == b_small and res.cost <= res.start_cost

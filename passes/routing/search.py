"""Route and priority search against the contention model (`anneal` or `evolve`).

The genome is one route per message (taken from the algorithms' candidates or a local perturbation
of the current tree) plus a priority order. The cost is (makespan, max link load, flit-hops),
compared lexicographically. Deterministic for a seed: the budget is a number of cost evaluations;
the wall-clock cap only stops a runaway search early. The start state is evaluated first and the best
state seen is returned, so the result is never worse than the start.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from focus_tools.errors import FocusError
from passes.routing import algorithms as alg
from passes.routing.contention import Message, contention_schedule, flit_hops, link_loads, max_link_load
from passes.routing.deadlock import assign_vc, fitting_classes
from passes.routing.mesh import Coord, Link, Mesh, manhattan, path_links
from passes.routing.trees import Route, children_map, is_minimal, make_copy, parent_map, prune, root_path

Cost = tuple[float, int, int]
METHODS = ("none", "anneal", "evolve")


@dataclass
class SearchResult:
    routes: dict[str, Route]
    priorities: dict[str, int]
    cost: Cost
    start_cost: Cost
    evaluations: int
    method: str
    stopped_by_time: bool = False


def route_key(route: Route) -> tuple:
    return tuple((c.links, c.vc) for c in route.copies)


def candidate_routes(
    mesh: Mesh, src: Coord, dsts: Sequence[Coord], load: Mapping[Link, float] | None = None
) -> list[Route]:
    """Distinct routes from every algorithm (all 16 Whirl patterns; adaptive/BAM with `load`)."""
    if len(dsts) == 1:
        routes = [alg.xy_tree(mesh, src, dsts), alg.yx_tree(mesh, src, dsts), alg.adaptive(mesh, src, dsts[0], load)]
    else:
        routes = [
            alg.xy_tree(mesh, src, dsts),
            alg.yx_tree(mesh, src, dsts),
            alg.rpm(mesh, src, dsts),
            alg.bam(mesh, src, dsts, load),
            alg.steiner(mesh, src, dsts),
            alg.steiner(mesh, src, dsts, minimal=True),
        ]
        routes += [alg.whirl(mesh, src, dsts, pattern=p) for p in range(16)]
    out: dict[tuple, Route] = {}
    for r in routes:
        out.setdefault(route_key(r), r)
    return list(out.values())


def perturb(mesh: Mesh, route: Route, rng: random.Random) -> Route | None:
    """Cut one leaf destination's branch and re-attach it with a random staircase path from one of
    the nearest tree nodes; None if the result would fit no VC class or the route is a star/path."""
    if route.kind != "tree":
        return None
    src = route.src
    links = list(route.links)
    kids = children_map(links)
    leaves = [d for d in route.dsts if not kids.get(d)]
    if not leaves:
        return None
    d = rng.choice(sorted(leaves))
    kept = prune(src, links, set(route.dsts) - {d})
    parents = parent_map(kept)
    nodes = {src} | set(parents)
    anchors = sorted(nodes, key=lambda t: (manhattan(t, d), t))[:4]
    t = rng.choice(anchors)
    walk = [t]
    n = t
    while n != d:
        steps = []
        if n[0] != d[0]:
            steps.append((n[0] + (1 if d[0] > n[0] else -1), n[1]))
        if n[1] != d[1]:
            steps.append((n[0], n[1] + (1 if d[1] > n[1] else -1)))
        n = rng.choice(steps)
        walk.append(n)
    last = max(i for i, p in enumerate(walk) if p in nodes)
    new = path_links(walk[last:])
    if not fitting_classes(root_path(parents, src, walk[last]) + new):
        return None
    tree = kept + new
    result = Route(
        src=src,
        dsts=route.dsts,
        copies=(make_copy(src, tree, route.dsts),),
        kind="tree",
        algorithm="search",
        minimal=is_minimal(src, tree, route.dsts),
    )
    return assign_vc(result)


class _Problem:
    def __init__(self, mesh, messages, start, fixed, link_bandwidth, hop_latency, deadline):
        self.mesh = mesh
        self.messages = list(messages)
        self.bw = link_bandwidth
        self.hop = hop_latency
        self.deadline = deadline
        self.evaluations = 0
        start_load = link_loads(self.messages, start)
        self.candidates: dict[str, list[Route]] = {}
        for m in self.messages:
            if m.name in fixed:
                continue
            cands = [start[m.name]]
            seen = {route_key(start[m.name])}
            for r in candidate_routes(mesh, m.src, list(m.dsts), start_load):
                if route_key(r) not in seen:
                    seen.add(route_key(r))
                    cands.append(r)
            self.candidates[m.name] = cands
        self.mutable = [m.name for m in self.messages if m.name in self.candidates]

    def cost(self, routes, prio) -> Cost:
        self.evaluations += 1
        sched = contention_schedule(self.messages, routes, self.bw, self.hop, prio, keep_links=False)
        load = link_loads(self.messages, routes)
        return (sched.makespan, max_link_load(load), flit_hops(load))

    def out_of_time(self) -> bool:
        return time.monotonic() > self.deadline

    def mutate(self, routes, prio, rng: random.Random):
        routes, prio = dict(routes), dict(prio)
        if self.mutable and (len(self.messages) < 2 or rng.random() < 0.7):
            name = rng.choice(self.mutable)
            new = None
            if rng.random() < 0.5:
                new = perturb(self.mesh, routes[name], rng)
            if new is None:
                new = rng.choice(self.candidates[name])
            routes[name] = new
        elif len(self.messages) >= 2:
            a, b = rng.sample([m.name for m in self.messages], 2)
            prio[a], prio[b] = prio[b], prio[a]
        return routes, prio


def start_priorities(messages: Sequence[Message]) -> dict[str, int]:
    """Distinct priorities with the same order as (priority desc, input order)."""
    order = sorted(range(len(messages)), key=lambda i: (-messages[i].priority, i))
    return {messages[i].name: len(messages) - rank for rank, i in enumerate(order)}


def search_routes(
    mesh: Mesh,
    messages: Sequence[Message],
    start: Mapping[str, Route],
    method: str = "anneal",
    seed: int = 0,
    budget: int = 400,
    time_cap: float = 60.0,
    link_bandwidth: float = 1.0,
    hop_latency: float = 1.0,
    fixed: Sequence[str] = (),
) -> SearchResult:
    """Improve routes and priorities of `messages` from `start` (routes of `fixed` never change)."""
    if method not in METHODS:
        raise FocusError(f"search={method}: unknown method, valid: {', '.join(METHODS)}")
    if budget < 0:
        raise FocusError(f"budget={budget}: must be >= 0 evaluations")
    problem = _Problem(mesh, messages, start, set(fixed), link_bandwidth, hop_latency, time.monotonic() + time_cap)
    routes = {m.name: start[m.name] for m in messages}
    prio = start_priorities(messages)
    start_cost = problem.cost(routes, prio)
    rng = random.Random(seed)
    if method == "none" or budget <= 1 or not messages:
        best = (start_cost, routes, prio)
    elif method == "anneal":
        best = _anneal(problem, routes, prio, start_cost, rng, budget - 1)
    else:
        best = _evolve(problem, routes, prio, start_cost, rng, budget - 1)
    cost, routes, prio = best
    return SearchResult(
        routes=routes,
        priorities=prio,
        cost=cost,
        start_cost=start_cost,
        evaluations=problem.evaluations,
        method=method,
        stopped_by_time=problem.out_of_time(),
    )


def _anneal(problem: _Problem, routes, prio, cost: Cost, rng: random.Random, budget: int):
    best = (cost, routes, prio)
    current = best
    t0 = max(1.0, 0.02 * cost[0])
    for it in range(budget):
        if problem.out_of_time():
            break
        temp = t0 * (1e-3 ** (it / max(budget - 1, 1)))
        cand_routes, cand_prio = problem.mutate(current[1], current[2], rng)
        c = problem.cost(cand_routes, cand_prio)
        delta = c[0] - current[0][0]
        if c <= current[0] or rng.random() < math.exp(-delta / temp):
            current = (c, cand_routes, cand_prio)
        if c < best[0]:
            best = (c, cand_routes, cand_prio)
    return best


def _evolve(problem: _Problem, routes, prio, cost: Cost, rng: random.Random, budget: int, population: int = 12):
    names = [m.name for m in problem.messages]
    pop = [(cost, routes, prio)]
    spent = 0
    while len(pop) < population and spent < budget and not problem.out_of_time():
        r, p = problem.mutate(routes, prio, rng)
        for _ in range(rng.randint(0, 2)):
            r, p = problem.mutate(r, p, rng)
        pop.append((problem.cost(r, p), r, p))
        spent += 1
    while spent < budget and not problem.out_of_time():
        pop.sort(key=lambda s: s[0])
        parents = pop[: max(2, len(pop) // 2)]
        children = []
        for _ in range(len(pop) - len(parents)):
            if spent >= budget or problem.out_of_time():
                break
            a, b = rng.sample(parents, 2) if len(parents) > 1 else (parents[0], parents[0])
            r = {n: (a[1][n] if rng.random() < 0.5 else b[1][n]) for n in names}
            p = dict(a[2])
            for _ in range(rng.randint(1, 3)):
                r, p = problem.mutate(r, p, rng)
            children.append((problem.cost(r, p), r, p))
            spent += 1
        pop = parents + children
    return min(pop, key=lambda s: s[0])

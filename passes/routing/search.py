"""Route and priority search against the contention model (`anneal` or `evolve`).

The genome is one route per message (taken from the algorithms' candidates, built on first use, or a local
perturbation of the current tree) plus a priority order. The cost is (makespan, max link load, flit-hops),
compared lexicographically; the annealing walk accepts moves on a weighted energy of the three (so a move
that keeps the makespan but adds load is not free), the best state is chosen by the cost. Half the moves
target a delayed message of the critical dependency chain or one on the busiest link.

Evaluation (`_Evaluator`) is incremental and exact: routes live as int segments of one pool, link loads are
updated per move, and the numba contention model re-runs only from the first position of the reservation
order a move changes (`schedule_kernel.IncrementalSchedule`). Deterministic for a seed: the budget is a
number of cost evaluations (by default scaled to the problem size, `default_budget`); the wall-clock cap only
stops a runaway search early. The start state is evaluated first and the best state seen is returned, so
the result is never worse than the start.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from focus_tools.errors import FocusError
from passes.routing import algorithms as alg
from passes.routing import schedule_kernel as kernel
from passes.routing.contention import Message, MessageArrays, link_loads
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
        routes += alg.whirl_patterns(mesh, src, dsts)
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


class _Evaluator:
    """The search state as flat arrays: every message's encoded route in one pool, the link loads (kept
    up to date move by move) and the priorities. `cost()` runs the numba contention kernel."""

    def __init__(self, mesh: Mesh, messages: Sequence[Message], routes: list[Route], prio: np.ndarray,
                 link_bandwidth: float, hop_latency: float):
        self.mesh = mesh
        self.arrays = MessageArrays(messages, link_bandwidth)
        self.hop = float(hop_latency)
        self.n_links = 4 * mesh.width * mesh.height
        self.n_res = kernel.resource_count(mesh)
        self.weight = np.array([m.flits * m.packets for m in messages], dtype=np.int64)
        self._encoded: dict[int, tuple[Route, np.ndarray]] = {}
        self.routes = list(routes)
        self.segs = [self.encode(r) for r in self.routes]
        self.msg_ptr = np.zeros(len(self.routes), dtype=np.int64)
        self._rebuild_pool()
        self.load = np.zeros(self.n_links, dtype=np.int64)
        for seg, w in zip(self.segs, self.weight):
            kernel.add_loads(self.load, seg, self.n_links, w)
        self.prio = np.array(prio, dtype=np.int64)
        self._order: np.ndarray | None = None
        self.evaluations = 0
        self.schedule = kernel.IncrementalSchedule(self.arrays, self.n_res, hop_latency)
        self._pos: np.ndarray | None = None  # positions in the committed order
        self._first = 0  # first position of the committed order that differs from the current state

    def encode(self, route: Route) -> np.ndarray:
        hit = self._encoded.get(id(route))
        if hit is None or hit[0] is not route:
            hit = (route, kernel.encode_route(self.mesh, route))
            self._encoded[id(route)] = hit
        return hit[1]

    def _rebuild_pool(self) -> None:
        live = sum(len(s) for s in self.segs)
        self.pool = np.zeros(2 * live + 1024, dtype=np.int64)
        p = 0
        for i, seg in enumerate(self.segs):
            self.pool[p:p + len(seg)] = seg
            self.msg_ptr[i] = p
            p += len(seg)
        self.used = p

    def set_route(self, i: int, route: Route) -> None:
        if self.routes[i] is route:
            return
        seg = self.encode(route)
        kernel.add_loads(self.load, self.segs[i], self.n_links, -self.weight[i])
        kernel.add_loads(self.load, seg, self.n_links, self.weight[i])
        self.routes[i] = route
        self.segs[i] = seg
        self._first = min(self._first, int(self._pos[i])) if self._pos is not None else 0
        if self.used + len(seg) > len(self.pool):
            self._rebuild_pool()
        else:
            self.pool[self.used:self.used + len(seg)] = seg
            self.msg_ptr[i] = self.used
            self.used += len(seg)

    def swap_priorities(self, a: int, b: int) -> None:
        self.prio[a], self.prio[b] = self.prio[b], self.prio[a]
        self._order = None

    def set_state(self, routes: Sequence[Route], prio: np.ndarray) -> None:
        for i, r in enumerate(routes):
            if self.routes[i] is not r:
                self.set_route(i, r)
        if not np.array_equal(self.prio, prio):
            self.prio[:] = prio
            self._order = None

    def snapshot(self) -> tuple[list[Route], np.ndarray]:
        return list(self.routes), self.prio.copy()

    def cost(self) -> Cost:
        """The cost of the current state (a trial: `commit()` or, after undoing the changes, `discard()`)."""
        self.evaluations += 1
        if self._order is None:
            self._order = self.arrays.order(self.prio)
            committed = self.schedule.committed_order
            if committed is not None:
                differ = np.flatnonzero(self._order != committed)
                if len(differ):
                    self._first = min(self._first, int(differ[0]))
        trial = self.schedule.evaluate(self._order, self.msg_ptr, self.pool, self._first)
        makespan = float(trial.finish.max()) if len(trial.finish) else 0.0
        return (makespan, int(self.load.max(initial=0)), int(self.load.sum()))

    def commit(self) -> None:
        """The state last evaluated is the new reference for incremental evaluation."""
        self.schedule.commit()
        self._pos = self.schedule.positions()
        self._first = len(self.routes)

    def discard(self) -> None:
        """The changes since the last commit were undone."""
        self._first = len(self.routes)

    def critical(self) -> list[int]:
        """The dependency chain that ends with the last message to finish (in the committed state), the
        last message first: each one's ready time is its predecessor's finish."""
        committed = self.schedule.committed
        if committed is None:  # dropped by a re-layout of the timelines
            return []
        finish, ready = committed.finish, committed.ready
        a = self.arrays
        m = int(np.argmax(finish))
        chain = [m]
        while ready[m] > a.earliest[m]:
            deps = a.dep_idx[a.dep_ptr[m]:a.dep_ptr[m + 1]]
            if len(deps) == 0:
                break
            m = int(deps[np.argmax(finish[deps])])
            chain.append(m)
        return chain

    def delayed(self) -> list[int]:
        """Critical-chain messages that waited for busy resources (start > ready), else the whole chain."""
        chain = self.critical()
        committed = self.schedule.committed
        waited = [m for m in chain if committed is not None and committed.start[m] > committed.ready[m]]
        return waited or chain

    def on_busiest_link(self) -> list[int]:
        """Messages crossing the link with the highest load."""
        if not self.load.size or self.load.max() <= 0:
            return []
        return kernel.messages_on(self.pool, self.msg_ptr, int(np.argmax(self.load))).tolist()


class _Moves:
    """Random moves on an evaluator: re-route one message (perturb its tree, or take another algorithm's
    candidate) or swap two messages' priorities. Candidates are built on first use, against the start loads."""

    def __init__(self, mesh: Mesh, messages: Sequence[Message], start: Mapping[str, Route], fixed: set[str]):
        self.mesh = mesh
        self.messages = list(messages)
        self.start = start
        self.mutable = [i for i, m in enumerate(self.messages) if m.name not in fixed]
        self._allowed = set(self.mutable)
        self.everyone = list(range(len(self.messages)))
        self._targets: tuple[list[int], list[int]] | None = None
        self._start_load: dict[Link, int] | None = None
        self._candidates: dict[int, list[Route]] = {}

    def candidates(self, i: int) -> list[Route]:
        cands = self._candidates.get(i)
        if cands is None:
            if self._start_load is None:
                self._start_load = link_loads(self.messages, self.start)
            m = self.messages[i]
            first = self.start[m.name]
            cands = [first]
            seen = {route_key(first)}
            for r in candidate_routes(self.mesh, m.src, list(m.dsts), self._start_load):
                if route_key(r) not in seen:
                    seen.add(route_key(r))
                    cands.append(r)
            self._candidates[i] = cands
        return cands

    def pick(self, ev: _Evaluator, rng: random.Random, pool: list[int]) -> int:
        """A message to change: half the time one that matters now (a delayed message of the critical
        chain, or one on the busiest link, alternately), else any."""
        if rng.random() < 0.5:
            if self._targets is None:
                self._targets = (ev.delayed(), ev.on_busiest_link())
            allowed = self._allowed if pool is self.mutable else None
            hot = [m for m in self._targets[rng.random() < 0.5] if allowed is None or m in allowed]
            if hot:
                return rng.choice(hot)
        return rng.choice(pool)

    def changed(self) -> None:
        """The evaluator's state changed for good: targets are recomputed on the next pick."""
        self._targets = None

    def apply(self, ev: _Evaluator, rng: random.Random):
        """Make one move; returns how to undo it (None: the move changed nothing)."""
        n = len(self.messages)
        if self.mutable and (n < 2 or rng.random() < 0.7):
            i = self.pick(ev, rng, self.mutable)
            old = ev.routes[i]
            new = None
            if rng.random() < 0.5:
                new = perturb(self.mesh, old, rng)
            if new is None:
                new = rng.choice(self.candidates(i))
            if new is old or route_key(new) == route_key(old):
                return None
            ev.set_route(i, new)
            return ("route", i, old)
        if n >= 2:
            a = self.pick(ev, rng, self.everyone)
            b = rng.randrange(n - 1)
            b += b >= a
            if ev.prio[a] == ev.prio[b]:
                return None
            ev.swap_priorities(a, b)
            return ("prio", a, b)
        return None

    @staticmethod
    def undo(ev: _Evaluator, move) -> None:
        if move[0] == "route":
            ev.set_route(move[1], move[2])
        else:
            ev.swap_priorities(move[1], move[2])


def start_priorities(messages: Sequence[Message]) -> dict[str, int]:
    """Distinct priorities with the same order as (priority desc, input order)."""
    order = sorted(range(len(messages)), key=lambda i: (-messages[i].priority, i))
    return {messages[i].name: len(messages) - rank for rank, i in enumerate(order)}


# budget scaling: evaluations x (reservations per evaluation) is kept near WORK_PER_SEARCH
WORK_PER_SEARCH = 40_000_000
MIN_BUDGET, MAX_BUDGET = 200, 4000


def reservations(messages: Sequence[Message], routes: Mapping[str, Route], link_bandwidth: float = 1.0) -> int:
    """Resource reservations of one contention-model evaluation (the kernel's work)."""
    total = 0
    for m in messages:
        per_packet = m.flits / link_bandwidth
        trains = m.packets if (m.interval > per_packet and m.packets > 1) else 1
        total += trains * sum(len(c.links) + 1 + len(c.dsts) for c in routes[m.name].copies)
    return total


def default_budget(messages: Sequence[Message], routes: Mapping[str, Route], link_bandwidth: float = 1.0) -> int:
    """Cost evaluations for a problem of this size: many for small problems, fewer (but at least
    MIN_BUDGET) as one evaluation gets more expensive. Depends on the problem only, never on time."""
    work = max(1, reservations(messages, routes, link_bandwidth))
    return max(MIN_BUDGET, min(MAX_BUDGET, WORK_PER_SEARCH // work))


def search_routes(
    mesh: Mesh,
    messages: Sequence[Message],
    start: Mapping[str, Route],
    method: str = "anneal",
    seed: int = 0,
    budget: int | None = None,
    time_cap: float = 60.0,
    link_bandwidth: float = 1.0,
    hop_latency: float = 1.0,
    fixed: Sequence[str] = (),
) -> SearchResult:
    """Improve routes and priorities of `messages` from `start` (routes of `fixed` never change).

    `budget`: cost evaluations (None: `default_budget`)."""
    if method not in METHODS:
        raise FocusError(f"search={method}: unknown method, valid: {', '.join(METHODS)}")
    if budget is None:
        budget = default_budget(messages, start, link_bandwidth)
    if budget < 0:
        raise FocusError(f"budget={budget}: must be >= 0 evaluations")
    deadline = time.monotonic() + time_cap
    names = [m.name for m in messages]
    prio0 = start_priorities(messages)
    ev = _Evaluator(mesh, messages, [start[n] for n in names], np.array([prio0[n] for n in names], dtype=np.int64),
                    link_bandwidth, hop_latency)
    moves = _Moves(mesh, messages, start, set(fixed))
    start_cost = ev.cost()
    ev.commit()
    rng = random.Random(seed)
    if method == "none" or budget <= 1 or not messages:
        best = (start_cost, *ev.snapshot())
    elif method == "anneal":
        best = _anneal(ev, moves, start_cost, rng, budget, deadline)
    else:
        best = _evolve(ev, moves, start_cost, rng, budget, deadline)
    cost, routes, prio = best
    return SearchResult(
        routes=dict(zip(names, routes)),
        priorities={n: int(p) for n, p in zip(names, prio)},
        cost=cost,
        start_cost=start_cost,
        evaluations=ev.evaluations,
        method=method,
        stopped_by_time=time.monotonic() > deadline,
    )


# the annealing walk's energy: makespan / start makespan + these weights x the secondary terms relative to
# their start values (so a worse max load or more flit-hops at an equal makespan is a worse state, not a free
# sideways move); the best state is still chosen by the lexicographic cost
LOAD_WEIGHT, HOPS_WEIGHT = 0.05, 0.05
START_TEMPERATURE, TEMPERATURE_DROP = 0.005, 1e-3


def _anneal(ev: _Evaluator, moves: _Moves, cost: Cost, rng: random.Random, budget: int, deadline: float):
    best = (cost, *ev.snapshot())
    scale = [max(v, 1e-9) for v in cost]

    def energy(c: Cost) -> float:
        return c[0] / scale[0] + LOAD_WEIGHT * c[1] / scale[1] + HOPS_WEIGHT * c[2] / scale[2]

    current = energy(cost)
    attempts = 0
    while ev.evaluations < budget and attempts < 4 * budget:
        attempts += 1
        if time.monotonic() > deadline:
            break
        move = moves.apply(ev, rng)
        if move is None:
            continue
        temp = START_TEMPERATURE * (TEMPERATURE_DROP ** ((ev.evaluations - 1) / max(budget - 2, 1)))
        c = ev.cost()
        e = energy(c)
        if e <= current or rng.random() < math.exp(-(e - current) / temp):
            current = e
            ev.commit()
            moves.changed()
            if c < best[0]:
                best = (c, *ev.snapshot())
        else:
            moves.undo(ev, move)
            ev.discard()
    return best


def _evolve(ev: _Evaluator, moves: _Moves, cost: Cost, rng: random.Random, budget: int, deadline: float,
            population: int = 12):
    n = len(ev.routes)
    start = ev.snapshot()
    pop = [(cost, *start)]

    def child(routes, prio, changes: int):
        ev.set_state(routes, prio)
        moves.changed()
        for _ in range(changes):
            moves.apply(ev, rng)
        c = ev.cost()
        ev.commit()
        return (c, *ev.snapshot())

    while len(pop) < population and ev.evaluations < budget and time.monotonic() <= deadline:
        pop.append(child(*start, 1 + rng.randint(0, 2)))
    while ev.evaluations < budget and time.monotonic() <= deadline:
        pop.sort(key=lambda s: s[0])
        parents = pop[: max(2, len(pop) // 2)]
        children = []
        for _ in range(len(pop) - len(parents)):
            if ev.evaluations >= budget or time.monotonic() > deadline:
                break
            a, b = rng.sample(parents, 2) if len(parents) > 1 else (parents[0], parents[0])
            routes = [a[1][i] if rng.random() < 0.5 else b[1][i] for i in range(n)]
            children.append(child(routes, a[2], rng.randint(1, 3)))
        pop = parents + children
    return min(pop, key=lambda s: s[0])

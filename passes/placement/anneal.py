"""Simulated annealing on the communication-cost estimate (`passes.placement.cost`).

Starts from the cheapest constructive placement (Hilbert or snake) and returns the best placement
seen, so it is never worse than its start. Moves: a compute group moves to, or swaps with the
occupant of, a PE near one of its communication partners (or near itself); a source or a writeback
sink moves to a memory PE near a partner or a random one (a swap never takes a writeback sink off
memory). The neighbourhood radius and the temperature shrink over a fixed iteration budget;
everything is driven by one seeded `random.Random`, so a seed fixes the result. The wall-clock cap
is only a safety net (when it fires, `stats["time_capped"]` is True and the result depends on
machine speed).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

from passes.placement.baselines import compute_slots, place_hilbert, place_snake
from passes.placement.cost import IncrementalCost, default_link_weight, placement_cost
from passes.placement.problem import PE, PlacementProblem

START_PLACERS: dict[str, Callable[[PlacementProblem, int, bool], dict[str, PE]]] = {
    "hilbert": place_hilbert,
    "snake": place_snake,
}


def default_iterations(problem: PlacementProblem) -> int:
    return 4000 + 200 * len(problem.groups)


def place_anneal(problem: PlacementProblem, seed: int, allow_time_sharing: bool, *,
                 iterations: int | None = None, link_weight: int | None = None,
                 time_limit_s: float = 120.0) -> tuple[dict[str, PE], dict[str, object]]:
    weight = default_link_weight(problem) if link_weight is None else link_weight
    budget = default_iterations(problem) if iterations is None else iterations
    lo, hi = compute_slots(problem, allow_time_sharing)

    starts = []
    for name, placer in START_PLACERS.items():
        pe_of = placer(problem, seed, allow_time_sharing)
        starts.append((placement_cost(problem, pe_of, weight), name, pe_of))
    start_cost, start_name, start_pe_of = min(starts, key=lambda s: (s[0], s[1]))

    names = [g.name for g in problem.groups]
    index = {n: i for i, n in enumerate(names)}
    width, height = problem.width, problem.height
    pos = [problem.pe_id(start_pe_of[n]) for n in names]
    inc = IncrementalCost(problem, pos, index, weight)
    cur = inc.total()
    assert cur == start_cost
    stats: dict[str, object] = {
        "start": start_name, "start_cost": start_cost, "cost": cur,
        "iterations": 0, "accepted": 0, "time_capped": False,
    }
    movable = list(range(len(names)))
    if budget <= 0 or not movable or not problem.messages:
        return dict(start_pe_of), stats

    is_compute = [g.is_compute for g in problem.groups]
    compute_ok = [False] * problem.pe_count
    for pe in problem.compute_pes():
        compute_ok[problem.pe_id(pe)] = True
    mem_ids = [problem.pe_id(pe) for pe in problem.memory_pes]
    needs_mem = [g.needs_memory for g in problem.groups]
    is_mem_pe = [False] * problem.pe_count
    for pid in mem_ids:
        is_mem_pe[pid] = True
    # memory PEs by distance from every PE (sources move near their partners)
    mem_near = []
    for pid in range(problem.pe_count):
        x, y = pid % width, pid // width
        mem_near.append(sorted(mem_ids, key=lambda m: (abs(m % width - x) + abs(m // width - y), m)))
    partners: list[list[int]] = [[] for _ in names]
    for i, m in enumerate(problem.messages):
        ends = [index[m.src], *(index[d] for d in m.dsts)]
        for g in ends:
            partners[g].extend(e for e in ends if e != g)
    members: list[list[int]] = [[] for _ in range(problem.pe_count)]
    for g, pid in enumerate(pos):
        if is_compute[g]:
            members[pid].append(g)

    rng = random.Random(seed)
    radius_max = max(width, height)

    def propose(radius: int) -> tuple[int, int, int] | None:
        """(group, target PE, swap partner or -1), or None."""
        g = movable[rng.randrange(len(movable))]
        here = pos[g]
        anchor = here
        if partners[g] and rng.random() < 0.6:
            anchor = pos[partners[g][rng.randrange(len(partners[g]))]]
        if needs_mem[g]:  # sources and writeback sinks stay on memory PEs
            if rng.random() < 0.7:
                near = mem_near[anchor]
                target = near[rng.randrange(min(3, len(near)))]
            else:
                target = mem_ids[rng.randrange(len(mem_ids))]
            if target == here:
                return None
            if not is_compute[g]:
                return g, target, -1
        else:
            ax, ay = anchor % width, anchor // width
            for _ in range(4):
                tx = min(width - 1, max(0, ax + rng.randint(-radius, radius)))
                ty = min(height - 1, max(0, ay + rng.randint(-radius, radius)))
                target = ty * width + tx
                if target != here and compute_ok[target]:
                    break
            else:
                return None
        can_move = len(members[here]) - 1 >= lo and len(members[target]) + 1 <= hi
        occupants = members[target]
        if occupants and (not can_move or rng.random() < 0.5):
            other = occupants[rng.randrange(len(occupants))]
            if needs_mem[other] and not is_mem_pe[here]:  # a writeback sink may not leave memory
                return (g, target, -1) if can_move else None
            return g, target, other
        return (g, target, -1) if can_move else None

    def apply(g: int, target: int, other: int) -> None:
        here = pos[g]
        pos[g] = target
        if is_compute[g]:
            members[here].remove(g)
            members[target].append(g)
        if other >= 0:
            pos[other] = here
            members[target].remove(other)
            members[here].append(other)

    # initial temperature: uphill moves of typical size are accepted with probability ~ 1/4
    ups = []
    for _ in range(min(300, budget)):
        move = propose(radius_max)
        if move is None:
            continue
        g, target, other = move
        here = pos[g]
        apply(g, target, other)
        msgs = inc.affected([g] if other < 0 else [g, other])
        old = inc.reroute(msgs)
        delta = inc.total() - cur
        inc.restore(msgs, old)
        apply(g, here, other)
        if delta > 0:
            ups.append(delta)
    ups.sort()
    t_start = (ups[len(ups) // 2] / math.log(4.0)) if ups else 1.0
    t_end = t_start * 1e-4

    best = cur
    best_pos = list(pos)
    accepted = 0
    deadline = time.perf_counter() + time_limit_s
    done = 0
    for it in range(budget):
        if it & 255 == 0 and time.perf_counter() > deadline:
            stats["time_capped"] = True
            break
        frac = it / budget
        temp = t_start * (t_end / t_start) ** frac
        radius = max(1, round(radius_max * (1.0 - frac) ** 2))
        done = it + 1
        move = propose(radius)
        if move is None:
            continue
        g, target, other = move
        here = pos[g]
        apply(g, target, other)
        msgs = inc.affected([g] if other < 0 else [g, other])
        old = inc.reroute(msgs)
        new = inc.total()
        delta = new - cur
        if delta <= 0 or rng.random() < math.exp(-delta / temp):
            cur = new
            accepted += 1
            if cur < best:
                best = cur
                best_pos = list(pos)
        else:
            inc.restore(msgs, old)
            apply(g, here, other)
    stats.update(cost=best, iterations=done, accepted=accepted)
    return {n: problem.pe_of_id(best_pos[i]) for i, n in enumerate(names)}, stats

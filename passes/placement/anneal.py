"""Simulated annealing on the communication-cost estimate (`passes.placement.cost`).

Starts from the cheapest constructive placement (Hilbert or snake) and returns the best placement
seen, so it is never worse than its start. Moves: a compute group moves to, or swaps with the
occupant of, a PE near one of its communication partners (or near itself); a source or a writeback
sink moves to a memory PE near a partner or a random one (a swap never takes a writeback sink off
memory). The neighbourhood radius and the temperature shrink over a fixed iteration budget;
everything is driven by one seeded splitmix64 stream, so a seed fixes the result. The moves and the
incremental cost run in a numba kernel (`anneal_kernel`, imported on first use); the wall-clock cap
is only a safety net, checked between chunks of iterations (when it fires, `stats["time_capped"]` is
True and the result depends on machine speed).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from passes.placement.baselines import compute_slots, place_hilbert, place_snake
from passes.placement.cost import default_link_weight, placement_cost
from passes.placement.problem import PE, PlacementProblem

START_PLACERS: dict[str, Callable[[PlacementProblem, int, bool], dict[str, PE]]] = {
    "hilbert": place_hilbert,
    "snake": place_snake,
}


def default_iterations(problem: PlacementProblem) -> int:
    return 20000 + 1000 * len(problem.groups)


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
    stats: dict[str, object] = {
        "start": start_name, "start_cost": start_cost, "cost": start_cost,
        "iterations": 0, "accepted": 0, "time_capped": False,
    }
    if budget <= 0 or not names or not problem.messages:
        return dict(start_pe_of), stats

    import numpy as np

    from passes.placement import anneal_kernel as kernel

    index = {n: i for i, n in enumerate(names)}
    width, height, pe_count = problem.width, problem.height, problem.pe_count
    i64 = np.int64
    pos = np.array([problem.pe_id(start_pe_of[n]) for n in names], i64)
    is_compute = np.array([g.is_compute for g in problem.groups], np.bool_)
    layer_ids: dict[tuple[str, str], int] = {}
    layer_of = np.array([layer_ids.setdefault((g.model, g.layer), len(layer_ids)) for g in problem.groups], i64)
    needs_mem = np.array([g.needs_memory for g in problem.groups], np.bool_)
    compute_ok = np.zeros(pe_count, np.bool_)
    for pe in problem.compute_pes():
        compute_ok[problem.pe_id(pe)] = True
    mem_ids = np.array([problem.pe_id(pe) for pe in problem.memory_pes], i64)
    is_mem_pe = np.zeros(pe_count, np.bool_)
    is_mem_pe[mem_ids] = True
    # memory PEs by distance from every PE (sources and writeback sinks move near their partners)
    mem_near = np.zeros((pe_count, len(mem_ids)), i64)
    for pid in range(pe_count):
        x, y = pid % width, pid // width
        mem_near[pid] = sorted(mem_ids.tolist(), key=lambda m: (abs(m % width - x) + abs(m // width - y), m))
    partners: list[list[int]] = [[] for _ in names]
    msgs_of: list[set[int]] = [set() for _ in names]
    msg_src = np.array([index[m.src] for m in problem.messages], i64)
    msg_dst_lists = [[index[d] for d in m.dsts] for m in problem.messages]
    for i, m in enumerate(problem.messages):
        ends = [index[m.src], *msg_dst_lists[i]]
        for g in ends:
            partners[g].extend(e for e in ends if e != g)
            msgs_of[g].add(i)
    part_ptr, part_idx = _csr(partners)
    msg_ptr, msg_dst = _csr(msg_dst_lists)
    mo_ptr, mo_idx = _csr([sorted(s) for s in msgs_of])
    msg_vol = np.array([m.volume for m in problem.messages], i64)
    members = np.full((pe_count, hi + 1), -1, i64)  # one spare column: a swap adds before it removes
    member_count = np.zeros(pe_count, i64)
    for g in range(len(names)):
        if is_compute[g]:
            members[pos[g], member_count[pos[g]]] = g
            member_count[pos[g]] += 1

    load, hops = kernel.initial_loads(pos, msg_src, msg_ptr, msg_dst, msg_vol, width, pe_count)
    cur = int(hops) + weight * int(load.max())
    assert cur == start_cost, (cur, start_cost)
    rng = np.array([seed & 0xFFFFFFFFFFFFFFFF], np.uint64)
    state = np.array([cur, hops, cur, 0, 0], i64)
    best_pos = pos.copy()
    radius_max = max(width, height)

    def run(mode: int, begin: int, end: int, t_start: float, t_end: float, deltas) -> int:
        return kernel.anneal_run(mode, begin, end, budget, t_start, t_end, radius_max, weight, rng, state, pos,
                                 best_pos, load, is_compute, needs_mem, compute_ok, is_mem_pe, mem_ids, mem_near,
                                 part_ptr, part_idx, msg_src, msg_ptr, msg_dst, msg_vol, mo_ptr, mo_idx, members,
                                 member_count, lo, hi, width, height, layer_of, deltas)

    # initial temperature: uphill moves of typical size are accepted with probability ~ 1/4
    probes = min(300, budget)
    deltas = np.zeros(probes, i64)
    n_up = run(1, 0, probes, 1.0, 1.0, deltas)
    ups = np.sort(deltas[:n_up])
    t_start = float(ups[n_up // 2]) / math.log(4.0) if n_up else 1.0
    t_end = t_start * 1e-4

    deadline = time.perf_counter() + time_limit_s
    done = 0
    chunk = 4096
    while done < budget:
        if time.perf_counter() > deadline:
            stats["time_capped"] = True
            break
        end = min(budget, done + chunk)
        run(0, done, end, t_start, t_end, deltas)
        done = end
    stats.update(cost=int(state[2]), iterations=done, accepted=int(state[3]))
    return {n: problem.pe_of_id(int(best_pos[i])) for i, n in enumerate(names)}, stats


def _csr(lists: list[list[int]]):
    """(ptr, idx) int64 arrays of a list of lists."""
    import numpy as np

    ptr = np.zeros(len(lists) + 1, np.int64)
    for i, row in enumerate(lists):
        ptr[i + 1] = ptr[i] + len(row)
    idx = np.array([v for row in lists for v in row], np.int64) if ptr[-1] else np.zeros(0, np.int64)
    return ptr, idx

"""Constructive placers: the original's Hilbert walk (made deterministic), snake, seeded random."""

from __future__ import annotations

import random
from collections.abc import Sequence

from focus_tools.errors import FocusError
from passes.placement.layouts import hilbert_order, snake_order
from passes.placement.problem import PE, PlacementProblem


def compute_slots(problem: PlacementProblem, allow_time_sharing: bool) -> tuple[int, int]:
    """(fewest, most) compute groups per compute PE: (0, 1) when they fit, else an even spread."""
    need = len(problem.compute_groups())
    have = len(problem.compute_pes())
    if need <= have:
        return 0, 1
    if not allow_time_sharing:
        raise FocusError(problem.capacity_error())
    if have == 0:
        raise FocusError(f"{problem.where}: {need} compute groups but no PE may host compute")
    return need // have, -(-need // have)


def walk_compute(problem: PlacementProblem, order: Sequence[PE], allow_time_sharing: bool) -> dict[str, PE]:
    """Compute groups in task order onto `order` (filtered to compute PEs), wrapping when shared."""
    compute_slots(problem, allow_time_sharing)
    allowed = set(problem.compute_pes())
    pes = [pe for pe in order if pe in allowed]
    return {g.name: pes[i % len(pes)] for i, g in enumerate(problem.compute_groups())}


def assign_sources(problem: PlacementProblem, pe_of: dict[str, PE]) -> dict[str, PE]:
    """Sources in task order onto the least-loaded memory PE (load = flits sent so far), ties broken
    by the total distance to the source's destinations, then by linear id."""
    out_msgs: dict[str, list] = {}
    for m in problem.messages:
        out_msgs.setdefault(m.src, []).append(m)
    load = {pe: 0 for pe in problem.memory_pes}
    result = dict(pe_of)
    for g in problem.source_groups():
        msgs = out_msgs.get(g.name, [])
        dst_pes = [pe_of[d] for m in msgs for d in m.dsts if d in pe_of]

        best = min(
            problem.memory_pes,
            key=lambda pe, dst_pes=dst_pes: (
                load[pe], sum(abs(pe[0] - x) + abs(pe[1] - y) for x, y in dst_pes), problem.pe_id(pe)
            ),
        )
        load[best] += sum(m.volume for m in msgs)
        result[g.name] = best
    return result


def place_hilbert(problem: PlacementProblem, seed: int, allow_time_sharing: bool) -> dict[str, PE]:
    """The original HilbertMapper: one contiguous Hilbert segment per layer in task order."""
    pe_of = walk_compute(problem, hilbert_order(problem.width, problem.height), allow_time_sharing)
    return assign_sources(problem, pe_of)


def place_snake(problem: PlacementProblem, seed: int, allow_time_sharing: bool) -> dict[str, PE]:
    pe_of = walk_compute(problem, snake_order(problem.width, problem.height), allow_time_sharing)
    return assign_sources(problem, pe_of)


def place_random(problem: PlacementProblem, seed: int, allow_time_sharing: bool) -> dict[str, PE]:
    """Compute groups on a seeded random permutation of the compute PEs, sources on random memory PEs."""
    rng = random.Random(seed)
    order = list(problem.compute_pes())
    rng.shuffle(order)
    pe_of = walk_compute(problem, order, allow_time_sharing)
    for g in problem.source_groups():
        pe_of[g.name] = problem.memory_pes[rng.randrange(len(problem.memory_pes))]
    return pe_of

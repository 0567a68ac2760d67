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


def message_partners(problem: PlacementProblem) -> dict[str, list[str]]:
    """Group -> the groups it exchanges messages with (message order, duplicates kept)."""
    partners: dict[str, list[str]] = {}
    for m in problem.messages:
        ends = (m.src, *m.dsts)
        for g in ends:
            partners.setdefault(g, []).extend(e for e in ends if e != g)
    return partners


def walk_compute(problem: PlacementProblem, order: Sequence[PE], allow_time_sharing: bool) -> dict[str, PE]:
    """Compute groups in task order onto `order` (filtered to compute PEs), wrapping when shared.

    Writeback sinks must sit on memory PEs: each takes the free memory-PE slot nearest to its already
    placed partners (its workers), and the other groups leave enough memory-PE slots free for them.
    """
    _, hi = compute_slots(problem, allow_time_sharing)
    allowed = set(problem.compute_pes())
    pes = [pe for pe in order if pe in allowed]
    groups = problem.compute_groups()
    slots = pes if hi == 1 else [pes[i % len(pes)] for i in range(len(groups))]
    writeback = [g.name for g in groups if g.needs_memory]
    if not writeback:
        return {g.name: slots[i] for i, g in enumerate(groups)}
    memory = set(problem.memory_pes)
    is_mem = [pe in memory for pe in slots]
    mem_free = sum(is_mem)
    if mem_free < len(writeback):
        hint = "use a larger mesh" if allow_time_sharing else "use a larger mesh or allow time sharing"
        raise FocusError(
            f"{problem.where}: {len(writeback)} sinks write back to memory (first: '{writeback[0]}'), the memory "
            f"PEs of the {problem.width}x{problem.height} mesh offer {mem_free} compute slots; {hint}"
        )
    partners = message_partners(problem)
    wb_left = len(writeback)
    taken = [False] * len(slots)
    cursor = 0
    out: dict[str, PE] = {}
    for g in groups:
        if g.needs_memory:
            anchors = [out[p] for p in partners.get(g.name, ()) if p in out]
            best = min(
                (i for i in range(len(slots)) if not taken[i] and is_mem[i]),
                key=lambda i: (sum(abs(slots[i][0] - x) + abs(slots[i][1] - y) for x, y in anchors), i),
            )
            wb_left -= 1
        else:
            best = cursor
            while taken[best] or (is_mem[best] and mem_free <= wb_left):
                best += 1
        taken[best] = True
        mem_free -= is_mem[best]
        out[g.name] = slots[best]
        while cursor < len(slots) and taken[cursor]:
            cursor += 1
    return out


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

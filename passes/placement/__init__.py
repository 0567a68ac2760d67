"""Placement of sub-operator groups on a mesh of PEs (plain Python, no IR).

`place(problem, strategy, seed)` runs one of `STRATEGIES`; `placement_cost(problem, placement)` is
the shared communication-cost estimate (see `passes.placement.cost`).
"""

from __future__ import annotations

from focus_tools.errors import FocusError
from passes.placement.anneal import place_anneal
from passes.placement.baselines import compute_slots, place_hilbert, place_random, place_snake
from passes.placement.cost import CostBreakdown, cost_breakdown, default_link_weight, placement_cost
from passes.placement.layouts import edge_memory_pes, hilbert_order, original_memory_pes, snake_order
from passes.placement.problem import PE, Group, Message, Placement, PlacementProblem

STRATEGIES = ("hilbert", "snake", "random", "anneal")

__all__ = [
    "PE",
    "STRATEGIES",
    "CostBreakdown",
    "Group",
    "Message",
    "Placement",
    "PlacementProblem",
    "check_placement",
    "cost_breakdown",
    "default_link_weight",
    "edge_memory_pes",
    "hilbert_order",
    "original_memory_pes",
    "place",
    "placement_cost",
    "snake_order",
]


def place(problem: PlacementProblem, strategy: str = "hilbert", seed: int = 0, *,
          allow_time_sharing: bool = False, **options) -> Placement:
    """Place every group. `options` go to the annealer (iterations, link_weight, time_limit_s)."""
    if strategy not in STRATEGIES:
        raise FocusError(f"{problem.where}: placement strategy '{strategy}', expected one of {', '.join(STRATEGIES)}")
    if options and strategy != "anneal":
        raise FocusError(f"{problem.where}: options {sorted(options)} apply only to strategy 'anneal'")
    stats: dict[str, object] = {}
    if strategy == "hilbert":
        pe_of = place_hilbert(problem, seed, allow_time_sharing)
    elif strategy == "snake":
        pe_of = place_snake(problem, seed, allow_time_sharing)
    elif strategy == "random":
        pe_of = place_random(problem, seed, allow_time_sharing)
    else:
        pe_of, stats = place_anneal(problem, seed, allow_time_sharing, **options)
    placement = Placement.build(problem, strategy, seed, pe_of, stats)
    err = check_placement(problem, placement, allow_time_sharing)
    if err:  # a placer bug, not bad input
        raise AssertionError(err)
    return placement


def check_placement(problem: PlacementProblem, placement: Placement, allow_time_sharing: bool = False) -> str | None:
    """The first violated placement rule, or None: every group placed inside the mesh, memory readers
    and writeback sinks on memory PEs, compute groups on compute PEs, at most one compute group per PE
    (an even spread when time sharing is allowed)."""
    memory = set(problem.memory_pes)
    compute_pes = set(problem.compute_pes())
    count: dict[PE, int] = {}
    for g in problem.groups:
        pe = placement.pe_of.get(g.name)
        if pe is None:
            return f"group '{g.name}' is not placed"
        if not (0 <= pe[0] < problem.width and 0 <= pe[1] < problem.height):
            return f"group '{g.name}' placed at {pe}, outside the {problem.width}x{problem.height} mesh"
        if g.needs_memory and pe not in memory:
            verb = "writes back to" if g.is_compute else "reads"
            return f"group '{g.name}' {verb} memory but sits on {pe}, not a memory PE"
        if g.is_compute:
            if pe not in compute_pes:
                return f"compute group '{g.name}' sits on memory PE {pe}, which may not host compute"
            count[pe] = count.get(pe, 0) + 1
    lo, hi = compute_slots(problem, allow_time_sharing)
    worst = max(count.values(), default=0)
    if worst > hi:
        return f"a PE hosts {worst} compute groups, at most {hi} allowed"
    if lo > 0 and (len(count) < len(compute_pes) or min(count.values()) < lo):
        return f"time-shared compute groups are not spread evenly ({lo}..{hi} per PE)"
    return None

"""The communication-cost estimate shared by the placers, the bench and the tests.

    cost = sum over messages of volume * tree_links  +  link_weight * max_link_load

* Each message is routed as the union of its dimension-ordered (XY: along the source row first, then
  along the destination column) paths from the source PE to every destination PE: a multicast tree,
  so a link shared by several destinations carries the message once. Destinations on the source PE
  cost nothing.
* `tree_links`: directed mesh links in that tree; the first term is total flit-hops.
* `max_link_load`: the largest sum of volumes over all messages crossing one directed mesh link
  (injection/ejection ports are not counted: they do not depend on the placement).
* `link_weight` defaults to `width + height`: one flit on the hottest link costs as much as one flit
  crossing the whole mesh, so spreading traffic is weighed on par with shortening it.
All terms are integers, so the estimate is exact and order-independent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from focus_tools.errors import FocusError
from passes.placement.problem import PE, Placement, PlacementProblem

EAST, WEST, SOUTH, NORTH = 0, 1, 2, 3  # link index = pe_id * 4 + direction (y grows southward)


def default_link_weight(problem: PlacementProblem) -> int:
    return problem.width + problem.height


def xy_tree_links(width: int, src: int, dsts: Sequence[int]) -> list[int]:
    """Directed link ids of the XY multicast tree from PE id `src` to PE ids `dsts`."""
    sx, sy = src % width, src // width
    xmin = xmax = sx
    columns: dict[int, list[int]] = {}  # column -> [ymin, ymax] of destinations in it
    for d in dsts:
        if d == src:
            continue
        dx, dy = d % width, d // width
        if dx < xmin:
            xmin = dx
        elif dx > xmax:
            xmax = dx
        span = columns.get(dx)
        if span is None:
            columns[dx] = [dy, dy]
        elif dy < span[0]:
            span[0] = dy
        elif dy > span[1]:
            span[1] = dy
    row = sy * width
    links = [(row + x) * 4 + EAST for x in range(sx, xmax)]
    links += [(row + x) * 4 + WEST for x in range(sx, xmin, -1)]
    for x, (ymin, ymax) in columns.items():
        links += [(y * width + x) * 4 + SOUTH for y in range(sy, ymax)]
        links += [(y * width + x) * 4 + NORTH for y in range(sy, ymin, -1)]
    return links


@dataclass(frozen=True)
class CostBreakdown:
    total: int
    flit_hops: int
    max_link_load: int
    link_weight: int
    offchip_messages: int  # messages that leave their source PE


def _positions(problem: PlacementProblem, placement: Placement | Mapping[str, PE]) -> dict[str, int]:
    pe_of = placement.pe_of if isinstance(placement, Placement) else placement
    out: dict[str, int] = {}
    for g in problem.groups:
        pe = pe_of.get(g.name)
        if pe is None:
            raise FocusError(f"{problem.where}: group '{g.name}' is not placed")
        x, y = pe
        if not (0 <= x < problem.width and 0 <= y < problem.height):
            raise FocusError(f"{problem.where}: group '{g.name}' placed at {pe}, outside the mesh")
        out[g.name] = y * problem.width + x
    return out


def cost_breakdown(problem: PlacementProblem, placement: Placement | Mapping[str, PE],
                   link_weight: int | None = None) -> CostBreakdown:
    pos = _positions(problem, placement)
    weight = default_link_weight(problem) if link_weight is None else link_weight
    load = [0] * (problem.pe_count * 4)
    flit_hops = 0
    offchip = 0
    for m in problem.messages:
        links = xy_tree_links(problem.width, pos[m.src], [pos[d] for d in m.dsts])
        if links:
            offchip += 1
        flit_hops += m.volume * len(links)
        for link in links:
            load[link] += m.volume
    peak = max(load, default=0)
    return CostBreakdown(flit_hops + weight * peak, flit_hops, peak, weight, offchip)


def placement_cost(problem: PlacementProblem, placement: Placement | Mapping[str, PE],
                   link_weight: int | None = None) -> int:
    """The estimate in the module docstring (lower is better)."""
    return cost_breakdown(problem, placement, link_weight).total

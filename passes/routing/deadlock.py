"""Deadlock freedom: VC classes from two turn models, the channel dependency graph and its check.

VC-class contract (what the simulator must honour):
* Every copy (packet) of a routed message carries a VC class in {0, 1}. The network splits each
  physical link's VCs evenly between the classes; a packet only ever allocates VCs of its own class,
  on every link of its tree, and never changes class.
* Class 0 is "south-last": after a southward hop (y grows) a packet only keeps going south
  (no S->E, S->W turns). Class 1 is "north-last": no N->E, N->W turns. Neither allows 180-degree
  turns. Each turn set breaks every cycle of the mesh, so the channel dependency graph of any set of
  such routes is acyclic (Dally & Seitz). Every XY route fits both classes; every minimal route fits
  one of them (a minimal route to a PE north of the source never moves south, and vice versa), so
  every unicast and every minimal tree is deadlock-free after at most one split per tree.
* Routes that fit no class (user waypoints) are placed in a class only if that class's channel
  dependency graph stays acyclic, checked explicitly; otherwise the compiler raises a FocusError
  naming the cycle.
* Tree multicast: the dependency graph has an edge from every tree link to each child link. This
  assumes a branching packet never holds one output while waiting for another indefinitely: the
  router must give every branch room for the whole packet before it starts replicating, or
  equivalently buffer whole packets at branch points (virtual cut-through at replication points).
  Under plain synchronous wormhole replication with small buffers, tree multicast can deadlock even
  with XY trees (Lin, McKinley & Ni, 1994); no dependency check on routes can exclude that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import networkx as nx

from focus_tools.errors import FocusError
from passes.routing.mesh import EAST, NORTH, SOUTH, WEST, Coord, Link, direction, fmt_link
from passes.routing.trees import (
    UNASSIGNED_VC,
    Copy,
    Route,
    children_map,
    make_copy,
    parent_map,
    root_path,
    subtree_for,
)

VC_CLASSES = 2
SOUTH_LAST, NORTH_LAST = 0, 1

_UTURNS = {(NORTH, SOUTH), (SOUTH, NORTH), (EAST, WEST), (WEST, EAST)}
FORBIDDEN_TURNS: dict[int, frozenset[tuple[str, str]]] = {
    SOUTH_LAST: frozenset(_UTURNS | {(SOUTH, EAST), (SOUTH, WEST)}),
    NORTH_LAST: frozenset(_UTURNS | {(NORTH, EAST), (NORTH, WEST)}),
}


def turns(links: Iterable[Link]) -> set[tuple[str, str]]:
    """(incoming direction, outgoing direction) of every consecutive link pair of a tree or path."""
    links = list(links)
    kids = children_map(links)
    out = set()
    for a, b in links:
        d_in = direction((a, b))
        for c in kids.get(b, ()):
            out.add((d_in, direction((b, c))))
    return out


def fitting_classes(links: Iterable[Link]) -> list[int]:
    """VC classes whose turn model the tree/path obeys."""
    used = turns(links)
    return [cls for cls in range(VC_CLASSES) if not (used & FORBIDDEN_TURNS[cls])]


def _preferred_class(links: Sequence[Link], fits: list[int]) -> int:
    """Both fit: class 1 if the tree moves south at all, else class 0 (spreads traffic over both)."""
    if len(fits) == 1:
        return fits[0]
    return NORTH_LAST if any(direction(l) == SOUTH for l in links) else SOUTH_LAST


def split_copy(src: Coord, copy: Copy) -> list[Copy]:
    """Give a copy a VC class, splitting its tree by destination if it fits no single class.

    Returns [copy] unchanged (vc UNASSIGNED) if some destination's root path fits no class.
    """
    if copy.vc != UNASSIGNED_VC:
        return [copy]
    fits = fitting_classes(copy.links)
    if fits:
        return [Copy(copy.links, copy.dsts, _preferred_class(copy.links, fits))]
    parents = parent_map(copy.links)
    groups: dict[int, list[Coord]] = {SOUTH_LAST: [], NORTH_LAST: []}
    both: list[Coord] = []
    for d in copy.dsts:
        f = fitting_classes(root_path(parents, src, d))
        if not f:
            return [copy]
        if len(f) == 2:
            both.append(d)
        else:
            groups[f[0]].append(d)
    used: dict[int, set[Link]] = {c: set(subtree_for(src, parents, g)) for c, g in groups.items()}
    # destinations fitting both go where they add the fewest links (farthest first, ties -> class 0)
    for d in sorted(both, key=lambda p: (-len(root_path(parents, src, p)), p)):
        path = root_path(parents, src, d)
        cost = {c: sum(1 for l in path if l not in used[c]) for c in (SOUTH_LAST, NORTH_LAST)}
        cls = min(cost, key=lambda c: (cost[c], c))
        groups[cls].append(d)
        used[cls].update(path)
    return [
        make_copy(src, subtree_for(src, parents, g), g, cls) for cls, g in sorted(groups.items()) if g
    ]


def assign_vc(route: Route) -> Route:
    """Classes for every copy of one route (split where needed; non-fitting copies stay unassigned)."""
    copies: list[Copy] = []
    for c in route.copies:
        copies.extend(split_copy(route.src, c))
    return route.with_copies(copies)


def dependency_edges(links: Iterable[Link]) -> list[tuple[Link, Link]]:
    """Channel dependencies of one tree: each link -> each of its child links."""
    links = list(links)
    kids = children_map(links)
    return [((a, b), (b, c)) for a, b in links for c in kids.get(b, ())]


def channel_dependency_graph(copies: Iterable[Copy]) -> nx.DiGraph:
    g = nx.DiGraph()
    for c in copies:
        g.add_nodes_from(c.links)
        g.add_edges_from(dependency_edges(c.links))
    return g


def find_cycle(copies: Iterable[Copy]) -> list[Link] | None:
    """A cycle of the channel dependency graph of `copies` (all taken as one class), or None."""
    g = channel_dependency_graph(copies)
    try:
        edges = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return None
    return [u for u, _ in edges]


def deadlock_cycles(routes: Iterable[Route]) -> dict[int, list[Link]]:
    """Per VC class, a channel dependency cycle among the routes' copies (empty dict = deadlock-free)."""
    by_class: dict[int, list[Copy]] = {}
    for r in routes:
        for c in r.copies:
            by_class.setdefault(c.vc, []).append(c)
    out = {}
    for cls in sorted(by_class):
        cyc = find_cycle(by_class[cls])
        if cyc:
            out[cls] = cyc
    return out


def fmt_cycle(cycle: Sequence[Link]) -> str:
    return ", ".join(fmt_link(l) for l in cycle)


def assign_vc_classes(routes: Sequence[Route], names: Sequence[str] | None = None) -> list[Route]:
    """VC classes for a whole set of routes so that every class is deadlock-free.

    Turn-model-compliant copies are classed (and split) by `assign_vc`; the others are put, in
    order, into the first class whose dependency graph stays acyclic. FocusError naming the
    message and the cycle if none does.
    """
    names = list(names) if names is not None else [f"route {i}" for i in range(len(routes))]
    classed = [assign_vc(r) for r in routes]
    graphs = {cls: nx.DiGraph() for cls in range(VC_CLASSES)}
    for r in classed:
        for c in r.copies:
            if c.vc != UNASSIGNED_VC:
                graphs[c.vc].add_edges_from(dependency_edges(c.links))
    out: list[Route] = []
    for name, r in zip(names, classed):
        copies = []
        for c in r.copies:
            if c.vc == UNASSIGNED_VC:
                c = _place_checked(name, c, graphs)
            copies.append(c)
        out.append(r.with_copies(copies))
    return out


def _place_checked(name: str, copy: Copy, graphs: dict[int, nx.DiGraph]) -> Copy:
    cycles: dict[int, list[Link]] = {}
    for cls in range(VC_CLASSES):
        g = graphs[cls]
        added = []
        cycle = None
        for u, v in dependency_edges(copy.links):
            if g.has_edge(u, v):
                continue
            if u == v or (v in g and u in g and nx.has_path(g, v, u)):
                cycle = nx.shortest_path(g, v, u) if u != v else [u]
                break
            g.add_edge(u, v)
            added.append((u, v))
        if cycle is None:
            return Copy(copy.links, copy.dsts, cls)
        g.remove_edges_from(added)
        cycles[cls] = _rotate(cycle)
    cls, cyc = min(cycles.items(), key=lambda kv: (len(kv[1]), kv[0]))
    raise FocusError(
        f"{name}: route could deadlock, channel dependency cycle {fmt_cycle(cyc)} "
        f"(in VC class {cls}; every class has one), choose waypoints that avoid it"
    )


def _rotate(cycle: list[Link]) -> list[Link]:
    """Start a cycle at its smallest link (stable messages)."""
    i = cycle.index(min(cycle))
    return cycle[i:] + cycle[:i]

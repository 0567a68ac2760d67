"""Routes as rooted trees of unit mesh links; validation and the inverse analysis.

A `Route` is what a message gets: one or more `Copy`s, each one packet per transfer, each a tree of
directed unit links rooted at the source, on one VC class. A multicast tree is one copy; the original
FOCUS "star" is one XY copy per destination; a tree that fits no single VC class is split in two copies
(see `passes.routing.deadlock`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from passes.routing.mesh import Coord, Link, Mesh, fmt_link, fmt_pe, is_unit_link

UNASSIGNED_VC = -1


@dataclass(frozen=True)
class Copy:
    """One packet's route: a tree of links (canonical order) reaching `dsts`, on VC class `vc`."""

    links: tuple[Link, ...]
    dsts: tuple[Coord, ...]
    vc: int = UNASSIGNED_VC


@dataclass(frozen=True)
class Route:
    """The route of one message from `src` to `dsts`.

    kind: "tree" (one multicast tree, possibly split in several copies for deadlock freedom),
    "star" (one unicast XY copy per destination, the original FOCUS behaviour) or "path" (user waypoints).
    """

    src: Coord
    dsts: tuple[Coord, ...]
    copies: tuple[Copy, ...]
    kind: str = "tree"
    algorithm: str = ""
    minimal: bool = False  # every destination reached by a shortest path (in every copy)

    @property
    def links(self) -> tuple[Link, ...]:
        """Union of the copies' links (a tree for every algorithm here), canonical order."""
        seen: dict[Link, None] = {}
        for c in self.copies:
            for l in c.links:
                seen.setdefault(l, None)
        return canonical_links(self.src, seen)

    @property
    def link_count(self) -> int:
        return len(self.links)

    def traversals(self) -> int:
        """Links crossed by one transfer, counting every copy (flit-hops per flit)."""
        return sum(len(c.links) for c in self.copies)

    def with_copies(self, copies: Sequence[Copy]) -> Route:
        return replace(self, copies=tuple(copies))


class TreeError(ValueError):
    """A route that is not a tree inside the mesh (message = the precise reason)."""


@dataclass
class TreeInfo:
    parent: dict[Coord, Coord]
    children: dict[Coord, list[Coord]] = field(default_factory=dict)
    depth: dict[Coord, int] = field(default_factory=dict)

    @property
    def nodes(self) -> list[Coord]:
        return list(self.depth)

    @property
    def leaves(self) -> list[Coord]:
        return sorted(n for n in self.depth if not self.children.get(n) and n in self.parent)


def analyze_tree(mesh: Mesh, src: Coord, links: Iterable[Link]) -> TreeInfo:
    """Check that `links` form a tree of unit links inside `mesh` rooted at `src` (TreeError if not)."""
    if not mesh.contains(src):
        raise TreeError(f"source {fmt_pe(src)} is outside the {mesh} mesh")
    parent: dict[Coord, Coord] = {}
    seen: set[Link] = set()
    for link in links:
        a, b = link
        if not is_unit_link(link):
            raise TreeError(f"link {fmt_link(link)} does not join neighbouring PEs")
        for pe in (a, b):
            if not mesh.contains(pe):
                raise TreeError(f"route leaves the {mesh} mesh: link {fmt_link(link)}")
        if link in seen:
            raise TreeError(f"route uses link {fmt_link(link)} twice")
        seen.add(link)
        if b == src:
            raise TreeError(f"route is not a tree: link {fmt_link(link)} enters the source")
        if b in parent:
            raise TreeError(
                f"route is not a tree: {fmt_pe(b)} is entered twice "
                f"(from {fmt_pe(parent[b])} and {fmt_pe(a)})"
            )
        parent[b] = a
    children: dict[Coord, list[Coord]] = defaultdict(list)
    for b, a in parent.items():
        children[a].append(b)
    depth = {src: 0}
    stack = [src]
    while stack:
        n = stack.pop()
        for c in children.get(n, ()):
            depth[c] = depth[n] + 1
            stack.append(c)
    if len(depth) != len(parent) + 1:
        stray = min(b for b in parent if b not in depth)
        raise TreeError(
            f"route is not a tree: link {fmt_link((parent[stray], stray))} is not connected to "
            f"the source {fmt_pe(src)}"
        )
    return TreeInfo(parent=parent, children={k: sorted(v) for k, v in children.items()}, depth=depth)


def reached_pes(mesh: Mesh, src: Coord, links: Iterable[Link], dsts: Iterable[Coord] = ()) -> list[Coord]:
    """PEs a route delivers to: its leaves plus the declared destinations it passes through."""
    info = analyze_tree(mesh, src, links)
    on_tree = set(info.depth) - {src}
    return sorted(set(info.leaves) | (set(dsts) & on_tree))


def route_error(mesh: Mesh, src: Coord, links: Iterable[Link], dsts: Iterable[Coord]) -> str | None:
    """None if `links` is a tree from `src` reaching exactly `dsts`, else a one-line reason."""
    dst_set = set(dsts)
    try:
        info = analyze_tree(mesh, src, list(links))
    except TreeError as err:
        return str(err)
    for d in sorted(dst_set):
        if not mesh.contains(d):
            return f"destination {fmt_pe(d)} is outside the {mesh} mesh"
        if d == src:
            return f"destination {fmt_pe(d)} is the source"
        if d not in info.depth:
            return f"route misses destination {fmt_pe(d)}"
    extra = [leaf for leaf in info.leaves if leaf not in dst_set]
    if extra:
        return f"route reaches extra PE {fmt_pe(extra[0])} (a leaf that is not a destination)"
    return None


def canonical_links(src: Coord, links: Iterable[Link]) -> tuple[Link, ...]:
    """Links in breadth-first order from `src`, children sorted by (x, y); others appended sorted."""
    out_edges: dict[Coord, list[Coord]] = defaultdict(list)
    all_links = list(links)
    for a, b in all_links:
        out_edges[a].append(b)
    order: list[Link] = []
    seen: set[Link] = set()
    frontier = [src]
    visited = {src}
    while frontier:
        nxt = []
        for n in frontier:
            for c in sorted(out_edges.get(n, ())):
                if (n, c) not in seen:
                    seen.add((n, c))
                    order.append((n, c))
                if c not in visited:
                    visited.add(c)
                    nxt.append(c)
        frontier = nxt
    order.extend(sorted(l for l in set(all_links) if l not in seen))
    return tuple(order)


def children_map(links: Iterable[Link]) -> dict[Coord, list[Coord]]:
    out: dict[Coord, list[Coord]] = defaultdict(list)
    for a, b in links:
        out[a].append(b)
    return out


def parent_map(links: Iterable[Link]) -> dict[Coord, Coord]:
    return {b: a for a, b in links}


def root_path(parents: dict[Coord, Coord], src: Coord, node: Coord) -> list[Link]:
    """Links from `src` to `node` in a tree given as a parent map."""
    path: list[Link] = []
    while node != src:
        p = parents[node]
        path.append((p, node))
        node = p
    path.reverse()
    return path


def prune(src: Coord, links: Iterable[Link], keep: Iterable[Coord]) -> list[Link]:
    """Repeatedly drop leaves that are not in `keep` (fixes the original's PE-0 dest_pruner bug:
    the root is recognised by identity, not by truthiness)."""
    keep_set = set(keep)
    kids: dict[Coord, int] = defaultdict(int)
    parents: dict[Coord, Coord] = {}  # insertion order = link order
    for a, b in links:
        kids[a] += 1
        parents[b] = a
    stack = [n for n in parents if kids[n] == 0 and n not in keep_set]
    removed: set[Coord] = set()
    while stack:
        n = stack.pop()
        if n in removed or n == src:
            continue
        removed.add(n)
        p = parents[n]
        kids[p] -= 1
        if kids[p] == 0 and p not in keep_set and p != src:
            stack.append(p)
    return [(parents[b], b) for b in parents if b not in removed]


def subtree_for(src: Coord, parents: dict[Coord, Coord], dsts: Iterable[Coord]) -> list[Link]:
    """Union of the root paths to `dsts` in a tree given as a parent map."""
    links: dict[Link, None] = {}
    for d in sorted(dsts):
        for l in root_path(parents, src, d):
            links.setdefault(l, None)
    return list(links)


def make_copy(src: Coord, links: Iterable[Link], dsts: Iterable[Coord], vc: int = UNASSIGNED_VC) -> Copy:
    return Copy(links=canonical_links(src, links), dsts=tuple(sorted(set(dsts))), vc=vc)


def is_minimal(src: Coord, links: Iterable[Link], dsts: Iterable[Coord]) -> bool:
    """Every destination is reached by a shortest path (tree depth == Manhattan distance)."""
    parents = parent_map(links)
    for d in dsts:
        hops = 0
        n = d
        while n != src:
            n = parents[n]
            hops += 1
        if hops != abs(d[0] - src[0]) + abs(d[1] - src[1]):
            return False
    return True

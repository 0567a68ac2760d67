"""Unicast and multicast routing algorithms on a 2-D mesh.

Every function returns a `Route` whose copies are trees of unit links rooted at the source that reach
exactly the destinations (non-destination leaves pruned), carry a VC class (`deadlock.assign_vc`)
and use each directed link at most once per copy.

Minimal (every destination reached by a shortest path): xy, yx, adaptive (unicast); xy, yx, star,
rpm, bam, whirl (multicast); steiner with minimal=True. The plain greedy steiner is not minimal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from focus_tools.errors import FocusError
from passes.routing.deadlock import assign_vc, fitting_classes
from passes.routing.mesh import (
    Coord,
    Link,
    Mesh,
    check_dsts,
    manhattan,
    path_links,
    xy_nodes,
    yx_nodes,
)
from passes.routing.trees import Route, is_minimal, make_copy, prune, root_path

LinkLoad = Mapping[Link, float]


def _tree_route(src: Coord, dsts: Sequence[Coord], links, algorithm: str, minimal: bool) -> Route:
    route = Route(
        src=src,
        dsts=tuple(dsts),
        copies=(make_copy(src, links, dsts),),
        kind="tree",
        algorithm=algorithm,
        minimal=minimal,
    )
    return assign_vc(route)


def _union_of_paths(src: Coord, dsts: Sequence[Coord], walk: Callable[[Coord, Coord], list[Coord]]):
    links: dict[Link, None] = {}
    for d in dsts:
        for l in path_links(walk(src, d)):
            links.setdefault(l, None)
    return list(links)


# ---------------------------------------------------------------- unicast / dimension-order trees


def xy_tree(mesh: Mesh, src: Coord, dsts: Sequence[Coord]) -> Route:
    """Union of the XY paths: one packet, a tree (paths share the source row, then their column)."""
    dsts = check_dsts(mesh, src, dsts)
    return _tree_route(src, dsts, _union_of_paths(src, dsts, xy_nodes), "xy", True)


def yx_tree(mesh: Mesh, src: Coord, dsts: Sequence[Coord]) -> Route:
    dsts = check_dsts(mesh, src, dsts)
    return _tree_route(src, dsts, _union_of_paths(src, dsts, yx_nodes), "yx", True)


def adaptive(mesh: Mesh, src: Coord, dst: Coord, load: LinkLoad | None = None) -> Route:
    """Minimal unicast path with the least-loaded links: smallest maximum link load, then smallest
    total load; ties prefer the x step first (so an idle network gives the XY path)."""
    (dst,) = check_dsts(mesh, src, [dst])
    load = load or {}
    sx = (dst[0] > src[0]) - (dst[0] < src[0])
    sy = (dst[1] > src[1]) - (dst[1] < src[1])

    def moves(n: Coord) -> list[Coord]:
        out = []
        if n[0] != dst[0]:
            out.append((n[0] + sx, n[1]))
        if n[1] != dst[1]:
            out.append((n[0], n[1] + sy))
        return out

    # nodes of the src-dst rectangle, processed from dst backwards
    xs = range(dst[0], src[0] - sx, -sx) if sx else [src[0]]
    ys = range(dst[1], src[1] - sy, -sy) if sy else [src[1]]
    order = [(x, y) for x in xs for y in ys]
    order.sort(key=lambda n: manhattan(n, dst))
    inf = float("inf")
    bottleneck = {dst: -inf}
    for n in order[1:]:
        bottleneck[n] = min(max(load.get((n, m), 0.0), bottleneck[m]) for m in moves(n))
    limit = bottleneck[src]
    total = {dst: 0.0}
    for n in order[1:]:
        total[n] = min(
            (load.get((n, m), 0.0) + total[m] for m in moves(n) if load.get((n, m), 0.0) <= limit),
            default=inf,
        )
    nodes = [src]
    n = src
    while n != dst:
        best = None
        for m in moves(n):  # x step first
            w = load.get((n, m), 0.0)
            if w <= limit and total[m] < inf and (best is None or w + total[m] < best[0]):
                best = (w + total[m], m)
        n = best[1]
        nodes.append(n)
    return _tree_route(src, [dst], path_links(nodes), "adaptive", True)


# ---------------------------------------------------------------- multicast


def star(mesh: Mesh, src: Coord, dsts: Sequence[Coord]) -> Route:
    """The original FOCUS behaviour: one separate XY unicast copy per destination."""
    dsts = check_dsts(mesh, src, dsts)
    links = [path_links(xy_nodes(src, d)) for d in dsts]
    # XY paths fit both classes: one class for all copies (1 if any goes south), so one IR message
    vc = 1 if any(b[1] > a[1] for path in links for a, b in path) else 0
    copies = tuple(make_copy(src, path, [d], vc) for path, d in zip(links, dsts))
    return Route(src=src, dsts=dsts, copies=copies, kind="star", algorithm="star", minimal=True)


# Recursive Partitioning Multicast (Wang et al., NOCS 2009). Around the current node the remaining
# destinations fall into 8 parts: the 4 axis parts (N, S, W, E: same column or row) go straight; each
# quadrant goes vertically or horizontally so that branches are shared and replication is deferred.
_QUADRANTS = ("NE", "NW", "SW", "SE")
_QUADRANT_PORTS = {"NE": ("N", "E"), "NW": ("N", "W"), "SW": ("S", "W"), "SE": ("S", "E")}
_PORT_STEP = {"N": (0, -1), "S": (0, 1), "W": (-1, 0), "E": (1, 0)}


def _parts(node: Coord, dsts: Sequence[Coord]) -> dict[str, list[Coord]]:
    parts: dict[str, list[Coord]] = {k: [] for k in ("N", "S", "W", "E", "NE", "NW", "SW", "SE")}
    for d in dsts:
        ns = "N" if d[1] < node[1] else "S" if d[1] > node[1] else ""
        we = "W" if d[0] < node[0] else "E" if d[0] > node[0] else ""
        parts[ns + we].append(d)
    return parts


def _rpm_vertical(q: str, p: dict[str, list[Coord]]) -> bool:
    """RPM rules: does quadrant q go through its vertical port?"""
    if q == "NE":
        return bool(p["N"] or p["NW"] or not p["E"])
    if q == "NW":
        return bool(p["NE"] or (p["N"] and not p["W"]))
    if q == "SW":
        return bool(p["S"] or p["SE"] or not p["W"])
    return bool(p["SW"] or (p["S"] and not p["E"]))  # SE


def _partition_tree(src: Coord, dsts: Sequence[Coord], vertical: Callable[[Coord, str, dict], bool]):
    links: list[Link] = []
    stack = [(src, list(dsts))]
    while stack:
        node, remaining = stack.pop()
        remaining = [d for d in remaining if d != node]
        if not remaining:
            continue
        parts = _parts(node, remaining)
        ports: dict[str, list[Coord]] = {k: list(parts[k]) for k in ("N", "S", "W", "E")}
        for q in _QUADRANTS:
            if parts[q]:
                v, h = _QUADRANT_PORTS[q]
                ports[v if vertical(node, q, parts) else h].extend(parts[q])
        for port in ("N", "S", "W", "E"):
            if ports[port]:
                step = _PORT_STEP[port]
                nxt = (node[0] + step[0], node[1] + step[1])
                links.append((node, nxt))
                stack.append((nxt, ports[port]))
    return links


def rpm(mesh: Mesh, src: Coord, dsts: Sequence[Coord]) -> Route:
    """Recursive Partitioning Multicast: a minimal tree grown one hop at a time."""
    dsts = check_dsts(mesh, src, dsts)
    links = _partition_tree(src, dsts, lambda node, q, parts: _rpm_vertical(q, parts))
    return _tree_route(src, dsts, links, "rpm", True)


def bam(mesh: Mesh, src: Coord, dsts: Sequence[Coord], load: LinkLoad | None = None) -> Route:
    """Balanced Adaptive Multicast: as RPM, but a quadrant whose two ports are both (or neither)
    needed by the axis parts takes the less-loaded port (ties: vertical). The original drew random
    "congestion bits" here (and mistyped the unused W formula); this uses the link loads given."""
    dsts = check_dsts(mesh, src, dsts)
    load = load or {}

    def vertical(node: Coord, q: str, parts: dict) -> bool:
        v, h = _QUADRANT_PORTS[q]
        if bool(parts[v]) != bool(parts[h]):
            return bool(parts[v])
        step_v, step_h = _PORT_STEP[v], _PORT_STEP[h]
        load_v = load.get((node, (node[0] + step_v[0], node[1] + step_v[1])), 0.0)
        load_h = load.get((node, (node[0] + step_h[0], node[1] + step_h[1])), 0.0)
        return load_v <= load_h

    return _tree_route(src, dsts, _partition_tree(src, dsts, vertical), "bam", True)


_WHIRL_STEPS = ((0, 1), (1, 0), (0, -1), (-1, 0))  # trunks S, E, N, W


def whirl_links(mesh: Mesh, src: Coord, pattern: int) -> list[Link]:
    """The Whirl broadcast tree for a 4-bit pattern: bit i lets trunk i spawn left-turn branches;
    trunk i spawns right-turn branches iff bit i-1 is clear, so every quadrant is covered once."""
    links: list[Link] = []
    for i, step in enumerate(_WHIRL_STEPS):
        left = bool(pattern >> i & 1)
        right = not (pattern >> ((i + 3) % 4) & 1)
        node = src
        while True:
            nxt = (node[0] + step[0], node[1] + step[1])
            if not mesh.contains(nxt):
                break
            links.append((node, nxt))
            for turn, on in (((i + 1) % 4, left), ((i + 3) % 4, right)):
                if not on:
                    continue
                b_step = _WHIRL_STEPS[turn]
                a = nxt
                while mesh.contains((a[0] + b_step[0], a[1] + b_step[1])):
                    b = (a[0] + b_step[0], a[1] + b_step[1])
                    links.append((a, b))
                    a = b
            node = nxt
    return links


# quadrant (sign dx, sign dy) -> the trunk on its clockwise side (SE: S, NE: E, NW: N, SW: W)
_QUADRANT_TRUNK = {(1, 1): 0, (1, -1): 1, (-1, -1): 2, (-1, 1): 3}


def _whirl_trunks(src: Coord, dsts: Sequence[Coord], pattern: int) -> tuple[int, ...]:
    """Per destination, the trunk that reaches it in the Whirl tree of `pattern` (-1: on an axis). The
    quadrant between trunk i and trunk i+1 hangs off trunk i (left turns) if bit i is set, else off i+1."""
    out = []
    for d in dsts:
        dx, dy = d[0] - src[0], d[1] - src[1]
        if dx == 0 or dy == 0:
            out.append(-1)
            continue
        i = _QUADRANT_TRUNK[((dx > 0) - (dx < 0), (dy > 0) - (dy < 0))]
        out.append(i if pattern >> i & 1 else (i + 1) % 4)
    return tuple(out)


def _whirl_tree(src: Coord, dsts: Sequence[Coord], trunks: Sequence[int]) -> list[Link]:
    """The Whirl broadcast tree pruned to `dsts`: the union of the tree paths, each along its trunk (the
    vertical trunks S/N give a YX path, the horizontal ones an XY path), then straight to the destination."""
    links: dict[Link, None] = {}
    for d, trunk in zip(dsts, trunks):
        nodes = yx_nodes(src, d) if trunk in (0, 2) else xy_nodes(src, d)
        for l in path_links(nodes):
            links.setdefault(l, None)
    return list(links)


def whirl(mesh: Mesh, src: Coord, dsts: Sequence[Coord], pattern: int | None = None) -> Route:
    """Whirl multicast: the broadcast tree of `pattern` (0..15, `whirl_links`) pruned to the destinations.

    pattern None: the pattern giving the fewest links (ties: the lowest pattern), deterministic.
    """
    dsts = check_dsts(mesh, src, dsts)
    if pattern is not None and pattern not in range(16):
        raise FocusError(f"whirl pattern {pattern}: must be in 0..15")
    patterns = [pattern] if pattern is not None else list(range(16))
    best = None
    tried: set[tuple[int, ...]] = set()
    for p in patterns:
        trunks = _whirl_trunks(src, dsts, p)
        if trunks in tried:  # the same tree as a lower pattern
            continue
        tried.add(trunks)
        links = _whirl_tree(src, dsts, trunks)
        if best is None or len(links) < len(best):
            best = links
    return _tree_route(src, dsts, best, "whirl", True)


def whirl_patterns(mesh: Mesh, src: Coord, dsts: Sequence[Coord]) -> list[Route]:
    """The distinct Whirl trees over all 16 patterns (lowest pattern first)."""
    dsts = check_dsts(mesh, src, dsts)
    out = []
    tried: set[tuple[int, ...]] = set()
    for p in range(16):
        trunks = _whirl_trunks(src, dsts, p)
        if trunks not in tried:
            tried.add(trunks)
            out.append(_tree_route(src, dsts, _whirl_tree(src, dsts, trunks), "whirl", True))
    return out


# ---------------------------------------------------------------- greedy rectilinear Steiner


def _l_paths(a: Coord, b: Coord) -> list[list[Coord]]:
    xy, yx = xy_nodes(a, b), yx_nodes(a, b)
    return [xy] if xy == yx else [xy, yx]


def attach_options(
    tree_parent: dict[Coord, Coord],
    tree_nodes: set[Coord],
    src: Coord,
    dst: Coord,
    anchors: Sequence[Coord],
    minimal: bool,
) -> list[list[Link]]:
    """Ways to attach `dst` to the tree with an L-shaped path from one of `anchors`: the new links
    (starting at the last tree node the L passes), keeping every root path within one VC class."""
    out = []
    for t in anchors:
        for nodes in _l_paths(t, dst):
            last = max(i for i, n in enumerate(nodes) if n in tree_nodes)
            new = path_links(nodes[last:])
            path = root_path(tree_parent, src, nodes[last]) + new
            if minimal and len(path) != manhattan(src, dst):
                continue
            if fitting_classes(path):
                out.append(new)
    return out


def steiner(mesh: Mesh, src: Coord, dsts: Sequence[Coord], minimal: bool = False) -> Route:
    """Greedy rectilinear Steiner tree: repeatedly join the destination nearest to the tree with an
    L-shaped path (XY or YX, whichever adds fewer links; ties XY) from its nearest tree node.

    minimal=True only attaches through tree nodes on a shortest source->destination path (a greedy
    rectilinear Steiner arborescence). Deterministic: ties broken by coordinates.
    """
    dsts = check_dsts(mesh, src, dsts)
    parent: dict[Coord, Coord] = {}
    nodes = {src}
    links: list[Link] = []
    remaining = set(dsts)
    fallback: list[Coord] = []

    def anchor_ok(t: Coord, d: Coord) -> bool:
        return not minimal or manhattan(src, t) + manhattan(t, d) == manhattan(src, d)

    near = {d: (manhattan(src, d), src) for d in remaining}  # nearest usable tree node per destination
    while remaining:
        d = min(remaining, key=lambda k: (near[k][0], k))
        opts = attach_options(parent, nodes, src, d, [near[d][1]], minimal)
        if not opts:  # rare: try every (destination, anchor) pair, nearest first
            pairs = sorted((manhattan(t, k), k, t) for k in remaining for t in nodes if anchor_ok(t, k))
            for _, k, t in pairs:
                opts = attach_options(parent, nodes, src, k, [t], minimal)
                if opts:
                    d = k
                    break
        if not opts:  # no L keeps the route deadlock-safe: route it alone in its own copy
            d = min(remaining)
            fallback.append(d)
            remaining.discard(d)
            continue
        added = []
        for a, b in min(opts, key=len):
            parent[b] = a
            nodes.add(b)
            links.append((a, b))
            added.append(b)
        remaining -= nodes
        for k in remaining:
            for t in added:
                if anchor_ok(t, k) and (manhattan(t, k), t) < near[k]:
                    near[k] = (manhattan(t, k), t)
    tree_dsts = [d for d in dsts if d not in fallback]
    copies = []
    if tree_dsts:
        copies.append(make_copy(src, prune(src, links, tree_dsts), tree_dsts))
    for d in fallback:
        copies.append(make_copy(src, path_links(xy_nodes(src, d)), [d]))
    name = "steiner-min" if minimal else "steiner"
    route = Route(src=src, dsts=dsts, copies=tuple(copies), kind="tree", algorithm=name)
    route = Route(
        src=src,
        dsts=dsts,
        copies=route.copies,
        kind="tree",
        algorithm=name,
        minimal=all(is_minimal(src, c.links, c.dsts) for c in route.copies),
    )
    return assign_vc(route)


# ---------------------------------------------------------------- dispatch

UNICAST = ("xy", "yx", "adaptive")
MULTICAST = ("xy", "yx", "star", "rpm", "bam", "whirl", "steiner", "steiner-min")
MINIMAL = {"xy", "yx", "adaptive", "star", "rpm", "bam", "whirl", "steiner-min"}


def route_message(
    mesh: Mesh,
    src: Coord,
    dsts: Sequence[Coord],
    unicast: str = "xy",
    multicast: str = "rpm",
    load: LinkLoad | None = None,
) -> Route:
    """Route one message: `unicast` for a single destination, `multicast` otherwise."""
    dsts = check_dsts(mesh, src, dsts)
    if unicast not in UNICAST:
        raise FocusError(f"unicast={unicast}: unknown algorithm, valid: {', '.join(UNICAST)}")
    if multicast not in MULTICAST:
        raise FocusError(f"multicast={multicast}: unknown algorithm, valid: {', '.join(MULTICAST)}")
    if len(dsts) == 1:
        if unicast == "adaptive":
            return adaptive(mesh, src, dsts[0], load)
        return (xy_tree if unicast == "xy" else yx_tree)(mesh, src, dsts)
    return multicast_route(mesh, src, dsts, multicast, load)


def multicast_route(
    mesh: Mesh, src: Coord, dsts: Sequence[Coord], algorithm: str, load: LinkLoad | None = None
) -> Route:
    if algorithm == "xy":
        return xy_tree(mesh, src, dsts)
    if algorithm == "yx":
        return yx_tree(mesh, src, dsts)
    if algorithm == "star":
        return star(mesh, src, dsts)
    if algorithm == "rpm":
        return rpm(mesh, src, dsts)
    if algorithm == "bam":
        return bam(mesh, src, dsts, load)
    if algorithm == "whirl":
        return whirl(mesh, src, dsts)
    if algorithm == "steiner":
        return steiner(mesh, src, dsts)
    if algorithm == "steiner-min":
        return steiner(mesh, src, dsts, minimal=True)
    raise FocusError(f"multicast={algorithm}: unknown algorithm, valid: {', '.join(MULTICAST)}")

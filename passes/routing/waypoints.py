"""User-directed routes: src -> w1 -> ... -> wk (XY between consecutive points), then XY to the
destinations. Honoured exactly: a route that would revisit a PE or end on a waypoint that is not a
destination is a FocusError, never silently changed."""

from __future__ import annotations

from collections.abc import Sequence

from focus_tools.errors import FocusError
from passes.routing.deadlock import assign_vc
from passes.routing.mesh import Coord, Link, Mesh, check_dsts, fmt_pe, path_links, xy_nodes
from passes.routing.trees import Route, TreeError, analyze_tree, is_minimal, make_copy


def waypoint_route(mesh: Mesh, src: Coord, dsts: Sequence[Coord], waypoints: Sequence[Coord]) -> Route:
    """The route through `waypoints` in order, then an XY tree from the last one to every
    destination not already passed. VC class: a turn-model class if the route fits one, else left
    unassigned for `deadlock.assign_vc_classes` (which checks it against the other routes)."""
    dsts = check_dsts(mesh, src, dsts)
    chain = [src]
    for w in waypoints:
        mesh.check_pe(tuple(w), "waypoint")
        for n in xy_nodes(chain[-1], tuple(w))[1:]:
            if n in chain:
                raise FocusError(
                    f"waypoints {', '.join(fmt_pe(tuple(p)) for p in waypoints)}: the route from "
                    f"{fmt_pe(src)} revisits PE {fmt_pe(n)}, a route must be a tree"
                )
            chain.append(n)
    links: list[Link] = path_links(chain)
    on_chain = set(chain)
    parent = {b: a for a, b in links}
    for d in dsts:
        if d in on_chain:
            continue
        for a, b in path_links(xy_nodes(chain[-1], d)):
            if b in parent:
                if parent[b] != a:
                    raise FocusError(
                        f"waypoints {', '.join(fmt_pe(tuple(p)) for p in waypoints)}: the XY path from "
                        f"{fmt_pe(chain[-1])} to {fmt_pe(d)} re-enters PE {fmt_pe(b)}, a route must be a tree"
                    )
                continue
            if b == src:
                raise FocusError(
                    f"waypoints {', '.join(fmt_pe(tuple(p)) for p in waypoints)}: the XY path from "
                    f"{fmt_pe(chain[-1])} to {fmt_pe(d)} re-enters the source {fmt_pe(src)}"
                )
            parent[b] = a
            links.append((a, b))
    try:
        info = analyze_tree(mesh, src, links)
    except TreeError as err:  # defensive: the checks above should have caught it
        raise FocusError(f"waypoints: {err}") from None
    extra = [leaf for leaf in info.leaves if leaf not in set(dsts)]
    if extra:
        raise FocusError(
            f"waypoint {fmt_pe(extra[0])}: the route ends there but it is not a destination, "
            f"the last waypoint must lead to a destination"
        )
    route = Route(
        src=src,
        dsts=dsts,
        copies=(make_copy(src, links, dsts),),
        kind="path",
        algorithm="waypoints",
        minimal=is_minimal(src, links, dsts),
    )
    return assign_vc(route)

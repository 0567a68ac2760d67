"""Routing on a W x H mesh: algorithms, deadlock freedom, contention model, route search.

Coordinates are (x, y): x = column 0..W-1 (west -> east), y = row 0..H-1 (north -> south).
A route (`trees.Route`) is one or more copies; each copy is one packet per transfer and a rooted tree
of directed unit links from the source that reaches exactly its destinations, uses every link once
and carries a VC class.

Algorithms (`algorithms`): unicast xy, yx, adaptive (least-loaded minimal path, decided at compile
time); multicast xy / yx (one tree: the union of the dimension-order paths), star (the original FOCUS:
one XY copy per destination), rpm, bam, whirl, steiner (greedy, not minimal), steiner-min (greedy
Steiner arborescence). Minimal (every destination reached by a shortest path): xy, yx, adaptive, star,
rpm, bam, whirl, steiner-min. User waypoints: `waypoints.waypoint_route`.

VC-class contract (the simulator splits each link's VCs evenly between the classes):
* every copy has a class in {0, 1} and only uses VCs of that class on every link of its tree;
* class 0 = south-last turn model (no S->E, S->W turns), class 1 = north-last (no N->E, N->W);
  no class allows 180-degree turns. Each class's channel dependency graph is then acyclic;
* every XY route fits both, every minimal route fits at least one; a tree that fits neither is split
  by destination into at most two copies (one per class), each a subtree of the original tree;
* a route that fits no class (user waypoints) is accepted only into a class whose channel dependency
  graph stays acyclic (`deadlock.assign_vc_classes`), else FocusError naming the cycle;
* multicast branches: the check covers link -> child-link dependencies; the simulator must not let a
  branching packet hold some outputs while it waits indefinitely for another (give each branch room
  for the whole packet before replicating, i.e. virtual cut-through at branch points). Plain
  synchronous wormhole tree replication can deadlock even with XY trees (Lin, McKinley & Ni 1994).

Analysis: `contention.contention_schedule` (analytic makespan with link contention; a numba kernel,
`schedule_kernel`), `link_loads`, `max_link_load`, `flit_hops`; `trees.route_error` / `trees.reached_pes`
(the inverse analysis used by routed-message-check); `search.search_routes` (anneal / evolve over routes
and priorities, incremental evaluation, budget scaled to the problem size by default).
"""

from passes.routing.algorithms import MINIMAL, MULTICAST, UNICAST, multicast_route, route_message
from passes.routing.contention import (
    Message,
    Schedule,
    contention_schedule,
    flit_hops,
    link_loads,
    max_link_load,
)
from passes.routing.deadlock import VC_CLASSES, assign_vc, assign_vc_classes, deadlock_cycles, find_cycle
from passes.routing.mesh import Coord, Link, Mesh, fmt_link, fmt_pe
from passes.routing.search import METHODS, SearchResult, candidate_routes, search_routes
from passes.routing.trees import Copy, Route, TreeError, analyze_tree, reached_pes, route_error
from passes.routing.waypoints import waypoint_route

__all__ = [
    "METHODS",
    "MINIMAL",
    "MULTICAST",
    "UNICAST",
    "VC_CLASSES",
    "Coord",
    "Copy",
    "Link",
    "Mesh",
    "Message",
    "Route",
    "Schedule",
    "SearchResult",
    "TreeError",
    "analyze_tree",
    "assign_vc",
    "assign_vc_classes",
    "candidate_routes",
    "contention_schedule",
    "deadlock_cycles",
    "find_cycle",
    "flit_hops",
    "fmt_link",
    "fmt_pe",
    "link_loads",
    "max_link_load",
    "multicast_route",
    "reached_pes",
    "route_error",
    "route_message",
    "search_routes",
    "waypoint_route",
]

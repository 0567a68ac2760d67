"""`routed-message-check{print=false}`: check every routed_message.message route.

A route must be a tree of unit links inside the device mesh, rooted at the message's source, that reaches
exactly the destinations (every leaf is a destination, every destination is on the tree), passes its
waypoints in order, and the routes of each VC class must have an acyclic channel dependency graph.
A violation is a one-line FocusError naming the message (exit code 2). `print=true` writes one line per
message to stdout, `@<name>: <src> -> {<pe>, ...}` (the PEs the route reaches, recovered from the route).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from focus_dialects import routed_message
from focus_dialects.chip import find_device
from focus_tools.errors import FocusError
from passes.routing import Copy, Mesh, Route, deadlock_cycles, fmt_pe, reached_pes, route_error
from passes.routing.deadlock import fmt_cycle
from passes.routing.trees import analyze_tree, parent_map, root_path

WHERE = "routed-message-check"


def waypoint_error(src, links, waypoints) -> str | None:
    """None if the tree passes the waypoints in order (each one below the previous), else a reason."""
    parents = parent_map(links)
    prev = src
    for w in waypoints:
        if w != src and w not in parents:
            return f"route does not pass waypoint {fmt_pe(w)}"
        path_nodes = {a for a, _ in root_path(parents, src, w)} | {w}
        if prev not in path_nodes:
            return f"route passes waypoint {fmt_pe(w)} before waypoint {fmt_pe(prev)}"
        prev = w
    return None


@dataclass(frozen=True)
class RoutedMessageCheckPass(ModulePass):
    """Check (and optionally print) what every routed message reaches."""

    name = "routed-message-check"

    print: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        dev = find_device(op)
        if dev is None:
            raise FocusError(f"{WHERE}: the module has no chip.device op")
        mesh = Mesh(*dev.mesh)
        lines = []
        classed: list[Route] = []
        for m in op.walk():
            if not isinstance(m, routed_message.MessageOp):
                continue
            name = m.sym_name.data
            src, dsts, links = m.src.xy, m.dsts.coords, m.route.links
            err = route_error(mesh, src, links, dsts)
            if err is None and m.waypoints is not None:
                err = waypoint_error(src, links, m.waypoints.coords)
            if err is not None:
                raise FocusError(f"{WHERE}: message @{name}: {err}")
            reached = reached_pes(mesh, src, links, dsts)
            lines.append(f"@{name}: {fmt_pe(src)} -> {{{', '.join(fmt_pe(p) for p in reached)}}}\n")
            vc = m.vc.value.data
            if m.mode.data == "copies":  # one packet per destination along its path in the tree
                parents = analyze_tree(mesh, src, links).parent
                copies = [Copy(tuple(root_path(parents, src, d)), (d,), vc) for d in dsts]
            else:
                copies = [Copy(tuple(links), tuple(dsts), vc)]
            classed.append(Route(src, tuple(dsts), tuple(copies)))
        cycles = deadlock_cycles(classed)
        if cycles:
            vc, cycle = next(iter(cycles.items()))
            raise FocusError(f"{WHERE}: VC {vc} routes can deadlock, channel dependency cycle {fmt_cycle(cycle)}")
        if self.print:
            sys.stdout.write("".join(lines))
            sys.stdout.flush()

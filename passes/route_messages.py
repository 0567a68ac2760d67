"""`route-messages`: placed_subop -> routed_message. One message per inter-PE stream, routed on the mesh.

Thin glue around `passes.routing`. Every stream whose consumers sit on PEs other than its producer's gets a
`routed_message.message` from the producer's PE to those PEs (consumers on the producer's PE read locally):
`flits` = ceil(words x word_bits / flit_bits) of the chip.device (no head-flit inflation), `packets` = the
stream's transfers. Options:
* `unicast` = xy | yx | adaptive (least-loaded minimal path given the messages routed before it);
* `multicast` = rpm | bam | whirl | steiner | steiner-min | xy | yx | star (star: one XY copy per destination,
  `mode "copies"`, the original FOCUS behaviour);
* `search` = none | anneal | evolve: choose routes and priorities against the analytic contention model
  (`seed`, `budget` = cost evaluations, by default scaled to the problem size; deterministic for a seed, with a
  wall-clock safety cap). The
  search sets `priority` (higher = served first in the model; without search every priority is 0).
Messages already in the module that carry `waypoints` are user routes: they are re-derived through their
waypoints exactly (XY between points) and never changed by the search; the other messages are re-routed.
A tree that fits no single VC class is split into two messages `@name` and `@name.part1`, one per class
(see passes/routing/deadlock.py for the VC-class contract); a user route that could deadlock is an error
naming the channel cycle.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from focus_dialects import placed_subop, routed_message, tiled_subop
from focus_dialects.chip import RouteAttr, find_device
from focus_dialects.subop_common import StreamType
from focus_tools.errors import FocusError
from passes.routing import MULTICAST, UNICAST, Mesh, Message, Route, fmt_pe
from passes.routing.algorithms import route_message
from passes.routing.contention import contention_schedule, link_loads
from passes.routing.deadlock import assign_vc_classes
from passes.routing.search import METHODS, SearchResult, search_routes
from passes.routing.waypoints import waypoint_route

WHERE = "route-messages"
SEARCH_TIME_CAP = 300.0  # seconds; a safety net only (the budget is counted in evaluations)


def _int(attr: IntegerAttr) -> int:
    return attr.value.data


@dataclass
class _Entry:
    name: str
    stream: SSAValue
    message: Message
    route: Route
    waypoints: tuple[tuple[int, int], ...] | None = None


def _pe(op: Operation) -> tuple[int, int]:
    return op.pe.xy  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RouteMessagesPass(ModulePass):
    """Give every inter-PE stream a routed_message.message with a deadlock-free route."""

    name = "route-messages"

    unicast: str = "xy"
    multicast: str = "rpm"
    search: str = "none"
    seed: int = 0
    budget: int | None = None  # cost evaluations; None = scaled to the problem size (search.default_budget)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        route_module(op, self.unicast, self.multicast, self.search, self.seed, self.budget)


@dataclass
class RoutingResult:
    """What `route_module` did: the contention-model inputs and the final (VC-classed) routes."""

    mesh: Mesh
    messages: list[Message]  # with their `after` dependencies, as the search saw them
    routes: dict[str, Route]  # message name -> final route (copies carry their VC class)
    priorities: dict[str, int]  # 0 = lowest; all 0 without search
    ir_names: dict[str, list[str]]  # message name -> its routed_message.message op names (a split adds parts)
    link_bandwidth: float  # flits per cycle per link
    search: SearchResult | None = None

    def schedule(self):
        """The analytic contention schedule of the final routes and priorities."""
        return contention_schedule(self.messages, self.routes, self.link_bandwidth, priorities=self.priorities,
                                   keep_links=False)

    def link_loads(self) -> dict:
        return link_loads(self.messages, self.routes)


def route_module(op: ModuleOp, unicast: str = "xy", multicast: str = "rpm", search: str = "none", seed: int = 0,
                 budget: int | None = None) -> RoutingResult | None:
    """Route every inter-PE stream of a placed module in place (what the pass does); None if no stream
    crosses PEs."""
    if unicast not in UNICAST:
        raise FocusError(f"{WHERE}: unicast '{unicast}', expected one of {', '.join(UNICAST)}")
    if multicast not in MULTICAST:
        raise FocusError(f"{WHERE}: multicast '{multicast}', expected one of {', '.join(MULTICAST)}")
    if search not in METHODS:
        raise FocusError(f"{WHERE}: search '{search}', expected one of {', '.join(METHODS)}")
    if budget is not None and budget < 0:
        raise FocusError(f"{WHERE}: budget {budget}, expected a number of evaluations >= 0")
    dev = find_device(op)
    if dev is None:
        raise FocusError(f"{WHERE}: the module has no chip.device op")
    left = [o for o in op.ops if o.dialect_name() == "tiled_subop" and not isinstance(o, tiled_subop.LayerOp)]
    if left:
        raise FocusError(f"{WHERE}: '{left[0].name}' @{left[0].sym_name.data} is not placed; run place-subops first")
    width, height = dev.mesh
    mesh = Mesh(width, height)
    word_bits, flit_bits = _int(dev.word_bits), _int(dev.flit_bits)
    link_bandwidth = _int(dev.link_bits) / flit_bits  # flits per cycle per link

    # user routes (messages with waypoints) survive; every old message goes
    user: dict[SSAValue, list[tuple[tuple, tuple]]] = defaultdict(list)
    for old in [o for o in op.ops if isinstance(o, routed_message.MessageOp)]:
        if old.waypoints is not None:
            user[old.stream].append((tuple(old.dsts.coords), tuple(old.waypoints.coords)))
        Rewriter.erase_op(old)

    producers = [o for o in op.ops if isinstance(o, (placed_subop.SourceOp, placed_subop.WorkerOp))]
    consumer_kinds = (placed_subop.WorkerOp, placed_subop.SinkOp)
    taken = {o.sym_name.data for o in op.ops if hasattr(o, "sym_name")}
    group_size: dict[tuple[str, str], int] = defaultdict(int)
    for p in producers:
        for r in p.results:
            if isinstance(r.type, StreamType):
                group_size[(p.layer.string_value(), r.type.space.data)] += 1
    group_seen: dict[tuple[str, str], int] = defaultdict(int)

    entries: list[_Entry] = []
    load: dict = defaultdict(float)
    delivered_by: dict[tuple[SSAValue, tuple[int, int]], list[str]] = defaultdict(list)
    for p in producers:
        src = _pe(p)
        for r in p.results:
            st = r.type
            if not isinstance(st, StreamType):
                continue
            key = (p.layer.string_value(), st.space.data)
            index = group_seen[key]
            group_seen[key] += 1
            users = [u.operation for u in r.uses if isinstance(u.operation, consumer_kinds)]
            dsts = sorted({_pe(u) for u in users} - {src})
            if not dsts:
                continue
            base = f"{key[0]}.{key[1]}" + (f".{index}" if group_size[key] > 1 else "")
            base = _unique(base, taken)
            message_args = {
                "flits": math.ceil(st.words.data * word_bits / flit_bits),
                "packets": st.transfers.data,
                "interval": _interval(p, st, word_bits, dev),
            }
            remaining = list(dsts)
            first = len(entries)
            for k, (udsts, waypoints) in enumerate(user.get(r, [])):
                bad = [d for d in udsts if d not in remaining]
                if bad:
                    raise FocusError(
                        f"{WHERE}: a message with waypoints for stream of @{p.sym_name.data} sends to "
                        f"{fmt_pe(bad[0])}, which is not a remaining consumer PE of the stream"
                    )
                remaining = [d for d in remaining if d not in udsts]
                name = base if k == 0 else _unique(f"{base}.user{k}", taken)
                try:
                    route = waypoint_route(mesh, src, udsts, waypoints)
                except FocusError as err:
                    raise FocusError(f"{WHERE}: message @{name}: {err}") from None
                entries.append(_Entry(name, r, Message(name, src, route.dsts, **message_args), route, waypoints))
            if remaining:
                name = base if not user.get(r) else _unique(f"{base}.auto", taken)
                route = route_message(mesh, src, remaining, unicast, multicast, load)
                entries.append(_Entry(name, r, Message(name, src, route.dsts, **message_args), route))
            for e in entries[first:]:
                flits = e.message.flits * e.message.packets
                for c in e.route.copies:
                    for link in c.links:
                        load[link] += flits
                for d in e.route.dsts:
                    delivered_by[(r, d)].append(e.name)

    if not entries:
        return None
    messages = _with_dependencies(entries, delivered_by)
    priorities = {e.name: 0 for e in entries}
    routes = {e.name: e.route for e in entries}
    result = None
    if search != "none":
        result = search_routes(
            mesh, messages, routes, method=search, seed=seed, budget=budget,
            time_cap=SEARCH_TIME_CAP, link_bandwidth=link_bandwidth,
            fixed=[e.name for e in entries if e.waypoints is not None],
        )
        if result.stopped_by_time:
            sys.stderr.write(
                f"{WHERE}: warning: search stopped by the {SEARCH_TIME_CAP:.0f} s safety cap after "
                f"{result.evaluations} evaluations; lower `budget` for a reproducible result\n"
            )
        routes = result.routes
        priorities = {n: v - 1 for n, v in result.priorities.items()}  # 0 = lowest
    names = [e.name for e in entries]
    final = assign_vc_classes([routes[n] for n in names], [f"{WHERE}: message @{n}" for n in names])

    block = op.body.block
    ir_names: dict[str, list[str]] = {}
    for e, route in zip(entries, final):
        ir_names[e.name] = []
        for i, (dsts, links, vc, mode) in enumerate(_ir_messages(route)):
            name = e.name if i == 0 else _unique(f"{e.name}.part{i}", taken)
            ir_names[e.name].append(name)
            msg = routed_message.MessageOp(
                name, e.stream, route.src, dsts, e.message.flits, e.message.packets, RouteAttr(links),
                priority=priorities[e.name], vc=vc, mode=mode, waypoints=e.waypoints,
            )
            Rewriter.insert_op(msg, InsertPoint.at_end(block))
    return RoutingResult(mesh, messages, dict(zip(names, final)), priorities, ir_names, link_bandwidth, result)


def _unique(name: str, taken: set[str]) -> str:
    out, k = name, 1
    while out in taken:
        out = f"{name}.{k}"
        k += 1
    taken.add(out)
    return out


def _interval(producer: Operation, st: StreamType, word_bits: int, dev) -> float:
    """Cycles between two transfers of a stream (for the contention estimate)."""
    iterations = _int(producer.iterations)  # type: ignore[attr-defined]
    cycles = _int(producer.cycles)  # type: ignore[attr-defined]
    per_transfer = cycles * iterations / st.transfers.data
    if isinstance(producer, placed_subop.SourceOp) and producer.memory is not None:
        dram = dev.dram_bytes_per_cycle.value.data
        per_transfer = max(per_transfer, st.words.data * word_bits / 8 / dram)
    return per_transfer


def _with_dependencies(entries: list[_Entry], delivered_by) -> list[Message]:
    """Messages for the contention model: a worker's outputs follow the delivery of its inputs, a producer
    source's transfers follow the delivery of its sink's inputs (an estimate: whole streams, not transfers)."""
    out = []
    for e in entries:
        producer = e.stream.owner
        feeding: list[SSAValue] = []
        pe = _pe(producer)
        if isinstance(producer, placed_subop.WorkerOp):
            feeding = list(producer.inputs)
        elif isinstance(producer, placed_subop.SourceOp) and producer.producer is not None:
            sink = producer.producer.owner
            if isinstance(sink, placed_subop.SinkOp):
                feeding, pe = list(sink.inputs), _pe(sink)
        after = tuple(dict.fromkeys(n for v in feeding for n in delivered_by.get((v, pe), ())))
        m = e.message
        out.append(Message(m.name, m.src, m.dsts, m.flits, m.packets, after=after, interval=m.interval))
    return out


def _ir_messages(route: Route):
    """(dsts, links, vc, mode) per IR message of a route: one per tree copy; star copies grouped by class."""
    if route.kind == "star":
        by_vc: dict[int, list] = defaultdict(list)
        for c in route.copies:
            by_vc[c.vc].append(c)
        for vc, copies in sorted(by_vc.items()):
            links = list(dict.fromkeys(l for c in copies for l in c.links))
            dsts = sorted(d for c in copies for d in c.dsts)
            yield dsts, links, vc, "copies"
        return
    for c in route.copies:
        yield list(c.dsts), list(c.links), c.vc, "tree"

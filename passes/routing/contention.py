"""Analytic contention model and link-load metrics (after the original's graph_analyzer, fixed).

Messages are reserved one at a time, in a topological order of their `after` dependencies that
takes the highest priority first among the ready ones. A message's packets travel along each copy's
tree as a train: the train occupies the source's injection port at offset 0, each link (a, b) at
offset depth(a) x hop_latency and each destination's ejection port at offset depth(dst) x
hop_latency, for flits / link_bandwidth cycles per packet. Each copy starts at the earliest time
>= the message's ready time at which all its resources are free (reservations are intervals, so later
reservations may fill earlier gaps; the original pushed every link back by one "wait" and updated the
busy time of links off the path). A message finishes when the tail of its last packet reaches its last
destination; the makespan is the latest finish.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from focus_tools.errors import FocusError
from passes.routing.mesh import Coord, Link
from passes.routing.trees import Route


@dataclass(frozen=True)
class Message:
    """A stream between PEs: `packets` packets of `flits` flits (per batch)."""

    name: str
    src: Coord
    dsts: tuple[Coord, ...]
    flits: int
    packets: int = 1
    priority: int = 0  # higher = reserved first among ready messages
    earliest: float = 0.0  # the first packet cannot leave before this cycle
    after: tuple[str, ...] = ()  # messages that must be fully delivered first
    interval: float = 0.0  # minimum cycles between packet injections (0 = back to back)


@dataclass
class MessageTiming:
    ready: float
    start: float
    finish: float

    @property
    def wait(self) -> float:
        return self.start - self.ready


@dataclass
class Schedule:
    makespan: float
    timing: dict[str, MessageTiming]
    link_busy: dict[Link, list[tuple[float, float, str]]] = field(default_factory=dict)

    def busy_cycles(self, link: Link) -> float:
        return sum(e - s for s, e, _ in self.link_busy.get(link, ()))


class _Timeline:
    """Disjoint busy intervals of one resource, sorted."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []

    def conflict_end(self, s: float, e: float) -> float | None:
        """End of a busy interval overlapping [s, e), or None."""
        i = bisect.bisect_left(self.starts, e)
        if i and self.ends[i - 1] > s:
            return self.ends[i - 1]
        return None

    def add(self, s: float, e: float) -> None:
        i = bisect.bisect_left(self.starts, s)
        self.starts.insert(i, s)
        self.ends.insert(i, e)


def _depths(src: Coord, links: Sequence[Link]) -> dict[Coord, int]:
    depth = {src: 0}
    for a, b in links:  # canonical order is breadth-first from the source
        depth[b] = depth[a] + 1
    return depth


def check_messages(messages: Sequence[Message]) -> None:
    """FocusError if `after` names an unknown message or the dependencies have a cycle."""
    names = {m.name for m in messages}
    if len(names) != len(messages):
        dup = min(n for n in names if sum(m.name == n for m in messages) > 1)
        raise FocusError(f"message {dup}: name used twice, message names must be unique")
    for m in messages:
        if m.flits < 1 or m.packets < 1:
            raise FocusError(f"message {m.name}: flits {m.flits}, packets {m.packets}, both must be >= 1")
        for a in m.after:
            if a not in names:
                raise FocusError(f"message {m.name}: depends on unknown message {a}")


def contention_schedule(
    messages: Sequence[Message],
    routes: Mapping[str, Route],
    link_bandwidth: float = 1.0,
    hop_latency: float = 1.0,
    priorities: Mapping[str, int] | None = None,
    keep_links: bool = True,
) -> Schedule:
    """Estimate every message's start and finish and the makespan under link contention."""
    if link_bandwidth <= 0:
        raise FocusError(f"link_bandwidth {link_bandwidth}: must be > 0 flits per cycle")
    check_messages(messages)
    prio = {m.name: (priorities[m.name] if priorities and m.name in priorities else m.priority) for m in messages}
    index = {m.name: i for i, m in enumerate(messages)}
    by_name = {m.name: m for m in messages}
    waiting = {m.name: len(set(m.after)) for m in messages}
    users: dict[str, list[str]] = defaultdict(list)
    for m in messages:
        for a in set(m.after):
            users[a].append(m.name)
    heap = [(-prio[m.name], index[m.name]) for m in messages if waiting[m.name] == 0]
    heapq.heapify(heap)
    timelines: dict[object, _Timeline] = defaultdict(_Timeline)
    timing: dict[str, MessageTiming] = {}
    link_busy: dict[Link, list[tuple[float, float, str]]] = defaultdict(list)
    while heap:
        _, i = heapq.heappop(heap)
        m = messages[i]
        ready = max([m.earliest] + [timing[a].finish for a in m.after])
        route = routes.get(m.name)
        if route is None:
            raise FocusError(f"message {m.name}: no route given")
        per_packet = m.flits / link_bandwidth
        if m.interval > per_packet and m.packets > 1:
            trains, gap = [per_packet] * m.packets, m.interval  # spaced packets
        else:
            trains, gap = [per_packet * m.packets], 0.0  # one back-to-back train
        start = math.inf
        finish = ready
        for copy in route.copies:
            depth = _depths(route.src, copy.links)
            res: list[tuple[object, float]] = [(("inj", route.src), 0.0)]
            res += [(l, depth[l[0]] * hop_latency) for l in copy.links]
            res += [(("ej", d), depth[d] * hop_latency) for d in copy.dsts]
            last = max(depth[d] for d in copy.dsts) * hop_latency
            t_min = ready
            for dur in trains:
                t = _earliest(timelines, res, t_min, dur)
                for r, off in res:
                    timelines[r].add(t + off, t + off + dur)
                    if keep_links and r[0] not in ("inj", "ej"):
                        link_busy[r].append((t + off, t + off + dur, m.name))
                start = min(start, t)
                finish = max(finish, t + last + dur)
                t_min = t + gap
        timing[m.name] = MessageTiming(ready=ready, start=start, finish=finish)
        for u in users.get(m.name, ()):
            waiting[u] -= 1
            if waiting[u] == 0:
                heapq.heappush(heap, (-prio[u], index[u]))
    if len(timing) != len(messages):
        stuck = sorted(n for n in by_name if n not in timing)
        raise FocusError(f"message {stuck[0]}: its 'after' dependencies form a cycle")
    makespan = max((t.finish for t in timing.values()), default=0.0)
    return Schedule(makespan=makespan, timing=timing, link_busy=dict(link_busy))


def _earliest(timelines, res, t: float, dur: float) -> float:
    """Smallest start >= t at which every (resource, offset) is free for `dur` cycles."""
    lines = [(tl.starts, tl.ends, off) for r, off in res if (tl := timelines.get(r)) is not None and tl.starts]
    n = len(lines)
    i = clean = 0
    bisect_left = bisect.bisect_left
    while clean < n:  # cycle through the resources until a full round needs no move
        starts, ends, off = lines[i]
        s = t + off
        k = bisect_left(starts, s + dur)
        if k and ends[k - 1] > s:
            t = ends[k - 1] - off
            clean = 0  # re-check this resource at the new time
            continue
        clean += 1
        i = (i + 1) % n
    return t


def link_loads(messages: Iterable[Message], routes: Mapping[str, Route]) -> dict[Link, int]:
    """Flits crossing every link (per batch), counting each copy of a message separately."""
    load: dict[Link, int] = defaultdict(int)
    for m in messages:
        flits = m.flits * m.packets
        for c in routes[m.name].copies:
            for l in c.links:
                load[l] += flits
    return dict(load)


def max_link_load(load: Mapping[Link, int]) -> int:
    return max(load.values(), default=0)


def flit_hops(load: Mapping[Link, int]) -> int:
    """Total link traversals by flits."""
    return sum(load.values())

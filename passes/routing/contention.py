"""Analytic contention model and link-load metrics (after the original's graph_analyzer, fixed).

Messages are reserved one at a time, in a topological order of their `after` dependencies that
takes the highest priority first among the ready ones. A message's packets travel along each copy's
tree as a train: the train occupies the source's injection port at offset 0, each link (a, b) at
offset depth(a) x hop_latency and each destination's ejection port at offset depth(dst) x
hop_latency, for flits / link_bandwidth cycles per packet. Each copy starts at the earliest time
>= the message's ready time at which all its resources are free (reservations are intervals, so later
reservations may fill earlier gaps; the original pushed every link back by one "wait" and updated the
busy time of links off the path). A message finishes when the tail of its last packet reaches its last
destination; the makespan is the latest finish. Packets spaced by `interval` (more than a packet's
duration) are reserved one by one, else as one back-to-back train. The reservation loop is the numba
kernel `schedule_kernel.run_suffix`; `MessageArrays` holds the message set as flat arrays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from focus_tools.errors import FocusError
from passes.routing import schedule_kernel as kernel
from passes.routing.mesh import Coord, Link, Mesh
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


class MessageArrays:
    """The static part of a message set as flat arrays (for `schedule_kernel`): per message the duration of
    one packet on a link, packets, interval, earliest start, and the `after` dependencies in both directions."""

    def __init__(self, messages: Sequence[Message], link_bandwidth: float = 1.0):
        if link_bandwidth <= 0:
            raise FocusError(f"link_bandwidth {link_bandwidth}: must be > 0 flits per cycle")
        check_messages(messages)
        self.names = [m.name for m in messages]
        self.index = {m.name: i for i, m in enumerate(messages)}
        self.per_packet = np.array([m.flits / link_bandwidth for m in messages], dtype=np.float64)
        self.packets = np.array([m.packets for m in messages], dtype=np.int64)
        self.interval = np.array([m.interval for m in messages], dtype=np.float64)
        self.earliest = np.array([m.earliest for m in messages], dtype=np.float64)
        deps = [sorted({self.index[a] for a in m.after}) for m in messages]
        users: list[list[int]] = [[] for _ in messages]
        for i, d in enumerate(deps):
            for a in d:
                users[a].append(i)
        self.dep_ptr, self.dep_idx = kernel.csr(deps)
        self.user_ptr, self.user_idx = kernel.csr(users)
        self.dep_count = np.diff(self.dep_ptr)

    def order(self, prio: np.ndarray) -> np.ndarray:
        """The reservation order for priorities `prio` (FocusError if the dependencies cycle)."""
        order = kernel.priority_order(prio, self.dep_count, self.user_ptr, self.user_idx)
        if len(order) != len(self.names):
            done = set(order.tolist())
            stuck = sorted(n for i, n in enumerate(self.names) if i not in done)
            raise FocusError(f"message {stuck[0]}: its 'after' dependencies form a cycle")
        return order

    def run(self, order, msg_ptr, pool, n_res, hop_latency, log=False):
        return kernel.schedule(order, self.per_packet, self.packets, self.interval, self.earliest, self.dep_ptr,
                               self.dep_idx, msg_ptr, pool, n_res, float(hop_latency), log)


def _bounding_mesh(routes: Iterable[Route]) -> Mesh:
    w = h = 1
    for r in routes:
        for x, y in (r.src, *r.dsts):
            w, h = max(w, x + 1), max(h, y + 1)
        for c in r.copies:
            for _, (x, y) in c.links:
                w, h = max(w, x + 1), max(h, y + 1)
    return Mesh(w, h)


def contention_schedule(
    messages: Sequence[Message],
    routes: Mapping[str, Route],
    link_bandwidth: float = 1.0,
    hop_latency: float = 1.0,
    priorities: Mapping[str, int] | None = None,
    keep_links: bool = True,
) -> Schedule:
    """Estimate every message's start and finish and the makespan under link contention."""
    arrays = MessageArrays(messages, link_bandwidth)
    for m in messages:
        if m.name not in routes:
            raise FocusError(f"message {m.name}: no route given")
    mesh = _bounding_mesh(routes[m.name] for m in messages)
    segments = [kernel.encode_route(mesh, routes[m.name]) for m in messages]
    msg_ptr = np.zeros(len(messages) + 1, dtype=np.int64)
    msg_ptr[1:] = np.cumsum([len(s) for s in segments])
    pool = np.concatenate(segments) if segments else np.zeros(0, dtype=np.int64)
    prio = np.array([priorities[m.name] if priorities and m.name in priorities else m.priority for m in messages],
                    dtype=np.int64)
    order = arrays.order(prio)
    makespan, ready, start, finish, log_res, log_start, log_end, log_msg = arrays.run(
        order, msg_ptr, pool, kernel.resource_count(mesh), hop_latency, keep_links)
    timing = {m.name: MessageTiming(ready=float(ready[i]), start=float(start[i]), finish=float(finish[i]))
              for i, m in enumerate(messages)}
    link_busy: dict[Link, list[tuple[float, float, str]]] = defaultdict(list)
    if keep_links:
        n_links = 4 * mesh.width * mesh.height
        for r, s, e, i in zip(log_res.tolist(), log_start.tolist(), log_end.tolist(), log_msg.tolist()):
            if r < n_links:
                link_busy[kernel.link_of(mesh, r)].append((s, e, arrays.names[i]))
    return Schedule(makespan=float(makespan), timing=timing, link_busy=dict(link_busy))


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

"""Numba kernel of the analytic contention model (`contention.contention_schedule`) on flat arrays.

Resources are integers: the directed link leaving PE p towards N/S/W/E is 4p + 0/1/2/3, the injection port
of p is 4P + p and its ejection port 5P + p (P = PEs). A route is encoded as one int64 segment of a pool:
`[copies, (resources, last_depth, id_0, depth_0, id_1, depth_1, ...) per copy]` (`encode_route`); a message's
resources start `depth x hop_latency` cycles after the train leaves the source. Busy intervals of every
resource live in one CSR array sized by a counting pass, so an evaluation allocates once and never grows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

from passes.routing.mesh import Coord, Mesh
from passes.routing.trees import Route

_DIRS = {(0, -1): 0, (0, 1): 1, (-1, 0): 2, (1, 0): 3}  # N, S, W, E


def resource_count(mesh: Mesh) -> int:
    return 6 * mesh.width * mesh.height


def link_id(mesh: Mesh, a: Coord, b: Coord) -> int:
    return 4 * (a[1] * mesh.width + a[0]) + _DIRS[(b[0] - a[0], b[1] - a[1])]


def link_of(mesh: Mesh, lid: int) -> tuple[Coord, Coord]:
    """Inverse of `link_id`."""
    pe, d = divmod(int(lid), 4)
    x, y = pe % mesh.width, pe // mesh.width
    dx, dy = next(k for k, v in _DIRS.items() if v == d)
    return (x, y), (x + dx, y + dy)


def encode_route(mesh: Mesh, route: Route) -> np.ndarray:
    """The route's pool segment (see the module docstring)."""
    w = mesh.width
    pes = mesh.width * mesh.height
    out = [len(route.copies)]
    src = route.src
    inj = 4 * pes + src[1] * w + src[0]
    for c in route.copies:
        depth = {src: 0}
        body = [inj, 0]
        for a, b in c.links:  # canonical order is breadth-first from the source
            da = depth[a]
            depth[b] = da + 1
            body += (4 * (a[1] * w + a[0]) + _DIRS[(b[0] - a[0], b[1] - a[1])], da)
        last = 0
        for d in c.dsts:
            dd = depth[d]
            last = max(last, dd)
            body += (5 * pes + d[1] * w + d[0], dd)
        out += (len(body) // 2, last)
        out += body
    return np.asarray(out, dtype=np.int64)


def route_links(seg: np.ndarray, pes: int) -> np.ndarray:
    """Link ids of every copy of an encoded route (with repeats across copies)."""
    ids = []
    ncopies = int(seg[0])
    p = 1
    for _ in range(ncopies):
        n = int(seg[p])
        for k in range(n):
            r = int(seg[p + 2 + 2 * k])
            if r < 4 * pes:
                ids.append(r)
        p += 2 + 2 * n
    return np.asarray(ids, dtype=np.int64)


def csr(lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    for i, items in enumerate(lists):
        ptr[i + 1] = ptr[i] + len(items)
    idx = np.fromiter((v for items in lists for v in items), dtype=np.int64, count=int(ptr[-1]))
    return ptr, idx


# ---------------------------------------------------------------- heap on (-priority, index)
@njit(cache=True)
def _before(prio, a, b):
    return prio[a] > prio[b] or (prio[a] == prio[b] and a < b)


@njit(cache=True)
def _push(heap, size, prio, v):
    i = size
    heap[i] = v
    while i > 0:
        parent = (i - 1) // 2
        if _before(prio, heap[i], heap[parent]):
            heap[i], heap[parent] = heap[parent], heap[i]
            i = parent
        else:
            break
    return size + 1


@njit(cache=True)
def _pop(heap, size, prio):
    top = heap[0]
    size -= 1
    heap[0] = heap[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        best = left
        if left + 1 < size and _before(prio, heap[left + 1], heap[left]):
            best = left + 1
        if _before(prio, heap[best], heap[i]):
            heap[i], heap[best] = heap[best], heap[i]
            i = best
        else:
            break
    return top, size


@njit(cache=True)
def priority_order(prio, dep_count, user_ptr, user_idx):
    """Messages in the model's reservation order: a topological order of the dependencies taking the highest
    priority (then the lowest index) first among the ready ones. Shorter than n if the dependencies cycle."""
    n = prio.shape[0]
    waiting = dep_count.copy()
    heap = np.empty(n, dtype=np.int64)
    size = 0
    for m in range(n):
        if waiting[m] == 0:
            size = _push(heap, size, prio, m)
    order = np.empty(n, dtype=np.int64)
    k = 0
    while size > 0:
        m, size = _pop(heap, size, prio)
        order[k] = m
        k += 1
        for j in range(user_ptr[m], user_ptr[m + 1]):
            u = user_idx[j]
            waiting[u] -= 1
            if waiting[u] == 0:
                size = _push(heap, size, prio, u)
    return order[:k]


# ---------------------------------------------------------------- the schedule
@njit(cache=True)
def _earliest(ids, offs, nres, base, used, starts, ends, t, dur):
    """Smallest start >= t at which every (resource, offset) is free for `dur` cycles."""
    i = 0
    clean = 0
    while clean < nres:
        r = ids[i]
        cnt = used[r]
        if cnt > 0:
            off = offs[i]
            s = t + off
            e = s + dur
            lo = base[r]
            a, b = 0, cnt  # bisect_left(starts, e)
            while a < b:
                mid = (a + b) >> 1
                if starts[lo + mid] < e:
                    a = mid + 1
                else:
                    b = mid
            if a > 0 and ends[lo + a - 1] > s:
                t = ends[lo + a - 1] - off
                clean = 0
                continue
        clean += 1
        i += 1
        if i == nres:
            i = 0
    return t


@njit(cache=True)
def _insert(r, s, e, tag, base, used, starts, ends, tags):
    lo = base[r]
    cnt = used[r]
    a, b = 0, cnt
    while a < b:
        mid = (a + b) >> 1
        if starts[lo + mid] < s:
            a = mid + 1
        else:
            b = mid
    for j in range(cnt, a, -1):
        starts[lo + j] = starts[lo + j - 1]
        ends[lo + j] = ends[lo + j - 1]
        tags[lo + j] = tags[lo + j - 1]
    starts[lo + a] = s
    ends[lo + a] = e
    tags[lo + a] = tag
    used[r] = cnt + 1


@njit(cache=True)
def train_counts(per_packet, packets, interval):
    """Trains per message: every packet separately when they are spaced, else one back-to-back train."""
    n = per_packet.shape[0]
    trains = np.empty(n, dtype=np.int64)
    for m in range(n):
        trains[m] = packets[m] if (interval[m] > per_packet[m] and packets[m] > 1) else 1
    return trains


@njit(cache=True)
def reservation_counts(trains, msg_ptr, pool, n_res):
    """Reservations per resource for the current routes."""
    count = np.zeros(n_res, dtype=np.int64)
    for m in range(trains.shape[0]):
        p = msg_ptr[m]
        ncopies = pool[p]
        p += 1
        for _c in range(ncopies):
            nres = pool[p]
            for k in range(nres):
                count[pool[p + 2 + 2 * k]] += trains[m]
            p += 2 + 2 * nres
    return count


@njit(cache=True)
def rollback(k, base, used, starts, ends, tags, used_out, starts_out, ends_out, tags_out):
    """Copy the timelines keeping only the reservations of the first `k` messages of the order (tags < k):
    the state a run from scratch has before the (k+1)-th message."""
    for r in range(base.shape[0]):
        lo = base[r]
        j = 0
        for i in range(used[r]):
            if tags[lo + i] < k:
                starts_out[lo + j] = starts[lo + i]
                ends_out[lo + j] = ends[lo + i]
                tags_out[lo + j] = tags[lo + i]
                j += 1
        used_out[r] = j


@njit(cache=True)
def run_suffix(k, order, trains, per_packet, packets, interval, earliest, dep_ptr, dep_idx, msg_ptr, pool, hop,
               base, cap, used, starts, ends, tags, ready_at, start, finish, log_res, log_start, log_end, log_msg):
    """Reserve the messages order[k:] on timelines holding those of order[:k] (whose ready/start/finish are
    set). Returns the number of log entries written (the log is filled when its arrays are not empty), or
    -1 if a resource would exceed its capacity `cap`."""
    log = log_res.shape[0] > 0
    k_log = 0
    ids = np.empty(16, dtype=np.int64)
    offs = np.empty(16, dtype=np.float64)
    for pos in range(k, order.shape[0]):
        m = order[pos]
        ready = earliest[m]
        for j in range(dep_ptr[m], dep_ptr[m + 1]):
            f = finish[dep_idx[j]]
            if f > ready:
                ready = f
        ready_at[m] = ready
        if trains[m] > 1:
            dur = per_packet[m]
            gap = interval[m]
        else:
            dur = per_packet[m] * packets[m]
            gap = 0.0
        fin = ready
        st = np.inf
        p = msg_ptr[m]
        ncopies = pool[p]
        p += 1
        for _c in range(ncopies):
            nres = pool[p]
            last = pool[p + 1] * hop
            if ids.shape[0] < nres:
                ids = np.empty(2 * nres, dtype=np.int64)
                offs = np.empty(2 * nres, dtype=np.float64)
            for j in range(nres):
                ids[j] = pool[p + 2 + 2 * j]
                offs[j] = pool[p + 3 + 2 * j] * hop
                if used[ids[j]] + trains[m] > cap[ids[j]]:
                    return -1
            t_min = ready
            for _t in range(trains[m]):
                t = _earliest(ids, offs, nres, base, used, starts, ends, t_min, dur)
                for j in range(nres):
                    s = t + offs[j]
                    _insert(ids[j], s, s + dur, pos, base, used, starts, ends, tags)
                    if log:
                        log_res[k_log] = ids[j]
                        log_start[k_log] = s
                        log_end[k_log] = s + dur
                        log_msg[k_log] = m
                        k_log += 1
                if t < st:
                    st = t
                if t + last + dur > fin:
                    fin = t + last + dur
                t_min = t + gap
            p += 2 + 2 * nres
        start[m] = st
        finish[m] = fin
    return k_log


class Timelines:
    """Busy intervals of every resource (CSR by `layout`) and the message timings of one schedule."""

    def __init__(self, base: np.ndarray, cap: np.ndarray, n: int):
        size = int(base[-1] + cap[-1]) if len(base) else 0
        self.used = np.zeros(len(base), dtype=np.int64)
        self.starts = np.empty(size, dtype=np.float64)
        self.ends = np.empty(size, dtype=np.float64)
        self.tags = np.empty(size, dtype=np.int64)  # position in the order of the message that reserved
        self.ready = np.zeros(n, dtype=np.float64)
        self.start = np.full(n, np.inf)
        self.finish = np.zeros(n, dtype=np.float64)


def layout(count: np.ndarray, slack: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(base, capacity) per resource: exactly `count`, or with room for route changes (2 count + slack)."""
    cap = 2 * count + slack if slack else count.copy()
    base = np.zeros(len(cap), dtype=np.int64)
    if len(cap):
        base[1:] = np.cumsum(cap)[:-1]
    return base, cap


_NO_LOG_I = np.empty(0, dtype=np.int64)
_NO_LOG_F = np.empty(0, dtype=np.float64)


class IncrementalSchedule:
    """The contention schedule of a changing set of routes, re-run only from the first position of the
    reservation order that a change can affect. A trial starts from the committed timelines minus the
    reservations of the messages from that position on, and is then committed or dropped; its results are
    exactly those of a run from scratch (the same reservations in the same order)."""

    def __init__(self, arrays, n_res: int, hop: float):
        self.a = arrays
        self.n = len(arrays.per_packet)
        self.n_res = n_res
        self.hop = float(hop)
        self.trains = train_counts(arrays.per_packet, arrays.packets, arrays.interval)
        self.base: np.ndarray | None = None
        self.cap: np.ndarray | None = None
        self.committed: Timelines | None = None
        self.committed_order: np.ndarray | None = None
        self.trial: Timelines | None = None
        self.trial_order: np.ndarray | None = None
        self.full_runs = 0
        self.rerun = 0  # messages re-reserved over all evaluations (the work done)

    def positions(self) -> np.ndarray | None:
        """Position of every message in the committed order (None while nothing is committed)."""
        if self.committed_order is None:
            return None
        pos = np.empty(self.n, dtype=np.int64)
        pos[self.committed_order] = np.arange(self.n)
        return pos

    def evaluate(self, order: np.ndarray, msg_ptr: np.ndarray, pool: np.ndarray, first: int) -> Timelines:
        """The trial schedule for `order` and the routes in (msg_ptr, pool), given that nothing differs from
        the committed state before position `first`."""
        a = self.a
        k = min(first, self.n) if self.committed is not None else 0
        while True:
            if self.base is None:  # (re)lay out the timelines: the old buffers do not fit
                count = reservation_counts(self.trains, msg_ptr, pool, self.n_res)
                self.base, self.cap = layout(count, 4 + 2 * int(self.trains.max(initial=1)))
                self.committed = self.trial = None
                self.committed_order = None
                k = 0
                self.full_runs += 1
            if self.trial is None:
                self.trial = Timelines(self.base, self.cap, self.n)
            trial = self.trial
            if k > 0:
                c = self.committed
                rollback(k, self.base, c.used, c.starts, c.ends, c.tags, trial.used, trial.starts, trial.ends,
                         trial.tags)
                trial.ready[:] = c.ready
                trial.start[:] = c.start
                trial.finish[:] = c.finish
            else:
                trial.used[:] = 0
            done = run_suffix(k, order, self.trains, a.per_packet, a.packets, a.interval, a.earliest, a.dep_ptr,
                              a.dep_idx, msg_ptr, pool, self.hop, self.base, self.cap, trial.used, trial.starts,
                              trial.ends, trial.tags, trial.ready, trial.start, trial.finish,
                              _NO_LOG_I, _NO_LOG_F, _NO_LOG_F, _NO_LOG_I)
            if done >= 0:
                self.rerun += self.n - k
                self.trial_order = order
                return trial
            self.base = None  # a resource outgrew its room

    def commit(self) -> None:
        """The trial becomes the committed state (the old committed buffer holds the next trial)."""
        self.committed, self.trial = self.trial, self.committed
        self.committed_order = self.trial_order


def schedule(order, per_packet, packets, interval, earliest, dep_ptr, dep_idx, msg_ptr, pool, n_res, hop, log):
    """One schedule from scratch: (makespan, ready, start, finish, log arrays). The log (resource, start, end,
    message) of every reservation, in reservation order, is filled only if `log`."""
    n = per_packet.shape[0]
    trains = train_counts(per_packet, packets, interval)
    count = reservation_counts(trains, msg_ptr, pool, n_res)
    base, cap = layout(count)
    tl = Timelines(base, cap, n)
    total = int(count.sum()) if log else 0
    log_res = np.empty(total, dtype=np.int64)
    log_start = np.empty(total, dtype=np.float64)
    log_end = np.empty(total, dtype=np.float64)
    log_msg = np.empty(total, dtype=np.int64)
    k_log = run_suffix(0, order, trains, per_packet, packets, interval, earliest, dep_ptr, dep_idx, msg_ptr, pool,
                       float(hop), base, cap, tl.used, tl.starts, tl.ends, tl.tags, tl.ready, tl.start, tl.finish,
                       log_res, log_start, log_end, log_msg)
    makespan = float(tl.finish.max()) if n else 0.0
    return makespan, tl.ready, tl.start, tl.finish, log_res[:k_log], log_start[:k_log], log_end[:k_log], log_msg[:k_log]


@njit(cache=True)
def add_loads(load, seg, n_links, weight):
    """Add `weight` flits to every link of every copy of an encoded route."""
    ncopies = seg[0]
    p = 1
    for _c in range(ncopies):
        nres = seg[p]
        for k in range(nres):
            r = seg[p + 2 + 2 * k]
            if r < n_links:
                load[r] += weight
        p += 2 + 2 * nres


@njit(cache=True)
def messages_on(pool, msg_ptr, resource):
    """Indices of the messages whose encoded route uses `resource`."""
    n = msg_ptr.shape[0]
    out = np.empty(n, dtype=np.int64)
    k = 0
    for m in range(n):
        p = msg_ptr[m]
        ncopies = pool[p]
        p += 1
        hit = False
        for _c in range(ncopies):
            nres = pool[p]
            for j in range(nres):
                if pool[p + 2 + 2 * j] == resource:
                    hit = True
            p += 2 + 2 * nres
        if hit:
            out[k] = m
            k += 1
    return out[:k]

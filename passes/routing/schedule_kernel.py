"""Numba kernel of the analytic contention model (`contention.contention_schedule`) on flat arrays.

Resources are integers: the directed link leaving PE p towards N/S/W/E is 4p + 0/1/2/3, the injection port
of p is 4P + p and its ejection port 5P + p (P = PEs). A route is encoded as one int64 segment of a pool:
`[copies, (resources, last_depth, id_0, depth_0, id_1, depth_1, ...) per copy]` (`encode_route`); a message's
resources start `depth x hop_latency` cycles after the train leaves the source. Busy intervals of every
resource live in blocks (see `BLOCK`) laid out by a counting pass, so an evaluation never allocates.
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
# Timelines: the disjoint busy intervals of every resource, sorted by start, in blocks of BLOCK entries taken
# from one pool (nalloc[0] blocks in use). Resource r lists its nblk[r] blocks in time order in the slots
# blist[lbase[r] + j], with their first start in bfirst[lbase[r] + j]; block b holds bcnt[b] entries
# (bs, be, bt)[b * BLOCK + i]: start, end, and the order position of the reserving message (the tag a
# rollback filters on). A full block splits in two halves, so an insertion moves at most BLOCK entries plus
# the block list instead of the whole timeline, and blocks stay at least half full.
BLOCK = 32
_HALF = BLOCK // 2
_REFILL = 3 * BLOCK // 4  # entries per block when a timeline is rebuilt


@njit(cache=True, inline="always")
def _bisect_left(keys, lo, hi, x):
    while lo < hi:
        mid = (lo + hi) >> 1
        if keys[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, inline="always")
def _earliest(ids, offs, nres, tl, t, dur):
    """Smallest start >= t at which every (resource, offset) is free for `dur` cycles."""
    lbase, nblk, blist, bfirst, bs, be, bcnt = tl[0], tl[3], tl[4], tl[5], tl[6], tl[7], tl[9]
    i = 0
    clean = 0
    while clean < nres:
        r = ids[i]
        n = nblk[r]
        if n > 0:
            off = offs[i]
            s = t + off
            e = s + dur
            lb = lbase[r]
            if n == 1:
                j = 1 if bfirst[lb] < e else 0
            else:
                j = _bisect_left(bfirst, lb, lb + n, e) - lb  # blocks whose first start is < e
            if j > 0:
                b = blist[lb + j - 1]
                o = b * BLOCK
                a = _bisect_left(bs, o, o + bcnt[b], e)  # > o: the block's first start is < e
                if be[a - 1] > s:  # the last interval starting before e overlaps [s, e)
                    t = be[a - 1] - off
                    clean = 0
                    continue
        clean += 1
        i += 1
        if i == nres:
            i = 0
    return t


@njit(cache=True, inline="always")
def _insert(r, s, e, tag, tl):
    """Insert [s, e) into resource r's timeline; False if the block pool is exhausted."""
    lbase, used, nblk, blist, bfirst, bs, be, bt, bcnt = tl[0], tl[2], tl[3], tl[4], tl[5], tl[6], tl[7], tl[8], tl[9]
    nalloc = tl[10]
    lb = lbase[r]
    n = nblk[r]
    if n == 0:
        if nalloc[0] == bcnt.shape[0]:
            return False
        nb = nalloc[0]
        nalloc[0] = nb + 1
        blist[lb] = nb
        bfirst[lb] = s
        bcnt[nb] = 0
        nblk[r] = 1
        n = 1
        j = 0
    elif n == 1:
        j = 0
    else:
        # the last block whose first start is <= s (the first block if none)
        lo, hi = lb, lb + n
        while lo < hi:
            mid = (lo + hi) >> 1
            if bfirst[mid] <= s:
                lo = mid + 1
            else:
                hi = mid
        j = lo - lb - 1
        j = max(j, 0)
    b = blist[lb + j]
    if bcnt[b] == BLOCK:  # split: the upper half moves to a new block
        if nalloc[0] == bcnt.shape[0]:
            return False
        nb = nalloc[0]
        nalloc[0] = nb + 1
        o, on = b * BLOCK, nb * BLOCK
        for i in range(_HALF):
            bs[on + i] = bs[o + _HALF + i]
            be[on + i] = be[o + _HALF + i]
            bt[on + i] = bt[o + _HALF + i]
        bcnt[b] = _HALF
        bcnt[nb] = _HALF
        for q in range(lb + n, lb + j + 1, -1):
            blist[q] = blist[q - 1]
            bfirst[q] = bfirst[q - 1]
        blist[lb + j + 1] = nb
        bfirst[lb + j + 1] = bs[on]
        nblk[r] = n + 1
        if s >= bs[on]:
            j += 1
            b = nb
    o = b * BLOCK
    c = bcnt[b]
    a = _bisect_left(bs, o, o + c, s)
    for q in range(o + c, a, -1):
        bs[q] = bs[q - 1]
        be[q] = be[q - 1]
        bt[q] = bt[q - 1]
    bs[a] = s
    be[a] = e
    bt[a] = tag
    bcnt[b] = c + 1
    if a == o:
        bfirst[lb + j] = s
    used[r] += 1
    return True


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
def rollback(k, src, dst):
    """Rebuild the timelines `src` into `dst` keeping only the reservations of the first `k` messages of the
    order (tags < k): the state a run from scratch has before the (k+1)-th message."""
    lbase = src[0]
    nblk, blist, bs, be, bt, bcnt = src[3], src[4], src[6], src[7], src[8], src[9]
    used2, nblk2, blist2, bfirst2, bs2, be2, bt2, bcnt2 = dst[2], dst[3], dst[4], dst[5], dst[6], dst[7], dst[8], dst[9]
    nalloc2 = dst[10]
    nb = 0  # blocks allocated in dst, resource after resource
    for r in range(lbase.shape[0]):
        lb = lbase[r]
        out = 0  # blocks of r
        fill = _REFILL
        kept = 0
        for j in range(nblk[r]):
            b = blist[lb + j]
            o = b * BLOCK
            for i in range(o, o + bcnt[b]):
                if bt[i] < k:
                    if fill == _REFILL:
                        blist2[lb + out] = nb
                        bfirst2[lb + out] = bs[i]
                        out += 1
                        nb += 1
                        fill = 0
                    q = (nb - 1) * BLOCK + fill
                    bs2[q] = bs[i]
                    be2[q] = be[i]
                    bt2[q] = bt[i]
                    fill += 1
                    bcnt2[nb - 1] = fill
                    kept += 1
        nblk2[r] = out
        used2[r] = kept
    nalloc2[0] = nb


@njit(cache=True)
def run_suffix(k, order, trains, per_packet, packets, interval, earliest, dep_ptr, dep_idx, msg_ptr, pool, hop,
               tl, ready_at, start, finish, log_res, log_start, log_end, log_msg):
    """Reserve the messages order[k:] on timelines `tl` holding those of order[:k] (whose ready/start/finish
    are set). Returns the number of log entries written (the log is filled when its arrays are not empty),
    or -1 if a resource would exceed its capacity."""
    cap, used = tl[1], tl[2]
    log = log_res.shape[0] > 0
    k_log = 0
    ids = np.empty(16, dtype=np.int64)
    offs = np.empty(16, dtype=np.float64)
    for pos in range(k, order.shape[0]):
        m = order[pos]
        ready = earliest[m]
        for j in range(dep_ptr[m], dep_ptr[m + 1]):
            f = finish[dep_idx[j]]
            ready = max(ready, f)
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
                t = _earliest(ids, offs, nres, tl, t_min, dur)
                for j in range(nres):
                    s = t + offs[j]
                    if not _insert(ids[j], s, s + dur, pos, tl):
                        return -1
                    if log:
                        log_res[k_log] = ids[j]
                        log_start[k_log] = s
                        log_end[k_log] = s + dur
                        log_msg[k_log] = m
                        k_log += 1
                st = min(st, t)
                fin = max(fin, t + last + dur)
                t_min = t + gap
            p += 2 + 2 * nres
        start[m] = st
        finish[m] = fin
    return k_log


def layout(count: np.ndarray, slack: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """(capacity, first list slot) per resource and the blocks of the pool: capacity `count`, or with room
    for route changes (1.5 count + slack); list slots and pool blocks for blocks that are at least half full
    (but one per resource). The pool is allocated, not touched: only the blocks in use cost memory."""
    cap = count + count // 2 + slack if slack else count.copy()
    slots = 2 * cap // BLOCK + 2
    lbase = np.zeros(len(cap), dtype=np.int64)
    if len(cap):
        lbase[1:] = np.cumsum(slots)[:-1]
    return cap, lbase, int(slots.sum())


class Timelines:
    """The timelines of every resource (see BLOCK) and the message timings of one schedule."""

    def __init__(self, cap: np.ndarray, lbase: np.ndarray, blocks: int, n: int):
        slots = int(lbase[-1] + 2 * cap[-1] // BLOCK + 2) if len(lbase) else 0
        self.state = (
            lbase,
            cap,
            np.zeros(len(cap), dtype=np.int64),  # used: reservations per resource
            np.zeros(len(cap), dtype=np.int64),  # nblk: blocks per resource
            np.empty(slots, dtype=np.int64),  # blist: pool block of each list slot
            np.empty(slots, dtype=np.float64),  # bfirst
            np.empty(blocks * BLOCK, dtype=np.float64),  # bs: starts
            np.empty(blocks * BLOCK, dtype=np.float64),  # be: ends
            np.empty(blocks * BLOCK, dtype=np.int64),  # bt: order position of the reserving message
            np.zeros(blocks, dtype=np.int64),  # bcnt
            np.zeros(1, dtype=np.int64),  # nalloc: pool blocks in use
        )
        self.ready = np.zeros(n, dtype=np.float64)
        self.start = np.full(n, np.inf)
        self.finish = np.zeros(n, dtype=np.float64)

    def clear(self) -> None:
        self.state[2][:] = 0
        self.state[3][:] = 0
        self.state[10][0] = 0


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
        self.cap: np.ndarray | None = None
        self.lbase: np.ndarray | None = None
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
            if self.cap is None:  # (re)lay out the timelines: the old buffers do not fit
                count = reservation_counts(self.trains, msg_ptr, pool, self.n_res)
                self.cap, self.lbase, self.blocks = layout(count, 4 + int(self.trains.max(initial=1)))
                self.committed = self.trial = None
                self.committed_order = None
                k = 0
                self.full_runs += 1
            if self.trial is None:
                self.trial = Timelines(self.cap, self.lbase, self.blocks, self.n)
            trial = self.trial
            if k > 0:
                c = self.committed
                rollback(k, c.state, trial.state)
                trial.ready[:] = c.ready
                trial.start[:] = c.start
                trial.finish[:] = c.finish
            else:
                trial.clear()
            done = run_suffix(k, order, self.trains, a.per_packet, a.packets, a.interval, a.earliest, a.dep_ptr,
                              a.dep_idx, msg_ptr, pool, self.hop, trial.state, trial.ready, trial.start,
                              trial.finish, _NO_LOG_I, _NO_LOG_F, _NO_LOG_F, _NO_LOG_I)
            if done >= 0:
                self.rerun += self.n - k
                self.trial_order = order
                return trial
            self.cap = None  # a resource outgrew its room (or the pool its blocks)

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
    tl = Timelines(*layout(count), n)
    total = int(count.sum()) if log else 0
    log_res = np.empty(total, dtype=np.int64)
    log_start = np.empty(total, dtype=np.float64)
    log_end = np.empty(total, dtype=np.float64)
    log_msg = np.empty(total, dtype=np.int64)
    k_log = run_suffix(0, order, trains, per_packet, packets, interval, earliest, dep_ptr, dep_idx, msg_ptr, pool,
                       float(hop), tl.state, tl.ready, tl.start, tl.finish, log_res, log_start, log_end, log_msg)
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

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
def _insert(r, s, e, base, used, starts, ends):
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
    starts[lo + a] = s
    ends[lo + a] = e
    used[r] = cnt + 1


@njit(cache=True)
def schedule(order, per_packet, packets, interval, earliest, dep_ptr, dep_idx, msg_ptr, pool, n_res, hop, log):
    """Reserve the messages in `order`; returns (makespan, start, finish, log arrays). The log (resource,
    start, end, message) of every reservation in reservation order is filled only if `log`."""
    n = per_packet.shape[0]
    trains = np.empty(n, dtype=np.int64)
    for m in range(n):
        trains[m] = packets[m] if (interval[m] > per_packet[m] and packets[m] > 1) else 1
    # counting pass: reservations per resource
    count = np.zeros(n_res, dtype=np.int64)
    total = 0
    for m in range(n):
        p = msg_ptr[m]
        ncopies = pool[p]
        p += 1
        for _c in range(ncopies):
            nres = pool[p]
            for k in range(nres):
                count[pool[p + 2 + 2 * k]] += trains[m]
            total += nres * trains[m]
            p += 2 + 2 * nres
    base = np.empty(n_res, dtype=np.int64)
    acc = 0
    for r in range(n_res):
        base[r] = acc
        acc += count[r]
    used = np.zeros(n_res, dtype=np.int64)
    starts = np.empty(acc, dtype=np.float64)
    ends = np.empty(acc, dtype=np.float64)
    nlog = total if log else 0
    log_res = np.empty(nlog, dtype=np.int64)
    log_start = np.empty(nlog, dtype=np.float64)
    log_end = np.empty(nlog, dtype=np.float64)
    log_msg = np.empty(nlog, dtype=np.int64)
    k_log = 0
    start = np.full(n, np.inf)
    finish = np.zeros(n, dtype=np.float64)
    ids = np.empty(0, dtype=np.int64)
    offs = np.empty(0, dtype=np.float64)
    makespan = 0.0
    for m in order:
        ready = earliest[m]
        for j in range(dep_ptr[m], dep_ptr[m + 1]):
            f = finish[dep_idx[j]]
            if f > ready:
                ready = f
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
            for k in range(nres):
                ids[k] = pool[p + 2 + 2 * k]
                offs[k] = pool[p + 3 + 2 * k] * hop
            t_min = ready
            for _t in range(trains[m]):
                t = _earliest(ids, offs, nres, base, used, starts, ends, t_min, dur)
                for k in range(nres):
                    s = t + offs[k]
                    _insert(ids[k], s, s + dur, base, used, starts, ends)
                    if log:
                        log_res[k_log] = ids[k]
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
        if fin > makespan:
            makespan = fin
    return makespan, start, finish, log_res[:k_log], log_start[:k_log], log_end[:k_log], log_msg[:k_log]


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

"""Pure-Python reference twin of the simulator: the same semantics as `engine.py`, written for clarity.

It mirrors BookSim2's input-queued router (`iq_router.cpp`) literally: per router, deques of
(completion time, input VC, result) entries for routing, VC allocation and switch allocation, a crossbar
deque, output buffers, iSLIP allocators with persistent round-robin pointers, credit-based flow control
(`buffer_state.cpp`), channels that deliver a flit sent in cycle t at cycle t + 1 + latency, and the
traffic manager's injection/ejection (`trafficmanager.cpp`). Multicast is an extension: a head flit's route
is a set of output ports (a tree node); see docs/simulator.md. It is slow (pure Python objects); the
differential tests check that `engine.py` produces identical cycle counts and delivery times.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from backend_sim.config import SimConfig, vc_class_ranges
from backend_sim.program import (
    MODE_COPIES,
    OP_COMPUTE,
    OP_LOOP_BEGIN,
    OP_LOOP_END,
    OP_RECV,
    OP_SEND,
    PORT_L,
    PackedProgram,
    port_towards,
)
from backend_sim.result import (
    PE_CATEGORIES,
    BlockedBlock,
    DeadlockInfo,
    SimResult,
    StuckPacket,
)

P = 5  # router ports: E, W, S, N, local
IDLE, ROUTING, VC_ALLOC, ACTIVE = range(4)
STALL_BUSY, STALL_CONFLICT, STALL_FULL, STALL_XBAR = -2, -3, -4, -6
# block states
B_READY, B_WAIT, B_RECV, B_SEND, B_DONE = range(5)
W_ISSUE, W_COMPUTE, W_MEM = range(3)
CAT_BUSY, CAT_SEND, CAT_RECV, CAT_MEM, CAT_IDLE = range(5)


MASK64 = (1 << 64) - 1
MC_RNG_SEED = 0xE220A8397B1DCDAF  # splitmix64(0): the MC router's output-VC choice (engine: S_MCRNG)


def xorshift64star(state: int) -> tuple[int, int]:
    """One step of the engine's xorshift64* generator: (new state, 64 output bits)."""
    x = state
    x ^= x >> 12
    x ^= (x << 25) & MASK64
    x ^= x >> 27
    return x, (x * 0x2545F4914F6CDD1D) & MASK64


def ports_of(mask: int) -> list[int]:
    return [p for p in range(P) if mask >> p & 1]


def supersedes(in1: int, in2: int, offset: int, size: int) -> bool:
    """BookSim's RoundRobinArbiter::Supersedes with equal priorities."""
    return (in1 - offset + size) % size < (in2 - offset + size) % size


class Packet:
    __slots__ = (
        "copy_dst",
        "ctime",
        "delivered",
        "dest",
        "itime",
        "msg",
        "ndst",
        "nflits",
        "pid",
        "record",
        "route",
        "seq",
        "src",
        "vhi",
        "vlo",
    )

    def __init__(self, pid, msg, seq, src, dest, route, nflits, ctime, copy_dst, ndst, vlo=-1, vhi=-1):
        self.pid, self.msg, self.seq, self.src, self.dest = pid, msg, seq, src, dest
        self.route, self.nflits, self.ctime, self.itime = route, nflits, ctime, -1
        self.copy_dst, self.ndst, self.delivered = copy_dst, ndst, 0
        self.record = False
        self.vlo, self.vhi = vlo, vhi  # the VCs of its VC class (-1: the configured range)


class Flit:
    __slots__ = ("head", "hops", "itime", "pkt", "tail", "vc")

    def __init__(self, pkt, head, tail, vc, itime):
        self.pkt, self.head, self.tail, self.vc, self.hops, self.itime = pkt, head, tail, vc, 0, itime

    def copy(self) -> Flit:
        g = Flit(self.pkt, self.head, self.tail, self.vc, self.itime)
        g.hops = self.hops
        return g


class BufState:
    """Credit view of a downstream input port (BookSim BufferState, private buffers)."""

    def __init__(self, nv: int, depth: int, wait_tail: bool):
        self.in_use = [-1] * nv
        self.occ = [0] * nv
        self.tail_sent = [False] * nv
        self.depth, self.wait_tail = depth, wait_tail

    def available(self, vc: int) -> bool:
        return self.in_use[vc] < 0

    def full(self, vc: int) -> bool:
        return self.occ[vc] >= self.depth

    def take(self, vc: int, tag: int) -> None:
        assert self.in_use[vc] < 0, "buffer taken while in use"
        self.in_use[vc] = tag
        self.tail_sent[vc] = False

    def sending(self, f: Flit) -> None:
        self.occ[f.vc] += 1
        assert self.occ[f.vc] <= self.depth, "buffer overflow"
        if f.tail:
            self.tail_sent[f.vc] = True
            if not self.wait_tail:
                self.in_use[f.vc] = -1

    def credit(self, vc: int) -> None:
        self.occ[vc] -= 1
        assert self.occ[vc] >= 0
        if self.wait_tail and self.occ[vc] == 0 and self.tail_sent[vc]:
            self.in_use[vc] = -1


class VC:
    __slots__ = ("buf", "grant", "in_saq", "out_vc", "route_mask", "sent_mask", "state", "vc_mask")

    def __init__(self):
        self.buf: deque[Flit] = deque()
        self.state = IDLE
        self.route_mask = self.vc_mask = self.sent_mask = 0
        self.out_vc = [-1] * P
        self.grant = [-1] * P
        self.in_saq = False

    def reset_route(self) -> None:
        self.route_mask = self.vc_mask = self.sent_mask = 0
        self.out_vc = [-1] * P


class Router:
    def __init__(self, node: int, cfg: SimConfig):
        nv = cfg.num_vcs
        self.node = node
        self.vcs = [[VC() for _ in range(nv)] for _ in range(P)]
        self.next_buf = [BufState(nv, cfg.vc_buf_size, cfg.wait_for_tail_credit) for _ in range(P)]
        self.route_q: deque = deque()
        self.va_q: deque = deque()
        self.sa_q: deque = deque()
        self.xbar_q: deque = deque()
        self.out_buf = [deque() for _ in range(P)]
        self.in_flits: list[tuple[int, Flit]] = []
        self.proc_credits: deque = deque()
        self.va_gptr = [0] * (P * nv)
        self.va_aptr = [0] * (P * nv)
        self.sa_gptr = [0] * P
        self.sa_aptr = [0] * P
        self.sw_rr = [0] * P
        self.mc_ptr = 0  # round-robin pointer of the all-or-nothing VC allocation of branching packets
        self.mc_sw_ptr = 0  # the same for the switch allocation of synchronous branching flits


class RefNoC:
    """Routers, channels (an event wheel) and the terminals' injection state."""

    def __init__(self, cfg: SimConfig, route_tables: list[dict[int, int]]):
        self.cfg = cfg
        self.W, self.H = cfg.width, cfg.height
        self.N = cfg.width * cfg.height
        self.nv = cfg.num_vcs
        self.routers = [Router(n, cfg) for n in range(self.N)]
        self.route_tables = route_tables
        self.mc_rng = MC_RNG_SEED
        self.events: dict[int, list] = {}
        self.term_buf = [BufState(self.nv, cfg.vc_buf_size, cfg.wait_for_tail_credit) for _ in range(self.N)]
        self.last_vc = [-1] * self.N
        self.cur_vc = [-1] * self.N
        self.next_flit = [0] * self.N
        self.link_flits = np.zeros((self.N, P), dtype=np.int64)
        self.inj_flits = np.zeros(self.N, dtype=np.int64)
        self.flits_alive = 0  # flits created (injected or replicated) and not yet ejected
        self.credits_alive = 0
        self.moved = False
        self.vc_lo, self.vc_hi = cfg.vc_lo, cfg.vc_last
        self.multi_branch = cfg.multicast_mode == "branch"

    # ---- channels ----
    def _post(self, t: int, ev: tuple) -> None:
        self.events.setdefault(t, []).append(ev)

    def send_router_flit(self, r: int, port: int, f: Flit, t: int) -> None:
        if port == PORT_L:
            self._post(t + 2, ("tf", r, f))
        else:
            nb = r + (1, -1, self.W, -self.W)[port]
            self._post(t + 1 + self.cfg.link_latency, ("rf", nb, port ^ 1, f))

    def send_credit(self, r: int, in_port: int, vc: int, t: int) -> None:
        self.credits_alive += 1
        if in_port == PORT_L:
            self._post(t + 2, ("tc", r, vc))
        else:
            nb = r + (1, -1, self.W, -self.W)[in_port]
            self._post(t + 1 + self.cfg.link_latency, ("rc", nb, in_port ^ 1, vc))

    def inject_flit(self, node: int, f: Flit, t: int) -> None:
        self.inj_flits[node] += 1
        self.moved = True
        self._post(t + 2, ("rf", node, PORT_L, f))

    def eject_credit(self, node: int, vc: int, t: int) -> None:
        self.credits_alive += 1
        self._post(t + 2, ("rc", node, PORT_L, vc))

    def arrivals(self, t: int) -> list:
        """Deliver this cycle's channel events to routers; return (kind, node, x) terminal events."""
        out = []
        for ev in self.events.pop(t, ()):
            kind = ev[0]
            if kind == "rf":
                self.routers[ev[1]].in_flits.append((ev[2], ev[3]))
            elif kind == "rc":
                self.credits_alive -= 1
                self.routers[ev[1]].proc_credits.append((t + self.cfg.credit_delay, ev[2], ev[3]))
            elif kind == "tc":
                self.credits_alive -= 1
                self.term_buf[ev[1]].credit(ev[2])
            else:
                out.append(ev)
        return out

    def busy(self) -> bool:
        """Any flit or credit still in the network (channels, routers)."""
        return self.flits_alive > 0 or bool(self.events)

    # ---- terminal injection (BookSim TrafficManager::_Step) ----
    def try_inject(self, node: int, pkt: Packet, t: int) -> Flit | None:
        """Inject the next flit of `pkt` from `node` if a VC and a credit allow; return it."""
        bs = self.term_buf[node]
        k = self.next_flit[node]
        head = k == 0
        if head:
            vc = -1
            lo, hi = self.vc_range(pkt)
            count = hi - lo + 1
            for i in range(1, count + 1):
                lvc = self.last_vc[node]
                cand = lo if (lvc < lo or lvc > hi) else lo + (lvc - lo + i) % count
                if bs.available(cand) and not bs.full(cand):
                    vc = cand
                    break
            if vc < 0:
                return None
        else:
            vc = self.cur_vc[node]
            if bs.full(vc):
                return None
        tail = k == pkt.nflits - 1
        f = Flit(pkt, head, tail, vc, t)
        if head:
            bs.take(vc, 0)
            self.last_vc[node] = vc
            self.cur_vc[node] = vc
            pkt.itime = t
        bs.sending(f)
        self.next_flit[node] = 0 if tail else k + 1
        self.flits_alive += 1
        self.inject_flit(node, f, t)
        return f

    # ---- routers ----
    def vc_range(self, pkt: Packet) -> tuple[int, int]:
        """The VCs (first, last) of the packet's VC class."""
        return (pkt.vlo, pkt.vhi) if pkt.vlo >= 0 else (self.vc_lo, self.vc_hi)

    def route_of(self, r: int, pkt: Packet) -> int:
        if pkt.route < 0:
            return 1 << port_towards(self.W, r, pkt.dest)
        return self.route_tables[pkt.route][r]

    def _crossbar_evaluate(self, rt: Router, t: int) -> None:
        """With no crossbar batch pending, the waiting flits become the batch (completion t + delay - 1)."""
        for e in rt.xbar_q:
            if e[0] >= 0:
                break
            e[0] = t + self.cfg.crossbar_delay - 1

    def step_router(self, rt: Router, t: int) -> None:
        cfg = self.cfg
        # input queuing
        rt.in_flits.sort(key=lambda x: x[0])
        for port, f in rt.in_flits:
            v = rt.vcs[port][f.vc]
            v.buf.append(f)
            if v.state == IDLE:
                assert f.head and len(v.buf) == 1
                v.state = ROUTING
                rt.route_q.append([-1, port, f.vc, -1])
            elif v.buf[0] is f and not v.in_saq and (
                    v.state == ACTIVE or (self.multi_branch and v.state == VC_ALLOC and v.vc_mask)):
                v.in_saq = True
                rt.sa_q.append([-1, port, f.vc, -1])
        rt.in_flits.clear()
        while rt.proc_credits and rt.proc_credits[0][0] <= t:
            _, out, vc = rt.proc_credits.popleft()
            rt.next_buf[out].credit(vc)
        # evaluate
        for e in rt.route_q:
            if e[0] >= 0:
                break
            e[0] = t + cfg.routing_delay - 1
        self._va_evaluate(rt, t)
        self._sa_evaluate(rt, t)
        if cfg.router == "iq":
            self._crossbar_evaluate(rt, t)
        # update
        while rt.route_q and 0 <= rt.route_q[0][0] <= t:
            _, port, vc, _ = rt.route_q.popleft()
            v = rt.vcs[port][vc]
            v.route_mask = self.route_of(rt.node, v.buf[0].pkt)
            v.state = VC_ALLOC
            rt.va_q.append([-1, port, vc, -1])
        self._va_update(rt, t)
        self._sa_update(rt, t)
        if cfg.router == "mc":  # spatial_sim's MCRouter evaluates the crossbar after switch allocation
            self._crossbar_evaluate(rt, t)
        while rt.xbar_q and 0 <= rt.xbar_q[0][0] <= t:
            _, f, out = rt.xbar_q.popleft()
            rt.out_buf[out].append(f)
        # write outputs: one flit per output port per cycle
        for out in range(P):
            if rt.out_buf[out]:
                self.send_router_flit(rt.node, out, rt.out_buf[out].popleft(), t)

    def _va_evaluate(self, rt: Router, t: int) -> None:
        batch = []
        for e in rt.va_q:
            if e[0] >= 0:
                break
            batch.append(e)
        if self.cfg.router == "mc":
            self._va_fixed_priority(rt, batch)
        else:
            self._va_islip(rt, batch)
        for e in batch:
            e[0] = t + self.cfg.vc_alloc_delay - 1
        if self.cfg.vc_alloc_delay > 1:
            for e in rt.va_q:
                if e[0] < 0 or t < e[0]:
                    break
                if e[3] > 0:
                    v = rt.vcs[e[1]][e[2]]
                    mask = e[3]
                    for p in ports_of(mask):
                        if not rt.next_buf[p].available(v.grant[p]):
                            mask &= ~(1 << p)
                    # a branching packet's grants are all-or-nothing
                    e[3] = mask if mask and (mask == e[3] or len(ports_of(e[3])) == 1) else STALL_BUSY

    def _mc_below(self, n: int) -> int:
        self.mc_rng, x = xorshift64star(self.mc_rng)
        return ((x >> 32) * n) >> 32

    def _va_fixed_priority(self, rt: Router, batch: list) -> None:
        """spatial_sim's MultiOutputSparseAllocator: input VCs in index order (port * V + vc); at every port
        it needs an input VC draws one VC of its class at random (spatial_sim: `rand()`) and waits if that
        VC is in use or was granted to an earlier input VC of the batch; else it takes them all."""
        nv = self.nv
        taken: set[tuple[int, int]] = set()
        for e in sorted(batch, key=lambda e: e[1] * nv + e[2]):
            v = rt.vcs[e[1]][e[2]]
            lo, hi = self.vc_range(v.buf[0].pkt)
            need = v.route_mask & ~v.vc_mask
            pick = {}
            for p in ports_of(need):
                ovc = lo + self._mc_below(hi - lo + 1) if hi > lo else lo
                if not rt.next_buf[p].available(ovc):
                    break
                pick[p] = ovc
            if len(pick) < len(ports_of(need)):
                e[3] = STALL_BUSY
            elif taken.intersection(pick.items()):
                e[3] = STALL_CONFLICT
            else:
                taken.update(pick.items())
                for p, ovc in pick.items():
                    v.grant[p] = ovc
                e[3] = need

    def _va_islip(self, rt: Router, batch: list) -> None:
        """BookSim's separable iSLIP VC allocation (branching packets first, all-or-nothing)."""
        nv = self.nv
        free = {}  # port -> free output VCs (in the VC range), minus those taken by branching packets
        for e in batch:
            v = rt.vcs[e[1]][e[2]]
            for p in ports_of(v.route_mask & ~v.vc_mask):
                if p not in free:
                    free[p] = {ovc for ovc in range(self.vc_lo, self.vc_hi + 1) if rt.next_buf[p].available(ovc)}
        # branching packets (several ports needed) first, all-or-nothing, round robin from mc_ptr: each
        # takes the lowest free VC of its class at every port it needs, or nothing
        multi = {e[1] * nv + e[2]: e for e in batch
                 if len(ports_of(rt.vcs[e[1]][e[2]].route_mask & ~rt.vcs[e[1]][e[2]].vc_mask)) > 1}
        first = -1
        for item in _rr_order(sorted(multi), rt.mc_ptr):
            e = multi[item]
            v = rt.vcs[e[1]][e[2]]
            lo, hi = self.vc_range(v.buf[0].pkt)
            need = v.route_mask & ~v.vc_mask
            pick = {}
            for p in ports_of(need):
                cands = sorted(ovc for ovc in free[p] if lo <= ovc <= hi)
                if not cands:
                    break
                pick[p] = cands[0]
            if len(pick) == len(ports_of(need)):
                for p, ovc in pick.items():
                    free[p].discard(ovc)
                    v.grant[p] = ovc
                e[3] = need
                if first < 0:
                    first = item
            else:
                e[3] = STALL_BUSY
        if first >= 0:
            rt.mc_ptr = (first + 1) % (P * nv)
        reqs: dict[int, list[int]] = {}
        for e in batch:
            if e[1] * nv + e[2] in multi:
                continue
            v = rt.vcs[e[1]][e[2]]
            lo, hi = self.vc_range(v.buf[0].pkt)
            need = v.route_mask & ~v.vc_mask
            ws = []
            for p in ports_of(need):
                ws.extend(p * nv + ovc for ovc in sorted(free[p]) if lo <= ovc <= hi)
            if ws:
                reqs[e[1] * nv + e[2]] = ws
            else:
                e[3] = STALL_BUSY
        grants = islip(reqs, P * nv, P * nv, rt.va_gptr, rt.va_aptr, self.cfg.alloc_iters,
                       accept_one_per_port(nv))
        for e in batch:
            if e[3] < -1 or e[1] * nv + e[2] in multi:
                continue
            acc = grants.get(e[1] * nv + e[2])
            if acc:
                v = rt.vcs[e[1]][e[2]]
                mask = 0
                for w in acc:
                    v.grant[w // nv] = w % nv
                    mask |= 1 << (w // nv)
                e[3] = mask
            else:
                e[3] = STALL_CONFLICT

    def _va_update(self, rt: Router, t: int) -> None:
        nv = self.nv
        q = rt.va_q
        while q and 0 <= q[0][0] <= t:
            _, port, vc, res = q.popleft()
            v = rt.vcs[port][vc]
            if res > 0:
                for p in ports_of(res):
                    rt.next_buf[p].take(v.grant[p], port * nv + vc)
                    v.out_vc[p] = v.grant[p]
                v.vc_mask |= res
                if v.vc_mask == v.route_mask:
                    v.state = ACTIVE
                else:
                    q.append([-1, port, vc, -1])
                if (v.state == ACTIVE or self.multi_branch) and not v.in_saq:
                    v.in_saq = True
                    rt.sa_q.append([-1, port, vc, -1])
            else:
                q.append([-1, port, vc, -1])

    def _sa_evaluate(self, rt: Router, t: int) -> None:
        nv = self.nv
        batch = []
        cands: dict[int, list[int]] = {}
        multi: dict[int, list] = {}
        for e in rt.sa_q:
            if e[0] >= 0:
                break
            batch.append(e)
            port, vc = e[1], e[2]
            v = rt.vcs[port][vc]
            if self.multi_branch:
                cand = [p for p in ports_of(v.vc_mask & ~v.sent_mask) if not rt.next_buf[p].full(v.out_vc[p])]
                if not cand:
                    e[3] = STALL_FULL
                    continue
            else:
                cand = ports_of(v.route_mask)
                if any(rt.next_buf[p].full(v.out_vc[p]) for p in cand):
                    e[3] = STALL_FULL
                    continue
                if len(cand) > 1:
                    multi[port * nv + vc] = e
            cands[port * nv + vc] = cand
        if self.cfg.router == "mc":
            self._sa_fixed_priority(batch, cands)
        else:
            self._sa_islip(rt, batch, cands, multi)
        for e in batch:
            e[0] = t + self.cfg.sw_alloc_delay - 1
        if self.cfg.sw_alloc_delay > 1:
            for e in rt.sa_q:
                if e[0] < 0 or t < e[0]:
                    break
                if e[3] > 0:
                    v = rt.vcs[e[1]][e[2]]
                    mask = e[3]
                    if self.multi_branch:
                        for p in ports_of(mask):
                            if rt.next_buf[p].full(v.out_vc[p]):
                                mask &= ~(1 << p)
                        e[3] = mask if mask else STALL_FULL
                    elif any(rt.next_buf[p].full(v.out_vc[p]) for p in ports_of(mask)):
                        e[3] = STALL_FULL

    def _sa_islip(self, rt: Router, batch: list, cands: dict, multi: dict) -> None:
        """BookSim's separable iSLIP switch allocation over ports (branching flits first, all-or-nothing)."""
        nv = self.nv
        req: dict[tuple[int, int], int] = {}  # (input port, output port) -> vc
        # synchronous branching flits first, all-or-nothing, round robin from mc_sw_ptr: a flit takes its
        # input port and all its output ports, or waits
        in_used: set[int] = set()
        out_used: set[int] = set()
        first = -1
        for item in _rr_order(sorted(multi), rt.mc_sw_ptr):
            e = multi[item]
            cand = cands[item]
            if e[1] not in in_used and not out_used.intersection(cand):
                in_used.add(e[1])
                out_used.update(cand)
                e[3] = sum(1 << p for p in cand)
                rt.sw_rr[e[1]] = (e[2] + 1) % nv
                if first < 0:
                    first = item
            else:
                e[3] = STALL_XBAR
        if first >= 0:
            rt.mc_sw_ptr = (first + 1) % (P * nv)
        for e in batch:
            port, vc = e[1], e[2]
            item = port * nv + vc
            if item in multi or item not in cands:
                continue
            cand = [p for p in cands[item] if p not in out_used]
            if port in in_used or not cand:
                e[3] = STALL_XBAR
                continue
            for p in cand:
                old = req.get((port, p))
                if old is None or supersedes(vc, old, rt.sw_rr[port], nv):
                    req[(port, p)] = vc
        reqs: dict[int, list[int]] = {}
        for (i, o) in sorted(req):
            reqs.setdefault(i, []).append(o)

        def need(i: int, vc: int) -> int:
            return 0 if self.multi_branch else rt.vcs[i][vc].route_mask

        grants = islip(reqs, P, P, rt.sa_gptr, rt.sa_aptr, self.cfg.alloc_iters,
                       accept_by_label(lambda i, o: req[(i, o)], need))
        for e in batch:
            if e[3] < -1 or e[1] * nv + e[2] in multi:
                continue
            port, vc = e[1], e[2]
            acc = grants.get(port)
            if acc and req[(port, acc[0])] == vc:
                mask = 0
                for o in acc:
                    mask |= 1 << o
                e[3] = mask
                rt.sw_rr[port] = (vc + 1) % nv
            else:
                e[3] = STALL_XBAR

    def _sa_fixed_priority(self, batch: list, cands: dict) -> None:
        """spatial_sim's MultiOutputSparseAllocator over input VCs (not ports) in index order: a flit takes
        all its output ports unless one was granted to an earlier input VC (then it waits)."""
        nv = self.nv
        by_item = {e[1] * nv + e[2]: e for e in batch}
        out_used: set[int] = set()
        for item in sorted(cands):
            if out_used.intersection(cands[item]):
                by_item[item][3] = STALL_XBAR
            else:
                out_used.update(cands[item])
                by_item[item][3] = sum(1 << p for p in cands[item])

    def _sa_update(self, rt: Router, t: int) -> None:
        q = rt.sa_q
        while q and 0 <= q[0][0] <= t:
            _, port, vc, res = q.popleft()
            v = rt.vcs[port][vc]
            v.in_saq = False
            if res <= 0:
                v.in_saq = True
                q.append([-1, port, vc, -1])
                continue
            f = v.buf[0]
            outs = ports_of(res)
            single = v.route_mask == res and v.sent_mask == 0 and len(outs) == 1
            for p in outs:
                g = f if single else f.copy()
                if not single:
                    self.flits_alive += 1
                g.hops = f.hops + 1
                g.vc = v.out_vc[p]
                rt.next_buf[p].sending(g)
                rt.xbar_q.append([-1, g, p])
                self.link_flits[rt.node, p] += 1  # link statistics and progress count switch grants
                self.moved = True
            v.sent_mask |= res
            if v.sent_mask != v.route_mask:
                v.in_saq = True
                q.append([-1, port, vc, -1])
                continue
            if not single:
                self.flits_alive -= 1  # the original is replaced by its copies
            v.buf.popleft()
            v.sent_mask = 0
            self.send_credit(rt.node, port, vc, t)
            if not v.buf:
                if f.tail:
                    v.state = IDLE
                    v.reset_route()
            elif f.tail:
                v.reset_route()
                v.state = ROUTING
                rt.route_q.append([-1, port, vc, -1])
            else:
                v.in_saq = True
                q.append([-1, port, vc, -1])


def _rr_order(items: list[int], ptr: int) -> list[int]:
    """Sorted `items` rotated to start at the first one >= ptr (a round-robin scan)."""
    return [x for x in items if x >= ptr] + [x for x in items if x < ptr]


def islip(reqs: dict[int, list[int]], n_in: int, n_out: int, gptr: list[int], aptr: list[int],
          iters: int, accept) -> dict[int, list[int]]:
    """BookSim's iSLIP_Sparse; `accept(u, granted_in_rr_order)` picks the outputs input u takes.

    `reqs[u]` = sorted outputs requested by input u. Grant: each unmatched output grants the first
    unmatched requesting input at or after its pointer. Accept: `accept` returns the outputs taken (first
    one first, [] for none). Pointers move only on first-iteration accepts: each taken output's grant
    pointer to u + 1, u's accept pointer to the first taken output + 1. Returns input -> taken outputs.
    """
    out_req: dict[int, list[int]] = {}
    for u in sorted(reqs):
        for w in reqs[u]:
            out_req.setdefault(w, []).append(u)
    inmatch: dict[int, list[int]] = {}
    outmatch: set[int] = set()
    for it in range(iters):
        grants: dict[int, int] = {}
        for w in sorted(out_req):
            if w in outmatch:
                continue
            for u in _rr_order(out_req[w], gptr[w]):
                if u not in inmatch:
                    grants[w] = u
                    break
        for u in sorted(reqs):
            if u in inmatch:
                continue
            granted = [w for w in _rr_order(reqs[u], aptr[u]) if grants.get(w) == u]
            if not granted:
                continue
            chosen = accept(u, granted)
            if not chosen:
                continue
            inmatch[u] = chosen
            outmatch.update(chosen)
            if it == 0:
                for w in chosen:
                    gptr[w] = (u + 1) % n_in
                aptr[u] = (chosen[0] + 1) % n_out
    return inmatch


def accept_one_per_port(nv: int):
    """VC allocation: take granted output VCs in round-robin order, at most one per output port."""
    def accept(u: int, granted: list[int]) -> list[int]:
        chosen, ports = [], set()
        for w in granted:
            if w // nv not in ports:
                ports.add(w // nv)
                chosen.append(w)
        return chosen
    return accept


def accept_by_label(label, need):
    """Switch allocation: the first granted output's VC takes all its granted outputs; a synchronous
    multicast VC (`need(u, vc)` = its port mask) only when all of them are granted, else the next VC."""
    def accept(u: int, granted: list[int]) -> list[int]:
        tried = set()
        for w in granted:
            vc = label(u, w)
            if vc in tried:
                continue
            tried.add(vc)
            mine = [x for x in granted if label(u, x) == vc]
            mask = need(u, vc)
            if mask:
                got = 0
                for x in mine:
                    got |= 1 << x
                if got & mask != mask:
                    continue
            return mine
        return []
    return accept


# ---------------------------------------------------------------------------------------------
# program-driven simulation
# ---------------------------------------------------------------------------------------------

class _Block:
    __slots__ = (
        "b",
        "done_time",
        "end",
        "first_issue",
        "pc",
        "pe",
        "resume",
        "stack",
        "start",
        "state",
        "wait_kind",
    )


class RefSimulator:
    """Runs a PackedProgram on the NoC, one cycle at a time (no event skipping)."""

    def __init__(self, prog: PackedProgram, cfg: SimConfig):
        if (prog.width, prog.height) != (cfg.width, cfg.height):
            cfg = cfg.replace(width=prog.width, height=prog.height)
        self.prog, self.cfg = prog, cfg.validated()
        self.vc_ranges = vc_class_ranges(prog.msg_vc, self.cfg)
        self.spatial = cfg.core_model == "spatial_sim"
        N = prog.nodes
        tables = [prog.route(m) for m in range(prog.num_messages)]
        self.noc = RefNoC(self.cfg, tables)
        self.N = N
        # loop matching
        self.loop_end_of: dict[int, int] = {}
        for i in range(len(prog.instr_op)):
            if prog.instr_op[i] == OP_LOOP_END:
                self.loop_end_of[int(prog.instr_arg[i])] = i
        self.blocks: list[_Block] = []
        self.pe_blocks: dict[int, list[_Block]] = {}
        for b in range(prog.num_blocks):
            blk = _Block()
            blk.b, blk.pe = b, int(prog.block_pe[b])
            blk.start, blk.end = int(prog.block_start[b]), int(prog.block_end[b])
            blk.pc, blk.stack = blk.start, []
            blk.state, blk.resume, blk.wait_kind, blk.done_time, blk.first_issue = B_READY, 0, W_ISSUE, -1, -1
            self.blocks.append(blk)
            self.pe_blocks.setdefault(blk.pe, []).append(blk)
        self.pes = sorted(self.pe_blocks)
        self.unit_free = {p: 0 for p in self.pes}
        self.rr = {p: 0 for p in self.pes}
        self.dram_free = {p: 0 for p in self.pes}
        self.issue = {id(b): -2 for b in self.blocks}  # spatial_sim cycle_to_issue (-2 not yet tried, -1 refused)
        self.queues: list[deque] = [deque() for _ in range(N)]
        cap = cfg.injection_queue
        self.qcap = cap if cap > 0 else 1 << 62
        self.dst_index = [{int(d): k for k, d in enumerate(prog.dsts(m))} for m in range(prog.num_messages)]
        self.delivered = [[0] * len(self.dst_index[m]) for m in range(prog.num_messages)]
        self.consumed = [[0] * len(self.dst_index[m]) for m in range(prog.num_messages)]
        self.rq_size = [0] * N  # spatial_sim receive-queue sizes
        self.pipe_open = [True] * N
        self.send_seq = [0] * prog.num_messages
        self.pid = 0
        self.packets: list[Packet] = []
        self.deliveries: list[tuple[int, int, int, int]] = []
        self.head_seen: dict[tuple[int, int], bool] = {}
        self.stats = {p: [0] * len(PE_CATEGORIES) for p in self.pes}
        self.flits_ejected = 0
        for blk in self.blocks:
            self._skip_markers(blk, 0)

    # ---- block control flow ----
    def _skip_markers(self, blk: _Block, when: int) -> None:
        prog = self.prog
        while blk.pc < blk.end:
            op = prog.instr_op[blk.pc]
            if op == OP_LOOP_BEGIN:
                count = int(prog.instr_arg[blk.pc])
                if count == 0:
                    blk.pc = self.loop_end_of[blk.pc] + 1
                else:
                    blk.stack.append([blk.pc, count])
                    blk.pc += 1
            elif op == OP_LOOP_END:
                top = blk.stack[-1]
                top[1] -= 1
                if top[1] > 0:
                    blk.pc = top[0] + 1
                else:
                    blk.stack.pop()
                    blk.pc += 1
            else:
                return
        blk.state = B_DONE
        blk.done_time = when

    def _advance(self, blk: _Block, resume: int, kind: int) -> None:
        blk.pc += 1
        blk.state, blk.resume, blk.wait_kind = B_WAIT, resume, kind
        self._skip_markers(blk, resume)

    # ---- sends and receives ----
    def _enqueue(self, node: int, msg: int, t: int) -> None:
        prog = self.prog
        seq = self.send_seq[msg]
        self.send_seq[msg] += 1
        nfl = self.cfg.noc_flits(int(prog.msg_flits[msg]))
        dsts = [int(d) for d in prog.dsts(msg)]
        if prog.msg_mode[msg] == MODE_COPIES:
            for d in dsts:
                pkt = Packet(self.pid, msg, seq, node, d, -1, nfl, t, d, 1, *self.vc_ranges[msg])
                self.pid += 1
                self.packets.append(pkt)
                self.queues[node].append(pkt)
        else:
            pkt = Packet(self.pid, msg, seq, node, dsts[0] if len(dsts) == 1 else -1, msg, nfl, t, -1, len(dsts),
                         *self.vc_ranges[msg])
            self.pid += 1
            self.packets.append(pkt)
            self.queues[node].append(pkt)

    def _deliver(self, node: int, pkt: Packet, t: int) -> None:
        k = self.dst_index[pkt.msg][node]
        self.delivered[pkt.msg][k] += 1
        self.rq_size[node] += 1
        self.deliveries.append((pkt.msg, pkt.seq, node, t))

    def _eject(self, node: int, f: Flit, t: int) -> None:
        self.noc.flits_alive -= 1
        self.flits_ejected += 1
        self.noc.moved = True
        self.noc.eject_credit(node, f.vc, t)
        at_head = self.cfg.recv_at_head or self.spatial
        if (at_head and f.head) or (not at_head and f.tail):
            self._deliver(node, f.pkt, t)

    # ---- PE models ----
    def _pe_step_focus(self, pe: int, t: int) -> None:
        prog = self.prog
        blocks = self.pe_blocks[pe]
        for blk in blocks:
            if blk.state == B_WAIT and blk.resume <= t:
                blk.state = B_READY
        cands = []
        for j, blk in enumerate(blocks):
            if blk.state not in (B_READY, B_RECV, B_SEND):
                continue
            op, arg = int(prog.instr_op[blk.pc]), int(prog.instr_arg[blk.pc])
            if op == OP_COMPUTE:
                blk.state = B_READY
                cands.append(j)
                continue
            if op == OP_SEND:
                if len(self.queues[pe]) < self.qcap:  # all copies of a `copies` message go in at once
                    self._enqueue(pe, arg, t)
                    self._issued(blk, t)
                    self._advance(blk, t + 1, W_ISSUE)
                else:
                    blk.state = B_SEND
            elif op == OP_RECV:
                k = self.dst_index[arg][pe]
                if self.delivered[arg][k] > self.consumed[arg][k]:
                    self.consumed[arg][k] += 1
                    self.rq_size[pe] -= 1
                    self._issued(blk, t)
                    self._advance(blk, t + 1, W_ISSUE)
                else:
                    blk.state = B_RECV
            else:  # memory
                bw = self.cfg.dram_bytes_per_cycle
                start = max(t, self.dram_free[pe])
                dur = math.ceil(arg / bw)
                self.dram_free[pe] = start + dur
                self._issued(blk, t)
                self._advance(blk, max(start + dur + self.cfg.dram_latency, t + 1), W_MEM)
        if cands and self.unit_free[pe] <= t:
            nb = len(blocks)
            order = sorted(cands, key=lambda j: (j - self.rr[pe]) % nb)
            j = order[0]
            blk = blocks[j]
            n = int(prog.instr_arg[blk.pc])
            self.unit_free[pe] = t + n
            self.rr[pe] = (j + 1) % nb
            self._issued(blk, t)
            self._advance(blk, t + max(n, 1), W_COMPUTE)

    def _issued(self, blk: _Block, t: int) -> None:
        self.noc.moved = True
        if blk.first_issue < 0:
            blk.first_issue = t

    def _spatial_sim_instr(self, pe: int, blk: _Block, t: int) -> int:
        """spatial_sim's simple_sim: completion cycle, or -1 when the NI refuses (retry later)."""
        prog = self.prog
        op, arg = int(prog.instr_op[blk.pc]), int(prog.instr_arg[blk.pc])
        if op == OP_COMPUTE:
            return t + arg
        self.pipe_open[pe] = self.rq_size[pe] <= self.cfg.spatial_threshold
        if op == OP_SEND:
            for d in self.dst_index[arg]:
                if not self.pipe_open[d]:
                    return -1
            self._enqueue(pe, arg, t)
            return t + 1
        if op == OP_RECV:
            k = self.dst_index[arg][pe]
            if self.delivered[arg][k] > self.consumed[arg][k]:
                self.consumed[arg][k] += 1
                self.rq_size[pe] -= 1
                return t + 1
            return -1
        raise AssertionError("memory instructions are rejected for spatial_sim programs")

    def _pe_step_spatial(self, pe: int, t: int) -> None:
        blocks = self.pe_blocks[pe]
        live = [j for j, b in enumerate(blocks) if b.state != B_DONE]
        if not live:
            return
        if any(self.issue[id(blocks[j])] > t for j in live):
            return
        nb = len(blocks)
        cands = [j for j in live if self.issue[id(blocks[j])] <= t]
        done = [j for j in cands if self.issue[id(blocks[j])] >= 0]
        pool = done if done else cands
        j = min(pool, key=lambda j: (j - self.rr[pe]) % nb)
        self.rr[pe] = (j + 1) % nb
        blk = blocks[j]
        if self.issue[id(blk)] >= 0:  # completed: pop it, then issue the next one in the same cycle
            self._advance(blk, t, W_ISSUE)
            if blk.state == B_DONE:
                blk.done_time = t
                return
            blk.state = B_READY
        res = self._spatial_sim_instr(pe, blk, t)
        if res >= 0:
            self._issued(blk, t)
        self.issue[id(blk)] = res

    def _spatial_busy(self, pe: int, t: int) -> bool:
        return any(self.issue[id(b)] > t for b in self.pe_blocks[pe] if b.state != B_DONE)

    def _category(self, pe: int, t: int) -> int:
        blocks = self.pe_blocks[pe]
        if self.spatial:
            return CAT_BUSY if self._spatial_busy(pe, t) else CAT_IDLE
        if self.unit_free[pe] > t:
            return CAT_BUSY
        if any(b.state == B_SEND for b in blocks):
            return CAT_SEND
        if any(b.state == B_RECV for b in blocks):
            return CAT_RECV
        if any(b.wait_kind == W_MEM and (b.state == B_WAIT or (b.state == B_DONE and b.done_time > t))
               for b in blocks):
            return CAT_MEM
        return CAT_IDLE

    # ---- termination ----
    def _all_done(self, t: int) -> bool:
        if self.spatial:
            return all(b.state == B_DONE for b in self.blocks)
        return all(b.state == B_DONE and b.done_time <= t for b in self.blocks)

    def _network_empty(self) -> bool:
        return self.noc.flits_alive == 0 and not any(self.queues)

    def _can_progress(self, t: int) -> bool:
        """Some block will act without any packet arriving (running, ready, or finishing later)."""
        if self.spatial:
            for b in self.blocks:
                if b.state == B_DONE:
                    continue
                if self.issue[id(b)] != -1:
                    return True
                # a refused instruction succeeds on retry once its packet arrived / the doorbell opens
                op, arg = int(self.prog.instr_op[b.pc]), int(self.prog.instr_arg[b.pc])
                if op == OP_RECV:
                    k = self.dst_index[arg][b.pe]
                    if self.delivered[arg][k] > self.consumed[arg][k]:
                        return True
                elif op == OP_SEND and all(self.pipe_open[d] for d in self.dst_index[arg]):
                    return True
            return False
        return any(b.state in (B_READY, B_WAIT) or (b.state == B_DONE and b.done_time > t)
                   for b in self.blocks)

    def run(self) -> SimResult:
        cfg, noc = self.cfg, self.noc
        t = 0
        last_progress = 0
        deadlock = None
        while True:
            if self._all_done(t) and self._network_empty():
                break
            if t >= cfg.max_cycles:
                deadlock = self._deadlock_info(t, "cycle limit")
                break
            if not self._can_progress(t) and (
                    self._network_empty() or t - last_progress >= cfg.deadlock_window):
                deadlock = self._deadlock_info(t, "deadlock")
                break
            noc.moved = False
            if not self.spatial:
                for ev in noc.arrivals(t):
                    self._eject(ev[1], ev[2], t)
                for pe in self.pes:
                    self._pe_step_focus(pe, t)
                    self.stats[pe][self._category(pe, t)] += 1
            else:
                for pe in self.pes:
                    self.stats[pe][self._category(pe, t)] += 1
                    self._pe_step_spatial(pe, t)
                for ev in noc.arrivals(t):
                    self._eject(ev[1], ev[2], t)
            for node in range(self.N):
                q = self.queues[node]
                if q:
                    f = noc.try_inject(node, q[0], t)
                    if f is not None and f.tail:
                        q.popleft()
            for rt in noc.routers:
                if rt.in_flits or rt.proc_credits or rt.route_q or rt.va_q or rt.sa_q or rt.xbar_q or \
                        any(rt.out_buf):
                    noc.step_router(rt, t)
            if noc.moved:
                last_progress = t + 1
            t += 1
        return self._result(t, deadlock)

    # ---- reporting ----
    def _deadlock_info(self, t: int, kind: str) -> DeadlockInfo:
        prog = self.prog
        blocked = []
        for blk in self.blocks:
            if blk.state == B_DONE:
                continue
            op, arg = int(prog.instr_op[blk.pc]), int(prog.instr_arg[blk.pc])
            blocked.append(BlockedBlock.make(prog, blk.b, blk.pc - blk.start, op, arg,
                                             ("ready", "wait", "recv", "send", "done")[blk.state]))
        stuck = []
        for node in range(self.N):
            for pkt in self.queues[node]:
                stuck.append(StuckPacket.make(prog, pkt.msg, pkt.seq, pkt.src, "injection queue", node))
        seen = set()
        for rt in self.noc.routers:
            for port in range(P):
                for v in rt.vcs[port]:
                    for f in v.buf:
                        if f.pkt.pid not in seen:
                            seen.add(f.pkt.pid)
                            stuck.append(StuckPacket.make(prog, f.pkt.msg, f.pkt.seq, f.pkt.src, "router",
                                                          rt.node))
        return DeadlockInfo(kind=kind, cycle=t, blocked=blocked, stuck=stuck)

    def _result(self, t: int, deadlock) -> SimResult:
        prog = self.prog
        pk = self.packets
        return SimResult.build(
            prog=prog, cfg=self.cfg, total_cycles=t, deadlock=deadlock,
            pe_nodes=np.array(self.pes, dtype=np.int64),
            pe_stats=np.array([self.stats[p] for p in self.pes], dtype=np.int64).reshape(len(self.pes),
                                                                                      len(PE_CATEGORIES)),
            block_first=np.array([b.first_issue for b in self.blocks], dtype=np.int64),
            block_done=np.array([b.done_time if b.state == B_DONE else -1 for b in self.blocks],
                                dtype=np.int64),
            pkt_msg=np.array([p.msg for p in pk], dtype=np.int64),
            pkt_seq=np.array([p.seq for p in pk], dtype=np.int64),
            pkt_dst=np.array([p.copy_dst for p in pk], dtype=np.int64),
            pkt_ctime=np.array([p.ctime for p in pk], dtype=np.int64),
            pkt_itime=np.array([p.itime for p in pk], dtype=np.int64),
            del_msg=np.array([d[0] for d in self.deliveries], dtype=np.int64),
            del_seq=np.array([d[1] for d in self.deliveries], dtype=np.int64),
            del_dst=np.array([d[2] for d in self.deliveries], dtype=np.int64),
            del_time=np.array([d[3] for d in self.deliveries], dtype=np.int64),
            link_flits=self.noc.link_flits.copy(), inj_flits=self.noc.inj_flits.copy(),
            flits_ejected=self.flits_ejected, sim_seconds=0.0,
        )


def simulate_reference(prog: PackedProgram, cfg: SimConfig) -> SimResult:
    """Run `prog` with the reference twin (slow; for tests)."""
    return RefSimulator(prog, cfg).run()

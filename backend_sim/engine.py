"""The numba simulation engine: struct-of-arrays state, one jitted loop per mode (program, synthetic traffic).

Semantics are those of `reference.py` (BookSim2's input-queued VC router, multicast trees, the PE model);
this file implements them with flat arrays: field-major 2D arrays (``vcs[FIELD, vc]``), per-router ring
buffers for BookSim's routing / VC-allocation / switch-allocation / crossbar deques, iSLIP on 64-bit masks,
and an event wheel for channels (a flit or credit sent in cycle t arrives at t + 1 + latency). Routers with
nothing pending are skipped; when the network is empty and every PE waits on compute or memory, whole
stretches of cycles are skipped at once (statistics are added in bulk).
"""

from __future__ import annotations

import time as _time

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import trailing_zeros

from backend_sim.config import SimConfig, vc_class_ranges
from backend_sim.program import (
    MODE_COPIES,
    OP_COMPUTE,
    OP_LOOP_BEGIN,
    OP_LOOP_END,
    OP_RECV,
    OP_SEND,
    PackedProgram,
)
from backend_sim.result import PE_CATEGORIES, BlockedBlock, DeadlockInfo, SimResult, StuckPacket

P = 5
PL = 4  # local port
IDLE, ROUTING, VC_ALLOC, ACTIVE = 0, 1, 2, 3
STALL_BUSY, STALL_CONFLICT, STALL_FULL, STALL_XBAR = -2, -3, -4, -6

# config fields
(C_W, C_H, C_N, C_NV, C_D, C_R, C_VA, C_SA, C_X, C_CD, C_L, C_ITERS, C_WAITTAIL, C_VLO, C_VHI, C_BRANCH,
 C_QCAP, C_ATHEAD, C_DRAMLAT, C_SPATIAL, C_THRESH, C_MAXCYC, C_WINDOW, C_WS, C_CAP, C_CAPO, C_CAPC, C_CAPE,
 C_QC, C_NB, C_DEPTH, C_FCAP, C_PCAP, C_DLCAP, C_PLCAP, C_SKIP, C_NPE, C_MC) = range(38)
NCF = 38  # C_MC: spatial_sim's MCRouter (the crossbar is evaluated after switch allocation completes)
# scalar state fields
(S_T, S_FLITS, S_QUEUED, S_EVTOTAL, S_MOVED, S_LASTPROG, S_NDONE, S_MAXDONE, S_FLFREE, S_PKFREE, S_DLN,
 S_PLN, S_EJECTED, S_STATUS, S_NACTIVE, S_RNG, S_GEN_STATE, S_DRAIN_TIME, S_EMPTY_NET, S_RESET_TIME,
 S_MEAS_FLITS, S_PID, S_CREDITS, S_MCRNG) = range(24)
NSC = 24  # S_MCRNG: the MC router's output-VC choice (its own stream, so traffic generation is unchanged)
MC_RNG_SEED = -2152535657050944081  # splitmix64(0), as a signed int64
# per input VC fields
V_STATE, V_RMASK, V_VCMASK, V_SENT, V_INSAQ, V_BH, V_BC = range(7)
V_OUT = 7
V_GR = 12
V_VARES = 17
V_SARES = 18
V_CMASK = 19  # the VCs (bit per VC) of the packet's VC class, set when its head is routed
NVF = 20
# per router stage fields: routing / VC allocation / switch allocation wait + batch masks and batch
# completion time; crossbar: which flit list is the batch, list lengths, completion time
(RQ_RW, RQ_RB, RQ_RT, RQ_AW, RQ_AB, RQ_AT, RQ_SW, RQ_SB, RQ_ST, RQ_XSEL, RQ_XWN, RQ_XBN, RQ_XT) = range(13)
NRQ = 13
# output VC (downstream credit view) fields
O_INUSE, O_OCC, O_TAIL = range(3)
# flit fields
FL_PKT, FL_HEAD, FL_TAIL, FL_VC, FL_HOPS, FL_ITIME = range(6)
NFF = 6
# packet fields
(PK_MSG, PK_SEQ, PK_SRC, PK_DEST, PK_ROUTE, PK_NFL, PK_CTIME, PK_ITIME, PK_COPYDST, PK_LEFT, PK_LOG,
 PK_RECORD, PK_VLO, PK_VHI) = range(14)
NPF = 14
# per node fields
(N_QH, N_QC, N_NEXTF, N_CURVC, N_LASTVC, N_UNITFREE, N_RR, N_DRAMFREE, N_RQ, N_PIPE, N_BLO, N_BHI, N_ACT,
 N_INJ, N_QTIME, N_QDRAINED, N_INMASK, N_OMASK, N_X, N_Y, N_PEI, N_ACTW) = range(22)
NNF = 22  # N_ACTW: active routers as bit words (word w in column w: routers 64 w .. 64 w + 63)
# block fields
(B_PE, B_START, B_END, B_PC, B_STATE, B_RESUME, B_WKIND, B_DONE, B_FIRST, B_ISSUE, B_SP) = range(11)
NBF = 11
BS_READY, BS_WAIT, BS_RECV, BS_SEND, BS_DONE = range(5)
W_ISSUE, W_COMPUTE, W_MEM = range(3)
CAT_BUSY, CAT_SEND, CAT_RECV, CAT_MEM, CAT_IDLE = range(5)
# message fields
M_SRC, M_NFL, M_MODE, M_DPTR, M_DEND, M_RPTR, M_REND, M_SLOT, M_SEQ, M_VLO, M_VHI = range(11)
NMF = 11
# event kinds
EV_RFLIT, EV_RCRED, EV_TFLIT, EV_TCRED = range(4)
# run status
ST_RUNNING, ST_DONE, ST_DEADLOCK, ST_LIMIT = 0, 1, 2, 3


@njit(cache=True, inline='always', _nrt=False)
def _ctz(x):
    """Index of the lowest set bit of a non-zero int64 (LLVM cttz: one tzcnt/bsf instruction)."""
    return trailing_zeros(x)


@njit(cache=True, inline='always', _nrt=False)
def _inc(x, n):
    """(x + 1) % n for 0 <= x < n, without a division."""
    y = x + 1
    return 0 if y == n else y


@njit(cache=True, inline='always', _nrt=False)
def _first_from(mask, ptr):
    """Lowest set bit at or after `ptr`, wrapping around (mask != 0)."""
    hi = mask & ~((np.int64(1) << ptr) - 1) if ptr < 63 else mask & (np.int64(1) << 63)
    if hi != 0:
        return _ctz(hi)
    return _ctz(mask)


# ------------------------------------------------------------------------------------------------
# small containers
# ------------------------------------------------------------------------------------------------

@njit(cache=True, inline='always', _nrt=False)
def _post(ev, evc, sc, cf, when, kind, a, b, c):
    s = when & (cf[C_WS] - 1)
    n = evc[s]
    ev[s, n, 0] = kind
    ev[s, n, 1] = a
    ev[s, n, 2] = b
    ev[s, n, 3] = c
    evc[s] = n + 1
    sc[S_EVTOTAL] += 1


@njit(cache=True, inline='always', _nrt=False)
def _new_flit(fl, flfree, sc):
    n = sc[S_FLFREE] - 1
    sc[S_FLFREE] = n
    return flfree[n]


@njit(cache=True, inline='always', _nrt=False)
def _free_flit(flfree, sc, f):
    flfree[sc[S_FLFREE]] = f
    sc[S_FLFREE] += 1


@njit(cache=True, _nrt=False)
def _new_packet(pk, pkfree, sc):
    n = sc[S_PKFREE] - 1
    sc[S_PKFREE] = n
    return pkfree[n]


@njit(cache=True, _nrt=False)
def _free_packet(pkfree, sc, p):
    pkfree[sc[S_PKFREE]] = p
    sc[S_PKFREE] += 1


@njit(cache=True, inline='always', _nrt=False)
def _activate(nod, sc, r):
    if nod[N_ACT, r] == 0:
        nod[N_ACT, r] = 1
        nod[N_ACTW, r >> 6] |= np.int64(1) << (r & 63)
        sc[S_NACTIVE] += 1


# ------------------------------------------------------------------------------------------------
# channels
# ------------------------------------------------------------------------------------------------

@njit(cache=True, inline='always', _nrt=False)
def _neighbour(r, port, W):
    """Router behind mesh port 0 (+x), 1 (-x), 2 (+y), 3 (-y) of router r, by arithmetic (no branches)."""
    step = 1 + (W - 1) * (port >> 1)
    return r + (1 - 2 * (port & 1)) * step


@njit(cache=True, inline='always', _nrt=False)
def _send_router_flit(cf, sc, ev, evc, link, r, port, f, t):
    """Put flit f on output `port` of router r in cycle t (it arrives at t + 1 + latency)."""
    # branch-free on the (unpredictable) port: selects instead of a 5-way branch
    local = port == PL
    nb = _neighbour(r, port, cf[C_W])
    _post(ev, evc, sc, cf, t + 2 if local else t + 1 + cf[C_L], EV_TFLIT if local else EV_RFLIT,
          r if local else nb, 0 if local else port ^ 1, f)


@njit(cache=True, inline='always', _nrt=False)
def _send_credit(cf, sc, ev, evc, r, in_port, vc, t):
    sc[S_CREDITS] += 1
    local = in_port == PL
    nb = _neighbour(r, in_port, cf[C_W])
    _post(ev, evc, sc, cf, t + 2 if local else t + 1 + cf[C_L], EV_TCRED if local else EV_RCRED,
          r if local else nb, 0 if local else in_port ^ 1, vc)


@njit(cache=True, inline='always', _nrt=False)
def _bs_credit(bs, cf, idx):
    bs[idx, O_OCC] -= 1
    if cf[C_WAITTAIL] != 0 and bs[idx, O_OCC] == 0 and bs[idx, O_TAIL] != 0:
        bs[idx, O_INUSE] = -1


@njit(cache=True, inline='always', _nrt=False)
def _bs_sending(bs, cf, idx, tail):
    bs[idx, O_OCC] += 1
    if tail != 0:
        bs[idx, O_TAIL] = 1
        if cf[C_WAITTAIL] == 0:
            bs[idx, O_INUSE] = -1


# ------------------------------------------------------------------------------------------------
# routing
# ------------------------------------------------------------------------------------------------

@njit(cache=True, inline='always', _nrt=False)
def _xy_port(nod, cur, dst):
    cx = nod[N_X, cur]
    cy = nod[N_Y, cur]
    dx = nod[N_X, dst]
    dy = nod[N_Y, dst]
    # dimension order: x first (0: +x, 1: -x), then y (2: +y, 3: -y), else local; arithmetic instead of
    # branches on the (random) destination
    xd = np.int64(dx != cx)
    yd = np.int64(dy != cy)
    return xd * np.int64(dx < cx) + (1 - xd) * (yd * (2 + np.int64(dy < cy)) + (1 - yd) * PL)


@njit(cache=True, inline='always', _nrt=False)
def _route_mask(cf, nod, pk, msg, rnode, rmask, r, p):
    m = pk[p, PK_ROUTE]
    if m < 0:
        return np.int64(1) << _xy_port(nod, r, pk[p, PK_DEST])
    lo = msg[M_RPTR, m]
    hi = msg[M_REND, m] - 1
    while lo <= hi:
        mid = (lo + hi) >> 1
        nd = rnode[mid]
        if nd == r:
            return rmask[mid]
        if nd < r:
            lo = mid + 1
        else:
            hi = mid - 1
    return np.int64(0)


# ------------------------------------------------------------------------------------------------
# the router (BookSim IQRouter::_InternalStep + WriteOutputs)
# ------------------------------------------------------------------------------------------------

@njit(cache=True, inline='always', _nrt=False)
def _crossbar_evaluate(r, t, cf, rq):
    """With no crossbar batch pending, the waiting flit list becomes the batch (completion t + delay - 1)."""
    if rq[r, RQ_XBN] == 0 and rq[r, RQ_XWN] != 0:
        rq[r, RQ_XSEL] ^= 1
        rq[r, RQ_XBN] = rq[r, RQ_XWN]
        rq[r, RQ_XWN] = 0
        rq[r, RQ_XT] = t + cf[C_X] - 1


@njit(cache=True, inline='always', _nrt=False)
def _router_step(r, t, cf, sc, nod, vcs, vbuf, ob, xl, rq, obuf, obhc, pcq, pchc, inf, alp, fl, flfree, pk,
                 msg, rnode, rmask, ev, evc, link, scr):
    """BookSim IQRouter::_InternalStep + WriteOutputs for router r at cycle t.

    BookSim keeps a deque per stage (routing, VC allocation, switch allocation, crossbar) whose content is
    always one batch of entries evaluated together (same completion time) followed by entries waiting
    for evaluation; an evaluation happens only when no batch is pending. Each stage is therefore two VC
    bitmasks (batch, waiting) and a completion time; the crossbar stage holds flits in two small lists.
    Within a batch the processing order does not change any outcome."""
    V = cf[C_NV]
    DM = vbuf.shape[1] - 1
    PV = P * V
    base = r * PV
    branch = cf[C_BRANCH] != 0
    one = np.int64(1)
    # ---- input queuing ----
    im = nod[N_INMASK, r]
    nod[N_INMASK, r] = 0
    while im != 0:
        port = _ctz(im)
        im &= im - 1
        f = inf[r * P + port]
        inf[r * P + port] = -1
        vc = fl[f, FL_VC]
        item = port * V + vc
        u = base + item
        bc = vcs[u, V_BC]
        vbuf[u, (vcs[u, V_BH] + bc) & DM] = f
        vcs[u, V_BC] = bc + 1
        st = vcs[u, V_STATE]
        bit = one << item
        if st == IDLE:
            vcs[u, V_STATE] = ROUTING
            rq[r, RQ_RW] |= bit
        elif bc == 0 and ((rq[r, RQ_SW] | rq[r, RQ_SB]) & bit) == 0 and (
                st == ACTIVE or (branch and st == VC_ALLOC and vcs[u, V_VCMASK] != 0)):
            rq[r, RQ_SW] |= bit
    CAPC = cf[C_CAPC]
    while pchc[1, r] > 0:  # credits whose delay has elapsed
        h = pchc[0, r]
        if pcq[0, r, h] > t:
            break
        _bs_credit(ob, cf, base + pcq[1, r, h] * V + pcq[2, r, h])
        pchc[1, r] -= 1
        pchc[0, r] = (h + 1) & (CAPC - 1) if pchc[1, r] > 0 else 0
    # ---- evaluate ----
    if rq[r, RQ_RB] == 0 and rq[r, RQ_RW] != 0:
        rq[r, RQ_RB] = rq[r, RQ_RW]
        rq[r, RQ_RW] = 0
        rq[r, RQ_RT] = t + cf[C_R] - 1
    if rq[r, RQ_AB] == 0:
        if rq[r, RQ_AW] != 0:
            rq[r, RQ_AB] = rq[r, RQ_AW]
            rq[r, RQ_AW] = 0
            rq[r, RQ_AT] = t + cf[C_VA] - 1
            _va_evaluate(r, cf, sc, vcs, ob, rq, alp, scr)
    elif rq[r, RQ_AT] == t and cf[C_VA] > 1:
        _va_recheck(r, cf, vcs, ob, rq)
    if rq[r, RQ_SB] == 0:
        if rq[r, RQ_SW] != 0:
            rq[r, RQ_SB] = rq[r, RQ_SW]
            rq[r, RQ_SW] = 0
            rq[r, RQ_ST] = t + cf[C_SA] - 1
            _sa_evaluate(r, cf, vcs, ob, rq, alp, scr)
    elif rq[r, RQ_ST] == t and cf[C_SA] > 1:
        _sa_recheck(r, cf, vcs, ob, rq)
    mc = cf[C_MC] != 0
    if not mc:
        _crossbar_evaluate(r, t, cf, rq)
    # ---- update: routing ----
    if rq[r, RQ_RB] != 0 and rq[r, RQ_RT] == t:
        m = rq[r, RQ_RB]
        rq[r, RQ_RB] = 0
        while m != 0:
            item = _ctz(m)
            m &= m - 1
            u = base + item
            f = vbuf[u, vcs[u, V_BH]]
            pf = fl[f, FL_PKT]
            vcs[u, V_RMASK] = _route_mask(cf, nod, pk, msg, rnode, rmask, r, pf)
            vcs[u, V_CMASK] = (one << (pk[pf, PK_VHI] + 1)) - (one << pk[pf, PK_VLO])
            vcs[u, V_STATE] = VC_ALLOC
            rq[r, RQ_AW] |= one << item
    # ---- update: VC allocation ----
    if rq[r, RQ_AB] != 0 and rq[r, RQ_AT] == t:
        m = rq[r, RQ_AB]
        rq[r, RQ_AB] = 0
        while m != 0:
            item = _ctz(m)
            m &= m - 1
            u = base + item
            res = vcs[u, V_VARES]
            bit = one << item
            if res > 0:
                mm = res
                while mm != 0:
                    p = _ctz(mm)
                    mm &= mm - 1
                    ovc = vcs[u, V_GR + p]
                    oi = base + p * V + ovc
                    ob[oi, O_INUSE] = item
                    ob[oi, O_TAIL] = 0
                    vcs[u, V_OUT + p] = ovc
                vcs[u, V_VCMASK] |= res
                if vcs[u, V_VCMASK] == vcs[u, V_RMASK]:
                    vcs[u, V_STATE] = ACTIVE
                else:
                    rq[r, RQ_AW] |= bit
                if (vcs[u, V_STATE] == ACTIVE or branch) and ((rq[r, RQ_SW] | rq[r, RQ_SB]) & bit) == 0:
                    rq[r, RQ_SW] |= bit
            else:
                rq[r, RQ_AW] |= bit
    # ---- update: switch allocation ----
    if rq[r, RQ_SB] != 0 and rq[r, RQ_ST] == t:
        m = rq[r, RQ_SB]
        rq[r, RQ_SB] = 0
        wsel = 1 - rq[r, RQ_XSEL]
        xdirect = cf[C_X] == 1
        xwhen = t if mc else t + 1
        while m != 0:
            item = _ctz(m)
            m &= m - 1
            u = base + item
            port = scr[7, item]
            vc = item - port * V
            bit = one << item
            res = vcs[u, V_SARES]
            if res <= 0:
                rq[r, RQ_SW] |= bit
                continue
            bh = vcs[u, V_BH]
            f = vbuf[u, bh]
            single = vcs[u, V_RMASK] == res and vcs[u, V_SENT] == 0 and (res & (res - 1)) == 0
            mm = res
            while mm != 0:
                p = _ctz(mm)
                mm &= mm - 1
                if single:
                    g = f
                else:
                    g = _new_flit(fl, flfree, sc)
                    for k in range(NFF):
                        fl[g, k] = fl[f, k]
                    sc[S_FLITS] += 1
                fl[g, FL_HOPS] = fl[f, FL_HOPS] + 1
                ovc = vcs[u, V_OUT + p]
                fl[g, FL_VC] = ovc
                _bs_sending(ob, cf, base + p * V + ovc, fl[g, FL_TAIL])
                link[r, p] += 1
                sc[S_MOVED] = 1
                if xdirect:
                    # 1-cycle crossbar: the flit always leaves in the next cycle (the MC router: in this
                    # cycle); no queueing is possible, since an output port is granted once per cycle
                    _send_router_flit(cf, sc, ev, evc, link, r, p, g, xwhen)
                else:
                    n = rq[r, RQ_XWN]
                    xl[r, wsel, n, 0] = g
                    xl[r, wsel, n, 1] = p
                    rq[r, RQ_XWN] = n + 1
            vcs[u, V_SENT] |= res
            if vcs[u, V_SENT] != vcs[u, V_RMASK]:
                rq[r, RQ_SW] |= bit
                continue
            tail = fl[f, FL_TAIL]
            if not single:
                sc[S_FLITS] -= 1
                _free_flit(flfree, sc, f)
            vcs[u, V_BC] -= 1
            vcs[u, V_BH] = (bh + 1) & DM if vcs[u, V_BC] > 0 else 0
            vcs[u, V_SENT] = 0
            _send_credit(cf, sc, ev, evc, r, port, vc, t)
            if vcs[u, V_BC] == 0:
                if tail != 0:
                    vcs[u, V_STATE] = IDLE
                    vcs[u, V_RMASK] = 0
                    vcs[u, V_VCMASK] = 0
            elif tail != 0:
                vcs[u, V_RMASK] = 0
                vcs[u, V_VCMASK] = 0
                vcs[u, V_STATE] = ROUTING
                rq[r, RQ_RW] |= bit
            else:
                rq[r, RQ_SW] |= bit
    # ---- update: crossbar ----
    if mc:
        _crossbar_evaluate(r, t, cf, rq)
    CAPO = cf[C_CAPO]
    if rq[r, RQ_XBN] != 0 and rq[r, RQ_XT] == t:
        bsel = rq[r, RQ_XSEL]
        for i in range(rq[r, RQ_XBN]):
            g = xl[r, bsel, i, 0]
            p = xl[r, bsel, i, 1]
            q = r * P + p
            obuf[q, (obhc[0, q] + obhc[1, q]) & (CAPO - 1)] = g
            obhc[1, q] += 1
            nod[N_OMASK, r] |= one << p
        rq[r, RQ_XBN] = 0
    # ---- write outputs: one flit per output port ----
    om = nod[N_OMASK, r]
    while om != 0:
        p = _ctz(om)
        om &= om - 1
        q = r * P + p
        h = obhc[0, q]
        g = obuf[q, h]
        obhc[1, q] -= 1
        if obhc[1, q] == 0:
            obhc[0, q] = 0
            nod[N_OMASK, r] &= ~(one << p)
        else:
            obhc[0, q] = (h + 1) & (CAPO - 1)
        _send_router_flit(cf, sc, ev, evc, link, r, p, g, t)
    return (rq[r, RQ_RW] | rq[r, RQ_RB] | rq[r, RQ_AW] | rq[r, RQ_AB] | rq[r, RQ_SW] | rq[r, RQ_SB]
            | rq[r, RQ_XWN] | rq[r, RQ_XBN] | pchc[1, r] | nod[N_OMASK, r]) != 0


@njit(cache=True, inline='always', _nrt=False)
def _free_vcs(ob, port_base, lo, hi):
    """The output VCs lo..hi of one output port (state rows port_base + vc) not held by a packet (bit per VC)."""
    a = np.int64(0)
    for ovc in range(lo, hi + 1):
        if ob[port_base + ovc, O_INUSE] < 0:
            a |= np.int64(1) << ovc
    return a


@njit(cache=True, inline='always', _nrt=False)
def _switch_candidates(u, base, V, D, branch, vcs, ob):
    """The output ports input VC row u may request in switch allocation; 0: no credit (STALL_FULL).
    Branch mode: the allocated, not yet sent branches whose output VC has a credit; synchronous: all its
    route ports, if every one has a credit."""
    one = np.int64(1)
    if branch:
        m = vcs[u, V_VCMASK] & ~vcs[u, V_SENT]
        cand = np.int64(0)
        while m != 0:
            p = _ctz(m)
            m &= m - 1
            if ob[base + p * V + vcs[u, V_OUT + p], O_OCC] < D:
                cand |= one << p
        return cand
    m = vcs[u, V_RMASK]
    while m != 0:
        p = _ctz(m)
        m &= m - 1
        if ob[base + p * V + vcs[u, V_OUT + p], O_OCC] >= D:
            return np.int64(0)
    return vcs[u, V_RMASK]


@njit(cache=True, inline='always', _nrt=False)
def _accept_one_per_port(g, ptr, scr):
    """VC-allocation accept: an input takes its granted output VCs `g` in round-robin order from `ptr`,
    at most one per output port (scr[7, w]: the port of output VC w); returns (taken, first taken)."""
    one = np.int64(1)
    chosen = np.int64(0)
    ports = np.int64(0)
    first = -1
    while g != 0:
        w = _first_from(g, ptr)
        g &= ~(one << w)
        p = scr[7, w]
        if (ports >> p) & 1 == 0:
            ports |= one << p
            chosen |= one << w
            if first < 0:
                first = w
    return chosen, first


@njit(cache=True, inline='always', _nrt=False)
def _move_va_pointers(alp, r, PV, u, chosen, first):
    """iSLIP pointer update for input u that accepted `chosen` (first in round-robin order: `first`):
    each taken output's grant pointer goes past u, u's accept pointer past `first`."""
    while chosen != 0:
        w = _ctz(chosen)
        chosen &= chosen - 1
        alp[r, w] = _inc(u, PV)
    alp[r, PV + u] = _inc(first, PV)


@njit(cache=True, inline='always', _nrt=False)
def _va_evaluate(r, cf, sc, vcs, ob, rq, alp, scr):
    """VC allocation for the batch: requests for every free output VC (in the VC range) at each needed
    port; iSLIP; results (granted port mask or a stall code) in V_VARES, chosen VCs in V_GR."""
    V = cf[C_NV]
    PV = P * V
    base = r * PV
    lo = cf[C_VLO]
    hi = cf[C_VHI]
    one = np.int64(1)
    if cf[C_MC] != 0:
        _va_fixed_priority(r, cf, sc, vcs, ob, rq)
        return
    have_avail = np.int64(0)
    batch = rq[r, RQ_AB]
    if batch & (batch - 1) == 0:
        # one requester needing one port (the common case): no conflict is possible
        item = _ctz(batch)
        u = base + item
        need = vcs[u, V_RMASK] & ~vcs[u, V_VCMASK]
        if need != 0 and need & (need - 1) == 0:
            p = _ctz(need)
            ws = (_free_vcs(ob, base + p * V, lo, hi) & vcs[u, V_CMASK]) << (p * V)
            if ws == 0:
                vcs[u, V_VARES] = STALL_BUSY
                return
            w = _first_from(ws, alp[r, PV + item])
            alp[r, w] = _inc(item, PV)
            alp[r, PV + item] = _inc(w, PV)
            vcs[u, V_GR + p] = w - p * V
            vcs[u, V_VARES] = one << p
            return
    requesters = np.int64(0)
    seen = np.int64(0)
    conflict = False
    multi = np.int64(0)
    m = batch
    while m != 0:
        item = _ctz(m)
        m &= m - 1
        u = base + item
        need = vcs[u, V_RMASK] & ~vcs[u, V_VCMASK]
        cm = vcs[u, V_CMASK]
        is_multi = need & (need - 1) != 0
        ws = np.int64(0)
        while need != 0:
            p = _ctz(need)
            need &= need - 1
            if (have_avail >> p) & 1 == 0:
                scr[4, p] = _free_vcs(ob, base + p * V, lo, hi)
                have_avail |= one << p
            ws |= (scr[4, p] & cm) << (p * V)
        if is_multi:
            multi |= one << item
        elif ws == 0:
            vcs[u, V_VARES] = STALL_BUSY
        else:
            scr[0, item] = ws
            requesters |= one << item
            if ws & seen:
                conflict = True
            seen |= ws
    if multi != 0:
        # branching packets first, all-or-nothing, in round-robin order: each takes the lowest free VC
        # of its class at every port it needs, or nothing (no hold-and-wait); the other requests then
        # lose the VCs taken
        taken = np.int64(0)
        ptr = alp[r, 2 * PV + 3 * P]
        first = -1
        mm = multi
        while mm != 0:
            item = _first_from(mm, ptr)
            mm &= ~(one << item)
            u = base + item
            need = vcs[u, V_RMASK] & ~vcs[u, V_VCMASK]
            cm = vcs[u, V_CMASK]
            ok = True
            nn = need
            while nn != 0:
                p = _ctz(nn)
                nn &= nn - 1
                if scr[4, p] & cm == 0:
                    ok = False
                    break
            if ok:
                nn = need
                while nn != 0:
                    p = _ctz(nn)
                    nn &= nn - 1
                    ovc = _ctz(scr[4, p] & cm)
                    scr[4, p] &= ~(one << ovc)
                    taken |= one << (p * V + ovc)
                    vcs[u, V_GR + p] = ovc
                vcs[u, V_VARES] = need
                if first < 0:
                    first = item
            else:
                vcs[u, V_VARES] = STALL_BUSY
        if first >= 0:
            alp[r, 2 * PV + 3 * P] = _inc(first, PV)
        if taken != 0:
            mm = requesters
            while mm != 0:
                item = _ctz(mm)
                mm &= mm - 1
                ws = scr[0, item] & ~taken
                scr[0, item] = ws
                if ws == 0:
                    vcs[base + item, V_VARES] = STALL_BUSY
                    requesters &= ~(one << item)
    if requesters == 0:
        return
    if conflict:
        # several inputs want the same output VC: full iSLIP
        for i in range(PV):
            scr[1, i] = 0
        m = requesters
        while m != 0:
            item = _ctz(m)
            m &= m - 1
            scr[3, item] = 0
            scr[2, item] = 0
            mm = scr[0, item]
            while mm != 0:
                w = _ctz(mm)
                mm &= mm - 1
                scr[1, w] |= one << item
        _islip_va(PV, alp, r, cf[C_ITERS], V, scr, requesters)
    else:
        # every request is granted; each input accepts in round-robin order, one output VC per port
        m = requesters
        while m != 0:
            u = _ctz(m)
            m &= m - 1
            chosen, first = _accept_one_per_port(scr[0, u], alp[r, PV + u], scr)
            scr[3, u] = chosen
            _move_va_pointers(alp, r, PV, u, chosen, first)
    m = requesters
    while m != 0:
        item = _ctz(m)
        m &= m - 1
        u = base + item
        acc = scr[3, item]
        if acc != 0:
            mask = np.int64(0)
            while acc != 0:
                w = _ctz(acc)
                acc &= acc - 1
                p = scr[7, w]
                vcs[u, V_GR + p] = w - p * V
                mask |= one << p
            vcs[u, V_VARES] = mask
        else:
            vcs[u, V_VARES] = STALL_CONFLICT


@njit(cache=True, _nrt=False)
def _va_fixed_priority(r, cf, sc, vcs, ob, rq):
    """spatial_sim's MultiOutputSparseAllocator for VC allocation: input VCs in index order; at every port
    it needs an input VC draws one VC of its class at random (spatial_sim: `rand()`) and waits if that VC is
    in use, or if an earlier input VC was granted it in this allocation; else it takes them all."""
    V = cf[C_NV]
    base = r * P * V
    one = np.int64(1)
    taken = np.int64(0)  # output VCs (bit p * V + vc) granted in this allocation
    m = rq[r, RQ_AB]
    while m != 0:
        item = _ctz(m)
        m &= m - 1
        u = base + item
        need = vcs[u, V_RMASK] & ~vcs[u, V_VCMASK]
        cm = vcs[u, V_CMASK]
        c_lo = _ctz(cm)
        count = _ctz(~(cm >> c_lo))  # the class is a contiguous VC range
        want = np.int64(0)
        ok = True
        nn = need
        while nn != 0:
            p = _ctz(nn)
            nn &= nn - 1
            ovc = c_lo + _xorshift_below(sc, S_MCRNG, count) if count > 1 else c_lo
            if ob[base + p * V + ovc, O_INUSE] >= 0:
                ok = False
                break
            want |= one << (p * V + ovc)
        if not ok:
            vcs[u, V_VARES] = STALL_BUSY
        elif want & taken != 0:
            vcs[u, V_VARES] = STALL_CONFLICT
        else:
            taken |= want
            nn = need
            while nn != 0:
                p = _ctz(nn)
                nn &= nn - 1
                vcs[u, V_GR + p] = _ctz(want >> (p * V))
            vcs[u, V_VARES] = need


@njit(cache=True, _nrt=False)
def _sa_fixed_priority(r, cf, vcs, ob, rq):
    """spatial_sim's MultiOutputSparseAllocator for switch allocation, over input VCs (several VCs of one
    input port may cross in a cycle): in index order, a flit takes all its output ports unless an earlier
    input VC took one of them."""
    V = cf[C_NV]
    D = cf[C_D]
    branch = cf[C_BRANCH] != 0
    base = r * P * V
    used = np.int64(0)
    m = rq[r, RQ_SB]
    while m != 0:
        item = _ctz(m)
        m &= m - 1
        u = base + item
        cand = _switch_candidates(u, base, V, D, branch, vcs, ob)
        if cand == 0:
            vcs[u, V_SARES] = STALL_FULL
        elif cand & used != 0:
            vcs[u, V_SARES] = STALL_XBAR
        else:
            used |= cand
            vcs[u, V_SARES] = cand


@njit(cache=True, _nrt=False)
def _va_recheck(r, cf, vcs, ob, rq):
    """vc_alloc_delay > 1: grants whose output VC was taken meanwhile are dropped."""
    V = cf[C_NV]
    base = r * P * V
    m = rq[r, RQ_AB]
    while m != 0:
        item = _ctz(m)
        m &= m - 1
        u = base + item
        res = vcs[u, V_VARES]
        if res > 0:
            mm = res
            while mm != 0:
                p = _ctz(mm)
                mm &= mm - 1
                if ob[base + p * V + vcs[u, V_GR + p], O_INUSE] >= 0:
                    res &= ~(np.int64(1) << p)
            full = vcs[u, V_VARES]
            # a branching packet's grants are all-or-nothing
            vcs[u, V_VARES] = res if res != 0 and (res == full or (full & (full - 1)) == 0) else STALL_BUSY


@njit(cache=True, _nrt=False)
def _islip_va(PV, alp, r, iters, V, scr, requesters):
    """Full iSLIP for VC allocation (inputs and outputs are port * V + vc). scr[0]: requests per input,
    scr[1]: requesting inputs per output, scr[2]: grants per input, scr[3]: accepted outputs."""
    one = np.int64(1)
    in_matched = np.int64(0)
    out_matched = np.int64(0)
    for it in range(iters):
        for w in range(PV):
            if scr[1, w] == 0 or (out_matched >> w) & 1:
                continue
            cand = scr[1, w] & ~in_matched
            if cand == 0:
                continue
            u = _first_from(cand, alp[r, w])
            scr[2, u] |= one << w
        m_in = requesters & ~in_matched
        while m_in != 0:
            u = _ctz(m_in)
            m_in &= m_in - 1
            g = scr[2, u]
            scr[2, u] = 0
            if g == 0:
                continue
            chosen, first = _accept_one_per_port(g, alp[r, PV + u], scr)
            scr[3, u] = chosen
            in_matched |= one << u
            out_matched |= chosen
            if it == 0:
                _move_va_pointers(alp, r, PV, u, chosen, first)
        m_in = requesters & in_matched
        while m_in != 0:
            u = _ctz(m_in)
            m_in &= m_in - 1
            scr[2, u] = 0


@njit(cache=True, inline='always', _nrt=False)
def _sa_evaluate(r, cf, vcs, ob, rq, alp, scr):
    """Switch allocation for the batch: one request per (input port, output port) chosen by BookSim's
    round-robin Supersedes among the input's VCs; iSLIP over ports; results in V_SARES."""
    V = cf[C_NV]
    D = cf[C_D]
    PV = P * V
    base = r * PV
    branch = cf[C_BRANCH] != 0
    one = np.int64(1)
    rr_off = 2 * PV + 2 * P
    if cf[C_MC] != 0:
        _sa_fixed_priority(r, cf, vcs, ob, rq)
        return
    sb = rq[r, RQ_SB]
    if not branch and sb & (sb - 1) == 0:
        # one requester going to one port (the common case): iSLIP grants and accepts it
        item = _ctz(sb)
        u = base + item
        cand = vcs[u, V_RMASK]
        if cand != 0 and cand & (cand - 1) == 0:
            p = _ctz(cand)
            if ob[base + p * V + vcs[u, V_OUT + p], O_OCC] >= D:
                vcs[u, V_SARES] = STALL_FULL
                return
            port = scr[7, item]
            vcs[u, V_SARES] = cand
            alp[r, 2 * PV + p] = _inc(port, P)
            alp[r, 2 * PV + P + port] = _inc(p, P)
            alp[r, rr_off + port] = _inc(item - port * V, V)
            return
    for i in range(P):
        scr[0, i] = 0
        scr[1, i] = 0
    any_req = False
    multi = np.int64(0)
    m0 = rq[r, RQ_SB]
    while m0 != 0:
        item = _ctz(m0)
        m0 &= m0 - 1
        u = base + item
        cand = _switch_candidates(u, base, V, D, branch, vcs, ob)
        if cand == 0:
            vcs[u, V_SARES] = STALL_FULL
            continue
        if not branch and cand & (cand - 1):
            multi |= one << item
            vcs[u, V_SARES] = -1
            scr[4, item] = cand
            continue
        vcs[u, V_SARES] = -1
        port = scr[7, item]
        vc = item - port * V
        off = alp[r, rr_off + port]
        while cand != 0:
            p = _ctz(cand)
            cand &= cand - 1
            bit = one << p
            if scr[0, port] & bit == 0:
                scr[0, port] |= bit
                scr[1, p] |= one << port
                scr[5, port * P + p] = vc
            else:
                old = scr[5, port * P + p]
                d1 = vc - off
                if d1 < 0:
                    d1 += V
                d2 = old - off
                if d2 < 0:
                    d2 += V
                if d1 < d2:
                    scr[5, port * P + p] = vc
        any_req = True
    if multi != 0:
        # synchronous branching flits first, all-or-nothing, in round-robin order: a flit takes its input
        # port and all its output ports, or waits (no split grants that could repeat forever); the other
        # requests then lose those ports
        in_used = np.int64(0)
        out_used = np.int64(0)
        ptr = alp[r, 2 * PV + 3 * P + 1]
        first = -1
        mm = multi
        while mm != 0:
            item = _first_from(mm, ptr)
            mm &= ~(one << item)
            u = base + item
            port = scr[7, item]
            cand = scr[4, item]
            if (in_used >> port) & 1 == 0 and cand & out_used == 0:
                in_used |= one << port
                out_used |= cand
                vcs[u, V_SARES] = cand
                alp[r, rr_off + port] = _inc(item - port * V, V)
                if first < 0:
                    first = item
            else:
                vcs[u, V_SARES] = STALL_XBAR
        if first >= 0:
            alp[r, 2 * PV + 3 * P + 1] = _inc(first, PV)
        if in_used != 0:
            any_req = False
            for i in range(P):
                scr[1, i] = 0
            for i in range(P):
                x = scr[0, i] & ~out_used if (in_used >> i) & 1 == 0 else np.int64(0)
                scr[0, i] = x
                while x != 0:
                    o = _ctz(x)
                    x &= x - 1
                    scr[1, o] |= one << i
                    any_req = True
    if not any_req:
        return
    simple = True
    for i in range(P):
        x = scr[0, i]
        y = scr[1, i]
        if (x & (x - 1)) != 0 or (y & (y - 1)) != 0:
            simple = False
    if simple:
        # single requests forming a matching: iSLIP grants and accepts each of them
        for i in range(P):
            x = scr[0, i]
            scr[3, i] = x
            if x != 0:
                o = _ctz(x)
                alp[r, 2 * PV + o] = _inc(i, P)
                alp[r, 2 * PV + P + i] = _inc(o, P)
    else:
        _islip(P, P, alp, r, 2 * PV, 2 * PV + P, cf[C_ITERS], V, scr, vcs, base, branch)
    m0 = rq[r, RQ_SB] & ~multi
    while m0 != 0:
        item = _ctz(m0)
        m0 &= m0 - 1
        u = base + item
        if vcs[u, V_SARES] < -1:
            continue
        port = scr[7, item]
        vc = item - port * V
        acc = scr[3, port]
        if acc != 0 and scr[5, port * P + _ctz(acc)] == vc:
            vcs[u, V_SARES] = acc
            alp[r, rr_off + port] = _inc(vc, V)
        else:
            vcs[u, V_SARES] = STALL_XBAR


@njit(cache=True, _nrt=False)
def _sa_recheck(r, cf, vcs, ob, rq):
    """sw_alloc_delay > 1: grants whose output VC has no credit any more are dropped."""
    V = cf[C_NV]
    D = cf[C_D]
    base = r * P * V
    branch = cf[C_BRANCH] != 0
    m0 = rq[r, RQ_SB]
    while m0 != 0:
        item = _ctz(m0)
        m0 &= m0 - 1
        u = base + item
        res = vcs[u, V_SARES]
        if res > 0:
            m = res
            anyfull = False
            while m != 0:
                p = _ctz(m)
                m &= m - 1
                if ob[base + p * V + vcs[u, V_OUT + p], O_OCC] >= D:
                    anyfull = True
                    res &= ~(np.int64(1) << p)
            if branch:
                vcs[u, V_SARES] = res if res != 0 else STALL_FULL
            elif anyfull:
                vcs[u, V_SARES] = STALL_FULL


@njit(cache=True, _nrt=False)
def _islip(n_in, n_out, alp, r, goff, aoff, iters, V, scr, vcs, base, branch):
    """iSLIP for switch allocation with persistent pointers alp[r, goff + out] (grant) and
    alp[r, aoff + in] (accept): the first granted output's VC label takes all its granted outputs; a
    synchronous multicast VC only when all its route ports are granted. (VC allocation: `_islip_va`.)"""
    in_matched = np.int64(0)
    out_matched = np.int64(0)
    for i in range(n_in):
        scr[3, i] = 0
    for it in range(iters):
        for i in range(n_in):
            scr[2, i] = 0
        for w in range(n_out):
            scr[6, w] = -1
            if scr[1, w] == 0 or (out_matched >> w) & 1:
                continue
            cand = scr[1, w] & ~in_matched
            if cand == 0:
                continue
            u = _first_from(cand, alp[r, goff + w])
            scr[6, w] = u
            scr[2, u] |= np.int64(1) << w
        for u in range(n_in):
            g = scr[2, u]
            if g == 0 or (in_matched >> u) & 1:
                continue
            ptr = alp[r, aoff + u]
            chosen = np.int64(0)
            first = -1
            tried = np.int64(0)
            m = g
            while m != 0:
                w = _first_from(m, ptr)
                m &= ~(np.int64(1) << w)
                vc = scr[5, u * P + w]
                if (tried >> vc) & 1:
                    continue
                tried |= np.int64(1) << vc
                mine = np.int64(0)
                for x in range(P):
                    if (g >> x) & 1 and scr[5, u * P + x] == vc:
                        mine |= np.int64(1) << x
                if not branch:
                    need = vcs[base + u * V + vc, V_RMASK]
                    if mine & need != need:
                        continue
                chosen = mine
                first = w
                break
            if chosen == 0:
                continue
            scr[3, u] = chosen
            in_matched |= np.int64(1) << u
            out_matched |= chosen
            if it == 0:
                m = chosen
                while m != 0:
                    w = _ctz(m)
                    m &= m - 1
                    alp[r, goff + w] = _inc(u, n_in)
                alp[r, aoff + u] = _inc(first, n_out)


# ------------------------------------------------------------------------------------------------
# terminals: injection (BookSim TrafficManager::_Step) and events
# ------------------------------------------------------------------------------------------------

@njit(cache=True, inline='always', _nrt=False)
def _try_inject(node, p, t, cf, sc, nod, tb, fl, flfree, pk, ev, evc):
    """Inject the next flit of packet p from `node` if a VC and a credit allow; return the flit or -1."""
    V = cf[C_NV]
    D = cf[C_D]
    k = nod[N_NEXTF, node]
    tbase = node * V
    if k == 0:
        lo = pk[p, PK_VLO]
        hi = pk[p, PK_VHI]
        count = hi - lo + 1
        vc = -1
        lvc = nod[N_LASTVC, node]
        for i in range(1, count + 1):
            if lvc < lo or lvc > hi:
                cand = lo
            else:
                cand = lo + (lvc - lo + i) % count
            if tb[tbase + cand, O_INUSE] < 0 and tb[tbase + cand, O_OCC] < D:
                vc = cand
                break
        if vc < 0:
            return -1
    else:
        vc = nod[N_CURVC, node]
        if tb[tbase + vc, O_OCC] >= D:
            return -1
    tail = 1 if k == pk[p, PK_NFL] - 1 else 0
    f = _new_flit(fl, flfree, sc)
    fl[f, FL_PKT] = p
    fl[f, FL_HEAD] = 1 if k == 0 else 0
    fl[f, FL_TAIL] = tail
    fl[f, FL_VC] = vc
    fl[f, FL_HOPS] = 0
    fl[f, FL_ITIME] = t
    if k == 0:
        tb[tbase + vc, O_INUSE] = 0
        tb[tbase + vc, O_TAIL] = 0
        nod[N_LASTVC, node] = vc
        nod[N_CURVC, node] = vc
        pk[p, PK_ITIME] = t
    _bs_sending(tb, cf, tbase + vc, tail)
    nod[N_NEXTF, node] = 0 if tail else k + 1
    sc[S_FLITS] += 1
    nod[N_INJ, node] += 1
    sc[S_MOVED] = 1
    _post(ev, evc, sc, cf, t + 2, EV_RFLIT, node, PL, f)
    return f


@njit(cache=True, _nrt=False)
def _take_events(t, cf, sc, nod, ev, evc, inf, pcq, pchc, tb, ej, ob):
    """Deliver this cycle's events; terminal flit arrivals go to `ej` (returns their count)."""
    s = t & (cf[C_WS] - 1)
    n = evc[s]
    nej = 0
    CAPC = cf[C_CAPC]
    for i in range(n):
        kind = ev[s, i, 0]
        a = ev[s, i, 1]
        if kind == EV_RFLIT:
            inf[a * P + ev[s, i, 2]] = ev[s, i, 3]
            nod[N_INMASK, a] |= np.int64(1) << ev[s, i, 2]
            _activate(nod, sc, a)
        elif kind == EV_RCRED and cf[C_CD] == 0:
            sc[S_CREDITS] -= 1
            _bs_credit(ob, cf, (a * P + ev[s, i, 2]) * cf[C_NV] + ev[s, i, 3])
        elif kind == EV_RCRED:
            sc[S_CREDITS] -= 1
            c = pchc[1, a]
            pos = (pchc[0, a] + c) & (CAPC - 1)
            pcq[0, a, pos] = t + cf[C_CD]
            pcq[1, a, pos] = ev[s, i, 2]
            pcq[2, a, pos] = ev[s, i, 3]
            pchc[1, a] = c + 1
            _activate(nod, sc, a)
        elif kind == EV_TCRED:
            sc[S_CREDITS] -= 1
            _bs_credit(tb, cf, a * cf[C_NV] + ev[s, i, 3])
        else:
            ej[0, nej] = a
            ej[1, nej] = ev[s, i, 3]
            nej += 1
    sc[S_EVTOTAL] -= n
    evc[s] = 0
    return nej


@njit(cache=True, _nrt=False)
def _step_routers(t, cf, sc, nod, vcs, vbuf, ob, xl, rq, obuf, obhc, pcq, pchc, inf, alp, fl, flfree, pk,
                  msg, rnode, rmask, ev, evc, link, scr):
    # active routers in increasing order, from the bit words (routers only post events: no router
    # activates another one during this loop)
    N = cf[C_N]
    for w in range((N + 63) >> 6):
        m = nod[N_ACTW, w]
        while m != 0:
            b = _ctz(m)
            m &= m - 1
            r = (w << 6) + b
            if not _router_step(r, t, cf, sc, nod, vcs, vbuf, ob, xl, rq, obuf, obhc, pcq, pchc, inf, alp, fl,
                                flfree, pk, msg, rnode, rmask, ev, evc, link, scr):
                nod[N_ACT, r] = 0
                nod[N_ACTW, w] &= ~(np.int64(1) << b)
                sc[S_NACTIVE] -= 1


# ------------------------------------------------------------------------------------------------
# program mode: PEs
# ------------------------------------------------------------------------------------------------

@njit(cache=True, _nrt=False)
def _skip_markers(b, when, blk, stk, iop, iarg, iaux, sc):
    pc = blk[B_PC, b]
    end = blk[B_END, b]
    while pc < end:
        op = iop[pc]
        if op == OP_LOOP_BEGIN:
            cnt = iarg[pc]
            if cnt == 0:
                pc = iaux[pc] + 1
            else:
                sp = blk[B_SP, b]
                stk[0, b, sp] = pc
                stk[1, b, sp] = cnt
                blk[B_SP, b] = sp + 1
                pc += 1
        elif op == OP_LOOP_END:
            sp = blk[B_SP, b] - 1
            stk[1, b, sp] -= 1
            if stk[1, b, sp] > 0:
                pc = stk[0, b, sp] + 1
            else:
                blk[B_SP, b] = sp
                pc += 1
        else:
            blk[B_PC, b] = pc
            return
    blk[B_PC, b] = pc
    blk[B_STATE, b] = BS_DONE
    blk[B_DONE, b] = when
    sc[S_NDONE] += 1
    sc[S_MAXDONE] = max(sc[S_MAXDONE], when)


@njit(cache=True, _nrt=False)
def _advance(b, resume, kind, blk, stk, iop, iarg, iaux, sc):
    blk[B_PC, b] += 1
    blk[B_STATE, b] = BS_WAIT
    blk[B_RESUME, b] = resume
    blk[B_WKIND, b] = kind
    _skip_markers(b, resume, blk, stk, iop, iarg, iaux, sc)


@njit(cache=True, _nrt=False)
def _issued(b, t, blk, sc):
    sc[S_MOVED] = 1
    if blk[B_FIRST, b] < 0:
        blk[B_FIRST, b] = t


@njit(cache=True, _nrt=False)
def _enqueue(node, m, t, cf, sc, nod, niq, msg, mdst, pk, pkfree, plog):
    seq = msg[M_SEQ, m]
    msg[M_SEQ, m] = seq + 1
    nfl = msg[M_NFL, m]
    QC = cf[C_QC]
    copies = msg[M_MODE, m] == MODE_COPIES
    lo = msg[M_DPTR, m]
    hi = msg[M_DEND, m]
    ncopy = hi - lo if copies else 1
    for k in range(ncopy):
        p = _new_packet(pk, pkfree, sc)
        pk[p, PK_MSG] = m
        pk[p, PK_SEQ] = seq
        pk[p, PK_SRC] = node
        pk[p, PK_NFL] = nfl
        pk[p, PK_CTIME] = t
        pk[p, PK_ITIME] = -1
        pk[p, PK_RECORD] = 0
        pk[p, PK_VLO] = msg[M_VLO, m]
        pk[p, PK_VHI] = msg[M_VHI, m]
        if copies:
            d = mdst[lo + k]
            pk[p, PK_DEST] = d
            pk[p, PK_ROUTE] = -1
            pk[p, PK_COPYDST] = d
            pk[p, PK_LEFT] = nfl
        else:
            pk[p, PK_DEST] = mdst[lo] if hi - lo == 1 else -1
            pk[p, PK_ROUTE] = m
            pk[p, PK_COPYDST] = -1
            pk[p, PK_LEFT] = nfl * (hi - lo)
        li = sc[S_PLN]
        if li < cf[C_PLCAP]:
            plog[0, li] = m
            plog[1, li] = seq
            plog[2, li] = pk[p, PK_COPYDST]
            plog[3, li] = t
            plog[4, li] = -1
            pk[p, PK_LOG] = li
            sc[S_PLN] = li + 1
        else:
            pk[p, PK_LOG] = -1
        c = nod[N_QC, node]
        niq[node, (nod[N_QH, node] + c) % QC] = p
        nod[N_QC, node] = c + 1
        sc[S_QUEUED] += 1


@njit(cache=True, _nrt=False)
def _eject(node, f, t, cf, sc, nod, ev, evc, fl, flfree, pk, pkfree, msg, mdst, slots, dlog, plog, pwake):
    sc[S_FLITS] -= 1
    sc[S_EJECTED] += 1
    sc[S_MOVED] = 1
    sc[S_CREDITS] += 1
    _post(ev, evc, sc, cf, t + 2, EV_RCRED, node, PL, fl[f, FL_VC])
    p = fl[f, FL_PKT]
    at_head = cf[C_ATHEAD] != 0
    if (at_head and fl[f, FL_HEAD] != 0) or (not at_head and fl[f, FL_TAIL] != 0):
        m = pk[p, PK_MSG]
        lo = msg[M_DPTR, m]
        k = 0
        for j in range(lo, msg[M_DEND, m]):
            if mdst[j] == node:
                k = j - lo
                break
        slots[0, msg[M_SLOT, m] + k] += 1
        nod[N_RQ, node] += 1
        pi = nod[N_PEI, node]
        if pi >= 0 and pwake[pi] > t:
            pwake[pi] = t
        di = sc[S_DLN]
        if di < cf[C_DLCAP]:
            dlog[0, di] = m
            dlog[1, di] = pk[p, PK_SEQ]
            dlog[2, di] = node
            dlog[3, di] = t
            sc[S_DLN] = di + 1
    _free_flit(flfree, sc, f)
    pk[p, PK_LEFT] -= 1
    if pk[p, PK_LEFT] == 0:
        _free_packet(pkfree, sc, p)


@njit(cache=True, _nrt=False)
def _pe_step_focus(pe, t, cf, dram_bw, sc, nod, blk, stk, iop, iarg, iaux, niq, msg, mdst, slots, pk, pkfree,
                   plog, cand):
    blo = nod[N_BLO, pe]
    bhi = nod[N_BHI, pe]
    for b in range(blo, bhi):
        if blk[B_STATE, b] == BS_WAIT and blk[B_RESUME, b] <= t:
            blk[B_STATE, b] = BS_READY
    nc = 0
    for b in range(blo, bhi):
        st = blk[B_STATE, b]
        if st != BS_READY and st != BS_RECV and st != BS_SEND:
            continue
        pc = blk[B_PC, b]
        op = iop[pc]
        arg = iarg[pc]
        if op == OP_COMPUTE:
            blk[B_STATE, b] = BS_READY
            cand[nc] = b
            nc += 1
        elif op == OP_SEND:
            if nod[N_QC, pe] < cf[C_QCAP]:  # all copies of a `copies` message go in at once
                _enqueue(pe, arg, t, cf, sc, nod, niq, msg, mdst, pk, pkfree, plog)
                _issued(b, t, blk, sc)
                _advance(b, t + 1, W_ISSUE, blk, stk, iop, iarg, iaux, sc)
            else:
                blk[B_STATE, b] = BS_SEND
        elif op == OP_RECV:
            s = iaux[pc]
            if slots[0, s] > slots[1, s]:
                slots[1, s] += 1
                nod[N_RQ, pe] -= 1
                _issued(b, t, blk, sc)
                _advance(b, t + 1, W_ISSUE, blk, stk, iop, iarg, iaux, sc)
            else:
                blk[B_STATE, b] = BS_RECV
        else:
            start = max(t, nod[N_DRAMFREE, pe])
            dur = np.int64(np.ceil(arg / dram_bw))
            nod[N_DRAMFREE, pe] = start + dur
            _issued(b, t, blk, sc)
            _advance(b, max(start + dur + cf[C_DRAMLAT], t + 1), W_MEM, blk, stk, iop, iarg, iaux, sc)
    if nc > 0 and nod[N_UNITFREE, pe] <= t:
        nb = bhi - blo
        rr = nod[N_RR, pe]
        best = -1
        bestkey = nb + 1
        for i in range(nc):
            j = cand[i] - blo
            key = (j - rr + nb) % nb
            if key < bestkey:
                bestkey = key
                best = cand[i]
        n = iarg[blk[B_PC, best]]
        nod[N_UNITFREE, pe] = t + n
        nod[N_RR, pe] = (best - blo + 1) % nb
        _issued(best, t, blk, sc)
        _advance(best, t + max(n, 1), W_COMPUTE, blk, stk, iop, iarg, iaux, sc)


@njit(cache=True, _nrt=False)
def _pe_next_wake(pe, t, nod, blk):
    """The next cycle at which stepping PE `pe` could change its state or statistics category, apart from
    packet deliveries and injection-queue space (which wake it explicitly)."""
    w = np.int64(1) << 62
    uf = nod[N_UNITFREE, pe]
    if uf > t:
        w = uf
    ready_at = max(t + 1, uf)
    for b in range(nod[N_BLO, pe], nod[N_BHI, pe]):
        st = blk[B_STATE, b]
        if st == BS_WAIT:
            w = min(w, blk[B_RESUME, b])
        elif st == BS_READY:
            w = min(w, ready_at)
        elif st == BS_DONE:
            d = blk[B_DONE, b]
            if d > t and d < w:
                w = d
    return w


@njit(cache=True, _nrt=False)
def _category_focus(pe, t, nod, blk):
    if nod[N_UNITFREE, pe] > t:
        return CAT_BUSY
    send = False
    recv = False
    mem = False
    for b in range(nod[N_BLO, pe], nod[N_BHI, pe]):
        st = blk[B_STATE, b]
        if st == BS_SEND:
            send = True
        elif st == BS_RECV:
            recv = True
        elif blk[B_WKIND, b] == W_MEM and (st == BS_WAIT or (st == BS_DONE and blk[B_DONE, b] > t)):
            mem = True
    if send:
        return CAT_SEND
    if recv:
        return CAT_RECV
    if mem:
        return CAT_MEM
    return CAT_IDLE


@njit(cache=True, _nrt=False)
def _spatial_busy(pe, t, nod, blk):
    for b in range(nod[N_BLO, pe], nod[N_BHI, pe]):
        if blk[B_STATE, b] != BS_DONE and blk[B_ISSUE, b] > t:
            return True
    return False


@njit(cache=True, _nrt=False)
def _spatial_instr(pe, b, t, cf, sc, nod, blk, iop, iarg, iaux, niq, msg, mdst, slots, pk, pkfree, plog):
    pc = blk[B_PC, b]
    op = iop[pc]
    arg = iarg[pc]
    if op == OP_COMPUTE:
        return t + arg
    nod[N_PIPE, pe] = 1 if nod[N_RQ, pe] <= cf[C_THRESH] else 0
    if op == OP_SEND:
        for j in range(msg[M_DPTR, arg], msg[M_DEND, arg]):
            if nod[N_PIPE, mdst[j]] == 0:
                return -1
        _enqueue(pe, arg, t, cf, sc, nod, niq, msg, mdst, pk, pkfree, plog)
        return t + 1
    s = iaux[pc]
    if slots[0, s] > slots[1, s]:
        slots[1, s] += 1
        nod[N_RQ, pe] -= 1
        return t + 1
    return -1


@njit(cache=True, _nrt=False)
def _pe_step_spatial(pe, t, cf, sc, nod, blk, stk, iop, iarg, iaux, niq, msg, mdst, slots, pk, pkfree, plog):
    blo = nod[N_BLO, pe]
    bhi = nod[N_BHI, pe]
    nb = bhi - blo
    live = False
    for b in range(blo, bhi):
        if blk[B_STATE, b] != BS_DONE:
            live = True
            if blk[B_ISSUE, b] > t:
                return
    if not live:
        return
    rr = nod[N_RR, pe]
    best = -1
    bestkey = nb + 1
    best_done = False
    for b in range(blo, bhi):
        if blk[B_STATE, b] == BS_DONE:
            continue
        done = blk[B_ISSUE, b] >= 0
        key = (b - blo - rr + nb) % nb
        if (done and not best_done) or (done == best_done and key < bestkey):
            best = b
            bestkey = key
            best_done = done
    nod[N_RR, pe] = (best - blo + 1) % nb
    if blk[B_ISSUE, best] >= 0:
        _advance(best, t, W_ISSUE, blk, stk, iop, iarg, iaux, sc)
        if blk[B_STATE, best] == BS_DONE:
            return
        blk[B_STATE, best] = BS_READY
    res = _spatial_instr(pe, best, t, cf, sc, nod, blk, iop, iarg, iaux, niq, msg, mdst, slots, pk, pkfree,
                         plog)
    if res >= 0:
        _issued(best, t, blk, sc)
    blk[B_ISSUE, best] = res


@njit(cache=True, _nrt=False)
def _can_progress(t, cf, blk, iop, iarg, iaux, slots, nod, msg, mdst):
    B = cf[C_NB]
    if cf[C_SPATIAL] != 0:
        for b in range(B):
            if blk[B_STATE, b] == BS_DONE:
                continue
            if blk[B_ISSUE, b] != -1:
                return True
            pc = blk[B_PC, b]
            if iop[pc] == OP_RECV:
                s = iaux[pc]
                if slots[0, s] > slots[1, s]:
                    return True
            elif iop[pc] == OP_SEND:
                ok = True
                m = iarg[pc]
                for j in range(msg[M_DPTR, m], msg[M_DEND, m]):
                    if nod[N_PIPE, mdst[j]] == 0:
                        ok = False
                if ok:
                    return True
        return False
    for b in range(B):
        st = blk[B_STATE, b]
        if st == BS_READY or st == BS_WAIT or (st == BS_DONE and blk[B_DONE, b] > t):
            return True
    return False


@njit(cache=True, _nrt=False)
def _next_event(t, cf, nod, blk, pes):
    """Earliest cycle >= t at which some PE can act (or its statistics category changes)."""
    big = np.int64(1) << 62
    nxt = big
    if cf[C_SPATIAL] != 0:
        for i in range(pes.shape[0]):
            pe = pes[i]
            live = False
            busy_until = np.int64(-1)
            for b in range(nod[N_BLO, pe], nod[N_BHI, pe]):
                if blk[B_STATE, b] == BS_DONE:
                    continue
                live = True
                iss = blk[B_ISSUE, b]
                busy_until = max(busy_until, iss)
            if not live:
                continue
            if busy_until <= t:
                return t
            # busy while any issue > t: the core next acts when the last completion is reached
            nxt = min(nxt, busy_until)
        return nxt
    for i in range(pes.shape[0]):
        pe = pes[i]
        uf = nod[N_UNITFREE, pe]
        if uf > t and uf < nxt:
            nxt = uf
        for b in range(nod[N_BLO, pe], nod[N_BHI, pe]):
            st = blk[B_STATE, b]
            if st == BS_WAIT:
                nxt = min(nxt, blk[B_RESUME, b])
            elif st == BS_READY:
                return t
            elif st == BS_DONE:
                d = blk[B_DONE, b]
                if d > t and d < nxt:
                    nxt = d
    return nxt


@njit(cache=True, _nrt=False)
def run_program(cf, dram_bw, sc, nod, vcs, vbuf, ob, tb, xl, rq, obuf, obhc, pcq, pchc, inf, alp, fl, flfree,
                pk, pkfree, ev, evc, link, scr, ej, blk, stk, iop, iarg, iaux, niq, msg, mdst, rnode, rmask,
                slots, dlog, plog, pestats, pes, cand, pwake, pcat, psince):
    """Run the program until it finishes, deadlocks or reaches the cycle limit (status in sc[S_STATUS]).

    focus core model: a PE is stepped only in cycles where it may act (pwake); its statistics category is
    accounted lazily (pcat since psince). The spatial_sim core model steps every core every cycle."""
    N = cf[C_N]
    B = cf[C_NB]
    spatial = cf[C_SPATIAL] != 0
    QC = cf[C_QC]
    t = sc[S_T]
    npe = pes.shape[0]
    while True:
        net_empty = sc[S_FLITS] == 0 and sc[S_QUEUED] == 0
        if net_empty and sc[S_NDONE] == B and (spatial or sc[S_MAXDONE] <= t):
            sc[S_STATUS] = ST_DONE
            break
        if t >= cf[C_MAXCYC]:
            sc[S_STATUS] = ST_LIMIT
            break
        if (net_empty or t - sc[S_LASTPROG] >= cf[C_WINDOW]) and not _can_progress(t, cf, blk, iop, iarg, iaux, slots, nod, msg, mdst):
            sc[S_STATUS] = ST_DEADLOCK
            break
        # event skipping: nothing in the network and no PE can act before `nxt`
        if cf[C_SKIP] != 0 and net_empty and sc[S_EVTOTAL] == 0 and sc[S_NACTIVE] == 0:
            nxt = _next_event(t, cf, nod, blk, pes)
            nxt = min(nxt, cf[C_MAXCYC])
            if nxt > t + 1:
                span = nxt - t
                for i in range(npe):
                    pe = pes[i]
                    if spatial:
                        pestats[i, CAT_BUSY if _spatial_busy(pe, t, nod, blk) else CAT_IDLE] += span
                    elif pwake[i] <= t:
                        # no block can act, but the PE's category may change now (e.g. its compute ends)
                        pestats[i, pcat[i]] += t - psince[i]
                        pcat[i] = _category_focus(pe, t, nod, blk)
                        psince[i] = t
                        pwake[i] = _pe_next_wake(pe, t, nod, blk)
                t = nxt
                continue
        sc[S_MOVED] = 0
        if not spatial:
            nej = _take_events(t, cf, sc, nod, ev, evc, inf, pcq, pchc, tb, ej, ob)
            for i in range(nej):
                _eject(ej[0, i], ej[1, i], t, cf, sc, nod, ev, evc, fl, flfree, pk, pkfree, msg, mdst, slots,
                       dlog, plog, pwake)
            for i in range(npe):
                if pwake[i] > t:
                    continue
                pe = pes[i]
                pestats[i, pcat[i]] += t - psince[i]
                _pe_step_focus(pe, t, cf, dram_bw, sc, nod, blk, stk, iop, iarg, iaux, niq, msg, mdst, slots, pk,
                               pkfree, plog, cand)
                pcat[i] = _category_focus(pe, t, nod, blk)
                psince[i] = t
                pwake[i] = _pe_next_wake(pe, t, nod, blk)
        else:
            for i in range(npe):
                pe = pes[i]
                pestats[i, CAT_BUSY if _spatial_busy(pe, t, nod, blk) else CAT_IDLE] += 1
                _pe_step_spatial(pe, t, cf, sc, nod, blk, stk, iop, iarg, iaux, niq, msg, mdst, slots, pk,
                                 pkfree, plog)
            nej = _take_events(t, cf, sc, nod, ev, evc, inf, pcq, pchc, tb, ej, ob)
            for i in range(nej):
                _eject(ej[0, i], ej[1, i], t, cf, sc, nod, ev, evc, fl, flfree, pk, pkfree, msg, mdst, slots,
                       dlog, plog, pwake)
        if sc[S_QUEUED] > 0:
            for node in range(N):
                if nod[N_QC, node] > 0:
                    p = niq[node, nod[N_QH, node]]
                    f = _try_inject(node, p, t, cf, sc, nod, tb, fl, flfree, pk, ev, evc)
                    if f >= 0 and fl[f, FL_HEAD] != 0 and pk[p, PK_LOG] >= 0:
                        plog[4, pk[p, PK_LOG]] = t
                    if f >= 0 and fl[f, FL_TAIL] != 0:
                        nod[N_QH, node] = (nod[N_QH, node] + 1) % QC
                        nod[N_QC, node] -= 1
                        sc[S_QUEUED] -= 1
                        pi = nod[N_PEI, node]
                        if pi >= 0 and pwake[pi] > t + 1:
                            pwake[pi] = t + 1  # a block blocked on send may proceed
        if sc[S_NACTIVE] > 0:
            _step_routers(t, cf, sc, nod, vcs, vbuf, ob, xl, rq, obuf, obhc, pcq, pchc, inf, alp, fl, flfree,
                          pk, msg, rnode, rmask, ev, evc, link, scr)
        if sc[S_MOVED] != 0:
            sc[S_LASTPROG] = t + 1
        t += 1
    if not spatial:
        for i in range(npe):
            pestats[i, pcat[i]] += t - psince[i]
            psince[i] = t
    sc[S_T] = t


# ------------------------------------------------------------------------------------------------
# Python side: state allocation and program-mode driver
# ------------------------------------------------------------------------------------------------

def _pow2(n: int) -> int:
    p = 1
    while p < n:
        p <<= 1
    return p


class NocState:
    """All network arrays for a mesh and config (shared by program and traffic modes)."""

    def __init__(self, cfg: SimConfig, n_packets: int, queue_cap: int, spatial: bool):
        N, V, D = cfg.nodes, cfg.num_vcs, cfg.vc_buf_size
        PV = P * V
        self.cfg = cfg
        cap = _pow2(max(PV, PV * D + P) + 1)
        capo = _pow2(PV * D + 2)
        capc = _pow2(P * (cfg.credit_delay + 2) + 1)
        ws = _pow2(cfg.link_latency + 3)
        cape = 2 * (N * P + N) + 8
        fcap = N * PV * D + N * P * 4 + 64
        pcap = max(1, n_packets)
        cf = np.zeros(NCF, dtype=np.int64)
        cf[C_W], cf[C_H], cf[C_N], cf[C_NV], cf[C_D] = cfg.width, cfg.height, N, V, D
        cf[C_R], cf[C_VA], cf[C_SA], cf[C_X] = cfg.routing_delay, cfg.vc_alloc_delay, cfg.sw_alloc_delay, \
            cfg.crossbar_delay
        cf[C_CD], cf[C_L], cf[C_ITERS] = cfg.credit_delay, cfg.link_latency, cfg.alloc_iters
        cf[C_WAITTAIL] = int(cfg.wait_for_tail_credit)
        cf[C_VLO], cf[C_VHI] = cfg.vc_lo, cfg.vc_last
        cf[C_BRANCH] = int(cfg.multicast_mode == "branch")
        cf[C_QCAP] = cfg.injection_queue if cfg.injection_queue > 0 else (1 << 62)
        cf[C_ATHEAD] = int(cfg.recv_at_head or spatial)
        cf[C_DRAMLAT] = cfg.dram_latency
        cf[C_SPATIAL] = int(spatial)
        cf[C_MC] = int(cfg.router == "mc")
        cf[C_THRESH] = cfg.spatial_threshold
        cf[C_MAXCYC], cf[C_WINDOW] = cfg.max_cycles, cfg.deadlock_window
        cf[C_WS], cf[C_CAP], cf[C_CAPO], cf[C_CAPC], cf[C_CAPE] = ws, cap, capo, capc, cape
        cf[C_QC] = max(1, queue_cap)
        cf[C_FCAP], cf[C_PCAP] = fcap, pcap
        cf[C_SKIP] = 1
        self.cf = cf
        self.sc = np.zeros(NSC, dtype=np.int64)
        self.sc[S_MCRNG] = MC_RNG_SEED
        self.nod = np.zeros((NNF, N), dtype=np.int64)
        self.nod[N_LASTVC] = -1
        self.nod[N_CURVC] = -1
        self.nod[N_PIPE] = 1
        self.nod[N_X] = np.arange(N) % cfg.width
        self.nod[N_Y] = np.arange(N) // cfg.width
        self.vcs = np.zeros((N * PV, NVF), dtype=np.int64)
        self.vcs[:, V_OUT:V_OUT + P] = -1
        self.vcs[:, V_GR:V_GR + P] = -1
        self.vbuf = np.full((N * PV, _pow2(D)), -1, dtype=np.int64)
        self.ob = np.zeros((N * PV, 3), dtype=np.int64)
        self.ob[:, O_INUSE] = -1
        self.tb = np.zeros((N * V, 3), dtype=np.int64)
        self.tb[:, O_INUSE] = -1
        self.xl = np.zeros((N, 2, _pow2(PV * D + P + 1), 2), dtype=np.int64)
        self.rq = np.zeros((N, NRQ), dtype=np.int64)
        self.obuf = np.zeros((N * P, capo), dtype=np.int64)
        self.obhc = np.zeros((2, N * P), dtype=np.int64)
        self.pcq = np.zeros((3, N, capc), dtype=np.int64)
        self.pchc = np.zeros((2, N), dtype=np.int64)
        self.inf = np.full(N * P, -1, dtype=np.int64)
        self.alp = np.zeros((N, 2 * PV + 3 * P + 2), dtype=np.int64)
        self.fl = np.zeros((fcap, NFF), dtype=np.int64)
        self.flfree = np.arange(fcap - 1, -1, -1, dtype=np.int64)
        self.sc[S_FLFREE] = fcap
        self.pk = np.zeros((pcap, NPF), dtype=np.int64)
        self.pkfree = np.arange(pcap - 1, -1, -1, dtype=np.int64)
        self.sc[S_PKFREE] = pcap
        self.ev = np.zeros((ws, cape, 4), dtype=np.int64)
        self.evc = np.zeros(ws, dtype=np.int64)
        self.link = np.zeros((N, P), dtype=np.int64)
        self.scr = np.zeros((8, max(64, P * P)), dtype=np.int64)
        self.scr[7, :PV] = np.arange(PV) // V  # port of an input/output index port * V + vc
        self.ej = np.zeros((2, N + 1), dtype=np.int64)


def _prepare_program(prog: PackedProgram, cfg: SimConfig):
    """Program arrays for the engine: blocks grouped by PE, loop jump targets, recv slots."""
    B = prog.num_blocks
    order = sorted(range(B), key=lambda b: (int(prog.block_pe[b]), b))
    N = prog.nodes
    blk = np.zeros((NBF, max(B, 1)), dtype=np.int64)
    depth = 1
    iop = prog.instr_op.astype(np.int64)
    iarg = prog.instr_arg.astype(np.int64)
    iaux = np.zeros(len(iop), dtype=np.int64)
    M = prog.num_messages
    slot_base = np.zeros(M + 1, dtype=np.int64)
    for m in range(M):
        slot_base[m + 1] = slot_base[m] + len(prog.dsts(m))
    dst_index = [{int(d): k for k, d in enumerate(prog.dsts(m))} for m in range(M)]
    for i in range(len(iop)):
        if iop[i] == OP_LOOP_END:
            iaux[iarg[i]] = i
    nod_blo = np.zeros(N, dtype=np.int64)
    nod_bhi = np.zeros(N, dtype=np.int64)
    for newb, b in enumerate(order):
        pe = int(prog.block_pe[b])
        s, e = int(prog.block_start[b]), int(prog.block_end[b])
        blk[B_PE, newb], blk[B_START, newb], blk[B_END, newb] = pe, s, e
        d = 0
        for i in range(s, e):
            if iop[i] == OP_LOOP_BEGIN:
                d += 1
                depth = max(depth, d)
            elif iop[i] == OP_LOOP_END:
                d -= 1
            elif iop[i] == OP_RECV:
                iaux[i] = slot_base[iarg[i]] + dst_index[iarg[i]][pe]
    for newb, b in enumerate(order):
        pe = int(prog.block_pe[b])
        if newb == 0 or int(blk[B_PE, newb - 1]) != pe:
            nod_blo[pe] = newb
        nod_bhi[pe] = newb + 1
    pes = np.array(sorted({int(p) for p in prog.block_pe}), dtype=np.int64)
    msg = np.zeros((NMF, max(M, 1)), dtype=np.int64)
    vc_ranges = vc_class_ranges(prog.msg_vc, cfg)
    for m in range(M):
        msg[M_SRC, m] = prog.msg_src[m]
        msg[M_NFL, m] = cfg.noc_flits(int(prog.msg_flits[m]))
        msg[M_MODE, m] = prog.msg_mode[m]
        msg[M_DPTR, m], msg[M_DEND, m] = prog.msg_dst_ptr[m], prog.msg_dst_ptr[m + 1]
        msg[M_RPTR, m], msg[M_REND, m] = prog.msg_route_ptr[m], prog.msg_route_ptr[m + 1]
        msg[M_SLOT, m] = slot_base[m]
        msg[M_VLO, m], msg[M_VHI, m] = vc_ranges[m]
    return {'order': order, 'blk': blk, 'depth': depth, 'iop': iop, 'iarg': iarg, 'iaux': iaux, 'pes': pes, 'msg': msg,
                'mdst': prog.msg_dst.astype(np.int64), 'rnode': prog.route_node.astype(np.int64),
                'rmask': prog.route_mask.astype(np.int64), 'nslots': int(slot_base[M]), 'blo': nod_blo, 'bhi': nod_bhi}


_WARM = [False]


def warm_up_jit() -> None:
    """Compile (or load from the numba cache) the program loop outside any timed region."""
    if _WARM[0]:
        return
    _WARM[0] = True
    from backend_sim.program import ProgramBuilder

    b = ProgramBuilder(2, 1)
    t = b.add_message(0, [1], 1)
    with b.block(0, "s") as blk:
        blk.send(t)
    with b.block(1, "r") as blk:
        blk.recv(t)
    simulate(b.build(), SimConfig(width=2, height=1))


def simulate(prog: PackedProgram, cfg: SimConfig, *, skip: bool = True) -> SimResult:
    """Run `prog` with the numba engine; the result's `deadlock` is set if it did not finish.
    `sim_seconds` of the result is the wall time of the simulation loop only."""
    warm_up_jit()
    if (prog.width, prog.height) != (cfg.width, cfg.height):
        cfg = cfg.replace(width=prog.width, height=prog.height)
    cfg = cfg.validated()
    spatial = cfg.core_model == "spatial_sim"
    pp = _prepare_program(prog, cfg)
    per_msg = prog.packets_per_message()
    total_packets = sum(per_msg)
    sends, _ = prog.static_counts()
    total_deliveries = sum(sends[m] * len(prog.dsts(m)) for m in range(prog.num_messages))
    N = prog.nodes
    node_packets = np.zeros(N, dtype=np.int64)
    for m, c in enumerate(per_msg):
        node_packets[int(prog.msg_src[m])] += c
    bounded = cfg.injection_queue > 0 and not spatial  # spatial_sim's send queue is unbounded
    if bounded:
        qcap = cfg.injection_queue + max([len(prog.dsts(m)) for m in range(prog.num_messages)] or [1])
    else:
        qcap = int(node_packets.max()) if N else 1
    st = NocState(cfg, 0, qcap, spatial)
    fcap = int(st.cf[C_FCAP])
    pcap = max(1, min(total_packets, N * (qcap + 1) + fcap) if bounded else total_packets)
    st.pk = np.zeros((pcap, NPF), dtype=np.int64)
    st.pkfree = np.arange(pcap - 1, -1, -1, dtype=np.int64)
    st.sc[S_PKFREE] = pcap
    cf = st.cf
    cf[C_PCAP] = pcap
    cf[C_SKIP] = int(skip)
    B = prog.num_blocks
    cf[C_NB] = B
    cf[C_DEPTH] = pp["depth"]
    cf[C_DLCAP] = total_deliveries
    cf[C_PLCAP] = total_packets
    cf[C_NPE] = len(pp["pes"])
    blk = pp["blk"]
    blk[B_STATE] = BS_READY
    blk[B_DONE] = -1
    blk[B_FIRST] = -1
    blk[B_ISSUE] = -2
    blk[B_PC] = blk[B_START]
    stk = np.zeros((2, max(B, 1), pp["depth"] + 1), dtype=np.int64)
    st.nod[N_BLO] = pp["blo"]
    st.nod[N_BHI] = pp["bhi"]
    niq = np.zeros((N, max(1, qcap)), dtype=np.int64)
    slots = np.zeros((2, max(1, pp["nslots"])), dtype=np.int64)
    dlog = np.zeros((4, max(1, total_deliveries)), dtype=np.int64)
    plog = np.zeros((5, max(1, total_packets)), dtype=np.int64)
    pes = pp["pes"]
    pestats = np.zeros((len(pes), len(PE_CATEGORIES)), dtype=np.int64)
    cand = np.zeros(max(B, 1), dtype=np.int64)
    pwake = np.zeros(len(pes), dtype=np.int64)
    pcat = np.full(len(pes), CAT_IDLE, dtype=np.int64)
    psince = np.zeros(len(pes), dtype=np.int64)
    st.nod[N_PEI] = -1
    st.nod[N_PEI, pes] = np.arange(len(pes))
    _init_blocks(blk, stk, pp["iop"], pp["iarg"], pp["iaux"], st.sc, B)
    t0 = _time.perf_counter()
    run_program(cf, float(cfg.dram_bytes_per_cycle), st.sc, st.nod, st.vcs, st.vbuf, st.ob, st.tb, st.xl,
                st.rq, st.obuf, st.obhc, st.pcq, st.pchc, st.inf, st.alp, st.fl, st.flfree, st.pk, st.pkfree,
                st.ev, st.evc, st.link, st.scr, st.ej, blk, stk, pp["iop"], pp["iarg"], pp["iaux"], niq,
                pp["msg"], pp["mdst"], pp["rnode"], pp["rmask"], slots, dlog, plog, pestats, pes, cand, pwake, pcat,
                psince)
    seconds = _time.perf_counter() - t0
    sc = st.sc
    t = int(sc[S_T])
    status = int(sc[S_STATUS])
    deadlock = None
    if status != ST_DONE:
        deadlock = _deadlock_info(prog, pp, st, blk, niq, "deadlock" if status == ST_DEADLOCK else "cycle limit", t)
    order = pp["order"]
    inv = np.empty(max(B, 1), dtype=np.int64)
    for newb, b in enumerate(order):
        inv[b] = newb
    inv = inv[:B]
    block_done = np.where(blk[B_STATE][inv] == BS_DONE, blk[B_DONE][inv], -1)
    npk, ndl = int(sc[S_PLN]), int(sc[S_DLN])
    return SimResult.build(
        prog=prog, cfg=cfg, total_cycles=t, deadlock=deadlock, pe_nodes=pes.copy(), pe_stats=pestats,
        block_first=blk[B_FIRST][inv].copy(), block_done=block_done.astype(np.int64),
        pkt_msg=plog[0, :npk].copy(), pkt_seq=plog[1, :npk].copy(), pkt_dst=plog[2, :npk].copy(),
        pkt_ctime=plog[3, :npk].copy(), pkt_itime=plog[4, :npk].copy(),
        del_msg=dlog[0, :ndl].copy(), del_seq=dlog[1, :ndl].copy(), del_dst=dlog[2, :ndl].copy(),
        del_time=dlog[3, :ndl].copy(), link_flits=st.link.copy(), inj_flits=st.nod[N_INJ].copy(),
        flits_ejected=int(sc[S_EJECTED]), sim_seconds=seconds)


@njit(cache=True, _nrt=False)
def _init_blocks(blk, stk, iop, iarg, iaux, sc, B):
    for b in range(B):
        _skip_markers(b, 0, blk, stk, iop, iarg, iaux, sc)


def _deadlock_info(prog, pp, st, blk, niq, kind, t) -> DeadlockInfo:
    names = ("ready", "wait", "recv", "send", "done")
    blocked = []
    for newb, b in enumerate(pp["order"]):
        if blk[B_STATE, newb] == BS_DONE:
            continue
        pc = int(blk[B_PC, newb])
        blocked.append(BlockedBlock.make(prog, b, pc - int(blk[B_START, newb]), int(pp["iop"][pc]),
                                         int(pp["iarg"][pc]), names[int(blk[B_STATE, newb])]))
    stuck = []
    N = prog.nodes
    QC = int(st.cf[C_QC])
    for node in range(N):
        for j in range(int(st.nod[N_QC, node])):
            p = int(niq[node, (int(st.nod[N_QH, node]) + j) % QC])
            stuck.append(StuckPacket.make(prog, int(st.pk[p, PK_MSG]), int(st.pk[p, PK_SEQ]),
                                          int(st.pk[p, PK_SRC]), "injection queue", node))
    V = int(st.cf[C_NV])
    seen = set()
    for u in range(st.vcs.shape[0]):
        for j in range(int(st.vcs[u, V_BC])):
            f = int(st.vbuf[u, (int(st.vcs[u, V_BH]) + j) % st.vbuf.shape[1]])
            p = int(st.fl[f, FL_PKT])
            key = (int(st.pk[p, PK_MSG]), int(st.pk[p, PK_SEQ]), int(st.pk[p, PK_COPYDST]))
            if key not in seen:
                seen.add(key)
                stuck.append(StuckPacket.make(prog, key[0], key[1], int(st.pk[p, PK_SRC]), "router",
                                              u // (P * V)))
    return DeadlockInfo(kind=kind, cycle=t, blocked=blocked, stuck=stuck)


# ------------------------------------------------------------------------------------------------
# synthetic traffic mode (BookSim TrafficManager: bernoulli injection, lazy source queue, statistics)
# ------------------------------------------------------------------------------------------------

# traffic config fields
(T_PATTERN, T_THRESH, T_NFL, T_INCLQ, T_NHOT, T_HOTTOTAL, T_K) = range(7)
NTCF = 7
PAT_UNIFORM, PAT_TRANSPOSE, PAT_BITCOMP, PAT_HOTSPOT, PAT_BITREV, PAT_SHUFFLE, PAT_TORNADO, PAT_NEIGHBOR = range(8)
# traffic statistics fields
(TS_PLAT_SUM, TS_PLAT_N, TS_PLAT_MIN, TS_PLAT_MAX, TS_NLAT_SUM, TS_NLAT_N, TS_NLAT_MIN, TS_NLAT_MAX,
 TS_FLAT_SUM, TS_FLAT_N, TS_FLAT_MIN, TS_FLAT_MAX, TS_HOPS_SUM, TS_HOPS_N, TS_SENT_FLITS, TS_SENT_PKTS,
 TS_ACC_FLITS, TS_ACC_PKTS, TS_INFL, TS_INFL_CSUM, TS_MEAS_INFL, TS_NQDRAINED, TS_GEN_PKTS) = range(23)
NTS = 23
GS_WARMUP, GS_RUNNING, GS_DRAINING = 0, 1, 2
TM_STEPS, TM_DRAIN_MEASURED, TM_DRAIN_ALL = 0, 1, 2
_BIG = np.int64(1) << 62


@njit(cache=True, _nrt=False)
def rng_next(sc, slot=S_RNG):
    """xorshift64*: advance the state in sc[slot]; return 64 output bits as uint64."""
    x = np.uint64(sc[slot])
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    sc[slot] = np.int64(x)
    return x * np.uint64(0x2545F4914F6CDD1D)


@njit(cache=True, _nrt=False)
def _rng_below(sc, n):
    """Uniform integer in [0, n)."""
    return _xorshift_below(sc, S_RNG, n)


@njit(cache=True, _nrt=False)
def _xorshift_below(sc, slot, n):
    """Uniform integer in [0, n) from the xorshift64* stream in sc[slot]."""
    y = rng_next(sc, slot) >> np.uint64(32)
    return np.int64((y * np.uint64(n)) >> np.uint64(32))


@njit(cache=True, _nrt=False)
def _pattern_dest(src, tcf, hot, hotw, N, sc):
    pat = tcf[T_PATTERN]
    if pat == PAT_UNIFORM:
        return _rng_below(sc, N)
    if pat == PAT_TRANSPOSE:
        shift = 0
        n = N
        while n > 1:
            n >>= 1
            shift += 1
        shift >>= 1
        mlo = (np.int64(1) << shift) - 1
        return ((src >> shift) & mlo) | ((src << shift) & (mlo << shift))
    if pat == PAT_BITCOMP:
        return ~src & (N - 1)
    if pat == PAT_HOTSPOT:
        nh = tcf[T_NHOT]
        if nh == 1:
            return hot[0]
        pct = _rng_below(sc, tcf[T_HOTTOTAL])
        for i in range(nh - 1):
            if hotw[i] > pct:
                return hot[i]
            pct -= hotw[i]
        return hot[nh - 1]
    if pat == PAT_BITREV:
        res = np.int64(0)
        s = src
        n = N
        while n > 1:
            res = (res << 1) | (s & 1)
            s >>= 1
            n >>= 1
        return res
    if pat == PAT_SHUFFLE:
        sh = src << 1
        return (sh & (N - 1)) | (1 if sh & N else 0)
    k = tcf[T_K]
    res = np.int64(0)
    off = np.int64(1)
    for _d in range(2):
        digit = (src // off) % k
        if pat == PAT_TORNADO:
            nd = (digit + ((k + 1) // 2 - 1)) % k
        else:
            nd = (digit + 1) % k
        res += off * nd
        off *= k
    return res


@njit(cache=True, _nrt=False)
def _ts_sample(tst, base, v):
    tst[base] += v
    tst[base + 1] += 1
    tst[base + 2] = min(tst[base + 2], v)
    tst[base + 3] = max(tst[base + 3], v)


@njit(cache=True, _nrt=False)
def _traffic_generate(t, cf, sc, nod, niq, pk, pkfree, tcf, tst, hot, hotw):
    N = cf[C_N]
    state = sc[S_GEN_STATE]
    drain = sc[S_DRAIN_TIME]
    thresh = np.uint64(tcf[T_THRESH])
    nfl = tcf[T_NFL]
    for n in range(N):
        if nod[N_QC, n] != 0:
            continue
        generated = False
        while not generated and nod[N_QTIME, n] <= t:
            if (rng_next(sc) >> np.uint64(11)) < thresh:
                dest = _pattern_dest(n, tcf, hot, hotw, N, sc)
                ctime = nod[N_QTIME, n] if tcf[T_INCLQ] != 0 else t
                p = _new_packet(pk, pkfree, sc)
                pk[p, PK_MSG] = -1
                pk[p, PK_SEQ] = sc[S_PID]
                sc[S_PID] += 1
                pk[p, PK_SRC] = n
                pk[p, PK_DEST] = dest
                pk[p, PK_ROUTE] = -1
                pk[p, PK_NFL] = nfl
                pk[p, PK_CTIME] = ctime
                pk[p, PK_ITIME] = -1
                pk[p, PK_COPYDST] = dest
                pk[p, PK_LEFT] = nfl
                rec = 1 if (state == GS_RUNNING or (state == GS_DRAINING and ctime < drain)) else 0
                pk[p, PK_RECORD] = rec
                pk[p, PK_VLO] = cf[C_VLO]
                pk[p, PK_VHI] = cf[C_VHI]
                niq[n, 0] = p
                nod[N_QH, n] = 0
                nod[N_QC, n] = 1
                sc[S_QUEUED] += 1
                tst[TS_INFL] += nfl
                tst[TS_INFL_CSUM] += nfl * ctime
                tst[TS_GEN_PKTS] += 1
                if rec:
                    tst[TS_MEAS_INFL] += nfl
                generated = True
            nod[N_QTIME, n] += 1
        if state == GS_DRAINING and nod[N_QTIME, n] > drain and nod[N_QDRAINED, n] == 0:
            nod[N_QDRAINED, n] = 1
            tst[TS_NQDRAINED] += 1


@njit(cache=True, _nrt=False)
def run_traffic(cf, sc, nod, vcs, vbuf, ob, tb, xl, rq, obuf, obhc, pcq, pchc, inf, alp, fl, flfree, pk, pkfree,
                ev, evc, link, scr, ej, niq, tcf, tst, hot, hotw, msg, rnode, rmask, mode, limit):
    """Advance the synthetic-traffic simulation. mode TM_STEPS: exactly `limit` cycles; TM_DRAIN_MEASURED:
    until every measured packet is delivered and every source has passed the drain time; TM_DRAIN_ALL:
    until no flit or credit is left (no new packets). Stops after `limit` cycles in any mode; returns
    the number of cycles run."""
    N = cf[C_N]
    t = sc[S_T]
    start = t
    while t - start < limit:
        if mode == TM_DRAIN_MEASURED and tst[TS_MEAS_INFL] == 0 and tst[TS_NQDRAINED] == N:
            break
        if mode == TM_DRAIN_ALL and tst[TS_INFL] == 0 and sc[S_CREDITS] == 0 and sc[S_EVTOTAL] == 0:
            break
        state = sc[S_GEN_STATE]
        counting = state == GS_WARMUP or state == GS_RUNNING
        nej = _take_events(t, cf, sc, nod, ev, evc, inf, pcq, pchc, tb, ej, ob)
        if sc[S_EMPTY_NET] == 0:
            _traffic_generate(t, cf, sc, nod, niq, pk, pkfree, tcf, tst, hot, hotw)
        if sc[S_QUEUED] > 0:
            for n in range(N):
                if nod[N_QC, n] == 0:
                    continue
                p = niq[n, 0]
                f = _try_inject(n, p, t, cf, sc, nod, tb, fl, flfree, pk, ev, evc)
                if f >= 0:
                    if counting:
                        tst[TS_SENT_FLITS] += 1
                        if fl[f, FL_HEAD] != 0:
                            tst[TS_SENT_PKTS] += 1
                    if fl[f, FL_TAIL] != 0:
                        nod[N_QC, n] = 0
                        sc[S_QUEUED] -= 1
        for i in range(nej):
            node = ej[0, i]
            f = ej[1, i]
            p = fl[f, FL_PKT]
            if counting:
                tst[TS_ACC_FLITS] += 1
                if fl[f, FL_TAIL] != 0:
                    tst[TS_ACC_PKTS] += 1
            sc[S_FLITS] -= 1
            sc[S_EJECTED] += 1
            sc[S_CREDITS] += 1
            _post(ev, evc, sc, cf, t + 2, EV_RCRED, node, PL, fl[f, FL_VC])
            _ts_sample(tst, TS_FLAT_SUM, t - fl[f, FL_ITIME])
            ctime = pk[p, PK_CTIME]
            tst[TS_INFL] -= 1
            tst[TS_INFL_CSUM] -= ctime
            rec = pk[p, PK_RECORD]
            if rec:
                tst[TS_MEAS_INFL] -= 1
            if fl[f, FL_TAIL] != 0:
                if state == GS_WARMUP or rec:
                    tst[TS_HOPS_SUM] += fl[f, FL_HOPS]
                    tst[TS_HOPS_N] += 1
                    _ts_sample(tst, TS_PLAT_SUM, t - ctime)
                    _ts_sample(tst, TS_NLAT_SUM, t - pk[p, PK_ITIME])
                _free_packet(pkfree, sc, p)
            _free_flit(flfree, sc, f)
        if sc[S_NACTIVE] > 0:
            _step_routers(t, cf, sc, nod, vcs, vbuf, ob, xl, rq, obuf, obhc, pcq, pchc, inf, alp, fl, flfree,
                          pk, msg, rnode, rmask, ev, evc, link, scr)
        t += 1
    sc[S_T] = t
    return t - start

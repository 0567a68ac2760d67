"""Numba kernels: score a candidate mapping in microseconds and run the local search.

A candidate is encoded as arrays (see `mapspace.MapSpace.arrays`):

* `F[s, d]`: factor of dim d in tiling slot s (slots inner -> outer; per storage level an optional
  spatial slot, then the temporal slot);
* `perm[s, :]`: dims of slot s innermost first; `keep[L, t]`: data space t kept at level L.

`evaluate` is the closed-form model of `fastmodel.py` restricted to what the search needs (per-level
tile sizes, capacity checks, deliveries with multicast, link transfers at storage-less lanes, bypass
folding, legacy read-modify-write counts, energy, bandwidth-throttled cycles). Link transfers deeper in
the hierarchy are not scored here (they are rare; the chosen mapping is re-evaluated exactly in
Python). Everything is struct-of-arrays; no Python objects in the hot loops.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# column indices of the per-level integer / float attribute tables
I_FX, I_FY, I_SIZE, I_INST, I_CLUSTER, I_BLOCK = 0, 1, 2, 3, 4, 5
F_READ, F_FILL, F_UPDATE, F_LEAK, F_RBW, F_WBW, F_SBW, F_MINU = 0, 1, 2, 3, 4, 5, 6, 7
# misc ints
M_D, M_NT, M_NL, M_MACS_INST, M_LEGACY, M_LINKS, M_R = 0, 1, 2, 3, 4, 5, 6
OBJ_DELAY, OBJ_ENERGY, OBJ_EDP = 0, 1, 2

INVALID = np.inf


@njit(cache=True)
def _dp_total(ext, psize, us, fs, m, legacy):
    """Sum of child-tile deltas over the binary counter of the m counted loops (timeloop-model 4.2)."""
    R = ext.shape[0]
    if m == 0:
        return float(psize), 1.0 if psize > 0 else 0.0
    cid = np.empty(m, np.int64)
    iszero = np.empty(m, np.bool_)
    dsz = np.empty(m, np.float64)
    for j in range(m):
        cid[j] = j
        for j2 in range(j):
            same = True
            for r in range(R):
                if us[j2, r] != us[j, r]:
                    same = False
                    break
            if same:
                cid[j] = cid[j2]
                break
        z = True
        ov = 1.0
        for r in range(R):
            if us[j, r] != 0:
                z = False
            a = ext[r] - abs(us[j, r])
            a = max(a, 0)
            ov *= a
        iszero[j] = z
        dsz[j] = psize - ov
    ns = m + 1
    cost = np.zeros((m + 1, ns))
    cnt = np.zeros((m + 1, ns))
    out = np.empty((m + 1, ns), np.int64)
    for s in range(ns):
        out[0, s] = s
    for i in range(1, m + 1):
        j = i - 1
        w = fs[j] - 1.0
        for s in range(ns):
            s1 = out[i - 1, s]
            if (not legacy) and iszero[j]:
                d = 0.0
                s2 = s1
            elif s1 == 0:
                d = dsz[j]
                s2 = 1 + cid[j]
            elif s1 == 1 + cid[j]:
                d = dsz[j]
                s2 = s1
            else:
                d = float(psize)
                s2 = 0
            nz = 1.0 if d > 0 else 0.0
            cost[i, s] = cost[i - 1, s] + w * (d + cost[i - 1, s2])
            cnt[i, s] = cnt[i - 1, s] + w * (nz + cnt[i - 1, s2])
            out[i, s] = out[i - 1, s2]
    return psize + cost[m, 0], (1.0 if psize > 0 else 0.0) + cnt[m, 0]


@njit(cache=True)
def build_loops(F, perm, slots, pinfo, ilev, D, ldim, lf, lkind, llev, bound, splits):
    """Loop nest of a candidate. Returns the number of loops, or -1 if a spatial slot does not fit."""
    S = F.shape[0]
    n = 0
    for s in range(S):
        L = slots[s, 0]
        if slots[s, 1] == 1:
            fx = ilev[L, I_FX]
            fy = ilev[L, I_FY]
            chosen = -1
            lo = 0
            hi = D
            if pinfo[s, 2] >= 0:
                lo = pinfo[s, 2]
                hi = pinfo[s, 2]
            for sp in range(lo, hi + 1):
                px = 1
                py = 1
                for pos in range(D):
                    f = F[s, perm[s, pos]]
                    if pos < sp:
                        px *= f
                    else:
                        py *= f
                if px <= fx and py <= fy:
                    chosen = sp
                    break
            if chosen < 0:
                return -1
            splits[s] = chosen
            for pos in range(D):
                d = perm[s, pos]
                f = F[s, d]
                if f > 1:
                    ldim[n] = d
                    lf[n] = f
                    lkind[n] = 1 if pos < chosen else 2
                    llev[n] = L
                    n += 1
        else:
            before = n
            for pos in range(D):
                d = perm[s, pos]
                f = F[s, d]
                if f > 1:
                    ldim[n] = d
                    lf[n] = f
                    lkind[n] = 0
                    llev[n] = L
                    n += 1
            if n == before:
                ldim[n] = D - 1
                lf[n] = 1
                lkind[n] = 0
                llev[n] = L
                n += 1
            bound[L] = n - 1
    return n


@njit(cache=True)
def evaluate(F, perm, keep, slots, pinfo, ilev, flev, coef, rw, misc, fmisc, out_counts):
    """Score one candidate: returns (cycles, energy_pJ); cycles = inf if invalid.

    out_counts[L, t, 0..2] receives per-instance reads/fills/updates (for inspection/tests)."""
    D = misc[M_D]
    NT = misc[M_NT]
    NL = misc[M_NL]
    R = misc[M_R]
    legacy = misc[M_LEGACY] == 1
    links = misc[M_LINKS] == 1
    S = F.shape[0]
    maxn = S * D + S
    ldim = np.zeros(maxn, np.int64)
    lf = np.ones(maxn, np.int64)
    lkind = np.zeros(maxn, np.int64)
    llev = np.zeros(maxn, np.int64)
    bound = np.zeros(NL, np.int64)
    splits = np.zeros(S, np.int64)
    n = build_loops(F, perm, slots, pinfo, ilev, D, ldim, lf, lkind, llev, bound, splits)
    if n < 0:
        return INVALID, INVALID
    # strides and cumulative extents
    vs = np.zeros(n, np.int64)
    hi = np.zeros((n, D), np.int64)
    scale = np.ones(D, np.int64)
    for l in range(n):
        vs[l] = scale[ldim[l]]
        scale[ldim[l]] *= lf[l]
        for d in range(D):
            hi[l, d] = scale[d] - 1
    nse = np.ones(n, np.int64)
    prod = 1
    for l in range(n - 1, -1, -1):
        nse[l] = prod
        if lkind[l] != 0:
            prod *= lf[l]
    total_spatial = prod
    computes = 1
    for l in range(n):
        if lkind[l] == 0:
            computes *= lf[l]
    if total_spatial > misc[M_MACS_INST]:
        return INVALID, INVALID
    if total_spatial < fmisc[1] * misc[M_MACS_INST]:
        return INVALID, INVALID
    # counted temporal loops (factor >= 2)
    cnt_idx = np.zeros(n, np.int64)
    ncnt = 0
    for l in range(n):
        if lkind[l] == 0 and lf[l] >= 2:
            cnt_idx[ncnt] = l
            ncnt += 1
    # per level structure
    lo_of = np.zeros(NL, np.int64)
    nsp = np.zeros(NL, np.int64)
    for L in range(NL):
        lo_of[L] = 0 if L == 0 else bound[L - 1] + 1
        k = lo_of[L]
        while k <= bound[L] and lkind[k] != 0:
            k += 1
        nsp[L] = k - lo_of[L]
    # sizes at boundaries, capacity
    size = np.zeros((NL, NT), np.int64)
    ext = np.zeros(R, np.int64)
    for L in range(NL):
        used = 0
        b = bound[L]
        for t in range(NT):
            s = 1
            for r in range(R):
                e = 1
                for d in range(D):
                    c = coef[t, r, d]
                    if c != 0:
                        e += abs(c) * hi[b, d]
                s *= e
            size[L, t] = s
            if keep[L, t] == 1:
                used += s
        if ilev[L, I_SIZE] >= 0:
            if used > ilev[L, I_SIZE] or used < flev[L, F_MINU] * ilev[L, I_SIZE]:
                return INVALID, INVALID
    # deliveries: content (sum acc), weighted (sum acc*m), link, fanout, master size (pfd)
    A0 = np.zeros((NL, NT))
    A1 = np.zeros((NL, NT))
    LK = np.zeros((NL, NT))
    fan = np.ones(NL, np.int64)
    msize = np.zeros((NL, NT), np.int64)
    us = np.zeros((n, R), np.int64)
    fs = np.zeros(n, np.float64)
    cum = np.zeros(R, np.int64)
    for L in range(NL):
        lo = lo_of[L]
        ns = nsp[L]
        if ns > 0:
            m = lo + ns - 1
            fo = 1
            for k in range(lo, m + 1):
                fo *= lf[k]
            fan[L] = fo
        for t in range(NT):
            # child tile extents and the counted loops above it
            if ns == 0 and lo == 0:
                A0[L, t] = float(computes)
                A1[L, t] = float(computes)
                continue
            child = lo - 1  # -1 when the run starts at loop 0 (storage-less lanes)
            top = lo + ns - 1 if ns > 0 else lo - 1
            psize = 1
            for r in range(R):
                e = 1
                if child >= 0:
                    for d in range(D):
                        c = coef[t, r, d]
                        if c != 0:
                            e += abs(c) * hi[child, d]
                ext[r] = e
                psize *= e
            m_ = 0
            for r in range(R):
                cum[r] = 0
            for q in range(ncnt):
                l = cnt_idx[q]
                if l <= top:
                    continue
                for r in range(R):
                    st = 0
                    for d in range(D):
                        if d == ldim[l]:
                            st += coef[t, r, d] * vs[l]
                    us[m_, r] = st - cum[r]
                    cum[r] += st
                fs[m_] = lf[l]
                m_ += 1
            if child >= 0:
                tot, _ = _dp_total(ext, psize, us, fs, m_, legacy)
            else:
                tot = 1.0
                for q in range(m_):
                    tot *= fs[q]
            if ns == 0:
                A0[L, t] = tot
                A1[L, t] = tot
                continue
            # spatial run: instance offsets, multicast groups
            m = lo + ns - 1
            fo = fan[L]
            offs = np.zeros((fo, R), np.int64)
            cntI = 1
            for k in range(m, lo - 1, -1):
                f = lf[k]
                for i in range(cntI - 1, -1, -1):
                    for j in range(f - 1, -1, -1):
                        for r in range(R):
                            st = 0
                            for d in range(D):
                                if d == ldim[k]:
                                    st += coef[t, r, d] * vs[k]
                            offs[i * f + j, r] = offs[i, r] + j * st
                cntI *= f
            # msize: working set at the master loop (union over children)
            s = 1
            for r in range(R):
                e = 1
                for d in range(D):
                    c = coef[t, r, d]
                    if c != 0:
                        e += abs(c) * hi[m, d]
                s *= e
            msize[L, t] = s
            keys = _row_keys(offs, fo, R)
            order = np.argsort(keys)
            groups = 0
            for i in range(fo):
                if i == 0 or keys[order[i]] != keys[order[i - 1]]:
                    groups += 1
            if child >= 0 or not links or m_ == 0:
                A0[L, t] = groups * tot
                A1[L, t] = fo * tot
                continue
            # storage-less lanes with link transfers: per transition type
            hx = 1
            vy = 1
            for k in range(lo, m + 1):
                if lkind[k] == 1:
                    hx *= lf[k]
                else:
                    vy *= lf[k]
            h = max(hx, ilev[L, I_FX])
            v = max(vy, ilev[L, I_FY])
            a0 = float(groups)
            a1 = float(fo)
            lk = 0.0
            linked = np.zeros(fo, np.bool_)
            for j in range(m_):
                w = fs[j] - 1.0
                for q in range(j + 1, m_):
                    w *= fs[q]
                nlinked = 0
                for i in range(fo):
                    linked[i] = False
                    hid = i % h
                    vid = i // h
                    for kk in range(4):
                        nb = -1
                        if kk == 0 and v > 1 and vid >= 1:
                            nb = i - h
                        elif kk == 1 and v > 1 and vid < v - 1:
                            nb = i + h
                        elif kk == 2 and h > 1 and hid >= 1:
                            nb = i - 1
                        elif kk == 3 and h > 1 and hid < h - 1:
                            nb = i + 1
                        if nb < 0 or nb >= fo:
                            continue
                        eq = True
                        for r in range(R):
                            if offs[nb, r] - offs[i, r] != us[j, r]:
                                eq = False
                                break
                        if eq:
                            linked[i] = True
                            break
                    if linked[i]:
                        nlinked += 1
                g2 = 0
                first = True
                prevkey = 0
                for ii in range(fo):
                    i = order[ii]
                    if linked[i]:
                        continue
                    if first or keys[i] != prevkey:
                        g2 += 1
                    first = False
                    prevkey = keys[i]
                if g2 < groups:
                    a0 += w * g2
                    a1 += w * (fo - nlinked)
                    lk += w * nlinked
                else:
                    a0 += w * groups
                    a1 += w * fo
            A0[L, t] = a0
            A1[L, t] = a1
            LK[L, t] = lk
    # collapse per tensor (legacy RMW path) and energy
    repl = np.zeros(NL, np.int64)
    for L in range(NL):
        repl[L] = nse[bound[L]]
    cycles = float(computes)
    energy = 0.0
    reads = np.zeros((NL, NT))
    fills = np.zeros((NL, NT))
    upds = np.zeros((NL, NT))
    usedinst = np.zeros((NL, NT), np.int64)
    for t in range(NT):
        sz = np.zeros(NL, np.int64)
        ps = np.zeros(NL, np.int64)
        cont = np.zeros(NL)
        pas = np.zeros(NL)
        a1 = np.zeros(NL)
        lkt = np.zeros(NL)
        rp = np.zeros(NL, np.int64)
        peer = np.zeros(NL)
        for L in range(NL):
            sz[L] = size[L, t]
            cont[L] = A0[L, t]
            a1[L] = A1[L, t]
            lkt[L] = LK[L, t]
            rp[L] = repl[L]
        p = sz[NL - 1]
        ps[NL - 1] = p
        for L in range(NL - 2, -1, -1):
            pfd = msize[L + 1, t] if nsp[L + 1] > 0 else sz[L]
            if pfd != 0:
                p = (p * sz[L]) // pfd
            ps[L] = p
        for L in range(NL - 1):
            pas[L] = a1[L + 1] / fan[L + 1]
        for L in range(NL):
            if sz[L] == 0 or keep[L, t] == 1:
                continue
            O = -1
            for k in range(L + 1, NL):
                if sz[k] > 0:
                    O = k
                    break
            if O < 0:
                sz[L] = 0
                ps[L] = 0
                cont[L] = 0.0
                pas[L] = 0.0
                break
            factor = cont[L] * fan[O] / a1[O] if a1[O] > 0 else 0.0
            a1[O] *= factor
            cont[O] *= factor
            lkt[O] = 0.0
            sz[L] = 0
            ps[L] = 0
            cont[L] = 0.0
            pas[L] = 0.0
        for L in range(NL - 1, -1, -1):
            if keep[L, t] != 1:
                sz[L] = 0
                ps[L] = 0
                cont[L] = 0.0
                pas[L] = 0.0
                lkt[L] = 0.0
                rp[L] = 0
            else:
                pas[L] = 0.0
                break
        for L in range(NL - 1, 0, -1):
            if lkt[L] != 0 and rp[L - 1] > 0:
                peer[L - 1] += lkt[L] / rp[L - 1]
        for L in range(NL):
            if sz[L] == 0:
                continue
            usedinst[L, t] = rp[L]
            if rw[t] == 1:
                outermost = True
                for k in range(L + 1, NL):
                    if sz[k] > 0:
                        outermost = False
                        break
                upds[L, t] = math.floor(cont[L] + 0.5)
                reads[L, t] = math.floor(cont[L] + peer[L] - ps[L] + 0.5)
                if outermost:
                    fills[L, t] = math.floor(pas[L] + peer[L] + 0.5)
                else:
                    fills[L, t] = math.floor(pas[L] + peer[L] - ps[L] + 0.5)
            else:
                reads[L, t] = math.floor(cont[L] + peer[L] + 0.5)
                fills[L, t] = pas[L] + peer[L]
    # bandwidth throttling
    for L in range(NL):
        rsum = 0.0
        wsum = 0.0
        for t in range(NT):
            rsum += reads[L, t]
            wsum += fills[L, t] + upds[L, t]
            out_counts[L, t, 0] = reads[L, t]
            out_counts[L, t, 1] = fills[L, t]
            out_counts[L, t, 2] = upds[L, t]
        Rr = rsum / computes
        Ww = wsum / computes
        sc = 1.0
        if flev[L, F_RBW] >= 0 and Rr > 0:
            sc = min(sc, flev[L, F_RBW] / Rr)
        if flev[L, F_WBW] >= 0 and Ww > 0:
            sc = min(sc, flev[L, F_WBW] / Ww)
        if flev[L, F_SBW] >= 0 and Rr + Ww > 0:
            sc = min(sc, flev[L, F_SBW] / (Rr + Ww))
        if sc < 1.0:
            c = math.ceil(computes / sc)
            cycles = max(cycles, c)
    cycles += fmisc[2]
    for L in range(NL):
        blk = ilev[L, I_BLOCK]
        clusters = ilev[L, I_INST] / ilev[L, I_CLUSTER]
        for t in range(NT):
            u = usedinst[L, t]
            if u == 0:
                continue
            e = (math.ceil(reads[L, t] / blk) * flev[L, F_READ] + math.ceil(fills[L, t] / blk) * flev[L, F_FILL]
                 + math.ceil(upds[L, t] / blk) * flev[L, F_UPDATE])
            energy += e * min(float(u), clusters)
        energy += flev[L, F_LEAK] * cycles * repl[L]
    energy += fmisc[0] * computes * total_spatial
    return cycles, energy


@njit(cache=True)
def _row_keys(offs, n, R):
    """Injective int64 key per row (mixed radix over the per-rank value ranges)."""
    keys = np.zeros(n, np.int64)
    mult = 1
    for r in range(R):
        mn = offs[0, r]
        mx = offs[0, r]
        for i in range(n):
            mn = min(mn, offs[i, r])
            mx = max(mx, offs[i, r])
        for i in range(n):
            keys[i] += (offs[i, r] - mn) * mult
        mult *= mx - mn + 1
    return keys


@njit(cache=True)
def score_of(cycles, energy, objective):
    """Scalar search score (lower is better): the objective, with the other metric as a faint tie-break."""
    if not np.isfinite(cycles):
        return np.inf
    lc = math.log(cycles)
    le = math.log(energy) if energy > 0 else 0.0
    if objective == OBJ_DELAY:
        return lc + 1e-3 * le
    if objective == OBJ_ENERGY:
        return le + 1e-3 * lc
    return lc + le


@njit(cache=True)
def _factors_from(fixed, primes, pdim, assign, F):
    S, D = fixed.shape
    for s in range(S):
        for d in range(D):
            F[s, d] = fixed[s, d] if fixed[s, d] > 0 else 1
    for p in range(primes.shape[0]):
        F[assign[p], pdim[p]] *= primes[p]


@njit(cache=True)
def _respects_bounds(F, maxf, minf):
    S, D = F.shape
    for s in range(S):
        for d in range(D):
            if maxf[s, d] > 0 and F[s, d] > maxf[s, d]:
                return False
            if minf[s, d] > 0 and F[s, d] < minf[s, d]:
                return False
    return True


@njit(cache=True)
def anneal(seed, iters, objective, temp0, fixed, maxf, minf, primes, pdim, allowed, perm0, keepf,
           slots, pinfo, ilev, flev, coef, rw, misc, fmisc, init_assign, init_perm, init_keep, use_init,
           best_assign, best_perm, best_keep, best_metrics):
    """One simulated-annealing run from a random (or given) start. Returns the number of evaluations.

    best_* receive the best valid candidate found (best_metrics = [score, cycles, energy])."""
    np.random.seed(seed)
    S, D = fixed.shape
    NL = misc[M_NL]
    NT = misc[M_NT]
    P = primes.shape[0]
    F = np.ones((S, D), np.int64)
    counts = np.zeros((NL, NT, 3))
    assign = np.zeros(P, np.int64)
    perm = perm0.copy()
    keep = np.zeros((NL, NT), np.int64)
    # allowed slot lists per dim
    nallow = np.zeros(D, np.int64)
    alist = np.zeros((D, S), np.int64)
    for d in range(D):
        for s in range(S):
            if allowed[d, s]:
                alist[d, nallow[d]] = s
                nallow[d] += 1
    evals = 0
    cur_score = np.inf
    cur_c = np.inf
    cur_e = np.inf
    # start: given, else random tries, else everything at the outermost allowed slot
    started = False
    if use_init:
        for p in range(P):
            assign[p] = init_assign[p]
        for s in range(S):
            for d in range(D):
                perm[s, d] = init_perm[s, d]
        for L in range(NL):
            for t in range(NT):
                keep[L, t] = init_keep[L, t]
        _factors_from(fixed, primes, pdim, assign, F)
        if _respects_bounds(F, maxf, minf):
            c, e = evaluate(F, perm, keep, slots, pinfo, ilev, flev, coef, rw, misc, fmisc, counts)
            evals += 1
            if np.isfinite(c):
                started = True
                cur_c, cur_e = c, e
    tries = 0
    while not started and tries < 200:
        tries += 1
        for p in range(P):
            d = pdim[p]
            if tries > 100:
                assign[p] = alist[d, nallow[d] - 1]
            else:
                assign[p] = alist[d, np.random.randint(nallow[d])]
        for s in range(S):
            lo = pinfo[s, 0]
            hi = pinfo[s, 1]
            for i in range(hi - 1, lo, -1):
                j = lo + np.random.randint(i - lo + 1)
                tmp = perm[s, i]
                perm[s, i] = perm[s, j]
                perm[s, j] = tmp
        for L in range(NL):
            for t in range(NT):
                if keepf[L, t] >= 0:
                    keep[L, t] = keepf[L, t]
                else:
                    keep[L, t] = 1 if np.random.random() < 0.7 else 0
        if tries > 100:
            for L in range(NL):
                for t in range(NT):
                    if keepf[L, t] < 0:
                        keep[L, t] = 0
        _factors_from(fixed, primes, pdim, assign, F)
        if not _respects_bounds(F, maxf, minf):
            continue
        c, e = evaluate(F, perm, keep, slots, pinfo, ilev, flev, coef, rw, misc, fmisc, counts)
        evals += 1
        if np.isfinite(c):
            started = True
            cur_c, cur_e = c, e
    if not started:
        return evals
    cur_score = score_of(cur_c, cur_e, objective)
    if cur_score < best_metrics[0]:
        best_metrics[0] = cur_score
        best_metrics[1] = cur_c
        best_metrics[2] = cur_e
        best_assign[:] = assign
        best_perm[:, :] = perm
        best_keep[:, :] = keep
    new_assign = assign.copy()
    new_perm = perm.copy()
    new_keep = keep.copy()
    # movable things
    nfree_keep = 0
    for L in range(NL):
        for t in range(NT):
            if keepf[L, t] < 0:
                nfree_keep += 1
    spat = np.zeros(S, np.int64)
    nspat = 0
    for s in range(S):
        if slots[s, 1] == 1:
            spat[nspat] = s
            nspat += 1
    for it in range(iters):
        temp = temp0 * (1.0 - it / iters) + 1e-4
        new_assign[:] = assign
        new_perm[:, :] = perm
        new_keep[:, :] = keep
        kind = np.random.random()
        if kind < 0.45 and P > 0:
            p = np.random.randint(P)
            d = pdim[p]
            if nallow[d] > 1:
                new_assign[p] = alist[d, np.random.randint(nallow[d])]
            if np.random.random() < 0.3 and P > 1:
                q = np.random.randint(P)
                dq = pdim[q]
                if nallow[dq] > 1:
                    new_assign[q] = alist[dq, np.random.randint(nallow[dq])]
        elif kind < 0.5 and P > 1:
            # swap the slots of two primes
            p = np.random.randint(P)
            q = np.random.randint(P)
            sp = new_assign[p]
            sq = new_assign[q]
            okp = allowed[pdim[p], sq]
            okq = allowed[pdim[q], sp]
            if okp and okq:
                new_assign[p] = sq
                new_assign[q] = sp
        elif kind < 0.58 and P > 0:
            # re-draw every prime of one dimension
            d = pdim[np.random.randint(P)]
            for p in range(P):
                if pdim[p] == d:
                    new_assign[p] = alist[d, np.random.randint(nallow[d])]
        elif kind < 0.68 and nspat > 0 and P > 0:
            # refill one spatial slot greedily with random primes that fit its fanout
            s = spat[np.random.randint(nspat)]
            L = slots[s, 0]
            cap = ilev[L, I_FX] * ilev[L, I_FY]
            prodf = 1
            for d in range(D):
                if fixed[s, d] > 0:
                    prodf *= fixed[s, d]
            for p in range(P):
                if new_assign[p] == s:
                    d = pdim[p]
                    new_assign[p] = alist[d, nallow[d] - 1] if alist[d, nallow[d] - 1] != s else alist[d, 0]
            order = np.random.permutation(P)
            for k in range(P):
                p = order[k]
                d = pdim[p]
                if allowed[d, s] and prodf * primes[p] <= cap and np.random.random() < 0.9:
                    new_assign[p] = s
                    prodf *= primes[p]
        elif kind < 0.9:
            s = np.random.randint(S)
            lo = pinfo[s, 0]
            hi = pinfo[s, 1]
            if hi - lo >= 2:
                i = lo + np.random.randint(hi - lo)
                j = lo + np.random.randint(hi - lo)
                tmp = new_perm[s, i]
                new_perm[s, i] = new_perm[s, j]
                new_perm[s, j] = tmp
        elif nfree_keep > 0:
            k = np.random.randint(nfree_keep)
            for L in range(NL):
                for t in range(NT):
                    if keepf[L, t] < 0:
                        if k == 0:
                            new_keep[L, t] = 1 - new_keep[L, t]
                        k -= 1
        _factors_from(fixed, primes, pdim, new_assign, F)
        if not _respects_bounds(F, maxf, minf):
            continue
        c, e = evaluate(F, new_perm, new_keep, slots, pinfo, ilev, flev, coef, rw, misc, fmisc, counts)
        evals += 1
        if not np.isfinite(c):
            continue
        sc = score_of(c, e, objective)
        if sc <= cur_score or np.random.random() < math.exp(-(sc - cur_score) / temp):
            assign[:] = new_assign
            perm[:, :] = new_perm
            keep[:, :] = new_keep
            cur_score = sc
            if sc < best_metrics[0]:
                best_metrics[0] = sc
                best_metrics[1] = c
                best_metrics[2] = e
                best_assign[:] = new_assign
                best_perm[:, :] = new_perm
                best_keep[:, :] = new_keep
    return evals


@njit(cache=True)
def evaluate_many(Fs, perms, keeps, slots, pinfo, ilev, flev, coef, rw, misc, fmisc):
    """Score a batch of candidates (bench: evaluation rate)."""
    n = Fs.shape[0]
    out = np.zeros((n, 2))
    NL = misc[M_NL]
    NT = misc[M_NT]
    counts = np.zeros((NL, NT, 3))
    for i in range(n):
        c, e = evaluate(Fs[i], perms[i], keeps[i], slots, pinfo, ilev, flev, coef, rw, misc, fmisc, counts)
        out[i, 0] = c
        out[i, 1] = e
    return out


@njit(cache=True)
def polish(objective, max_passes, fixed, maxf, minf, primes, pdim, allowed, keepf, slots, pinfo, ilev, flev,
           coef, rw, misc, fmisc, assign, perm, keep, metrics):
    """Deterministic first-improvement hill climbing around (assign, perm, keep), updated in place.

    Neighbourhood: move one prime to another allowed slot, swap two primes' slots, swap two free
    permutation positions of a slot, flip one free keep bit. Returns the number of evaluations."""
    S, D = fixed.shape
    NL = misc[M_NL]
    NT = misc[M_NT]
    P = primes.shape[0]
    F = np.ones((S, D), np.int64)
    counts = np.zeros((NL, NT, 3))
    evals = 0
    cur = metrics[0]
    for _ in range(max_passes):
        improved = False
        # prime moves
        for p in range(P):
            d = pdim[p]
            old = assign[p]
            for s in range(S):
                if s == old or not allowed[d, s]:
                    continue
                assign[p] = s
                _factors_from(fixed, primes, pdim, assign, F)
                if _respects_bounds(F, maxf, minf):
                    c, e = evaluate(F, perm, keep, slots, pinfo, ilev, flev, coef, rw, misc, fmisc, counts)
                    evals += 1
                    sc = score_of(c, e, objective)
                    if sc < cur - 1e-12:
                        cur = sc
                        metrics[0] = sc
                        metrics[1] = c
                        metrics[2] = e
                        old = s
                        improved = True
                        continue
                assign[p] = old
            assign[p] = old
        # prime swaps
        for p in range(P):
            for q in range(p + 1, P):
                sp = assign[p]
                sq = assign[q]
                if sp == sq or pdim[p] == pdim[q] or not allowed[pdim[p], sq] or not allowed[pdim[q], sp]:
                    continue
                assign[p] = sq
                assign[q] = sp
                _factors_from(fixed, primes, pdim, assign, F)
                ok = False
                if _respects_bounds(F, maxf, minf):
                    c, e = evaluate(F, perm, keep, slots, pinfo, ilev, flev, coef, rw, misc, fmisc, counts)
                    evals += 1
                    sc = score_of(c, e, objective)
                    if sc < cur - 1e-12:
                        cur = sc
                        metrics[0] = sc
                        metrics[1] = c
                        metrics[2] = e
                        improved = True
                        ok = True
                if not ok:
                    assign[p] = sp
                    assign[q] = sq
        _factors_from(fixed, primes, pdim, assign, F)
        # permutation swaps (only positions holding non-unit factors matter)
        for s in range(S):
            lo = pinfo[s, 0]
            hi = pinfo[s, 1]
            for i in range(lo, hi):
                for j in range(i + 1, hi):
                    if F[s, perm[s, i]] == 1 and F[s, perm[s, j]] == 1:
                        continue
                    tmp = perm[s, i]
                    perm[s, i] = perm[s, j]
                    perm[s, j] = tmp
                    c, e = evaluate(F, perm, keep, slots, pinfo, ilev, flev, coef, rw, misc, fmisc, counts)
                    evals += 1
                    sc = score_of(c, e, objective)
                    if sc < cur - 1e-12:
                        cur = sc
                        metrics[0] = sc
                        metrics[1] = c
                        metrics[2] = e
                        improved = True
                    else:
                        tmp = perm[s, i]
                        perm[s, i] = perm[s, j]
                        perm[s, j] = tmp
        # keep flips
        for L in range(NL):
            for t in range(NT):
                if keepf[L, t] >= 0:
                    continue
                keep[L, t] = 1 - keep[L, t]
                c, e = evaluate(F, perm, keep, slots, pinfo, ilev, flev, coef, rw, misc, fmisc, counts)
                evals += 1
                sc = score_of(c, e, objective)
                if sc < cur - 1e-12:
                    cur = sc
                    metrics[0] = sc
                    metrics[1] = c
                    metrics[2] = e
                    improved = True
                else:
                    keep[L, t] = 1 - keep[L, t]
        if not improved:
            break
    return evals

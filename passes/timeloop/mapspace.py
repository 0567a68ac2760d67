"""The mapspace: tiling slots, pinned factors, permutation freedom, bypass choices, as numpy arrays.

Slots are Timeloop's tiling levels, inner -> outer: for each storage level an optional spatial slot
(when the level fans out) followed by its temporal slot. A candidate mapping is

* an assignment of the prime factors of every dimension's *free* part (bound / product of pinned
  factors) to the slots that are allowed for that dimension (`allowed[d, s]`);
* a permutation per slot (dims innermost first) whose positions `[lo, hi)` are free (constraint
  prefix/suffix pinned);
* keep bits per (level, data space) where the constraints leave the choice open.

Constraint semantics follow Timeloop (timeloop-model.md 2.2): `D=n` pins, `D=0` means the full bound,
a pinned value larger than the bound is clamped to it, `D<=n`/`D>=n` bound the factor, `split`
fixes the X/Y split of a spatial slot (otherwise the first split that fits the fanout is used), the
outermost level keeps every data space. One deliberate deviation: a `D=0` on a *spatial* slot is read
as "D is free here" when D is also pinned at another slot (the full-bound reading could then never be
satisfied) or when (level, D) is in `constraints.zero_as_free`. This is how FOCUS's
`simba_constraints.yaml` (`C=0` at the DRAM spatial level next to the in-core `C=4`) gets a mapspace;
see `api.py`. Each such reading is listed in `MapSpace.notes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from focus_tools.errors import FocusError
from frontend.problem import Problem

from .model import EnergyTable, make_energy_table
from .spec import Architecture, Constraints, LevelMapping, TileMapping


def prime_factors(n: int) -> list[int]:
    out = []
    p = 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    if n > 1:
        out.append(n)
    return out


@dataclass
class MapSpace:
    problem: Problem
    arch: Architecture
    constraints: Constraints
    energy: EnergyTable
    legacy_stride: bool = True
    link_transfers: bool = True

    def __post_init__(self) -> None:
        prob, arch, cons = self.problem, self.arch, self.constraints
        self.dims = list(prob.dims)
        D = len(self.dims)
        didx = {d: i for i, d in enumerate(self.dims)}
        slots: list[tuple[int, int]] = []
        for L in range(arch.num_levels):
            if arch.fanout(L) > 1:
                slots.append((L, 1))
            slots.append((L, 0))
        self.slots = slots
        S = len(slots)
        fixed = np.zeros((S, D), np.int64)
        maxf = np.zeros((S, D), np.int64)
        minf = np.zeros((S, D), np.int64)
        perm = np.zeros((S, D), np.int64)
        pinfo = np.zeros((S, 3), np.int64)
        self.notes: list[str] = []

        def pinned_elsewhere(d: str, here: int) -> int:
            p = 1
            for s2, (L2, sp2) in enumerate(slots):
                lc2 = cons.levels[L2]
                v2 = (lc2.spatial if sp2 else lc2.temporal).exact.get(d)
                if s2 != here and v2:
                    p *= min(v2, prob.bounds[d])
            return p

        for s, (L, spatial) in enumerate(slots):
            lc = cons.levels[L]
            c = lc.spatial if spatial else lc.temporal
            for d, v in c.exact.items():
                b = prob.bounds[d]
                if spatial and v == 0 and ((L, d) in cons.zero_as_free or pinned_elsewhere(d, s) > 1):
                    self.notes.append(f"{d}=0 at {arch.levels[L].name} (spatial) read as a free factor")
                    continue
                v = b if v == 0 or v > b else v
                fixed[s, didx[d]] = v
            for d, v in c.max.items():
                maxf[s, didx[d]] = v
            for d, v in c.min.items():
                minf[s, didx[d]] = v
            if spatial:
                fo = arch.fanout(L)
                for i in range(D):
                    if maxf[s, i] == 0 or maxf[s, i] > fo:
                        maxf[s, i] = fo
            order = list(c.prefix) + [d for d in self.dims if d not in c.prefix and d not in c.suffix] + list(
                c.suffix)
            perm[s] = [didx[d] for d in order]
            pinfo[s, 0] = len(c.prefix)
            pinfo[s, 1] = D - len(c.suffix)
            pinfo[s, 2] = -1 if not spatial or c.split is None else min(c.split, D)
        # free parts and primes
        primes: list[int] = []
        pdim: list[int] = []
        allowed = np.zeros((D, S), np.bool_)
        for i, d in enumerate(self.dims):
            pinned = 1
            where = []
            for s in range(S):
                if fixed[s, i]:
                    pinned *= int(fixed[s, i])
                    where.append(f"{arch.levels[slots[s][0]].name}{'(spatial)' if slots[s][1] else ''}="
                                 f"{int(fixed[s, i])}")
            b = prob.bounds[d]
            if b % pinned:
                raise FocusError(
                    f"{cons.source}: constraints allow no mapping: {d} pinned to {' x '.join(where)} "
                    f"= {pinned}, which does not divide the bound {d}={b}"
                )
            free = b // pinned
            for s in range(S):
                if not fixed[s, i] and (maxf[s, i] == 0 or maxf[s, i] >= 2):
                    allowed[i, s] = True
            ps = prime_factors(free)
            if ps and not allowed[i].any():
                raise FocusError(
                    f"{cons.source}: constraints allow no mapping: {d}={b} has {free} left after pinned "
                    f"factors but every level pins or caps {d}"
                )
            for p in ps:
                primes.append(p)
                pdim.append(i)
        self.fixed, self.maxf, self.minf, self.perm0, self.pinfo = fixed, maxf, minf, perm, pinfo
        self.primes = np.array(primes, np.int64)
        self.pdim = np.array(pdim, np.int64)
        self.allowed = allowed
        NL = arch.num_levels
        NT = len(prob.data_spaces)
        keepf = -np.ones((NL, NT), np.int64)
        for L, lc in enumerate(cons.levels):
            for t, ds in enumerate(prob.data_spaces):
                if ds.name in lc.keep:
                    keepf[L, t] = 1
                elif ds.name in lc.bypass:
                    keepf[L, t] = 0
        keepf[NL - 1, :] = 1
        self.keepf = keepf
        self._static_arrays()

    # ---- static tables for the kernels -------------------------------------------------------------
    def _static_arrays(self) -> None:
        prob, arch = self.problem, self.arch
        NL = arch.num_levels
        D = len(self.dims)
        NT = len(prob.data_spaces)
        R = max(len(ds.projection) for ds in prob.data_spaces)
        didx = {d: i for i, d in enumerate(self.dims)}
        coef = np.zeros((NT, R, D), np.int64)
        for t, ds in enumerate(prob.data_spaces):
            for r, rank in enumerate(ds.projection):
                for d, c in rank:
                    coef[t, r, didx[d]] += c
        rw = np.array([1 if ds.read_write else 0 for ds in prob.data_spaces], np.int64)
        ilev = np.zeros((NL, 6), np.int64)
        flev = np.zeros((NL, 8), np.float64)
        for L, lv in enumerate(arch.levels):
            eff = lv.effective_size
            ilev[L] = [arch.fanout_x[L], arch.fanout_y[L], -1 if eff is None else eff, lv.instances,
                       lv.cluster_size, lv.block_size]
            le = self.energy.levels[L]
            flev[L] = [le.read, le.fill, le.update, le.leak,
                       -1.0 if lv.read_bandwidth is None else lv.read_bandwidth,
                       -1.0 if lv.write_bandwidth is None else lv.write_bandwidth,
                       -1.0 if lv.shared_bandwidth is None else lv.shared_bandwidth, lv.min_utilization]
            if lv.bandwidth_scale:
                # per-dataspace bandwidth scales are rare; the kernel ignores them (exact model does not)
                pass
        misc = np.array([D, NT, NL, arch.arithmetic.instances, 1 if self.legacy_stride else 0,
                         1 if self.link_transfers else 0, R], np.int64)
        lat = sum(lv.network_fill_latency + lv.network_drain_latency for lv in arch.levels)
        fmisc = np.array([self.energy.mac, self.constraints.min_utilization, float(lat)], np.float64)
        self.coef, self.rw, self.ilev, self.flev, self.misc, self.fmisc = coef, rw, ilev, flev, misc, fmisc
        self.slots_arr = np.array(self.slots, np.int64).reshape(len(self.slots), 2)

    def kernel_args(self, pinfo: np.ndarray | None = None) -> tuple:
        return (self.slots_arr, self.pinfo if pinfo is None else pinfo, self.ilev, self.flev, self.coef, self.rw,
                self.misc, self.fmisc)

    # ---- candidates <-> mappings -------------------------------------------------------------------
    def factors(self, assign: np.ndarray) -> np.ndarray:
        F = np.where(self.fixed > 0, self.fixed, 1).astype(np.int64)
        for p, s in enumerate(assign):
            F[s, self.pdim[p]] *= self.primes[p]
        return F

    def decode(self, F: np.ndarray, perm: np.ndarray, keep: np.ndarray) -> TileMapping:
        arch = self.arch
        D = len(self.dims)
        levels = []
        for L in range(arch.num_levels):
            t = {d: 1 for d in self.dims}
            s = {d: 1 for d in self.dims}
            tperm = tuple(self.dims)
            sperm = tuple(self.dims)
            split = D
            for si, (lv, spatial) in enumerate(self.slots):
                if lv != L:
                    continue
                order = tuple(self.dims[int(i)] for i in perm[si])
                vals = {self.dims[i]: int(F[si, i]) for i in range(D)}
                if spatial:
                    s = vals
                    sperm = order
                    split = self._choose_split(si, F, perm)
                else:
                    t = vals
                    tperm = order
            keep_set = frozenset(ds.name for ti, ds in enumerate(self.problem.data_spaces) if keep[L, ti])
            levels.append(LevelMapping(t, tperm, s, sperm, split, keep_set))
        return TileMapping(tuple(levels))

    def _choose_split(self, si: int, F: np.ndarray, perm: np.ndarray) -> int:
        L = self.slots[si][0]
        D = len(self.dims)
        fx, fy = self.arch.fanout_x[L], self.arch.fanout_y[L]
        fixed_split = int(self.pinfo[si, 2])
        candidates = [fixed_split] if fixed_split >= 0 else range(D + 1)
        for sp in candidates:
            px = py = 1
            for pos in range(D):
                f = int(F[si, perm[si, pos]])
                if pos < sp:
                    px *= f
                else:
                    py *= f
            if px <= fx and py <= fy:
                return sp
        return D if fixed_split < 0 else fixed_split

    def encode(self, mapping: TileMapping) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(F, perm, keep, pinfo) arrays of a fixed mapping (pinfo carries the mapping's own splits)."""
        D = len(self.dims)
        didx = {d: i for i, d in enumerate(self.dims)}
        S = len(self.slots)
        F = np.ones((S, D), np.int64)
        perm = np.zeros((S, D), np.int64)
        pinfo = self.pinfo.copy()
        for si, (L, spatial) in enumerate(self.slots):
            lm = mapping.levels[L]
            if spatial:
                pinfo[si, 2] = min(lm.split, D)
            vals = lm.spatial if spatial else lm.temporal
            order = lm.spatial_perm if spatial else lm.temporal_perm
            for d in self.dims:
                F[si, didx[d]] = vals.get(d, 1)
            perm[si] = [didx[d] for d in order]
        keep = np.zeros((self.arch.num_levels, len(self.problem.data_spaces)), np.int64)
        for L, lm in enumerate(mapping.levels):
            for t, ds in enumerate(self.problem.data_spaces):
                keep[L, t] = 1 if ds.name in lm.keep else 0
        return F, perm, keep, pinfo

    def assignment_of(self, F: np.ndarray) -> np.ndarray | None:
        """Prime assignment that produces F, or None if F breaks the pinned factors."""
        S, D = F.shape
        assign = np.zeros(len(self.primes), np.int64)
        for i in range(D):
            rest = {}
            for s in range(S):
                if self.fixed[s, i]:
                    if F[s, i] != self.fixed[s, i]:
                        return None
                else:
                    rest[s] = int(F[s, i])
            idxs = [p for p in range(len(self.primes)) if self.pdim[p] == i]
            pool = sorted((int(self.primes[p]), p) for p in idxs)
            for s, v in rest.items():
                for q in prime_factors(v):
                    hit = next((k for k, (pv, _) in enumerate(pool) if pv == q), None)
                    if hit is None or not self.allowed[i, s]:
                        return None
                    assign[pool[hit][1]] = s
                    pool.pop(hit)
            if pool:
                return None
        return assign


def build_mapspace(problem: Problem, arch: Architecture, constraints: Constraints,
                   energy: EnergyTable | None = None, *, legacy_stride: bool = True,
                   link_transfers: bool = True) -> MapSpace:
    return MapSpace(problem, arch, constraints, energy or make_energy_table(arch), legacy_stride, link_transfers)

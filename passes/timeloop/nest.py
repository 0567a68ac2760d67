"""Loop nests and Timeloop's nest analysis (the reference recursion of timeloop-model.md 4.2).

`build_nest(mapping, arch, problem)` expands a `TileMapping` into Timeloop's internal loop nest: for each
storage level (innermost first) its spatial loops (fanout to the inner level, tagged X/Y by `split`) then
its temporal loops; unit loops are dropped and a level with no temporal loop gets a dummy one. The
storage boundary of a level is its outermost temporal loop.

`analyze_nest(nest, problem, arch, ...)` runs the extrapolated delta recursion literally: per loop it
returns the working-set size of each data space (`size`), the words delivered to the child tiles per
instance with their multicast factors (`acc`: multicast -> words), link transfers, replication and
fanout. Tiles are axis-aligned hyper-rectangles (AAHR) of tensor coordinates; a delta (new tile minus
the previous one) is a box minus a sub-box, kept in a canonical form so that equal point sets compare
equal (multicast detection, link transfers). It is exact but exponential in the number of temporal
loops; `fastmodel.py` computes the same numbers in closed form for the mapper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from focus_tools.errors import FocusError
from frontend.problem import Problem

from .spec import Architecture, TileMapping

T, X, Y = 0, 1, 2  # loop kinds


@dataclass(frozen=True)
class Loop:
    dim: int  # index into problem.dims
    factor: int
    kind: int  # T, X or Y
    level: int  # storage level the loop belongs to


@dataclass(frozen=True)
class Nest:
    loops: tuple[Loop, ...]  # index 0 = innermost
    boundaries: tuple[int, ...]  # per storage level: index of its outermost temporal loop
    dims: tuple[str, ...]

    def level_loops(self, level: int) -> range:
        lo = 0 if level == 0 else self.boundaries[level - 1] + 1
        return range(lo, self.boundaries[level] + 1)


def build_nest(mapping: TileMapping, arch: Architecture, problem: Problem) -> Nest:
    dims = tuple(problem.dims)
    index = {d: i for i, d in enumerate(dims)}
    loops: list[Loop] = []
    boundaries: list[int] = []
    for i, lm in enumerate(mapping.levels):
        if arch.fanout(i) > 1:
            for pos, d in enumerate(lm.spatial_perm):
                f = lm.spatial.get(d, 1)
                if f > 1:
                    loops.append(Loop(index[d], f, X if pos < lm.split else Y, i))
        elif any(f > 1 for f in lm.spatial.values()):
            raise FocusError(f"mapping: spatial factors at {arch.levels[i].name}, which has no spatial fanout")
        n_before = len(loops)
        for d in lm.temporal_perm:
            f = lm.temporal.get(d, 1)
            if f > 1:
                loops.append(Loop(index[d], f, T, i))
        if len(loops) == n_before:
            loops.append(Loop(len(dims) - 1, 1, T, i))
        boundaries.append(len(loops) - 1)
    return Nest(tuple(loops), tuple(boundaries), dims)


# ---------------------------------------------------------------------------------------------------
# Point sets: boxes (inclusive lo/hi per rank) and box-minus-box differences in canonical form
# ---------------------------------------------------------------------------------------------------
# A set is None (empty), ('B', lo, hi) or ('D', lo, hi, hlo, hhi) = box minus a proper, non-empty
# sub-box such that the result is not itself a box (then the pair is unique for the set).


def box_size(lo: Sequence[int], hi: Sequence[int]) -> int:
    s = 1
    for a, b in zip(lo, hi):
        if b < a:
            return 0
        s *= b - a + 1
    return s


def set_size(s) -> int:
    if s is None:
        return 0
    if s[0] == "B":
        return box_size(s[1], s[2])
    return box_size(s[1], s[2]) - box_size(s[3], s[4])


def box_minus(plo: tuple, phi: tuple, llo: tuple | None, lhi: tuple | None):
    """Canonical form of box P minus box L."""
    if llo is None:
        return ("B", plo, phi)
    ilo = tuple(max(a, b) for a, b in zip(plo, llo))
    ihi = tuple(min(a, b) for a, b in zip(phi, lhi))
    if any(b < a for a, b in zip(ilo, ihi)):
        return ("B", plo, phi)
    if ilo == plo and ihi == phi:
        return None
    # is P \ I a box? I must span P in every rank but one, and touch one end of that rank.
    diff_ranks = [r for r in range(len(plo)) if ilo[r] != plo[r] or ihi[r] != phi[r]]
    if len(diff_ranks) == 1:
        r = diff_ranks[0]
        if ilo[r] == plo[r]:
            lo = list(plo)
            lo[r] = ihi[r] + 1
            return ("B", plo[:r] + (ihi[r] + 1,) + plo[r + 1:], phi)
        if ihi[r] == phi[r]:
            return ("B", plo, phi[:r] + (ilo[r] - 1,) + phi[r + 1:])
    return ("D", plo, phi, ilo, ihi)


def translate_set(s, t: tuple):
    if s is None:
        return None
    if s[0] == "B":
        return ("B", tuple(a + b for a, b in zip(s[1], t)), tuple(a + b for a, b in zip(s[2], t)))
    return ("D",) + tuple(tuple(a + b for a, b in zip(x, t)) for x in s[1:])


def round_half_away(x: float) -> int:
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


# ---------------------------------------------------------------------------------------------------
# Reference nest analysis
# ---------------------------------------------------------------------------------------------------


@dataclass
class LoopResult:
    """Per valid loop (temporal or master spatial), per data space."""

    loop: int
    size: list[int]
    acc: list[dict[int, int]]  # multicast factor -> words (per instance)
    link: list[int]
    repl: int
    fanout: int
    is_boundary: bool
    is_master: bool


@dataclass
class NestAnalysis:
    loops: list[LoopResult]  # valid loops, innermost first
    compute_accesses: int  # MAC iterations per MAC instance (= compute cycles)
    compute_replication: int  # utilized MAC instances
    # per master spatial loop (loop index): the per-instance spatial delta of the first invocation
    # is not kept; the multicast histogram is in LoopResult.acc.


class _State:
    __slots__ = ("acc", "last", "lastT", "link", "maxsize", "prevSD")

    def __init__(self, n: int) -> None:
        self.acc = [dict() for _ in range(n)]
        self.maxsize = [0] * n
        self.last = [None] * n  # (lo, hi) or None
        self.lastT = [None] * n  # translation tuple or None (NULL)
        self.prevSD = None
        self.link = [0] * n


class _Analyzer:
    def __init__(self, nest: Nest, problem: Problem, arch: Architecture, legacy_stride: bool,
                 link_transfers: bool) -> None:
        self.nest = nest
        self.loops = nest.loops
        self.n = len(nest.loops)
        self.legacy = legacy_stride
        self.links = link_transfers
        dims = nest.dims
        self.ndims = len(dims)
        didx = {d: i for i, d in enumerate(dims)}
        self.proj = [
            [[(didx[d], c) for d, c in rank] for rank in ds.projection] for ds in problem.data_spaces
        ]
        self.nt = len(self.proj)
        n = self.n
        self.vs = [0] * n
        self.hi = [[0] * self.ndims for _ in range(n)]
        scale = [1] * self.ndims
        for l, lp in enumerate(self.loops):
            self.vs[l] = scale[lp.dim]
            scale[lp.dim] *= lp.factor
            self.hi[l] = [s - 1 for s in scale]
        self.master = [False] * n
        for l, lp in enumerate(self.loops):
            if lp.kind != T and (l == n - 1 or self.loops[l + 1].kind == T):
                self.master[l] = True
        self.nse = [1] * n
        prod = 1
        for l in range(n - 1, -1, -1):
            self.nse[l] = prod
            if self.loops[l].kind != T:
                prod *= self.loops[l].factor
        self.fanout = [1] * n
        self.hsize = [1] * n
        self.vsize = [1] * n
        for l in range(n):
            if self.master[l]:
                k = l
                fo = 1
                while k >= 0 and self.loops[k].kind != T:
                    fo *= self.loops[k].factor
                    if self.loops[k].kind == X:
                        self.hsize[l] *= self.loops[k].factor
                    else:
                        self.vsize[l] *= self.loops[k].factor
                    k -= 1
                self.fanout[l] = fo
                lvl = self.loops[l].level
                self.hsize[l] = max(self.hsize[l], arch.fanout_x[lvl])
                self.vsize[l] = max(self.vsize[l], arch.fanout_y[lvl])
        self.sb = [False] * n
        for b in nest.boundaries:
            self.sb[b] = True
        self.tr = [0] * self.ndims
        self.ep = 1
        self.computes = 0
        self.state = [_State(self.nt) for _ in range(n)]
        # per tensor, per loop: translation (per rank) of one step of the loop
        self.step = [
            [tuple(sum(c * self.vs[l] for d, c in rank if d == self.loops[l].dim) for rank in ranks)
             for l in range(n)]
            for ranks in self.proj
        ]

    # -- working sets -----------------------------------------------------------------------------
    def ws(self, l: int) -> list[tuple[tuple, tuple]]:
        tr = self.tr
        hi = self.hi[l]
        out = []
        for ranks in self.proj:
            lo_r = []
            hi_r = []
            for rank in ranks:
                a = b = 0
                for d, c in rank:
                    x0 = c * tr[d]
                    x1 = c * (tr[d] + hi[d])
                    if c >= 0:
                        a += x0
                        b += x1
                    else:
                        a += x1
                        b += x0
                lo_r.append(a)
                hi_r.append(b)
            out.append((tuple(lo_r), tuple(hi_r)))
        return out

    def point(self, l0_index: int) -> list:
        """Single-point sets of the operation point tr + i*vs[0] along loop 0's dim."""
        d0 = self.loops[0].dim
        saved = self.tr[d0]
        self.tr[d0] = saved + l0_index * self.vs[0]
        out = []
        for ranks in self.proj:
            coords = tuple(sum(c * self.tr[d] for d, c in rank) for rank in ranks)
            out.append(("B", coords, coords))
        self.tr[d0] = saved
        return out

    def stride_rule(self, P: tuple, st: _State, t: int):
        plo, phi = P
        last = st.last[t]
        if last is None:
            tv = None
            llo = lhi = None
        else:
            llo, lhi = last
            tv = tuple(round_half_away((a + b) / 2 - (c + e) / 2) for a, b, c, e in zip(plo, phi, llo, lhi))
        if not self.legacy and (tv is None or not any(tv)):
            st.last[t] = P
            return box_minus(plo, phi, llo, lhi)
        if st.lastT[t] is None:
            d = box_minus(plo, phi, llo, lhi)
            st.last[t] = P
            st.lastT[t] = tv
            return d
        if tv == st.lastT[t]:
            d = box_minus(plo, phi, llo, lhi)
            st.last[t] = P
            return d
        st.last[t] = P
        st.lastT[t] = None
        return ("B", plo, phi)

    # -- recursion ----------------------------------------------------------------------------------
    def deltas(self, l: int) -> list:
        st = self.state[l]
        if self.loops[l].kind == T:
            self.temporal(l, st)
        else:
            self.spatial(l, st)
        P = self.ws(l)
        if self.sb[l] or self.master[l]:
            for t in range(self.nt):
                s = box_size(*P[t])
                st.maxsize[t] = max(st.maxsize[t], s)
        return [self.stride_rule(P[t], st, t) for t in range(self.nt)]

    def temporal(self, l: int, st: _State) -> None:
        lp = self.loops[l]
        f = lp.factor
        if l == 0:
            self.computes += f * self.ep
            for t in range(self.nt):
                st.acc[t][1] = st.acc[t].get(1, 0) + f * self.ep
            return
        d = lp.dim
        saved = self.tr[d]
        d0 = self.deltas(l - 1)
        self.tr[d] += self.vs[l]
        d1 = None
        if f >= 2:
            self.ep *= f - 1
            d1 = self.deltas(l - 1)
            self.ep //= f - 1
        self.tr[d] = saved
        if self.sb[l - 1]:
            for t in range(self.nt):
                w = set_size(d0[t]) + ((f - 1) * set_size(d1[t]) if d1 is not None else 0)
                if w:
                    st.acc[t][1] = st.acc[t].get(1, 0) + w * self.ep
                else:
                    st.acc[t].setdefault(1, 0)

    def spatial(self, l: int, st: _State) -> None:
        SD: dict[int, list] = {}
        bottom = l
        while bottom > 0 and self.loops[bottom - 1].kind != T:
            bottom -= 1
        if bottom == 0:
            self.computes += self.ep
        self.fill(l, SD, 0, 0, l)
        acc_wo = self.multicast(SD, [set(SD) for _ in range(self.nt)])
        acc = acc_wo
        if self.links:
            linked, link_words = self.link_transfers(l, SD, st.prevSD)
            remaining = [set(SD) - linked[t] for t in range(self.nt)]
            acc_w = self.multicast(SD, remaining)
            acc = []
            for t in range(self.nt):
                if sum(acc_w[t].values()) < sum(acc_wo[t].values()):
                    acc.append(acc_w[t])
                    st.link[t] += link_words[t]
                else:
                    acc.append(acc_wo[t])
            st.prevSD = SD
        for t in range(self.nt):
            for m, w in acc[t].items():
                st.acc[t][m] = st.acc[t].get(m, 0) + w

    def fill(self, l: int, SD: dict, base: int, xs: int, xl: int) -> None:
        lp = self.loops[l]
        f = lp.factor
        base *= f
        if l == 0:
            for i in range(f):
                SD[base + i] = self.point(i)
            return
        d = lp.dim
        saved = self.tr[d]
        if self.loops[l - 1].kind != T:
            for i in range(f):
                self.fill(l - 1, SD, base + i, xs * f if i == 0 else 1, xl if i == 0 else l)
                self.tr[d] += self.vs[l]
            self.tr[d] = saved
            return
        if xs == 0:
            SD[base] = self.deltas(l - 1)
            xs, xl, i0 = 1, l, 1
        else:
            xs *= f
            i0 = 0
        steps = [self.step[t][xl] for t in range(self.nt)]
        for i in range(i0, f):
            prev = SD[base + i - xs]
            SD[base + i] = [translate_set(prev[t], steps[t]) for t in range(self.nt)]
        self.tr[d] = saved

    def multicast(self, SD: dict, members: list[set]) -> list[dict[int, int]]:
        out = []
        for t in range(self.nt):
            groups: dict = {}
            for idx in sorted(members[t]):
                s = SD[idx][t]
                groups[s] = groups.get(s, 0) + 1
            acc: dict[int, int] = {}
            for s, m in groups.items():
                size = set_size(s)
                if size > 0:
                    acc[m] = acc.get(m, 0) + size * self.ep
            out.append(acc)
        return out

    def link_transfers(self, l: int, SD: dict, prev: dict | None) -> tuple[list[set], list[int]]:
        linked = [set() for _ in range(self.nt)]
        words = [0] * self.nt
        if prev is None:
            return linked, words
        h, v = self.hsize[l], self.vsize[l]
        for idx, deltas in SD.items():
            hid, vid = idx % h, idx // h
            nbrs = []
            if v > 1:
                if vid >= 1:
                    nbrs.append(idx - h)
                if vid < v - 1:
                    nbrs.append(idx + h)
            if h > 1:
                if hid >= 1:
                    nbrs.append(idx - 1)
                if hid < h - 1:
                    nbrs.append(idx + 1)
            for t in range(self.nt):
                s = deltas[t]
                if s is None:
                    continue
                for nb in nbrs:
                    p = prev.get(nb)
                    if p is not None and p[t] == s:
                        linked[t].add(idx)
                        words[t] += set_size(s) * self.ep
                        break
        return linked, words

    def run(self) -> NestAnalysis:
        self.deltas(self.n - 1)
        results = []
        for l in range(self.n):
            if self.loops[l].kind != T and not self.master[l]:
                continue
            st = self.state[l]
            results.append(LoopResult(
                loop=l, size=list(st.maxsize), acc=[dict(a) for a in st.acc], link=list(st.link),
                repl=self.nse[l], fanout=self.fanout[l], is_boundary=self.sb[l], is_master=self.master[l]))
        first = results[0].loop
        replication = self.nse[first] * self.fanout[first]
        return NestAnalysis(results, self.computes, replication)


def analyze_nest(nest: Nest, problem: Problem, arch: Architecture, *, legacy_stride: bool = True,
                 link_transfers: bool = True) -> NestAnalysis:
    """Timeloop's nest analysis (reference recursion, exact)."""
    return _Analyzer(nest, problem, arch, legacy_stride, link_transfers).run()

"""Closed-form nest analysis: the same numbers as the recursion of `nest.py`, in polynomial time.

Why it works. In the extrapolated recursion (timeloop-model.md 4.2.1) every temporal loop above a child
tile runs iteration 0 and iteration 1 (weighted f-1), and spatial levels simulate only instance 0. So the
calls that compute the child tile's delta follow a binary counter over the temporal loops above the tile
(inner -> outer, factor >= 2): a "transition at loop j" sets bit j and clears the bits below it, moving
the tile by `u_j = s_j - sum_{i<j} s_i` (s_i = the loop's step projected on the tensor), and all
transitions at loop j together weigh `(f_j - 1) * prod_{i>j} f_i`. The delta of a call depends only on
the translation and on the stride-change state left by the previous call (legacy rule: a translation
that differs from the remembered one forces a full reload). A memoized recursion over
(loop, state) therefore sums the deltas exactly: `G(i, s) = G(i-1, s); step(u_i); (f_i - 1) x G(i-1, s')`.

At a master spatial loop the child deltas of the other instances are translations of instance 0's
(`T_i` = the projected spatial offset), so multicast groups are the instances with equal `T_i`; link
transfers compare each instance's delta with its neighbours' deltas of the previous call, which again
depends only on the (delta, previous delta, translation) triple the recursion carries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from frontend.problem import Problem

from .nest import LoopResult, Nest, NestAnalysis, T, X, box_minus, set_size, translate_set
from .spec import Architecture


class _LevelDP:
    """Sums the deliveries of one tensor into one child tile over all calls (see module docstring)."""

    def __init__(self, ext: tuple[int, ...], us: list[tuple[int, ...]], fs: list[int], legacy: bool,
                 contrib, point_mode: bool) -> None:
        self.ext = ext
        self.P = ("B", tuple(0 for _ in ext), tuple(e - 1 for e in ext))
        self.us = us
        self.fs = fs
        self.legacy = legacy
        self.contrib = contrib  # (desc_now, desc_prev_or_None, u) -> (acc dict, link words)
        self.point_mode = point_mode
        self.memo: dict = {}
        self.contrib_memo: dict = {}

    def desc_after(self, lastT, u):
        """Delta (canonical set relative to the current tile) and the new remembered translation."""
        if self.point_mode:
            return self.P, lastT
        zero = not any(u)
        plo, phi = self.P[1], self.P[2]
        shifted_lo = tuple(a - b for a, b in zip(plo, u))
        shifted_hi = tuple(a - b for a, b in zip(phi, u))
        if not self.legacy and zero:
            return None, lastT
        if lastT is None:
            return box_minus(plo, phi, shifted_lo, shifted_hi), u
        if u == lastT:
            return box_minus(plo, phi, shifted_lo, shifted_hi), lastT
        return self.P, None

    def call(self, desc_now, desc_prev, u):
        key = (desc_now, desc_prev, u)
        r = self.contrib_memo.get(key)
        if r is None:
            r = self.contrib(desc_now, desc_prev, u)
            self.contrib_memo[key] = r
        return r

    def G(self, i: int, state):
        """Transitions inside the counter over loops 0..i-1 starting from `state`.

        Returns (acc dict, link words, deliveries with a non-empty delta, final state)."""
        if i == 0:
            return {}, 0, 0, state
        key = (i, state)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        a1, l1, n1, s1 = self.G(i - 1, state)
        lastT, prev = s1
        u = self.us[i - 1]
        desc, newT = self.desc_after(lastT, u)
        c_acc, c_link = self.call(desc, translate_set(prev, tuple(-x for x in u)), u)
        nonempty = 1 if set_size(desc) > 0 else 0
        a2, l2, n2, s3 = self.G(i - 1, (newT, desc))
        w = self.fs[i - 1] - 1
        acc = dict(a1)
        for m, v in c_acc.items():
            acc[m] = acc.get(m, 0) + w * v
        for m, v in a2.items():
            acc[m] = acc.get(m, 0) + w * v
        res = (acc, l1 + w * (c_link + l2), n1 + w * (nonempty + n2), s3)
        self.memo[key] = res
        return res

    def total(self):
        first_acc, first_link = self.call(self.P, None, None)
        acc, link, n, _ = self.G(len(self.us), (None, self.P))
        out = dict(first_acc)
        for m, v in acc.items():
            out[m] = out.get(m, 0) + v
        return out, first_link + link, (1 if set_size(self.P) else 0) + n


def _counter_translations(loop_ids: Sequence[int], step: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
    us = []
    acc = None
    for l in loop_ids:
        s = step[l]
        if acc is None:
            u = s
            acc = s
        else:
            u = tuple(a - b for a, b in zip(s, acc))
            acc = tuple(a + b for a, b in zip(acc, s))
        us.append(u)
    return us


class FastAnalysis:
    """Per-level delivery statistics of a nest (also used for the boundary-traffic API)."""

    def __init__(self, nest: Nest, problem: Problem, arch: Architecture, legacy_stride: bool = True,
                 link_transfers: bool = True) -> None:
        self.nest = nest
        self.problem = problem
        self.arch = arch
        self.legacy = legacy_stride
        self.links = link_transfers
        loops = nest.loops
        n = len(loops)
        self.n = n
        nd = len(nest.dims)
        didx = {d: i for i, d in enumerate(nest.dims)}
        self.proj = [[[(didx[d], c) for d, c in rank] for rank in ds.projection] for ds in problem.data_spaces]
        self.nt = len(self.proj)
        self.vs = [0] * n
        self.hi = [[0] * nd for _ in range(n)]
        scale = [1] * nd
        for l, lp in enumerate(loops):
            self.vs[l] = scale[lp.dim]
            scale[lp.dim] *= lp.factor
            self.hi[l] = [s - 1 for s in scale]
        self.master = [lp.kind != T and (l == n - 1 or loops[l + 1].kind == T) for l, lp in enumerate(loops)]
        self.nse = [1] * n
        prod = 1
        for l in range(n - 1, -1, -1):
            self.nse[l] = prod
            if loops[l].kind != T:
                prod *= loops[l].factor
        self.sb = [False] * n
        for b in nest.boundaries:
            self.sb[b] = True
        self.step = [
            [tuple(sum(c * self.vs[l] for d, c in rank if d == loops[l].dim) for rank in ranks) for l in range(n)]
            for ranks in self.proj
        ]
        self.temporal_counted = [l for l in range(n) if loops[l].kind == T and loops[l].factor >= 2]

    def extents(self, l: int, t: int) -> tuple[int, ...]:
        hi = self.hi[l]
        return tuple(sum(abs(c) * hi[d] for d, c in rank) + 1 for rank in self.proj[t])

    def run_of(self, m: int) -> list[int]:
        """Loops of the spatial run whose master is m, outermost first."""
        run = []
        k = m
        while k >= 0 and self.nest.loops[k].kind != T:
            run.append(k)
            k -= 1
        return run

    def instance_offsets(self, m: int, t: int) -> list[tuple[int, ...]]:
        """T_i (projected offset) of every instance of the run below master m, in Fill-index order."""
        run = self.run_of(m)
        offs = [tuple(0 for _ in self.proj[t])]
        for k in run:  # outermost first: index = ((i_outer * f) + i_next) ...
            f = self.nest.loops[k].factor
            st = self.step[t][k]
            offs = [tuple(o + i * s for o, s in zip(base, st)) for base in offs for i in range(f)]
        return offs

    def neighbours(self, m: int, count: int) -> list[list[int]]:
        loops = self.nest.loops
        hx = vy = 1
        for k in self.run_of(m):
            if loops[k].kind == X:
                hx *= loops[k].factor
            else:
                vy *= loops[k].factor
        lvl = loops[m].level
        h = max(hx, self.arch.fanout_x[lvl])
        v = max(vy, self.arch.fanout_y[lvl])
        out = []
        for idx in range(count):
            hid, vid = idx % h, idx // h
            nb = []
            if v > 1:
                if vid >= 1:
                    nb.append(idx - h)
                if vid < v - 1:
                    nb.append(idx + h)
            if h > 1:
                if hid >= 1:
                    nb.append(idx - 1)
                if hid < h - 1:
                    nb.append(idx + 1)
            out.append([x for x in nb if 0 <= x < count])
        return out

    def delivery(self, l: int, t: int):
        """(acc dict, link words, deliveries) of the delivery loop l for tensor t."""
        loops = self.nest.loops
        if loops[l].kind == T:
            if l == 0:
                w = 1
                for k in self.temporal_counted:
                    w *= loops[k].factor
                return {1: w}, 0, w
            c = l - 1
            ext = self.extents(c, t)
            above = [k for k in self.temporal_counted if k > c]
            us = _counter_translations(above, self.step[t])
            fs = [loops[k].factor for k in above]

            def contrib(desc, prev, u):
                return {1: set_size(desc)}, 0

            dp = _LevelDP(ext, us, fs, self.legacy, contrib, False)
            acc, link, n = dp.total()
            return {1: acc.get(1, 0)}, link, n
        # master spatial loop
        run = self.run_of(l)
        bottom = run[-1]
        offs = self.instance_offsets(l, t)
        groups = Counter(offs)
        hist: dict[int, int] = Counter(groups.values())
        nbrs = self.neighbours(l, len(offs)) if self.links else None
        point_mode = bottom == 0
        above = [k for k in self.temporal_counted if k > l]
        us = _counter_translations(above, self.step[t])
        fs = [loops[k].factor for k in above]
        if point_mode:
            ext = tuple(1 for _ in self.proj[t])
        else:
            ext = self.extents(bottom - 1, t)

        def contrib(desc, prev, u):
            size = set_size(desc)
            if size == 0:
                return {}, 0
            without = {m: cnt * size for m, cnt in hist.items()}
            if not self.links or prev is None:
                return without, 0
            linked = set()
            for i, off in enumerate(offs):
                for nb in nbrs[i]:
                    v = tuple(a - b for a, b in zip(offs[nb], off))
                    if translate_set(prev, v) == desc:
                        linked.add(i)
                        break
            if not linked:
                return without, 0
            rem = Counter(off for i, off in enumerate(offs) if i not in linked)
            with_hist = Counter(rem.values())
            if sum(with_hist.values()) < sum(hist.values()):
                return {m: cnt * size for m, cnt in with_hist.items()}, len(linked) * size
            return without, 0

        dp = _LevelDP(ext, us, fs, self.legacy, contrib, point_mode)
        return dp.total()

    def analysis(self) -> NestAnalysis:
        loops = self.nest.loops
        delivery_loops = set()
        for L in range(len(self.nest.boundaries)):
            rng = self.nest.level_loops(L)
            valid = [l for l in rng if loops[l].kind == T or self.master[l]]
            delivery_loops.add(valid[0])
        results = []
        for l in range(self.n):
            if loops[l].kind != T and not self.master[l]:
                continue
            sizes = []
            for t in range(self.nt):
                sizes.append(_prod(self.extents(l, t)) if (self.sb[l] or self.master[l]) else 0)
            accs: list[dict] = [dict() for _ in range(self.nt)]
            links = [0] * self.nt
            if l in delivery_loops:
                for t in range(self.nt):
                    acc, link, _ = self.delivery(l, t)
                    accs[t] = acc
                    links[t] = link
            fanout = 1
            if self.master[l]:
                for k in self.run_of(l):
                    fanout *= loops[k].factor
            results.append(LoopResult(loop=l, size=sizes, acc=accs, link=links, repl=self.nse[l],
                                      fanout=fanout, is_boundary=self.sb[l], is_master=self.master[l]))
        computes = 1
        for lp in loops:
            if lp.kind == T:
                computes *= lp.factor
        first = results[0]
        return NestAnalysis(results, computes, self.nse[first.loop] * first.fanout)


def _prod(xs) -> int:
    p = 1
    for x in xs:
        p *= x
    return p


def analyze_nest_fast(nest: Nest, problem: Problem, arch: Architecture, *, legacy_stride: bool = True,
                      link_transfers: bool = True) -> NestAnalysis:
    return FastAnalysis(nest, problem, arch, legacy_stride, link_transfers).analysis()

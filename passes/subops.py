"""Sub-operator extraction: split one layer over K workers from a top-level mapping (plain Python).

A *top-level mapping* says how the layer's operation space is cut at the memory <-> worker boundary:
spatial factors `f_d` (the workers form a grid over the dimensions, K' = prod f_d <= K) and, inside each
worker, an ordered list of temporal loops `t_d` (outermost first) over which the worker fetches tiles.
From it this module derives, exactly and without Timeloop:

* per worker: its box of the operation space (near-equal splits, so the workers' MACs add up to the
  layer's MACs exactly), iterations `I = prod t_d`, compute cycles per iteration on the PE's MAC lanes,
  and its buffer footprint (double-buffered input tiles plus the output tile);
* per input data space: streams from the source to the workers. Workers whose boxes agree on every
  dimension the data space depends on receive identical data, so they share one stream (a multicast).
  A stream transfers one tile per change of the loops down to the innermost loop that indexes the
  space (the tile is reused, stationary, across the loops inside it);
* per worker one output stream to the sink (complete outputs: the loops over reduction dimensions are
  innermost) and whether the sink must reduce partial sums (a reduction dimension is split spatially).

`search_top_level` chooses the mapping with a fast analytic cost (compute cycles vs. traffic through the
NoC), deterministic and exhaustive over spatial factorizations.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from frontend.problem import DataSpace, Problem
from focus_tools.errors import FocusError


@dataclass(frozen=True)
class TopLevelMapping:
    spatial: tuple[tuple[str, int], ...]  # (dim, factor) in worker-grid order
    temporal: tuple[tuple[str, int], ...]  # (dim, factor), outermost first
    lanes: tuple[tuple[str, int], ...] = ()  # intra-PE parallel lanes (dim, width)

    def text(self) -> str:
        s = " ".join(f"{d}{f}" for d, f in self.spatial) or "-"
        t = " ".join(f"{d}{f}" for d, f in self.temporal) or "-"
        ln = " ".join(f"{d}{f}" for d, f in self.lanes) or "-"
        return f"spatial[{s}] temporal[{t}] lanes[{ln}]"


@dataclass(frozen=True)
class WorkerPlan:
    index: int
    coords: tuple[int, ...]  # position on the worker grid, one per spatial dim
    box: Mapping[str, tuple[int, int]]  # dim -> (offset, extent)
    iterations: int
    cycles_per_iteration: int
    macs: int
    buffer_words: int

    def extent(self, d: str) -> int:
        return self.box[d][1]


@dataclass(frozen=True)
class StreamPlan:
    space: str
    words: int  # per transfer
    transfers: int  # per batch
    consumers: tuple[int, ...]  # worker indices (several = multicast)


@dataclass
class LayerPlan:
    problem: Problem
    mapping: TopLevelMapping
    workers: list[WorkerPlan]
    input_streams: dict[str, list[StreamPlan]]  # data space -> streams
    output_streams: list[StreamPlan]  # one per worker, to the sink
    output_space: str
    reduce: bool
    cycles: int  # compute cycles of the slowest worker
    macs: int
    stats: dict = field(default_factory=dict)

    @property
    def iterations(self) -> int:
        return max(w.iterations for w in self.workers)


def split(bound: int, parts: int) -> list[tuple[int, int]]:
    """Near-equal split of range(bound) into `parts` (offset, extent) pieces (larger pieces first)."""
    base, extra = divmod(bound, parts)
    out, off = [], 0
    for i in range(parts):
        e = base + (1 if i < extra else 0)
        out.append((off, e))
        off += e
    return out


def _relevant(ds: DataSpace) -> set[str]:
    return set(ds.dims())


def _reduction_dims(problem: Problem) -> set[str]:
    out = set()
    for ds in problem.output_spaces:
        out |= _relevant(ds)
    return set(problem.dims) - out


def lane_roles(problem: Problem) -> tuple[str | None, str | None]:
    """NVDLA-like lanes: a reduction dim shared by weights and inputs ("C") and an output-channel dim ("M")."""
    outs = set().union(*(_relevant(ds) for ds in problem.output_spaces))
    ins = [ds for ds in problem.input_spaces]
    red = _reduction_dims(problem)
    # the classic conv names: C (input channels, also depthwise channels) and M (output channels)
    if "C" in problem.dims:
        return ("C" if "C" in problem.dims else None), ("M" if "M" in problem.dims else None)
    c_role = m_role = None
    if c_role is None:
        cands = [d for d in problem.dims if d in red and problem.bounds[d] > 1]
        cands.sort(key=lambda d: -problem.bounds[d])
        c_role = cands[0] if cands else None
    if m_role is None:
        # an output dim absent from at least one input (a channel-like dim); else any output dim
        cands = [d for d in problem.dims if d in outs and any(d not in _relevant(ds) for ds in ins)]
        if not cands:
            cands = [d for d in problem.dims if d in outs]
        cands.sort(key=lambda d: -problem.bounds[d])
        m_role = cands[0] if cands else None
    return c_role, m_role


def lane_options(macs_per_cycle: int) -> list[tuple[int, int]]:
    """(C lanes, M lanes) splits of the PE's MAC array, powers of two, both >= 1."""
    opts = []
    lo = 4 if macs_per_cycle >= 16 else 1  # Simba-like: 4-wide vectors at both levels
    c = lo
    while c <= macs_per_cycle // lo:
        if macs_per_cycle % c == 0:
            opts.append((c, macs_per_cycle // c))
        c *= 2
    return opts or [(1, macs_per_cycle)]


def compute_cycles(extents: Mapping[str, int], roles: tuple[str | None, str | None],
                   lanes: tuple[int, int]) -> int:
    c_role, m_role = roles
    cyc = 1
    for d, e in extents.items():
        if d == c_role:
            cyc *= math.ceil(e / lanes[0])
        elif d == m_role:
            cyc *= math.ceil(e / lanes[1])
        else:
            cyc *= e
    return cyc


def best_lanes(extents: Mapping[str, int], roles, macs_per_cycle: int) -> tuple[tuple[int, int], int]:
    best = None
    for opt in lane_options(macs_per_cycle):
        cyc = compute_cycles(extents, roles, opt)
        if best is None or cyc < best[1]:
            best = (opt, cyc)
    assert best is not None
    return best


def _tile_extents(extents: Mapping[str, int], temporal: Sequence[tuple[str, int]]) -> dict[str, int]:
    tile = dict(extents)
    for d, f in temporal:
        tile[d] = math.ceil(tile[d] / f)
    return tile


def transfers_of(ds: DataSpace, temporal: Sequence[tuple[str, int]]) -> int:
    """Tiles fetched per pass: the loops down to the innermost one that indexes the space."""
    rel = _relevant(ds)
    last = -1
    for i, (d, f) in enumerate(temporal):
        if d in rel and f > 1:
            last = i
    return math.prod(f for _, f in temporal[: last + 1]) if last >= 0 else 1


def footprint_words(problem: Problem, tile: Mapping[str, int], double_buffer: bool = True) -> int:
    words = 0
    for ds in problem.data_spaces:
        w = ds.size(tile)
        words += w if ds.read_write else (2 * w if double_buffer else w)
    return words


def plan_layer(problem: Problem, mapping: TopLevelMapping, *, macs_per_cycle: int, word_bits: int = 8,
               layer_cycles: int | None = None) -> LayerPlan:
    """Derive workers and streams for one layer from a top-level mapping.

    `layer_cycles` (e.g. from the Timeloop model) replaces the lane model's compute cycles: the largest
    worker takes that long, smaller ones proportionally to their MACs."""
    sdims = [d for d, _ in mapping.spatial]
    for d, f in mapping.spatial + mapping.temporal:
        if d not in problem.dims:
            raise FocusError(f"{problem.name}: mapping uses unknown dimension '{d}' (dimensions are {', '.join(problem.dims)})")
        if f < 1:
            raise FocusError(f"{problem.name}: mapping factor {d}={f} must be at least 1")
    splits = {d: split(problem.bounds[d], f) for d, f in mapping.spatial}
    for d, parts in splits.items():
        if any(e == 0 for _, e in parts):
            raise FocusError(
                f"{problem.name}: dimension {d}={problem.bounds[d]} cannot be split over {len(parts)} workers"
            )
    roles = lane_roles(problem)
    lanes = dict(mapping.lanes)
    lane_pair = (lanes.get(roles[0] or "", 0), lanes.get(roles[1] or "", 0))
    workers: list[WorkerPlan] = []
    grid = list(itertools.product(*[range(f) for _, f in mapping.spatial])) if sdims else [()]
    iterations = math.prod(f for _, f in mapping.temporal)
    for index, coords in enumerate(grid):
        box = {d: (0, problem.bounds[d]) for d in problem.dims}
        for d, c in zip(sdims, coords):
            box[d] = splits[d][c]
        extents = {d: box[d][1] for d in problem.dims}
        if layer_cycles is not None:
            cyc = 0  # filled in below, once the largest worker is known
        elif lane_pair[0] and lane_pair[1]:
            cyc = compute_cycles(extents, roles, lane_pair)
        else:
            _, cyc = best_lanes(extents, roles, macs_per_cycle)
        tile = _tile_extents(extents, mapping.temporal)
        workers.append(
            WorkerPlan(
                index=index, coords=tuple(coords), box=box, iterations=iterations,
                cycles_per_iteration=max(1, math.ceil(cyc / iterations)), macs=math.prod(extents.values()),
                buffer_words=footprint_words(problem, tile),
            )
        )
    if layer_cycles is not None:
        biggest = max(w.macs for w in workers)
        workers = [
            WorkerPlan(w.index, w.coords, w.box, w.iterations,
                       max(1, math.ceil(layer_cycles * w.macs / biggest / iterations)), w.macs, w.buffer_words)
            for w in workers
        ]
    input_streams: dict[str, list[StreamPlan]] = {}
    for ds in problem.input_spaces:
        rel = _relevant(ds)
        groups: dict[tuple, list[int]] = {}
        for w in workers:
            key = tuple((d, w.box[d]) for d in sdims if d in rel)
            groups.setdefault(key, []).append(w.index)
        streams = []
        for key, members in groups.items():
            w = workers[members[0]]
            tile = _tile_extents({d: w.extent(d) for d in problem.dims}, mapping.temporal)
            streams.append(StreamPlan(ds.name, ds.size(tile), transfers_of(ds, mapping.temporal), tuple(members)))
        input_streams[ds.name] = streams
    outs = problem.output_spaces
    if len(outs) != 1:
        raise FocusError(f"{problem.name}: expected exactly one output data space, found {len(outs)}")
    out = outs[0]
    output_streams = []
    for w in workers:
        tile = _tile_extents({d: w.extent(d) for d in problem.dims}, mapping.temporal)
        output_streams.append(StreamPlan(out.name, out.size(tile), transfers_of(out, mapping.temporal), (w.index,)))
    red = _reduction_dims(problem)
    reduce = any(d in red and f > 1 for d, f in mapping.spatial)
    cycles = max(w.cycles_per_iteration * w.iterations for w in workers)
    plan = LayerPlan(problem, mapping, workers, input_streams, output_streams, out.name, reduce, cycles,
                     sum(w.macs for w in workers))
    plan.stats = layer_stats(plan, macs_per_cycle)
    return plan


def layer_stats(plan: LayerPlan, macs_per_cycle: int) -> dict:
    k = len(plan.workers)
    in_words = sum(s.words * s.transfers for ss in plan.input_streams.values() for s in ss)
    delivered = sum(s.words * s.transfers * len(s.consumers) for ss in plan.input_streams.values() for s in ss)
    out_words = sum(s.words * s.transfers for s in plan.output_streams)
    return {
        "workers": k,
        "iterations": plan.iterations,
        "cycles": plan.cycles,
        "macs": plan.macs,
        "utilization": round(plan.macs / max(1, plan.cycles * k * macs_per_cycle), 6),
        "source_words": in_words,
        "delivered_words": delivered,
        "output_words": out_words,
        "multicast_factor": round(delivered / max(1, in_words), 4),
        "reduce": plan.reduce,
    }


# ---- search ---------------------------------------------------------------------------------------
def _factorizations(k: int, dims: Sequence[tuple[str, int]], min_used: int) -> list[tuple[tuple[str, int], ...]]:
    """Spatial factor assignments over `dims` (name, bound) with min_used <= product <= k."""
    out: list[tuple[tuple[str, int], ...]] = []

    def rec(i: int, prod: int, acc: list[tuple[str, int]]) -> None:
        if i == len(dims):
            if min_used <= prod <= k:
                out.append(tuple(acc))
            return
        d, bound = dims[i]
        f = 1
        while f <= min(bound, k // prod):
            rec(i + 1, prod * f, acc + ([(d, f)] if f > 1 else []))
            f += 1

    rec(0, 1, [])
    return out


def _temporal_for(problem: Problem, extents: Mapping[str, int], capacity_words: int) -> tuple[tuple[str, int], ...]:
    """Smallest tiling (fewest iterations) whose double-buffered footprint fits the buffer.

    Loop order: output dimensions outermost, reduction dimensions innermost (outputs leave complete).
    """
    red = _reduction_dims(problem)
    order = [d for d in problem.dims if d not in red] + [d for d in problem.dims if d in red]
    factors = {d: 1 for d in problem.dims}
    for _ in range(256):
        tile = {d: math.ceil(extents[d] / factors[d]) for d in problem.dims}
        if footprint_words(problem, tile) <= capacity_words:
            break
        # split the dim that shrinks the footprint the most per added iteration
        best = None
        for d in problem.dims:
            if tile[d] <= 1:
                continue
            nf = factors[d] + 1
            while nf <= extents[d] and math.ceil(extents[d] / nf) == tile[d]:
                nf += 1
            if nf > extents[d]:
                nf = extents[d]
            t2 = dict(tile)
            t2[d] = math.ceil(extents[d] / nf)
            gain = (footprint_words(problem, tile) - footprint_words(problem, t2)) / (nf / factors[d])
            if best is None or gain > best[0]:
                best = (gain, d, nf)
        if best is None:
            break
        factors[best[1]] = best[2]
    else:  # pragma: no cover - guarded by the loop bound
        pass
    tile = {d: math.ceil(extents[d] / factors[d]) for d in problem.dims}
    if footprint_words(problem, tile) > capacity_words:
        sizes = {ds.name: ds.size(tile) * (1 if ds.read_write else 2) for ds in problem.data_spaces}
        worst = max(sizes, key=lambda k: sizes[k])
        parts = ", ".join(f"{k} {v}" for k, v in sizes.items())
        raise FocusError(
            f"{problem.name}: no tiling fits the worker buffer (level GlobalBuffer, {capacity_words} words): "
            f"data space {worst} alone needs {sizes[worst]} words double-buffered (smallest tiles: {parts})"
        )
    return tuple((d, factors[d]) for d in order if factors[d] > 1)


def search_top_level(problem: Problem, workers: int, *, macs_per_cycle: int, buffer_words: int,
                     link_words_per_cycle: float, objective: str = "delay", word_bits: int = 8) -> LayerPlan:
    """Best top-level mapping for `workers` workers (0 = choose), by an analytic delay/energy estimate.

    delay  = max(slowest worker's compute, busiest stream's words / link words per cycle)
    energy = words moved through the NoC (multicast counted once per tree, roughly), ties by delay.
    """
    if workers < 0:
        raise FocusError(f"{problem.name}: workers ({workers}) must be >= 0")
    if objective not in ("delay", "energy", "edp"):
        raise FocusError(f"objective '{objective}' is not one of delay, energy, edp")
    ks = [workers] if workers else [1, 2, 4, 8, 16]
    dims = [(d, problem.bounds[d]) for d in problem.dims if problem.bounds[d] > 1]
    best: tuple | None = None
    roles = lane_roles(problem)
    for k in ks:
        cands = _factorizations(k, dims, max(1, k // 2) if k > 1 else 1) or [()]
        for spatial in cands:
            ext = dict(problem.bounds)
            for d, f in spatial:
                ext[d] = math.ceil(ext[d] / f)
            lanes, cyc = best_lanes(ext, roles, macs_per_cycle)
            kk = math.prod(f for _, f in spatial)
            # traffic estimate per worker: its input tiles and outputs once
            words = 0.0
            for ds in problem.data_spaces:
                words += ds.size(ext)
            comm = words / link_words_per_cycle
            delay = max(cyc, comm)
            energy = words * kk
            if objective == "delay":
                score = (delay, energy)
            elif objective == "energy":
                score = (energy, delay)
            else:
                score = (delay * energy, delay)
            if workers == 0:
                score = (score[0] * (1 + 0.02 * kk), score[1])  # auto: prefer fewer workers at equal speed
            key = (score, kk, spatial)
            if best is None or key < best[0]:
                best = (key, spatial, lanes, ext)
    assert best is not None
    _, spatial, lanes, ext = best
    temporal = _temporal_for(problem, ext, buffer_words)
    role_names = lane_roles(problem)
    lane_map = tuple((r, n) for r, n in zip(role_names, lanes) if r is not None)
    best_plan = None
    for cand in _pipelined_variants(problem, ext, temporal):
        plan = plan_layer(problem, TopLevelMapping(tuple(spatial), cand, lane_map), macs_per_cycle=macs_per_cycle,
                          word_bits=word_bits)
        key = (estimated_delay(plan, link_words_per_cycle), plan.iterations)
        if best_plan is None or key < best_plan[0]:
            best_plan = (key, plan)
    assert best_plan is not None
    return best_plan[1]


def estimated_delay(plan: LayerPlan, link_words_per_cycle: float) -> float:
    """Pipeline estimate: first tiles in, steady state (compute vs. source and sink links), last tile out."""
    fill = sum(s.words for ss in plan.input_streams.values() for s in ss) / link_words_per_cycle
    src_total = sum(s.words * s.transfers for ss in plan.input_streams.values() for s in ss)
    out_total = sum(s.words * s.transfers for s in plan.output_streams)
    steady = max(plan.cycles, src_total / link_words_per_cycle, out_total / link_words_per_cycle)
    drain = max((s.words for s in plan.output_streams), default=0) / link_words_per_cycle
    return fill + steady + drain


def _pipelined_variants(problem: Problem, extents: Mapping[str, int],
                        temporal: tuple[tuple[str, int], ...]) -> list[tuple[tuple[str, int], ...]]:
    """The buffer-fitting tiling and finer ones (outer output dims split further) that pipeline better."""
    out = [temporal]
    red = _reduction_dims(problem)
    base = dict(temporal)
    order = [d for d in problem.dims if d not in red] + [d for d in problem.dims if d in red]
    for d in problem.dims:
        if d in red or extents[d] <= 1:
            continue
        for mult in (2, 4, 8, 16, 32):
            f = min(extents[d], base.get(d, 1) * mult)
            if f == base.get(d, 1):
                continue
            cand = dict(base)
            cand[d] = f
            variant = tuple((x, cand[x]) for x in order if cand.get(x, 1) > 1)
            if variant not in out:
                out.append(variant)
    return out

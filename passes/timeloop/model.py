"""Timeloop's dense analytical model: collapse to storage levels, access counts, cycles, energy.

`evaluate(problem, arch, mapping, energy=...)` returns a `ModelResult` with, per storage level and data
space, Timeloop's per-instance scalar reads/fills/updates, tile and partition sizes, utilized instances,
the multicast histogram of the words the level delivers to its children, energy; plus cycles,
utilization and MACs. It follows timeloop-model.md 4.3-4.7 (legacy read-modify-write path, first-read
elision, bypass folding, peer accesses from link transfers, bandwidth throttling, capacity checks).

Counting can use either nest analysis: `engine="fast"` (closed form, `fastmodel.py`, default) or
`engine="reference"` (the literal recursion of `nest.py`); both give identical numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from focus_tools.errors import FocusError
from frontend.problem import Problem

from .nest import Nest, NestAnalysis, analyze_nest, build_nest
from .spec import Architecture, StorageLevel, TileMapping

# ---------------------------------------------------------------------------------------------------
# Energy tables
# ---------------------------------------------------------------------------------------------------

_READ = ("random_read", "read")
_FILL = ("random_fill", "random_write", "fill", "write")
_UPDATE = ("random_update", "random_write", "update", "write")
_COMPUTE = ("mac_random", "mult_random", "mac", "mult", "compute")


def builtin_vector_energy(lv: StorageLevel) -> float:
    """Timeloop's internal (PAT) estimate of one vector access, pJ."""
    if lv.vector_access_energy is not None:
        return lv.vector_access_energy
    if lv.is_dram:
        return 200.0 * (lv.word_bits * lv.block_size) / 16.0
    if not lv.size:
        return 0.0
    w = lv.word_bits * lv.block_size * lv.cluster_size
    h = -(-lv.size // lv.block_size)
    return (1.0 + 5.0 / 99.5 * (w * h / 8192.0 - 0.5)) * w / 16.0 / lv.cluster_size


def _pick(acts: Mapping[str, float], names: Sequence[str], default: float) -> float:
    """Energy of the first ERT action found among `names` (Timeloop's action aliases)."""
    for n in names:
        if n in acts:
            return acts[n]
    return default


@dataclass(frozen=True)
class LevelEnergy:
    read: float
    fill: float
    update: float
    leak: float
    vector_access: float  # printed "Vector access energy" (max action / cluster size)
    source: str  # "ERT" or "internal"


@dataclass(frozen=True)
class EnergyTable:
    levels: tuple[LevelEnergy, ...]
    mac: float
    source: str  # "ERT <file>" or "built-in table"


def make_energy_table(arch: Architecture, ert: Mapping[str, Mapping[str, float]] | None = None,
                      ert_source: str = "ERT") -> EnergyTable:
    """Per-action energies from an ERT (component -> action -> pJ), else Timeloop's built-in formulas."""
    ert = ert or {}
    levels = []
    used_ert = False
    for lv in arch.levels:
        base = builtin_vector_energy(lv)
        acts = ert.get(lv.name)
        if acts:
            used_ert = True

            vmax = max(acts.values()) / lv.cluster_size if acts else base
            levels.append(LevelEnergy(_pick(acts, _READ, base), _pick(acts, _FILL, base), _pick(acts, _UPDATE, base),
                                      acts.get("leak", 0.0), vmax, "ERT"))
        else:
            levels.append(LevelEnergy(base, base, base, 0.0, base, "internal"))
    acts = ert.get(arch.arithmetic.name)
    mac = None
    if acts:
        used_ert = True
        for n in _COMPUTE:
            if n in acts:
                mac = acts[n]
                break
    if mac is None:
        mac = (arch.arithmetic.word_bits / 16.0) ** 2
    return EnergyTable(tuple(levels), mac, ert_source if used_ert else "built-in table")


# ---------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------


@dataclass
class DataSpaceStats:
    name: str
    kept: bool
    tile_size: int  # words per instance ("Utilized capacity")
    partition_size: int
    utilized_instances: int
    reads: float  # per instance
    fills: float
    updates: float
    temporal_reductions: float
    content_accesses: float  # words this level delivers to its children, per instance (multicast once)
    parent_access_share: float
    link_transfers: float
    peer_accesses: float
    multicast: dict[int, float]  # multicast factor -> words delivered per instance (after bypass folding)
    fanout: int  # spatial fanout of this level (children instances per instance)
    replication: int = 0  # instances the mapping spans at this level, kept or not (leakage)
    energy_pJ: float = 0.0  # all instances

    @property
    def spatial_reductions(self) -> float:
        return sum((m - 1) * w for m, w in self.multicast.items())


@dataclass
class LevelStats:
    name: str
    index: int
    instances: int
    size: int | None
    word_bits: int
    block_size: int
    cluster_size: int
    fanout_x: int
    fanout_y: int
    dataspaces: dict[str, DataSpaceStats]
    utilized_instances: int
    cycles: int = 0
    throttling: float = 1.0
    access_energy_pJ: float = 0.0
    leakage_pJ: float = 0.0
    vector_access_energy: float = 0.0
    energy_source: str = "internal"

    @property
    def energy_pJ(self) -> float:
        return self.access_energy_pJ + self.leakage_pJ

    @property
    def has_activity(self) -> bool:
        return self.energy_pJ > 0 or any(
            ds.reads or ds.fills or ds.updates for ds in self.dataspaces.values())


@dataclass
class BoundaryFlow:
    """Traffic of one data space across the spatial boundary below a storage level.

    `groups`: child-instance ids (Timeloop's spatial index at that boundary: mixed radix over the level's
    spatial loops, outermost loop most significant) that receive identical data (one multicast group
    each; for a read-write space a group is a spatial-reduction group whose members hold partial sums of
    the same outputs). Words are per child instance over the whole layer; `transfers` counts the tile
    deliveries (temporal iterations above the child tile that change it), so `words_per_transfer` is
    their average size (exact when there are no sliding-window halos). For a read-write space the words
    are the partial sums each child drains upward; the parent receives `parent_updates` after the
    spatial reduction of each group.
    """

    data_space: str
    read_write: bool
    children: int  # utilized child instances
    groups: tuple[tuple[int, ...], ...]
    words_per_child: float  # words delivered to (or, for outputs, drained from) each child
    transfers: int  # tile deliveries per child over the layer (temporal iterations that change the tile)
    words_per_transfer: float
    parent_reads: float  # words read at the parent per parent instance (multicast counted once)
    parent_updates: float  # read-write: partial-sum words written back to the parent (after reduction)
    reduction_factor: int  # read-write: children reduced into one parent word (1 = none)
    multicast_factor: int  # read-only: children sharing each delivered word


@dataclass
class ModelResult:
    problem: Problem
    arch: Architecture
    mapping: TileMapping
    nest: Nest
    levels: list[LevelStats]
    macs: int
    compute_cycles: int
    cycles: int
    utilized_macs: int
    utilization: float
    mac_energy_pJ: float
    energy_pJ: float
    energy_source: str
    legacy_stride: bool = True
    link_transfers: bool = True
    boundary: dict[int, dict[str, BoundaryFlow]] = field(default_factory=dict)

    @property
    def pj_per_mac(self) -> float:
        return self.energy_pJ / self.macs if self.macs else 0.0

    @property
    def edp(self) -> float:
        return self.energy_pJ * self.cycles

    def level(self, name_or_index: Any) -> LevelStats:
        if isinstance(name_or_index, int):
            return self.levels[name_or_index]
        for lv in self.levels:
            if lv.name == name_or_index:
                return lv
        raise KeyError(name_or_index)

    def fj_per_compute(self) -> dict[str, float]:
        out = {self.arch.arithmetic.name: 1000.0 * self.mac_energy_pJ / self.macs}
        for lv in self.levels:
            if lv.has_activity:
                out[lv.name] = 1000.0 * lv.energy_pJ / self.macs
        out["Total"] = 1000.0 * self.energy_pJ / self.macs
        return out

    def boundary_traffic(self, level: Any = None) -> dict[str, BoundaryFlow]:
        """Per data space, what crosses the spatial fanout below `level` (default: the outermost level).

        For the FOCUS Simba-like arch the default is the DRAM <-> ws boundary: per ws instance the words
        per transfer, the number of transfers, the multicast groups (ws instances receiving identical
        data) and, for outputs, the partial-sum reduction groups.
        """
        idx = len(self.levels) - 1 if level is None else (
            level if isinstance(level, int) else self.level(level).index)
        if idx not in self.boundary:
            from .boundary import boundary_flows

            self.boundary[idx] = boundary_flows(self, idx)
        return self.boundary[idx]

    def summary_dict(self) -> dict[str, Any]:
        from .report import result_to_json

        return result_to_json(self)


# ---------------------------------------------------------------------------------------------------
# Validity
# ---------------------------------------------------------------------------------------------------


def check_spatial_fit(mapping: TileMapping, arch: Architecture, problem: Problem, source: str = "mapping"
                      ) -> None:
    """X/Y products of each level's spatial loops must fit its fanout."""
    for i, lm in enumerate(mapping.levels):
        px = py = 1
        for pos, d in enumerate(lm.spatial_perm):
            f = lm.spatial.get(d, 1)
            if pos < lm.split:
                px *= f
            else:
                py *= f
        name = arch.levels[i].name
        if px > arch.fanout_x[i] or py > arch.fanout_y[i]:
            raise FocusError(
                f"{source}: {name}: spatial factors need {px}x{py} (X x Y) instances, fanout is "
                f"{arch.fanout_x[i]}x{arch.fanout_y[i]}"
            )


def check_capacity(levels: list[LevelStats], arch: Architecture, source: str = "mapping") -> None:
    for lv, spec in zip(levels, arch.levels):
        kept = [(ds.name, ds.tile_size) for ds in lv.dataspaces.values() if ds.kept and ds.tile_size]
        total = sum(s for _, s in kept)
        eff = spec.effective_size
        if eff is not None and total > eff:
            big = max(kept, key=lambda x: x[1])
            parts = " + ".join(f"{n}={s}" for n, s in kept)
            raise FocusError(
                f"{source}: {lv.name}: tiles {parts} = {total} words exceed its capacity {eff} "
                f"(largest: {big[0]})"
            )
        if eff is not None and spec.min_utilization > 0 and total < eff * spec.min_utilization:
            raise FocusError(
                f"{source}: {lv.name}: tiles use {total} of {eff} words, below min_utilization "
                f"{spec.min_utilization}"
            )
        if lv.utilized_instances > spec.instances:
            raise FocusError(f"{source}: {lv.name}: {lv.utilized_instances} utilized instances exceed "
                             f"its {spec.instances} instances")


# ---------------------------------------------------------------------------------------------------
# Collapse (timeloop-model.md 4.3)
# ---------------------------------------------------------------------------------------------------


def _round(x: float) -> float:
    """std::round: half away from zero."""
    return float(math.floor(x + 0.5)) if x >= 0 else -float(math.floor(-x + 0.5))


@dataclass
class _Tile:
    size: int
    acc: dict[int, float]
    link: float
    repl: int
    fanout: int
    pfd: int = 0
    ps: int = 0
    content: float = 0.0
    pas: float = 0.0
    peer_acc: float = 0.0
    peer_fill: float = 0.0


def collapse(analysis: NestAnalysis, nest: Nest, mapping: TileMapping, problem: Problem,
             arch: Architecture) -> list[dict[str, DataSpaceStats]]:
    """Per storage level, per data space: counts after bypass folding (legacy RMW path)."""
    nlev = arch.num_levels
    by_loop = {r.loop: r for r in analysis.loops}
    out: list[dict[str, DataSpaceStats]] = [dict() for _ in range(nlev)]
    for t, ds in enumerate(problem.data_spaces):
        tiles: list[_Tile] = []
        for L in range(nlev):
            rng = nest.level_loops(L)
            valid = [l for l in rng if l in by_loop]
            inner = by_loop[valid[0]]
            outer = by_loop[nest.boundaries[L]]
            tile = _Tile(size=outer.size[t], acc={m: float(w) for m, w in inner.acc[t].items()},
                         link=float(inner.link[t]), repl=outer.repl, fanout=inner.fanout)
            tile.content = sum(tile.acc.values())
            if tiles:
                tiles[-1].pfd = inner.size[t] if inner.is_master else tiles[-1].size
            tiles.append(tile)
        keep = [ds.name in mapping.levels[L].keep for L in range(nlev)]
        # partition sizes
        ps = tiles[-1].size
        tiles[-1].ps = ps
        for L in range(nlev - 2, -1, -1):
            if tiles[L].pfd:
                ps = (ps * tiles[L].size) // tiles[L].pfd
            tiles[L].ps = ps
        # parent access share
        for L in range(nlev):
            tiles[L].pas = 0.0
            if L + 1 < nlev:
                o = tiles[L + 1]
                tiles[L].pas = sum(w * m / o.fanout for m, w in o.acc.items()) if o.fanout else 0.0
        # bypass folding
        for L in range(nlev):
            cur = tiles[L]
            if cur.size == 0 or keep[L]:
                continue
            O = next((k for k in range(L + 1, nlev) if tiles[k].size > 0), None)
            if O is None:
                cur.size = 0
                cur.ps = 0
                cur.content = 0.0
                cur.pas = 0.0
                break
            o = tiles[O]
            weighted = sum(w * m for m, w in o.acc.items())
            factor = cur.content * o.fanout / weighted if weighted else 0.0
            o.acc = {m: w * factor for m, w in o.acc.items() if w != 0}
            o.link = 0.0
            o.content = sum(o.acc.values())
            cur.size = 0
            cur.ps = 0
            cur.content = 0.0
            cur.pas = 0.0
        for L in range(nlev - 1, -1, -1):
            if not keep[L]:
                tiles[L] = _Tile(size=0, acc={}, link=0.0, repl=0, fanout=tiles[L].fanout)
            else:
                tiles[L].pas = 0.0
                break
        # peer accesses (link transfers serve the children of level L)
        for L in range(nlev - 1, 0, -1):
            if tiles[L].link != 0 and tiles[L - 1].repl:
                share = tiles[L].link / tiles[L - 1].repl
                tiles[L - 1].peer_acc += share
                tiles[L - 1].peer_fill += share
        # reads / fills / updates
        for L in range(nlev):
            tl = tiles[L]
            st = DataSpaceStats(
                name=ds.name, kept=keep[L] and tl.size > 0, tile_size=tl.size, partition_size=tl.ps,
                utilized_instances=tl.repl if tl.size else 0, reads=0.0, fills=0.0, updates=0.0,
                temporal_reductions=0.0, content_accesses=tl.content, parent_access_share=tl.pas,
                link_transfers=tl.link, peer_accesses=tl.peer_acc, multicast=dict(tl.acc),
                fanout=tl.fanout, replication=tl.repl)
            if tl.size:
                if ds.read_write:
                    outermost = not any(tiles[k].size > 0 for k in range(L + 1, nlev))
                    st.updates = _round(tl.content)
                    st.reads = _round(tl.content + tl.peer_acc - tl.ps)
                    st.temporal_reductions = st.reads
                    st.fills = _round(tl.pas + tl.peer_fill) if outermost else _round(
                        tl.pas + tl.peer_fill - tl.ps)
                else:
                    st.reads = _round(tl.content + tl.peer_acc)
                    st.fills = tl.pas + tl.peer_fill
            out[L][ds.name] = st
    return out


# ---------------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------------


def evaluate(problem: Problem, arch: Architecture, mapping: TileMapping, energy: EnergyTable | None = None,
             *, legacy_stride: bool = True, link_transfers: bool = True, engine: str = "fast",
             check: bool = True, source: str = "mapping") -> ModelResult:
    """Run the model on one mapping. Raises FocusError if the mapping does not fit the architecture."""
    if energy is None:
        energy = make_energy_table(arch)
    if check:
        check_spatial_fit(mapping, arch, problem, source)
        for ds in problem.data_spaces:
            if not any(ds.name in lm.keep for lm in mapping.levels):
                raise FocusError(f"{source}: data space {ds.name} is bypassed at every level, keep it somewhere")
    nest = build_nest(mapping, arch, problem)
    if engine == "reference":
        analysis = analyze_nest(nest, problem, arch, legacy_stride=legacy_stride, link_transfers=link_transfers)
    elif engine == "fast":
        from .fastmodel import analyze_nest_fast

        analysis = analyze_nest_fast(nest, problem, arch, legacy_stride=legacy_stride,
                                     link_transfers=link_transfers)
    else:
        raise FocusError(f"model engine '{engine}', expected fast or reference")
    per_level = collapse(analysis, nest, mapping, problem, arch)
    result = finish(problem, arch, mapping, nest, analysis.compute_accesses, analysis.compute_replication,
                    per_level, energy, check=check, source=source)
    result.legacy_stride = legacy_stride
    result.link_transfers = link_transfers
    return result


def finish(problem: Problem, arch: Architecture, mapping: TileMapping, nest: Nest, compute_accesses: int,
           replication: int, per_level: list[dict[str, DataSpaceStats]], energy: EnergyTable, *,
           check: bool = True, source: str = "mapping") -> ModelResult:
    macs = compute_accesses * replication
    compute_cycles = compute_accesses
    levels: list[LevelStats] = []
    for i, spec in enumerate(arch.levels):
        dss = per_level[i]
        util = max((d.utilized_instances for d in dss.values()), default=0)
        levels.append(LevelStats(
            name=spec.name, index=i, instances=spec.instances, size=spec.size, word_bits=spec.word_bits,
            block_size=spec.block_size, cluster_size=spec.cluster_size, fanout_x=arch.fanout_x[i],
            fanout_y=arch.fanout_y[i], dataspaces=dss, utilized_instances=util))
    if check:
        check_capacity(levels, arch, source)
        if replication > arch.arithmetic.instances:
            raise FocusError(f"{source}: {replication} MAC instances used, the architecture has "
                             f"{arch.arithmetic.instances}")
    # bandwidth throttling
    cycles = compute_cycles
    for lv, spec in zip(levels, arch.levels):
        lv.cycles = compute_cycles
        if compute_cycles == 0:
            continue
        scale = spec.bandwidth_scale
        R = sum(d.reads * scale.get(n, 1.0) for n, d in lv.dataspaces.items()) / compute_cycles
        W = sum((d.fills + d.updates) * scale.get(n, 1.0) for n, d in lv.dataspaces.items()) / compute_cycles
        s = 1.0
        if spec.read_bandwidth is not None and R > 0:
            s = min(s, spec.read_bandwidth / R)
        if spec.write_bandwidth is not None and W > 0:
            s = min(s, spec.write_bandwidth / W)
        if spec.shared_bandwidth is not None and R + W > 0:
            s = min(s, spec.shared_bandwidth / (R + W))
        lv.throttling = s
        if s < 1.0:
            lv.cycles = int(math.ceil(compute_cycles / s))
        cycles = max(cycles, lv.cycles)
    cycles += sum(spec.network_fill_latency + spec.network_drain_latency for spec in arch.levels)
    # energy
    total = 0.0
    for lv, spec, le in zip(levels, arch.levels, energy.levels):
        lv.vector_access_energy = le.vector_access
        lv.energy_source = le.source
        clusters = spec.instances / spec.cluster_size
        for ds in lv.dataspaces.values():
            if not ds.utilized_instances:
                continue
            b = spec.block_size
            e = (math.ceil(ds.reads / b) * le.read + math.ceil(ds.fills / b) * le.fill
                 + math.ceil(ds.updates / b) * le.update)
            ds.energy_pJ = e * min(ds.utilized_instances, clusters)
            lv.access_energy_pJ += ds.energy_pJ
        spanned = max((d.replication for d in lv.dataspaces.values()), default=0)
        lv.leakage_pJ = le.leak * cycles * spanned
        total += lv.energy_pJ
    mac_e = macs * energy.mac
    total += mac_e
    utilization = (macs / arch.arithmetic.instances) / cycles if cycles else 0.0
    return ModelResult(problem=problem, arch=arch, mapping=mapping, nest=nest, levels=levels, macs=macs,
                       compute_cycles=compute_cycles, cycles=cycles, utilized_macs=replication,
                       utilization=utilization, mac_energy_pJ=mac_e, energy_pJ=total,
                       energy_source=energy.source)

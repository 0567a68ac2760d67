"""Timeloop-style outputs: loop nest (`*.map.txt`), mapping YAML (`*.map.yaml`), stats summary, JSON."""

from __future__ import annotations

from typing import Any

import yaml

from .model import ModelResult
from .nest import T, X
from .spec import Architecture, TileMapping


def map_txt(result: ModelResult) -> str:
    """The loop nest, outer -> inner, like Timeloop's `*.map.txt`."""
    arch, nest = result.arch, result.nest
    lines: list[str] = []
    depth = 0
    for L in range(arch.num_levels - 1, -1, -1):
        lv = result.levels[L]
        tiles = " ".join(f"{ds.name}:{ds.tile_size} ({ds.tile_size})" for ds in lv.dataspaces.values()
                         if ds.kept and ds.tile_size)
        header = f"{lv.name} [ {tiles} ] " if tiles else f"{lv.name} [ ] "
        lines.append(header)
        loops = [nest.loops[i] for i in nest.level_loops(L)]
        shown = [lp for lp in reversed(loops) if lp.factor > 1]
        if shown:
            lines.append("-" * len(header.rstrip()))
            for lp in shown:
                tag = "" if lp.kind == T else (" (Spatial-X)" if lp.kind == X else " (Spatial-Y)")
                lines.append(f"{'|' + '  ' * depth}for {nest.dims[lp.dim]} in [0:{lp.factor}){tag}")
                depth += 1
            lines.append("")
    lines.append(f"{'|' + '  ' * depth}<< Compute >>")
    return "\n".join(lines) + "\n"


def mapping_to_yaml(mapping: TileMapping, arch: Architecture, dims: tuple[str, ...] | list[str],
                    data_spaces: list[str]) -> dict[str, Any]:
    """A `mapping:` document in the schema timeloop-mapper writes (re-playable with timeloop-model)."""
    entries: list[dict[str, Any]] = []
    for L, lm in enumerate(mapping.levels):
        name = arch.levels[L].name
        entries.append({"target": name, "type": "datatype", "keep": sorted(lm.keep, key=data_spaces.index),
                        "bypass": [d for d in data_spaces if d not in lm.keep]})
    for L, lm in enumerate(mapping.levels):
        name = arch.levels[L].name
        entries.append({"target": name, "type": "temporal",
                        "factors": " ".join(f"{d}{lm.temporal.get(d, 1)}" for d in dims),
                        "permutation": "".join(lm.temporal_perm)})
        if arch.fanout(L) > 1:
            entries.append({"target": name, "type": "spatial",
                            "factors": " ".join(f"{d}{lm.spatial.get(d, 1)}" for d in dims),
                            "permutation": "".join(lm.spatial_perm), "split": lm.split})
    return {"mapping": entries}


def mapping_text(mapping: TileMapping, arch: Architecture) -> str:
    """Compact one-line form: `DRAM[T:Q28 | S:-] GlobalBuffer[T:P4] ...` (non-trivial loops, inner first)."""
    parts = []
    for L in range(arch.num_levels - 1, -1, -1):
        lm = mapping.levels[L]
        t = " ".join(f"{d}{lm.temporal[d]}" for d in lm.temporal_perm if lm.temporal.get(d, 1) > 1)
        s = " ".join(f"{d}{lm.spatial[d]}" for d in lm.spatial_perm if lm.spatial.get(d, 1) > 1)
        body = t or "-"
        if s:
            body += f" | spatial {s}"
        parts.append(f"{arch.levels[L].name}[{body}]")
    return " ".join(parts)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def stats_txt(result: ModelResult, tool: str = "timeloop-model") -> str:
    """Summary in the layout of Timeloop's `*.stats.txt` (per level STATS + Summary + fJ/Compute)."""
    arch = result.arch
    out: list[str] = ["Buffer and Arithmetic Levels", "----------------------------"]
    a = arch.arithmetic
    out += ["Level 0", "-------", f"=== {a.name} ===", "", "    SPECS", "    -----",
            f"    Word bits             : {a.word_bits}",
            f"    Instances             : {a.instances} ({a.mesh_x}*{a.mesh_y})",
            "", "    STATS", "    -----",
            f"    Utilized instances      : {result.utilized_macs}",
            f"    Computes (total)        : {result.macs}",
            f"    Cycles                  : {result.cycles}",
            f"    Energy (total)          : {result.mac_energy_pJ:.2f} pJ", ""]
    for lv, spec in zip(result.levels, arch.levels):
        if not lv.has_activity:
            continue
        out += [f"Level {lv.index + 1}", "-------", f"=== {lv.name} ===", "", "    SPECS", "    -----",
                f"        Technology                      : {'DRAM' if spec.is_dram else 'SRAM'}",
                f"        Size                            : {spec.size if spec.size is not None else '-'}",
                f"        Word bits                       : {spec.word_bits}",
                f"        Block size                      : {spec.block_size}",
                f"        Cluster size                    : {spec.cluster_size}",
                f"        Instances                       : {spec.instances} ({spec.mesh_x}*{spec.mesh_y})",
                f"        Read bandwidth                  : {spec.read_bandwidth if spec.read_bandwidth is not None else '-'}",
                f"        Write bandwidth                 : {spec.write_bandwidth if spec.write_bandwidth is not None else '-'}",
                f"        Multiple buffering              : {spec.multiple_buffering:.2f}",
                f"        Vector access energy            : {lv.vector_access_energy:.2f} pJ",
                f"        Vector access energy source     : {'ERT' if lv.energy_source == 'ERT' else 'PAT'}",
                f"        Leakage energy (total)          : {lv.leakage_pJ:.2f} pJ",
                "", "    STATS", "    -----",
                f"    Cycles               : {lv.cycles}",
                f"    Bandwidth throttling : {lv.throttling:.2f}"]
        for ds in lv.dataspaces.values():
            if not ds.kept:
                continue
            out += [f"    {ds.name}:",
                    f"        Partition size                           : {ds.partition_size}",
                    f"        Utilized capacity                        : {ds.tile_size}",
                    f"        Utilized instances (max)                 : {ds.utilized_instances}",
                    f"        Scalar reads (per-instance)              : {_fmt(ds.reads)}",
                    f"        Scalar fills (per-instance)              : {_fmt(ds.fills)}",
                    f"        Scalar updates (per-instance)            : {_fmt(ds.updates)}",
                    f"        Temporal reductions (per-instance)       : {_fmt(ds.temporal_reductions)}",
                    f"        Energy (total)                           : {ds.energy_pJ:.2f} pJ"]
        out.append("")
    out += ["", "Summary Stats", "-------------",
            f"Utilization: {100 * result.utilization:.2f}%",
            f"Cycles: {result.cycles}",
            f"Energy: {result.energy_pJ / 1e6:.2f} uJ",
            f"EDP(J*cycle): {result.edp * 1e-12:.2e}",
            f"Energy source: {result.energy_source}", "",
            f"Computes = {result.macs}", "fJ/Compute"]
    for k, v in result.fj_per_compute().items():
        out.append(f"    {k:<53} = {v:.2f}")
    return "\n".join(out) + "\n"


def result_to_json(result: ModelResult, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Machine-readable result (deterministic key order)."""
    arch = result.arch
    dims = list(result.problem.dims)
    spaces = [ds.name for ds in result.problem.data_spaces]
    rw_spaces = {ds.name for ds in result.problem.data_spaces if ds.read_write}
    levels = []
    for lv in result.levels:
        dss = {}
        for ds in lv.dataspaces.values():
            dss[ds.name] = {
                "kept": ds.kept, "tile_size": ds.tile_size, "partition_size": ds.partition_size,
                "utilized_instances": ds.utilized_instances, "reads": ds.reads, "fills": ds.fills,
                "updates": ds.updates, "temporal_reductions": ds.temporal_reductions,
                "multicast": {str(m): w for m, w in sorted(ds.multicast.items())},
                "spatial_reductions": ds.spatial_reductions if ds.name in rw_spaces else 0.0,
                "link_transfers": ds.link_transfers, "energy_pJ": round(ds.energy_pJ, 6),
            }
        levels.append({
            "name": lv.name, "instances": lv.instances, "utilized_instances": lv.utilized_instances,
            "fanout": [lv.fanout_x, lv.fanout_y], "size": lv.size, "cycles": lv.cycles,
            "bandwidth_throttling": lv.throttling, "energy_pJ": round(lv.energy_pJ, 6),
            "leakage_pJ": round(lv.leakage_pJ, 6), "dataspaces": dss,
        })
    out: dict[str, Any] = {
        "problem": result.problem.to_text(),
        "cycles": result.cycles,
        "compute_cycles": result.compute_cycles,
        "macs": result.macs,
        "utilized_macs": result.utilized_macs,
        "utilization": result.utilization,
        "energy_pJ": round(result.energy_pJ, 6),
        "pJ_per_mac": result.pj_per_mac,
        "edp": result.edp,
        "energy_source": result.energy_source,
        "fJ_per_compute": {k: round(v, 6) for k, v in result.fj_per_compute().items()},
        "mapping": mapping_to_yaml(result.mapping, arch, dims, spaces)["mapping"],
        "mapping_text": mapping_text(result.mapping, arch),
        "levels": levels,
    }
    if extra:
        out.update(extra)
    return out


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=120)

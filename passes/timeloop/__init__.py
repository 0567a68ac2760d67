"""Timeloop-compatible analytical model and mapper (plain Python + numpy, numba for the search).

Reproduces Timeloop's dense model exactly on the 21 reference runs of ../shared/timeloop-ref (cycles,
utilization, per-level/per-data-space tile and partition sizes, reads/fills/updates, energies), following
../shared/docs/timeloop-model.md: legacy stride-change rule by default (`legacy_stride=False` for the
2025 rule), inter-PE link transfers on by default, energy from an Accelergy ERT or Timeloop's built-in
formulas (`ModelResult.energy_source` says which).

Modules: `spec` (YAML loading/merging, architecture tree v0.2-0.4 and v0.4 `nodes`, constraints, mappings,
`map.txt`, ERT), `nest` (loop nest + the literal nest-analysis recursion), `fastmodel` (the same analysis in
closed form), `model` (collapse, counts, cycles, energy, capacity checks), `mapspace`/`kernels`/`mapper`
(numba-scored simulated-annealing search), `report` (map.txt, map.yaml, stats, JSON), `boundary`
(traffic across a spatial fanout), `api` (FOCUS entry points). CLIs: `focus timeloop-model`,
`focus timeloop-mapper`.

Public API for later stages (sub-operator extraction)::

    from passes.timeloop import load_simba_focus_arch, search_layer
    arch = load_simba_focus_arch()       # ../shared/focus-data simba_512gops_256core.yaml + simba_constraints
    lm = search_layer(problem, arch, workers=K, objective="edp", seed=0, time_budget=None)

`search_layer(problem, arch, constraints=None, *, workers, objective="edp"|"delay"|"energy", seed=0,
time_budget=None, effort=1.0) -> LayerMapping` sets the top-level spatial fanout (FOCUS's `ws[0..K-1]`)
to K and returns:

* `lm.mapping` (`spec.TileMapping`: per storage level, innermost first, temporal/spatial factors,
  permutations, X/Y split, kept data spaces), `lm.top_spatial` ({dim: factor} of the split over workers),
  `lm.top_spatial_loops` (outermost first; a worker index is the mixed radix over them),
  `lm.workers_used` (<= K), `lm.cycles`;
* `lm.result` (`model.ModelResult`): `cycles`, `compute_cycles`, `macs`, `utilization`, `energy_pJ`,
  `energy_source`, `levels[i].dataspaces[name]` with per-instance `reads`/`fills`/`updates`,
  `tile_size`, `partition_size`, `utilized_instances`, `multicast` ({multicast factor: words delivered
  to the children per instance}), `spatial_reductions`, `energy_pJ`;
* `lm.boundary_traffic()` == `lm.result.boundary_traffic(top level)`: per data space a
  `model.BoundaryFlow` for the DRAM <-> worker boundary: `groups` (worker ids receiving identical data:
  multicast groups; for outputs, the partial-sum reduction groups), `words_per_child`, `transfers`
  (tile deliveries per worker), `words_per_transfer`, `parent_reads`, `parent_updates`,
  `multicast_factor`, `reduction_factor`. `result.boundary_traffic(level)` gives the same for any level.

Lower-level entry points: `evaluate(problem, arch, mapping, energy)` (model), `search(problem, arch,
constraints, energy, objective=..., seed=...)` (mapper), `spec.load_yaml_files` + `spec.parse_*`.
"""

from __future__ import annotations

from .api import FocusArch, LayerMapping, load_simba_focus_arch, search_layer
from .mapper import SearchResult, search
from .model import BoundaryFlow, ModelResult, evaluate, make_energy_table
from .spec import Architecture, Constraints, TileMapping

__all__ = [
    "Architecture", "BoundaryFlow", "Constraints", "FocusArch", "LayerMapping", "ModelResult", "SearchResult",
    "TileMapping", "evaluate", "load_simba_focus_arch", "make_energy_table", "search", "search_layer",
]

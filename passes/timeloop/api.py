"""Public entry points for later stages: per-layer search on the FOCUS Simba-like architecture.

```python
from passes.timeloop import load_simba_focus_arch, search_layer
arch = load_simba_focus_arch()                      # FOCUS arch + simba_constraints.yaml
lm = search_layer(problem, arch, workers=8, objective="edp", seed=0)
lm.result.cycles, lm.workers_used, lm.top_spatial      # e.g. 28224, 8, {'M': 8}
flows = lm.boundary_traffic()                        # DRAM <-> ws, per data space (BoundaryFlow)
```

FOCUS semantics reproduced here:

* `workers = K` rewrites the top-level container `ws[0..255]` to `ws[0..K-1]` (the DRAM -> GlobalBuffer
  fanout becomes K); the mapper may use fewer than K instances (`workers_used` = product of the spatial
  factors at the DRAM level), as FOCUS's Timeloop did.
* `simba_constraints.yaml` pins `C=0` at the DRAM *spatial* level. Stock Timeloop reads 0 as "the full
  bound", which contradicts the pinned in-core `C=4` (PEAccuBuffer) and usually exceeds K, so no mapping
  would exist. We read it as FOCUS meant it ("spread C over the ws instances"): at the top-level spatial
  slot a 0 factor leaves that dimension *free*, to be chosen by the mapper together with the other
  (unconstrained) dimensions, within the K-way fanout. Everywhere else 0 keeps Timeloop's meaning.
* Constraint entries naming dimensions the layer does not have (e.g. `M` for a depthwise layer without
  `M`) are dropped for that layer instead of failing, and so are spatial constraints on a level that has
  no fanout for this K (the DRAM spatial entry when K = 1).
* No Accelergy tables ship with the FOCUS inputs, so energy comes from Timeloop's built-in formulas
  (`energy_source == "built-in table"`); pass `ert=` to `load_simba_focus_arch` to use an ERT.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from focus_tools.errors import FocusError
from frontend.problem import Problem

from .mapper import SearchResult, search
from .model import BoundaryFlow, EnergyTable, ModelResult, make_energy_table
from .nest import T
from .spec import (
    Architecture,
    Constraints,
    TileMapping,
    load_ert,
    load_yaml_files,
    parse_architecture,
    parse_constraints,
    split_name,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
FOCUS_DB = REPO_ROOT.parent / "shared" / "focus-data" / "database"


@dataclass
class FocusArch:
    """The FOCUS architecture + constraint documents, specialised per layer by `for_workers(K)`."""

    arch_doc: dict
    constraints_doc: dict
    source: str
    ert: dict = field(default_factory=dict)
    ert_source: str = "ERT"

    def for_workers(self, k: int) -> Architecture:
        if not isinstance(k, int) or k < 1:
            raise FocusError(f"workers: {k!r}, expected a positive integer")
        doc = copy.deepcopy(self.arch_doc)
        try:
            node = doc["architecture"]["subtree"][0]["subtree"][0]
        except (KeyError, IndexError, TypeError):
            return parse_architecture(self.arch_doc, self.source).with_top_instances(k)
        base, _ = split_name(str(node.get("name", "ws")))
        node["name"] = f"{base}[0..{k - 1}]"
        return parse_architecture(doc, self.source)

    def energy(self, arch: Architecture) -> EnergyTable:
        return make_energy_table(arch, self.ert, self.ert_source)


def load_simba_focus_arch(path: str | Path | None = None, constraints: str | Path | Sequence | None = None,
                          ert: str | Path | None = None) -> FocusArch:
    """FOCUS's `simba_512gops_256core.yaml` (+ `simba_constraints.yaml`) from ../shared/focus-data."""
    arch_path = Path(path) if path is not None else FOCUS_DB / "arch" / "simba_512gops_256core.yaml"
    if not arch_path.exists():
        raise FocusError(f"{arch_path}: architecture file not found")
    arch_doc, _ = load_yaml_files([arch_path])
    if "architecture" not in arch_doc:
        raise FocusError(f"{arch_path}: no 'architecture' key")
    if constraints is None:
        cpath = arch_path.parent.parent / "constraints" / "simba_constraints.yaml"
        cons_files = [cpath] if cpath.exists() else []
    elif isinstance(constraints, (str, Path)):
        cons_files = [Path(constraints)]
    else:
        cons_files = [Path(c) for c in constraints]
    cons_doc, _ = load_yaml_files(cons_files) if cons_files else ({}, {})
    ert_tables: dict = {}
    ert_src = "ERT"
    if ert is not None:
        ert_doc, _ = load_yaml_files([ert])
        ert_tables = load_ert(ert_doc)
        ert_src = f"ERT {ert}"
    focus = FocusArch(arch_doc, cons_doc, str(arch_path), ert_tables, ert_src)
    focus.for_workers(1)  # validate early
    return focus


@dataclass
class LayerMapping:
    """A layer's chosen mapping on K workers and its full model result."""

    problem: Problem
    workers: int  # K requested (top-level fanout)
    mapping: TileMapping
    result: ModelResult
    search: SearchResult | None = None

    @property
    def cycles(self) -> int:
        return self.result.cycles

    @property
    def top_spatial(self) -> dict[str, int]:
        """Spatial factors of the top storage level (how the layer is split over the workers)."""
        top = self.mapping.levels[-1]
        return {d: f for d, f in top.spatial.items() if f > 1}

    @property
    def top_spatial_loops(self) -> tuple[tuple[str, int], ...]:
        """(dim, factor) of the top-level spatial loops, outermost first (worker index = mixed radix)."""
        nest = self.result.nest
        top = len(self.mapping.levels) - 1
        loops = [nest.loops[i] for i in nest.level_loops(top) if nest.loops[i].kind != T]
        return tuple((nest.dims[lp.dim], lp.factor) for lp in reversed(loops))

    @property
    def workers_used(self) -> int:
        n = 1
        for f in self.top_spatial.values():
            n *= f
        return n

    def boundary_traffic(self) -> dict[str, BoundaryFlow]:
        """DRAM <-> worker traffic per data space (see `model.BoundaryFlow`)."""
        return self.result.boundary_traffic(len(self.mapping.levels) - 1)


def _adapt_constraints(doc: Mapping[str, Any], dims: Sequence[str], arch: Architecture) -> dict:
    """Drop factor/permutation tokens of dimensions the problem does not have, and spatial constraints
    on levels without a fanout."""
    dimset = set(dims)

    def fix_factors(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        toks = re.findall(r"[A-Za-z]+\s*(?:<=|>=|=)*\s*[0-9]+", text)
        keep = [t for t in toks if re.match(r"[A-Za-z]+", t).group(0) in dimset]
        return " ".join(keep)

    def fix_perm(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        return "".join(ch for ch in text if ch in dimset or ch == "_" or ch.isspace())

    out = copy.deepcopy(dict(doc))
    for key in ("architecture_constraints", "mapspace_constraints", "mapspace"):
        node = out.get(key)
        items = node.get("targets") if isinstance(node, dict) else node
        if not isinstance(items, list):
            continue
        kept = []
        for c in items:
            if isinstance(c, dict) and c.get("type") == "spatial":
                try:
                    lvl = arch.level_index(c.get("target", c.get("name")))
                except FocusError:
                    lvl = None
                if lvl is not None and arch.fanout(lvl) == 1:
                    continue
            kept.append(c)
        items[:] = kept
        for c in items:
            if isinstance(c, dict):
                if "factors" in c:
                    c["factors"] = fix_factors(c["factors"])
                if "permutation" in c:
                    c["permutation"] = fix_perm(c["permutation"])
    return out


def focus_constraints(doc: Mapping[str, Any], arch: Architecture, problem: Problem, source: str) -> Constraints:
    """Parse constraints with the FOCUS reading of `D=0` at the top-level spatial slot (module docstring)."""
    cons = parse_constraints(_adapt_constraints(doc, problem.dims, arch), arch, problem, source)
    top = arch.num_levels - 1
    for d, v in cons.levels[top].spatial.exact.items():
        if v == 0:
            cons.zero_as_free.add((top, d))
    return cons


def search_layer(problem: Problem, arch: FocusArch | Architecture, constraints: Constraints | Mapping | None = None,
                 *, workers: int, objective: str = "edp", seed: int = 0, time_budget: float | None = None,
                 effort: float = 1.0, energy: EnergyTable | None = None, legacy_stride: bool = True,
                 link_transfers: bool = True) -> LayerMapping:
    """Map one layer onto `workers` top-level instances; returns the mapping and its model result.

    `arch`: a `FocusArch` (rewritten to K workers, FOCUS constraints by default) or an `Architecture`
    (its top-level fanout is set to K). `constraints`: parsed `Constraints`, a constraints document
    (dict with architecture_constraints / mapspace_constraints), or None (the FocusArch's own).
    The search runs a fixed, seeded schedule (~0.7 s per resnet50 layer, `effort` scales it);
    `time_budget` (seconds) only caps it, which makes the result depend on machine speed when it bites.
    """
    if isinstance(arch, FocusArch):
        arch_k = arch.for_workers(workers)
        cons_doc = arch.constraints_doc
        source = arch.source
        energy = energy or arch.energy(arch_k)
    elif isinstance(arch, Architecture):
        arch_k = arch.with_top_instances(workers)
        cons_doc = {}
        source = arch.source
        energy = energy or make_energy_table(arch_k)
    else:
        raise FocusError(f"search_layer: arch must be a FocusArch or an Architecture, got {type(arch).__name__}")
    if isinstance(constraints, Constraints):
        cons = constraints
    else:
        doc = constraints if constraints is not None else cons_doc
        cons = focus_constraints(doc, arch_k, problem, source)
    sr = search(problem, arch_k, cons, energy, objective=objective, seed=seed, time_budget=time_budget,
                effort=effort, legacy_stride=legacy_stride, link_transfers=link_transfers)
    return LayerMapping(problem, workers, sr.mapping, sr.result, sr)

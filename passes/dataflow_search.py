"""`dataflow-search`: tensor_op -> tiled_subop. Every layer is split into sources, K workers and a sink.

The mapping search and the sub-operator extraction are plain Python (`passes.subops`); this pass turns
the IR into problems and the plans back into IR. Plans are cached on disk, keyed by a hash of the
problem, the device parameters that matter and the options.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import (
    DictionaryAttr,
    FloatAttr,
    Float64Type,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    SymbolRefAttr,
    UnitAttr,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass

from focus_dialects import tensor_op, tiled_subop
from focus_dialects.chip import DeviceOp, find_device
from focus_dialects.subop_common import StreamType, i64
from focus_tools.errors import FocusError
from passes import subops

CACHE_VERSION = "1"


def default_cache_dir() -> Path:
    env = os.environ.get("FOCUS_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "focus"


def _stat_attr(v) -> Attribute:
    if isinstance(v, bool):
        return IntegerAttr(int(v), 1)
    if isinstance(v, int):
        return IntegerAttr(v, 64)
    if isinstance(v, float):
        return FloatAttr(v, Float64Type())
    return StringAttr(str(v))


def module_batch(module: ModuleOp) -> int:
    attr = module.attributes.get("focus.batch")
    return attr.value.data if isinstance(attr, IntegerAttr) else 1


def auto_core_budget(layers, dev: DeviceOp, cap: int = 16) -> dict[str, int]:
    """Worker counts for `cores: auto` layers so that every layer fits the mesh without time sharing:
    the compute PEs left after the fixed-budget layers (and one sink per layer) are shared in proportion
    to the layers' MACs (at least 1, at most `cap` workers each)."""
    w, h = dev.mesh
    compute_pes = w * h if dev.memory_compute is not None else w * h - len(dev.memory)
    auto = [lay for lay in layers if lay.cores.value.data == 0]
    if not auto:
        return {}
    fixed = sum(lay.cores.value.data + 1 for lay in layers if lay.cores.value.data > 0)
    free = compute_pes - fixed - len(auto)  # one sink per auto layer
    if free < len(auto):
        return {lay.sym_name.data: 1 for lay in auto}
    macs = {lay.sym_name.data: max(1, lay.layer_problem.macs) for lay in auto}
    total = sum(macs.values())
    out = {n: max(1, min(cap, int(free * m / total))) for n, m in macs.items()}
    # hand out what rounding left, largest layers first
    left = free - sum(out.values())
    for n in sorted(macs, key=lambda k: (-macs[k], k)):
        if left <= 0:
            break
        if out[n] < cap:
            out[n] += 1
            left -= 1
    return out


@dataclass(frozen=True)
class DataflowSearchPass(ModulePass):
    """Split every `tensor_op.layer` into `tiled_subop` sources, workers and a sink."""

    name = "dataflow-search"

    objective: str = "delay"
    engine: str = "focus"
    seed: int = 0
    time_budget: float = 1.0
    cache: bool = True
    cache_dir: str = ""
    arch: str = ""  # Timeloop architecture for engine=timeloop (default: the FOCUS task's layer bank arch/)
    constraints: str = ""  # Timeloop constraints file(s), comma-separated
    writeback: bool = True
    split_sources: bool = False  # one memory source per stream, so the placer can spread DRAM traffic
    fit_mesh: bool = False  # `cores: auto` layers share the device's compute PEs in proportion to their MACs

    def _timeloop_arch(self, module: ModuleOp):
        """The Timeloop architecture + constraints for engine=timeloop."""
        from passes.timeloop import load_simba_focus_arch

        arch, cons = self.arch, [c for c in self.constraints.split(",") if c]
        if not arch:
            inputs = module.attributes.get("focus.timeloop_inputs")
            files = [a.data for a in inputs.data] if inputs is not None else []
            for f in files:
                p = Path(f)
                cands = sorted(p.glob("*.yaml")) if p.is_dir() else [p]
                for c in cands:
                    if "architecture" in c.read_text(errors="replace")[:4000]:
                        arch = str(c)
                        break
                if arch:
                    break
            if not cons:
                cons = [f for f in files if "constraint" in Path(f).name and Path(f).is_file()]
        if not arch:
            raise FocusError("dataflow-search: engine 'timeloop' needs a Timeloop architecture: give "
                             "arch=FILE, or import a FOCUS task whose layer bank has arch/")
        return load_simba_focus_arch(arch, cons or None)

    def _timeloop_plan(self, problem, workers: int, dev: DeviceOp, tl_arch) -> subops.LayerPlan:
        from passes.timeloop import search_layer
        from passes.timeloop.nest import T

        lm = search_layer(problem, tl_arch, workers=max(1, workers), objective=self.objective, seed=self.seed,
                          time_budget=self.time_budget)
        nest = lm.result.nest
        top = len(lm.mapping.levels) - 1
        temporal = tuple((nest.dims[lp.dim], lp.factor) for lp in
                         reversed([nest.loops[i] for i in nest.level_loops(top) if nest.loops[i].kind == T])
                         if lp.factor > 1)
        mapping = subops.TopLevelMapping(tuple(lm.top_spatial_loops), temporal)
        plan = subops.plan_layer(problem, mapping, macs_per_cycle=dev.macs_per_cycle.value.data,
                                 layer_cycles=lm.result.cycles)
        plan.stats.update({"engine": "timeloop", "energy_pJ": round(float(lm.result.energy_pJ), 3),
                           "energy_source": lm.result.energy_source,
                           "timeloop_utilization": round(float(lm.result.utilization), 6)})
        return plan

    def _plan(self, problem, workers: int, dev: DeviceOp, tl_arch=None) -> subops.LayerPlan:
        if self.engine == "timeloop":
            return self._timeloop_plan(problem, workers, dev, tl_arch)
        if self.engine != "focus":
            raise FocusError(f"dataflow-search: engine '{self.engine}' is not one of focus, timeloop")
        word_bytes = max(1, dev.word_bits.value.data // 8)
        buffer_words = dev.buffer_bytes // word_bytes
        link_words = dev.link_bits.value.data / dev.word_bits.value.data
        macs = dev.macs_per_cycle.value.data
        key = hashlib.sha256(json.dumps(
            [CACHE_VERSION, problem.to_text(), workers, macs, buffer_words, link_words, self.objective,
             self.engine, self.seed], sort_keys=True).encode()).hexdigest()
        path = Path(self.cache_dir or default_cache_dir()) / "dataflow" / f"{key}.json"
        if self.cache and path.is_file():
            try:
                data = json.loads(path.read_text())
                mapping = subops.TopLevelMapping(
                    tuple(map(tuple, data["spatial"])), tuple(map(tuple, data["temporal"])),
                    tuple(map(tuple, data["lanes"])))
                return subops.plan_layer(problem, mapping, macs_per_cycle=macs)
            except (OSError, ValueError, KeyError, TypeError):
                pass  # a damaged cache entry is recomputed
        plan = subops.search_top_level(problem, workers, macs_per_cycle=macs, buffer_words=buffer_words,
                                       link_words_per_cycle=link_words, objective=self.objective)
        if self.cache:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".tmp{os.getpid()}")
                m = plan.mapping
                tmp.write_text(json.dumps({"spatial": m.spatial, "temporal": m.temporal, "lanes": m.lanes}))
                tmp.replace(path)
            except OSError:
                pass  # the cache is an optimisation only
        return plan

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.objective not in ("delay", "energy", "edp"):
            raise FocusError(f"dataflow-search: objective '{self.objective}' is not one of delay, energy, edp")
        dev = find_device(op)
        if dev is None:
            raise FocusError("dataflow-search: the module has no chip.device op")
        batch = module_batch(op)
        tl_arch = self._timeloop_arch(op) if self.engine == "timeloop" else None
        outputs: set[SSAValue] = {o.value for o in op.ops if isinstance(o, tensor_op.OutputOp)}
        produced: dict[SSAValue, SSAValue] = {}  # tensor_op layer result -> tiled sink result
        layers = [o for o in op.ops if isinstance(o, tensor_op.LayerOp)]
        budget = auto_core_budget(layers, dev) if self.fit_mesh else {}
        for layer in layers:
            problem = layer.layer_problem
            name = layer.sym_name.data
            cores = budget.get(name, layer.cores.value.data)
            w, h = dev.mesh
            if cores > w * h:
                raise FocusError(f"'tensor_op.layer' @{name} asks for {cores} cores, the {w}x{h} mesh has {w * h} PEs")
            plan = self._plan(problem, cores, dev, tl_arch)
            new_ops: list[Operation] = []
            ref = SymbolRefAttr(name)
            stats = {k: _stat_attr(v) for k, v in plan.stats.items()}
            lay = tiled_subop.LayerOp.create(properties={
                "sym_name": StringAttr(name), "kind": layer.kind, "model": layer.model,
                "workers": i64(len(plan.workers)), "cycles": i64(plan.cycles), "macs": i64(plan.macs),
                "batch": i64(batch), "mapping": StringAttr(plan.mapping.text()),
            }, attributes={"stats": DictionaryAttr(stats)})
            new_ops.append(lay)
            bound = dict(zip(layer.bound_spaces, layer.inputs))
            worker_inputs: dict[int, list[SSAValue]] = {wp.index: [] for wp in plan.workers}
            for ds in problem.input_spaces:
                streams = plan.input_streams[ds.name]
                value = bound.get(ds.name)
                producer = produced.get(value) if value is not None else None
                if producer is None and self.split_sources and len(streams) > 1:
                    chunks = [(f"{name}.src.{ds.name}.{i}", [s]) for i, s in enumerate(streams)]
                else:
                    chunks = [(f"{name}.src.{ds.name}", streams)]
                for sym, chunk in chunks:
                    props: dict[str, Attribute] = {
                        "sym_name": StringAttr(sym), "layer": ref, "space": StringAttr(ds.name),
                        "iterations": i64(plan.iterations), "cycles": i64(0),
                    }
                    if producer is None:
                        props["memory"] = UnitAttr()
                    src = tiled_subop.SourceOp.create(
                        operands=[producer] if producer is not None else [],
                        result_types=[StreamType(ds.name, s.words, s.transfers) for s in chunk], properties=props)
                    new_ops.append(src)
                    for s, res in zip(chunk, src.results):
                        for wi in s.consumers:
                            worker_inputs[wi].append(res)
            sink_inputs = []
            for wp, out in zip(plan.workers, plan.output_streams):
                ins = worker_inputs[wp.index]
                wop = tiled_subop.WorkerOp.create(
                    operands=ins,
                    result_types=[StreamType(out.space, out.words, out.transfers)],
                    properties={
                        "sym_name": StringAttr(f"{name}.w{wp.index}"), "layer": ref, "index": i64(wp.index),
                        "iterations": i64(wp.iterations), "cycles": i64(wp.cycles_per_iteration),
                        "macs": i64(wp.macs), "buffer": i64(wp.buffer_words),
                    })
                new_ops.append(wop)
                sink_inputs.append(wop.results[0])
            sprops: dict[str, Attribute] = {"sym_name": StringAttr(f"{name}.sink"), "layer": ref}
            if plan.reduce:
                sprops["reduce"] = UnitAttr()
            if self.writeback and layer.out in outputs:
                sprops["writeback"] = UnitAttr()
            sink = tiled_subop.SinkOp.create(operands=sink_inputs, result_types=[layer.out.type], properties=sprops)
            new_ops.append(sink)
            produced[layer.out] = sink.results[0]
            for nop in new_ops:
                op.body.block.insert_op_before(nop, layer)
        # the tensor_op ops are now dead: erase them (consumers first)
        for o in reversed(list(op.ops)):
            if isinstance(o, tensor_op.OutputOp):
                o.detach()
                o.erase()
        for o in reversed(list(op.ops)):
            if isinstance(o, (tensor_op.LayerOp, tensor_op.InputOp)):
                o.detach()
                o.erase(safe_erase=False)

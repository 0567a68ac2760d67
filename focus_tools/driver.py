"""The end-to-end flow behind `focus run`: frontend -> dataflow-search -> place-subops -> route-messages
-> lower-to-pe-isa -> simulator -> report.

Everything here is plain functions over explicit options (no global state); the CLI commands in
`focus_tools.commands` only parse arguments and call them.
"""

from __future__ import annotations

import dataclasses
import io
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from focus_tools.errors import FocusError
from focus_tools.presets import Preset, get_preset

STAGES = ("dataflow-search", "place-subops", "route-messages", "lower-to-pe-isa")


@dataclass
class RunOptions:
    task: str
    layer_bank: str | None = None
    arch: str | None = None
    mesh: str | None = None
    batch: int | None = None
    seq_len: int | None = None
    cores: int | None = None
    preset: str = "focus"
    seed: int = 0
    placement: str | None = None
    unicast: str | None = None
    multicast: str | None = None
    search: str | None = None
    link_bits: int | None = None
    flit_bits: int | None = None
    allow_time_sharing: bool = False
    max_cycles: int | None = None
    print_ir_after: tuple[str, ...] = ()
    progress: bool = True


@dataclass
class Compiled:
    """A compiled workload: the pe_isa module plus what the report needs from earlier levels."""

    module: Any  # ModuleOp at pe_isa level
    device: Any  # frontend.device.Device
    preset: Preset
    layers: list[dict]  # per layer: name, model, kind, workers, cycles, macs, mapping, batch, deps
    placement: dict[str, tuple[int, int]]  # sub-operator -> PE
    placed_layers: dict[str, str]  # sub-operator -> layer
    messages: list[dict]  # routed messages: name, src, dsts, flits, packets, route links
    timings: dict[str, float] = field(default_factory=dict)
    op_counts: dict[str, int] = field(default_factory=dict)
    tiled_text: str = ""
    pipeline: str = ""


def make_context():
    from xdsl.context import Context
    from xdsl.dialects.builtin import Builtin

    from focus_dialects import get_all_dialects

    ctx = Context()
    ctx.load_dialect(Builtin)
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    return ctx


def _device_for(base, width: int, height: int, preset: Preset, opts: RunOptions):
    from frontend.device import Device

    keep = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)
            if f.name not in ("name", "width", "height", "memory_pes", "memory_layout", "memory_compute", "preset",
                              "source")}
    if opts.link_bits:
        keep["link_bits"] = opts.link_bits
    if opts.flit_bits:
        keep["flit_bits"] = opts.flit_bits
    if base.memory_layout == "custom" and base.preset == preset.device_preset and base.mesh == (width, height):
        return dataclasses.replace(base, **{k: v for k, v in keep.items()})
    return Device.for_mesh(width, height, preset.device_preset, **keep)


def load(opts: RunOptions):
    from frontend.load import load_workload

    return load_workload(opts.task, layer_bank=opts.layer_bank, arch=opts.arch, batch=opts.batch,
                         seq_len=opts.seq_len, mesh=opts.mesh, cores=opts.cores)


def _replace_device(module, device) -> None:
    from focus_dialects.chip import DeviceOp

    for op in list(module.ops):
        if isinstance(op, DeviceOp):
            new = device.to_op()
            module.body.block.insert_op_before(new, op)
            op.detach()
            op.erase()
            return
    raise FocusError("the module has no chip.device op")


def compute_groups(module) -> int:
    """PEs the placer needs: one per worker and one per sink (sources share memory PEs)."""
    from focus_dialects import tiled_subop

    return sum(1 for op in module.ops if isinstance(op, (tiled_subop.WorkerOp, tiled_subop.SinkOp)))


def smallest_square(groups: int, preset: Preset, base, opts: RunOptions, start: int = 2) -> int:
    for d in range(max(2, start), 129):
        try:
            dev = _device_for(base, d, d, preset, opts)
        except FocusError:  # too small for the preset's memory layout
            continue
        if len(dev.compute_pes) >= groups:
            return d
    raise FocusError(f"the task needs {groups} compute PEs, more than a 128x128 mesh offers")


class _Progress:
    def __init__(self, enabled: bool, total: int):
        self.bar = None
        if enabled:
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total, file=sys.stderr, unit="stage", leave=False,
                                bar_format="{desc:<22} {bar} {n_fmt}/{total_fmt} [{elapsed}]")
            except ImportError:  # pragma: no cover
                self.bar = None

    def stage(self, name: str) -> None:
        if self.bar is not None:
            self.bar.set_description_str(name)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def compile_workload(workload, opts: RunOptions, *, on_ir: Callable[[str, str], None] | None = None) -> Compiled:
    """Compile a Workload to a verified pe_isa module with the preset's pipeline."""
    from xdsl.passes import PassPipeline

    from focus_dialects import placed_subop, routed_message, tiled_subop
    from frontend.to_ir import workload_to_module
    from focus_tools.registry import get_all_passes

    preset = get_preset(opts.preset).with_options(
        placement=opts.placement, unicast=opts.unicast, multicast=opts.multicast, search=opts.search)
    ctx = make_context()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    base = workload.device
    # compile against a provisional device; the mesh is fixed once the number of sub-operators is known
    w, h = base.mesh
    provisional = _device_for(base, w, h, preset, opts) if workload.mesh_known else \
        _device_for(base, max(w, 64), max(h, 64), preset, opts)
    module = workload_to_module(workload.with_(device=provisional))
    timings["import"] = time.perf_counter() - t0
    passes = get_all_passes()
    pipeline_text = preset.pipeline(opts.seed, opts.allow_time_sharing,
                                    fit_mesh=workload.mesh_known and not opts.allow_time_sharing)
    specs = pipeline_text.split("},")
    specs = [s if s.endswith("}") or "{" not in s else s + "}" for s in specs]
    progress = _Progress(opts.progress, len(specs))
    device = provisional
    try:
        for spec in specs:
            name = spec.split("{")[0]
            progress.stage(name)
            t = time.perf_counter()
            PassPipeline.parse_spec(passes, spec).apply(ctx, module)
            if name == "dataflow-search" and not workload.mesh_known:
                d = smallest_square(compute_groups(module), preset, base, opts)
                device = _device_for(base, d, d, preset, opts)
                _replace_device(module, device)
            elif name == "dataflow-search":
                device = provisional
            module.verify()
            timings[name] = time.perf_counter() - t
            progress.done()
            if name == "dataflow-search":
                layers = _layer_table(module, tiled_subop)
                tiled_text = str(module) if on_ir is not None else ""
            if name == "place-subops":
                placement = {op.sym_name.data: op.pe.xy for op in module.ops
                             if isinstance(op, (placed_subop.SourceOp, placed_subop.WorkerOp, placed_subop.SinkOp))}
                placed_layers = {op.sym_name.data: op.layer.root_reference.data for op in module.ops
                                 if isinstance(op, (placed_subop.SourceOp, placed_subop.WorkerOp, placed_subop.SinkOp))}
            if name == "route-messages":
                messages = [{
                    "name": op.sym_name.data, "src": op.src.xy, "dsts": op.dsts.coords, "flits": op.flits.value.data,
                    "packets": op.packets.value.data, "mode": op.mode.data, "links": op.route.links,
                    "layer": _msg_layer(op),
                } for op in module.ops if isinstance(op, routed_message.MessageOp)]
            if on_ir is not None and name in opts.print_ir_after:
                on_ir(name, str(module))
    finally:
        progress.close()
    ops = sum(1 for _ in module.walk())
    return Compiled(module, device, preset, layers, placement, placed_layers, messages, timings,
                    {"pe_isa_ops": ops}, tiled_text, pipeline_text)


def _msg_layer(op) -> str:
    stream = op.stream
    owner = stream.owner
    layer = getattr(owner, "layer", None)
    return layer.root_reference.data if layer is not None else ""


def _layer_table(module, tiled_subop) -> list[dict]:
    deps: dict[str, set[str]] = {}
    sink_layer: dict[Any, str] = {}
    rows = []
    for op in module.ops:
        if isinstance(op, tiled_subop.SinkOp):
            sink_layer[op.out] = op.layer.root_reference.data
    for op in module.ops:
        if isinstance(op, tiled_subop.SourceOp) and op.producer is not None:
            deps.setdefault(op.layer.root_reference.data, set()).add(sink_layer[op.producer])
    for op in module.ops:
        if isinstance(op, tiled_subop.LayerOp):
            name = op.sym_name.data
            rows.append({
                "name": name, "model": op.model.data, "kind": op.kind.data, "workers": op.workers.value.data,
                "cycles": op.cycles.value.data, "macs": op.macs.value.data, "batch": op.batch.value.data,
                "mapping": op.mapping.data if op.mapping is not None else "",
                "deps": sorted(deps.get(name, ())),
            })
    return rows


def compute_lower_bound(layers: list[dict]) -> int:
    """Compute-only critical path (focus-original.md 2.5): layer compute cycles along the dependency DAG,
    the same layer serialised across batches (batch b+1 of a layer starts after batch b)."""
    finish: dict[tuple[str, int], int] = {}
    by_name = {row["name"]: row for row in layers}
    batch = max((row["batch"] for row in layers), default=1)
    for b in range(batch):
        for row in layers:  # module order is a topological order
            name = row["name"]
            start = max([finish.get((d, b), 0) for d in row["deps"] if d in by_name] + [finish.get((name, b - 1), 0)])
            finish[(name, b)] = start + row["cycles"]
    return max(finish.values(), default=0)


def sim_config(device, opts: RunOptions):
    from backend_sim.config import SimConfig

    over: dict[str, Any] = {}
    if opts.max_cycles:
        over["max_cycles"] = opts.max_cycles
    return SimConfig.from_device(device.to_op(), **over)


def simulate(compiled: Compiled, opts: RunOptions):
    from backend_sim.engine import simulate as run_sim
    from backend_sim.lower_packed import pack_module

    t = time.perf_counter()
    program = pack_module(compiled.module)
    compiled.timings["pack"] = time.perf_counter() - t
    t = time.perf_counter()
    result = run_sim(program, sim_config(compiled.device, opts))
    compiled.timings["simulate"] = time.perf_counter() - t
    result.raise_if_failed()
    return program, result


# ---- energy ----------------------------------------------------------------------------------------
# Built-in per-action energies (45 nm class, 8-bit datapath; Accelergy-style table): MAC, buffer word access,
# DRAM byte, and NoC flit-hop per bit.
ENERGY_TABLE_PJ = {"mac": 0.56, "buffer_word": 1.2, "dram_byte": 40.0, "noc_bit_hop": 0.04}


def energy_pj(compiled: Compiled, result) -> dict:
    """Energy: the dataflow part (MACs and buffer accesses from the dataflow model, DRAM traffic) plus NoC
    energy per flit-hop measured by the simulator. Source: the built-in table above."""
    macs = sum(row["macs"] * row["batch"] for row in compiled.layers)
    dram_bytes = 0
    for op in compiled.module.walk():
        name = op.name
        if name in ("pe_isa.mem_read", "pe_isa.mem_write"):
            mult = 1
            p = op.parent_op()
            while p is not None and p.name != "pe_isa.program":
                if p.name == "pe_isa.loop":
                    mult *= p.count.value.data
                p = p.parent_op()
            dram_bytes += op.bytes.value.data * mult
    link_bits = compiled.device.link_bits
    flit_hops = int(result.link_flits[:, :4].sum())
    parts = {
        "compute": macs * ENERGY_TABLE_PJ["mac"],
        "buffers": macs * 3 * ENERGY_TABLE_PJ["buffer_word"] / 16,  # operand reuse across the 4x4 vector lanes
        "dram": dram_bytes * ENERGY_TABLE_PJ["dram_byte"],
        "noc": flit_hops * link_bits * ENERGY_TABLE_PJ["noc_bit_hop"],
    }
    total = sum(parts.values())
    return {"total": round(total, 3), "parts": {k: round(v, 3) for k, v in parts.items()},
            "source": "built-in table " + ", ".join(f"{k}={v} pJ" for k, v in ENERGY_TABLE_PJ.items()),
            "dram_bytes": dram_bytes, "flit_hops": flit_hops}


# ---- report ----------------------------------------------------------------------------------------
def build_report(compiled: Compiled, result, opts: RunOptions) -> dict:
    sim = result.to_json()
    lb = compute_lower_bound(compiled.layers)
    total = int(result.total_cycles)
    layer_times = sim["layers"]
    layers = []
    for row in compiled.layers:
        t = layer_times.get(row["name"], {"start": -1, "finish": -1})
        start, finish = int(t["start"]), int(t["finish"])
        layers.append({
            "name": row["name"], "model": row["model"], "kind": row["kind"], "workers": row["workers"],
            "start": start, "finish": finish, "cycles": finish - start if start >= 0 and finish >= 0 else 0,
            "compute_cycles": row["cycles"], "macs": row["macs"], "mapping": row["mapping"],
        })
    pe_util = {}
    for pe, cats in sim["pes"].items():
        busy = cats.get("busy", 0)
        pe_util[pe] = round(busy / max(1, total), 6)
    link_load = [{"from": lk["from"], "port": lk["port"], "flits": lk["flits"], "utilization": lk["utilization"]}
                 for lk in sim["links"] if lk["flits"] > 0]
    energy = energy_pj(compiled, result)
    lat = [m["avg_latency"] for m in sim["messages"] if m["avg_latency"] is not None]
    return {
        "task": str(opts.task),
        "preset": compiled.preset.name,
        "pipeline": compiled.pipeline,
        "mesh": list(compiled.device.mesh),
        "link_bits": compiled.device.link_bits,
        "flit_bits": compiled.device.flit_bits,
        "batch": max((row["batch"] for row in compiled.layers), default=1),
        "total_cycles": total,
        "compute_lower_bound": lb,
        "slowdown": round(total / lb, 6) if lb else None,
        "layers": layers,
        "pe_utilization": pe_util,
        "pe_stats": sim["pes"],
        "link_load": link_load,
        "max_link_utilization": max((lk["utilization"] for lk in link_load if lk["port"] != "inject"), default=0.0),
        "energy_pJ": energy["total"],
        "energy": energy,
        "messages": len(sim["messages"]),
        "avg_message_latency": round(sum(lat) / len(lat), 3) if lat else None,
        "flits": sim["flits"],
        "ops": compiled.op_counts,
        "timings_s": {k: round(v, 3) for k, v in compiled.timings.items()},
        "sim_seconds": sim["sim_seconds"],
    }


def report_markdown(report: dict) -> str:
    lines = [
        f"# focus report: {report['task']}",
        "",
        f"- preset: `{report['preset']}`, mesh {report['mesh'][0]}x{report['mesh'][1]}, link {report['link_bits']} bits, "
        f"batch {report['batch']}",
        f"- total cycles: **{report['total_cycles']:,}**",
        f"- compute lower bound: {report['compute_lower_bound']:,} cycles; slowdown **{report['slowdown']}**",
        f"- energy: {report['energy_pJ']:,.0f} pJ ({report['energy']['source']})",
        f"- busiest link utilization: {report['max_link_utilization']:.3f}; messages: {report['messages']}; "
        f"average message latency: {report['avg_message_latency']} cycles",
        "",
        "| layer | model | kind | workers | start | finish | cycles | compute cycles |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report["layers"]:
        lines.append(f"| {row['name']} | {row['model']} | {row['kind']} | {row['workers']} | {row['start']} | "
                     f"{row['finish']} | {row['cycles']} | {row['compute_cycles']} |")
    lines += ["", "Wall-clock timings are in `timings.json` (everything else here is deterministic).", ""]
    return "\n".join(lines)


def summary_table(report: dict) -> str:
    rows = [
        ("preset", report["preset"]),
        ("mesh", f"{report['mesh'][0]}x{report['mesh'][1]}"),
        ("layers", str(len(report["layers"]))),
        ("total cycles", f"{report['total_cycles']:,}"),
        ("compute lower bound", f"{report['compute_lower_bound']:,}"),
        ("slowdown", f"{report['slowdown']:.3f}" if report["slowdown"] else "-"),
        ("energy (uJ)", f"{report['energy_pJ'] / 1e6:,.3f}"),
        ("busiest link", f"{report['max_link_utilization']:.3f}"),
        ("compile (s)", f"{sum(v for k, v in report['timings_s'].items() if k not in ('simulate', 'pack')):.2f}"),
        ("simulate (s)", f"{report['timings_s'].get('simulate', 0):.2f}"),
    ]
    w = max(len(k) for k, _ in rows)
    v = max(len(x) for _, x in rows)
    out = ["+" + "-" * (w + 2) + "+" + "-" * (v + 2) + "+"]
    out += [f"| {k:<{w}} | {x:>{v}} |" for k, x in rows]
    out.append(out[0])
    return "\n".join(out)


def write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def run(opts: RunOptions, out: Path | None, *, log: io.TextIOBase | None = None,
        artifacts: bool = True, detail: str = "layers") -> dict:
    """Compile and simulate; write the outputs into `out` (created) and return the report."""
    import json

    log = log or sys.stdout
    workload = load(opts)

    def on_ir(stage: str, text: str) -> None:
        print(f"// ----- IR after {stage} -----\n{text}", file=log)

    compiled = compile_workload(workload, opts, on_ir=on_ir)
    program, result = simulate(compiled, opts)
    report = build_report(compiled, result, opts)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        wall = {"timings_s": report["timings_s"], "sim_seconds": report["sim_seconds"]}
        stable = {k: v for k, v in report.items() if k not in wall}
        write_text_atomic(out / "report.json", json.dumps(stable, indent=1, sort_keys=True) + "\n")
        write_text_atomic(out / "timings.json", json.dumps(wall, indent=1, sort_keys=True) + "\n")
        write_text_atomic(out / "report.md", report_markdown(report))
        if artifacts:
            try:
                from backend_sim import report_files
            except ImportError:
                report_files = None
            if report_files is not None:
                report_files.write_all(out, compiled, program, result, report, detail=detail)
    return report


__all__ = ["RunOptions", "Compiled", "run", "compile_workload", "build_report", "compute_lower_bound",
           "summary_table", "report_markdown"]

"""`place-subops`: tiled_subop -> placed_subop. Every sub-operator gets a PE (`on #chip.pe<x, y>`).

Thin glue around `passes.placement`: the IR becomes placement groups and traffic, a placer assigns PEs,
the ops are rewritten. Groups: each memory source; each worker; each sink together with the sources of
later layers that read its tensor (so producer -> consumer tensors never cross the network); a `writeback`
sink writes the model output to memory, so it sits on a memory PE that may host compute (with
memory-compute=no, or a device without memory_compute, writeback sinks are an error: run dataflow-search
with writeback=false). Traffic: one message per stream, from its producer's group to its users' groups,
volume = batch x transfers x ceil(words x word_bits / flit_bits) flits.

Options: `strategy` (hilbert | snake | random | anneal), `seed`, `allow-time-sharing`,
`memory-layout` (device | original | edge: the last two replace the device's memory PEs by the original
FOCUS layout (square meshes) or by every edge PE), `memory-compute` (device | yes | no: whether memory
PEs may host workers and sinks; `yes` needs the device's `memory_compute`), `iterations` (anneal budget,
-1 = default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from focus_dialects import placed_subop, tensor_op, tiled_subop
from focus_dialects.chip import DeviceOp, PEAttr, PEListAttr, find_device
from focus_dialects.subop_common import StreamType
from focus_tools.errors import FocusError
from passes.placement import (
    STRATEGIES,
    Group,
    Message,
    Placement,
    PlacementProblem,
    edge_memory_pes,
    original_memory_pes,
    place,
)

LAYER_OPS = (tiled_subop.LayerOp, placed_subop.LayerOp)
SOURCE_OPS = (tiled_subop.SourceOp, placed_subop.SourceOp)
WORKER_OPS = (tiled_subop.WorkerOp, placed_subop.WorkerOp)
SINK_OPS = (tiled_subop.SinkOp, placed_subop.SinkOp)
SUBOPS = SOURCE_OPS + WORKER_OPS + SINK_OPS
MEMORY_LAYOUTS = ("device", "original", "edge")


def _int(attr: IntegerAttr) -> int:
    return attr.value.data


def stream_flits(stream: StreamType, word_bits: int, flit_bits: int) -> int:
    """Flits of one whole stream per batch (transfers x flits per transfer)."""
    per_transfer = math.ceil(stream.words.data * word_bits / flit_bits)
    return per_transfer * stream.transfers.data


def subop_problem(module: ModuleOp, memory_pes, memory_hosts_compute: bool,
                  where: str) -> tuple[PlacementProblem, dict[Operation, str]]:
    """Placement groups and traffic of a tiled (or placed) sub-operator module, and op -> group name."""
    dev = find_device(module)
    if dev is None:
        raise FocusError(f"{where}: the module has no chip.device op")
    width, height = dev.mesh
    word_bits, flit_bits = _int(dev.word_bits), _int(dev.flit_bits)
    layers: dict[str, tuple[str, int]] = {}
    for op in module.ops:
        if isinstance(op, LAYER_OPS):
            layers[op.sym_name.data] = (op.model.data, _int(op.batch))
    order: dict[Operation, int] = {}
    groups: list[Group] = []
    group_of: dict[Operation, str] = {}
    for op in module.ops:
        if not isinstance(op, SUBOPS):
            continue
        order[op] = len(order)
        name = op.sym_name.data
        layer = op.layer.string_value()
        if layer not in layers:
            raise FocusError(f"{where}: '{op.name}' @{name} refers to layer @{layer}, which has no layer op")
        model = layers[layer][0]
        if isinstance(op, SOURCE_OPS):
            if op.memory is not None:
                groups.append(Group(name, layer, model, "source", True))
                group_of[op] = name
            else:
                owner = op.producer.owner if op.producer is not None else None
                if not isinstance(owner, SINK_OPS) or owner not in group_of:
                    raise FocusError(
                        f"{where}: source @{name} reads a tensor that no earlier sink produces; "
                        "producer sources must read a sink result"
                    )
                group_of[op] = group_of[owner]
        elif isinstance(op, WORKER_OPS):
            groups.append(Group(name, layer, model, "worker"))
            group_of[op] = name
        else:  # a writeback sink does mem_write, so it sits on a memory PE
            groups.append(Group(name, layer, model, "sink", op.writeback is not None))
            group_of[op] = name
    if not group_of:
        raise FocusError(f"{where}: the module has no tiled_subop sub-operators to place")
    messages: list[Message] = []
    for op in order:
        batch = layers[op.layer.string_value()][1]
        for res in op.results:
            if not isinstance(res.type, StreamType):
                continue
            users = sorted({use.operation for use in res.uses if use.operation in order}, key=order.__getitem__)
            dsts = tuple(dict.fromkeys(group_of[u] for u in users))
            if dsts:
                volume = batch * stream_flits(res.type, word_bits, flit_bits)
                messages.append(Message(group_of[op], dsts, volume))
    problem = PlacementProblem(width, height, tuple(memory_pes), tuple(groups), tuple(messages),
                               memory_hosts_compute, where)
    return problem, group_of


def _memory_layout(dev: DeviceOp, layout: str) -> tuple[tuple[int, int], ...]:
    w, h = dev.mesh
    if layout == "device":
        return tuple(dev.memory)
    if layout == "edge":
        return edge_memory_pes(w, h)
    if layout == "original":
        if w != h:
            raise FocusError(f"place-subops: memory-layout=original needs a square mesh, the device is {w}x{h}")
        return original_memory_pes(w)
    raise FocusError(f"place-subops: memory-layout '{layout}', expected one of {', '.join(MEMORY_LAYOUTS)}")


_PLACED = {
    tiled_subop.LayerOp: placed_subop.LayerOp,
    tiled_subop.SourceOp: placed_subop.SourceOp,
    tiled_subop.WorkerOp: placed_subop.WorkerOp,
    tiled_subop.SinkOp: placed_subop.SinkOp,
}


@dataclass(frozen=True)
class PlaceSubopsPass(ModulePass):
    """Place every tiled sub-operator on a PE and rewrite it to placed_subop."""

    name = "place-subops"

    strategy: str = "hilbert"
    seed: int = 0
    allow_time_sharing: bool = False
    memory_layout: str = "device"
    memory_compute: str = "device"
    iterations: int = -1

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        place_module(op, self.strategy, self.seed, allow_time_sharing=self.allow_time_sharing,
                     memory_layout=self.memory_layout, memory_compute=self.memory_compute,
                     iterations=self.iterations)


def place_module(op: ModuleOp, strategy: str = "hilbert", seed: int = 0, *, allow_time_sharing: bool = False,
                 memory_layout: str = "device", memory_compute: str = "device", iterations: int = -1,
                 where: str = "place-subops") -> tuple[PlacementProblem, Placement, dict[Operation, str]]:
    """Place a tiled_subop module in place (the pass's work); returns the problem, the placement and
    op -> group name (the ops are the new placed_subop ops)."""
    if strategy not in STRATEGIES:
        raise FocusError(f"{where}: strategy '{strategy}', expected one of {', '.join(STRATEGIES)}")
    if memory_compute not in ("device", "yes", "no"):
        raise FocusError(f"{where}: memory-compute '{memory_compute}', expected device, yes or no")
    if any(isinstance(o, (tensor_op.LayerOp, tensor_op.InputOp)) for o in op.ops):
        raise FocusError(f"{where}: the module still holds tensor_op layers; run dataflow-search first")
    dev = find_device(op)
    if dev is None:
        raise FocusError(f"{where}: the module has no chip.device op")
    memory = _memory_layout(dev, memory_layout)
    device_compute = dev.memory_compute is not None
    if memory_compute == "yes" and not device_compute:
        raise FocusError(f"{where}: memory-compute=yes, but device @{dev.sym_name.data} has no memory_compute")
    hosts = device_compute if memory_compute == "device" else memory_compute == "yes"
    problem, group_of = subop_problem(op, memory, hosts, where)
    options = {"iterations": iterations} if strategy == "anneal" and iterations >= 0 else {}
    placement = place(problem, strategy, seed, allow_time_sharing=allow_time_sharing, **options)
    if memory_layout != "device":
        dev.properties["memory_pes"] = PEListAttr(memory)
    new_group_of: dict[Operation, str] = {}
    for old in list(op.ops):
        new_cls = _PLACED.get(type(old))
        if new_cls is None:
            continue
        props = dict(old.properties)
        if old in group_of:
            props["pe"] = PEAttr(*placement.pe_of[group_of[old]])
        new = new_cls.create(operands=list(old.operands), result_types=[r.type for r in old.results],
                             properties=props, attributes=dict(old.attributes))
        for a, b in zip(old.results, new.results):
            b.name_hint = a.name_hint
        Rewriter.replace_op(old, new)
        if old in group_of:
            new_group_of[new] = group_of[old]
    return problem, placement, new_group_of

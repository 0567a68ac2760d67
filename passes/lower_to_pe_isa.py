"""`lower-to-pe-isa`: routed_message -> pe_isa. One program per PE, one concurrent block per operator.

Blocks (the original FOCUS operator blocks), each wrapped in `loop count B` for B batches:
* memory source: per iteration `mem_read` of the tiles due, then one `send` per stream with a message;
  a source of a layer with producer layers first waits for one control packet per producer sink;
* worker: per iteration `recv` of every input transfer due, `compute`, `send` of every output due;
* sink: `recv` of every worker transfer (round robin over the workers), the reduction `compute`, the
  `mem_write` of model outputs, the control packets to the next layers' memory sources, then the
  co-located producer sources of the next layers (the original's sink + insrc block).
Periodic transfers (T transfers over I iterations) become nested counted loops, so a program's size grows
with the number of sub-operators, not iterations. The pass checks its own result (`pe_isa_check`).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce

from xdsl.context import Context
from xdsl.dialects.builtin import ArrayAttr, IntegerAttr, ModuleOp, StringAttr, TensorType, UnitAttr
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from focus_dialects import pe_isa, placed_subop, routed_message
from focus_dialects.chip import DeviceOp, PEAttr, PEListAttr, RouteAttr, find_device
from focus_dialects.subop_common import StreamType
from focus_tools.errors import FocusError
from passes.routing.mesh import path_links, xy_nodes

Coord = tuple[int, int]
# An instruction: ("send", tag) | ("recv", tag) | ("compute", cycles) | ("mem_read", bytes)
# | ("mem_write", bytes) | ("loop", count, [instructions])
Instr = tuple

MAX_UNROLLED_PERIOD = 4096  # largest lcm of non-nested periods expanded iteration by iteration


# ---- periodic schedules as nested loops (plain Python) ------------------------------------------------
def loop(count: int, body: list[Instr]) -> list[Instr]:
    """`body` `count` times, as one loop (or inline when count is 1; nothing when the body is empty)."""
    if not body or count < 1:
        return []
    if count == 1:
        return list(body)
    if len(body) == 1 and body[0][0] == "loop":  # loop a { loop b { x } } -> loop a*b { x }
        return [("loop", count * body[0][1], body[0][2])]
    return [("loop", count, list(body))]


def _merge(groups: list[tuple[int, list[Instr]]]) -> dict[int, list[Instr]]:
    out: dict[int, list[Instr]] = {}
    for t, instrs in groups:
        out.setdefault(t, []).extend(instrs)
    return out


def periodic(iterations: int, start: list[tuple[int, list[Instr]]], middle: list[Instr],
             end: list[tuple[int, list[Instr]]], *, what: str = "op", middle_first: bool = False) -> list[Instr]:
    """`iterations` iterations of `middle`, with transfer groups `(T, instrs)` spread over them.

    A group with T <= I runs at the start (`start`) or end (`end`) of every run of I/T iterations
    (iterations 0, s, 2s, ... or s-1, 2s-1, ...); with T > I it runs T/I times every iteration.
    T and I must divide one another. Nested periods become nested loops; other period sets are
    expanded over their least common multiple, with runs of identical iterations compressed.
    """
    if iterations < 1:
        raise FocusError(f"{what}: iterations ({iterations}) must be at least 1")
    for t, _ in start + end:
        if t < 1 or (iterations % t and t % iterations):
            raise FocusError(
                f"{what}: a stream of {t} transfers neither divides nor is a multiple of its {iterations} iterations"
            )
    starts, ends = _merge(start), _merge(end)

    def every(groups: dict[int, list[Instr]]) -> list[Instr]:  # groups due every iteration
        out: list[Instr] = []
        for t, instrs in groups.items():
            if t >= iterations:
                out += loop(t // iterations, instrs)
        return out

    def one_iteration(first: list[Instr], last: list[Instr]) -> list[Instr]:
        head = every(starts)
        tail = every(ends)
        if middle_first:
            return list(middle) + first + head + tail + last
        return first + head + list(middle) + tail + last

    periods = sorted({iterations // t for t in list(starts) + list(ends) if t < iterations})
    if all(b % a == 0 for a, b in itertools.pairwise(periods)):
        # nested: level j runs every periods[j] iterations
        body = one_iteration([], [])
        inner = 1
        for p in periods:
            t = iterations // p
            body = starts.get(t, []) + loop(p // inner, body) + ends.get(t, [])
            inner = p
        return loop(iterations // inner, body)
    span = reduce(math.lcm, periods)
    if span > MAX_UNROLLED_PERIOD:
        raise FocusError(f"{what}: transfer periods {periods} repeat only every {span} iterations, "
                         f"at most {MAX_UNROLLED_PERIOD} are supported")
    runs: list[tuple[list[Instr], int]] = []
    for i in range(span):
        first: list[Instr] = []
        last: list[Instr] = []
        for t, instrs in starts.items():
            if t < iterations and i % (iterations // t) == 0:
                first += instrs
        for t, instrs in ends.items():
            if t < iterations and (i + 1) % (iterations // t) == 0:
                last += instrs
        it = one_iteration(first, last)
        if runs and runs[-1][0] == it:
            runs[-1] = (it, runs[-1][1] + 1)
        else:
            runs.append((it, 1))
    body = [ins for it, n in runs for ins in loop(n, it)]
    return loop(iterations // span, body)


def count_instrs(instrs: list[Instr]) -> int:
    """Ops in the IR for these instructions (loops count as one op plus their bodies)."""
    return sum(1 + (count_instrs(i[2]) if i[0] == "loop" else 0) for i in instrs)


# ---- the lowering plan (plain Python, built from the IR) ----------------------------------------------
@dataclass
class MessagePlan:
    tag: int
    src: Coord
    dsts: list[Coord]
    flits: int
    vc: int
    mode: str
    route: RouteAttr
    label: str
    packet_bits: int = 0  # payload per packet (0 = control)
    packets: int = 0  # per batch
    batches: int = 1
    priority: int = 0
    layer: str = ""


@dataclass
class BlockPlan:
    name: str
    pe: Coord
    body: list[Instr]
    buffer: int | None = None  # worker buffer (words), for the simulator's buffer model
    layer: str = ""  # for per-layer statistics
    mem_read_bytes: int = 0  # expected total over all batches
    mem_write_bytes: int = 0


@dataclass
class LoweringPlan:
    messages: list[MessagePlan] = field(default_factory=list)
    blocks: list[BlockPlan] = field(default_factory=list)


def _pe(op: Operation) -> Coord:
    return op.pe.xy  # type: ignore[attr-defined]


def _name(op: Operation) -> str:
    return op.sym_name.data  # type: ignore[attr-defined]


def _int(attr: IntegerAttr) -> int:
    return attr.value.data


def _bits_to_bytes(bits: int) -> int:
    return (bits + 7) // 8


def _stream(v: SSAValue) -> StreamType:
    t = v.type
    assert isinstance(t, StreamType)
    return t


def xy_route(src: Coord, dst: Coord) -> list[tuple[Coord, Coord]]:
    """Dimension-order (x first, then y) unit links from src to dst."""
    return path_links(xy_nodes(src, dst))


def plan_lowering(module: ModuleOp) -> LoweringPlan:
    """Per-PE blocks and the message table of a routed_message module."""
    dev = find_device(module)
    if dev is None:
        raise FocusError("lower-to-pe-isa: the module has no chip.device op")
    word_bits = _int(dev.word_bits)
    flit_bits = _int(dev.flit_bits)
    macs_per_cycle = _int(dev.macs_per_cycle)
    memory = set(dev.memory)

    layers: dict[str, Operation] = {}
    sources: list[Operation] = []
    workers: list[Operation] = []
    sinks: list[Operation] = []
    messages: list[routed_message.MessageOp] = []
    order: dict[Operation, int] = {}
    for i, op in enumerate(module.ops):
        order[op] = i
        if isinstance(op, placed_subop.LayerOp):
            layers[_name(op)] = op
        elif isinstance(op, placed_subop.SourceOp):
            sources.append(op)
        elif isinstance(op, placed_subop.WorkerOp):
            workers.append(op)
        elif isinstance(op, placed_subop.SinkOp):
            sinks.append(op)
        elif isinstance(op, routed_message.MessageOp):
            messages.append(op)
        elif op.dialect_name() in ("tiled_subop", "tensor_op"):
            raise FocusError(f"lower-to-pe-isa: {op.name} found; run the earlier passes first (expects placed_subop "
                             f"and routed_message ops)")

    def layer_of(op: Operation) -> Operation:
        ref = op.layer.root_reference.data  # type: ignore[attr-defined]
        lay = layers.get(ref)
        if lay is None:
            raise FocusError(f"lower-to-pe-isa: '{op.name}' @{_name(op)} names layer @{ref}, which has no "
                             f"placed_subop.layer op")
        return lay

    def batch_of(op: Operation) -> int:
        return _int(layer_of(op).batch)  # type: ignore[attr-defined]

    # ---- messages: one tag per routed message (module order), then control messages -----------------
    plan = LoweringPlan()
    tag_of: dict[tuple[SSAValue, Coord], int] = {}  # (stream, consumer PE) -> tag
    tags_of_stream: dict[SSAValue, list[int]] = defaultdict(list)  # stream -> its messages' tags
    producer_pe: dict[SSAValue, Coord] = {}
    for op in sources + workers:
        for r in op.results:
            producer_pe[r] = _pe(op)
    for tag, m in enumerate(messages):
        s = m.stream
        st = _stream(s)
        name = _name(m)
        if s not in producer_pe:
            raise FocusError(f"lower-to-pe-isa: message @{name} carries a stream no placed source or worker produces")
        if m.src.xy != producer_pe[s]:
            raise FocusError(f"lower-to-pe-isa: message @{name} starts at {m.src} but its stream is produced on "
                             f"<{producer_pe[s][0]}, {producer_pe[s][1]}>")
        if _int(m.packets) != st.transfers.data:
            raise FocusError(f"lower-to-pe-isa: message @{name} has {_int(m.packets)} packets per batch but its "
                             f"stream has {st.transfers.data} transfers")
        bits = st.words.data * word_bits
        if _int(m.flits) * flit_bits < bits:
            raise FocusError(f"lower-to-pe-isa: message @{name} has {_int(m.flits)} flits of {flit_bits} bits per "
                             f"packet, too few for {st.words.data} words of {word_bits} bits (need "
                             f"{math.ceil(bits / flit_bits)})")
        tags_of_stream[s].append(tag)
        for d in m.dsts.coords:
            if (s, d) in tag_of:
                raise FocusError(f"lower-to-pe-isa: message @{name} delivers to <{d[0]}, {d[1]}>, which another "
                                 f"message of the same stream already reaches")
            tag_of[(s, d)] = tag
        plan.messages.append(MessagePlan(
            tag, m.src.xy, m.dsts.coords, _int(m.flits), _int(m.vc), m.mode.data, m.route, name,
            packet_bits=bits, packets=st.transfers.data, priority=_int(m.priority)))

    # every remote consumer must be reached; every destination must consume
    consumers: dict[tuple[SSAValue, Coord], list[Operation]] = defaultdict(list)
    for op in workers + sinks:
        for v in op.inputs:  # type: ignore[attr-defined]
            if v not in producer_pe:
                raise FocusError(f"lower-to-pe-isa: '{op.name}' @{_name(op)} consumes a stream no placed op produces")
            pe = _pe(op)
            consumers[(v, pe)].append(op)
            if pe != producer_pe[v] and (v, pe) not in tag_of:
                p = producer_pe[v]
                raise FocusError(f"lower-to-pe-isa: '{op.name}' @{_name(op)} on <{pe[0]}, {pe[1]}> consumes a stream "
                                 f"produced on <{p[0]}, {p[1]}> but no routed_message.message reaches it")
    # workers of one layer time-sharing a PE and sharing a stream become one block (one packet feeds all)
    group_of: dict[Operation, Operation] = {w: w for w in workers}

    def find(w: Operation) -> Operation:
        while group_of[w] is not w:
            group_of[w] = group_of[group_of[w]]
            w = group_of[w]
        return w

    for (v, pe), ops in consumers.items():
        if len(ops) > 1 and pe != producer_pe[v]:
            if not all(isinstance(o, placed_subop.WorkerOp) for o in ops) or \
                    len({o.layer.root_reference.data for o in ops}) > 1:  # type: ignore[attr-defined]
                names = ", ".join("@" + _name(o) for o in ops)
                raise FocusError(f"lower-to-pe-isa: one stream feeds {len(ops)} ops of different kinds or layers "
                                 f"on <{pe[0]}, {pe[1]}> ({names}); a PE receives one packet per transfer")
            for o in ops[1:]:
                a, b = find(ops[0]), find(o)
                if a is not b:
                    if order[b] < order[a]:
                        a, b = b, a
                    group_of[b] = a
    for mp, m in zip(plan.messages, messages):
        for d in mp.dsts:
            if (m.stream, d) not in consumers:
                raise FocusError(f"lower-to-pe-isa: message @{mp.label} delivers to <{d[0]}, {d[1]}>, where no op "
                                 f"consumes its stream")

    # batches (per stream: the producer's layer)
    for mp, m in zip(plan.messages, messages):
        owner = m.stream.owner
        assert isinstance(owner, Operation)
        mp.batches = batch_of(owner)
        mp.layer = _name(layer_of(owner))

    # producer sources and the sinks feeding them
    sink_of_tensor: dict[SSAValue, Operation] = {sk.out: sk for sk in sinks}  # type: ignore[attr-defined]
    followers: dict[Operation, list[Operation]] = defaultdict(list)  # sink -> producer sources
    producer_sinks: dict[str, list[Operation]] = defaultdict(list)  # layer -> producer sinks
    for src in sources:
        if src.producer is None:  # type: ignore[attr-defined]
            continue
        sk = sink_of_tensor.get(src.producer)  # type: ignore[attr-defined]
        if sk is None:
            raise FocusError(f"lower-to-pe-isa: producer source @{_name(src)} reads a tensor no placed sink produces")
        if _pe(sk) != _pe(src):
            a, b = _pe(src), _pe(sk)
            raise FocusError(f"lower-to-pe-isa: producer source @{_name(src)} is on <{a[0]}, {a[1]}> but its sink "
                             f"@{_name(sk)} is on <{b[0]}, {b[1]}>; the placer must put them on one PE")
        if batch_of(src) != batch_of(sk):
            raise FocusError(f"lower-to-pe-isa: producer source @{_name(src)} runs {batch_of(src)} batches but its "
                             f"sink @{_name(sk)} runs {batch_of(sk)}")
        followers[sk].append(src)
        lay = _name(layer_of(src))
        if sk not in producer_sinks[lay]:
            producer_sinks[lay].append(sk)

    control_recvs: dict[Operation, list[int]] = defaultdict(list)
    control_sends: dict[Operation, list[int]] = defaultdict(list)
    next_tag = len(plan.messages)
    for src in sources:
        if src.memory is None:  # type: ignore[attr-defined]
            continue
        lay = _name(layer_of(src))
        for sk in sorted(producer_sinks.get(lay, []), key=lambda o: order[o]):
            a, b = _pe(sk), _pe(src)
            if a == b:
                continue
            plan.messages.append(MessagePlan(
                next_tag, a, [b], 1, 0, "tree", RouteAttr(xy_route(a, b)), f"ctrl.{_name(sk)}.{_name(src)}",
                packets=1, batches=batch_of(src), layer=lay))
            control_sends[sk].append(next_tag)
            control_recvs[src].append(next_tag)
            next_tag += 1

    # ---- blocks --------------------------------------------------------------------------------------
    def bytes_of(st: StreamType) -> int:
        return _bits_to_bytes(st.words.data * word_bits)

    def source_body(src: Operation) -> tuple[list[Instr], int]:
        """Per-batch body of a source and its memory bytes per batch."""
        name = _name(src)
        by_t: dict[int, list] = {}
        for r in src.results:
            by_t.setdefault(_stream(r).transfers.data, []).append(r)
        groups = []
        read_bytes = 0
        is_mem = src.memory is not None  # type: ignore[attr-defined]
        for t, rs in by_t.items():
            instrs: list[Instr] = []
            if is_mem:
                nbytes = sum(bytes_of(_stream(r)) for r in rs)
                instrs.append(("mem_read", nbytes))
                read_bytes += nbytes * t
            instrs += [("send", tg) for r in rs for tg in tags_of_stream.get(r, [])]
            groups.append((t, instrs))
        cyc = _int(src.cycles)  # type: ignore[attr-defined]
        middle = [("compute", cyc)] if cyc > 0 else []
        iters = _int(src.iterations)  # type: ignore[attr-defined]
        body = periodic(iters, groups, middle, [], what=f"lower-to-pe-isa: '{src.name}' @{name}", middle_first=True)
        return body, read_bytes

    def remote_tag(v: SSAValue, pe: Coord) -> int | None:
        return tag_of.get((v, pe))

    blocks: list[tuple[int, BlockPlan]] = []
    for src in sources:
        if src.memory is None:  # type: ignore[attr-defined]
            continue
        body, nbytes = source_body(src)
        pre = [("recv", t) for t in control_recvs.get(src, [])]
        b = batch_of(src)
        blocks.append((order[src], BlockPlan(_name(src), _pe(src), loop(b, pre + body), mem_read_bytes=nbytes * b,
                                             layer=_name(layer_of(src)))))

    groups: dict[Operation, list[Operation]] = defaultdict(list)
    for w in workers:
        groups[find(w)].append(w)
    for lead, members in groups.items():
        pe = _pe(lead)
        name = _name(lead)
        if len(members) > 1:
            prefix = name[: name.rfind(".") + 1]
            name += "".join("+" + (_name(m).removeprefix(prefix))
                            for m in members[1:])
        iters = _int(lead.iterations)  # type: ignore[attr-defined]
        start: list[tuple[int, list[Instr]]] = []
        end: list[tuple[int, list[Instr]]] = []
        seen_inputs: set[SSAValue] = set()
        cyc_total = 0
        for w in members:
            if _int(w.iterations) != iters:  # type: ignore[attr-defined]
                raise FocusError(f"lower-to-pe-isa: workers @{_name(lead)} and @{_name(w)} share a stream on "
                                 f"<{pe[0]}, {pe[1]}> but run {iters} and {_int(w.iterations)} iterations")  # type: ignore
            for v in w.inputs:  # type: ignore[attr-defined]
                t = remote_tag(v, pe)
                if t is not None and v not in seen_inputs:
                    seen_inputs.add(v)
                    start.append((_stream(v).transfers.data, [("recv", t)]))
            for r in w.results:
                tags = tags_of_stream.get(r, [])
                if tags:
                    end.append((_stream(r).transfers.data, [("send", t) for t in tags]))
            cyc = _int(w.cycles)  # type: ignore[attr-defined]
            if cyc <= 0:
                cyc = math.ceil(_int(w.macs) / iters / macs_per_cycle)  # type: ignore[attr-defined]
            cyc_total += cyc
        middle = [("compute", cyc_total)] if cyc_total > 0 else []
        body = periodic(iters, start, middle, end, what=f"lower-to-pe-isa: '{lead.name}' @{name}")
        buffer = sum(_int(w.buffer) for w in members)  # type: ignore[attr-defined]
        blocks.append((order[lead], BlockPlan(name, pe, loop(batch_of(lead), body), buffer=buffer,
                                              layer=_name(layer_of(lead)))))

    for sk in sinks:
        pe = _pe(sk)
        name = _name(sk)
        out_t = sk.out.type  # type: ignore[attr-defined]
        words = math.prod(out_t.get_shape()) if isinstance(out_t, TensorType) else 0
        received_words = sum(_stream(v).words.data * _stream(v).transfers.data
                             for v in sk.inputs)  # type: ignore[attr-defined]
        reducing = sk.reduce is not None and len(sk.inputs) > 1  # type: ignore[attr-defined]
        writeback = sk.writeback is not None  # type: ignore[attr-defined]
        if writeback and pe not in memory:
            raise FocusError(f"lower-to-pe-isa: sink @{name} writes its output back to memory but "
                             f"<{pe[0]}, {pe[1]}> is not a memory PE of the device")
        # without a reduction the workers' output tiles partition the tensor: write each tile back as it
        # arrives, so the write-back overlaps the layer instead of following it
        streaming = writeback and not reducing and received_words == words
        start = []
        write = 0
        for v in sk.inputs:  # type: ignore[attr-defined]
            st = _stream(v)
            t = remote_tag(v, pe)
            tile: list[Instr] = [("recv", t)] if t is not None else []
            if streaming:
                nbytes = _bits_to_bytes(st.words.data * word_bits)
                tile.append(("mem_write", nbytes))
                write += nbytes * st.transfers.data
            if tile:
                start.append((st.transfers.data, tile))
        body: list[Instr] = []
        if start:
            span = reduce(math.lcm, [t for t, _ in start])
            if span <= MAX_UNROLLED_PERIOD * 16:
                body = periodic(span, start, [], [], what=f"lower-to-pe-isa: '{sk.name}' @{name}")
            else:  # transfer counts without a small common multiple: one stream after the other
                for t, instrs in start:
                    body += loop(t, instrs)
        if reducing:
            adds = max(0, received_words - words)
            cyc = math.ceil(adds / macs_per_cycle)
            if cyc > 0:
                body.append(("compute", cyc))
        if writeback and not streaming:
            write = _bits_to_bytes(words * word_bits)
            if write > 0:
                body.append(("mem_write", write))
        body += [("send", t) for t in control_sends.get(sk, [])]
        read = 0
        for src in followers.get(sk, []):
            sbody, nbytes = source_body(src)
            body += sbody
            read += nbytes
        b = batch_of(sk)
        blocks.append((order[sk], BlockPlan(name, pe, loop(b, body), mem_read_bytes=read * b,
                                            mem_write_bytes=write * b, layer=_name(layer_of(sk)))))

    blocks.sort(key=lambda x: x[0])
    plan.blocks = [b for _, b in blocks if b.body]
    return plan


# ---- IR construction ----------------------------------------------------------------------------------
class _Attrs:
    """Shared immutable attributes (building an IntegerAttr costs ~40 us; lowered modules reuse few values)."""

    def __init__(self) -> None:
        self._ints: dict[int, IntegerAttr] = {}
        self._strs: dict[str, StringAttr] = {}
        self._pes: dict[Coord, PEAttr] = {}

    def i64(self, v: int) -> IntegerAttr:
        a = self._ints.get(v)
        if a is None:
            a = self._ints[v] = IntegerAttr(v, 64)
        return a

    def str(self, v: str) -> StringAttr:
        a = self._strs.get(v)
        if a is None:
            a = self._strs[v] = StringAttr(v)
        return a

    def pe(self, v: Coord) -> PEAttr:
        a = self._pes.get(v)
        if a is None:
            a = self._pes[v] = PEAttr(*v)
        return a


_LEAF_OPS = {"send": (pe_isa.SendOp, "tag"), "recv": (pe_isa.RecvOp, "tag"),
             "compute": (pe_isa.ComputeOp, "cycles"), "mem_read": (pe_isa.MemReadOp, "bytes"),
             "mem_write": (pe_isa.MemWriteOp, "bytes")}


def instrs_to_ops(instrs: list[Instr], attrs: _Attrs | None = None) -> list[Operation]:
    attrs = attrs or _Attrs()
    ops: list[Operation] = []
    for ins in instrs:
        kind = ins[0]
        if kind == "loop":
            body = Region(Block(instrs_to_ops(ins[2], attrs)))
            ops.append(pe_isa.LoopOp.create(properties={"count": attrs.i64(ins[1])}, regions=[body]))
        else:
            cls, prop = _LEAF_OPS[kind]
            ops.append(cls.create(properties={prop: attrs.i64(ins[1])}))
    return ops


def build_ops(plan: LoweringPlan, width: int) -> list[Operation]:
    """pe_isa.message ops (by tag) and pe_isa.program ops (by PE linear id)."""
    attrs = _Attrs()
    out: list[Operation] = []
    for mp in sorted(plan.messages, key=lambda m: m.tag):
        props = {"tag": attrs.i64(mp.tag), "src": attrs.pe(mp.src),
                 "dsts": PEListAttr.new([ArrayAttr([attrs.pe(d) for d in mp.dsts])]),
                 "flits": attrs.i64(mp.flits), "vc": attrs.i64(mp.vc), "mode": attrs.str(mp.mode),
                 "route": mp.route, "label": attrs.str(mp.label)}
        extra: dict[str, Attribute] = {}
        if mp.packet_bits:
            extra["bytes"] = attrs.i64(_bits_to_bytes(mp.packet_bits))
        else:
            extra["control"] = UnitAttr()
        if mp.priority:
            extra["priority"] = attrs.i64(mp.priority)
        if mp.layer:
            extra["layer"] = attrs.str(mp.layer)
        out.append(pe_isa.MessageOp.create(properties=props, attributes=extra))
    by_pe: dict[Coord, list[BlockPlan]] = defaultdict(list)
    for b in plan.blocks:
        by_pe[b.pe].append(b)
    for pe in sorted(by_pe, key=lambda p: (p[1] * width + p[0])):
        blocks = []
        for b in by_pe[pe]:
            extra = {}
            if b.buffer is not None:
                extra["buffer"] = attrs.i64(b.buffer)
            if b.layer:
                extra["layer"] = attrs.str(b.layer)
            blocks.append(pe_isa.BlockOp.create(properties={"block_name": attrs.str(b.name)}, attributes=extra,
                                                regions=[Region(Block(instrs_to_ops(b.body, attrs)))]))
        out.append(pe_isa.ProgramOp.create(properties={"pe": attrs.pe(pe)}, regions=[Region(Block(blocks))]))
    return out


def self_check(module: ModuleOp, plan: LoweringPlan, word_bits: int) -> None:
    """Raise FocusError unless the programs match and move exactly the planned bytes."""
    from passes.pe_isa_check import check_module, count_module

    errors = check_module(module)
    counts = count_module(module)
    for mp in plan.messages:
        want = mp.packets * mp.batches
        got = counts.sends.get(mp.tag, {}).get(mp.src, 0)
        if got != want:
            errors.append(f"tag {mp.tag} ({mp.label}): {got} sends on <{mp.src[0]}, {mp.src[1]}>, expected {want}")
        for d in mp.dsts:
            n = counts.recvs.get(mp.tag, {}).get(d, 0)
            if n != want:
                errors.append(f"tag {mp.tag} ({mp.label}): <{d[0]}, {d[1]}> receives {n * mp.packet_bits} bits in "
                              f"{n} packets, the stream carries {want * mp.packet_bits} bits in {want}")
    for b in plan.blocks:
        got_r = counts.mem_read.get((b.pe, b.name), 0)
        got_w = counts.mem_write.get((b.pe, b.name), 0)
        if got_r != b.mem_read_bytes or got_w != b.mem_write_bytes:
            errors.append(f"block {b.name}: reads {got_r} and writes {got_w} bytes, the streams need "
                          f"{b.mem_read_bytes} and {b.mem_write_bytes}")
    if errors:
        raise FocusError("lower-to-pe-isa: self-check failed: " + errors[0]
                         + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""))


def lower_module(module: ModuleOp, check: bool = True) -> LoweringPlan:
    """Replace the placed/routed ops of `module` by pe_isa messages and programs."""
    dev = find_device(module)
    plan = plan_lowering(module)
    assert isinstance(dev, DeviceOp)
    width, _ = dev.mesh
    new_ops = build_ops(plan, width)
    old = [op for op in module.ops
           if isinstance(op, (placed_subop.LayerOp, placed_subop.SourceOp, placed_subop.WorkerOp,
                              placed_subop.SinkOp, routed_message.MessageOp))]
    for op in reversed(old):
        op.detach()
        op.erase(safe_erase=False)
    module.body.block.add_ops(new_ops)
    if check:
        self_check(module, plan, _int(dev.word_bits))
    return plan


@dataclass(frozen=True)
class LowerToPeIsaPass(ModulePass):
    """routed_message -> pe_isa: one program per PE, concurrent blocks, counted loops."""

    name = "lower-to-pe-isa"

    check: bool = True

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        lower_module(op, check=self.check)

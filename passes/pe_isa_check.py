"""`pe-isa-check`: every send has exactly one matching recv per destination (same tag, size and count).

Counts are static: loop counts are multiplied out. Checked, one line per error:
* message table: unique tags, a route that reaches every destination;
* every `send tag T` sits on the source PE of message T, every `recv tag T` on a destination its route
  reaches; an unknown tag is an error;
* per tag, the sends at the source equal the recvs at every destination (an unmatched send or recv);
* sizes: an optional `flits` attribute on a send or recv must equal the message's flits, and a message's
  optional payload `bytes` must fit in its flits.
Usable on hand-written programs. `check_module` returns the error lines; the pass raises `FocusError`
with them (focus-opt exits 2).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass

from focus_dialects import pe_isa
from focus_dialects.chip import find_device
from focus_tools.errors import FocusError

Coord = tuple[int, int]
MAX_LINES = 50


def fmt(pe: Coord) -> str:
    return f"<{pe[0]}, {pe[1]}>"


@dataclass
class Counts:
    """Static instruction counts of a pe_isa module (loops multiplied out)."""

    sends: dict[int, dict[Coord, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    recvs: dict[int, dict[Coord, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    mem_read: dict[tuple[Coord, str], int] = field(default_factory=lambda: defaultdict(int))
    mem_write: dict[tuple[Coord, str], int] = field(default_factory=lambda: defaultdict(int))
    compute: dict[Coord, int] = field(default_factory=lambda: defaultdict(int))
    ops: int = 0


def _walk(ops, mult: int, pe: Coord, block: str, counts: Counts, visit) -> None:
    for op in ops:
        counts.ops += 1
        if isinstance(op, pe_isa.LoopOp):
            _walk(op.body.block.ops, mult * op.count.value.data, pe, block, counts, visit)
        elif isinstance(op, pe_isa.SendOp):
            counts.sends[op.tag.value.data][pe] += mult
            if visit:
                visit(op, pe, block)
        elif isinstance(op, pe_isa.RecvOp):
            counts.recvs[op.tag.value.data][pe] += mult
            if visit:
                visit(op, pe, block)
        elif isinstance(op, pe_isa.ComputeOp):
            counts.compute[pe] += mult * op.cycles.value.data
        elif isinstance(op, pe_isa.MemReadOp):
            counts.mem_read[(pe, block)] += mult * op.bytes.value.data
        elif isinstance(op, pe_isa.MemWriteOp):
            counts.mem_write[(pe, block)] += mult * op.bytes.value.data


def count_module(module: ModuleOp, visit=None) -> Counts:
    """Static counts per tag and PE; `visit(op, pe, block_name)` is called once per send/recv op."""
    counts = Counts()
    for prog in module.ops:
        if isinstance(prog, pe_isa.ProgramOp):
            counts.ops += 1
            pe = prog.pe.xy
            for blk in prog.body.block.ops:
                counts.ops += 1
                if isinstance(blk, pe_isa.BlockOp):
                    _walk(blk.body.block.ops, 1, pe, blk.block_name.data, counts, visit)
        elif isinstance(prog, pe_isa.MessageOp):
            counts.ops += 1
    return counts


def _route_nodes(msg: pe_isa.MessageOp) -> tuple[set[Coord], str | None]:
    """PEs the route tree reaches from the source (and a problem with the tree, if any)."""
    children: dict[Coord, list[Coord]] = defaultdict(list)
    for a, b in msg.route.links:
        children[a].append(b)
    src = msg.src.xy
    seen = {src}
    stack = [src]
    while stack:
        n = stack.pop()
        for c in children.get(n, ()):
            if c not in seen:
                seen.add(c)
                stack.append(c)
    problem = None
    heads = {a for a, _ in msg.route.links}
    stray = sorted(heads - seen)
    if stray:
        problem = f"route link from {fmt(stray[0])} is not connected to the source {fmt(src)}"
    seen.discard(src)
    return seen, problem


def check_module(module: ModuleOp) -> list[str]:
    """All pe_isa consistency errors of `module`, one line each (empty list = consistent)."""
    errors: list[str] = []
    messages: dict[int, pe_isa.MessageOp] = {}
    reached: dict[int, set[Coord]] = {}
    for op in module.ops:
        if not isinstance(op, pe_isa.MessageOp):
            continue
        tag = op.tag.value.data
        if tag in messages:
            errors.append(f"message tag {tag} is defined twice")
            continue
        messages[tag] = op
        nodes, problem = _route_nodes(op)
        reached[tag] = nodes
        label = _label(op)
        if problem:
            errors.append(f"message tag {tag}{label}: {problem}")
        for d in op.dsts.coords:
            if d not in nodes:
                errors.append(f"message tag {tag}{label}: the route does not reach destination {fmt(d)}")
        nbytes = op.attributes.get("bytes")
        dev = find_device(module)
        if isinstance(nbytes, IntegerAttr) and dev is not None:
            cap = op.flits.value.data * dev.flit_bits.value.data
            if nbytes.value.data * 8 > cap:
                errors.append(f"message tag {tag}{label}: {nbytes.value.data} bytes per packet do not fit in "
                              f"{op.flits.value.data} flits of {dev.flit_bits.value.data} bits")

    seen_pes: dict[Coord, int] = {}
    for op in module.ops:
        if isinstance(op, pe_isa.ProgramOp):
            pe = op.pe.xy
            if pe in seen_pes:
                errors.append(f"two pe_isa.program ops on {fmt(pe)}")
            seen_pes[pe] = 1

    reported: set[tuple] = set()

    def visit(op: Operation, pe: Coord, block: str) -> None:
        tag = op.tag.value.data  # type: ignore[attr-defined]
        kind = "send" if isinstance(op, pe_isa.SendOp) else "recv"
        where = f"{kind} tag {tag} on {fmt(pe)} (block \"{block}\")"
        msg = messages.get(tag)
        if msg is None:
            key = (kind, tag, pe, "unknown")
            if key not in reported:
                reported.add(key)
                errors.append(f"{where}: no pe_isa.message has tag {tag}")
            return
        label = _label(msg)
        if kind == "send" and pe != msg.src.xy:
            key = (kind, tag, pe, "src")
            if key not in reported:
                reported.add(key)
                errors.append(f"{where}: message tag {tag}{label} is sent from {fmt(msg.src.xy)}")
        if kind == "recv" and pe not in msg.dsts.coords:
            key = (kind, tag, pe, "dst")
            if key not in reported:
                reported.add(key)
                dsts = ", ".join(fmt(d) for d in msg.dsts.coords)
                if pe in reached.get(tag, set()):
                    errors.append(f"{where}: the route of tag {tag}{label} passes {fmt(pe)} but delivers only "
                                  f"to {dsts}")
                else:
                    errors.append(f"{where}: no route of tag {tag}{label} reaches {fmt(pe)} (destinations {dsts})")
        size = op.attributes.get("flits")
        if isinstance(size, IntegerAttr) and size.value.data != msg.flits.value.data:
            key = (kind, tag, pe, "size", size.value.data)
            if key not in reported:
                reported.add(key)
                errors.append(f"{where}: size mismatch, {size.value.data} flits but message tag {tag}{label} "
                              f"carries {msg.flits.value.data}")

    counts = count_module(module, visit)
    for tag in sorted(messages):
        msg = messages[tag]
        label = _label(msg)
        src = msg.src.xy
        n_send = counts.sends.get(tag, {}).get(src, 0)
        for d in msg.dsts.coords:
            n_recv = counts.recvs.get(tag, {}).get(d, 0)
            if n_recv < n_send:
                errors.append(f"tag {tag}{label}: unmatched send, {n_send} sends on {fmt(src)} but {n_recv} recvs "
                              f"on {fmt(d)}")
            elif n_recv > n_send:
                errors.append(f"tag {tag}{label}: unmatched recv, {n_recv} recvs on {fmt(d)} but {n_send} sends "
                              f"on {fmt(src)}")
    return errors


def _label(msg: pe_isa.MessageOp) -> str:
    return f" ({msg.label.data})" if msg.label is not None else ""


def format_errors(errors: list[str], prefix: str = "pe-isa-check") -> str:
    lines = [f"{prefix}: {e}" for e in errors[:MAX_LINES]]
    if len(errors) > MAX_LINES:
        lines.append(f"{prefix}: ... and {len(errors) - MAX_LINES} more errors")
    return "\n".join(lines)


@dataclass(frozen=True)
class PeIsaCheckPass(ModulePass):
    """Check that sends and recvs of a pe_isa module match (tag, size, count, source and destinations)."""

    name = "pe-isa-check"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        errors = check_module(op)
        if errors:
            raise FocusError(format_errors(errors))

"""focus-opt targets for pe_isa modules: `pe-asm` (listing), `pe-packed` (.npz), `spatial-sim` (task directory).

`pe-asm` writes text to focus-opt's output. `pe-packed` and `spatial-sim` write files: the path comes from
the target option `out` (`-t 'pe-packed{out="prog.npz"}'`, `-t 'spatial-sim{out="DIR"}'`) or, when focus-opt
forwards `-o` to path targets (`emit_path`), from `-o`. They print a one-line summary to the output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, ClassVar

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, StringAttr, UnitAttr
from xdsl.utils.target import Target

from focus_dialects import pe_isa
from focus_dialects.chip import find_device
from focus_tools.errors import FocusError


def _fmt(pe: tuple[int, int]) -> str:
    return f"<{pe[0]}, {pe[1]}>"


def _route_text(links) -> str:
    return " ".join(f"{_fmt(a)}->{_fmt(b)}" for a, b in links)


def _attrs_text(attrs: dict) -> str:
    parts = []
    for k in sorted(attrs):
        v = attrs[k]
        if isinstance(v, IntegerAttr):
            parts.append(f"{k} {v.value.data}")
        elif isinstance(v, StringAttr):
            parts.append(f"{k} {v.data}")
        elif isinstance(v, UnitAttr):
            parts.append(k)
        else:
            parts.append(f"{k} {v}")
    return ", ".join(parts)


def pe_asm_listing(module: ModuleOp) -> str:
    """A readable listing: the message table, then one section per PE (blocks, indented loop bodies)."""
    dev = find_device(module)
    if dev is None:
        raise FocusError("pe-asm: the module has no chip.device op")
    width, height = dev.mesh
    memory = set(dev.memory)
    messages = sorted((op for op in module.ops if isinstance(op, pe_isa.MessageOp)), key=lambda m: m.tag.value.data)
    programs = sorted((op for op in module.ops if isinstance(op, pe_isa.ProgramOp)),
                      key=lambda p: p.pe.xy[1] * width + p.pe.xy[0])
    lines: list[str] = []
    counts = {"ops": 0}

    def body(ops, depth: int) -> None:
        pad = "  " * depth
        for op in ops:
            counts["ops"] += 1
            if isinstance(op, pe_isa.LoopOp):
                lines.append(f"{pad}loop {op.count.value.data}")
                body(op.body.block.ops, depth + 1)
            elif isinstance(op, pe_isa.SendOp):
                lines.append(f"{pad}send {op.tag.value.data}")
            elif isinstance(op, pe_isa.RecvOp):
                lines.append(f"{pad}recv {op.tag.value.data}")
            elif isinstance(op, pe_isa.ComputeOp):
                lines.append(f"{pad}compute {op.cycles.value.data}")
            elif isinstance(op, pe_isa.MemReadOp):
                lines.append(f"{pad}mem_read {op.bytes.value.data}")
            elif isinstance(op, pe_isa.MemWriteOp):
                lines.append(f"{pad}mem_write {op.bytes.value.data}")
            else:
                lines.append(f"{pad}{op.name}")

    lines.append("messages:")
    for m in messages:
        dsts = " ".join(_fmt(d) for d in m.dsts.coords)
        label = f"  {m.label.data}" if m.label is not None else ""
        extra = _attrs_text(dict(m.attributes))
        extra = f"  ({extra})" if extra else ""
        lines.append(f"  tag {m.tag.value.data}  {_fmt(m.src.xy)} -> {dsts}  flits {m.flits.value.data}  "
                     f"vc {m.vc.value.data}  {m.mode.data}{label}{extra}")
        lines.append(f"    route {_route_text(m.route.links)}")
    for p in programs:
        x, y = p.pe.xy
        kind = ", memory" if (x, y) in memory else ""
        lines.append("")
        lines.append(f"pe {_fmt((x, y))} (id {y * width + x}{kind}):")
        for b in p.body.block.ops:
            assert isinstance(b, pe_isa.BlockOp)
            extra = _attrs_text(dict(b.attributes))
            lines.append(f"  block {b.block_name.data}" + (f"  ({extra})" if extra else ""))
            body(b.body.block.ops, 2)
    head = (f"; pe-asm: device {dev.sym_name.data}, mesh {width} x {height}, memory "
            f"{' '.join(_fmt(m) for m in dev.memory)}; {len(messages)} messages, {len(programs)} programs, "
            f"{sum(len(list(p.body.block.ops)) for p in programs)} blocks, {counts['ops']} instructions")
    return "\n".join([head] + lines) + "\n"


@dataclass(frozen=True)
class PeAsmTarget(Target):
    """`-t pe-asm`: the per-PE programs as a readable listing."""

    name = "pe-asm"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        output.write(pe_asm_listing(module))


class _PathTarget(Target):
    """A target writing files: `emit_path` does the work; `emit` needs the `out` option."""

    what: ClassVar[str] = "file"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        out = getattr(self, "out", "")
        if not out:
            raise FocusError(f"{self.name}: writes a {self.what}; give it as -t '{self.name}{{out=\"PATH\"}}' "
                             f"(or -o PATH when focus-opt forwards -o to path targets)")
        output.write(self.emit_path(ctx, module, out))

    def emit_path(self, ctx: Context, module: ModuleOp, path: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class PePackedTarget(_PathTarget):
    """`-t pe-packed`: the packed struct-of-arrays program (`backend_sim.program.PackedProgram`) as .npz."""

    name = "pe-packed"
    what = ".npz file"
    out: str = ""

    def emit_path(self, ctx: Context, module: ModuleOp, path: str) -> str:
        from backend_sim.lower_packed import pack_module

        prog = pack_module(module)
        try:
            prog.save(path)
        except OSError as exc:
            raise FocusError(f"pe-packed: cannot write {path} ({exc.strerror}), expected a writable file path") from None
        return (f"pe-packed: wrote {path}: {prog.num_blocks} blocks, {len(prog.instr_op)} instructions, "
                f"{prog.num_messages} messages\n")


@dataclass(frozen=True)
class SpatialSimTarget(_PathTarget):
    """`-t spatial-sim`: the original spatial_sim task directory (c<N>.inst, routing_board, task_spec)."""

    name = "spatial-sim"
    what = "task directory"
    out: str = ""
    channel_width: int = 128

    def emit_path(self, ctx: Context, module: ModuleOp, path: str) -> str:
        from backend_sim.spatial_sim_export import export_spatial_sim

        info = export_spatial_sim(module, path, channel_width=self.channel_width)
        return (f"spatial-sim: wrote {path}: {info['cores']} core files, {info['instructions']} instructions, "
                f"{info['packets']} packets\n")

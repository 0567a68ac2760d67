"""pe_isa module -> `backend_sim.program.PackedProgram` (the struct-of-arrays program the simulator loads).

Messages are numbered by ascending tag (tags that skip numbers are compacted); blocks keep module order.
Loops stay loops (OP_LOOP_BEGIN/OP_LOOP_END), so the packed size equals the IR size.
"""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp, StringAttr

from focus_dialects import pe_isa
from focus_dialects.chip import find_device
from focus_tools.errors import FocusError


def _layer(op) -> str:
    a = op.attributes.get("layer")
    return a.data if isinstance(a, StringAttr) else ""


def pack_module(module: ModuleOp):
    """The packed program of a pe_isa module (validated by `PackedProgram.validate`)."""
    from backend_sim.program import ProgramBuilder

    dev = find_device(module)
    if dev is None:
        raise FocusError("pe-packed: the module has no chip.device op")
    width, height = dev.mesh
    builder = ProgramBuilder(width, height, dev.memory)
    messages = sorted((op for op in module.ops if isinstance(op, pe_isa.MessageOp)), key=lambda m: m.tag.value.data)
    index: dict[int, int] = {}
    for m in messages:
        tag = m.tag.value.data
        if tag in index:
            raise FocusError(f"pe-packed: message tag {tag} is defined twice")
        mode = m.mode.data
        index[tag] = builder.add_message(
            m.src.xy, m.dsts.coords, m.flits.value.data,
            tree_edges=m.route.links if mode == "tree" else None,
            name=m.label.data if m.label is not None else f"tag{tag}",
            layer=_layer(m), mode=mode, vc=m.vc.value.data)

    def emit(blk, ops, where: str) -> None:
        for op in ops:
            if isinstance(op, pe_isa.LoopOp):
                with blk.loop(op.count.value.data):
                    emit(blk, op.body.block.ops, where)
            elif isinstance(op, (pe_isa.SendOp, pe_isa.RecvOp)):
                tag = op.tag.value.data
                if tag not in index:
                    raise FocusError(f"pe-packed: {op.name} tag {tag} in {where}: no pe_isa.message has this tag")
                (blk.send if isinstance(op, pe_isa.SendOp) else blk.recv)(index[tag])
            elif isinstance(op, pe_isa.ComputeOp):
                blk.compute(op.cycles.value.data)
            elif isinstance(op, pe_isa.MemReadOp):
                blk.mem_read(op.bytes.value.data)
            elif isinstance(op, pe_isa.MemWriteOp):
                blk.mem_write(op.bytes.value.data)
            else:
                raise FocusError(f"pe-packed: unexpected op {op.name} in {where}")

    for prog in module.ops:
        if not isinstance(prog, pe_isa.ProgramOp):
            continue
        for b in prog.body.block.ops:
            assert isinstance(b, pe_isa.BlockOp)
            blk = builder.block(prog.pe.xy, b.block_name.data, layer=_layer(b))
            emit(blk, b.body.block.ops, f"block \"{b.block_name.data}\" on {prog.pe}")
    return builder.build()

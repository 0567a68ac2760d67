"""`pe_isa`: per-PE programs (concurrent blocks, counted loops) and the message table.

```
pe_isa.message tag 3 from <0, 0> to [<1, 1>] flits 2 vc 0 mode "tree" route <...>
pe_isa.program on <1, 1> {
  pe_isa.block "conv1.w0" {
    pe_isa.loop count 18 {
      pe_isa.recv tag 3
      pe_isa.compute cycles 100
      pe_isa.send tag 4
    }
  }
}
```
Program size grows with the number of sub-operators, not iterations. Semantics: docs/ir-design.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import I64, IntegerAttr, StringAttr
from xdsl.ir import Block, Dialect, Operation, Region
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    lazy_traits_def,
    opt_prop_def,
    prop_def,
    region_def,
    traits_def,
)
from xdsl.traits import HasParent, NoTerminator
from xdsl.utils.exceptions import VerifyException

from focus_dialects.chip import PEAttr, PEListAttr, RouteAttr, check_pe, find_device
from focus_dialects.subop_common import i64

MODES = ("tree", "copies")


@irdl_op_definition
class MessageOp(IRDLOperation):
    """One entry of the message table: what a `send tag T` injects and where it goes."""

    name = "pe_isa.message"
    tag = prop_def(IntegerAttr[I64])
    src = prop_def(PEAttr)
    dsts = prop_def(PEListAttr)
    flits = prop_def(IntegerAttr[I64])
    vc = prop_def(IntegerAttr[I64])
    mode = prop_def(StringAttr)
    route = prop_def(RouteAttr)
    label = opt_prop_def(StringAttr)
    assembly_format = (
        "`tag` $tag `from` $src `to` $dsts `flits` $flits `vc` $vc `mode` $mode `route` $route "
        "(`label` $label^)? attr-dict"
    )

    def __init__(self, tag: int, src: tuple[int, int], dsts: Sequence[tuple[int, int]], flits: int,
                 route: RouteAttr, *, vc: int = 0, mode: str = "tree", label: str | None = None):
        props = {
            "tag": i64(tag), "src": PEAttr(*src), "dsts": PEListAttr(dsts),
            "flits": i64(flits), "vc": i64(vc), "mode": StringAttr(mode), "route": route,
        }
        if label:
            props["label"] = StringAttr(label)
        super().__init__(properties=props)

    def verify_(self) -> None:
        me = f"'pe_isa.message' tag {self.tag.value.data}"
        if self.tag.value.data < 0:
            raise VerifyException(f"{me} must be >= 0")
        check_pe(self, self.src, "source")
        if not self.dsts.pes.data:
            raise VerifyException(f"{me} has no destination")
        for d in self.dsts.pes.data:
            check_pe(self, d, "destination")
            if d.xy == self.src.xy:
                raise VerifyException(f"{me} sends to its own source PE {d}")
        if self.flits.value.data < 1:
            raise VerifyException(f"{me} flits ({self.flits.value.data}) must be at least 1")
        if self.mode.data not in MODES:
            raise VerifyException(f"{me} mode '{self.mode.data}' is not one of {', '.join(MODES)}")


@irdl_op_definition
class ProgramOp(IRDLOperation):
    """The program of one PE: its blocks run concurrently and share the PE's compute unit."""

    name = "pe_isa.program"
    pe = prop_def(PEAttr)
    body = region_def("single_block")
    traits = traits_def(NoTerminator())
    assembly_format = "`on` $pe attr-dict-with-keyword $body"

    def __init__(self, pe: tuple[int, int], blocks: Sequence[Operation] = ()):
        super().__init__(properties={"pe": PEAttr(*pe)}, regions=[Region(Block(list(blocks)))])

    def verify_(self) -> None:
        check_pe(self, self.pe)
        for op in self.body.block.ops:
            if not isinstance(op, BlockOp):
                raise VerifyException(f"'pe_isa.program' on {self.pe} may only hold pe_isa.block ops, found {op.name}")


@irdl_op_definition
class BlockOp(IRDLOperation):
    """A sequential instruction stream; blocks of one program run concurrently."""

    name = "pe_isa.block"
    block_name = prop_def(StringAttr)
    body = region_def("single_block")
    traits = lazy_traits_def(lambda: (NoTerminator(), HasParent(ProgramOp)))
    assembly_format = "$block_name attr-dict-with-keyword $body"

    def __init__(self, name: str, ops: Sequence[Operation] = ()):
        super().__init__(properties={"block_name": StringAttr(name)}, regions=[Region(Block(list(ops)))])


def _in_block(op: Operation) -> None:
    p = op.parent_op()
    if not isinstance(p, (BlockOp, LoopOp)):
        raise VerifyException(f"'{op.name}' must be inside a pe_isa.block or pe_isa.loop")


@irdl_op_definition
class LoopOp(IRDLOperation):
    """`pe_isa.loop count N { ... }`: the body N times."""

    name = "pe_isa.loop"
    count = prop_def(IntegerAttr[I64])
    body = region_def("single_block")
    traits = traits_def(NoTerminator())
    assembly_format = "`count` $count attr-dict-with-keyword $body"

    def __init__(self, count: int, ops: Sequence[Operation] = ()):
        super().__init__(properties={"count": i64(count)}, regions=[Region(Block(list(ops)))])

    def verify_(self) -> None:
        _in_block(self)
        if self.count.value.data < 1:
            raise VerifyException(f"'pe_isa.loop' count ({self.count.value.data}) must be at least 1")


class _TagOp(IRDLOperation):
    tag = prop_def(IntegerAttr[I64])
    assembly_format = "`tag` $tag attr-dict"

    def __init__(self, tag: int):
        super().__init__(properties={"tag": i64(tag)})

    def verify_(self) -> None:
        _in_block(self)
        if self.tag.value.data < 0:
            raise VerifyException(f"'{self.name}' tag ({self.tag.value.data}) must be >= 0")


@irdl_op_definition
class SendOp(_TagOp):
    """Inject one packet of message `tag` (stalls while the injection queue is full)."""

    name = "pe_isa.send"


@irdl_op_definition
class RecvOp(_TagOp):
    """Wait for, and consume, one delivered packet of message `tag`."""

    name = "pe_isa.recv"


@irdl_op_definition
class ComputeOp(IRDLOperation):
    """Occupy the PE's compute unit for `cycles` cycles."""

    name = "pe_isa.compute"
    cycles = prop_def(IntegerAttr[I64])
    assembly_format = "`cycles` $cycles attr-dict"

    def __init__(self, cycles: int):
        super().__init__(properties={"cycles": i64(cycles)})

    def verify_(self) -> None:
        _in_block(self)
        if self.cycles.value.data < 0:
            raise VerifyException(f"'pe_isa.compute' cycles ({self.cycles.value.data}) must be >= 0")


class _MemOp(IRDLOperation):
    bytes = prop_def(IntegerAttr[I64])
    assembly_format = "`bytes` $bytes attr-dict"

    def __init__(self, nbytes: int):
        super().__init__(properties={"bytes": i64(nbytes)})

    def verify_(self) -> None:
        _in_block(self)
        if self.bytes.value.data < 1:
            raise VerifyException(f"'{self.name}' bytes ({self.bytes.value.data}) must be at least 1")
        prog = self.parent_op()
        while prog is not None and not isinstance(prog, ProgramOp):
            prog = prog.parent_op()
        dev = find_device(self)
        if prog is not None and dev is not None and prog.pe.xy not in dev.memory:
            raise VerifyException(f"'{self.name}' on {prog.pe}, which is not a memory PE of the device")


@irdl_op_definition
class MemReadOp(_MemOp):
    """Read `bytes` from off-chip memory through this memory PE's DRAM channel."""

    name = "pe_isa.mem_read"


@irdl_op_definition
class MemWriteOp(_MemOp):
    """Write `bytes` to off-chip memory through this memory PE's DRAM channel."""

    name = "pe_isa.mem_write"


PeIsa = Dialect(
    "pe_isa",
    [MessageOp, ProgramOp, BlockOp, LoopOp, SendOp, RecvOp, ComputeOp, MemReadOp, MemWriteOp],
    [],
)

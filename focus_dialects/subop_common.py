"""Op definitions shared by `tiled_subop` and `placed_subop` (the placed ops add `on #chip.pe<x, y>`).

A layer becomes memory/producer *sources*, K *workers* and a *sink*; SSA values between them are streams
(`!tiled_subop.stream<"space", words per transfer, transfers>`); a stream with several users is a multicast.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    I64,
    IntAttr,
    IntegerAttr,
    StringAttr,
    SymbolNameConstraint,
    SymbolRefAttr,
    TensorType,
    UnitAttr,
)
from xdsl.ir import Attribute, Operation, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.traits import SymbolOpInterface
from xdsl.utils.exceptions import VerifyException

from focus_dialects.chip import PEAttr, check_pe, find_device


@irdl_attr_definition
class StreamType(ParametrizedAttribute, TypeAttribute):
    """`!tiled_subop.stream<"Weights", 1152, 18>`: words per transfer and transfers (per batch)."""

    name = "tiled_subop.stream"
    space: StringAttr
    words: IntAttr
    transfers: IntAttr

    def __init__(self, space: str, words: int, transfers: int):
        super().__init__(StringAttr(space), IntAttr(words), IntAttr(transfers))

    def verify(self) -> None:
        if self.words.data < 1 or self.transfers.data < 1:
            raise VerifyException(
                f"'tiled_subop.stream' needs words >= 1 and transfers >= 1, got {self.words.data} and "
                f"{self.transfers.data}"
            )

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            space = parser.parse_str_literal("data space name")
            parser.parse_punctuation(",")
            words = parser.parse_integer(allow_boolean=False)
            parser.parse_punctuation(",")
            transfers = parser.parse_integer(allow_boolean=False)
        return (StringAttr(space), IntAttr(words), IntAttr(transfers))

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string("<")
        printer.print_string_literal(self.space.data)
        printer.print_string(f", {self.words.data}, {self.transfers.data}>")


def i64(v: int) -> IntegerAttr:
    return IntegerAttr(v, 64)


def _me(op: Operation) -> str:
    return f"'{op.name}' @{op.sym_name.data}"  # type: ignore[attr-defined]


def _check_positive(op: Operation, **fields: int) -> None:
    for k, v in fields.items():
        if v < 1:
            raise VerifyException(f"{_me(op)} {k} ({v}) must be at least 1")


def _check_placed(op: Operation, memory: bool) -> None:
    pe = op.pe  # type: ignore[attr-defined]
    dev = check_pe(op, pe)
    if memory and dev is not None and pe.xy not in dev.memory:
        raise VerifyException(f"{_me(op)} reads off-chip memory but {pe} is not a memory PE of the device")


def make_subop_ops(dialect: str, placed: bool) -> list[type[IRDLOperation]]:
    """Define the layer/source/worker/sink ops of `dialect` (placed ops carry a PE)."""
    on = " `on` $pe" if placed else ""

    class _Layer(IRDLOperation):
        name = f"{dialect}.layer"
        sym_name = prop_def(SymbolNameConstraint())
        kind = prop_def(StringAttr)
        model = prop_def(StringAttr)
        workers = prop_def(IntegerAttr[I64])
        cycles = prop_def(IntegerAttr[I64])
        macs = prop_def(IntegerAttr[I64])
        batch = prop_def(IntegerAttr[I64])
        mapping = opt_prop_def(StringAttr)
        traits = traits_def(SymbolOpInterface())
        irdl_options = (ParsePropInAttrDict(),)
        assembly_format = (
            "$sym_name `kind` $kind `model` $model `workers` $workers `cycles` $cycles `macs` $macs "
            "`batch` $batch attr-dict"
        )

        def verify_(self) -> None:
            _check_positive(self, workers=self.workers.value.data, batch=self.batch.value.data)
            if self.cycles.value.data < 0 or self.macs.value.data < 0:
                raise VerifyException(f"{_me(self)} cycles and macs must be >= 0")

    class _Source(IRDLOperation):
        name = f"{dialect}.source"
        sym_name = prop_def(SymbolNameConstraint())
        layer = prop_def(SymbolRefAttr)
        space = prop_def(StringAttr)
        iterations = prop_def(IntegerAttr[I64])
        cycles = prop_def(IntegerAttr[I64])
        memory = opt_prop_def(UnitAttr)
        producer = opt_operand_def(TensorType)
        streams = var_result_def(StreamType)
        if placed:
            pe = prop_def(PEAttr)
        traits = traits_def(SymbolOpInterface())
        assembly_format = (
            "$sym_name `layer` $layer `space` $space `iterations` $iterations `cycles` $cycles" + on +
            " (`memory` $memory^)? (`from` $producer^ `:` type($producer))? attr-dict `->` type($streams)"
        )

        def verify_(self) -> None:
            _check_positive(self, iterations=self.iterations.value.data)
            if (self.memory is not None) == (self.producer is not None):
                raise VerifyException(f"{_me(self)} must read either memory or a producer tensor, not both or neither")
            for s in self.streams:
                t = s.type
                assert isinstance(t, StreamType)
                if t.space.data != self.space.data:
                    raise VerifyException(
                        f"{_me(self)} streams space '{self.space.data}' but a result is a '{t.space.data}' stream"
                    )
            if placed:
                _check_placed(self, self.memory is not None)

    class _Worker(IRDLOperation):
        name = f"{dialect}.worker"
        sym_name = prop_def(SymbolNameConstraint())
        layer = prop_def(SymbolRefAttr)
        index = prop_def(IntegerAttr[I64])
        iterations = prop_def(IntegerAttr[I64])
        cycles = prop_def(IntegerAttr[I64])
        macs = prop_def(IntegerAttr[I64])
        buffer = prop_def(IntegerAttr[I64])
        inputs = var_operand_def(StreamType)
        outputs = var_result_def(StreamType)
        if placed:
            pe = prop_def(PEAttr)
        traits = traits_def(SymbolOpInterface())
        assembly_format = (
            "$sym_name `layer` $layer `index` $index `iterations` $iterations `cycles` $cycles `macs` $macs "
            "`buffer` $buffer" + on + " (` ` `(` $inputs^ `:` type($inputs) `)`)? attr-dict `->` type($outputs)"
        )

        def verify_(self) -> None:
            it = self.iterations.value.data
            _check_positive(self, iterations=it)
            if self.index.value.data < 0:
                raise VerifyException(f"{_me(self)} index ({self.index.value.data}) must be >= 0")
            for n, v in enumerate(list(self.inputs) + list(self.outputs)):
                t = v.type
                assert isinstance(t, StreamType)
                tr = t.transfers.data
                if it % tr and tr % it:
                    raise VerifyException(
                        f"{_me(self)} stream {n} has {tr} transfers, which neither divides nor is a multiple "
                        f"of its {it} iterations"
                    )
            if placed:
                _check_placed(self, False)

    class _Sink(IRDLOperation):
        name = f"{dialect}.sink"
        sym_name = prop_def(SymbolNameConstraint())
        layer = prop_def(SymbolRefAttr)
        reduce = opt_prop_def(UnitAttr)
        writeback = opt_prop_def(UnitAttr)
        inputs = var_operand_def(StreamType)
        out = result_def(TensorType)
        if placed:
            pe = prop_def(PEAttr)
        traits = traits_def(SymbolOpInterface())
        assembly_format = (
            "$sym_name `layer` $layer" + on + " (`reduce` $reduce^)? (`writeback` $writeback^)? "
            "` ` `(` $inputs `:` type($inputs) `)` attr-dict `->` type($out)"
        )

        def verify_(self) -> None:
            if not self.inputs:
                raise VerifyException(f"{_me(self)} gathers no streams")
            if placed:
                _check_placed(self, False)

    prefix = "Placed" if placed else "Tiled"
    ops = []
    for cls, suffix in ((_Layer, "LayerOp"), (_Source, "SourceOp"), (_Worker, "WorkerOp"), (_Sink, "SinkOp")):
        cls.__name__ = cls.__qualname__ = prefix + suffix
        ops.append(irdl_op_definition(cls))
    return ops


def layer_ops_by_name(module: Operation, layer_cls: type[IRDLOperation]) -> dict[str, IRDLOperation]:
    return {op.sym_name.data: op for op in module.walk() if isinstance(op, layer_cls)}  # type: ignore


__all__ = ["StreamType", "make_subop_ops", "i64", "find_device"]

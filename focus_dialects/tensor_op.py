"""`tensor_op`: the operator graph of one or more models (layers as Timeloop problems, SSA tensors).

Models run concurrently; dependencies are SSA edges, so a model is a DAG (residual adds are legal).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from xdsl.dialects.builtin import I64, ArrayAttr, IntegerAttr, StringAttr, SymbolNameConstraint, TensorType
from xdsl.ir import Attribute, Dialect, ParametrizedAttribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.traits import SymbolOpInterface
from xdsl.utils.exceptions import VerifyException

from frontend.problem import Problem

LAYER_KINDS = ("conv2d", "depthwise", "matmul", "add", "concat", "pool", "einsum")


@functools.lru_cache(maxsize=4096)
def _parse_problem(text: str) -> Problem:
    return Problem.from_text(text)


@irdl_attr_definition
class ProblemAttr(ParametrizedAttribute):
    """A Timeloop-style problem, `#tensor_op.problem<"C=3 M=64 ... | Weights[C][M] ... Outputs[M][P]*">`.

    Text form: `frontend.problem.Problem.to_text()`; `*` marks the read-write (output) data space.
    """

    name = "tensor_op.problem"
    text: StringAttr

    def __init__(self, problem: Problem | str):
        super().__init__(StringAttr(problem if isinstance(problem, str) else problem.to_text()))

    @property
    def problem(self) -> Problem:
        return _parse_problem(self.text.data)

    def verify(self) -> None:
        try:
            _parse_problem(self.text.data)
        except ValueError as exc:
            raise VerifyException(f"'tensor_op.problem' {exc}") from None

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            text = parser.parse_str_literal("problem text")
        return (StringAttr(text),)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string("<")
        printer.print_string_literal(self.text.data)
        printer.print_string(">")


def _i64(v: int) -> IntegerAttr:
    return IntegerAttr(v, 64)


@irdl_op_definition
class InputOp(IRDLOperation):
    """A model input, held in off-chip memory."""

    name = "tensor_op.input"
    sym_name = prop_def(SymbolNameConstraint())
    model = prop_def(StringAttr)
    out = result_def(TensorType)
    traits = traits_def(SymbolOpInterface())
    assembly_format = "$sym_name `model` $model attr-dict `:` type($out)"

    def __init__(self, name: str, model: str, type: TensorType):
        super().__init__(result_types=[type], properties={"sym_name": StringAttr(name), "model": StringAttr(model)})


@irdl_op_definition
class LayerOp(IRDLOperation):
    """One layer: a Timeloop problem, the data spaces its operands feed, and its core budget."""

    name = "tensor_op.layer"
    sym_name = prop_def(SymbolNameConstraint())
    kind = prop_def(StringAttr)
    model = prop_def(StringAttr)
    cores = prop_def(IntegerAttr[I64])
    problem = prop_def(ProblemAttr)
    bind = prop_def(ArrayAttr[StringAttr])
    inputs = var_operand_def(TensorType)
    out = result_def(TensorType)
    traits = traits_def(SymbolOpInterface())
    assembly_format = (
        "$sym_name `kind` $kind `model` $model `cores` $cores `problem` $problem `bind` $bind "
        "(` ` `(` $inputs^ `)`)? attr-dict `:` functional-type($inputs, $out)"
    )

    def __init__(self, name: str, kind: str, model: str, cores: int, problem: Problem,
                 inputs: Sequence[SSAValue], bind: Sequence[str], out_type: TensorType):
        super().__init__(
            operands=[list(inputs)],
            result_types=[out_type],
            properties={
                "sym_name": StringAttr(name), "kind": StringAttr(kind), "model": StringAttr(model),
                "cores": _i64(cores), "problem": ProblemAttr(problem),
                "bind": ArrayAttr([StringAttr(b) for b in bind]),
            },
        )

    @property
    def layer_problem(self) -> Problem:
        return self.problem.problem

    @property
    def bound_spaces(self) -> list[str]:
        return [b.data for b in self.bind.data]

    def verify_(self) -> None:
        me = f"'tensor_op.layer' @{self.sym_name.data}"
        if self.kind.data not in LAYER_KINDS:
            raise VerifyException(f"{me} kind '{self.kind.data}' is not one of {', '.join(LAYER_KINDS)}")
        if self.cores.value.data < 0:
            raise VerifyException(f"{me} cores ({self.cores.value.data}) must be >= 0 (0 means auto)")
        problem = self.layer_problem
        bind = self.bound_spaces
        if len(bind) != len(self.inputs):
            raise VerifyException(f"{me} has {len(self.inputs)} operands but binds {len(bind)} data spaces")
        names = [ds.name for ds in problem.data_spaces]
        for b in bind:
            if b not in names:
                raise VerifyException(f"{me} binds unknown data space '{b}' (the problem has {', '.join(names)})")
            if problem.space(b).read_write:
                raise VerifyException(f"{me} binds its output data space '{b}' to an operand")
        if len(set(bind)) != len(bind):
            raise VerifyException(f"{me} binds a data space twice: {bind}")
        outs = problem.output_spaces
        if len(outs) != 1:
            raise VerifyException(f"{me} problem must have exactly one read-write data space, has {len(outs)}")
        out_type = self.out.type
        assert isinstance(out_type, TensorType)
        n = 1
        for d in out_type.get_shape():
            n *= d
        want = problem.tensor_size(outs[0].name)
        if n != want:
            raise VerifyException(
                f"{me} result has {n} elements but its output data space {outs[0].name} has {want}"
            )


@irdl_op_definition
class OutputOp(IRDLOperation):
    """A model output: written back to off-chip memory."""

    name = "tensor_op.output"
    value = operand_def(TensorType)
    model = prop_def(StringAttr)
    assembly_format = "$value `model` $model attr-dict `:` type($value)"

    def __init__(self, value: SSAValue, model: str):
        super().__init__(operands=[value], properties={"model": StringAttr(model)})


TensorOp = Dialect("tensor_op", [InputOp, LayerOp, OutputOp], [ProblemAttr])

"""Workload -> `tensor_op` module (one `chip.device`, then per model its inputs, layers and outputs).

The module is verified once, at the end. `module_stats` reads the per-model statistics back from a
module (layer count, MACs of conv/depthwise/matmul/einsum layers, op counts by kind, per-layer dims).
"""

from __future__ import annotations

import io
from typing import IO

from xdsl.dialects.builtin import ArrayAttr, IntegerAttr, IntegerType, ModuleOp, StringAttr, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from focus_dialects.tensor_op import InputOp, LayerOp, OutputOp
from focus_tools.errors import FocusError
from frontend.workload import Workload, layer_stats


def workload_to_module(workload: Workload, verify: bool = True) -> ModuleOp:
    """The `tensor_op` module of a validated workload (models in order, layers in dependency order)."""
    workload.validate()
    elem = IntegerType(workload.device.word_bits)
    ops: list[Operation] = [workload.device.to_op()]
    values: dict[str, SSAValue] = {}
    order = workload.topological_layers()
    outputs = set(workload.output_layers())
    for model in workload.models:
        for t in workload.inputs:
            if t.model == model:
                op = InputOp(t.name, model, TensorType(elem, list(t.shape)))
                values[t.name] = op.out
                ops.append(op)
        model_outs = []
        for layer in order:
            if layer.model != model:
                continue
            operands = [values[p] for p, _ in layer.inputs]
            op = LayerOp(layer.name, layer.kind, model, layer.cores, layer.problem, operands,
                         [s for _, s in layer.inputs], TensorType(elem, list(layer.output_shape)))
            values[layer.name] = op.out
            ops.append(op)
            if layer.name in outputs:
                model_outs.append(op.out)
        ops += [OutputOp(v, model) for v in model_outs]
    module = ModuleOp(ops)
    module.attributes["focus.batch"] = IntegerAttr(workload.batch, 64)
    if workload.timeloop_files:
        module.attributes["focus.timeloop_inputs"] = ArrayAttr([StringAttr(f) for f in workload.timeloop_files])
    if verify:
        try:
            module.verify()
        except VerifyException as exc:  # a frontend bug or an impossible input: still one line
            raise FocusError(f"{workload.source}: the generated module does not verify: "
                             f"{str(exc).splitlines()[0]}") from None
    return module


def module_stats(module: ModuleOp, per_layer: bool = True) -> dict:
    """Per model: layers, MACs (conv/depthwise/matmul/einsum only), op counts by kind, per-layer dims."""
    rows = [(op.model.data, op.sym_name.data, op.kind.data, op.layer_problem)
            for op in module.ops if isinstance(op, LayerOp)]
    return layer_stats(rows, per_layer)


def module_text(module: ModuleOp) -> str:
    out = io.StringIO()
    print_module(module, out)
    return out.getvalue()


def print_module(module: ModuleOp, stream: IO[str]) -> None:
    Printer(stream=stream).print_op(module)
    stream.write("\n")

"""Small ONNX graphs for the tests, built with onnx.helper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def weight(name: str, shape: tuple[int, ...]) -> onnx.TensorProto:
    return numpy_helper.from_array(np.zeros(shape, dtype=np.float32), name)


def save(nodes, inputs, outputs, inits, path: Path, name: str = "g") -> Path:
    graph = helper.make_graph(nodes, name, inputs, outputs, inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def tensor(name: str, shape) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def tiny_cnn(path: Path) -> Path:
    """conv -> relu -> depthwise -> grouped conv -> residual add -> maxpool -> gap -> flatten -> gemm."""
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="dw", pads=[1, 1, 1, 1], group=8),
        helper.make_node("BatchNormalization", ["c2", "s", "bb", "mu", "var"], ["n2"], name="bn"),
        helper.make_node("Conv", ["n2", "w3"], ["c3"], name="grouped", pads=[1, 1, 1, 1], group=2),
        helper.make_node("Add", ["c3", "r1"], ["a"], name="residual"),
        helper.make_node("Add", ["a", "bias"], ["a2"], name="bias_add"),
        helper.make_node("MaxPool", ["a2"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["p"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["y"], name="fc", transB=1),
    ]
    inits = [weight("w1", (8, 3, 3, 3)), weight("b1", (8,)), weight("w2", (8, 1, 3, 3)), weight("s", (8,)),
             weight("bb", (8,)), weight("mu", (8,)), weight("var", (8,)), weight("w3", (8, 4, 3, 3)),
             weight("bias", (8, 1, 1)), weight("wf", (10, 8)), weight("bf", (10,))]
    return save(nodes, [tensor("x", ["batch", 3, 16, 16])], [tensor("y", None)], inits, path, "tiny")


def attention(path: Path, seq: str | int = "seq", hidden: int = 16, heads: int = 2) -> Path:
    """Q/K/V projections (MatMul with weights), per-head scores and context (MatMul of two activations)."""
    d = hidden // heads
    nodes = [
        helper.make_node("MatMul", ["x", "wq"], ["q"], name="q_proj"),
        helper.make_node("MatMul", ["x", "wk"], ["k"], name="k_proj"),
        helper.make_node("MatMul", ["x", "wv"], ["v"], name="v_proj"),
        helper.make_node("Reshape", ["q", "shape_h"], ["qh"], name="q_split"),
        helper.make_node("Transpose", ["qh"], ["qt"], name="q_t", perm=[0, 2, 1, 3]),
        helper.make_node("Reshape", ["k", "shape_h"], ["kh"], name="k_split"),
        helper.make_node("Transpose", ["kh"], ["kt"], name="k_t", perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["v", "shape_h"], ["vh"], name="v_split"),
        helper.make_node("Transpose", ["vh"], ["vt"], name="v_t", perm=[0, 2, 1, 3]),
        helper.make_node("MatMul", ["qt", "kt"], ["s"], name="scores"),
        helper.make_node("Div", ["s", "scale"], ["s2"], name="scale"),
        helper.make_node("Softmax", ["s2"], ["pr"], name="softmax", axis=-1),
        helper.make_node("MatMul", ["pr", "vt"], ["ctx"], name="context"),
    ]
    inits = [weight("wq", (hidden, hidden)), weight("wk", (hidden, hidden)), weight("wv", (hidden, hidden)),
             numpy_helper.from_array(np.array([1, -1, heads, d], dtype=np.int64), "shape_h"),
             numpy_helper.from_array(np.array(2.0, dtype=np.float32), "scale")]
    return save(nodes, [tensor("x", [1, seq, hidden])], [tensor("ctx", None)], inits, path, "attn")

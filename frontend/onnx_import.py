"""ONNX import: Conv/Gemm/MatMul (and pools, residual adds, concatenations) become layers.

Shapes come from ONNX shape inference after symbolic input dims are fixed (the first axis, the batch,
becomes 1: focus models the batch with `focus.batch`; other symbolic axes take `--seq-len`).
Per node:

* layers: Conv (plain, grouped, depthwise; 1-D or 2-D), ConvInteger, QLinearConv, Gemm, MatMul,
  MatMulInteger, QLinearMatMul, MaxPool/AveragePool/LpPool/GlobalAveragePool/GlobalMaxPool (`pool`),
  Concat of two or more activations (`concat`), and binary elementwise ops (Add, Sub, Mul, ...) whose
  operands come from two or more different producers (`add`, or `einsum` for Mul/Div/Pow);
* pass-through: shape-only ops (Reshape, Transpose, Slice, ...), activations and normalisations (fused
  into the producer), and elementwise ops with a constant operand (bias, scale): the output is the
  producer's tensor;
* anything else that reads an activation is unsupported: every such op is listed in one error.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from focus_tools.errors import FocusError
from frontend.problem import Problem
from frontend.workload import (
    Layer,
    TensorInput,
    Workload,
    concat_problem,
    conv_problem,
    dim_names,
    elementwise_problem,
    matmul_problem,
    pool_problem,
)

SHAPE_OPS = frozenset({
    "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Cast", "CastLike",
    "Slice", "Split", "Gather", "GatherElements", "GatherND", "Expand", "Tile", "Pad", "Resize", "Upsample",
    "DepthToSpace", "SpaceToDepth", "ConstantOfShape", "Range", "Trilu", "ReverseSequence", "Compress",
    "OneHot", "EyeLike",
})
FUSED_OPS = frozenset({
    "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Gelu",
    "FastGelu", "Erf", "Softplus", "Softsign", "Mish", "Clip", "Exp", "Log", "Sqrt", "Reciprocal", "Neg", "Abs",
    "Floor", "Ceil", "Round", "Sign", "Not", "IsNaN", "IsInf", "Sin", "Cos", "ThresholdedRelu", "Shrink",
    "BatchNormalization", "LayerNormalization", "InstanceNormalization", "GroupNormalization",
    "SimplifiedLayerNormalization", "LRN", "MeanVarianceNormalization", "Softmax", "LogSoftmax", "Hardmax",
    "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "ReduceMean", "ReduceSum", "ReduceMax",
    "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare",
    "ArgMax", "ArgMin",
})
META_OPS = frozenset({"Shape", "Size", "Constant"})  # outputs are constants (shape metadata)
ELEMENTWISE = {  # op -> kind when two or more producers meet
    "Add": "add", "Sub": "add", "Sum": "add", "Mean": "add", "Max": "add", "Min": "add", "Where": "add",
    "Equal": "add", "Less": "add", "Greater": "add", "LessOrEqual": "add", "GreaterOrEqual": "add",
    "And": "add", "Or": "add", "Xor": "add", "Mod": "add", "BitShift": "add",
    "Mul": "einsum", "Div": "einsum", "Pow": "einsum",
}
CONV_OPS = {"Conv": (0, 1), "ConvInteger": (0, 1), "QLinearConv": (0, 3)}  # op -> (X index, W index)
MATMUL_OPS = {"MatMul": (0, 1), "MatMulInteger": (0, 1), "QLinearMatMul": (0, 3), "Gemm": (0, 1)}
POOL_OPS = frozenset({"MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"})
SUPPORTED = sorted(set(CONV_OPS) | set(MATMUL_OPS) | POOL_OPS | {"Concat"} | set(ELEMENTWISE))


def _onnx():
    try:
        import onnx
    except ImportError:  # pragma: no cover - onnx is a dependency
        raise FocusError("ONNX import needs the 'onnx' package (pip install onnx)") from None
    return onnx


def _attrs(node: Any) -> dict[str, Any]:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _fix_inputs(model: Any, src: str, seq_len: int | None, init_names: set[str]) -> None:
    """Give every symbolic input dim a value: axis 0 (batch) -> 1, others -> seq_len."""
    for inp in model.graph.input:
        if inp.name in init_names or not inp.type.HasField("tensor_type"):
            continue
        shape = inp.type.tensor_type.shape
        for axis, dim in enumerate(shape.dim):
            if dim.HasField("dim_value") and dim.dim_value > 0:
                continue
            sym = dim.dim_param or "?"
            if axis == 0:
                dim.Clear()
                dim.dim_value = 1
            elif seq_len is not None:
                dim.Clear()
                dim.dim_value = seq_len
            else:
                raise FocusError(f"{src}: input '{inp.name}' has a symbolic dimension '{sym}' (axis {axis}); "
                                 "pass --seq-len N to fix it")


def _shape_of(vi: Any) -> tuple[int, ...] | None:
    if not vi.type.HasField("tensor_type") or not vi.type.tensor_type.HasField("shape"):
        return None
    dims = []
    for d in vi.type.tensor_type.shape.dim:
        if not d.HasField("dim_value") or d.dim_value < 0:
            return None
        dims.append(int(d.dim_value))
    return tuple(dims)


class _Importer:
    def __init__(self, model: Any, src: str, name: str, cores: int):
        self.src = src
        self.model_name = name
        self.cores = cores
        self.graph = model.graph
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.prod: dict[str, str | None] = {}  # value -> producing symbol (None: a constant)
        self.const: dict[str, Any] = {}
        self.inputs: list[TensorInput] = []
        self.layers: list[Layer] = []
        self.used_names: set[str] = set()
        self.unsupported: dict[str, list[str]] = {}

    # ---- helpers ----
    def shape(self, value: str, node_name: str) -> tuple[int, ...]:
        s = self.shapes.get(value)
        if s is None:
            raise FocusError(f"{self.src}: node {node_name}: the shape of '{value}' is unknown after shape inference")
        return s

    def sym(self, base: str) -> str:
        name = f"{self.model_name}.{base}"
        out, i = name, 1
        while out in self.used_names:
            out = f"{name}_{i}"
            i += 1
        self.used_names.add(out)
        return out

    def act(self, value: str) -> str | None:
        return self.prod.get(value) if value else None

    def add_layer(self, node_name: str, kind: str, problem: Problem, operands: list[tuple[str, str]]) -> str:
        name = self.sym(node_name)
        problem = Problem(name, problem.dims, problem.bounds, problem.data_spaces, problem.coefficients)
        self.layers.append(Layer(name, self.model_name, kind, problem, self.cores,
                                 tuple((self.prod[v], s) for v, s in operands), f"{self.src}: node {node_name}"))
        return name

    # ---- per op ----
    def conv(self, node: Any, nname: str) -> str:
        xi, wi = CONV_OPS[node.op_type]
        x, w = node.input[xi], node.input[wi]
        a = _attrs(node)
        xs, ws = self.shape(x, nname), self.shape(w, nname)
        ys = self.shape(node.output[0], nname)
        spatial = len(xs) - 2
        if spatial not in (1, 2):
            raise _Unsupported(f"{node.op_type} ({spatial}-D)")
        groups = int(a.get("group", 1))
        strides = list(a.get("strides", [1] * spatial))
        dil = list(a.get("dilations", [1] * spatial))
        ks = list(ws[2:])
        if spatial == 1:
            strides, dil, ks = [1] + strides, [1] + dil, [1] + ks
            xs, ys = xs[:2] + (1,) + xs[2:], ys[:2] + (1,) + ys[2:]
        n, c = xs[0], xs[1]
        m = ys[1]
        problem = conv_problem(nname, c, m, ys[3], ys[2], ks[1], ks[0], n, strides, dil, groups)
        kind = "depthwise" if groups > 1 and groups == c == m else "conv2d"
        ops = [(x, "Inputs")] + ([(w, "Weights")] if self.act(w) else [])
        return self.add_layer(nname, kind, problem, ops)

    def matmul(self, node: Any, nname: str) -> str:
        ai, bi = MATMUL_OPS[node.op_type]
        av, bv = node.input[ai], node.input[bi]
        a_sh, b_sh = list(self.shape(av, nname)), list(self.shape(bv, nname))
        if node.op_type == "Gemm":
            at = _attrs(node)
            if at.get("transA", 0):
                a_sh = a_sh[::-1]
            if at.get("transB", 0):
                b_sh = b_sh[::-1]
        if len(a_sh) == 1:
            a_sh = [1] + a_sh
        if len(b_sh) == 1:
            b_sh = b_sh + [1]
        M, K = a_sh[-2], a_sh[-1]
        K2, N = b_sh[-2], b_sh[-1]
        if K != K2:
            raise FocusError(f"{self.src}: node {nname}: {node.op_type} inner dimensions differ ({K} vs {K2})")
        a_batch, b_batch = math.prod(a_sh[:-2]), math.prod(b_sh[:-2])
        a_act, b_act = self.act(av) is not None, self.act(bv) is not None
        names = ("Inputs", "Weights") if not (a_act and b_act) else ("A", "B")
        if b_batch == 1:
            problem = matmul_problem(nname, a_batch * M, K, N, a=names[0], b=names[1])
        else:
            batch = max(a_batch, b_batch)
            if a_batch not in (1, batch):
                raise _Unsupported(f"{node.op_type} (batch broadcast {a_sh} x {b_sh})")
            problem = matmul_problem(nname, M, K, N, batch, a=names[0], b=names[1], a_batched=a_batch > 1,
                                     b_batched=True)
        ops = ([(av, names[0])] if a_act else []) + ([(bv, names[1])] if b_act else [])
        return self.add_layer(nname, "matmul", problem, ops)

    def pool(self, node: Any, nname: str) -> str:
        x = node.input[0]
        xs, ys = self.shape(x, nname), self.shape(node.output[0], nname)
        a = _attrs(node)
        spatial = len(xs) - 2
        if spatial not in (1, 2):
            raise _Unsupported(f"{node.op_type} ({spatial}-D)")
        if node.op_type.startswith("Global"):
            ks, strides = list(xs[2:]), [1] * spatial
        else:
            ks = list(a.get("kernel_shape", [1] * spatial))
            strides = list(a.get("strides", [1] * spatial))
        if spatial == 1:
            ks, strides, xs, ys = [1] + ks, [1] + strides, xs[:2] + (1,) + xs[2:], ys[:2] + (1,) + ys[2:]
        problem = pool_problem(nname, xs[1], ys[3], ys[2], ks[1], ks[0], xs[0], strides)
        return self.add_layer(nname, "pool", problem, [(x, "Inputs")])

    def elementwise(self, node: Any, nname: str, acts: list[str]) -> str:
        ys = self.shape(node.output[0], nname)
        shapes = [self.shape(v, nname) for v in acts]
        spaces = [chr(ord("A") + i) for i in range(len(acts))]
        problem = elementwise_problem(nname, ys, shapes, spaces)
        return self.add_layer(nname, ELEMENTWISE[node.op_type], problem, list(zip(acts, spaces)))

    def concat(self, node: Any, nname: str, acts: list[str]) -> str:
        ys = self.shape(node.output[0], nname)
        axis = int(_attrs(node).get("axis", 0))
        axis = axis + len(ys) if axis < 0 else axis
        dims = dim_names(len(ys))
        extents = [self.shape(v, nname)[axis] for v in acts]
        shape: dict[str, Any] = {d: ys[i] for i, d in enumerate(dims)}
        shape[dims[axis]] = extents
        spaces = [f"In{i}" for i in range(len(acts))]
        problem = concat_problem(nname, shape, dims[axis], spaces)
        return self.add_layer(nname, "concat", problem, list(zip(acts, spaces)))

    # ---- driver ----
    def run(self) -> Workload:
        g = self.graph
        init = {t.name for t in g.initializer}
        for t in g.initializer:
            self.prod[t.name] = None
            self.shapes[t.name] = tuple(int(d) for d in t.dims)
        for vi in list(g.input) + list(g.value_info) + list(g.output):
            s = _shape_of(vi)
            if s is not None:
                self.shapes.setdefault(vi.name, s)
        for inp in g.input:
            if inp.name in init:
                continue
            s = self.shapes.get(inp.name)
            if s is None or not s:
                raise FocusError(f"{self.src}: input '{inp.name}' has no known tensor shape")
            name = self.sym(inp.name)
            self.inputs.append(TensorInput(name, self.model_name, s))
            self.prod[inp.name] = name
        for idx, node in enumerate(_topological(g.node, set(self.prod))):
            nname = node.name or f"{node.op_type.lower()}_{idx}"
            acts: list[str] = []
            for v in node.input:
                if v and self.prod.get(v) is not None and v not in acts:
                    acts.append(v)
            producers = list(dict.fromkeys(self.prod[v] for v in acts))
            op = node.op_type
            out: str | None
            if op in META_OPS or not acts:
                out = None
            elif op in CONV_OPS and len(node.input) > CONV_OPS[op][1] and self.act(node.input[CONV_OPS[op][0]]):
                out = self._try(node, nname, self.conv)
            elif op in MATMUL_OPS and len(node.input) > MATMUL_OPS[op][1]:
                out = self._try(node, nname, self.matmul)
            elif op in POOL_OPS:
                out = self._try(node, nname, self.pool)
            elif op == "Concat" and len(producers) >= 2:
                out = self.concat(node, nname, acts)
            elif op in ELEMENTWISE and len(producers) >= 2:
                out = self.elementwise(node, nname, acts)
            elif op in SHAPE_OPS or op in FUSED_OPS or op in ELEMENTWISE or op == "Concat":
                out = producers[0]
            else:
                self.unsupported.setdefault(op, []).append(nname)
                out = producers[0]
            for o in node.output:
                if o:
                    self.prod[o] = out
        if self.unsupported:
            parts = [f"{op} ({len(ns)} node{'s' if len(ns) > 1 else ''}: {', '.join(ns[:3])}"
                     f"{', ...' if len(ns) > 3 else ''})" for op, ns in sorted(self.unsupported.items())]
            raise FocusError(f"{self.src}: unsupported ONNX ops: {'; '.join(parts)}. Supported compute ops: "
                             f"{', '.join(SUPPORTED)}; shape-only, activation and normalisation ops pass through")
        if not self.layers:
            raise FocusError(f"{self.src}: the graph has no compute layer (Conv, Gemm, MatMul, ...)")
        used = {p for layer in self.layers for p, _ in layer.inputs}
        inputs = tuple(t for t in self.inputs if t.name in used)
        outs: list[str] = []
        layer_names = {layer.name for layer in self.layers}
        for o in g.output:
            p = self.prod.get(o.name)
            if p in layer_names and p not in outs:
                outs.append(p)
        for layer in self.layers:
            if layer.name not in used and layer.name not in outs:
                outs.append(layer.name)
        return Workload((self.model_name,), inputs, tuple(self.layers), tuple(outs), 1, source=self.src)

    def _try(self, node: Any, nname: str, fn) -> str | None:
        try:
            return fn(node, nname)
        except _Unsupported as exc:
            self.unsupported.setdefault(str(exc), []).append(nname)
            acts = [v for v in node.input if v and self.prod.get(v) is not None]
            return self.prod[acts[0]] if acts else None


class _Unsupported(Exception):
    pass


def _topological(nodes: Any, available: set[str]) -> list[Any]:
    """Nodes in an order where every input is produced first (ONNX files normally already are)."""
    nodes = list(nodes)
    produced = set(available)
    for n in nodes:
        produced.update(o for o in n.output if o)
    have = set(available)
    out, pending = [], nodes
    while pending:
        rest = []
        for n in pending:
            if all((not v) or v in have or v not in produced for v in n.input):
                out.append(n)
                have.update(o for o in n.output if o)
            else:
                rest.append(n)
        if len(rest) == len(pending):  # a cycle: keep file order for the rest
            out += rest
            break
        pending = rest
    return out


def load_onnx(path: str | Path, model: str | None = None, *, seq_len: int | None = None, cores: int = 0,
              data: bytes | None = None) -> Workload:
    """An ONNX file (or its bytes) as a one-model Workload (model name: `model` or the file stem)."""
    onnx = _onnx()
    src = str(path)
    try:
        proto = onnx.load_from_string(data) if data is not None else onnx.load(str(path), load_external_data=False)
    except FileNotFoundError:
        raise FocusError(f"{src}: no such file") from None
    except Exception as exc:  # protobuf DecodeError and friends
        raise FocusError(f"{src}: not a valid ONNX model ({exc.__class__.__name__})") from None
    init = {t.name for t in proto.graph.initializer}
    if seq_len is not None and (isinstance(seq_len, bool) or not isinstance(seq_len, int) or seq_len < 1):
        raise FocusError(f"--seq-len {seq_len!r}, expected a positive integer")
    _fix_inputs(proto, src, seq_len, init)
    try:
        proto = onnx.shape_inference.infer_shapes(proto, check_type=False, strict_mode=False, data_prop=True)
    except Exception as exc:
        raise FocusError(f"{src}: ONNX shape inference failed ({str(exc).splitlines()[0] if str(exc) else exc})") \
            from None
    name = model or Path(src).stem or "onnx"
    return _Importer(proto, src, name, cores).run()

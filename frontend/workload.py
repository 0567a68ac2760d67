"""A workload as plain data (models, layers, dependencies, batch, device) plus problem builders.

Every frontend (FOCUS task, our task format, model zoo, ONNX) produces a `Workload`; `frontend.to_ir`
turns it into a `tensor_op` module. A layer names its operands as `(producer, data space)` pairs, where
the producer is a model input or another layer of the same model; unbound input data spaces (weights)
come from memory.

The builders here complete `frontend.problem` (conv2d, depthwise, matmul, elementwise) with grouped and
asymmetric convolutions, pooling, concatenation and broadcasting elementwise ops.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from focus_tools.errors import FocusError
from frontend.device import DEFAULT_DEVICE, Device
from frontend.problem import DataSpace, Problem, conv2d, depthwise, matmul

LAYER_KINDS = ("conv2d", "depthwise", "matmul", "add", "concat", "pool", "einsum")
MAC_KINDS = ("conv2d", "depthwise", "matmul", "einsum")


@dataclass(frozen=True)
class TensorInput:
    """A model input held in off-chip memory."""

    name: str
    model: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class Layer:
    """One layer: a problem, its operands `(producer, data space)` and its core budget (0 = auto)."""

    name: str
    model: str
    kind: str
    problem: Problem
    cores: int = 0
    inputs: tuple[tuple[str, str], ...] = ()
    where: str = ""  # file:line (or file) where the layer was defined, for messages

    @property
    def macs(self) -> int:
        return self.problem.macs if self.kind in MAC_KINDS else 0

    @property
    def output_space(self) -> DataSpace:
        return self.problem.output_spaces[0]

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.problem.tensor_shape(self.output_space.name)


@dataclass(frozen=True)
class Workload:
    """Concurrent models, each a DAG of layers, run `batch` times on `device`."""

    models: tuple[str, ...]
    inputs: tuple[TensorInput, ...]
    layers: tuple[Layer, ...]
    outputs: tuple[str, ...] = ()  # layer names written back; empty: every layer nothing else reads
    batch: int = 1
    device: Device = DEFAULT_DEVICE
    source: str = "<workload>"
    timeloop_files: tuple[str, ...] = ()  # Timeloop arch/constraints/mapper files that came with the input
    mesh_known: bool = False  # the mesh was given (--mesh, the task or the architecture)

    # ---- queries ---------------------------------------------------------------------------------
    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    def consumers(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for layer in self.layers:
            for prod, _ in layer.inputs:
                out.setdefault(prod, []).append(layer.name)
        return out

    def output_layers(self) -> list[str]:
        """Layers written back to memory: `outputs`, or every layer that no other layer reads."""
        if self.outputs:
            return list(self.outputs)
        used = self.consumers()
        return [layer.name for layer in self.layers if layer.name not in used]

    def with_(self, **kw) -> Workload:
        return replace(self, **kw)

    # ---- checks ----------------------------------------------------------------------------------
    def validate(self) -> None:
        """Raise FocusError for the first thing wrong: names, models, bindings, cycles, batch, cores."""
        src = self.source
        if isinstance(self.batch, bool) or not isinstance(self.batch, int) or self.batch < 1:
            raise FocusError(f"{src}: batch {self.batch!r}, expected a positive integer")
        if not self.layers:
            raise FocusError(f"{src}: no layers")
        models = set(self.models)
        symbols: dict[str, str] = {}
        model_of: dict[str, str] = {}
        for t in self.inputs:
            if t.name in symbols:
                raise FocusError(f"{src}: name '{t.name}' is defined twice")
            if t.model not in models:
                raise FocusError(f"{src}: input {t.name} belongs to unknown model '{t.model}'")
            if not t.shape or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in t.shape):
                raise FocusError(f"{src}: input {t.name} has shape {list(t.shape)}, expected positive sizes")
            symbols[t.name] = "input"
            model_of[t.name] = t.model
        for layer in self.layers:
            where = layer.where or src
            if layer.name in symbols:
                raise FocusError(f"{where}: layer name '{layer.name}' is defined twice")
            symbols[layer.name] = "layer"
            model_of[layer.name] = layer.model
            if layer.model not in models:
                raise FocusError(f"{where}: layer {layer.name} belongs to unknown model '{layer.model}'")
            if layer.kind not in LAYER_KINDS:
                raise FocusError(f"{where}: layer {layer.name}: kind '{layer.kind}' is not one of "
                                 f"{', '.join(LAYER_KINDS)}")
            if isinstance(layer.cores, bool) or not isinstance(layer.cores, int) or layer.cores < 0:
                raise FocusError(f"{where}: layer {layer.name}: cores {layer.cores!r}, expected a positive "
                                 "integer or auto")
            err = layer.problem.validation_error()
            if err:
                raise FocusError(f"{where}: layer {layer.name}: {err}")
            if len(layer.problem.output_spaces) != 1:
                raise FocusError(f"{where}: layer {layer.name}: the problem needs exactly one read-write "
                                 f"data space, has {len(layer.problem.output_spaces)}")
            names = [ds.name for ds in layer.problem.data_spaces]
            seen: set[str] = set()
            for _, space in layer.inputs:
                if space not in names:
                    raise FocusError(f"{where}: layer {layer.name} binds unknown data space '{space}' "
                                     f"(the problem has {', '.join(names)})")
                if layer.problem.space(space).read_write:
                    raise FocusError(f"{where}: layer {layer.name} binds its output data space '{space}'")
                if space in seen:
                    raise FocusError(f"{where}: layer {layer.name} binds data space '{space}' twice")
                seen.add(space)
        for layer in self.layers:
            where = layer.where or src
            for prod, _ in layer.inputs:
                if prod not in symbols:
                    raise FocusError(f"{where}: layer {layer.name} reads '{prod}', which is neither a layer "
                                     f"nor an input of model {layer.model}")
                if model_of[prod] != layer.model:
                    raise FocusError(f"{where}: layer {layer.name} of model {layer.model} reads {prod} of model "
                                     f"{model_of[prod]}; dependencies stay within a model")
        for name in self.outputs:
            if symbols.get(name) != "layer":
                raise FocusError(f"{src}: output '{name}' is not a layer")
        self.topological_layers()  # raises on a cycle

    def topological_layers(self) -> list[Layer]:
        """Layers in dependency order, ties broken by definition order; a cycle is a FocusError."""
        index = {layer.name: i for i, layer in enumerate(self.layers)}
        indeg = [0] * len(self.layers)
        users: list[list[int]] = [[] for _ in self.layers]
        for i, layer in enumerate(self.layers):
            for prod, _ in layer.inputs:
                j = index.get(prod)
                if j is not None:
                    indeg[i] += 1
                    users[j].append(i)
        ready = [i for i, d in enumerate(indeg) if d == 0]
        heapq.heapify(ready)
        order: list[int] = []
        while ready:
            i = heapq.heappop(ready)
            order.append(i)
            for u in users[i]:
                indeg[u] -= 1
                if indeg[u] == 0:
                    heapq.heappush(ready, u)
        if len(order) != len(self.layers):
            raise FocusError(self._cycle_message({i for i, d in enumerate(indeg) if d > 0}, index))
        return [self.layers[i] for i in order]

    def _cycle_message(self, stuck: set[int], index: Mapping[str, int]) -> str:
        start = min(stuck)
        path = [start]
        seen = {start: 0}
        cur = start
        while True:  # walk producers inside the stuck set until a node repeats
            layer = self.layers[cur]
            nxt = next(index[p] for p, _ in layer.inputs if p in index and index[p] in stuck)
            if nxt in seen:
                cyc = path[seen[nxt]:] + [nxt]
                break
            seen[nxt] = len(path)
            path.append(nxt)
            cur = nxt
        names = [self.layers[i].name for i in reversed(cyc)]
        first = self.layers[cyc[0]]
        return f"{first.where or self.source}: dependency cycle: {' -> '.join(names)}"

    def check_cores(self, device: Device | None = None) -> None:
        """Every layer's core budget fits the PEs of the device that can compute."""
        dev = device or self.device
        avail = len(dev.compute_pes)
        for layer in self.layers:
            if layer.cores > avail:
                extra = "" if avail == dev.pe_count else f", {avail} of them can compute"
                raise FocusError(
                    f"{layer.where or self.source}: layer {layer.name}: cores {layer.cores} exceed the "
                    f"{dev.pe_count} PEs of the {dev.width}x{dev.height} mesh{extra}"
                )

    # ---- statistics ------------------------------------------------------------------------------
    def stats(self) -> dict:
        return layer_stats((layer.model, layer.name, layer.kind, layer.problem) for layer in self.layers)


def layer_stats(rows: Iterable[tuple[str, str, str, Problem]], per_layer: bool = True) -> dict:
    """`{"models": {m: {"layers", "macs", "ops", "per_layer"}}}`; MACs count conv/depthwise/matmul/einsum."""
    models: dict[str, dict] = {}
    for model, name, kind, problem in rows:
        m = models.setdefault(model, {"layers": 0, "macs": 0, "ops": {}, "per_layer": []})
        macs = problem.macs if kind in MAC_KINDS else 0
        m["layers"] += 1
        m["macs"] += macs
        m["ops"][kind] = m["ops"].get(kind, 0) + 1
        if per_layer:
            m["per_layer"].append({"name": name, "kind": kind,
                                   "dims": {d: problem.bounds[d] for d in problem.dims}, "macs": macs})
    for m in models.values():
        m["ops"] = {k: m["ops"][k] for k in LAYER_KINDS if k in m["ops"]} | {
            k: v for k, v in m["ops"].items() if k not in LAYER_KINDS}
        if not per_layer:
            del m["per_layer"]
    return {"models": models}


# ---- kinds and default bindings ------------------------------------------------------------------------
def infer_kind(problem: Problem) -> str:
    """A kind label for a problem read from a file (the problem itself is the semantics)."""
    names = {ds.name for ds in problem.data_spaces}
    out = problem.output_spaces[0] if problem.output_spaces else None
    dims = set(problem.dims)
    if out is not None and {"Weights", "Inputs"} <= names and {"C", "R", "S", "P", "Q"} <= dims:
        out_dims = set(out.dims())
        if "M" in out_dims:
            spatial = all(problem.bounds[d] == 1 for d in ("P", "Q", "R", "S"))
            return "matmul" if spatial else "conv2d"
        return "depthwise"
    if {"M", "K", "N"} <= dims and len(problem.input_spaces) == 2:
        return "matmul"
    if out is not None and problem.input_spaces and all(
            ds.projection == out.projection for ds in problem.input_spaces) and len(problem.input_spaces) >= 2:
        return "add"
    return "einsum"


def activation_space(problem: Problem) -> str:
    """The data space a producer's output feeds by default: `Inputs`, else the first non-weight input."""
    ins = [ds.name for ds in problem.input_spaces]
    if not ins:
        raise FocusError(f"problem {problem.to_text()!r} has no input data space to bind")
    if "Inputs" in ins:
        return "Inputs"
    for n in ins:
        if n != "Weights":
            return n
    return ins[0]


def default_bind(problem: Problem, n_operands: int) -> tuple[str, ...]:
    """Data spaces for n operands: the activation space first, then the other inputs in order."""
    first = activation_space(problem)
    rest = [ds.name for ds in problem.input_spaces if ds.name != first]
    spaces = ([first] + rest)[:n_operands]
    if len(spaces) < n_operands:
        raise FocusError(f"{n_operands} operands but the problem has only {len(problem.input_spaces)} input "
                         f"data spaces ({', '.join(ds.name for ds in problem.input_spaces)})")
    return tuple(spaces)


# ---- problem builders ----------------------------------------------------------------------------------
def _pair(v: int | Sequence[int], what: str) -> tuple[int, int]:
    """(width-wise, height-wise) from an int or a [height, width] pair (ONNX order)."""
    if isinstance(v, int):
        return (v, v)
    if len(v) == 2:
        return (int(v[1]), int(v[0]))
    raise FocusError(f"{what}: {v!r}, expected an integer or [height, width]")


def conv_problem(name: str, C: int, M: int, P: int, Q: int, R: int, S: int, N: int = 1,
                 stride: int | Sequence[int] = 1, dilation: int | Sequence[int] = 1, groups: int = 1) -> Problem:
    """A 2-D convolution; C and M are totals. P/R run along the width, Q/S along the height.

    groups == 1: `frontend.problem.conv2d`; groups == C == M: depthwise; otherwise a grouped convolution
    with a group dimension G (C and M per group).
    """
    sw, sh = _pair(stride, f"{name}: stride")
    dw, dh = _pair(dilation, f"{name}: dilation")
    for dname, v in (("C", C), ("M", M), ("P", P), ("Q", Q), ("R", R), ("S", S), ("N", N), ("stride", sw),
                     ("stride", sh), ("dilation", dw), ("dilation", dh), ("groups", groups)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise FocusError(f"{name}: {dname} = {v!r}, expected a positive integer")
    if C % groups or M % groups:
        raise FocusError(f"{name}: groups {groups} must divide C ({C}) and M ({M})")
    if groups == 1 and sw == sh and dw == dh:
        return conv2d(name, C, M, P, Q, R, S, N, sw, dw)
    if groups == C and M == C and sw == sh and dw == dh:
        return depthwise(name, C, P, Q, R, S, N, sw, dw)
    inputs_w = (("R", dw), ("P", sw))
    inputs_h = (("S", dh), ("Q", sh))
    if groups == 1:
        return Problem(
            name, ("C", "M", "R", "S", "N", "P", "Q"), dict(C=C, M=M, R=R, S=S, N=N, P=P, Q=Q),
            (
                DataSpace("Weights", ((("C", 1),), (("M", 1),), (("R", 1),), (("S", 1),))),
                DataSpace("Inputs", ((("N", 1),), (("C", 1),), inputs_w, inputs_h)),
                DataSpace("Outputs", ((("N", 1),), (("M", 1),), (("Q", 1),), (("P", 1),)), True),
            ),
        )
    if groups == C and M == C:
        return Problem(
            name, ("C", "R", "S", "N", "P", "Q"), dict(C=C, R=R, S=S, N=N, P=P, Q=Q),
            (
                DataSpace("Weights", ((("C", 1),), (("R", 1),), (("S", 1),))),
                DataSpace("Inputs", ((("N", 1),), (("C", 1),), inputs_w, inputs_h)),
                DataSpace("Outputs", ((("N", 1),), (("C", 1),), (("Q", 1),), (("P", 1),)), True),
            ),
        )
    c, m = C // groups, M // groups
    return Problem(
        name, ("G", "C", "M", "R", "S", "N", "P", "Q"), dict(G=groups, C=c, M=m, R=R, S=S, N=N, P=P, Q=Q),
        (
            DataSpace("Weights", ((("G", 1),), (("C", 1),), (("M", 1),), (("R", 1),), (("S", 1),))),
            DataSpace("Inputs", ((("N", 1),), (("G", 1),), (("C", 1),), inputs_w, inputs_h)),
            DataSpace("Outputs", ((("N", 1),), (("G", 1),), (("M", 1),), (("Q", 1),), (("P", 1),)), True),
        ),
    )


def pool_problem(name: str, C: int, P: int, Q: int, R: int, S: int, N: int = 1,
                 stride: int | Sequence[int] = 1) -> Problem:
    """A 2-D pooling window (no weights): Outputs[N][C][Q][P] over Inputs[N][C][R+sP][S+sQ]."""
    sw, sh = _pair(stride, f"{name}: stride")
    return Problem(
        name, ("N", "C", "R", "S", "P", "Q"), dict(N=N, C=C, R=R, S=S, P=P, Q=Q),
        (
            DataSpace("Inputs", ((("N", 1),), (("C", 1),), (("R", 1), ("P", sw)), (("S", 1), ("Q", sh)))),
            DataSpace("Outputs", ((("N", 1),), (("C", 1),), (("Q", 1),), (("P", 1),)), True),
        ),
    )


def matmul_problem(name: str, M: int, K: int, N: int, batch: int = 1, a: str = "Inputs", b: str = "Weights",
                   c: str = "Outputs", a_batched: bool = True, b_batched: bool = True) -> Problem:
    """C[B][M][N] = sum_K A[B][M][K] B[B][K][N]; an operand without the batch is shared by all batches."""
    for dname, v in (("M", M), ("K", K), ("N", N), ("batch", batch)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise FocusError(f"{name}: {dname} = {v!r}, expected a positive integer")
    return matmul(name, M, K, N, a=a, b=b, c=c, batch=batch, a_batched=a_batched, b_batched=b_batched)


_DIM_NAMES = {1: ("M",), 2: ("M", "N"), 3: ("B", "M", "N"), 4: ("N", "C", "Q", "P"), 5: ("N", "C", "D", "Q", "P")}


def dim_names(rank: int) -> tuple[str, ...]:
    """Dimension names for an elementwise iteration space of the given rank."""
    if rank in _DIM_NAMES:
        return _DIM_NAMES[rank]
    return tuple("ABDEFGHIJKLTUVWXYZ"[:rank])


def elementwise_problem(name: str, out_shape: Sequence[int], operand_shapes: Sequence[Sequence[int]],
                        spaces: Sequence[str] | None = None, output: str = "Outputs") -> Problem:
    """An elementwise op with NumPy broadcasting: each operand spans the output dims it does not broadcast."""
    rank = len(out_shape)
    dims = dim_names(rank)
    if any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in out_shape):
        raise FocusError(f"{name}: shape {list(out_shape)}, expected positive sizes")
    names = list(spaces) if spaces is not None else [chr(ord("A") + i) for i in range(len(operand_shapes))]
    out_spaces = []
    for sname, shape in zip(names, operand_shapes):
        if len(shape) > rank:
            raise FocusError(f"{name}: operand {sname} of shape {list(shape)} has more dims than the output "
                             f"{list(out_shape)}")
        offset = rank - len(shape)
        proj = []
        for i, ext in enumerate(shape):
            o = out_shape[offset + i]
            if ext == o and (o > 1 or len(shape) == rank):
                proj.append(((dims[offset + i], 1),))
            elif ext != 1:
                raise FocusError(f"{name}: operand {sname} of shape {list(shape)} does not broadcast to "
                                 f"{list(out_shape)}")
        if not proj:
            raise FocusError(f"{name}: operand {sname} is a scalar; only tensors can be layer operands")
        out_spaces.append(DataSpace(sname, tuple(proj)))
    out_spaces.append(DataSpace(output, tuple(((d, 1),) for d in dims), True))
    return Problem(name, dims, dict(zip(dims, out_shape)), tuple(out_spaces))


def concat_problem(name: str, shape: Mapping[str, int | Sequence[int]], axis: str,
                   spaces: Sequence[str] | None = None) -> Problem:
    """Concatenation along `axis` (shape[axis] = the per-operand extents) with an operand dimension J.

    Outputs[..][J][axis][..] holds k operands of the largest extent e: exact when all operands have the
    same extent, an overestimate by k*e / sum(extents) otherwise (the problem form has no offsets).
    """
    if axis not in shape:
        raise FocusError(f"{name}: concat axis '{axis}' is not one of the dims {', '.join(shape)}")
    ext = shape[axis]
    extents = [ext] if isinstance(ext, int) else list(ext)
    if not extents or any(isinstance(e, bool) or not isinstance(e, int) or e < 1 for e in extents):
        raise FocusError(f"{name}: concat extents {extents!r}, expected positive integers")
    if "J" in shape:
        raise FocusError(f"{name}: dimension name J is reserved for the concat operand index")
    k = len(extents)
    bounds = {d: (max(extents) if d == axis else int(v)) for d, v in shape.items()}  # type: ignore[arg-type]
    for d, v in bounds.items():
        if v < 1:
            raise FocusError(f"{name}: dimension {d} = {v}, expected a positive integer")
    dims = tuple(shape)
    names = list(spaces) if spaces is not None else [f"In{i}" for i in range(k)]
    if len(names) != k:
        raise FocusError(f"{name}: {len(names)} operand spaces for {k} concat extents")
    proj = tuple(((d, 1),) for d in dims)
    out_proj: list = []
    for d in dims:
        if d == axis:
            out_proj.append((("J", 1),))
        out_proj.append(((d, 1),))
    bounds["J"] = k
    ds = tuple(DataSpace(n, proj) for n in names) + (DataSpace("Outputs", tuple(out_proj), True),)
    return Problem(name, ("J",) + dims, bounds, ds)


def grow_mesh_for(workload: Workload) -> Workload:
    """When no mesh was given, enlarge the default square mesh until the largest layer's cores fit."""
    dev = workload.device
    need = max((layer.cores for layer in workload.layers), default=0)
    if need <= len(dev.compute_pes):
        return workload
    side = max(dev.width, dev.height)
    while True:
        side += 1
        cand = dev.with_mesh(side, side)
        if len(cand.compute_pes) >= need:
            return replace(workload, device=cand)


__all__ = [
    "LAYER_KINDS",
    "MAC_KINDS",
    "Layer",
    "TensorInput",
    "Workload",
    "activation_space",
    "concat_problem",
    "conv_problem",
    "default_bind",
    "dim_names",
    "elementwise_problem",
    "grow_mesh_for",
    "infer_kind",
    "layer_stats",
    "matmul_problem",
    "pool_problem",
]

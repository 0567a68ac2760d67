"""focus's own task format: a superset of the FOCUS task spec (documented in docs/frontend.md).

```yaml
batch: 2                      # default 1 (--batch overrides)
arch: ../arch/chip.yaml       # our device YAML, a Timeloop arch file/folder, or a preset name (--arch overrides)
mesh: 8x8                     # overrides the architecture's mesh (--mesh overrides)
layer-bank: ../database       # for FOCUS layer names (--layer-bank overrides)
cores: auto                   # default core budget of every layer
seq-len: 128                  # default sequence length of zoo transformers
models:
  cnn:                        # an explicit DAG
    cores: 4
    inputs: {image: [1, 3, 32, 32]}
    layers:
      - {name: conv1, conv2d: {C: 3, M: 16, P: 32, Q: 32, R: 3, S: 3}, from: image}
      - {name: conv2, conv2d: {C: 16, M: 16, P: 32, Q: 32, R: 3, S: 3}}      # from: the previous layer
      - {name: res, add: {N: 1, C: 16, Q: 32, P: 32}, from: [conv2, conv1]}
    outputs: [res]            # default: the layers nothing else reads
  resnet: {zoo: resnet50, cores: auto}
  bert:                       # a FOCUS-style list: implicit chain, layer bank
    - bert-large_layer1: 2
  net: {onnx: model.onnx}
```
Layer symbols of explicit models are `<model>.<name>`; FOCUS-style lists keep the FOCUS names.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from focus_tools.errors import FocusError
from frontend.focus_task import LayerBank, default_layer_bank, load_focus_task, parse_cores
from frontend.problem import Problem, elementwise, problem_from_yaml
from frontend.timeloop_yaml import line_of, load_problem
from frontend.workload import (
    LAYER_KINDS,
    Layer,
    TensorInput,
    Workload,
    concat_problem,
    conv_problem,
    default_bind,
    infer_kind,
    matmul_problem,
    pool_problem,
)

TASK_KEYS = ("models", "batch", "arch", "mesh", "layer-bank", "cores", "seq-len")
MODEL_KEYS = ("zoo", "onnx", "layers", "inputs", "outputs", "cores", "seq-len", "image-size")
LAYER_KEYS = ("name", "from", "bind", "cores", "kind", "conv2d", "depthwise", "matmul", "add", "concat", "pool",
              "problem", "file", "bank")
OP_KEYS = ("conv2d", "depthwise", "matmul", "add", "concat", "pool", "problem", "file", "bank")


def is_task(data: Any) -> bool:
    """Our format: a top-level mapping with a `models:` mapping."""
    return isinstance(data, dict) and isinstance(data.get("models"), dict)


def _k(key: Any) -> str:
    return str(key).replace("_", "-")


def _keys(node: Mapping, valid: tuple[str, ...], where: str) -> dict[str, Any]:
    out = {}
    for k, v in node.items():
        nk = _k(k)
        if nk not in valid:
            raise FocusError(f"{where}: unknown key '{k}' (valid: {', '.join(valid)})")
        out[nk] = v
    return out


def _posint(v: Any, where: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise FocusError(f"{where}: {v!r}, expected a positive integer")
    return v


def _dims(spec: Any, required: tuple[str, ...], optional: Mapping[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(spec, Mapping):
        raise FocusError(f"{where}: expected a mapping of sizes {{{', '.join(required)}}}, got {spec!r}")
    out = dict(optional)
    for k, v in spec.items():
        k = str(k)
        if k not in required and k not in optional:
            raise FocusError(f"{where}: unknown dimension '{k}' (dimensions are {', '.join(required)}; options: "
                             f"{', '.join(optional) or 'none'})")
        out[k] = v
    missing = [d for d in required if d not in out]
    if missing:
        raise FocusError(f"{where}: missing {', '.join(missing)} (needs {', '.join(required)})")
    for k, v in out.items():
        if k in ("stride", "dilation") and isinstance(v, list):
            for x in v:
                _posint(x, f"{where}: {k}")
            continue
        _posint(v, f"{where}: {k}")
    return out


class _TaskReader:
    def __init__(self, path: str | Path, data: Mapping, layer_bank: str | Path | None, seq_len: int | None,
                 cores: int | None):
        self.path = Path(path)
        self.src = str(path)
        self.base = self.path.absolute().parent
        self.top = _keys(data, TASK_KEYS, f"{self.src}:{line_of(data, 1)}")
        bank = layer_bank if layer_bank is not None else self.top.get("layer-bank")
        if bank is not None and layer_bank is None:
            bank = self.base / str(bank)
        self.bank_path = Path(bank) if bank is not None else default_layer_bank(path)
        self.bank = LayerBank(self.bank_path, bank is not None)
        self.seq_len = seq_len if seq_len is not None else self.top.get("seq-len")
        self.cores_override = cores
        where = f"{self.src}:{line_of(data, 1)}"
        self.default_cores = parse_cores(self.top.get("cores", "auto"), f"{where}: task")

    def rel(self, p: Any) -> Path:
        q = Path(str(p))
        return q if q.is_absolute() else self.base / q

    def read(self) -> tuple[Workload, dict[str, Any]]:
        models, inputs, layers, outputs, files = [], [], [], [], []
        for model, spec in self.top["models"].items():
            model = str(model)
            models.append(model)
            w = self.model(model, spec, line_of(spec, line_of(self.top["models"], 1)))
            inputs += w.inputs
            layers += w.layers
            outputs += w.outputs or [n for n in w.output_layers()]
            files += [f for f in w.timeloop_files if f not in files]
        if not layers:
            raise FocusError(f"{self.src}: the task has no layers")
        wl = Workload(tuple(models), tuple(inputs), tuple(layers), tuple(outputs), 1, source=self.src,
                      timeloop_files=tuple(files))
        return wl, self.top

    def model(self, model: str, spec: Any, line: int) -> Workload:
        where = f"{self.src}:{line}"
        if isinstance(spec, list) or spec is None:  # FOCUS-style list
            sub = {model: spec}
            return load_focus_task(self.path, sub, self.bank_path if self.bank.given else None,
                                   cores=self.cores_override)
        if not isinstance(spec, Mapping):
            raise FocusError(f"{where}: model {model}: expected a mapping (zoo/onnx/layers) or a FOCUS layer list")
        m = _keys(spec, MODEL_KEYS, f"{where}: model {model}")
        cores = self.cores_override if self.cores_override is not None else \
            parse_cores(m.get("cores", self.default_cores or "auto"), f"{where}: model {model}")
        seq = m.get("seq-len", self.seq_len)
        sources = [k for k in ("zoo", "onnx", "layers") if k in m]
        if len(sources) != 1:
            raise FocusError(f"{where}: model {model}: give exactly one of zoo, onnx, layers (got "
                             f"{', '.join(sources) or 'none'})")
        if "zoo" in m:
            from frontend.zoo import zoo_workload

            return zoo_workload(str(m["zoo"]), model, seq_len=seq, cores=cores, image_size=m.get("image-size"))
        if "onnx" in m:
            from frontend.onnx_import import load_onnx

            f = self.rel(m["onnx"])
            if not f.is_file():
                raise FocusError(f"{where}: model {model}: no ONNX file {f}")
            return load_onnx(f, model, seq_len=seq, cores=cores)
        return self.explicit(model, m, cores, where)

    def explicit(self, model: str, m: Mapping, cores: int, where: str) -> Workload:
        inputs: dict[str, TensorInput] = {}
        raw_inputs = m.get("inputs") or {}
        if not isinstance(raw_inputs, Mapping):
            raise FocusError(f"{where}: model {model}: inputs must map names to shapes, e.g. {{image: [1, 3, 224, 224]}}")
        for name, shape in raw_inputs.items():
            if not isinstance(shape, list) or not shape:
                raise FocusError(f"{where}: model {model}: input {name}: shape {shape!r}, expected a list of sizes")
            for d in shape:
                _posint(d, f"{where}: model {model}: input {name}: size")
            inputs[str(name)] = TensorInput(f"{model}.{name}", model, tuple(shape))
        raw_layers = m.get("layers")
        if not isinstance(raw_layers, list) or not raw_layers:
            raise FocusError(f"{where}: model {model}: layers must be a non-empty list")
        layers: list[Layer] = []
        local: dict[str, str] = {n: t.name for n, t in inputs.items()}
        pending: list[tuple[dict, str, Problem, str, int]] = []
        for entry in raw_layers:
            lwhere = f"{self.src}:{line_of(entry, line_of(raw_layers, 1))}"
            if not isinstance(entry, Mapping):
                raise FocusError(f"{lwhere}: layer entry {entry!r}, expected a mapping with name and an op")
            e = _keys(entry, LAYER_KEYS, lwhere)
            if "name" not in e:
                raise FocusError(f"{lwhere}: layer without a name")
            name = str(e["name"])
            if name in local:
                raise FocusError(f"{lwhere}: name '{name}' is defined twice in model {model}")
            sym = f"{model}.{name}"
            local[name] = sym
            problem, kind = self.problem(e, sym, f"{lwhere}: layer {name}")
            lcores = parse_cores(e["cores"], f"{lwhere}: layer {name}") if "cores" in e else cores
            if self.cores_override is not None:
                lcores = self.cores_override
            pending.append((e, sym, problem, kind, lcores))
        for idx, (e, sym, problem, kind, lcores) in enumerate(pending):
            name = sym[len(model) + 1:]
            lwhere = f"{self.src}:{line_of(raw_layers[idx], 1)}"
            if "from" in e:
                frm = e["from"]
                frm = [] if frm is None else ([frm] if isinstance(frm, str) else frm)
                if not isinstance(frm, list):
                    raise FocusError(f"{lwhere}: layer {name}: from {frm!r}, expected a name or a list of names")
                producers = []
                for p in frm:
                    if str(p) not in local:
                        raise FocusError(f"{lwhere}: layer {name} reads '{p}', which is neither a layer nor an input "
                                         f"of model {model}")
                    producers.append(local[str(p)])
            elif idx > 0:
                producers = [pending[idx - 1][1]]
            elif inputs:
                producers = [next(iter(inputs.values())).name]
            else:
                space = default_bind(problem, 1)[0]
                t = TensorInput(f"{model}.input", model, problem.tensor_shape(space))
                inputs["input"] = t
                producers = [t.name]
            if "bind" in e:
                bind = e["bind"]
                if not isinstance(bind, list) or len(bind) != len(producers):
                    raise FocusError(f"{lwhere}: layer {name}: bind {bind!r} must list one data space per 'from' "
                                     f"entry ({len(producers)})")
                bind = tuple(str(b) for b in bind)
            else:
                try:
                    bind = default_bind(problem, len(producers))
                except FocusError as exc:
                    raise FocusError(f"{lwhere}: layer {name}: {exc}") from None
            layers.append(Layer(sym, model, kind, problem, lcores, tuple(zip(producers, bind)), lwhere))
        outputs: list[str] = []
        if "outputs" in m:
            outs = m["outputs"]
            outs = [outs] if isinstance(outs, str) else outs
            if not isinstance(outs, list):
                raise FocusError(f"{where}: model {model}: outputs {outs!r}, expected a list of layer names")
            for o in outs:
                if str(o) not in local or local[str(o)] in {t.name for t in inputs.values()}:
                    raise FocusError(f"{where}: model {model}: output '{o}' is not a layer of the model")
                outputs.append(local[str(o)])
        w = Workload((model,), tuple(inputs.values()), tuple(layers), tuple(outputs), 1, source=self.src)
        if not outputs:
            w = w.with_(outputs=tuple(w.output_layers()))
        return w

    def problem(self, e: Mapping, sym: str, where: str) -> tuple[Problem, str]:
        ops = [k for k in OP_KEYS if k in e]
        if len(ops) != 1:
            raise FocusError(f"{where}: give exactly one of {', '.join(OP_KEYS)} (got {', '.join(ops) or 'none'})")
        op = ops[0]
        spec = e[op]
        kind = e.get("kind")
        if kind is not None and kind not in LAYER_KINDS:
            raise FocusError(f"{where}: kind '{kind}' is not one of {', '.join(LAYER_KINDS)}")
        w = f"{where}: {op}"
        if op == "conv2d":
            d = _dims(spec, ("C", "M", "P", "Q", "R", "S"), {"N": 1, "stride": 1, "dilation": 1, "groups": 1}, w)
            p = conv_problem(sym, d["C"], d["M"], d["P"], d["Q"], d["R"], d["S"], d["N"], d["stride"], d["dilation"],
                             d["groups"])
            return p, kind or ("depthwise" if d["groups"] == d["C"] == d["M"] > 1 else "conv2d")
        if op == "depthwise":
            d = _dims(spec, ("C", "P", "Q", "R", "S"), {"N": 1, "stride": 1, "dilation": 1}, w)
            p = conv_problem(sym, d["C"], d["C"], d["P"], d["Q"], d["R"], d["S"], d["N"], d["stride"], d["dilation"],
                             d["C"])
            return p, kind or "depthwise"
        if op == "matmul":
            d = _dims(spec, ("M", "K", "N"), {"batch": 1}, w)
            return matmul_problem(sym, d["M"], d["K"], d["N"], d["batch"]), kind or "matmul"
        if op == "pool":
            d = _dims(spec, ("C", "P", "Q", "R", "S"), {"N": 1, "stride": 1}, w)
            return pool_problem(sym, d["C"], d["P"], d["Q"], d["R"], d["S"], d["N"], d["stride"]), kind or "pool"
        if op == "add":
            if not isinstance(spec, Mapping) or not spec:
                raise FocusError(f"{w}: expected a mapping of dimension sizes, e.g. {{N: 1, C: 64, Q: 56, P: 56}}")
            shape = {str(k): _posint(v, f"{w}: {k}") for k, v in spec.items()}
            frm = e.get("from")
            n = len(frm) if isinstance(frm, list) else 2
            names = tuple(chr(ord("A") + i) for i in range(max(n, 2)))
            return elementwise(sym, shape, names), kind or "add"
        if op == "concat":
            if not isinstance(spec, Mapping) or not spec:
                raise FocusError(f"{w}: expected dimension sizes with one list (the axis), e.g. "
                                 "{N: 1, C: [64, 32], Q: 28, P: 28}")
            axes = [k for k, v in spec.items() if isinstance(v, list)]
            if len(axes) != 1:
                raise FocusError(f"{w}: exactly one dimension must list the per-operand extents (got "
                                 f"{len(axes)})")
            for k, v in spec.items():
                for x in (v if isinstance(v, list) else [v]):
                    _posint(x, f"{w}: {k}")
            return concat_problem(sym, {str(k): v for k, v in spec.items()}, str(axes[0])), kind or "concat"
        if op == "problem":
            if isinstance(spec, str):
                try:
                    p = Problem.from_text(spec, sym)
                except ValueError as exc:
                    raise FocusError(f"{w}: {exc}") from None
            else:
                p = problem_from_yaml(spec, source=w, name=sym)
            return p, kind or infer_kind(p)
        if op == "file":
            f = self.rel(spec)
            if not f.is_file():
                raise FocusError(f"{w}: no problem file {f}")
            p = load_problem(f, name=sym)
            return p, kind or infer_kind(p)
        # bank
        p, _ = self.bank.load(str(spec), where)
        p = Problem(sym, p.dims, p.bounds, p.data_spaces, p.coefficients)
        return p, kind or infer_kind(p)


def load_task(path: str | Path, data: Mapping, *, layer_bank: str | Path | None = None, seq_len: int | None = None,
              cores: int | None = None) -> tuple[Workload, dict[str, Any]]:
    """Our task format as a Workload plus its top-level settings (batch, arch, mesh, ...; hyphenated keys)."""
    reader = _TaskReader(path, data, layer_bank, seq_len, cores)
    wl, top = reader.read()
    settings = dict(top)
    if "arch" in settings and isinstance(settings["arch"], str):
        a = settings["arch"]
        from frontend.device import PRESETS

        if a not in PRESETS or reader.rel(a).exists():
            settings["arch"] = str(reader.rel(a))
    return wl, settings

"""The original FOCUS inputs, unchanged: task spec (`benchmark/*.yaml`) + layer bank (`database/`).

A task spec maps each model to a list of single-entry maps `{<model>_layer<N>: <cores>}` (file order).
Each layer's problem is `<bank>/<modeldir>/<layer>.yaml` (modeldir = the text before the last `_`, as the
original's greedy regex; a flat `<bank>/<layer>.yaml` is also accepted), a Timeloop v0.3 problem.
The layer bank is `--layer-bank DIR`, by default the `database/` folder beside the task's folder.
Dependencies are the original implicit chain: `X_layerN` reads `X_layer(N-1)` when that layer is in the
same model's list; otherwise it reads a new model input. The bank's `arch/` (Simba-like Timeloop arch),
`constraints/` and `mapper/` files come along (the device is built from `arch/`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from focus_tools.errors import FocusError
from frontend.problem import Problem
from frontend.timeloop_yaml import doc_kinds, line_of, load_problem, load_yaml, yaml_files
from frontend.workload import Layer, TensorInput, Workload, activation_space, infer_kind

_MODELDIR_RE = re.compile(r"^(.+)_")
_NUMBER_RE = re.compile(r"^(.*?)(\d+)$")


def is_focus_task(data: Any) -> bool:
    """A mapping of model -> list of single-entry mappings (the original task spec)."""
    if not isinstance(data, dict) or not data:
        return False
    for v in data.values():
        if v is None:
            continue
        if not isinstance(v, list):
            return False
        if not all(isinstance(e, dict) and len(e) == 1 for e in v):
            return False
    return True


def default_layer_bank(task_path: str | Path) -> Path:
    """The `database/` folder beside the task's folder (`benchmark/` and `database/` are siblings)."""
    return Path(task_path).absolute().parent.parent / "database"


def parse_cores(value: Any, where: str) -> int:
    """A positive integer, or `auto` (-> 0: the search chooses)."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FocusError(f"{where}: cores {value!r}, expected a positive integer or auto")
    return value


class LayerBank:
    """Problem files of a FOCUS layer bank, loaded once each."""

    def __init__(self, root: Path, given: bool):
        self.root = root
        self.given = given
        self._cache: dict[str, tuple[Problem, str]] = {}

    def path_of(self, layer: str) -> Path | None:
        m = _MODELDIR_RE.match(layer)
        cands = []
        if m:
            cands.append(self.root / m.group(1) / f"{layer}.yaml")
        cands.append(self.root / f"{layer}.yaml")
        for c in cands:
            if c.is_file():
                return c
        return None

    def load(self, layer: str, where: str) -> tuple[Problem, str]:
        if layer in self._cache:
            return self._cache[layer]
        if not self.root.is_dir():
            if self.given:
                raise FocusError(f"{where}: layer {layer}: layer bank {self.root} is not a folder")
            raise FocusError(f"{where}: layer {layer}: no layer bank at {self.root} (the default: database/ "
                             "beside the task's folder); pass --layer-bank DIR")
        path = self.path_of(layer)
        if path is None:
            m = _MODELDIR_RE.match(layer)
            rel = f"{m.group(1)}/{layer}.yaml" if m else f"{layer}.yaml"
            raise FocusError(f"{where}: layer {layer}: no file {rel} in layer bank {self.root}")
        problem = load_problem(path, name=layer)
        self._cache[layer] = (problem, str(path))
        return self._cache[layer]


def bank_timeloop_files(bank: Path) -> tuple[Path | None, list[Path]]:
    """The bank's Timeloop arch folder (if it holds an architecture) and its constraint/mapper files."""
    arch_dir = bank / "arch"
    arch = None
    if arch_dir.is_dir():
        for f in yaml_files([arch_dir]):
            if "architecture" in doc_kinds(load_yaml(f)):
                arch = arch_dir
                break
    extra: list[Path] = []
    for sub in ("constraints", "mapper"):
        d = bank / sub
        if d.is_dir():
            for f in yaml_files([d]):
                data = load_yaml(f)  # syntax errors surface here, with file and line
                kinds = doc_kinds(data)
                if data is not None and not kinds:
                    keys = ", ".join(map(str, data)) if isinstance(data, dict) else type(data).__name__
                    raise FocusError(f"{f}: not a Timeloop constraints/mapper file (top-level keys: {keys})")
                extra.append(f)
    return arch, extra


def load_focus_task(path: str | Path, data: Any, layer_bank: str | Path | None = None,
                    cores: int | None = None) -> Workload:
    """A FOCUS task spec (already parsed by `timeloop_yaml.load_yaml`) as a Workload."""
    src = str(path)
    if not is_focus_task(data):
        raise FocusError(f"{src}:{line_of(data, 1)}: expected a FOCUS task 'model: [{{<model>_layer<N>: <cores>}}, "
                         "...]'")
    bank = LayerBank(Path(layer_bank) if layer_bank is not None else default_layer_bank(path), layer_bank is not None)
    inputs: list[TensorInput] = []
    layers: list[Layer] = []
    models: list[str] = []
    first_line: dict[str, int] = {}
    for model, entries in data.items():
        model = str(model)
        models.append(model)
        entries = entries or []
        names_in_model: dict[str, int] = {}
        parsed: list[tuple[str, int, Problem, str]] = []
        for entry in entries:
            line = line_of(entry, line_of(entries, 1))
            where = f"{src}:{line}"
            (name, k), = entry.items()
            name = str(name)
            if name in first_line:
                raise FocusError(f"{where}: layer {name} is listed twice (first at line {first_line[name]})")
            first_line[name] = line
            k = parse_cores(k, f"{where}: layer {name}") if cores is None else cores
            problem, _ = bank.load(name, where)
            names_in_model[name] = len(parsed)
            parsed.append((name, k, problem, where))
        n_inputs = 0
        for name, k, problem, where in parsed:
            space = activation_space(problem)
            m = _NUMBER_RE.match(name)
            prev = f"{m.group(1)}{int(m.group(2)) - 1}" if m else None
            if prev is not None and prev in names_in_model:
                producer = prev
            else:
                producer = f"{model}.input" if n_inputs == 0 else f"{name}.input"
                n_inputs += 1
                inputs.append(TensorInput(producer, model, problem.tensor_shape(space)))
            layers.append(Layer(name, model, infer_kind(problem), problem, k, ((producer, space),), where))
    if not layers:
        raise FocusError(f"{src}: the task lists no layers")
    files: list[str] = []
    if bank.root.is_dir():
        arch, extra = bank_timeloop_files(bank.root)
        if arch is not None:
            files.append(str(arch.absolute()))
        files += [str(f.absolute()) for f in extra]
    return Workload(tuple(models), tuple(inputs), tuple(layers), (), 1, source=src, timeloop_files=tuple(files))

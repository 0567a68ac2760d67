"""Placement problems built from an original FOCUS task spec (`benchmark/*.yaml` + layer bank).

No dataflow search runs here: traffic follows a fixed output-channel split, an estimate good enough to
compare placers on the original workloads. Per layer with K workers (the task's core count):
* the weight source sends Weights/K flits to each worker (K unicasts);
* the input source (first layer of a model in the task) or the producer's sink multicasts the whole
  Inputs tensor to all K workers;
* each worker sends Outputs/K flits to the sink.
Groups follow the original's clusters: weight source, first-layer input source, one group per
worker, and the sink together with the next layer's input source. Volumes are summed over batches
(weights are re-streamed every batch, as in the original).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import yaml

from focus_tools.errors import FocusError
from frontend.problem import problem_from_yaml
from passes.placement.problem import PE, Group, Message, PlacementProblem

_LAYER_RE = re.compile(r"^(.+)_layer(\d+)$")


def read_focus_task(path: Path) -> list[tuple[str, str, int]]:
    """[(model, layer name, cores)] in file order."""
    try:
        data = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise FocusError(f"{path}: cannot read task spec ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise FocusError(f"{path}: expected 'model: [{{<model>_layer<N>: <cores>}}, ...]'")
    out = []
    for model, entries in data.items():
        for entry in entries or []:
            if not isinstance(entry, dict) or len(entry) != 1:
                raise FocusError(f"{path}: entry {entry!r} under '{model}', expected '<layer>: <cores>'")
            (layer, cores), = entry.items()
            if not isinstance(cores, int) or cores < 1:
                raise FocusError(f"{path}: layer {layer} has cores {cores!r}, expected a positive integer")
            out.append((str(model), str(layer), cores))
    return out


def _flits(words: int, flit_bits: int) -> int:
    return math.ceil(words * 8 / flit_bits)


def problem_from_focus_task(task_path: Path, database: Path, width: int, height: int,
                            memory_pes: tuple[PE, ...], *, flit_bits: int = 1024, batch: int = 1,
                            memory_hosts_compute: bool = False) -> PlacementProblem:
    entries = read_focus_task(task_path)
    present = {layer for _, layer, _ in entries}
    groups: list[Group] = []
    messages: list[Message] = []
    sink_of: dict[str, str] = {}
    for model, layer, cores in entries:
        match = _LAYER_RE.match(layer)
        if not match:
            raise FocusError(f"{task_path}: layer name '{layer}', expected '<model>_layer<N>'")
        model_dir, number = match.group(1), int(match.group(2))
        spec = Path(database) / model_dir / f"{layer}.yaml"
        try:
            prob = problem_from_yaml(yaml.safe_load(spec.read_text()), str(spec), layer)
        except OSError:
            raise FocusError(f"{task_path}: layer file {spec} not found") from None
        producer = f"{model_dir}_layer{number - 1}"
        wsrc = f"{layer}.wsrc"
        groups.append(Group(wsrc, layer, model, "source", True))
        if producer in present and producer in sink_of:
            in_from = sink_of[producer]
        else:
            in_from = f"{layer}.insrc"
            groups.append(Group(in_from, layer, model, "source", True))
        workers = [f"{layer}.w{i}" for i in range(cores)]
        groups.extend(Group(w, layer, model, "worker") for w in workers)
        sink = f"{layer}.sink"
        groups.append(Group(sink, layer, model, "sink"))
        sink_of[layer] = sink
        w_flits = _flits(math.ceil(prob.tensor_size("Weights") / cores), flit_bits) * batch
        i_flits = _flits(prob.tensor_size("Inputs"), flit_bits) * batch
        o_flits = _flits(math.ceil(prob.tensor_size("Outputs") / cores), flit_bits) * batch
        messages.extend(Message(wsrc, (w,), w_flits) for w in workers)
        messages.append(Message(in_from, tuple(workers), i_flits))
        messages.extend(Message(w, (sink,), o_flits) for w in workers)
    return PlacementProblem(width, height, tuple(memory_pes), tuple(groups), tuple(messages),
                            memory_hosts_compute, str(task_path))

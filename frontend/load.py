"""One entry point for every input: `load_workload(path_or_model, ...)` -> a validated Workload.

Dispatch: `.onnx` -> ONNX import; YAML -> our task format (`models:` mapping), the original FOCUS task
spec (model -> [{layer: cores}]) or a single Timeloop problem; otherwise a model-zoo name.
Settings resolve as: command-line option > the task file > the input's own (FOCUS: the layer bank's
`arch/` folder) > defaults (8x8 `focus` device, batch 1). When no mesh was given, the default mesh grows
to the smallest square that holds the largest layer's cores; when it was given, a layer asking for more
cores than the mesh can run is an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from focus_tools.errors import FocusError
from frontend.device import load_device_info
from frontend.workload import Layer, TensorInput, Workload, activation_space, grow_mesh_for, infer_kind

INPUT_HELP = "a task YAML (ours or FOCUS's), a Timeloop problem YAML, an ONNX file, or a zoo model name"


def _single_problem(path: Path, data: Any, cores: int) -> Workload:
    from frontend.timeloop_yaml import problem_from_doc

    name = path.stem
    problem = problem_from_doc(data, str(path), name)
    space = activation_space(problem)
    inp = TensorInput(f"{name}.input", name, problem.tensor_shape(space))
    layer = Layer(name, name, infer_kind(problem), problem, cores, ((inp.name, space),), str(path))
    return Workload((name,), (inp,), (layer,), (), 1, source=str(path))


def _check_batch(batch: Any, where: str) -> int:
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise FocusError(f"{where}: batch {batch!r}, expected a positive integer")
    return batch


def load_workload(path_or_model: str | Path, *, layer_bank: str | Path | None = None, arch: str | Path | None = None,
                  batch: int | None = None, seq_len: int | None = None, mesh: str | None = None,
                  cores: int | None = None, data: bytes | None = None) -> Workload:
    """Read any supported input into a validated Workload with its device.

    `data` gives the file content directly (focus-opt reading stdin); the suffix of `path_or_model`
    still selects the reader. `cores` (K >= 1, or 0 for auto) overrides every layer's core budget.
    """
    from frontend.focus_task import is_focus_task, load_focus_task
    from frontend.task import is_task, load_task
    from frontend.timeloop_yaml import doc_kinds, load_yaml, parse_yaml_text
    from frontend.zoo import is_zoo_model, zoo_names, zoo_workload

    if seq_len is not None and (isinstance(seq_len, bool) or not isinstance(seq_len, int) or seq_len < 1):
        raise FocusError(f"--seq-len {seq_len!r}, expected a positive integer")
    if cores is not None and (isinstance(cores, bool) or not isinstance(cores, int) or cores < 0):
        raise FocusError(f"--cores {cores!r}, expected a positive integer (or 0 for auto)")
    src = str(path_or_model)
    path = Path(src)
    settings: dict[str, Any] = {}
    arch_default: str | None = None
    if data is not None or path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".onnx":
            from frontend.onnx_import import load_onnx

            wl = load_onnx(path, seq_len=seq_len, cores=cores or 0, data=data)
        else:
            doc = parse_yaml_text(data.decode("utf-8", "replace"), src) if data is not None else load_yaml(path)
            if is_task(doc):
                wl, settings = load_task(path, doc, layer_bank=layer_bank, seq_len=seq_len, cores=cores)
            elif is_focus_task(doc):
                wl = load_focus_task(path, doc, layer_bank, cores=cores)
            elif "problem" in doc_kinds(doc):
                wl = _single_problem(path, doc, cores or 0)
            elif isinstance(doc, dict) and ("architecture" in doc or "device" in doc):
                raise FocusError(f"{src}: is an architecture; pass it with --arch and give {INPUT_HELP}")
            else:
                raise FocusError(f"{src}: not a task (expected 'models:' (focus format), 'model: [{{layer: cores}}]' "
                                 "(FOCUS) or a Timeloop 'problem:')")
        for f in wl.timeloop_files:  # a FOCUS layer bank's arch/ folder (FOCUS passes it to Timeloop)
            if Path(f).is_dir():
                arch_default = f
                break
    elif path.is_dir():
        raise FocusError(f"{src}: is a folder; give {INPUT_HELP}")
    elif is_zoo_model(src):
        wl = zoo_workload(src, seq_len=seq_len, cores=cores or 0)
    else:
        raise FocusError(f"{src}: no such file and not a zoo model (zoo: {', '.join(zoo_names())})")
    eff_batch = batch if batch is not None else settings.get("batch", 1)
    eff_batch = _check_batch(eff_batch, "--batch" if batch is not None else src)
    eff_arch = arch if arch is not None else settings.get("arch", arch_default)
    eff_mesh = mesh if mesh is not None else settings.get("mesh")
    device, mesh_known = load_device_info(eff_arch, eff_mesh)
    wl = wl.with_(batch=eff_batch, device=device, mesh_known=mesh_known)
    wl.validate()
    if mesh_known:
        wl.check_cores()
    else:
        wl = grow_mesh_for(wl)
    return wl

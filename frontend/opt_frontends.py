"""Input frontends for `focus-opt`: `.yaml`/`.yml` (tasks, Timeloop problems) and `.onnx` -> tensor_op.

Each frontend takes the input stream (a file opened by focus-opt, or stdin with `--frontend`) and
returns the verified module that `focus import` would print, with the default settings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

from xdsl.dialects.builtin import ModuleOp


def _module(stream: IO[bytes], suffix: str) -> ModuleOp:
    from frontend.load import load_workload
    from frontend.to_ir import workload_to_module

    name = getattr(stream, "name", None)
    if isinstance(name, str) and Path(name).is_file():
        workload = load_workload(name)
    else:
        workload = load_workload(f"<stdin>{suffix}", data=stream.read())
    return workload_to_module(workload)


def get_all_frontends() -> dict[str, Callable[[IO[bytes]], ModuleOp]]:
    """File extension -> frontend."""
    return {
        "yaml": lambda s: _module(s, ".yaml"),
        "yml": lambda s: _module(s, ".yml"),
        "onnx": lambda s: _module(s, ".onnx"),
    }

"""A tiny FOCUS-format task (task spec + layer bank of Timeloop v0.3 conv problems) written into a folder."""

from __future__ import annotations

from pathlib import Path

import yaml

# model -> [(C, M, R, S, P, Q, cores)], chained in order
TINY_MODELS = {
    "tinycnn": [(4, 8, 3, 3, 6, 6, 2), (8, 8, 3, 3, 4, 4, 2), (8, 16, 1, 1, 4, 4, 1)],
    "tinymlp": [(64, 32, 1, 1, 1, 1, 2), (32, 10, 1, 1, 1, 1, 1)],
}


def conv_problem_doc(C: int, M: int, R: int, S: int, P: int, Q: int) -> dict:
    """A Timeloop v0.3 CNN-layer problem (the FOCUS layer-bank format)."""
    return {"problem": {
        "instance": {"C": C, "M": M, "R": R, "S": S, "N": 1, "P": P, "Q": Q,
                     "Wstride": 1, "Hstride": 1, "Wdilation": 1, "Hdilation": 1},
        "shape": {
            "name": "CNN-Layer",
            "dimensions": ["C", "M", "R", "S", "N", "P", "Q"],
            "coefficients": [{"name": n, "default": 1} for n in ("Wstride", "Hstride", "Wdilation", "Hdilation")],
            "data-spaces": [
                {"name": "Weights", "projection": [[["C"]], [["M"]], [["R"]], [["S"]]]},
                {"name": "Inputs", "projection": [[["N"]], [["C"]], [["R", "Wdilation"], ["P", "Wstride"]],
                                                  [["S", "Hdilation"], ["Q", "Hstride"]]]},
                {"name": "Outputs", "projection": [[["N"]], [["M"]], [["Q"]], [["P"]]], "read-write": True},
            ],
        },
    }}


def write_tiny_task(root: Path, models: dict | None = None) -> Path:
    """`root/benchmark/tiny.yaml` and `root/database/<model>/<model>_layer<N>.yaml`; returns the task path."""
    models = TINY_MODELS if models is None else models
    spec: dict[str, list] = {}
    for model, layers in models.items():
        folder = root / "database" / model
        folder.mkdir(parents=True, exist_ok=True)
        spec[model] = []
        for i, (C, M, R, S, P, Q, cores) in enumerate(layers, start=1):
            name = f"{model}_layer{i}"
            (folder / f"{name}.yaml").write_text(yaml.safe_dump(conv_problem_doc(C, M, R, S, P, Q), sort_keys=False))
            spec[model].append({name: cores})
    task = root / "benchmark" / "tiny.yaml"
    task.parent.mkdir(parents=True, exist_ok=True)
    task.write_text(yaml.safe_dump(spec, sort_keys=False))
    return task

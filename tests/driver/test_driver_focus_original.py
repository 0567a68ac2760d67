"""The original FOCUS `test.yaml` task runs under both presets, and `focus` beats `focus-original`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from driver_helpers import cache_env

ROOT = Path(__file__).resolve().parents[2]
TASK = ROOT.parent / "shared" / "focus-data" / "benchmark" / "test.yaml"


@pytest.mark.skipif(not TASK.is_file(), reason="../shared/focus-data is absent")
def test_compare_on_focus_test_task(tmp_path, capsys):
    from focus_tools.cli import main

    with cache_env(tmp_path / "cache"):
        code = main(["compare", str(TASK), "--link-bits", "256", "--json", "--no-progress"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    reports = doc["presets"] if "presets" in doc else doc
    focus, original = reports["focus"], reports["focus-original"]
    assert focus["mesh"] == original["mesh"]
    assert focus["compute_lower_bound"] == original["compute_lower_bound"] > 0
    assert focus["total_cycles"] >= focus["compute_lower_bound"]
    assert focus["slowdown"] < original["slowdown"]

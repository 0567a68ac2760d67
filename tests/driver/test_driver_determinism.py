"""Same inputs and seed give byte-identical outputs, across processes with different hash seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from driver_helpers import TINY_TASK

ROOT = Path(__file__).resolve().parents[2]


def _run(out: Path, hashseed: str, cache: Path) -> None:
    env = dict(os.environ, PYTHONHASHSEED=hashseed, FOCUS_CACHE_DIR=str(cache))
    res = subprocess.run([sys.executable, "-m", "focus_tools.cli", "run", str(TINY_TASK), "--out", str(out),
                          "--no-progress"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert res.returncode == 0, res.stderr


def test_focus_run_outputs_are_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _run(a, "1", tmp_path / "cache_a")
    _run(b, "987", tmp_path / "cache_b")
    for name in ("report.json", "report.md", "trace.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name

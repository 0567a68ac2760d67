"""Shared helpers of the frontend tests (paths to the reference data, running the CLI in-process)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
FOCUS_DATA = SHARED / "focus-data"
TIMELOOP_REF = SHARED / "timeloop-ref"
DATA = Path(__file__).resolve().parent / "data"
MINI_TASK = DATA / "focus" / "benchmark" / "mini.yaml"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"reference data {path} is absent")
    return path


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run `focus ARGV` in-process; (exit code, stdout, stderr)."""
    from focus_tools.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse errors
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], (n, lines[0])

"""Fixtures of the driver-output tests: one `focus run` of a tiny task shared by the tests that read its files."""

from __future__ import annotations

import pytest
from driver_helpers import TINY_TASK


def pytest_configure(config):
    config.addinivalue_line("markers", "dask: starts a local Dask cluster (a few seconds)")


@pytest.fixture(scope="session")
def focus_cache(tmp_path_factory):
    """FOCUS_CACHE_DIR in a temporary folder for the whole session (Dask workers inherit it)."""
    path = tmp_path_factory.mktemp("focus-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOCUS_CACHE_DIR", str(path))
        yield path


@pytest.fixture(scope="session")
def run_out(tmp_path_factory, focus_cache):
    """`focus run TINY_TASK --out DIR`: (DIR, exit code, stdout, stderr)."""
    import contextlib
    import io

    from focus_tools.cli import main

    out = tmp_path_factory.mktemp("run") / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["run", str(TINY_TASK), "--out", str(out), "--no-progress"])
    return out, code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="session")
def compiled_runs(focus_cache):
    """preset -> (compiled, program, result, report) of the tiny task, compiled and simulated in-process."""
    from focus_tools.driver import RunOptions, build_report, compile_workload, load, simulate

    runs = {}
    for preset in ("focus", "focus-original"):
        opts = RunOptions(task=str(TINY_TASK), preset=preset, progress=False)
        compiled = compile_workload(load(opts), opts, on_ir=lambda stage, text: None)
        program, result = simulate(compiled, opts)
        runs[preset] = (compiled, program, result, build_report(compiled, result, opts))
    return runs

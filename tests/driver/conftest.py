"""Fixtures of the driver-output tests: one `focus run` of a tiny task shared by the tests that read its files."""

from __future__ import annotations

import pytest
from driver_helpers import TINY_TASK, cache_env


def pytest_configure(config):
    config.addinivalue_line("markers", "dask: starts a local Dask cluster (a few seconds)")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    """The FOCUS_CACHE_DIR of these tests (set around each test and each shared run, never left set)."""
    return tmp_path_factory.mktemp("focus-cache")


@pytest.fixture
def focus_cache(cache_dir, monkeypatch):
    """FOCUS_CACHE_DIR for one test (Dask workers started by the test inherit it)."""
    monkeypatch.setenv("FOCUS_CACHE_DIR", str(cache_dir))
    return cache_dir


@pytest.fixture(scope="session")
def run_out(tmp_path_factory, cache_dir):
    """`focus run TINY_TASK --out DIR`: (DIR, exit code, stdout, stderr)."""
    import contextlib
    import io

    from focus_tools.cli import main

    out = tmp_path_factory.mktemp("run") / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with cache_env(cache_dir), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["run", str(TINY_TASK), "--out", str(out), "--no-progress"])
    return out, code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="session")
def compiled_runs(cache_dir):
    """preset -> (compiled, program, result, report) of the tiny task, compiled and simulated in-process."""
    from focus_tools.driver import RunOptions, build_report, compile_workload, load, simulate

    runs = {}
    with cache_env(cache_dir):
        for preset in ("focus", "focus-original"):
            opts = RunOptions(task=str(TINY_TASK), preset=preset, progress=False)
            compiled = compile_workload(load(opts), opts, on_ir=lambda stage, text: None)
            program, result = simulate(compiled, opts)
            runs[preset] = (compiled, program, result, build_report(compiled, result, opts))
    return runs

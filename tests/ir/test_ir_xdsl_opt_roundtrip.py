"""Plain `xdsl-opt` (the installed entry point) round-trips every test_lit/**/*_ops.mlir: generic print,
re-parse, custom print gives exactly what focus-opt prints for the file."""

from __future__ import annotations

import subprocess

import pytest
from ir_helpers import REPO, VENV_BIN

from focus_tools.focus_opt import FocusOptMain

OPS_FILES = sorted((REPO / "test_lit").rglob("*_ops.mlir"))


def xdsl_opt(*args: str, stdin: str | None = None) -> str:
    res = subprocess.run([str(VENV_BIN / "xdsl-opt"), *args], input=stdin, capture_output=True, text=True, check=False,
                         cwd=REPO, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_every_dialect_has_an_ops_file():
    names = {p.name for p in OPS_FILES}
    for d in ("chip", "tensor_op", "tiled_subop", "placed_subop", "routed_message", "pe_isa"):
        assert f"{d}_ops.mlir" in names


@pytest.mark.parametrize("path", OPS_FILES, ids=[str(p.relative_to(REPO / "test_lit")) for p in OPS_FILES])
def test_plain_xdsl_opt_roundtrip(path, capsys):
    generic = xdsl_opt(str(path), "--split-input-file", "--print-op-generic")
    assert '"builtin.module"() ({' in generic
    custom = xdsl_opt("--split-input-file", stdin=generic)
    FocusOptMain(args=[str(path), "--split-input-file"]).run()
    assert custom == capsys.readouterr().out

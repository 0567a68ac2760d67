"""focus-opt in-process and as installed scripts, `focus --help`, and import layering."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from ir_helpers import LIT_DIALECTS, REPO, VENV_BIN

from focus_dialects import get_all_dialects
from focus_tools import registry
from focus_tools.focus_opt import FocusOptMain

EXAMPLE = LIT_DIALECTS / "pe_isa_ops.mlir"


def test_focus_opt_registers_everything():
    opt = FocusOptMain(args=[str(EXAMPLE)])
    assert set(get_all_dialects()) <= set(opt.ctx.registered_dialect_names)
    assert {"builtin", "func", "arith"} <= set(opt.ctx.registered_dialect_names)
    assert set(registry.get_all_passes()) <= set(opt.available_passes)
    assert set(registry.get_all_targets()) <= set(opt.available_targets)


def test_focus_opt_prints_custom_form(capsys):
    FocusOptMain(args=[str(EXAMPLE), "--split-input-file"]).run()
    out = capsys.readouterr().out
    assert out.startswith("builtin.module {\n  chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>]")
    assert '    pe_isa.block "conv1.w0" {\n      pe_isa.recv tag 0\n      pe_isa.loop count 2 {\n' in out
    assert out.count("pe_isa.program on") == 4


def test_focus_opt_generic_output_reparses_identically(capsys, tmp_path):
    FocusOptMain(args=[str(EXAMPLE), "--print-op-generic"]).run()
    generic = capsys.readouterr().out
    assert '"pe_isa.program"() <{pe = #chip.pe<1, 0>}> ({' in generic
    path = tmp_path / "generic.mlir"
    path.write_text(generic)
    FocusOptMain(args=[str(path)]).run()
    custom = capsys.readouterr().out
    FocusOptMain(args=[str(EXAMPLE)]).run()
    assert capsys.readouterr().out == custom


def test_focus_opt_verify_diagnostics(capsys):
    FocusOptMain(args=[str(LIT_DIALECTS / "routed_message_invalid.mlir"), "--split-input-file",
                       "--verify-diagnostics"]).run()
    out = capsys.readouterr().out
    chunks = out.split("// -----\n")
    assert len(chunks) == 10
    assert chunks[4].splitlines()[0] == "'routed_message.message' @m.twice lists destination <1, 0> twice"


@pytest.mark.parametrize("script", ["focus-opt", "focus"])
def test_scripts_help(script):
    res = subprocess.run([str(VENV_BIN / script), "--help"], capture_output=True, text=True, check=False, cwd=REPO, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("usage:")
    assert not res.stderr


LAYERING = """
import json, sys
for m in sys.argv[1:]:
    __import__(m)
print(json.dumps(sorted(sys.modules)))
"""


def imported_by(*modules: str) -> set[str]:
    res = subprocess.run([sys.executable, "-c", LAYERING, *modules], capture_output=True, text=True, check=False, cwd=REPO,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    return set(json.loads(res.stdout))


def heavy(mods: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(m for m in mods if m.split(".")[0] in roots or m.startswith("focus_tools.commands"))


def test_dialects_do_not_import_passes_backend_or_commands():
    mods = imported_by("focus_dialects", *(f"focus_dialects.{d}" for d in get_all_dialects()))
    assert "focus_dialects.pe_isa" in mods
    assert heavy(mods, ("passes", "backend_sim")) == []


def test_problem_does_not_import_passes_or_backend():
    mods = imported_by("frontend.problem")
    assert "frontend.problem" in mods
    assert heavy(mods, ("passes", "backend_sim")) == []


def test_loading_the_plugin_does_not_import_numba():
    """Every plain xdsl-opt start loads focus_dialects.universe; it must stay light (no numba JIT import)."""
    mods = imported_by("focus_dialects.universe")
    assert "focus_tools.registry" in mods
    assert sorted(m for m in mods if m.split(".")[0] == "numba") == []

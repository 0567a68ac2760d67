"""The registries: focus's dialects, passes and targets, and their place in xDSL's multiverse."""

from __future__ import annotations

import importlib
import subprocess

from ir_helpers import REPO, VENV_BIN
from xdsl.ir import Dialect
from xdsl.passes import ModulePass
from xdsl.universe import XDSL_UNIVERSE, Universe

from focus_dialects import get_all_dialects
from focus_dialects.universe import FOCUS_UNIVERSE
from focus_tools import registry

DIALECTS = ["chip", "tensor_op", "tiled_subop", "placed_subop", "routed_message", "pe_isa"]


def test_dialects_in_lowering_order():
    assert list(get_all_dialects()) == DIALECTS


def test_each_dialect_factory_builds_its_dialect():
    for name, factory in get_all_dialects().items():
        dialect = factory()
        assert isinstance(dialect, Dialect)
        assert dialect.name == name
        ops = [op.name for op in dialect.operations]
        attrs = [a.name for a in dialect.attributes]
        assert ops or attrs
        for n in ops + attrs:
            assert n.startswith(name + "."), n
        assert len(set(ops)) == len(ops)


def test_pass_modules_are_named_after_their_pass():
    for name, (module, _) in registry.PASSES.items():
        assert module == "passes." + name.replace("-", "_"), name


def test_available_passes_load_and_carry_their_name():
    passes = registry.get_all_passes()
    assert set(passes) <= set(registry.PASSES)
    for name, factory in passes.items():
        cls = factory()
        assert issubclass(cls, ModulePass), name
        assert cls.name == name


def test_available_targets_load_and_carry_their_name():
    targets = registry.get_all_targets()
    assert set(targets) <= set(registry.TARGETS)
    for name, factory in targets.items():
        assert factory().name == name


def test_registry_lists_only_importable_modules():
    for name in registry.get_all_passes():
        assert importlib.util.find_spec(registry.PASSES[name][0]) is not None


def test_focus_universe_matches_the_registries():
    assert list(FOCUS_UNIVERSE.all_dialects) == DIALECTS
    assert set(FOCUS_UNIVERSE.all_passes) == set(registry.get_all_passes())
    assert set(FOCUS_UNIVERSE.all_targets) == set(registry.get_all_targets())


def test_no_name_clashes_with_xdsl():
    """A duplicate name across plugins is a hard error in get_multiverse (plain xdsl-opt would not start)."""
    assert not set(FOCUS_UNIVERSE.all_dialects) & set(XDSL_UNIVERSE.all_dialects)
    assert not set(FOCUS_UNIVERSE.all_passes) & set(XDSL_UNIVERSE.all_passes)
    assert not set(FOCUS_UNIVERSE.all_targets) & set(XDSL_UNIVERSE.all_targets)
    multiverse = Universe.get_multiverse()
    for name in DIALECTS:
        assert multiverse.all_dialects[name]().name == name
    for name in FOCUS_UNIVERSE.all_passes:
        assert multiverse.all_passes[name]().name == name
    for name in FOCUS_UNIVERSE.all_targets:
        assert name in multiverse.all_targets


def test_the_plugin_entry_point_is_installed():
    from importlib.metadata import entry_points

    points = {p.name: p.value for p in entry_points(group="xdsl.universe")}
    assert points.get("focus") == "focus_dialects.universe:FOCUS_UNIVERSE"


def test_plain_xdsl_opt_starts_and_parses_focus_ir():
    text = ('chip.device @d mesh 2 x 1 memory [<0, 0>] link 64 flit 64 macs 16 {word_bits = 8 : i64, '
            'num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, '
            'dram_bytes_per_cycle = 8.0 : f64, dram_latency = 20 : i64}\n'
            'pe_isa.program on <1, 0> {\n  pe_isa.block "b" {\n    pe_isa.compute cycles 3\n  }\n}\n')
    res = subprocess.run([str(VENV_BIN / "xdsl-opt")], input=text, capture_output=True, text=True, check=False, cwd=REPO,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert "pe_isa.compute cycles 3" in res.stdout
    assert "chip.device @d mesh 2 x 1 memory [<0, 0>]" in res.stdout

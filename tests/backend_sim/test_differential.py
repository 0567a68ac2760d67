"""The numba engine and the pure-Python reference twin must agree exactly (cycles, deliveries, stats)."""

from __future__ import annotations

from gen import configs, programs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_sim.engine import simulate
from backend_sim.reference import simulate_reference

SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck), "derandomize": True}


def _compare(prog, cfg):
    ref = simulate_reference(prog, cfg)
    eng = simulate(prog, cfg)
    a, b = ref.raw(), eng.raw()
    for key in a:
        assert a[key] == b[key], f"{key} differs: reference {a[key]} engine {b[key]} ({cfg})"
    # flit conservation: every injected packet reaches all its destinations
    if eng.finished:
        assert eng.flits_ejected == eng.flits_expected
        assert ref.flits_ejected == ref.flits_expected
    return eng


@settings(max_examples=100, **SETTINGS)
@given(st.data())
def test_engine_matches_reference_small_meshes(data):
    prog = data.draw(programs(max_side=3))
    _compare(prog, data.draw(configs(prog.width, prog.height)))


@settings(max_examples=50, **SETTINGS)
@given(st.data())
def test_engine_matches_reference_4x4(data):
    prog = data.draw(programs(max_side=4))
    _compare(prog, data.draw(configs(prog.width, prog.height)))


@settings(max_examples=40, **SETTINGS)
@given(st.data())
def test_engine_matches_reference_vc_classes(data):
    # messages in 2 or 3 VC classes: each port's VC range is split between the classes
    classes = data.draw(st.integers(2, 3))
    prog = data.draw(programs(max_side=4, max_msgs=5, vc_classes=classes))
    _compare(prog, data.draw(configs(prog.width, prog.height, min_range=classes)))


@settings(max_examples=60, **SETTINGS)
@given(st.data())
def test_engine_matches_reference_spatial_sim_core(data):
    prog = data.draw(programs(spatial=True, max_side=3))
    _compare(prog, data.draw(configs(prog.width, prog.height, spatial=True)))


@settings(max_examples=15, **SETTINGS)
@given(st.data())
def test_engine_matches_reference_compute_heavy(data):
    # many blocks per PE and long computes: lazy PE stepping, idle-cycle skipping and their statistics
    prog = data.draw(programs(max_side=4, max_msgs=10, max_compute=40, max_iters=5))
    _compare(prog, data.draw(configs(prog.width, prog.height)))


@settings(max_examples=20, **SETTINGS)
@given(st.data())
def test_event_skipping_changes_nothing(data):
    prog = data.draw(programs(max_side=3))
    cfg = data.draw(configs(prog.width, prog.height))
    a = simulate(prog, cfg, skip=True).raw()
    b = simulate(prog, cfg, skip=False).raw()
    assert a == b

"""Mapper: on every timeloop-mapper reference run, find a mapping at least as fast and within 5 % energy."""

from __future__ import annotations

import pytest
from timeloop_testutil import expected, is_mapper_run, need_refs, ref_variants, variant_files

from focus_tools.errors import FocusError
from frontend.problem import conv2d
from passes.timeloop.mapper import search
from passes.timeloop.model import evaluate, make_energy_table
from passes.timeloop.spec import (
    load_ert,
    load_yaml_files,
    parse_architecture,
    parse_constraints,
    parse_problem,
)

MAPPER_VARIANTS = [v for v in ref_variants() if is_mapper_run(v)]


def _setup(variant):
    doc, _ = load_yaml_files(variant_files(variant, with_mapping=False))
    arch = parse_architecture(doc)
    prob = parse_problem(doc)
    cons = parse_constraints(doc, arch, prob)
    energy = make_energy_table(arch, load_ert(doc))
    metrics = (doc.get("mapper") or {}).get("optimization_metrics") or ["edp"]
    objective = metrics[0] if metrics[0] in ("delay", "energy", "edp") else "edp"
    return doc, arch, prob, cons, energy, objective


@pytest.mark.parametrize("variant", MAPPER_VARIANTS)
def test_search_matches_or_beats_timeloop_mapper(variant):
    need_refs()
    _, arch, prob, cons, energy, objective = _setup(variant)
    sr = search(prob, arch, cons, energy, objective=objective, seed=0)
    exp = expected(variant)
    ref_energy = exp["energy_pJ_total_from_fJ_per_compute"]
    assert sr.result.cycles <= exp["cycles"]
    assert sr.result.energy_pJ <= 1.05 * ref_energy
    assert sr.stopped == "schedule"
    # the chosen mapping satisfies the constraints and re-evaluates to the same numbers
    again = evaluate(prob, arch, sr.mapping, energy)
    assert (again.cycles, again.energy_pJ) == (sr.result.cycles, sr.result.energy_pJ)
    for L, lc in enumerate(cons.levels):
        lm = sr.mapping.levels[L]
        for d, v in lc.temporal.exact.items():
            want = prob.bounds[d] if v == 0 or v > prob.bounds[d] else v
            assert lm.temporal[d] == want
        assert lc.keep <= lm.keep or L == arch.num_levels - 1
        assert not (lc.bypass & lm.keep) or L == arch.num_levels - 1


def test_search_is_deterministic_per_seed():
    _, arch, prob, cons, energy, _ = _setup("07_example_designs_conv_c3m32_224/simba_like")
    a = search(prob, arch, cons, energy, objective="edp", seed=3, effort=0.3)
    b = search(prob, arch, cons, energy, objective="edp", seed=3, effort=0.3)
    assert a.mapping == b.mapping
    assert (a.result.cycles, a.result.energy_pJ, a.evaluations) == (b.result.cycles, b.result.energy_pJ,
                                                                      b.evaluations)


def test_objectives_trade_delay_for_energy():
    _, arch, prob, cons, energy, _ = _setup("07_example_designs_conv_c3m32_224/eyeriss_like")
    fast = search(prob, arch, cons, energy, objective="delay", seed=1, effort=0.5)
    frugal = search(prob, arch, cons, energy, objective="energy", seed=1, effort=0.5)
    assert fast.result.cycles <= frugal.result.cycles
    assert frugal.result.energy_pJ <= fast.result.energy_pJ


def test_pinned_factors_that_do_not_divide_the_bound_are_rejected():
    doc, arch, prob, _, energy, _ = _setup("05_ex05_mapper_conv1d_oc_3level/null")
    doc = dict(doc)
    doc["mapspace_constraints"] = {"targets": [
        {"target": "GlobalBuffer", "type": "temporal", "factors": "K=3"}]}
    cons = parse_constraints(doc, arch, prob)
    with pytest.raises(FocusError, match=r"K pinned to GlobalBuffer=3.*does not divide the bound K=32"):
        search(prob, arch, cons, energy)


def test_no_valid_mapping_is_a_one_line_error():
    """Everything forced into a 64-word register file cannot fit: FocusError, no traceback."""
    doc, arch, _, _, energy, _ = _setup("05_ex05_mapper_conv1d_oc_3level/null")
    prob = conv2d("big", C=64, M=64, P=8, Q=8, R=3, S=3)
    dims = " ".join(f"{d}=1" for d in prob.dims)
    doc = {"mapspace_constraints": {"targets": [
        {"target": "MainMemory", "type": "temporal", "factors": dims},
        {"target": "GlobalBuffer", "type": "temporal", "factors": dims},
        {"target": "RegisterFile", "type": "bypass", "keep": ["Weights", "Inputs", "Outputs"]}]}}
    cons = parse_constraints(doc, arch, prob)
    with pytest.raises(FocusError) as err:
        search(prob, arch, cons, energy, effort=0.2)
    assert "no valid mapping" in str(err.value) and "\n" not in str(err.value)

"""search_layer / load_simba_focus_arch on the FOCUS Simba-like architecture, boundary traffic."""

from __future__ import annotations

import itertools

import pytest
from timeloop_testutil import FOCUS_DB

from frontend.problem import conv2d, depthwise
from passes.timeloop.api import focus_constraints, load_simba_focus_arch, search_layer
from passes.timeloop.model import evaluate
from passes.timeloop.spec import load_yaml_files, parse_problem


def _focus():
    if not FOCUS_DB.exists():
        pytest.skip("../shared/focus-data is absent")
    return load_simba_focus_arch(FOCUS_DB / "arch" / "simba_512gops_256core.yaml")


def _resnet(n):
    doc, _ = load_yaml_files([FOCUS_DB / "resnet50" / f"resnet50_layer{n}.yaml"])
    return parse_problem(doc)


def test_focus_arch_structure_and_top_fanout():
    fa = _focus()
    a = fa.for_workers(8)
    assert [lv.name for lv in a.levels] == ["PEWeightRegs", "PEAccuBuffer", "PEWeightBuffer", "PEInputBuffer",
                                          "GlobalBuffer", "DRAM"]
    assert (a.fanout_x, a.fanout_y) == ((1, 1, 1, 4, 4, 1), (1, 4, 1, 1, 4, 8))
    assert a.arithmetic.instances == 8 * 256
    assert a.levels[4].size == 65536 and a.levels[1].size == 16 and a.levels[0].cluster_size == 64
    # rewriting ws[0..K-1] and scaling a parsed architecture agree
    b = fa.for_workers(1).with_top_instances(8)
    assert (b.fanout_x, b.fanout_y, [lv.instances for lv in b.levels]) == (
        a.fanout_x, a.fanout_y, [lv.instances for lv in a.levels])


def test_zero_factor_at_top_spatial_level_means_free():
    fa = _focus()
    prob = _resnet(2)
    arch = fa.for_workers(8)
    cons = focus_constraints(fa.constraints_doc, arch, prob, "simba")
    assert (5, "C") in cons.zero_as_free
    assert cons.levels[1].spatial.exact["C"] == 4


def test_search_layer_full_utilization_and_constraints():
    fa = _focus()
    prob = _resnet(2)  # C=64 M=64 1x1, P=Q=56
    lm = search_layer(prob, fa, workers=8, objective="edp", seed=0)
    assert lm.workers_used <= 8
    assert lm.result.utilization == pytest.approx(1.0)
    assert lm.cycles == prob.macs // (8 * 256)
    lv = lm.mapping.levels
    assert lv[1].spatial["C"] == 4  # PEAccuBuffer spatial C=4
    assert lv[3].spatial["M"] == 4  # PEInputBuffer spatial M=4
    assert all(f == 1 for d, f in lv[4].spatial.items() if d not in ("C", "M"))
    assert lv[0].keep == {"Weights"} and lv[1].keep == {"Outputs"} and lv[3].keep == {"Inputs"}
    again = search_layer(prob, fa, workers=8, objective="edp", seed=0)
    assert again.mapping == lm.mapping


def test_boundary_traffic_is_consistent_with_the_counts():
    fa = _focus()
    prob = _resnet(10)  # 3x3 conv
    lm = search_layer(prob, fa, workers=8, objective="delay", seed=1)
    flows = lm.boundary_traffic()
    dram = lm.result.level("DRAM")
    glb = lm.result.level("GlobalBuffer")
    for name, fl in flows.items():
        members = sorted(i for g in fl.groups for i in g)
        assert members == list(range(lm.workers_used))
        assert fl.children == lm.workers_used
        assert fl.transfers >= 1
        assert fl.words_per_transfer * fl.transfers == pytest.approx(fl.words_per_child)
        ds = dram.dataspaces[name]
        if fl.read_write:
            assert fl.parent_updates == ds.updates
            # partial sums drained per worker = the GlobalBuffer's share (first fill elided)
            assert glb.dataspaces[name].fills == round(fl.words_per_child - glb.dataspaces[name].partition_size)
        else:
            assert fl.parent_reads == ds.reads
            assert glb.dataspaces[name].fills == pytest.approx(fl.words_per_child)
        sizes = {len(g) for g in fl.groups}
        assert len(sizes) == 1
        (m,) = sizes
        assert (fl.reduction_factor if fl.read_write else fl.multicast_factor) == m


def _point_sets(prob, lm):
    """Brute force: tensor points each worker touches at the DRAM level (independent of boundary.py)."""
    mapping = lm.mapping
    dims = list(prob.dims)
    inner = {d: 1 for d in dims}
    for L, lv in enumerate(mapping.levels):
        if L < len(mapping.levels) - 1:
            for d in dims:
                inner[d] *= lv.temporal[d] * lv.spatial[d]
    loops = lm.top_spatial_loops  # outermost first
    sets = []
    for idx in itertools.product(*[range(f) for _, f in loops]):
        origin = {d: 0 for d in dims}
        stride = dict(inner)
        for (d, f), i in zip(reversed(loops), reversed(idx)):
            origin[d] += i * stride[d]
            stride[d] *= f
        per_space = {}
        for ds in prob.data_spaces:
            pts = set()
            for p in itertools.product(*[range(origin[d], origin[d] + inner[d]) for d in dims]):
                pt = dict(zip(dims, p))
                pts.add(tuple(sum(c * pt[d] for d, c in rank) for rank in ds.projection))
            per_space[ds.name] = frozenset(pts)
        sets.append(per_space)
    return sets


def test_multicast_groups_match_brute_force():
    fa = _focus()
    prob = conv2d("small", C=8, M=8, P=4, Q=4, R=3, S=3, stride=1)
    for seed, k in ((0, 4), (1, 8)):
        lm = search_layer(prob, fa, workers=k, objective="delay", seed=seed, effort=0.5)
        sets = _point_sets(prob, lm)
        for name, fl in lm.boundary_traffic().items():
            for g in fl.groups:
                assert len({sets[i][name] for i in g}) == 1
            firsts = [sets[g[0]][name] for g in fl.groups]
            assert len(set(firsts)) == len(firsts)


def test_depthwise_layer_without_m_uses_the_constraints_it_can():
    fa = _focus()
    prob = depthwise("dw", C=32, P=14, Q=14, R=3, S=3)
    lm = search_layer(prob, fa, workers=4, objective="delay", seed=0, effort=0.5)
    assert lm.workers_used <= 4
    assert lm.result.macs == prob.macs
    exact = evaluate(prob, lm.result.arch, lm.mapping, None)
    assert exact.cycles == lm.cycles


def test_single_worker():
    fa = _focus()
    lm = search_layer(_resnet(54), fa, workers=1, objective="delay", seed=0, effort=0.5)
    assert lm.workers_used == 1 and lm.top_spatial == {}
    flows = lm.boundary_traffic()
    assert all(fl.groups == ((0,),) for fl in flows.values())

"""Nest construction, AAHR projections, point sets, and fast/kernel models against the reference recursion."""

from __future__ import annotations

import random

import numpy as np
import pytest
from timeloop_testutil import need_refs, variant_files

from frontend.problem import conv2d
from passes.timeloop import kernels
from passes.timeloop.fastmodel import analyze_nest_fast
from passes.timeloop.mapspace import build_mapspace
from passes.timeloop.model import collapse, evaluate, make_energy_table
from passes.timeloop.nest import T, X, analyze_nest, box_minus, build_nest, set_size, translate_set
from passes.timeloop.spec import (
    Constraints,
    LevelConstraints,
    LevelMapping,
    TileMapping,
    load_ert,
    load_yaml_files,
    parse_architecture,
    parse_mapping,
    parse_problem,
)


def test_aahr_projection_sizes():
    prob = conv2d("c", C=3, M=32, P=112, Q=112, R=3, S=3, stride=2)
    inputs = prob.space("Inputs")
    assert inputs.rank_extents(dict(C=3, M=32, P=112, Q=112, R=3, S=3, N=1)) == (1, 3, 225, 225)
    assert inputs.rank_extents(dict(C=1, M=1, P=28, Q=1, R=3, S=1, N=1))[2] == 57
    # 1x1 stride 2 counts the skipped pixels (convex hull)
    one = conv2d("o", C=1, M=1, P=4, Q=1, R=1, S=1, stride=2).space("Inputs")
    assert one.rank_extents(dict(C=1, M=1, P=4, Q=1, R=1, S=1, N=1))[2] == 7


def test_point_set_canonical_forms():
    P = ((0, 0), (3, 3))
    assert box_minus(*P, (10, 10), (12, 12)) == ("B", (0, 0), (3, 3))  # disjoint: everything
    assert box_minus(*P, (-1, -1), (5, 5)) is None  # covered: nothing
    assert box_minus(*P, (0, -5), (1, 9)) == ("B", (2, 0), (3, 3))  # leading slab: a box
    hole = box_minus(*P, (1, 1), (2, 2))
    assert hole[0] == "D" and set_size(hole) == 12
    # the same set reached two ways compares equal
    a = box_minus((0, 0), (3, 3), (-2, 0), (1, 3))
    b = translate_set(box_minus((5, 0), (8, 3), (3, 0), (6, 3)), (-5, 0))
    assert a == b == ("B", (2, 0), (3, 3))


def _load(variant):
    doc, _ = load_yaml_files(variant_files(variant))
    arch = parse_architecture(doc)
    prob = parse_problem(doc)
    return doc, arch, prob, parse_mapping(doc, arch, prob)


def test_worked_example_simba_like():
    """timeloop-model.md 3.2: nest, Weights tile 18 at PEWeightBuffer, PEWeightRegs fills 32256."""
    doc, arch, prob, mapping = _load("07_example_designs_conv_c3m32_224/simba_like")
    nest = build_nest(mapping, arch, prob)
    text = []
    for L in range(arch.num_levels):
        parts = []
        for l in nest.level_loops(L):
            lp = nest.loops[l]
            if lp.factor == 1:
                parts.append(f"dummy{L}")
            else:
                tag = "" if lp.kind == T else ("(X)" if lp.kind == X else "(Y)")
                parts.append(f"{nest.dims[lp.dim]}{lp.factor}{tag}")
        text.append(" ".join(parts))
    assert " | ".join(text) == ("dummy0 | dummy1 | P7 M2 | S3 P4 R3 | M4(Y) dummy4 | Q4 | M4(X) C3(X) dummy6 | "
                                "P4 | Q28")
    result = evaluate(prob, arch, mapping, make_energy_table(arch, load_ert(doc)))
    assert result.level("PEWeightBuffer").dataspaces["Weights"].tile_size == 18
    assert result.level("PEWeightRegs").dataspaces["Weights"].fills == 32256
    assert result.level("PEInputBuffer").dataspaces["Inputs"].fills == 56700  # halo reuse


def _primes(n):
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


def random_mapping(arch, prob, rng, outer_bias=0.0):
    dims = list(prob.dims)
    nl = arch.num_levels
    while True:
        t = [{d: 1 for d in dims} for _ in range(nl)]
        s = [{d: 1 for d in dims} for _ in range(nl)]
        for d in dims:
            for p in _primes(prob.bounds[d]):
                L = nl - 1 if rng.random() < outer_bias else rng.randrange(nl)
                (s if arch.fanout(L) > 1 and rng.random() < 0.4 else t)[L][d] *= p
        levels, ok = [], True
        for L in range(nl):
            sp, tp = dims[:], dims[:]
            rng.shuffle(sp)
            rng.shuffle(tp)
            split = rng.randint(0, len(dims))
            px = py = 1
            for i, d in enumerate(sp):
                if i < split:
                    px *= s[L][d]
                else:
                    py *= s[L][d]
            if px > arch.fanout_x[L] or py > arch.fanout_y[L]:
                ok = False
                break
            spec = arch.levels[L]
            p_keep = 0.0 if spec.cls == "dummy_storage" else (0.7 if spec.size is None or spec.size >= 16 else 0.2)
            keep = frozenset(ds.name for ds in prob.data_spaces if L == nl - 1 or rng.random() < p_keep)
            levels.append(LevelMapping(t[L], tuple(tp), s[L], tuple(sp), split, keep))
        if ok:
            return TileMapping(tuple(levels))


ARCHS = ["07_example_designs_conv_c3m32_224/eyeriss_like", "07_example_designs_conv_c3m32_224/simba_like",
         "08_gemm_and_link_transfer_cases/tutorial2024_8mac", "07_example_designs_conv_c3m32_224/simple_weight_stationary"]
PROBLEMS = [conv2d("a", C=4, M=6, P=6, Q=4, R=3, S=3), conv2d("b", C=2, M=4, P=8, Q=4, R=3, S=1, stride=2),
            conv2d("c", C=8, M=8, P=4, Q=4, R=1, S=1, dilation=2),
            conv2d("d", C=4, M=2, P=12, Q=2, R=5, S=2, stride=3, dilation=2)]


@pytest.mark.parametrize("arch_name", ARCHS)
def test_closed_form_equals_reference_recursion(arch_name):
    need_refs()
    doc, _ = load_yaml_files(variant_files(arch_name, with_mapping=False))
    arch = parse_architecture(doc)
    rng = random.Random(hash(arch_name) % 1000)
    for _ in range(25):
        prob = rng.choice(PROBLEMS)
        m = random_mapping(arch, prob, rng)
        nest = build_nest(m, arch, prob)
        for legacy in (True, False):
            for links in (True, False):
                a = analyze_nest(nest, prob, arch, legacy_stride=legacy, link_transfers=links)
                b = analyze_nest_fast(nest, prob, arch, legacy_stride=legacy, link_transfers=links)
                assert (a.compute_accesses, a.compute_replication) == (b.compute_accesses, b.compute_replication)
                ca = collapse(a, nest, m, prob, arch)
                cb = collapse(b, nest, m, prob, arch)
                for L in range(arch.num_levels):
                    for name, x in ca[L].items():
                        y = cb[L][name]
                        for key in ("tile_size", "partition_size", "reads", "fills", "updates", "link_transfers"):
                            assert getattr(x, key) == pytest.approx(getattr(y, key)), (L, name, key, legacy, links)


def _deep_links(result):
    """Link transfers at a spatial level whose children are storage (not scored by the kernel)."""
    for lv in result.levels[1:]:
        if any(ds.link_transfers for ds in lv.dataspaces.values()):
            return True
    return False


@pytest.mark.parametrize("arch_name", ARCHS)
def test_kernel_equals_exact_model_on_random_mappings(arch_name):
    need_refs()
    doc, _ = load_yaml_files(variant_files(arch_name, with_mapping=False))
    arch = parse_architecture(doc)
    energy = make_energy_table(arch, load_ert(doc))
    rng = random.Random(7)
    checked = 0
    for i in range(400):
        if checked == 8:
            break
        prob = rng.choice(PROBLEMS)
        m = random_mapping(arch, prob, rng, outer_bias=0.5 if i % 2 else 0.9)
        exact = evaluate(prob, arch, m, energy, check=False)
        cons = Constraints([LevelConstraints() for _ in arch.levels])
        ms = build_mapspace(prob, arch, cons, energy)
        F, perm, keep, pinfo = ms.encode(m)
        counts = np.zeros((arch.num_levels, len(prob.data_spaces), 3))
        cycles, e = kernels.evaluate(F, perm, keep, *ms.kernel_args(pinfo), counts)
        fits = all((lv.effective_size is None or sum(ds.tile_size for ds in r.dataspaces.values() if ds.kept)
                    <= lv.effective_size) for lv, r in zip(arch.levels, exact.levels))
        assert np.isfinite(cycles) == fits
        if not fits or _deep_links(exact):
            continue
        checked += 1
        assert cycles == exact.cycles
        assert e == pytest.approx(exact.energy_pJ, rel=1e-9)
    assert checked == 8


def test_bandwidth_throttling_formula_and_kernel_agree():
    """timeloop-model.md 4.6 (no reference run is throttled): cycles = ceil(compute / s)."""
    import dataclasses
    import math

    from passes.timeloop.spec import build_architecture, parse_constraints

    doc, arch, prob, mapping = _load("03_ex02_ex03_conv1d_oc_2level_3level/3level_nobypass")
    glb = dataclasses.replace(arch.levels[1], read_bandwidth=0.05, write_bandwidth=0.5)
    arch2 = build_architecture([arch.levels[0], glb, arch.levels[2]], arch.arithmetic)
    energy = make_energy_table(arch2, load_ert(doc))
    base = evaluate(prob, arch, mapping, make_energy_table(arch, load_ert(doc)))
    slow = evaluate(prob, arch2, mapping, energy)
    g = base.level("GlobalBuffer").dataspaces
    R = sum(d.reads for d in g.values()) / base.compute_cycles
    W = sum(d.fills + d.updates for d in g.values()) / base.compute_cycles
    s = min(1.0, 0.05 / R, 0.5 / W)
    assert s < 1 and slow.cycles == math.ceil(base.compute_cycles / s)
    assert slow.level("GlobalBuffer").throttling == pytest.approx(s)
    ms = build_mapspace(prob, arch2, parse_constraints({}, arch2, prob), energy)
    F, perm, keep, pinfo = ms.encode(mapping)
    counts = np.zeros((arch2.num_levels, len(prob.data_spaces), 3))
    cycles, e = kernels.evaluate(F, perm, keep, *ms.kernel_args(pinfo), counts)
    assert cycles == slow.cycles and e == pytest.approx(slow.energy_pJ, rel=1e-12)

"""Sub-operator extraction: exact MAC split, multicast grouping, transfers, buffer fit."""

import math

import pytest

from focus_tools.errors import FocusError
from frontend.problem import conv2d, depthwise, matmul
from passes import subops


def test_split_is_exact_and_balanced():
    parts = subops.split(10, 3)
    assert parts == [(0, 4), (4, 3), (7, 3)]
    assert sum(e for _, e in parts) == 10


@pytest.mark.parametrize("spatial", [(("M", 3),), (("P", 2), ("Q", 3)), (("C", 5),), (("M", 2), ("C", 2), ("P", 2))])
def test_worker_macs_add_up(spatial):
    p = conv2d("c", C=10, M=7, P=9, Q=11, R=3, S=3)
    plan = subops.plan_layer(p, subops.TopLevelMapping(spatial, (("P", 2),)), macs_per_cycle=256)
    assert sum(w.macs for w in plan.workers) == p.macs == plan.macs
    assert len(plan.workers) == math.prod(f for _, f in spatial)


def test_multicast_groups_follow_relevant_dims():
    p = conv2d("c", C=16, M=32, P=8, Q=8, R=1, S=1)
    plan = subops.plan_layer(p, subops.TopLevelMapping((("M", 2), ("P", 2)), ()), macs_per_cycle=256)
    # weights depend on M: workers with the same M half share them (2 streams, 2 consumers each)
    w = plan.input_streams["Weights"]
    assert sorted(len(s.consumers) for s in w) == [2, 2]
    # inputs depend on P: likewise 2 streams of 2
    i = plan.input_streams["Inputs"]
    assert sorted(len(s.consumers) for s in i) == [2, 2]
    assert not plan.reduce


def test_reduction_split_requires_reduce():
    p = conv2d("c", C=16, M=32, P=8, Q=8, R=1, S=1)
    plan = subops.plan_layer(p, subops.TopLevelMapping((("C", 4),), ()), macs_per_cycle=256)
    assert plan.reduce
    # every worker gets its own inputs (C differs), all share nothing of the weights either
    assert len(plan.input_streams["Inputs"]) == 4


def test_transfers_stop_at_innermost_relevant_loop():
    p = conv2d("c", C=16, M=32, P=8, Q=8, R=1, S=1)
    temporal = (("M", 2), ("P", 4), ("C", 2))
    assert subops.transfers_of(p.space("Weights"), temporal) == 16
    assert subops.transfers_of(p.space("Outputs"), temporal) == 8
    assert subops.transfers_of(p.space("Inputs"), temporal) == 16
    assert subops.transfers_of(p.space("Weights"), (("P", 4),)) == 1


def test_search_fits_buffer_and_is_deterministic():
    p = conv2d("c", C=64, M=64, P=56, Q=56, R=3, S=3)
    a = subops.search_top_level(p, 8, macs_per_cycle=256, buffer_words=65536, link_words_per_cycle=128)
    b = subops.search_top_level(p, 8, macs_per_cycle=256, buffer_words=65536, link_words_per_cycle=128)
    assert a.mapping == b.mapping
    assert all(w.buffer_words <= 65536 for w in a.workers)
    assert len(a.workers) <= 8 and a.macs == p.macs


@pytest.mark.parametrize("problem", [
    matmul("fc", M=1, K=2048, N=1000), matmul("qk", M=128, K=64, N=128),
    depthwise("dw", C=96, P=56, Q=56, R=3, S=3)])
def test_search_other_kinds(problem):
    plan = subops.search_top_level(problem, 4, macs_per_cycle=256, buffer_words=65536, link_words_per_cycle=128)
    assert plan.macs == problem.macs
    assert 0 < plan.stats["utilization"] <= 1


def test_impossible_buffer_is_one_line_error():
    p = conv2d("c", C=64, M=64, P=56, Q=56, R=3, S=3)
    with pytest.raises(FocusError, match=r"c: no tiling fits the worker buffer \(level GlobalBuffer, 4 words\): "
                       r"data space \w+ alone needs \d+ words"):
        subops.search_top_level(p, 2, macs_per_cycle=256, buffer_words=4, link_words_per_cycle=128)


def test_auto_workers_chooses_a_count():
    p = conv2d("c", C=64, M=64, P=56, Q=56, R=3, S=3)
    plan = subops.search_top_level(p, 0, macs_per_cycle=256, buffer_words=65536, link_words_per_cycle=128)
    assert 1 <= len(plan.workers) <= 16

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from placement_helpers import chain_problem, two_models

from focus_tools.errors import FocusError
from passes.placement import (
    STRATEGIES,
    Group,
    Message,
    PlacementProblem,
    check_placement,
    edge_memory_pes,
    place,
    placement_cost,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_places_every_group_legally(strategy):
    prob = two_models()
    p = place(prob, strategy, seed=3)
    assert set(p.pe_of) == {g.name for g in prob.groups}
    assert check_placement(prob, p) is None
    memory = set(prob.memory_pes)
    for g in prob.groups:
        if g.needs_memory:
            assert p.pe_of[g.name] in memory
        else:
            assert p.pe_of[g.name] not in memory
    assert p.max_compute_per_pe(prob) == 1 and p.shared_pes == ()
    assert sum(len(v) for v in p.groups_on.values()) == len(prob.groups)


def test_hilbert_puts_each_layer_on_a_contiguous_curve_segment():
    from passes.placement import hilbert_order
    prob = two_models()
    p = place(prob, "hilbert")
    core_order = [pe for pe in hilbert_order(8, 8) if pe not in set(prob.memory_pes)]
    positions = [core_order.index(p.pe_of[g.name]) for g in prob.compute_groups()]
    assert positions == list(range(len(positions)))


def test_sources_are_spread_by_load():
    prob = two_models()
    p = place(prob, "hilbert")
    used = {p.pe_of[g.name] for g in prob.source_groups()}
    # 11 sources, 12 memory PEs: least-loaded first means no memory PE is used twice
    assert len(used) == len(prob.source_groups())


def test_too_many_groups_names_the_numbers():
    layers = [("m", f"m_l{i}", 4, 50) for i in range(14)]  # 14 * 5 = 70 compute groups
    prob = chain_problem(layers)
    with pytest.raises(FocusError, match=r"needs 70 compute PEs, the 8x8 mesh has 52 \(64 minus 12 memory PEs\)"):
        place(prob, "hilbert")


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_time_sharing_spreads_evenly_and_marks_shared_pes(strategy):
    layers = [("m", f"m_l{i}", 4, 50) for i in range(14)]
    prob = chain_problem(layers)
    p = place(prob, strategy, seed=1, allow_time_sharing=True, **({"iterations": 2000} if strategy == "anneal" else {}))
    assert check_placement(prob, p, allow_time_sharing=True) is None
    counts = {}
    for g in prob.compute_groups():
        counts[p.pe_of[g.name]] = counts.get(p.pe_of[g.name], 0) + 1
    assert sorted(set(counts.values())) == [1, 2] and len(counts) == 52
    assert set(p.shared_pes) == {pe for pe, c in counts.items() if c == 2}
    assert len(p.shared_pes) == 70 - 52


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_memory_pes_may_host_compute_when_allowed(strategy):
    layers = [("m", f"m_l{i}", 4, 50) for i in range(12)]  # 60 compute groups: > 52 cores, <= 64 PEs
    with pytest.raises(FocusError, match="needs 60 compute PEs"):
        place(chain_problem(layers), strategy)
    prob = chain_problem(layers, memory_hosts_compute=True)
    p = place(prob, strategy, **({"iterations": 500} if strategy == "anneal" else {}))
    assert check_placement(prob, p) is None and p.shared_pes == ()
    on_memory = [g for g in prob.compute_groups() if p.pe_of[g.name] in set(prob.memory_pes)]
    assert len(on_memory) >= 60 - 52


def test_anneal_beats_hilbert_and_never_loses():
    prob = two_models()
    hil = placement_cost(prob, place(prob, "hilbert"))
    ann = place(prob, "anneal", seed=0, iterations=3000)
    assert placement_cost(prob, ann) < hil
    assert ann.stats["cost"] == placement_cost(prob, ann)
    assert ann.stats["start_cost"] >= ann.stats["cost"]


def test_random_is_seeded():
    prob = two_models()
    a, b, c = (place(prob, "random", seed=s).pe_of for s in (5, 5, 6))
    assert a == b and a != c


def test_bad_input_is_a_focus_error():
    g = Group("s", "L", "m", "source", True)
    with pytest.raises(FocusError, match="outside the 4x4 mesh"):
        PlacementProblem(4, 4, ((4, 0),), (g,))
    with pytest.raises(FocusError, match="defined twice"):
        PlacementProblem(4, 4, ((0, 0),), (g, g))
    with pytest.raises(FocusError, match="kind 'dsp'"):
        PlacementProblem(4, 4, ((0, 0),), (Group("x", "L", "m", "dsp"),))
    with pytest.raises(FocusError, match="does not read memory"):
        PlacementProblem(4, 4, ((0, 0),), (Group("x", "L", "m", "source", False),))
    with pytest.raises(FocusError, match="'nope' .* is not a group"):
        PlacementProblem(4, 4, ((0, 0),), (g,), (Message("s", ("nope",), 1),))
    with pytest.raises(FocusError, match="volume -1"):
        PlacementProblem(4, 4, ((0, 0),), (g,), (Message("s", ("s",), -1),))
    with pytest.raises(FocusError, match="no memory PEs"):
        PlacementProblem(4, 4, (), (g,))
    with pytest.raises(FocusError, match="strategy 'tetris'"):
        place(PlacementProblem(4, 4, ((0, 0),), (g,)), "tetris")


_DETERMINISM_SCRIPT = """
import json, sys
sys.path[:0] = [{repo!r}, {here!r}]
from placement_helpers import two_models
from passes.placement import place, STRATEGIES
prob = two_models()
out = {{s: sorted(place(prob, s, seed=7, **({{"iterations": 1500}} if s == "anneal" else {{}})).pe_of.items())
       for s in STRATEGIES}}
print(json.dumps(out))
"""


def test_deterministic_across_processes_with_different_hash_seeds():
    script = _DETERMINISM_SCRIPT.format(repo=str(REPO), here=str(Path(__file__).resolve().parent))
    outs = []
    for hash_seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                             cwd=REPO, check=True)
        outs.append(res.stdout)
    assert outs[0] == outs[1]
    assert set(json.loads(outs[0])) == set(STRATEGIES)


@st.composite
def random_problems(draw):
    w = draw(st.integers(3, 7))
    h = draw(st.integers(3, 7))
    edge = edge_memory_pes(w, h)
    mem = draw(st.lists(st.sampled_from(edge), min_size=1, max_size=6, unique=True))
    hosts = draw(st.booleans())
    cores = w * h - (0 if hosts else len(mem))
    nlayers = draw(st.integers(1, 4))
    layers = []
    budget = cores
    for i in range(nlayers):
        k = draw(st.integers(1, 3))
        if budget < k + 1:
            break
        budget -= k + 1
        layers.append((draw(st.sampled_from(["a", "b"])), f"l{i}", k, draw(st.integers(0, 500))))
    if not layers:
        layers = [("a", "l0", 1, 10)]
    return chain_problem(layers, w, h, memory_pes=tuple(mem), memory_hosts_compute=hosts)


@settings(max_examples=40, deadline=None)
@given(random_problems(), st.integers(0, 3))
def test_random_problems_are_placed_legally_and_anneal_never_loses(prob, seed):
    share = prob.capacity_error() is not None
    costs = {}
    for s in STRATEGIES:
        opts = {"iterations": 300} if s == "anneal" else {}
        p = place(prob, s, seed, allow_time_sharing=share, **opts)
        assert check_placement(prob, p, share) is None
        costs[s] = placement_cost(prob, p)
        if s == "anneal":  # the kernel's incremental cost agrees with the reference estimate
            assert p.stats["cost"] == costs[s]
    assert costs["anneal"] <= min(costs["hilbert"], costs["snake"])


# ---- writeback sinks (they mem_write, so they sit on memory PEs that may compute) --------------------
def _on_memory(prob, placement) -> bool:
    memory = set(prob.memory_pes)
    return all(placement.pe_of[g.name] in memory for g in prob.writeback_groups())


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_writeback_sinks_sit_on_memory_pes(strategy):
    prob = two_models(memory_hosts_compute=True, writeback=True)
    assert [g.name for g in prob.writeback_groups()] == ["alpha_l5.sink", "beta_l4.sink"]
    p = place(prob, strategy, seed=2, **({"iterations": 1500} if strategy == "anneal" else {}))
    assert check_placement(prob, p) is None and _on_memory(prob, p)
    assert p.max_compute_per_pe(prob) == 1


def test_hilbert_puts_a_writeback_sink_on_the_memory_pe_nearest_its_workers():
    prob = two_models(memory_hosts_compute=True, writeback=True)
    p = place(prob, "hilbert")
    workers = [p.pe_of[f"beta_l4.w{i}"] for i in range(2)]
    taken = {p.pe_of[g.name] for g in prob.compute_groups() if g.name != "beta_l4.sink"}

    def dist(pe):
        return sum(abs(pe[0] - x) + abs(pe[1] - y) for x, y in workers)

    best = min(dist(pe) for pe in prob.memory_pes if pe not in taken)
    assert dist(p.pe_of["beta_l4.sink"]) == best


def test_writeback_without_memory_compute_is_one_clear_error():
    with pytest.raises(FocusError, match=r"^test-problem: sink 'alpha_l5.sink' writes back to memory, but memory "
                                         r"PEs may not host compute; use memory-compute .* or dataflow-search "
                                         r"writeback=false$"):
        two_models(writeback=True)
    with pytest.raises(FocusError, match="worker group 'w' has needs_memory=True"):
        PlacementProblem(4, 4, ((0, 0),), (Group("w", "L", "m", "worker", True),), (), True)


def test_more_writeback_sinks_than_memory_pes_is_a_focus_error():
    layers = [(f"m{i}", f"m{i}_l0", 1, 10) for i in range(3)]  # three models, three writeback sinks
    prob = chain_problem(layers, 4, 4, memory_pes=((0, 0), (3, 3)), memory_hosts_compute=True, writeback=True)
    with pytest.raises(FocusError, match=r"3 sinks write back to memory \(first: 'm0_l0.sink'\), the memory PEs "
                                         r"of the 4x4 mesh offer 2 compute slots"):
        place(prob, "hilbert")


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_writeback_with_time_sharing(strategy):
    layers = [("m", f"m_l{i}", 4, 50) for i in range(14)] + [("n", "n_l0", 3, 40)]  # 74 on 64 PEs
    prob = chain_problem(layers, memory_hosts_compute=True, writeback=True)
    p = place(prob, strategy, seed=1, allow_time_sharing=True,
              **({"iterations": 1500} if strategy == "anneal" else {}))
    assert check_placement(prob, p, allow_time_sharing=True) is None and _on_memory(prob, p)
    assert p.max_compute_per_pe(prob) == 2


@st.composite
def writeback_problems(draw):
    w = draw(st.integers(3, 6))
    h = draw(st.integers(3, 6))
    mem = draw(st.lists(st.sampled_from(edge_memory_pes(w, h)), min_size=2, max_size=6, unique=True))
    layers = []
    budget = w * h
    for i in range(draw(st.integers(1, 4))):
        k = draw(st.integers(1, 3))
        if budget < k + 1:
            break
        budget -= k + 1
        layers.append((draw(st.sampled_from(["a", "b"])), f"l{i}", k, draw(st.integers(0, 500))))
    layers = layers or [("a", "l0", 1, 10)]
    return chain_problem(layers, w, h, memory_pes=tuple(mem), memory_hosts_compute=True, writeback=True)


@settings(max_examples=30, deadline=None)
@given(writeback_problems(), st.integers(0, 3))
def test_random_writeback_problems_are_placed_legally(prob, seed):
    costs = {}
    for s in STRATEGIES:
        p = place(prob, s, seed, **({"iterations": 300} if s == "anneal" else {}))
        assert check_placement(prob, p) is None and _on_memory(prob, p)
        costs[s] = placement_cost(prob, p)
        if s == "anneal":
            assert p.stats["cost"] == costs[s]
    assert costs["anneal"] <= min(costs["hilbert"], costs["snake"])


def test_check_placement_catches_a_writeback_sink_off_memory():
    from passes.placement import Placement
    prob = two_models(memory_hosts_compute=True, writeback=True)
    p = place(prob, "hilbert")
    pe_of = dict(p.pe_of)
    free = next(pe for pe in prob.compute_pes() if pe not in set(prob.memory_pes) and pe not in pe_of.values())
    pe_of["beta_l4.sink"] = free
    bad = Placement.build(prob, "manual", 0, pe_of)
    assert check_placement(prob, bad) == (f"group 'beta_l4.sink' writes back to memory but sits on {free}, "
                                          "not a memory PE")


def test_anneal_keeps_one_layer_per_time_shared_pe():
    """With time sharing, two compute groups of one layer never end on one PE (they would serialise)."""
    from passes.placement import place
    from passes.placement.problem import Group, Message, PlacementProblem

    groups = [Group("src", "a", "m", "source", needs_memory=True)]
    msgs = []
    for layer in "ab":
        for w in range(4):
            groups.append(Group(f"{layer}.w{w}", layer, "m", "worker"))
            msgs.append(Message("src", (f"{layer}.w{w}",), 50))
        groups.append(Group(f"{layer}.sink", layer, "m", "sink"))
        msgs += [Message(f"{layer}.w{w}", (f"{layer}.sink",), 40) for w in range(4)]
    problem = PlacementProblem(3, 2, ((0, 0),), tuple(groups), tuple(msgs), memory_hosts_compute=True)
    result = place(problem, "anneal", seed=3, allow_time_sharing=True)
    pe_of = result.pe_of if hasattr(result, "pe_of") else result[0] if isinstance(result, tuple) else result
    by_pe: dict = {}
    for g in groups:
        if g.kind != "source":
            by_pe.setdefault(pe_of[g.name], []).append(g.layer)
    assert max(len(v) for v in by_pe.values()) >= 2  # the mesh is time-shared
    for layers in by_pe.values():
        assert len(layers) == len(set(layers)), by_pe

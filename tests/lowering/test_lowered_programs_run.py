"""End to end: the lowered programs run to completion in the simulator (no deadlock, every packet delivered)."""

from __future__ import annotations

import pytest
from lowering_helpers import TIME_SHARED, lit_cases, lowered

from focus_dialects.chip import find_device

engine = pytest.importorskip("backend_sim.engine")


def run(text: str):
    from backend_sim.config import SimConfig
    from backend_sim.lower_packed import pack_module

    module = lowered(text)
    prog = pack_module(module)
    return prog, engine.simulate(prog, SimConfig.from_device(find_device(module)))


@pytest.mark.parametrize("text", lit_cases() + [TIME_SHARED], ids=[f"lit{i}" for i in range(len(lit_cases()))] + ["shared"])
def test_lowered_program_finishes(text):
    prog, result = run(text)
    assert result.finished, result.deadlock
    # every packet of every message reached every destination
    sends, _ = prog.static_counts()
    expected = sum(s * len(prog.dsts(m)) for m, s in enumerate(sends))
    assert len(result.del_msg) == expected


def test_batches_and_chained_layers_take_longer():
    cases = lit_cases()
    _, one = run(cases[-2])  # two chained layers, batch 1
    _, two = run(cases[-1])  # the same, batch 2
    assert one.finished and two.finished
    assert two.total_cycles > one.total_cycles
    # the second layer cannot finish before the first layer's 4 x 10 compute cycles and its own 2 x 10
    assert one.total_cycles > 4 * 10 + 2 * 10

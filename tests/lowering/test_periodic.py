"""`periodic`: transfers spread over iterations as nested loops, checked against a per-iteration timeline."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from focus_tools.errors import FocusError
from passes.lower_to_pe_isa import count_instrs, loop, periodic


def expand(instrs) -> list[tuple]:
    out = []
    for ins in instrs:
        if ins[0] == "loop":
            out += expand(ins[2]) * ins[1]
        else:
            out.append(ins)
    return out


def expected_positions(t: int, iterations: int, at_end: bool) -> list[int]:
    """Per iteration, how many transfers of a T-transfer stream happen there."""
    if t >= iterations:
        return [t // iterations] * iterations
    s = iterations // t
    return [1 if (i + 1) % s == 0 else 0 for i in range(iterations)] if at_end else \
        [1 if i % s == 0 else 0 for i in range(iterations)]


def check_schedule(iterations, ins_t, outs_t):
    start = [(t, [("recv", k)]) for k, t in enumerate(ins_t)]
    end = [(t, [("send", 100 + k)]) for k, t in enumerate(outs_t)]
    prog = periodic(iterations, start, [("compute", 1)], end)
    flat = expand(prog)
    marks = [i for i, x in enumerate(flat) if x == ("compute", 1)]
    assert len(marks) == iterations
    # instruction i belongs to iteration j: recvs before compute j (after compute j-1), sends after compute j
    recv_at = [[0] * len(ins_t) for _ in range(iterations)]
    send_at = [[0] * len(outs_t) for _ in range(iterations)]
    seen_compute = 0
    for x in flat:
        if x == ("compute", 1):
            seen_compute += 1
            continue
        if x[0] == "recv":
            recv_at[seen_compute][x[1]] += 1  # before compute number `seen_compute`
        else:
            send_at[seen_compute - 1][x[1] - 100] += 1  # after compute number `seen_compute - 1`
    for k, t in enumerate(ins_t):
        assert [r[k] for r in recv_at] == expected_positions(t, iterations, at_end=False)
    for k, t in enumerate(outs_t):
        assert [s[k] for s in send_at] == expected_positions(t, iterations, at_end=True)
    return prog


def test_two_workers_shape():
    # weights twice, inputs every iteration, outputs every 3 iterations
    prog = check_schedule(6, [2, 6], [2])
    assert prog == [("loop", 2, [("recv", 0), ("loop", 3, [("recv", 1), ("compute", 1)]), ("send", 100)])]


def test_nested_levels_stay_small():
    # a million iterations, four nested periods: the program size does not grow with iterations
    prog = check_schedule(2 ** 6 * 3 ** 4, [1, 2 ** 6 * 3 ** 4, 3 ** 4], [3])
    assert count_instrs(prog) <= 12
    big = periodic(10 ** 6, [(1000, [("recv", 0)]), (10 ** 6, [("recv", 1)])], [("compute", 5)],
                   [(10, [("send", 2)])])
    assert count_instrs(big) <= 10


def test_more_transfers_than_iterations():
    prog = check_schedule(3, [12], [6])
    assert prog == [("loop", 3, [("loop", 4, [("recv", 0)]), ("compute", 1), ("loop", 2, [("send", 100)])])]


def test_periods_that_do_not_nest():
    # periods 2 and 3 (I = 12): expanded over lcm 6, runs of identical iterations compressed
    check_schedule(12, [6, 4], [2])


def test_transfer_counts_must_divide():
    with pytest.raises(FocusError, match="neither divides nor is a multiple of its 6 iterations"):
        periodic(6, [(4, [("recv", 0)])], [], [])


def test_loop_helper():
    assert loop(1, [("send", 1)]) == [("send", 1)]
    assert loop(5, []) == []
    assert loop(2, [("loop", 3, [("send", 1)])]) == [("loop", 6, [("send", 1)])]


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def schedules(draw):
    iterations = draw(st.sampled_from([1, 2, 4, 6, 8, 12, 24, 30, 36]))
    pick = st.one_of(st.sampled_from(_divisors(iterations)), st.sampled_from([iterations * 2, iterations * 3]))
    ins = draw(st.lists(pick, min_size=0, max_size=3))
    outs = draw(st.lists(pick, min_size=0, max_size=2))
    return iterations, ins, outs


@settings(max_examples=150, deadline=None)
@given(schedules())
def test_random_schedules_match_the_timeline(case):
    iterations, ins, outs = case
    prog = check_schedule(iterations, ins, outs)
    # compact: never larger than the fully expanded schedule, and tiny when periods nest
    periods = sorted({iterations // t for t in ins + outs if t < iterations})
    if all(b % a == 0 for a, b in itertools.pairwise(periods)):
        assert count_instrs(prog) <= 2 * (len(ins) + len(outs)) + 2 * len(periods) + 3
    total = sum(max(t, 1) for t in ins + outs) + iterations
    assert count_instrs(prog) <= max(total, 1) + math.lcm(*([1] + periods)) * 4

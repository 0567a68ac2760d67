"""spatial_sim's MC router (`SimConfig.router = "mc"`): its allocators, in the reference twin's terms
(the differential tests check that the engine does the same)."""

from __future__ import annotations

from backend_sim.config import SimConfig
from backend_sim.reference import STALL_BUSY, STALL_CONFLICT, STALL_XBAR, RefNoC


def _noc(**kw) -> RefNoC:
    return RefNoC(SimConfig(width=3, height=3, num_vcs=4, vc_buf_size=2, router="mc", **kw), [])


def test_switch_allocation_is_per_input_vc_in_index_order():
    noc = _noc()
    nv = noc.nv
    # input VCs (port 1, vc 0) -> output 0, (port 1, vc 2) -> output 2, (port 2, vc 1) -> outputs 0 and 3
    batch = [[-1, 2, 1, -1], [-1, 1, 2, -1], [-1, 1, 0, -1]]
    cands = {1 * nv + 0: [0], 1 * nv + 2: [2], 2 * nv + 1: [0, 3]}
    noc._sa_fixed_priority(batch, cands)
    # two VCs of input port 1 cross together (BookSim's IQ router grants one flit per input port);
    # the multicast flit of port 2 comes later in index order and loses output 0: it waits for all
    assert [e[3] for e in batch] == [STALL_XBAR, 1 << 2, 1 << 0]


def test_vc_allocation_draws_a_vc_and_waits_if_it_is_taken():
    noc = _noc()
    rt = noc.routers[4]
    # every VC of the class busy at output 0 except the one that was drawn: the outcome depends on the
    # draw, as with spatial_sim's rand(); with a class of one VC there is no draw
    noc.vc_lo, noc.vc_hi = 1, 1

    class _Pkt:
        vlo = vhi = -1

    class _V:
        route_mask, vc_mask = 1 << 0, 0
        buf = [type("F", (), {"pkt": _Pkt()})()]
        grant = [-1] * 5

    rt.vcs[1][0] = _V()
    rt.vcs[2][0] = _V()
    rt.vcs[2][0].grant = [-1] * 5
    batch = [[-1, 2, 0, -1], [-1, 1, 0, -1]]
    before = noc.mc_rng
    noc._va_fixed_priority(rt, batch)
    assert noc.mc_rng == before  # one VC in the class: no random draw
    # index order: input (1, 0) is granted VC 1 at output 0, input (2, 0) then conflicts on it
    assert [e[3] for e in batch] == [STALL_CONFLICT, 1 << 0]
    assert rt.vcs[1][0].grant[0] == 1
    rt.next_buf[0].take(1, 0)
    batch = [[-1, 2, 0, -1]]
    noc._va_fixed_priority(rt, batch)
    assert batch[0][3] == STALL_BUSY
    # a class of two VCs: one draw per port needed, the drawn VC is the one granted
    noc.vc_lo, noc.vc_hi = 2, 3
    batch = [[-1, 1, 0, -1]]
    before = noc.mc_rng
    noc._va_fixed_priority(rt, batch)
    assert noc.mc_rng != before and batch[0][3] == 1 << 0 and rt.vcs[1][0].grant[0] in (2, 3)

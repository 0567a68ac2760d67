"""Random small programs and configurations for the differential tests (hypothesis strategies)."""

from __future__ import annotations

from hypothesis import strategies as st

from backend_sim.config import SimConfig
from backend_sim.program import ProgramBuilder


@st.composite
def configs(draw, width: int, height: int, spatial: bool = False, min_range: int = 1) -> SimConfig:
    """`min_range`: at least that many VCs in the usable range (one per VC class of the program)."""
    nv = draw(st.integers(min_range, max(3, min_range + 1)))
    lo = draw(st.integers(0, nv - min_range)) if draw(st.booleans()) else 0
    return SimConfig(
        width=width, height=height, num_vcs=nv, vc_buf_size=draw(st.integers(1, 4)),
        routing_delay=draw(st.sampled_from([1, 1, 2])), vc_alloc_delay=draw(st.sampled_from([1, 1, 2])),
        sw_alloc_delay=draw(st.sampled_from([1, 1, 2])), st_prepare_delay=draw(st.sampled_from([0, 0, 1])),
        st_final_delay=draw(st.sampled_from([1, 1, 2])), credit_delay=draw(st.sampled_from([0, 0, 1, 2])),
        link_latency=draw(st.sampled_from([1, 1, 2])), alloc_iters=draw(st.sampled_from([1, 1, 2])),
        wait_for_tail_credit=draw(st.booleans()), vc_lo=lo, vc_hi=draw(st.integers(lo + min_range - 1, nv - 1)),
        multicast_mode=draw(st.sampled_from(["sync", "branch"])), router=draw(st.sampled_from(["iq", "iq", "mc"])),
        injection_queue=draw(st.sampled_from([1, 2, 4, 0])), recv_at_head=draw(st.booleans()),
        flit_bits=draw(st.sampled_from([64, 128])), link_bits=128,
        dram_bytes_per_cycle=draw(st.sampled_from([8.0, 16.0, 3.5])), dram_latency=draw(st.integers(0, 6)),
        core_model="spatial_sim" if spatial else "focus", spatial_threshold=draw(st.integers(0, 3)),
        max_cycles=4000, deadlock_window=300,
    ).validated()


@st.composite
def programs(draw, spatial: bool = False, max_side: int = 3, max_msgs: int = 4, max_compute: int = 5,
             max_iters: int = 3, vc_classes: int = 1):
    """A random program: messages with random endpoints; independent sender/receiver blocks, plus
    optional chained blocks (recv then send, in message order, so they cannot deadlock). With
    `vc_classes` > 1 every message gets a random VC class below it (the first one class 1)."""
    w = draw(st.integers(1, max_side))
    h = draw(st.integers(2 if w == 1 else 1, max_side))
    n = w * h
    mem = [0] if draw(st.booleans()) and not spatial else []
    b = ProgramBuilder(w, h, memory_pes=mem)
    nmsg = draw(st.integers(1, max_msgs))
    tags = []
    for i in range(nmsg):
        src = draw(st.integers(0, n - 1))
        others = [x for x in range(n) if x != src]
        dsts = draw(st.lists(st.sampled_from(others), min_size=1, max_size=min(3, len(others)), unique=True))
        mode = "copies" if spatial else draw(st.sampled_from(["tree", "tree", "copies"]))
        flits = draw(st.integers(1, 4))
        vc = 0 if vc_classes == 1 else (1 if i == 0 else draw(st.integers(0, vc_classes - 1)))
        tags.append((b.add_message(src, dsts, flits, name=f"m{i}", mode=mode, layer=f"L{i % 2}", vc=vc),
                     src, dsts))
    chained = draw(st.booleans())
    for tag, src, dsts in tags:
        k = draw(st.integers(1, max_iters))
        with b.block(src, f"s{tag}", layer=f"L{tag % 2}") as blk, blk.loop(k):
            if mem and src == 0 and draw(st.booleans()):
                blk.mem_read(draw(st.integers(1, 40)))
            blk.compute(draw(st.integers(0, max_compute)))
            blk.send(tag)
        for d in dsts:
            with b.block(d, f"r{tag}", layer=f"L{tag % 2}") as blk, blk.loop(k):
                blk.recv(tag)
                blk.compute(draw(st.integers(0, max_compute)))
                if mem and d == 0 and draw(st.booleans()):
                    blk.mem_write(draw(st.integers(1, 40)))
    if chained and len(tags) >= 2:
        # a chain: the first message's receiver forwards to a new message, etc.
        prev = tags[0]
        nxt_src = prev[2][0]
        others = [x for x in range(n) if x != nxt_src]
        dst = draw(st.sampled_from(others))
        t2 = b.add_message(nxt_src, [dst], draw(st.integers(1, 3)), name="chain", mode="copies" if spatial else "tree")
        with b.block(prev[1], "chain_src") as blk:
            blk.send(prev[0])
        with b.block(nxt_src, "chain_mid") as blk:
            blk.recv(prev[0])
            blk.compute(draw(st.integers(0, 3)))
            blk.send(t2)
        with b.block(dst, "chain_dst") as blk:
            blk.recv(t2)
    return b.build()

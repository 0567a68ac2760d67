"""`SimConfig`: every knob of the simulator in one dataclass.

Router defaults are BookSim2's (`booksim_config.cpp`): routing, VC-allocation, switch-allocation and
switch-traversal delays of 1 cycle (`st_prepare_delay` 0 + `st_final_delay` 1), `credit_delay` 0, iSLIP
allocators with one iteration, `wait_for_tail_credit` 0, inter-router channels of latency 1.
Buffer sizes and queue depths default to the device model's values (`chip.device`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from focus_tools.errors import FocusError

MULTICAST_MODES = ("sync", "branch")
ROUTERS = ("iq", "mc")  # BookSim2's input-queued router; spatial_sim's multicast router (crossbar folded into SA)
CORE_MODELS = ("focus", "spatial_sim")
MAX_VCS = 12  # input VCs of a router are kept in one 64-bit mask (5 ports x 12 VCs = 60 bits)


@dataclass(frozen=True)
class SimConfig:
    """Simulation parameters (mesh, router pipeline, PE interface, DRAM, limits)."""

    width: int = 4
    height: int = 4
    # router (BookSim names in comments)
    num_vcs: int = 4  # num_vcs
    vc_buf_size: int = 4  # vc_buf_size, flits per VC
    routing_delay: int = 1  # routing_delay
    vc_alloc_delay: int = 1  # vc_alloc_delay
    sw_alloc_delay: int = 1  # sw_alloc_delay
    st_prepare_delay: int = 0  # st_prepare_delay
    st_final_delay: int = 1  # st_final_delay
    credit_delay: int = 0  # credit_delay
    link_latency: int = 1  # inter-router channel latency (BookSim mesh: 1)
    alloc_iters: int = 1  # alloc_iters (iSLIP iterations, VC and switch allocators)
    wait_for_tail_credit: bool = False  # wait_for_tail_credit
    vc_lo: int = 0  # first VC packets may use
    vc_hi: int = -1  # last VC packets may use (-1: num_vcs - 1)
    multicast_mode: str = "sync"  # sync: a flit leaves on all its tree branches in the same cycle; branch: per branch
    # iq: BookSim2's IQRouter, the crossbar stage evaluated before switch allocation completes (a flit
    # crosses in the cycle after it wins the switch); mc: spatial_sim's MCRouter, which completes switch
    # allocation before evaluating the crossbar, so with st_final_delay 1 a flit leaves in the cycle it wins
    router: str = "iq"
    # PE side
    injection_queue: int = 16  # packets; 0 = unbounded
    flit_bits: int = 1024  # size of a program flit
    link_bits: int = 1024  # width of a NoC flit (one per link per cycle)
    recv_at_head: bool = False  # a packet counts as delivered when its head (not tail) arrives
    dram_bytes_per_cycle: float = 64.0
    dram_latency: int = 100
    core_model: str = "focus"  # focus | spatial_sim (single-issue core, doorbell sends)
    spatial_threshold: int = 10240  # spatial_sim receive-queue threshold (doorbell)
    # limits
    max_cycles: int = 1_000_000_000
    deadlock_window: int = 100_000
    extra: dict = field(default_factory=dict, compare=False)

    # ---- derived ----
    @property
    def crossbar_delay(self) -> int:
        return self.st_prepare_delay + self.st_final_delay

    @property
    def vc_last(self) -> int:
        return self.num_vcs - 1 if self.vc_hi < 0 else self.vc_hi

    @property
    def nodes(self) -> int:
        return self.width * self.height

    def noc_flits(self, program_flits: int) -> int:
        """NoC flits of a packet of `program_flits` flits of `flit_bits` bits on `link_bits`-wide links."""
        return max(1, -(-program_flits * self.flit_bits // self.link_bits))

    def replace(self, **changes) -> SimConfig:
        return dataclasses.replace(self, **changes).validated()

    def validated(self) -> SimConfig:
        """Return self after checking every value; raise FocusError naming the first bad one."""
        def bad(name: str, valid: str) -> FocusError:
            return FocusError(f"simulator config: {name} = {getattr(self, name)!r}, {valid}")

        if self.width < 1 or self.height < 1:
            raise bad("width", "the mesh must be at least 1x1")
        if not 1 <= self.num_vcs <= MAX_VCS:
            raise bad("num_vcs", f"expected 1..{MAX_VCS}")
        if self.vc_buf_size < 1:
            raise bad("vc_buf_size", "expected at least 1 flit")
        for name in ("routing_delay", "vc_alloc_delay", "sw_alloc_delay", "link_latency", "alloc_iters"):
            if getattr(self, name) < 1:
                raise bad(name, "expected at least 1")
        if self.crossbar_delay < 1:
            raise bad("st_final_delay", "st_prepare_delay + st_final_delay must be at least 1")
        for name in ("st_prepare_delay", "st_final_delay", "credit_delay", "injection_queue", "dram_latency"):
            if getattr(self, name) < 0:
                raise bad(name, "expected >= 0")
        if not 0 <= self.vc_lo <= self.vc_last < self.num_vcs:
            raise bad("vc_lo", f"VC range {self.vc_lo}..{self.vc_last} must lie within 0..{self.num_vcs - 1}")
        if self.router not in ROUTERS:
            raise bad("router", f"expected one of {', '.join(ROUTERS)}")
        if self.multicast_mode not in MULTICAST_MODES:
            raise bad("multicast_mode", f"expected one of {', '.join(MULTICAST_MODES)}")
        if self.core_model not in CORE_MODELS:
            raise bad("core_model", f"expected one of {', '.join(CORE_MODELS)}")
        if self.flit_bits < 1 or self.link_bits < 1:
            raise bad("flit_bits", "flit_bits and link_bits must be at least 1")
        if not self.dram_bytes_per_cycle > 0:
            raise bad("dram_bytes_per_cycle", "expected a positive number")
        if self.max_cycles < 1:
            raise bad("max_cycles", "expected at least 1")
        if self.deadlock_window < 1:
            raise bad("deadlock_window", "expected at least 1")
        return self

    @classmethod
    def from_device(cls, device, **overrides) -> SimConfig:
        """Defaults from a `chip.device` op (mesh, VCs, buffers, queue, flit/link bits, DRAM)."""
        w, h = device.mesh
        vals = {
            "width": w, "height": h,
            "num_vcs": min(device.num_vcs.value.data, MAX_VCS),
            "vc_buf_size": device.vc_buf_flits.value.data,
            "injection_queue": device.injection_queue.value.data,
            "flit_bits": device.flit_bits.value.data,
            "link_bits": device.link_bits.value.data,
            "dram_bytes_per_cycle": float(device.dram_bytes_per_cycle.value.data),
            "dram_latency": device.dram_latency.value.data,
        }
        vals.update(overrides)
        return cls(**vals).validated()

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d.pop("extra", None)
        return d


def vc_class_ranges(msg_vc, cfg: SimConfig) -> list[tuple[int, int]]:
    """Per message, the VCs (first, last) it may use: the routing pass's VC classes split the VC range.

    With one class in use (e.g. every message in class 0) every message uses the whole range
    `vc_lo..vc_last`; with classes 0..C-1 (C = the largest class + 1), class c uses the c-th of C equal
    parts: VCs `vc_lo + c*n//C .. vc_lo + (c+1)*n//C - 1` with n = the VCs in the range."""
    classes = sorted({int(v) for v in msg_vc})
    lo, hi = cfg.vc_lo, cfg.vc_last
    if len(classes) <= 1:
        return [(lo, hi)] * len(msg_vc)
    if classes[0] < 0:
        raise FocusError(f"program: message VC class {classes[0]}, expected >= 0")
    count = classes[-1] + 1
    n = hi - lo + 1
    if n < count:
        raise FocusError(f"simulator config: num_vcs = {cfg.num_vcs} (VCs {lo}..{hi}), the program's messages "
                         f"use {count} VC classes, expected at least one VC per class")
    return [(lo + int(v) * n // count, lo + (int(v) + 1) * n // count - 1) for v in msg_vc]

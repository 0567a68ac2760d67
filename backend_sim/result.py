"""Simulation results: totals, per-PE cycle categories, per-link flits, per-message/-layer timing, JSON.

Both simulators (engine and reference twin) return a `SimResult` built from the same raw arrays, so the
differential tests compare `SimResult.raw()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backend_sim.program import OP_NAMES, PORT_NAMES, PackedProgram
from focus_tools.errors import SimulationDeadlock

PE_CATEGORIES = ("busy", "blocked_send", "blocked_recv", "mem_wait", "idle")


class SimulationIncomplete(SimulationDeadlock):
    """The cycle limit was reached with work remaining (exit code 3, like a deadlock)."""


@dataclass
class BlockedBlock:
    pe: str
    block: str
    index: int
    instruction: str
    state: str

    @classmethod
    def make(cls, prog: PackedProgram, b: int, index: int, op: int, arg: int, state: str) -> BlockedBlock:
        text = f"{OP_NAMES[op]} {arg}"
        if OP_NAMES[op] in ("send", "recv") and 0 <= arg < len(prog.msg_names):
            text = f"{OP_NAMES[op]} tag {arg} ({prog.msg_names[arg]})"
        return cls(pe=prog.pe_label(int(prog.block_pe[b])), block=prog.block_names[b], index=index,
                   instruction=text, state=state)

    def __str__(self) -> str:
        return f"{self.pe} block '{self.block}' instruction {self.index} ({self.instruction}, {self.state})"


@dataclass
class StuckPacket:
    message: str
    seq: int
    src: str
    where: str

    @classmethod
    def make(cls, prog: PackedProgram, msg: int, seq: int, src: int, kind: str, node: int) -> StuckPacket:
        return cls(message=prog.msg_names[msg], seq=seq, src=prog.pe_label(src),
                   where=f"{kind} at {prog.pe_label(node)}")

    def __str__(self) -> str:
        return f"'{self.message}' #{self.seq} from {self.src} in {self.where}"


@dataclass
class DeadlockInfo:
    kind: str  # "deadlock" or "cycle limit"
    cycle: int
    blocked: list[BlockedBlock] = field(default_factory=list)
    stuck: list[StuckPacket] = field(default_factory=list)

    def message(self, limit: int = 8) -> str:
        def listing(items) -> str:
            s = "; ".join(str(x) for x in items[:limit])
            return s + ("; ..." if len(items) > limit else "")
        head = (f"deadlock at cycle {self.cycle}" if self.kind == "deadlock"
                else f"cycle limit {self.cycle} reached with work remaining")
        return (f"{head}: {len(self.blocked)} blocked block(s): {listing(self.blocked) or 'none'}; "
                f"{len(self.stuck)} stuck packet(s): {listing(self.stuck) or 'none'}")

    def to_json(self) -> dict:
        return {"kind": self.kind, "cycle": self.cycle,
                "blocked": [vars(b) for b in self.blocked], "stuck": [vars(s) for s in self.stuck]}


@dataclass
class SimResult:
    prog: PackedProgram
    cfg: object
    total_cycles: int
    deadlock: DeadlockInfo | None
    pe_nodes: np.ndarray
    pe_stats: np.ndarray  # [pes, len(PE_CATEGORIES)]
    block_first: np.ndarray
    block_done: np.ndarray
    pkt_msg: np.ndarray
    pkt_seq: np.ndarray
    pkt_dst: np.ndarray  # destination of a `copies` packet, -1 for a tree packet
    pkt_ctime: np.ndarray
    pkt_itime: np.ndarray
    del_msg: np.ndarray
    del_seq: np.ndarray
    del_dst: np.ndarray
    del_time: np.ndarray
    link_flits: np.ndarray  # [nodes, 5] flits sent per router output port (L = ejection)
    inj_flits: np.ndarray  # [nodes] flits injected by each PE
    flits_ejected: int
    sim_seconds: float

    @classmethod
    def build(cls, **kw) -> SimResult:
        return cls(**kw)

    @property
    def finished(self) -> bool:
        return self.deadlock is None

    @property
    def flits_injected(self) -> int:
        return int(self.inj_flits.sum())

    @property
    def flits_expected(self) -> int:
        """Flits that must be ejected for every injected packet to reach all its destinations."""
        prog, cfg = self.prog, self.cfg
        total = 0
        for m, dst in zip(self.pkt_msg, self.pkt_dst):
            ndst = 1 if dst >= 0 else len(prog.dsts(int(m)))
            total += cfg.noc_flits(int(prog.msg_flits[int(m)])) * ndst
        return total

    def raise_if_failed(self) -> SimResult:
        if self.deadlock is not None:
            if self.deadlock.kind == "deadlock":
                raise SimulationDeadlock(self.deadlock.message())
            raise SimulationIncomplete(self.deadlock.message())
        return self

    def raw(self) -> dict:
        """Canonical raw data (sorted deliveries/packets) for exact comparisons."""
        d = np.lexsort((self.del_time, self.del_dst, self.del_seq, self.del_msg))
        p = np.lexsort((self.pkt_dst, self.pkt_seq, self.pkt_msg))
        return {
            "total_cycles": self.total_cycles,
            "deadlock": None if self.deadlock is None else (self.deadlock.kind, self.deadlock.cycle),
            "pe_stats": self.pe_stats.tolist(),
            "block_first": self.block_first.tolist(), "block_done": self.block_done.tolist(),
            "deliveries": np.stack([self.del_msg[d], self.del_seq[d], self.del_dst[d], self.del_time[d]]).T.tolist(),
            "packets": np.stack([self.pkt_msg[p], self.pkt_seq[p], self.pkt_dst[p], self.pkt_ctime[p],
                                 self.pkt_itime[p]]).T.tolist(),
            "link_flits": self.link_flits.tolist(), "inj_flits": self.inj_flits.tolist(),
            "flits_ejected": int(self.flits_ejected),
        }

    # ---- derived statistics ----
    def message_stats(self) -> list[dict]:
        prog = self.prog
        M = prog.num_messages
        first = np.full(M, -1, dtype=np.int64)
        last = np.full(M, -1, dtype=np.int64)
        npk = np.zeros(M, dtype=np.int64)
        ndel = np.zeros(M, dtype=np.int64)
        lat_sum = np.zeros(M, dtype=np.float64)
        ctime = {}
        for m, s, dst, c in zip(self.pkt_msg.tolist(), self.pkt_seq.tolist(), self.pkt_dst.tolist(),
                                self.pkt_ctime.tolist()):
            ctime[(m, s, dst)] = c
            npk[m] += 1
            if first[m] < 0 or c < first[m]:
                first[m] = c
        for m, s, dst, t in zip(self.del_msg.tolist(), self.del_seq.tolist(), self.del_dst.tolist(),
                                self.del_time.tolist()):
            c = ctime.get((m, s, dst), ctime.get((m, s, -1), t))
            ndel[m] += 1
            lat_sum[m] += t - c
            last[m] = max(last[m], t)
        out = []
        for m in range(M):
            out.append({
                "tag": m, "name": prog.msg_names[m], "layer": prog.msg_layers[m],
                "src": prog.pe_label(int(prog.msg_src[m])),
                "dsts": [prog.pe_label(int(d)) for d in prog.dsts(m)],
                "packets": int(npk[m]), "deliveries": int(ndel[m]),
                "start": int(first[m]), "finish": int(last[m]),
                "avg_latency": float(lat_sum[m] / ndel[m]) if ndel[m] else None,
            })
        return out

    def layer_stats(self, msgs: list[dict] | None = None) -> dict[str, dict]:
        prog = self.prog
        msgs = msgs if msgs is not None else self.message_stats()
        layers: dict[str, dict] = {}

        def upd(name: str, start: int, finish: int) -> None:
            if not name:
                return
            e = layers.setdefault(name, {"start": -1, "finish": -1})
            if start >= 0 and (e["start"] < 0 or start < e["start"]):
                e["start"] = int(start)
            if finish >= 0:
                e["finish"] = max(e["finish"], int(finish))

        for b in range(prog.num_blocks):
            upd(prog.block_layers[b], int(self.block_first[b]), int(self.block_done[b]))
        for m in msgs:
            upd(m["layer"], m["start"], m["finish"])
        return dict(sorted(layers.items()))

    def link_stats(self) -> list[dict]:
        prog = self.prog
        W, H = prog.width, prog.height
        T = max(self.total_cycles, 1)
        out = []
        for node in range(W * H):
            x, y = node % W, node // W
            for port in range(5):
                if port == 0 and x == W - 1 or port == 1 and x == 0 or port == 2 and y == H - 1 or \
                        port == 3 and y == 0:
                    continue
                n = int(self.link_flits[node, port])
                out.append({"from": prog.pe_label(node), "port": PORT_NAMES[port], "flits": n,
                            "utilization": round(n / T, 6)})
            n = int(self.inj_flits[node])
            out.append({"from": prog.pe_label(node), "port": "inject", "flits": n,
                        "utilization": round(n / T, 6)})
        return out

    def to_json(self) -> dict:
        prog = self.prog
        msgs = self.message_stats()
        pes = {}
        for i, node in enumerate(self.pe_nodes.tolist()):
            pes[prog.pe_label(node)] = {c: int(v) for c, v in zip(PE_CATEGORIES, self.pe_stats[i].tolist())}
        blocks = [{"pe": prog.pe_label(int(prog.block_pe[b])), "name": prog.block_names[b],
                   "layer": prog.block_layers[b], "start": int(self.block_first[b]),
                   "finish": int(self.block_done[b])} for b in range(prog.num_blocks)]
        return {
            "total_cycles": int(self.total_cycles),
            "finished": self.finished,
            "deadlock": None if self.deadlock is None else self.deadlock.to_json(),
            "sim_seconds": round(float(self.sim_seconds), 6),
            "mesh": [prog.width, prog.height],
            "flits": {"injected": self.flits_injected, "ejected": int(self.flits_ejected),
                      "expected_ejected": self.flits_expected},
            "pes": pes,
            "blocks": blocks,
            "messages": msgs,
            "layers": self.layer_stats(msgs),
            "links": self.link_stats(),
            "config": self.cfg.to_dict(),
        }

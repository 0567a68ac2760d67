"""Synthetic traffic with BookSim2's measurement protocol (`trafficmanager.cpp`), on the numba engine.

Per node and cycle, while its source queue is empty, a Bernoulli trial at the node's queue time
decides whether a packet is generated (BookSim's lazy source queue: the queue time advances one cycle per
trial, so a packet's creation time includes source queueing). Packets are unicast, XY-routed; flits
are injected one per cycle like BookSim's terminals. Statistics follow BookSim: packet latency
(creation to tail ejection), network latency (head injection to tail ejection), flit latency (per flit,
injection to ejection), hops (routers traversed), accepted flit rate over the measurement window.

Protocols: `run_booksim` (warm-up sample periods, 3 measured sample periods when the convergence
thresholds are -1, drain of the measured packets, then of everything) and `run_window` (a fixed warm-up
and measurement window). `run_reference` drives the pure-Python twin with the same protocol, for tests.
"""

from __future__ import annotations

import dataclasses
import math
import time as _time
from dataclasses import dataclass, field

import numpy as np

from backend_sim import engine as E
from backend_sim.config import SimConfig
from backend_sim.reference import MASK64, Packet, RefNoC, xorshift64star
from focus_tools.errors import FocusError

PATTERNS = {"uniform": E.PAT_UNIFORM, "transpose": E.PAT_TRANSPOSE, "bitcomp": E.PAT_BITCOMP,
            "hotspot": E.PAT_HOTSPOT, "bitrev": E.PAT_BITREV, "shuffle": E.PAT_SHUFFLE,
            "tornado": E.PAT_TORNADO, "neighbor": E.PAT_NEIGHBOR}


@dataclass(frozen=True)
class TrafficSpec:
    """What the terminals inject: pattern, packet rate (packets/node/cycle), packet size, seed."""

    pattern: str = "uniform"
    rate: float = 0.1
    packet_flits: int = 1
    hotspots: tuple[int, ...] = ()
    hotspot_rates: tuple[int, ...] = ()
    seed: int = 0
    include_queuing: bool = True

    def check(self, cfg: SimConfig) -> TrafficSpec:
        n = cfg.nodes
        if self.pattern not in PATTERNS:
            raise FocusError(f"traffic: pattern {self.pattern!r}, expected one of {', '.join(PATTERNS)}")
        if not 0.0 <= self.rate <= 1.0:
            raise FocusError(f"traffic: packet injection rate {self.rate}, expected 0..1 packets/node/cycle")
        if self.packet_flits < 1:
            raise FocusError(f"traffic: packet size {self.packet_flits}, expected at least 1 flit")
        pow2 = n & (n - 1) == 0
        if self.pattern in ("bitcomp", "bitrev", "shuffle") and not pow2:
            raise FocusError(f"traffic: pattern {self.pattern} needs a power-of-two node count, got {n}")
        if self.pattern == "transpose" and not (pow2 and (n.bit_length() - 1) % 2 == 0):
            raise FocusError(f"traffic: pattern transpose needs an even power-of-two node count, got {n}")
        if self.pattern in ("tornado", "neighbor") and cfg.width != cfg.height:
            raise FocusError(f"traffic: pattern {self.pattern} needs a square mesh, got {cfg.width}x{cfg.height}")
        if self.pattern == "hotspot":
            if not self.hotspots:
                raise FocusError("traffic: pattern hotspot needs hotspot nodes, e.g. hotspot({0,63})")
            for h in self.hotspots:
                if not 0 <= h < n:
                    raise FocusError(f"traffic: hotspot node {h} outside 0..{n - 1}")
            if any(r <= 0 for r in self.hotspot_rates):
                raise FocusError(f"traffic: hotspot rates {list(self.hotspot_rates)}, expected positive")
        return self

    @property
    def threshold(self) -> int:
        """Bernoulli trial succeeds when the top 53 random bits are below this."""
        return int(self.rate * (1 << 53))

    def hot_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        hot = list(self.hotspots) or [0]
        rates = list(self.hotspot_rates) or [1]
        rates = (rates + [rates[-1]] * len(hot))[:len(hot)]
        return np.array(hot, dtype=np.int64), np.array(rates, dtype=np.int64)


@dataclass(frozen=True)
class Protocol:
    """BookSim's sampling protocol (names and defaults of booksim_config.cpp)."""

    sample_period: int = 1000
    warmup_periods: int = 3
    max_samples: int = 10
    latency_thres: float = 500.0
    warmup_thres: float = 0.05
    acc_warmup_thres: float = 0.05
    stopping_thres: float = 0.05
    acc_stopping_thres: float = 0.05
    measure_latency: bool = True  # sim_type latency


SATURATION_FRACTION = 0.95


@dataclass
class TrafficResult:
    stable: bool
    cycles: int
    sim_seconds: float
    pkt_lat_avg: float
    pkt_lat_min: float
    pkt_lat_max: float
    net_lat_avg: float
    flit_lat_avg: float
    hops_avg: float
    accepted_flit_rate: float
    accepted_packet_rate: float
    sent_flit_rate: float
    offered_flit_rate: float
    measured_packets: int
    measured_window: int
    link_flits: np.ndarray = field(repr=False, default=None)

    def to_json(self) -> dict:
        d = {k: v for k, v in vars(self).items() if k != "link_flits"}
        for k, v in d.items():
            if isinstance(v, float):
                d[k] = round(v, 6)
        d["avg_latency"] = d["pkt_lat_avg"]
        d["accepted_rate"] = d["accepted_flit_rate"]
        d["saturated"] = self.saturated
        return d

    @property
    def saturated(self) -> bool:
        """Accepted below 0.95 x offered (the network cannot carry the load), whether or not the latency
        stayed under the threshold that decides `stable`."""
        return self.accepted_flit_rate < SATURATION_FRACTION * self.offered_flit_rate


# ------------------------------------------------------------------------------------------------
# steppers: the engine and the reference expose the same small interface to the protocol drivers
# ------------------------------------------------------------------------------------------------

def splitmix64(seed: int) -> int:
    z = (seed + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    z ^= z >> 31
    return z or 1


def _signed(x: int) -> int:
    return x - (1 << 64) if x >= 1 << 63 else x


class EngineTraffic:
    """Synthetic traffic on the numba engine."""

    def __init__(self, cfg: SimConfig, spec: TrafficSpec):
        self.cfg, self.spec = cfg.validated(), spec.check(cfg)
        N = cfg.nodes
        st = E.NocState(self.cfg, 0, 1, False)
        fcap = int(st.cf[E.C_FCAP])
        pcap = N + fcap
        st.pk = np.zeros((pcap, E.NPF), dtype=np.int64)
        st.pkfree = np.arange(pcap - 1, -1, -1, dtype=np.int64)
        st.sc[E.S_PKFREE] = pcap
        st.cf[E.C_PCAP] = pcap
        st.sc[E.S_RNG] = _signed(splitmix64(spec.seed))
        self.st = st
        self.niq = np.zeros((N, 1), dtype=np.int64)
        tcf = np.zeros(E.NTCF, dtype=np.int64)
        tcf[E.T_PATTERN] = PATTERNS[spec.pattern]
        tcf[E.T_THRESH] = spec.threshold
        tcf[E.T_NFL] = spec.packet_flits
        tcf[E.T_INCLQ] = int(spec.include_queuing)
        self.hot, self.hotw = spec.hot_arrays()
        tcf[E.T_NHOT] = len(self.hot)
        tcf[E.T_HOTTOTAL] = int(self.hotw.sum())
        tcf[E.T_K] = cfg.width
        self.tcf = tcf
        self.tst = np.zeros(E.NTS, dtype=np.int64)
        self._dummy_msg = np.zeros((E.NMF, 1), dtype=np.int64)
        self._dummy_route = np.zeros(1, dtype=np.int64)
        self.seconds = 0.0
        self.clear_stats()

    @property
    def t(self) -> int:
        return int(self.st.sc[E.S_T])

    def _run(self, mode: int, limit: int) -> int:
        s = self.st
        t0 = _time.perf_counter()
        n = E.run_traffic(s.cf, s.sc, s.nod, s.vcs, s.vbuf, s.ob, s.tb, s.xl, s.rq, s.obuf, s.obhc, s.pcq,
                          s.pchc, s.inf, s.alp, s.fl, s.flfree, s.pk, s.pkfree, s.ev, s.evc, s.link, s.scr, s.ej,
                          self.niq, self.tcf, self.tst, self.hot, self.hotw, self._dummy_msg, self._dummy_route,
                          self._dummy_route, mode, limit)
        self.seconds += _time.perf_counter() - t0
        return int(n)

    def steps(self, n: int) -> None:
        self._run(E.TM_STEPS, n)

    def drain_measured(self, limit: int) -> bool:
        self._run(E.TM_DRAIN_MEASURED, limit)
        return self.measured_done()

    def drain_all(self, limit: int) -> bool:
        self._run(E.TM_DRAIN_ALL, limit)
        return self.all_done()

    def measured_done(self) -> bool:
        return self.tst[E.TS_MEAS_INFL] == 0 and self.tst[E.TS_NQDRAINED] == self.cfg.nodes

    def all_done(self) -> bool:
        return self.tst[E.TS_INFL] == 0 and self.st.sc[E.S_CREDITS] == 0 and self.st.sc[E.S_EVTOTAL] == 0

    def clear_stats(self) -> None:
        ts = self.tst
        for base in (E.TS_PLAT_SUM, E.TS_NLAT_SUM, E.TS_FLAT_SUM):
            ts[base], ts[base + 1], ts[base + 2], ts[base + 3] = 0, 0, E._BIG, -1
        for k in (E.TS_HOPS_SUM, E.TS_HOPS_N, E.TS_SENT_FLITS, E.TS_SENT_PKTS, E.TS_ACC_FLITS, E.TS_ACC_PKTS):
            ts[k] = 0
        self.st.sc[E.S_RESET_TIME] = self.st.sc[E.S_T]

    def set_state(self, state: int) -> None:
        self.st.sc[E.S_GEN_STATE] = state
        if state == E.GS_DRAINING:
            self.st.sc[E.S_DRAIN_TIME] = self.st.sc[E.S_T]

    def set_empty_network(self) -> None:
        self.st.sc[E.S_EMPTY_NET] = 1

    def counters(self) -> dict:
        ts = self.tst
        return {
            "plat": (int(ts[E.TS_PLAT_SUM]), int(ts[E.TS_PLAT_N]), int(ts[E.TS_PLAT_MIN]), int(ts[E.TS_PLAT_MAX])),
            "nlat": (int(ts[E.TS_NLAT_SUM]), int(ts[E.TS_NLAT_N])),
            "flat": (int(ts[E.TS_FLAT_SUM]), int(ts[E.TS_FLAT_N])),
            "hops": (int(ts[E.TS_HOPS_SUM]), int(ts[E.TS_HOPS_N])),
            "sent_flits": int(ts[E.TS_SENT_FLITS]), "acc_flits": int(ts[E.TS_ACC_FLITS]),
            "acc_pkts": int(ts[E.TS_ACC_PKTS]),
            "infl": int(ts[E.TS_INFL]), "infl_csum": int(ts[E.TS_INFL_CSUM]),
            "gen_pkts": int(ts[E.TS_GEN_PKTS]),
            "reset_time": int(self.st.sc[E.S_RESET_TIME]), "drain_time": int(self.st.sc[E.S_DRAIN_TIME]),
            "t": self.t, "ejected": int(self.st.sc[E.S_EJECTED]), "injected": int(self.st.nod[E.N_INJ].sum()),
        }

    def link_flits(self) -> np.ndarray:
        return self.st.link.copy()


class RefTraffic:
    """Synthetic traffic on the pure-Python reference twin (same RNG stream and protocol hooks)."""

    def __init__(self, cfg: SimConfig, spec: TrafficSpec):
        self.cfg, self.spec = cfg.validated(), spec.check(cfg)
        self.noc = RefNoC(self.cfg, [])
        N = cfg.nodes
        self.N = N
        self.rng = splitmix64(spec.seed)
        self.qtime = [0] * N
        self.qdrained = [False] * N
        self.staged: list[Packet | None] = [None] * N
        self.hot, self.hotw = (list(a) for a in spec.hot_arrays())
        self.t = 0
        self.state = E.GS_WARMUP
        self.drain_time = -1
        self.empty = False
        self.pid = 0
        self.infl = 0
        self.infl_csum = 0
        self.meas_infl = 0
        self.gen_pkts = 0
        self.ejected = 0
        self.clear_stats()

    # ---- RNG and patterns (identical streams to the engine) ----
    def _next(self) -> int:
        self.rng, x = xorshift64star(self.rng)
        return x

    def _below(self, n: int) -> int:
        return ((self._next() >> 32) * n) >> 32

    def _dest(self, src: int) -> int:
        pat, N = self.spec.pattern, self.N
        if pat == "uniform":
            return self._below(N)
        if pat == "transpose":
            shift = (N.bit_length() - 1) >> 1
            mlo = (1 << shift) - 1
            return ((src >> shift) & mlo) | ((src << shift) & (mlo << shift))
        if pat == "bitcomp":
            return ~src & (N - 1)
        if pat == "hotspot":
            if len(self.hot) == 1:
                return self.hot[0]
            pct = self._below(sum(self.hotw))
            for h, w in zip(self.hot[:-1], self.hotw[:-1]):
                if w > pct:
                    return h
                pct -= w
            return self.hot[-1]
        if pat == "bitrev":
            res, s, n = 0, src, N
            while n > 1:
                res, s, n = (res << 1) | (s & 1), s >> 1, n >> 1
            return res
        if pat == "shuffle":
            sh = src << 1
            return (sh & (N - 1)) | (1 if sh & N else 0)
        k = self.cfg.width
        res, off = 0, 1
        for _ in range(2):
            digit = (src // off) % k
            nd = (digit + ((k + 1) // 2 - 1)) % k if pat == "tornado" else (digit + 1) % k
            res += off * nd
            off *= k
        return res

    # ---- one BookSim _Step ----
    def _step(self) -> None:
        t, noc = self.t, self.noc
        counting = self.state in (E.GS_WARMUP, E.GS_RUNNING)
        ejected = noc.arrivals(t)
        if not self.empty:
            nfl = self.spec.packet_flits
            for n in range(self.N):
                if self.staged[n] is not None:
                    continue
                generated = False
                while not generated and self.qtime[n] <= t:
                    if (self._next() >> 11) < self.spec.threshold:
                        dest = self._dest(n)
                        ctime = self.qtime[n] if self.spec.include_queuing else t
                        pkt = Packet(self.pid, -1, self.pid, n, dest, -1, nfl, ctime, dest, 1)
                        self.pid += 1
                        pkt.record = self.state == E.GS_RUNNING or (
                            self.state == E.GS_DRAINING and ctime < self.drain_time)
                        self.staged[n] = pkt
                        self.infl += nfl
                        self.infl_csum += nfl * ctime
                        self.gen_pkts += 1
                        if pkt.record:
                            self.meas_infl += nfl
                        generated = True
                    self.qtime[n] += 1
                if self.state == E.GS_DRAINING and self.qtime[n] > self.drain_time:
                    self.qdrained[n] = True
        for n in range(self.N):
            pkt = self.staged[n]
            if pkt is None:
                continue
            f = noc.try_inject(n, pkt, t)
            if f is not None:
                if counting:
                    self.sent_flits += 1
                if f.tail:
                    self.staged[n] = None
        for ev in ejected:
            node, f = ev[1], ev[2]
            pkt = f.pkt
            if counting:
                self.acc_flits += 1
                if f.tail:
                    self.acc_pkts += 1
            noc.flits_alive -= 1
            self.ejected += 1
            noc.eject_credit(node, f.vc, t)
            self._sample("flat", t - f.itime)
            self.infl -= 1
            self.infl_csum -= pkt.ctime
            if pkt.record:
                self.meas_infl -= 1
            if f.tail and (self.state == E.GS_WARMUP or pkt.record):
                self.hops[0] += f.hops
                self.hops[1] += 1
                self._sample("plat", t - pkt.ctime)
                self._sample("nlat", t - pkt.itime)
        for rt in noc.routers:
            if rt.in_flits or rt.proc_credits or rt.route_q or rt.va_q or rt.sa_q or rt.xbar_q or any(rt.out_buf):
                noc.step_router(rt, t)
        self.t += 1

    def _sample(self, name: str, v: int) -> None:
        s = self.lat[name]
        s[0] += v
        s[1] += 1
        s[2] = min(s[2], v)
        s[3] = max(s[3], v)

    # ---- stepper interface ----
    def steps(self, n: int) -> None:
        for _ in range(n):
            self._step()

    def measured_done(self) -> bool:
        return self.meas_infl == 0 and all(self.qdrained)

    def all_done(self) -> bool:
        return self.infl == 0 and self.noc.credits_alive == 0 and not self.noc.events

    def drain_measured(self, limit: int) -> bool:
        return self._step_until(self.measured_done, limit)

    def drain_all(self, limit: int) -> bool:
        return self._step_until(self.all_done, limit)

    def _step_until(self, done, limit: int) -> bool:
        """Step until `done()` holds, at most `limit` cycles; return whether it holds."""
        for _ in range(limit):
            if done():
                break
            self._step()
        return done()

    def clear_stats(self) -> None:
        big = int(E._BIG)
        self.lat = {k: [0, 0, big, -1] for k in ("plat", "nlat", "flat")}
        self.hops = [0, 0]
        self.sent_flits = self.acc_flits = self.acc_pkts = 0
        self.reset_time = self.t

    def set_state(self, state: int) -> None:
        self.state = state
        if state == E.GS_DRAINING:
            self.drain_time = self.t

    def set_empty_network(self) -> None:
        self.empty = True

    def counters(self) -> dict:
        return {
            "plat": tuple(self.lat["plat"]), "nlat": tuple(self.lat["nlat"][:2]),
            "flat": tuple(self.lat["flat"][:2]), "hops": tuple(self.hops),
            "sent_flits": self.sent_flits, "acc_flits": self.acc_flits, "acc_pkts": self.acc_pkts,
            "infl": self.infl, "infl_csum": self.infl_csum, "gen_pkts": self.gen_pkts,
            "reset_time": self.reset_time, "drain_time": self.drain_time, "t": self.t,
            "ejected": self.ejected, "injected": int(self.noc.inj_flits.sum()),
        }

    def link_flits(self) -> np.ndarray:
        return self.noc.link_flits.copy()

    seconds = 0.0


# ------------------------------------------------------------------------------------------------
# protocols
# ------------------------------------------------------------------------------------------------

def _avg(sum_n) -> float:
    s, n = sum_n[0], sum_n[1]
    return s / n if n else float("nan")


def _latency_exceeded(st, thres: float) -> bool:
    """BookSim: (measured latency sum + ages of in-flight flits) / count > latency_thres."""
    if thres < 0:
        return False
    c = st.counters()
    total = c["plat"][0] + c["t"] * c["infl"] - c["infl_csum"]
    count = c["plat"][1] + c["infl"]
    return count > 0 and total / count > thres


def _finish(st, stable: bool, spec: TrafficSpec, cfg: SimConfig) -> TrafficResult:
    c = st.counters()
    window = max(1, c["drain_time"] - c["reset_time"])
    N = cfg.nodes
    plat = c["plat"]
    return TrafficResult(
        stable=stable, cycles=c["t"], sim_seconds=st.seconds,
        pkt_lat_avg=_avg(plat), pkt_lat_min=float(plat[2]) if plat[1] else float("nan"),
        pkt_lat_max=float(plat[3]) if plat[1] else float("nan"),
        net_lat_avg=_avg(c["nlat"]), flit_lat_avg=_avg(c["flat"]), hops_avg=_avg(c["hops"]),
        accepted_flit_rate=c["acc_flits"] / window / N, accepted_packet_rate=c["acc_pkts"] / window / N,
        sent_flit_rate=c["sent_flits"] / window / N, offered_flit_rate=spec.rate * spec.packet_flits,
        measured_packets=plat[1], measured_window=window, link_flits=st.link_flits())


def _drain(st, proto_thres: float, drain_limit: int) -> bool:
    """Drain the measured packets (latency check every 1000 cycles, like BookSim); False if unstable."""
    spent = 0
    while not st.measured_done():
        st.drain_measured(1000)
        spent += 1000
        if st.measured_done():
            break
        if _latency_exceeded(st, proto_thres) or spent >= drain_limit:
            return False
    return True


def run_booksim(st, proto: Protocol, drain_limit: int = 10_000_000) -> TrafficResult:
    """BookSim's TrafficManager::Run for one simulation (sim_count 1) on a stepper."""
    converged = 0
    prev_lat, prev_acc = 0.0, 0.0
    clear_last = False
    total_phases = 0
    state = E.GS_WARMUP
    st.set_state(state)
    st.clear_stats()
    stable = True
    while total_phases < proto.max_samples and (state != E.GS_RUNNING or converged < 3):
        if clear_last or (state == E.GS_WARMUP and total_phases % 2 == 0):
            clear_last = False
            st.clear_stats()
        st.steps(proto.sample_period)
        c = st.counters()
        cur_lat = _avg(c["plat"])
        cur_acc = c["acc_flits"] / max(1, c["t"] - c["reset_time"]) / st.cfg.nodes
        nan = float("nan")
        lat_change = abs((cur_lat - prev_lat) / cur_lat) if not math.isnan(cur_lat) and cur_lat else nan
        acc_change = abs((cur_acc - prev_acc) / cur_acc) if cur_acc else nan
        prev_lat, prev_acc = cur_lat, cur_acc
        lat_exc = _latency_exceeded(st, proto.latency_thres)
        if state == E.GS_WARMUP:
            lat_chg = proto.warmup_thres >= 0 and lat_change > proto.warmup_thres
            acc_chg = proto.acc_warmup_thres >= 0 and acc_change > proto.acc_warmup_thres
        else:
            lat_chg = proto.stopping_thres >= 0 and lat_change > proto.stopping_thres
            acc_chg = proto.acc_stopping_thres >= 0 and acc_change > proto.acc_stopping_thres
        if proto.measure_latency and lat_exc:
            converged = 0
            state = E.GS_DRAINING
            st.set_state(state)
            break
        if state == E.GS_WARMUP:
            warmed = (total_phases + 1 >= proto.warmup_periods) if proto.warmup_periods > 0 else (
                (not proto.measure_latency or not lat_chg) and not acc_chg)
            if warmed:
                clear_last = True
                state = E.GS_RUNNING
                st.set_state(state)
        elif state == E.GS_RUNNING:
            converged = converged + 1 if ((not proto.measure_latency or not lat_chg) and not acc_chg) else 0
        total_phases += 1
    if state == E.GS_RUNNING:
        converged += 1
        state = E.GS_DRAINING
        st.set_state(state)
        if proto.measure_latency and not _drain(st, proto.latency_thres, drain_limit):
            converged = 0
    stable = converged > 0
    result_state = st.counters()
    if stable:
        st.set_empty_network()
        st.drain_all(drain_limit)
    res = _finish(st, stable, st.spec, st.cfg)
    if not stable:
        res.cycles = result_state["t"]
    return res


def run_window(st, warmup: int, cycles: int, latency_thres: float = 500.0,
               drain_limit: int = 10_000_000) -> TrafficResult:
    """Warm up `warmup` cycles, measure packets created in the next `cycles` cycles, drain them."""
    st.set_state(E.GS_WARMUP)
    st.clear_stats()
    st.steps(warmup)
    st.clear_stats()
    st.set_state(E.GS_RUNNING)
    st.steps(cycles)
    st.set_state(E.GS_DRAINING)
    stable = _drain(st, latency_thres, drain_limit)
    if stable:
        st.set_empty_network()
        st.drain_all(drain_limit)
    return _finish(st, stable, st.spec, st.cfg)


def warm_up_jit() -> None:
    """Compile (or load from the numba cache) the traffic loop outside any timed region."""
    cfg = SimConfig(width=2, height=2, num_vcs=1, vc_buf_size=1)
    EngineTraffic(cfg, TrafficSpec(rate=0.5)).steps(2)


def simulate_traffic(cfg: SimConfig, spec: TrafficSpec, *, warmup: int, cycles: int,
                     latency_thres: float = 500.0) -> TrafficResult:
    warm_up_jit()
    return run_window(EngineTraffic(cfg, spec), warmup, cycles, latency_thres)


def sweep(cfg: SimConfig, spec: TrafficSpec, rates: list[float], *, warmup: int, cycles: int,
          latency_thres: float = 500.0) -> list[TrafficResult]:
    """Latency-load curve (rates in flits/node/cycle); stops after the first unstable point."""
    warm_up_jit()
    out = []
    for r in rates:
        s = dataclasses.replace(spec, rate=r / spec.packet_flits)
        res = run_window(EngineTraffic(cfg, s), warmup, cycles, latency_thres)
        out.append(res)
        if not res.stable:
            break
    return out

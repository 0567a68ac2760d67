"""Synthetic traffic: engine == reference twin, BookSim protocol, BookSim configuration files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_sim.booksim_cfg import build, parse_config_text, read_config, run_config
from backend_sim.config import SimConfig
from backend_sim.traffic import (
    EngineTraffic,
    Protocol,
    RefTraffic,
    TrafficSpec,
    run_booksim,
    run_window,
    simulate_traffic,
)
from focus_tools.errors import FocusError

DATA = Path(__file__).parent / "data"


def _strip(res) -> dict:
    d = res.to_json()
    d.pop("sim_seconds")
    return d


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_traffic_engine_matches_reference(data):
    side = data.draw(st.sampled_from([2, 4]))
    nv = data.draw(st.integers(1, 3))
    cfg = SimConfig(width=side, height=side, num_vcs=nv, vc_buf_size=data.draw(st.integers(1, 4)),
                    routing_delay=data.draw(st.sampled_from([1, 2])), vc_alloc_delay=data.draw(st.sampled_from([1, 2])),
                    sw_alloc_delay=data.draw(st.sampled_from([1, 2])), st_final_delay=data.draw(st.sampled_from([1, 2])),
                    credit_delay=data.draw(st.sampled_from([0, 1])), alloc_iters=data.draw(st.sampled_from([1, 2])),
                    wait_for_tail_credit=data.draw(st.booleans()))
    pattern = data.draw(st.sampled_from(["uniform", "transpose", "bitcomp", "hotspot", "bitrev", "shuffle",
                                         "tornado", "neighbor"]))
    spec = TrafficSpec(pattern=pattern, rate=data.draw(st.sampled_from([0.05, 0.2, 0.5])),
                       packet_flits=data.draw(st.integers(1, 4)), seed=data.draw(st.integers(0, 5)),
                       hotspots=(0, side * side - 1) if pattern == "hotspot" else (),
                       hotspot_rates=(1, 3) if pattern == "hotspot" else ())
    eng, ref = EngineTraffic(cfg, spec), RefTraffic(cfg, spec)
    a = run_window(eng, 100, 200, drain_limit=20000)
    b = run_window(ref, 100, 200, drain_limit=20000)
    assert _strip(a) == _strip(b)
    assert (a.link_flits == b.link_flits).all()
    if a.stable:  # drained: flit conservation
        for st_ in (eng.counters(), ref.counters()):
            assert st_["infl"] == 0 and st_["injected"] == st_["ejected"] == st_["gen_pkts"] * spec.packet_flits


def test_booksim_protocol_engine_matches_reference_and_conserves_flits():
    cfg = SimConfig(width=4, height=4, num_vcs=2, vc_buf_size=2)
    spec = TrafficSpec(rate=0.15, packet_flits=2, seed=7)
    proto = Protocol(sample_period=200, warmup_periods=2, warmup_thres=-1, acc_warmup_thres=-1,
                     stopping_thres=-1, acc_stopping_thres=-1)
    eng = EngineTraffic(cfg, spec)
    a = run_booksim(eng, proto)
    b = run_booksim(RefTraffic(cfg, spec), proto)
    assert _strip(a) == _strip(b)
    c = eng.counters()
    assert a.stable and c["infl"] == 0 and c["injected"] == c["ejected"] == c["gen_pkts"] * 2
    # 2 warm-up + 3 measured periods of 200 cycles, then the drain
    assert a.measured_window == 600 and a.cycles > 1000


def test_low_load_latency_matches_zero_load_formula():
    # uniform traffic on 8x8 (source included): mean hops 5.25, latency 5H + 7 per packet
    cfg = SimConfig(width=8, height=8, num_vcs=2, vc_buf_size=4)
    res = simulate_traffic(cfg, TrafficSpec(rate=0.002, packet_flits=1, seed=3), warmup=1000, cycles=20000)
    assert res.stable and res.measured_packets > 2000
    assert 5 * 5.25 + 7 - 1.0 < res.pkt_lat_avg < 5 * 5.25 + 7 + 1.0
    assert abs(res.hops_avg - 6.25) < 0.15


def test_saturation_is_reported_unstable():
    cfg = SimConfig(width=4, height=4, num_vcs=1, vc_buf_size=1)
    res = simulate_traffic(cfg, TrafficSpec(pattern="transpose", rate=0.9), warmup=200, cycles=2000,
                           latency_thres=200)
    assert not res.stable


def test_booksim_config_file_runs():
    res = run_config(DATA / "mesh88_iq.cfg", ["sample_period=300"])
    js = res.to_json()
    for key in ("pkt_lat_avg", "net_lat_avg", "flit_lat_avg", "accepted_flit_rate", "hops_avg", "cycles",
                "sim_seconds"):
        assert key in js
    assert res.stable and abs(res.accepted_flit_rate - 0.1) < 0.01 and 30 < res.pkt_lat_avg < 40
    assert res.measured_window == 900  # 3 measured sample periods


def test_booksim_config_syntax():
    v = parse_config_text("// c\nk = 4; n = 2;\ntraffic = hotspot({0,3},{1,2});\nname = \"x\";", "t")
    assert v == {"k": "4", "n": "2", "traffic": "hotspot({0,3},{1,2})", "name": "x"}
    run = build({"topology": "mesh", "k": "4", "routing_function": "dim_order", "traffic": "hotspot({0,3},{1,2})",
                 "injection_rate": "0.2", "injection_rate_uses_flits": "1", "packet_size": "2", "num_vcs": "4"})
    assert run.spec.hotspots == (0, 3) and run.spec.hotspot_rates == (1, 2) and run.spec.rate == 0.1
    assert run.cfg.num_vcs == 4 and run.cfg.vc_buf_size == 8 and run.cfg.credit_delay == 0
    with pytest.raises(FocusError, match="num_vcs = 16 is not implemented"):  # BookSim's default: > 12 VCs
        build({"topology": "mesh", "routing_function": "dim_order"})


@pytest.mark.parametrize("values, match", [
    ({"topology": "mesh", "routing_function": "dim_order", "num_vcs": "2", "bogus_key": "1"}, "unknown BookSim key bogus_key = 1"),
    ({"routing_function": "dim_order"}, "topology = torus is not implemented"),
    ({"topology": "mesh", "routing_function": "min_adapt", "num_vcs": "2"}, "routing_function = min_adapt is not implemented"),
    ({"topology": "mesh", "routing_function": "dim_order", "speculative": "1", "num_vcs": "2"}, "speculative = 1 is not implemented"),
    ({"topology": "mesh", "routing_function": "dim_order", "injection_process": "on_off", "num_vcs": "2"}, "injection_process = on_off"),
    ({"topology": "mesh", "routing_function": "dim_order", "routing_delay": "0", "num_vcs": "2"}, "routing_delay = 0"),
    ({"topology": "mesh", "routing_function": "dim_order", "traffic": "randperm", "num_vcs": "2"}, "traffic = randperm"),
    ({"topology": "mesh", "routing_function": "dim_order", "sw_allocator": "wavefront", "num_vcs": "2"}, "sw_allocator = wavefront"),
    ({"topology": "mesh", "routing_function": "dim_order", "classes": "2", "num_vcs": "2"}, "classes = 2 is not implemented"),
])
def test_booksim_config_rejects_what_the_model_lacks(values, match):
    with pytest.raises(FocusError, match=match):
        build(values)


def test_booksim_defaults_and_inert_keys_are_accepted():
    values = {"topology": "mesh", "routing_function": "dim_order", "num_vcs": "4", "c": "1", "classes": "1", "priority": "none",
              "speculative": "0", "noq": "0", "output_delay": "0", "input_speedup": "1", "output_speedup": "1",
              "internal_speedup": "1.0", "hold_switch_for_packet": "0", "vc_busy_when_full": "0",
              "vc_prioritize_empty": "0", "use_read_write": "0", "include_queuing": "1", "sim_count": "1",
              "arb_type": "round_robin", "deadlock_warn_timeout": "512", "print_csv_results": "1"}
    build(values)


def test_read_config_overrides_and_errors(tmp_path):
    p = tmp_path / "a.cfg"
    p.write_text("k = 4;\ntopology = mesh;")
    assert read_config(p, ["k=8", "num_vcs = 2"])["k"] == "8"
    with pytest.raises(FocusError, match="expected key=value"):
        read_config(p, ["k"])
    with pytest.raises(FocusError, match="cannot read BookSim config"):
        read_config(tmp_path / "missing.cfg")

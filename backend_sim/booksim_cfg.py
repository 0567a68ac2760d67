"""BookSim2 configuration files: parse them and run the synthetic-traffic simulation they describe.

Syntax (BookSim's `config.l`/`config.y`): `key = value;` statements, `//` comments, values are numbers,
bare strings or `{a, b}` lists; several statements may share a line. Command-line style overrides
`key=value` are applied after the file, like BookSim's.

Every key of BookSim's `booksim_config.cpp` is known here with its default. A key is either
*implemented* (its value configures the model), *fixed* (only BookSim's default, or a listed equivalent,
is implemented: any other value is an error naming key and value), or *inert* (it has no effect on the
statistics we report, e.g. output files, power model, per-pair statistics). An unknown key is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from backend_sim.config import MAX_VCS, SimConfig
from backend_sim.traffic import PATTERNS, Protocol, TrafficSpec
from focus_tools.errors import FocusError

# key: default (as BookSim's config parser stores it, strings unquoted)
DEFAULTS: dict[str, str] = {
    "channel_file": "", "subnets": "1", "topology": "torus", "k": "8", "n": "2", "c": "1",
    "routing_function": "none", "use_noc_latency": "1", "x": "8", "y": "8", "xr": "1", "yr": "1",
    "link_failures": "0", "fail_seed": "0", "in_ports": "5", "out_ports": "5", "router": "iq",
    "output_delay": "0", "credit_delay": "0", "internal_speedup": "1.0", "output_buffer_size": "-1",
    "noq": "0", "speculative": "0", "spec_check_elig": "1", "spec_check_cred": "1", "spec_mask_by_reqs": "0",
    "spec_sw_allocator": "prio", "num_vcs": "16", "vc_buf_size": "8", "buf_size": "-1",
    "buffer_policy": "private", "private_bufs": "-1", "private_buf_size": "1", "private_buf_start_vc": "-1",
    "private_buf_end_vc": "-1", "max_held_slots": "-1", "feedback_aging_scale": "1", "feedback_offset": "0",
    "wait_for_tail_credit": "0", "vc_busy_when_full": "0", "vc_prioritize_empty": "0",
    "vc_priority_donation": "0", "vc_shuffle_requests": "0", "hold_switch_for_packet": "0",
    "input_speedup": "1", "output_speedup": "1", "routing_delay": "1", "vc_alloc_delay": "1",
    "sw_alloc_delay": "1", "st_prepare_delay": "0", "st_final_delay": "1", "vct": "0",
    "vc_allocator": "islip", "sw_allocator": "islip", "arb_type": "round_robin", "alloc_iters": "1",
    "classes": "1", "traffic": "uniform", "class_priority": "0", "perm_seed": "0", "injection_rate": "0.1",
    "injection_rate_uses_flits": "0", "packet_size": "1", "packet_size_rate": "1",
    "injection_process": "bernoulli", "burst_alpha": "0.5", "burst_beta": "0.5", "burst_r1": "-1.0",
    "priority": "none", "batch_size": "1000", "batch_count": "1", "max_outstanding_requests": "0",
    "use_read_write": "0", "write_fraction": "0.5", "read_request_begin_vc": "0", "read_request_end_vc": "5",
    "write_request_begin_vc": "2", "write_request_end_vc": "7", "read_reply_begin_vc": "8",
    "read_reply_end_vc": "13", "write_reply_begin_vc": "10", "write_reply_end_vc": "15",
    "read_request_subnet": "0", "read_reply_subnet": "0", "write_request_subnet": "0",
    "write_reply_subnet": "0", "read_request_size": "1", "write_request_size": "1", "read_reply_size": "1",
    "write_reply_size": "1", "sim_type": "latency", "warmup_periods": "3", "sample_period": "1000",
    "max_samples": "10", "measure_stats": "1", "pair_stats": "0", "latency_thres": "500.0",
    "warmup_thres": "0.05", "acc_warmup_thres": "0.05", "stopping_thres": "0.05", "acc_stopping_thres": "0.05",
    "sim_count": "1", "include_queuing": "1", "seed": "0", "print_activity": "0", "print_csv_results": "0",
    "deadlock_warn_timeout": "256", "viewer_trace": "0", "watch_file": "", "watch_flits": "",
    "watch_packets": "", "watch_transactions": "", "watch_out": "", "stats_out": "", "sent_packets_out": "",
    "sim_power": "0", "power_output_file": "pwr_tmp", "tech_file": "", "channel_width": "128",
    "channel_sweep": "0", "network_file": "",
}

# keys whose value configures our model (checked and converted in `build`)
IMPLEMENTED = {
    "topology", "k", "n", "routing_function", "router", "num_vcs", "vc_buf_size", "buf_size", "packet_size",
    "injection_rate", "injection_rate_uses_flits", "injection_process", "traffic", "routing_delay",
    "vc_alloc_delay", "sw_alloc_delay", "st_prepare_delay", "st_final_delay", "credit_delay",
    "wait_for_tail_credit", "vc_allocator", "sw_allocator", "alloc_iters", "sim_type", "sample_period",
    "warmup_periods", "max_samples", "latency_thres", "warmup_thres", "acc_warmup_thres", "stopping_thres",
    "acc_stopping_thres", "seed", "include_queuing",
}
# keys with no effect on the reported statistics (any value)
INERT = {
    "print_csv_results", "deadlock_warn_timeout", "print_activity", "viewer_trace", "watch_file",
    "watch_flits", "watch_packets", "watch_transactions", "watch_out", "stats_out", "sent_packets_out",
    "sim_power", "power_output_file", "tech_file", "channel_width", "channel_sweep", "pair_stats",
    "use_noc_latency",  # mesh channels have latency 1 either way
    "in_ports", "out_ports", "x", "y", "yr", "fail_seed", "channel_file", "network_file",
    # only read by features that are fixed off below
    "spec_check_elig", "spec_check_cred", "spec_mask_by_reqs", "spec_sw_allocator", "private_bufs",
    "private_buf_size", "private_buf_start_vc", "private_buf_end_vc", "max_held_slots",
    "feedback_aging_scale", "feedback_offset", "class_priority", "burst_alpha", "burst_beta", "burst_r1",
    "batch_size", "batch_count", "max_outstanding_requests", "write_fraction", "read_request_begin_vc",
    "read_request_end_vc", "write_request_begin_vc", "write_request_end_vc", "read_reply_begin_vc",
    "read_reply_end_vc", "write_reply_begin_vc", "write_reply_end_vc", "read_request_subnet",
    "read_reply_subnet", "write_request_subnet", "write_reply_subnet", "read_request_size",
    "write_request_size", "read_reply_size", "write_reply_size", "perm_seed", "packet_size_rate",
}
# keys fixed to BookSim's default (plus equivalent spellings)
FIXED_EXTRA = {
    "internal_speedup": {"1", "1.0"}, "c": {"1"}, "subnets": {"1"},
    "classes": {"1"}, "sim_count": {"1"}, "measure_stats": {"1"}, "xr": {"1"},
}


def parse_config_text(text: str, where: str) -> dict[str, str]:
    """`key = value;` statements (BookSim syntax) -> {key: value}; later statements win."""
    out: dict[str, str] = {}
    body = re.sub(r"//[^\n]*", "", text)
    for lineno_stmt in _statements(body):
        stmt = lineno_stmt.strip()
        if not stmt:
            continue
        if "=" not in stmt:
            raise FocusError(f"{where}: statement {stmt!r} is not 'key = value;'")
        key, value = stmt.split("=", 1)
        key, value = key.strip(), value.strip()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise FocusError(f"{where}: key {key!r} is not a BookSim identifier")
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        out[key] = value
    return out


def _statements(body: str) -> list[str]:
    """Split on ';' outside braces and parentheses."""
    out, cur, depth = [], [], 0
    for ch in body:
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        if ch == ";" and depth <= 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    rest = "".join(cur).strip()
    if rest:
        out.append(rest)
    return out


def read_config(path: str | Path, overrides: list[str] = ()) -> dict[str, str]:
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as exc:
        raise FocusError(f"{path}: cannot read BookSim config ({exc.strerror})") from None
    cfg = parse_config_text(text, str(path))
    for ov in overrides:
        if "=" not in ov:
            raise FocusError(f"override {ov!r}: expected key=value")
        k, v = ov.split("=", 1)
        cfg[k.strip()] = v.strip().rstrip(";").strip()
    return cfg


@dataclass
class BookSimRun:
    cfg: SimConfig
    spec: TrafficSpec
    proto: Protocol
    values: dict[str, str]


def _int(values: dict, key: str, where: str) -> int:
    v = values[key]
    try:
        return int(v)
    except ValueError:
        try:
            f = float(v)
        except ValueError:
            f = None
        if f is not None and f == int(f):
            return int(f)
        raise FocusError(f"{where}: {key} = {v}, expected an integer") from None


def _float(values: dict, key: str, where: str) -> float:
    try:
        return float(values[key])
    except ValueError:
        raise FocusError(f"{where}: {key} = {values[key]}, expected a number") from None


def _unsupported(where: str, key: str, value: str, valid: str) -> FocusError:
    return FocusError(f"{where}: {key} = {value} is not implemented by focus's model, expected {valid}")


def parse_traffic(value: str, nodes: int, where: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """BookSim traffic strings: uniform, transpose, ..., hotspot({n1,n2},{r1,r2})."""
    m = re.fullmatch(r"\s*([A-Za-z_]+)\s*(?:\((.*)\))?\s*", value)
    if not m:
        raise FocusError(f"{where}: traffic = {value}, expected a pattern name such as uniform")
    name, params = m.group(1), m.group(2)
    if name not in PATTERNS:
        raise _unsupported(where, "traffic", value, "one of " + ", ".join(PATTERNS))
    if name != "hotspot":
        if params:
            raise _unsupported(where, "traffic", value, f"{name} without parameters")
        return name, (), ()
    groups = re.findall(r"\{([^}]*)\}|([^,{}]+)", params or "")
    lists = []
    for g in groups:
        text = g[0] if g[0] or not g[1] else g[1]
        items = [x.strip() for x in text.split(",") if x.strip()]
        try:
            lists.append(tuple(int(x) for x in items))
        except ValueError:
            raise FocusError(f"{where}: traffic = {value}, expected hotspot({{nodes}},{{rates}})") from None
    if not lists or not lists[0]:
        raise _unsupported(where, "traffic", value, "hotspot with explicit nodes, e.g. hotspot({0,63})")
    if any(h < 0 for h in lists[0]):
        raise _unsupported(where, "traffic", value, "explicit hotspot nodes (BookSim picks -1 at random)")
    return "hotspot", lists[0], lists[1] if len(lists) > 1 else ()


def build(values: dict[str, str], where: str = "booksim config") -> BookSimRun:
    """Check every key and value; return the simulator config, traffic and protocol they describe."""
    v = dict(DEFAULTS)
    for key, val in values.items():
        if key not in DEFAULTS:
            raise FocusError(f"{where}: unknown BookSim key {key} = {val}")
        v[key] = val
    for key, val in v.items():
        if key in IMPLEMENTED or key in INERT:
            continue
        ok = {DEFAULTS[key]} | FIXED_EXTRA.get(key, set())
        if val not in ok and not _same_number(val, DEFAULTS[key]):
            raise _unsupported(where, key, val, f"BookSim's default {DEFAULTS[key]}")
    if v["topology"] != "mesh":
        raise _unsupported(where, "topology", v["topology"], "mesh")
    if _int(v, "n", where) != 2:
        raise _unsupported(where, "n", v["n"], "2 (a 2D mesh)")
    k = _int(v, "k", where)
    if k < 2:
        raise _unsupported(where, "k", v["k"], "at least 2")
    if v["routing_function"] not in ("dim_order", "dor"):
        raise _unsupported(where, "routing_function", v["routing_function"], "dim_order")
    if v["router"] != "iq":
        raise _unsupported(where, "router", v["router"], "iq")
    for key in ("vc_allocator", "sw_allocator"):
        if v[key] != "islip":
            raise _unsupported(where, key, v[key], "islip")
    if v["injection_process"] != "bernoulli":
        raise _unsupported(where, "injection_process", v["injection_process"], "bernoulli")
    if v["sim_type"] not in ("latency", "throughput"):
        raise _unsupported(where, "sim_type", v["sim_type"], "latency or throughput")
    if v["seed"] == "time":
        raise _unsupported(where, "seed", "time", "an integer (runs must be reproducible)")
    if "{" in v["packet_size"] or "{" in v["injection_rate"]:
        raise _unsupported(where, "packet_size", v["packet_size"], "a single packet size and rate")
    nv = _int(v, "num_vcs", where)
    if not 1 <= nv <= MAX_VCS:
        raise _unsupported(where, "num_vcs", v["num_vcs"], f"1..{MAX_VCS}")
    buf = _int(v, "buf_size", where)
    vcbuf = buf // nv if buf > 0 else _int(v, "vc_buf_size", where)
    if vcbuf < 1:
        raise _unsupported(where, "vc_buf_size", str(vcbuf), "at least 1 flit per VC")
    rd = _int(v, "routing_delay", where)
    if rd < 1:
        raise _unsupported(where, "routing_delay", v["routing_delay"], "at least 1 (no lookahead routing)")
    for key in ("vc_alloc_delay", "sw_alloc_delay", "alloc_iters"):
        if _int(v, key, where) < 1:
            raise _unsupported(where, key, v[key], "at least 1")
    if _int(v, "st_prepare_delay", where) + _int(v, "st_final_delay", where) < 1:
        raise _unsupported(where, "st_final_delay", v["st_final_delay"], "a crossbar delay of at least 1")
    if _int(v, "credit_delay", where) < 0:
        raise _unsupported(where, "credit_delay", v["credit_delay"], ">= 0")
    psize = _int(v, "packet_size", where)
    if psize < 1:
        raise _unsupported(where, "packet_size", v["packet_size"], "at least 1")
    rate = _float(v, "injection_rate", where)
    if _int(v, "injection_rate_uses_flits", where):
        rate /= psize
    if not 0 <= rate <= 1:
        raise FocusError(f"{where}: injection_rate = {v['injection_rate']} gives {rate} packets/node/cycle, "
                         "expected 0..1")
    pattern, hot, hot_rates = parse_traffic(v["traffic"], k * k, where)
    cfg = SimConfig(
        width=k, height=k, num_vcs=nv, vc_buf_size=vcbuf, routing_delay=rd,
        vc_alloc_delay=_int(v, "vc_alloc_delay", where), sw_alloc_delay=_int(v, "sw_alloc_delay", where),
        st_prepare_delay=_int(v, "st_prepare_delay", where), st_final_delay=_int(v, "st_final_delay", where),
        credit_delay=_int(v, "credit_delay", where), link_latency=1,
        alloc_iters=_int(v, "alloc_iters", where),
        wait_for_tail_credit=bool(_int(v, "wait_for_tail_credit", where)),
    ).validated()
    spec = TrafficSpec(pattern=pattern, rate=rate, packet_flits=psize, hotspots=hot, hotspot_rates=hot_rates,
                       seed=_int(v, "seed", where), include_queuing=bool(_int(v, "include_queuing", where)))
    spec.check(cfg)
    proto = Protocol(
        sample_period=_int(v, "sample_period", where), warmup_periods=_int(v, "warmup_periods", where),
        max_samples=_int(v, "max_samples", where), latency_thres=_float(v, "latency_thres", where),
        warmup_thres=_float(v, "warmup_thres", where), acc_warmup_thres=_float(v, "acc_warmup_thres", where),
        stopping_thres=_float(v, "stopping_thres", where),
        acc_stopping_thres=_float(v, "acc_stopping_thres", where),
        measure_latency=v["sim_type"] == "latency")
    if proto.sample_period < 1 or proto.max_samples < 1:
        raise FocusError(f"{where}: sample_period = {v['sample_period']}, max_samples = {v['max_samples']}, "
                         "expected both >= 1")
    if proto.warmup_thres < 0 and proto.max_samples <= proto.warmup_periods:
        raise FocusError(f"{where}: max_samples = {v['max_samples']} with warmup_periods = {v['warmup_periods']} "
                         "and warmup_thres = -1 measures nothing; expected max_samples > warmup_periods")
    return BookSimRun(cfg=cfg, spec=spec, proto=proto, values=v)


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def run_config(path: str | Path, overrides: list[str] = ()):
    """Parse, check and run a BookSim config on the engine; returns a TrafficResult."""
    from backend_sim.traffic import EngineTraffic, run_booksim, warm_up_jit

    run = build(read_config(path, overrides), str(path))
    warm_up_jit()
    return run_booksim(EngineTraffic(run.cfg, run.spec), run.proto)

"""`focus run` outputs: the summary table, report.json's schema, the PNGs and trace.json (Chrome trace format)."""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import pairwise

import pytest
from driver_helpers import png_ok

from backend_sim.report_files import FILES

PNGS = [f for f in FILES if f.endswith(".png")]


def test_run_prints_summary_and_writes_every_file(run_out):
    out, code, stdout, stderr = run_out
    assert code == 0, stderr
    assert "| total cycles" in stdout and "| slowdown" in stdout and "| compute lower bound" in stdout
    assert stdout.rstrip().splitlines()[-1].startswith(f"outputs in {out}/")
    names = {p.name for p in out.iterdir()}
    assert names == {"report.json", "report.md", "timings.json", *FILES}
    assert not any(n.endswith(".tmp") for n in names)


def test_report_schema(run_out):
    out = run_out[0]
    r = json.loads((out / "report.json").read_text())
    for key, typ in (("total_cycles", int), ("compute_lower_bound", int), ("slowdown", float), ("layers", list),
                     ("pe_utilization", dict), ("link_load", list), ("energy_pJ", float), ("mesh", list),
                     ("preset", str), ("max_link_utilization", float)):
        assert isinstance(r[key], typ), key
    assert "timings_s" not in r and "sim_seconds" not in r  # wall-clock numbers live in timings.json
    t = json.loads((out / "timings.json").read_text())
    assert isinstance(t["timings_s"], dict) and t["timings_s"]["simulate"] >= 0
    assert r["preset"] == "focus" and r["batch"] == 2
    assert r["total_cycles"] >= r["compute_lower_bound"] > 0
    assert r["slowdown"] == pytest.approx(r["total_cycles"] / r["compute_lower_bound"], rel=1e-5)
    names = [row["name"] for row in r["layers"]]
    assert names == ["cnn.conv1", "cnn.conv2", "cnn.residual", "cnn.fc", "mlp.hidden", "mlp.out"]
    for row in r["layers"]:
        assert {"name", "start", "finish", "cycles"} <= set(row)
        assert 0 <= row["start"] <= row["finish"] <= r["total_cycles"]
        assert row["cycles"] == row["finish"] - row["start"] >= row["compute_cycles"] > 0
    w, h = r["mesh"]
    assert r["pe_utilization"] and all(0.0 <= u <= 1.0 for u in r["pe_utilization"].values())
    assert all(pe.startswith("<") for pe in r["pe_utilization"])
    ports = {"E", "W", "S", "N", "L", "inject"}
    assert r["link_load"] and all(lk["port"] in ports and lk["flits"] > 0 for lk in r["link_load"])
    assert r["max_link_utilization"] == max(lk["utilization"] for lk in r["link_load"] if lk["port"] != "inject")
    assert r["energy_pJ"] == pytest.approx(sum(r["energy"]["parts"].values()), rel=1e-6) and r["energy_pJ"] > 0
    assert 2 <= w <= 8 and 2 <= h <= 8


@pytest.mark.parametrize("name", PNGS)
def test_every_png_is_a_valid_image(run_out, name):
    png_ok(run_out[0] / name)


def _trace(out):
    doc = json.loads((out / "trace.json").read_text())
    assert set(doc) == {"traceEvents", "otherData"}
    return doc


def test_trace_is_chrome_trace_json(run_out):
    doc = _trace(run_out[0])
    events = doc["traceEvents"]
    assert isinstance(events, list) and events
    for e in events:
        assert e["ph"] in ("M", "X", "C"), e
        assert isinstance(e["pid"], int) and isinstance(e["name"], str)
        if e["ph"] == "M":
            assert e["name"] in ("process_name", "process_sort_index", "thread_name", "thread_sort_index")
            assert isinstance(e["args"], dict)
        elif e["ph"] == "X":
            assert isinstance(e["tid"], int) and isinstance(e["ts"], int) and isinstance(e["dur"], int)
            assert e["ts"] >= 0 and e["dur"] >= 0
        else:
            assert isinstance(e["ts"], int) and e["ts"] >= 0
            assert len(e["args"]) == 1 and all(isinstance(v, int) and v >= 0 for v in e["args"].values())
    assert doc["otherData"]["total_cycles"] == json.loads((run_out[0] / "report.json").read_text())["total_cycles"]


def test_trace_has_one_track_per_pe_and_per_busy_link(run_out):
    out = run_out[0]
    report = json.loads((out / "report.json").read_text())
    doc = _trace(out)
    events = doc["traceEvents"]
    procs = {e["pid"]: e["args"]["name"] for e in events if e["name"] == "process_name"}
    pe_procs = {pid: name for pid, name in procs.items() if name.startswith("PE ")}
    # one process per PE that ran a program, named like the report's PE keys
    assert sorted(n.split(" memory")[0][3:] for n in pe_procs.values()) == sorted(report["pe_stats"])
    assert len(set(pe_procs.values())) == len(pe_procs)
    # each PE's activity slice carries its cycle counts from the simulator
    for e in events:
        if e["ph"] == "X" and e["pid"] in pe_procs and e["tid"] == 0:
            pe = e["args"]["pe"]
            assert e["args"]["busy"] == report["pe_stats"][pe]["busy"]
    # blocks never overlap within a lane (so Perfetto nests nothing wrongly)
    lanes = defaultdict(list)
    for e in events:
        if e["ph"] == "X":
            lanes[(e["pid"], e["tid"])].append((e["ts"], e["ts"] + e["dur"]))
    for spans in lanes.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in pairwise(spans))
    # one counter track per busy mesh link (the report's E/W/S/N links with flits)
    busy = {(lk["from"], lk["port"]) for lk in report["link_load"] if lk["port"] in "EWSN"}
    links_pid = next(pid for pid, name in procs.items() if name.startswith("links"))
    counters = {e["name"] for e in events if e["ph"] == "C" and e["pid"] == links_pid}
    assert len(counters) == len(busy) == len(doc["otherData"]["links"])
    assert {(n.split(" -> ")[0], n[-2]) for n in counters} == busy
    assert {e["name"] for e in events if e["ph"] == "C" and e["pid"] in pe_procs} == {"received packets"}
    # and one thread per layer
    layer_pid = next(pid for pid, name in procs.items() if name == "layers")
    threads = {e["args"]["name"] for e in events if e["pid"] == layer_pid and e["name"] == "thread_name"}
    assert threads == {row["name"] for row in report["layers"]}


def test_report_md_is_written(run_out):
    md = (run_out[0] / "report.md").read_text()
    assert md.startswith("# focus report") and "| cnn.conv1 |" in md


def test_detail_subops_draws_the_subop_graph(compiled_runs, tmp_path):
    from backend_sim import report_files

    compiled, program, result, report = compiled_runs["focus"]
    a = report_files.write_all(tmp_path / "layers", compiled, program, result, report, detail="layers")
    b = report_files.write_all(tmp_path / "subops", compiled, program, result, report, detail="subops")
    assert [p.name for p in a] == [p.name for p in b] == list(FILES)
    wa, ha = png_ok(tmp_path / "layers" / "graph.png")
    wb, hb = png_ok(tmp_path / "subops" / "graph.png")
    assert (wa, ha) != (wb, hb)  # a different drawing: sources, workers and sinks instead of layers
    g = report_files._subop_graph(compiled)
    roles = {d["role"] for _, d in g.nodes(data=True)}
    assert roles == {"source", "worker", "sink"}
    assert {d["layer"] for _, d in g.nodes(data=True)} == {row["name"] for row in compiled.layers}
    assert all(d["pe"] == compiled.placement[v] for v, d in g.nodes(data=True))


def test_outputs_are_deterministic(compiled_runs, tmp_path):
    from backend_sim import report_files

    compiled, program, result, report = compiled_runs["focus-original"]
    for d in ("a", "b"):
        report_files.write_all(tmp_path / d, compiled, program, result, report)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name

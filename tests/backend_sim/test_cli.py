"""`focus sim` and `focus noc` end to end (exit codes, JSON keys)."""

from __future__ import annotations

import json
from pathlib import Path

from focus_tools.cli import main

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sim_npz_json(tmp_path, capsys):
    from backend_sim.program import ProgramBuilder

    b = ProgramBuilder(3, 3)
    t = b.add_message(0, [8], 2)
    with b.block(0, "s") as blk:
        blk.send(t)
    with b.block(8, "r") as blk:
        blk.recv(t)
    b.build().save(tmp_path / "p.npz")
    code, out, _ = _run(capsys, "sim", str(tmp_path / "p.npz"), "--json", "--out", str(tmp_path / "o"))
    assert code == 0
    data = json.loads(out)
    assert data["total_cycles"] == 5 * 4 + 7 + 1 + 1 and data["finished"]
    assert json.loads((tmp_path / "o" / "result.json").read_text())["total_cycles"] == data["total_cycles"]
    assert (tmp_path / "o" / "pe_stats.csv").read_text().startswith("pe,busy")


def test_sim_mlir_module(capsys):
    code, out, _ = _run(capsys, "sim", str(ROOT / "examples" / "levels" / "pe_isa.mlir"), "--json")
    assert code == 0
    data = json.loads(out)
    # every packet of the compiled example reaches every destination (flit conservation)
    assert data["finished"] and data["flits"]["ejected"] == data["flits"]["expected_ejected"] > 0


def test_sim_deadlock_exit_code_3(tmp_path, capsys):
    from backend_sim.program import ProgramBuilder

    b = ProgramBuilder(2, 1)
    a = b.add_message(0, [1], 1)
    c = b.add_message(1, [0], 1)
    with b.block(0, "A") as blk:
        blk.recv(c)
        blk.send(a)
    with b.block(1, "B") as blk:
        blk.recv(a)
        blk.send(c)
    b.build().save(tmp_path / "d.npz")
    code, _, err = _run(capsys, "sim", str(tmp_path / "d.npz"))
    assert code == 3 and "deadlock at cycle" in err and err.count("\n") == 1


def test_sim_bad_input_exit_code_2(tmp_path, capsys):
    code, _, err = _run(capsys, "sim", str(tmp_path / "none.npz"))
    assert code == 2 and "no such file" in err
    code, _, err = _run(capsys, "sim", "--spatial-sim", str(tmp_path))
    assert code == 2 and "no task_spec" in err


def test_sim_spatial_dir(capsys):
    code, out, _ = _run(capsys, "sim", "--spatial-sim", str(DATA / "spatial_pair"), "--json")
    assert code == 0 and json.loads(out)["total_cycles"] == 28  # the MC router, spatial_sim's default


def test_noc_synthetic_json(capsys):
    code, out, _ = _run(capsys, "noc", "--mesh", "4x4", "--rate", "0.2", "--packet-flits", "2", "--vcs", "2",
                        "--buf", "4", "--cycles", "2000", "--warmup", "200", "--json")
    data = json.loads(out)
    assert code == 0
    for key in ("avg_latency", "accepted_rate", "cycles", "sim_seconds"):
        assert key in data
    assert abs(data["accepted_rate"] - 0.2) < 0.02


def test_noc_sweep_stops_at_saturation(capsys):
    code, out, _ = _run(capsys, "noc", "--mesh", "4x4", "--sweep", "0.2:2.0:0.3", "--cycles", "1500",
                        "--warmup", "200", "--json", "--latency-thres", "200")
    rows = json.loads(out)
    assert code == 0 and rows[-1]["stable"] is False and all(r["stable"] for r in rows[:-1])
    assert [r["rate"] for r in rows][:2] == [0.2, 0.5]
    # saturated: accepted below 0.95 x offered (the first point is far below saturation, the last beyond it)
    assert rows[0]["saturated"] is False and rows[-1]["saturated"] is True
    assert all(r["saturated"] == (r["accepted_rate"] < 0.95 * r["rate"]) for r in rows)


def test_noc_booksim_cfg(capsys):
    code, out, _ = _run(capsys, "noc", "--booksim-cfg", str(DATA / "mesh88_iq.cfg"), "sample_period=200", "--json")
    data = json.loads(out)
    assert code == 0
    for key in ("pkt_lat_avg", "net_lat_avg", "flit_lat_avg", "accepted_flit_rate", "hops_avg", "cycles",
                "sim_seconds"):
        assert key in data
    code, _, err = _run(capsys, "noc", "--booksim-cfg", str(DATA / "mesh88_iq.cfg"), "noq=1")
    assert code == 2 and "noq = 1 is not implemented" in err

"""spatial_sim compatibility: reading original task directories and running them in spatial_sim mode."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from backend_sim.engine import simulate
from backend_sim.reference import simulate_reference
from backend_sim.spatial_sim import read_spatial_sim_dir, simulate_spatial_sim, spatial_config, to_program
from focus_tools.errors import FocusError

DATA = Path(__file__).parent / "data"


def test_reader_parses_the_original_format():
    task = read_spatial_sim_dir(DATA / "spatial_toy4")
    assert task.k == 4 and len(task.cores) == 16
    assert task.cores[14].blocks[0][:2] == [("CPU.sleep", ["50"]), ("NI.send", ["0", "3", "6"])]
    assert task.cores[14].data[0] == ([3, 6], [1024])
    assert task.routing_board[0] == (14, [3, 6], [(14, 6), (6, 3)])
    assert task.instr_latency == {"CPU.poll": 1, "CPU.reshape": 1}
    # the absolute paths of the original machine fall back to files of the directory
    assert task.spec["routing_board"].startswith("/home/user/")


def test_pair_total_cycles_by_hand():
    # core 0: sleep 10 (issued at 0, done at 10), NI.send at 10 (1 flit, 1 hop through spatial_sim's MC
    # router, 4 cycles per router: head ejected at 10 + 4 * 1 + 6); core 1 sees the packet one cycle later
    # (cores step before the NoC), NI.recv at 21, sleep 5 issued at 22 and popped at 27; the run ends at
    # the start of cycle 28.
    res = simulate_spatial_sim(DATA / "spatial_pair")
    assert res.finished and res.total_cycles == 28
    # `router = iq` (BookSim's IQ router, spatial_sim's default before 2025): one cycle more per router
    assert simulate_spatial_sim(DATA / "spatial_pair", router="iq").total_cycles == 30
    stats = dict(zip(res.pe_nodes.tolist(), res.pe_stats.tolist()))
    assert stats[0][0] == 9 and stats[1][0] == 4  # busy cycles: sleep n keeps the core busy n - 1 cycles


@pytest.mark.parametrize("name", ["spatial_pair", "spatial_manip", "spatial_toy4"])
def test_spatial_mode_engine_matches_reference(name):
    task = read_spatial_sim_dir(DATA / name)
    for multicast in ((False, True) if name == "spatial_toy4" else (False,)):
        prog = to_program(task, multicast=multicast)
        cfg = spatial_config(task)
        eng = simulate(prog, cfg)
        assert eng.finished
        assert eng.raw() == simulate_reference(prog, cfg).raw()
        assert eng.flits_ejected == eng.flits_expected


def test_spatial_semantics_flits_vcs_and_doorbell():
    task = read_spatial_sim_dir(DATA / "spatial_manip")
    prog = to_program(task)
    cfg = spatial_config(task)
    # tensor 0 is 16x16 = 256 elements on 64-bit channels: 4 flits; tensor 1 (300): 5 flits
    assert [int(prog.msg_flits[m]) for m in range(prog.num_messages)] == [4, 5, 1]
    assert cfg.vc_lo == 0 and cfg.vc_last == 0 and cfg.recv_at_head and cfg.injection_queue == 0
    assert cfg.spatial_threshold == 1
    # a sleep stalls every block of the core: the manipulate block's sleeps delay the other block
    res = simulate(prog, cfg)
    assert res.finished and res.total_cycles > 3 * 40


def test_multicast_mode_uses_routing_board_trees():
    a = simulate_spatial_sim(DATA / "spatial_toy4")
    b = simulate_spatial_sim(DATA / "spatial_toy4", multicast=True)
    assert a.finished and b.finished
    assert b.flits_injected < a.flits_injected  # one packet per send instead of one per destination


def _copy(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copytree(DATA / name, dst)
    return dst


def test_acc_cal_is_rejected_clearly(tmp_path):
    d = _copy(tmp_path, "spatial_pair")
    (d / "c1.inst").write_text("operators:\n{\nassemble # ACC.cal conv 3 0\n}\ndata:\n")
    with pytest.raises(FocusError, match="ACC.cal: spatial_sim aborts on this instruction"):
        simulate_spatial_sim(d)
    (d / "c1.inst").write_text("operators:\n{\ncompute # C=4 # 3 # 0\n}\ndata:\n3 # 0 # 1\n")
    with pytest.raises(FocusError, match="lowers to ACC.cal"):
        simulate_spatial_sim(d)


def test_deadlock_in_spatial_mode(tmp_path):
    d = _copy(tmp_path, "spatial_pair")
    (d / "c0.inst").write_text("operators:\n{\nassemble # NI.recv 1\nassemble # NI.send 0 1\n}\ndata:\n0 # 1 # 1\n")
    (d / "c1.inst").write_text("operators:\n{\nassemble # NI.recv 0\nassemble # NI.send 1 0\n}\ndata:\n1 # 0 # 1\n")
    res = simulate_spatial_sim(d)
    assert res.deadlock is not None and res.deadlock.kind == "deadlock"
    assert "NI" not in res.deadlock.message() and "recv tag" in res.deadlock.message()


@pytest.mark.parametrize("content, match", [
    ("operators:\n{\nassemble # NI.recv 9\n}\ndata:\n", "no core sends tensor 9"),
    ("operators:\n{\nassemble # FOO.bar 1\n}\ndata:\n", "unknown micro-instruction 'FOO.bar'"),
    ("operators:\nassemble # CPU.sleep 1\ndata:\n", "outside a"),
    ("operators:\n{\nassemble # NI.send 4 0\n}\ndata:\n", "has no data line"),
    ("operators:\n{\n}\ndata:\n5 # 0\n", "expected 'tid # dests # dims'"),
])
def test_bad_task_files(tmp_path, content, match):
    d = _copy(tmp_path, "spatial_pair")
    (d / "c1.inst").write_text(content)
    with pytest.raises(FocusError, match=match):
        simulate_spatial_sim(d)


def test_missing_task_spec(tmp_path):
    with pytest.raises(FocusError, match="no task_spec file"):
        read_spatial_sim_dir(tmp_path)


def test_missing_routing_board_is_a_warning_as_in_the_original(tmp_path):
    # spatial_sim only warns when the routing board does not exist and routes by dimension order
    d = _copy(tmp_path, "spatial_pair")
    spec = (d / "task_spec").read_text().replace("routing_board = routing_board;",
                                                 "routing_board = /nonexistent/dir/board;")
    (d / "task_spec").write_text(spec)
    (d / "routing_board").unlink()
    task = read_spatial_sim_dir(d)
    assert task.routing_board == {} and len(task.warnings) == 1
    assert "routing_board = /nonexistent/dir/board does not exist" in task.warnings[0]
    assert simulate_spatial_sim(d).total_cycles == 28


def test_router_key_selects_the_pipeline(tmp_path):
    d = _copy(tmp_path, "spatial_pair")
    (d / "task_spec").write_text((d / "task_spec").read_text() + "router = iq;\n")
    assert spatial_config(read_spatial_sim_dir(d)).router == "iq"
    assert simulate_spatial_sim(d).total_cycles == 30
    (d / "task_spec").write_text((d / "task_spec").read_text() + "router = chaos;\n")
    with pytest.raises(FocusError, match="router = chaos, expected mc or iq"):
        spatial_config(read_spatial_sim_dir(d))

"""Targets: pe-asm listing, pe-packed (.npz), spatial-sim export and its reader (round trip)."""

from __future__ import annotations

import math
import subprocess

import pytest
from lowering_helpers import REPO, VENV_BIN, device, lit_cases, lowered, parse

from backend_sim.spatial_sim_export import (
    export_spatial_sim,
    read_spatial_sim_task,
    task_of_module,
    task_to_module,
)
from backend_sim.targets import pe_asm_listing
from focus_dialects import pe_isa
from focus_tools.errors import FocusError
from passes.pe_isa_check import check_module, count_module

CHAINED_BATCHES = -1  # index of the two-batch chained case in the lit file
LIT_FILE = REPO / "test_lit" / "passes" / "lower-to-pe-isa.mlir"


def focus_opt(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "focus-opt"), *args], input=stdin, capture_output=True, text=True, check=False,
                          timeout=120)


# ---- pe-asm ---------------------------------------------------------------------------------------------
def test_pe_asm_one_section_per_pe():
    module = lowered(lit_cases()[CHAINED_BATCHES])
    text = pe_asm_listing(module)
    programs = [p for p in module.ops if isinstance(p, pe_isa.ProgramOp)]
    assert text.count("\npe <") == len(programs) == 5
    assert "pe <1, 1> (id 4):\n  block l1.sink  (layer l1)\n    loop 2\n      loop 4\n        recv 2\n      send 6\n" in text
    assert "  tag 6  <1, 1> -> <0, 0>  flits 1  vc 0  tree  ctrl.l1.sink.l2.src.Weights  (control, layer l2)" in text
    ops = sum(1 for op in module.walk() if op.parent_op() is not None and op.name not in (
        "pe_isa.message", "pe_isa.program", "pe_isa.block", "chip.device"))
    assert text.splitlines()[0].endswith(f"{ops} instructions")


def test_pe_asm_through_focus_opt():
    proc = focus_opt(str(LIT_FILE), "--split-input-file", "-p", "lower-to-pe-isa", "-t", "pe-asm")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("; pe-asm: device d, mesh 3 x 3") == len(lit_cases())


# ---- pe-packed ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", range(len(lit_cases())))
def test_packed_program_matches_the_ir(case, tmp_path):
    program = pytest.importorskip("backend_sim.program")
    from backend_sim.lower_packed import pack_module

    module = lowered(lit_cases()[case])
    prog = pack_module(module)
    counts = count_module(module)
    sends, recvs = prog.static_counts()
    for m in module.ops:
        if isinstance(m, pe_isa.MessageOp):
            tag = m.tag.value.data  # lowered tags are 0..n-1, so they are the packed indices
            assert sends[tag] == counts.sends[tag][m.src.xy]
            assert [recvs[tag][k] for k in range(len(m.dsts.coords))] == [counts.recvs[tag][d] for d in m.dsts.coords]
            assert prog.msg_names[tag] == m.label.data
    loops = sum(1 for op in module.walk() if isinstance(op, pe_isa.LoopOp))
    leaf = sum(1 for op in module.walk() if op.name in ("pe_isa.send", "pe_isa.recv", "pe_isa.compute",
                                                        "pe_isa.mem_read", "pe_isa.mem_write"))
    assert len(prog.instr_op) == leaf + 2 * loops
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    prog.save(a)
    pack_module(lowered(lit_cases()[case])).save(b)
    assert a.read_bytes() == b.read_bytes()  # deterministic
    back = program.PackedProgram.load(a)
    assert back.block_names == prog.block_names and (back.instr_arg == prog.instr_arg).all()


def test_packed_target_through_focus_opt(tmp_path):
    pytest.importorskip("backend_sim.program")
    out = tmp_path / "prog.npz"
    proc = focus_opt("-p", "lower-to-pe-isa", "-t", f'pe-packed{{out="{out}"}}', stdin=lit_cases()[1])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"pe-packed: wrote {out}: ") and out.is_file()
    proc = focus_opt("-p", "lower-to-pe-isa", "-t", "pe-packed", stdin=lit_cases()[1])
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "writes a .npz file" in proc.stderr


# ---- spatial-sim ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", range(len(lit_cases())))
def test_spatial_sim_export_reads_back_to_the_same_programs(case, tmp_path):
    module = lowered(lit_cases()[case])
    export_spatial_sim(module, tmp_path / "task")
    back = read_spatial_sim_task(tmp_path / "task")
    want = task_of_module(module)
    assert back.programs == want.programs  # block names, unrolled instructions, tags, mem ops
    assert back.messages == want.messages
    assert back.memory_pes == want.memory_pes
    rebuilt = task_to_module(back)
    rebuilt.verify()
    assert check_module(rebuilt) == []


def test_spatial_sim_files_follow_the_original_format(tmp_path):
    module = lowered(lit_cases()[CHAINED_BATCHES])
    info = export_spatial_sim(module, tmp_path / "t", channel_width=128)
    d = tmp_path / "t"
    assert info["cores"] == 9 and sorted(p.name for p in d.glob("c*.inst")) == [f"c{i}.inst" for i in range(9)]
    c0 = (d / "c0.inst").read_text().splitlines()
    assert c0[:6] == ["operators:", "{", "// mem_read 64", "assemble # CPU.sleep 1", "assemble # NI.send 0 1",
                      "// mem_read 64"]
    # idle PEs hold only the two section headers
    assert (d / "c2.inst").read_text() == "operators:\ndata:\n"
    # every data line's size gives the message's flits through ceil(size / channel_width)
    flits = {m.label.data: m.flits.value.data for m in module.ops if isinstance(m, pe_isa.MessageOp)}
    sizes = []
    for f in d.glob("c*.inst"):
        text = f.read_text()
        for line in text.split("data:\n", 1)[1].splitlines():
            size = line.split("#")[2].strip()
            sizes.append(math.ceil(int(size) / 128))
    assert sorted(set(sizes)) == sorted(set(flits.values()))
    assert len(sizes) == info["packets"] == sum(
        c for tag in count_module(module).sends.values() for c in tag.values())
    spec = (d / "task_spec").read_text()
    assert "k = 3;" in spec and "tasks = {c0.inst,c1.inst," in spec and f"routing_board = {d.resolve()}/routing_board;" in spec
    # the unicast l1.I takes a non-XY route, so the routing board lists each of its 8 packets
    board = (d / "routing_board").read_text().split("\n\n")
    heads = [b.splitlines()[0] for b in board if b.strip()]
    assert sum(1 for h in heads if h.split()[1:] == ["8", "1"]) == 8


def test_spatial_sim_export_is_deterministic(tmp_path):
    module = lowered(lit_cases()[1])
    export_spatial_sim(module, tmp_path / "t")
    first = {p.name: p.read_bytes() for p in (tmp_path / "t").iterdir()}
    export_spatial_sim(lowered(lit_cases()[1]), tmp_path / "t")
    assert {p.name: p.read_bytes() for p in (tmp_path / "t").iterdir()} == first


def test_non_square_mesh_pads_to_k(tmp_path):
    text = f"""{device(3, 2, "<0, 0>")}
pe_isa.message tag 0 from <0, 0> to [<2, 1>, <1, 1>] flits 3 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <1, 1>, <1, 1> -> <2, 1>>
pe_isa.program on <0, 0> {{
  pe_isa.block "s" {{
    pe_isa.loop count 2 {{
      pe_isa.mem_read bytes 100
      pe_isa.send tag 0
    }}
  }}
}}
pe_isa.program on <2, 1> {{
  pe_isa.block "a" {{
    pe_isa.recv tag 0
    pe_isa.recv tag 0
  }}
}}
pe_isa.program on <1, 1> {{
  pe_isa.block "b" {{
    pe_isa.loop count 2 {{
      pe_isa.recv tag 0
      pe_isa.compute cycles 7
    }}
  }}
}}
"""
    module = parse(text)
    export_spatial_sim(module, tmp_path / "t")
    assert len(list((tmp_path / "t").glob("c*.inst"))) == 9  # k = 3
    # PE <2, 1> is node 1 * 3 + 2 = 5, <1, 1> is 4; the multicast's 2 packets each get a tree
    c0 = (tmp_path / "t" / "c0.inst").read_text()
    assert "assemble # NI.send 0 5 4" in c0 and "assemble # NI.send 1 5 4" in c0
    assert "0 # 5, 4 # 384" in c0
    assert (tmp_path / "t" / "routing_board").read_text().startswith("0 0 5 4\n0 1\n1 4\n4 5\n\n1 0 5 4\n")
    back = read_spatial_sim_task(tmp_path / "t")
    assert back.programs == task_of_module(module).programs and (back.width, back.height) == (3, 2)


def test_reader_of_an_original_task_without_metadata(tmp_path):
    """The original FOCUS toy example (focus-original.md 5.5 shape): one pid per packet, no metadata."""
    d = tmp_path / "orig"
    d.mkdir()
    (d / "spatial_spec").write_text("k = 4;\nchannel_width = 128;\n")
    (d / "c14.inst").write_text("operators:\n{\nassemble # CPU.sleep 50\nassemble # NI.send 2 3 6\n}\ndata:\n"
                                "2 # 3, 6 # 640\n")
    (d / "c3.inst").write_text("operators:\n{\nassemble # NI.recv 2\nassemble # CPU.sleep 100\n}\ndata:\n")
    (d / "c6.inst").write_text("operators:\n{\nassemble # NI.recv 2\n}\ndata:\n")
    (d / "routing_board").write_text("2 14 3 6\n14 2\n2 3\n2 6\n\n")
    task = read_spatial_sim_task(d)
    assert task.programs[(2, 3)] == [("c14.0", [("compute", 50), ("send", 2)])]
    assert task.programs[(3, 0)] == [("c3.0", [("recv", 2), ("compute", 100)])]
    m = task.messages[2]
    assert (m.src, m.dsts, m.flits) == ((2, 3), [(3, 0), (2, 1)], 5)
    # segments 14 -> 2 (straight north), then 2 -> 3 and 2 -> 6 (XY) become unit links
    assert ((2, 0), (3, 0)) in m.route and ((2, 3), (2, 2)) in m.route
    module = task_to_module(task)
    module.verify()
    assert check_module(module) == []


def test_reader_rejects_a_malformed_line(tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "spatial_spec").write_text("k = 2;\n")
    (d / "c0.inst").write_text("operators:\n{\ncompute # cfg # 1 # 2\n}\ndata:\n")
    with pytest.raises(FocusError, match=r"c0.inst:3: operator line 'compute # cfg # 1 # 2', only 'assemble"):
        read_spatial_sim_task(d)

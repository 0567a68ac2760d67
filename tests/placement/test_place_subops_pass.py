"""The place-subops / placed-subop-check glue: groups and traffic from IR, rewriting, checks, determinism."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser

from focus_dialects import placed_subop
from focus_tools.driver import make_context as driver_context
from focus_tools.errors import FocusError
from passes.place_subops import PlaceSubopsPass, subop_problem
from passes.placed_subop_check import PlacedSubopCheckPass
from passes.placement import placement_cost

REPO = Path(__file__).resolve().parents[2]
LIT_INPUT = REPO / "test_lit" / "passes" / "place-subops.mlir"
DEVICE = ('chip.device @d mesh 4 x 4 memory [<0, 0>, <3, 3>] link 512 flit 256 macs 256 {word_bits = 8 : i64, '
          'num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, '
          'dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64<EXTRA>}')


def context() -> Context:
    """A context with every focus dialect (the driver's)."""
    return driver_context()


def parse(text: str) -> tuple[Context, ModuleOp]:
    ctx = context()
    return ctx, Parser(ctx, text).parse_module()


def lit_module() -> tuple[Context, ModuleOp]:
    return parse(LIT_INPUT.read_text())


CORNERS = ((0, 0), (3, 0), (0, 3), (3, 3))  # the lit input's memory PEs (they may compute)
WRITEBACK_SINKS = {"conv2.sink", "conv3.sink", "fc2.sink"}


def test_groups_and_traffic_from_ir():
    _, module = lit_module()
    problem, group_of = subop_problem(module, CORNERS, True, "test")
    names = [g.name for g in problem.groups]
    assert names[:5] == ["conv1.src.Weights", "conv1.src.Inputs", "conv1.w0", "conv1.w1", "conv1.sink"]
    assert len(problem.compute_groups()) == 13 and len(problem.source_groups()) == 7
    # sinks with `writeback` mem_write the model outputs: they need memory PEs (and still compute)
    assert {g.name for g in problem.writeback_groups()} == WRITEBACK_SINKS
    # both layers reading conv1's tensor share conv1's sink group
    by_name = {op.sym_name.data: g for op, g in group_of.items()}
    assert by_name["conv2.src.Inputs"] == by_name["conv3.src.Inputs"] == "conv1.sink"
    msgs = {(m.src, m.dsts): m.volume for m in problem.messages}
    # Weights stream: 54 words x 8 bits = 2 flits of 256 bits, 1 transfer, batch 2
    assert msgs[("conv1.src.Weights", ("conv1.w0",))] == 4
    # Inputs stream multicast to both workers: 72 words -> 3 flits, 6 transfers, batch 2
    assert msgs[("conv1.src.Inputs", ("conv1.w0", "conv1.w1"))] == 36
    # conv1's sink group multicasts conv2's two input streams and conv3's
    assert msgs[("conv1.sink", ("conv2.w0",))] == 2 * 4 * 2
    assert msgs[("conv1.sink", ("conv3.w0",))] == 3 * 2 * 2
    # fc1 runs one batch: 8192 words -> 256 flits
    assert msgs[("fc1.src.Weights", ("fc1.w0",))] == 256


@pytest.mark.parametrize("strategy", ["hilbert", "snake", "random", "anneal"])
def test_pass_rewrites_every_subop_onto_a_pe(strategy):
    ctx, module = lit_module()
    PlaceSubopsPass(strategy=strategy, seed=2, iterations=1000).apply(ctx, module)
    module.verify()
    assert not [o for o in module.ops if o.dialect_name() == "tiled_subop"]
    placed = [o for o in module.ops if isinstance(o, (placed_subop.SourceOp, placed_subop.WorkerOp,
                                                      placed_subop.SinkOp))]
    assert len(placed) == 23
    sinks = {o.sym_name.data: o.pe.xy for o in placed if isinstance(o, placed_subop.SinkOp)}
    assert all(sinks[s] in CORNERS for s in WRITEBACK_SINKS)
    PlacedSubopCheckPass().apply(ctx, module)  # raises on a violated rule


def test_anneal_beats_hilbert_through_the_pass():
    costs = {}
    for strategy in ("hilbert", "anneal"):
        ctx, module = lit_module()
        PlaceSubopsPass(strategy=strategy).apply(ctx, module)
        problem, group_of = subop_problem(module, CORNERS, True, "test")
        costs[strategy] = placement_cost(problem, {g: op.pe.xy for op, g in group_of.items()})
    assert costs["anneal"] < costs["hilbert"]


NO_MEMORY_COMPUTE = ("dram_latency = 100 : i64, memory_compute}", "dram_latency = 100 : i64}")


def test_memory_pes_host_compute_only_when_the_device_allows():
    text = LIT_INPUT.read_text()
    assert NO_MEMORY_COMPUTE[0] in text
    plain = text.replace(*NO_MEMORY_COMPUTE).replace(" writeback", "")  # the original FOCUS setting
    with pytest.raises(FocusError, match="memory-compute=yes, but device @d has no memory_compute"):
        ctx, module = parse(plain)
        PlaceSubopsPass(memory_compute="yes").apply(ctx, module)
    # 13 workers/sinks on the original layout's 6 cores + 10 memory PEs that may compute: they fit
    ctx, module = parse(text)
    PlaceSubopsPass(memory_layout="original").apply(ctx, module)
    module.verify()
    PlacedSubopCheckPass().apply(ctx, module)
    ctx, module = parse(plain.replace("dram_latency = 100 : i64}", "dram_latency = 100 : i64, memory_compute}"))
    with pytest.raises(FocusError, match="needs 13 compute PEs, the 4x4 mesh has 6"):
        PlaceSubopsPass(memory_layout="original", memory_compute="no").apply(ctx, module)


@pytest.mark.parametrize("text_edit,options", [
    (None, {"memory_compute": "no"}),
    (NO_MEMORY_COMPUTE, {}),
])
def test_writeback_needs_memory_pes_that_compute(text_edit, options):
    text = LIT_INPUT.read_text()
    ctx, module = parse(text.replace(*text_edit) if text_edit else text)
    with pytest.raises(FocusError) as info:
        PlaceSubopsPass(**options).apply(ctx, module)
    assert str(info.value) == ("place-subops: sink 'conv2.sink' writes back to memory, but memory PEs may not host "
                               "compute; use memory-compute (a device with memory_compute) or dataflow-search "
                               "writeback=false")


def test_pass_rejects_bad_input():
    ctx, module = parse(
        'chip.device @d mesh 4 x 2 memory [<0, 0>] link 512 flit 512 macs 256 {word_bits = 8 : i64, num_vcs = 4 : i64, '
        'vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, dram_latency = 100 : i64}\n'
        '%0 = tensor_op.input @img model "m" : tensor<1x3x8x8xi8>\n')
    with pytest.raises(FocusError, match="run dataflow-search first"):
        PlaceSubopsPass().apply(ctx, module)
    ctx, module = lit_module()
    with pytest.raises(FocusError, match="memory-layout 'dojo'"):
        PlaceSubopsPass(memory_layout="dojo").apply(ctx, module)
    ctx, module = parse(LIT_INPUT.read_text().replace("mesh 4 x 4", "mesh 5 x 4"))
    with pytest.raises(FocusError, match="needs a square mesh, the device is 5x4"):
        PlaceSubopsPass(memory_layout="original").apply(ctx, module)


PLACED = DEVICE + """
placed_subop.layer @l kind "conv2d" model "m" workers 2 cycles 8 macs 64 batch 1
%w:2 = placed_subop.source @l.src.W layer @l space "W" iterations 1 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"W", 8, 1>, !tiled_subop.stream<"W", 8, 1>
%a = placed_subop.worker @l.w0 layer @l index 0 iterations 1 cycles 4 macs 32 buffer 8 on <W0> (%w#0 : !tiled_subop.stream<"W", 8, 1>) -> !tiled_subop.stream<"O", 4, 1>
%b = placed_subop.worker @l.w1 layer @l index 1 iterations 1 cycles 4 macs 32 buffer 8 on <W1> (%w#1 : !tiled_subop.stream<"W", 8, 1>) -> !tiled_subop.stream<"O", 4, 1>
%s = placed_subop.sink @l.sink layer @l on <2, 2> (%a, %b : !tiled_subop.stream<"O", 4, 1>, !tiled_subop.stream<"O", 4, 1>) -> tensor<8xi8>
placed_subop.layer @n kind "conv2d" model "m" workers 1 cycles 8 macs 64 batch 1
%p = placed_subop.source @n.src.I layer @n space "I" iterations 1 cycles 0 on <SRC> from %s : tensor<8xi8> -> !tiled_subop.stream<"I", 8, 1>
%q = placed_subop.worker @n.w0 layer @n index 0 iterations 1 cycles 4 macs 32 buffer 8 on <1, 2> (%p : !tiled_subop.stream<"I", 8, 1>) -> !tiled_subop.stream<"O", 4, 1>
%r = placed_subop.sink @n.sink layer @n on <NSINK><WB> (%q : !tiled_subop.stream<"O", 4, 1>) -> tensor<8xi8>
"""


def placed(w0="1, 0", w1="1, 1", src="2, 2", device_extra="", nsink="2, 1", writeback=False):
    return (PLACED.replace("<EXTRA>", device_extra).replace("<W0>", f"<{w0}>").replace("<W1>", f"<{w1}>")
            .replace("<SRC>", f"<{src}>").replace("<NSINK>", f"<{nsink}>").replace("<WB>", " writeback" if writeback else ""))


def test_check_pass_accepts_a_legal_placement_and_prints_a_summary(capsys):
    ctx, module = parse(placed())
    PlacedSubopCheckPass(print=True).apply(ctx, module)
    out = capsys.readouterr().out
    # cost: 11 flit-hops (1 + 2 + 3 + 2 + 1 + 2) + (4 + 4) x 2 flits on the busiest link
    assert out == ("placed-subop-check: placed 7 subops on 6 PEs, sources on memory PEs: yes, "
                   "producer sources with their sinks: yes, writeback sinks on memory PEs: yes, "
                   "max compute groups per PE: 1 (limit 1), "
                   "time-shared PEs: 0, estimated cost: 27\n")


@pytest.mark.parametrize("kwargs,message", [
    ({"w1": "1, 0"}, "PE <1, 0> hosts 2 workers/sinks, an even spread of 5 over 14 PEs needs 1"),
    ({"src": "2, 1"}, r"producer source @n.src.I on \(2, 1\) is not on the PE of the sink it reads"),
    ({"w0": "3, 3"}, r"@l.w0 computes on memory PE \(3, 3\), but the device has no memory_compute"),
    ({"writeback": True, "device_extra": ", memory_compute"},
     r"writeback sink @n.sink sits on \(2, 1\), not a memory PE \(it writes to memory\)"),
])
def test_check_pass_reports_violations(kwargs, message):
    ctx, module = parse(placed(**kwargs))
    with pytest.raises(FocusError, match=message):
        PlacedSubopCheckPass().apply(ctx, module)


def test_check_pass_allows_compute_on_memory_pes_of_a_capable_device():
    ctx, module = parse(placed(w0="3, 3", device_extra=", memory_compute"))
    PlacedSubopCheckPass().apply(ctx, module)
    ctx, module = parse(placed(nsink="3, 3", writeback=True, device_extra=", memory_compute"))
    PlacedSubopCheckPass().apply(ctx, module)


def test_check_pass_summary_flags_a_writeback_sink_off_memory(capsys):
    ctx, module = parse(placed(writeback=True, device_extra=", memory_compute"))
    with pytest.raises(FocusError, match="writeback sink @n.sink"):
        PlacedSubopCheckPass(print=True).apply(ctx, module)
    out = capsys.readouterr().out
    assert "writeback sinks on memory PEs: no," in out and out.endswith("estimated cost: n/a\n")


def _run_focus_opt(pipeline: str, hash_seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    res = subprocess.run([sys.executable, "-m", "focus_tools.focus_opt", str(LIT_INPUT), "-p", pipeline],
                         capture_output=True, text=True, env=env, cwd=REPO, check=False)
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.mark.parametrize("strategy", ["hilbert", "anneal"])
def test_ir_is_byte_identical_across_hash_seeds(strategy):
    pipeline = f"place-subops{{strategy={strategy} seed=5 iterations=2000}}"
    a = _run_focus_opt(pipeline, "1")
    b = _run_focus_opt(pipeline, "4242")
    assert a == b and "placed_subop.worker" in a

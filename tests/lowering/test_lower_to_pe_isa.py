"""lower-to-pe-isa: the lit cases move exactly the planned bytes; bad inputs give one-line FocusErrors."""

from __future__ import annotations

import math
from io import StringIO

import pytest
from lowering_helpers import TIME_SHARED, device, lit_cases, lowered, parse
from xdsl.printer import Printer

from focus_dialects import pe_isa, placed_subop, routed_message
from focus_tools.errors import FocusError
from passes import lower_to_pe_isa
from passes.lower_to_pe_isa import lower_module, plan_lowering
from passes.pe_isa_check import check_module, count_module

HEADER = device()
LAYER = 'placed_subop.layer @l kind "matmul" model "m" workers 2 cycles 8 macs 1024 batch {batch}'


def printed(module) -> str:
    out = StringIO()
    Printer(stream=out).print_op(module)
    return out.getvalue()


def stream_facts(text: str):
    """Per routed message: (label, words, transfers, batch, src, dsts) read from the input."""
    module = parse(text)
    batch = {op.sym_name.data: op.batch.value.data for op in module.ops if isinstance(op, placed_subop.LayerOp)}
    facts = []
    for m in module.ops:
        if isinstance(m, routed_message.MessageOp):
            t = m.stream.type
            owner = m.stream.owner
            facts.append((m.sym_name.data, t.words.data, t.transfers.data, batch[owner.layer.root_reference.data],
                          m.src.xy, m.dsts.coords))
    reads = 0
    for op in module.ops:
        if isinstance(op, placed_subop.SourceOp) and op.memory is not None:
            b = batch[op.layer.root_reference.data]
            reads += sum(r.type.words.data * r.type.transfers.data for r in op.results) * b
    return facts, reads


@pytest.mark.parametrize("case", range(len(lit_cases())))
def test_lit_cases_move_the_planned_bytes(case):
    text = lit_cases()[case]
    facts, reads = stream_facts(text)
    module = lowered(text)
    assert check_module(module) == []
    counts = count_module(module)
    by_label = {m.label.data: m for m in module.ops if isinstance(m, pe_isa.MessageOp)}
    for label, words, transfers, batch, src, dsts in facts:
        msg = by_label[label]
        tag = msg.tag.value.data
        assert msg.attributes["bytes"].value.data == words  # 8-bit words
        assert counts.sends[tag][src] == transfers * batch
        for d in dsts:
            assert counts.recvs[tag][d] * words == words * transfers * batch
    assert sum(counts.mem_read.values()) == reads
    # only placed_subop/routed_message ops were replaced: device + messages + programs remain
    kinds = {op.name for op in module.ops}
    assert kinds <= {"chip.device", "pe_isa.message", "pe_isa.program"}


def test_lowering_is_deterministic():
    for text in lit_cases():
        assert printed(lowered(text)) == printed(lowered(text))


def test_control_messages_gate_the_next_layer_per_batch():
    text = lit_cases()[-1]  # two chained layers, two batches
    module = lowered(text)
    ctrl = [m for m in module.ops if isinstance(m, pe_isa.MessageOp) and "control" in m.attributes]
    assert len(ctrl) == 1
    c = ctrl[0]
    assert (c.src.xy, c.dsts.coords, c.flits.value.data) == ((1, 1), [(0, 0)], 1)
    assert c.route.links == [((1, 1), (0, 1)), ((0, 1), (0, 0))]  # XY: west first, then north
    counts = count_module(module)
    tag = c.tag.value.data
    assert counts.sends[tag][(1, 1)] == 2 and counts.recvs[tag][(0, 0)] == 2


def test_self_check_catches_a_wrong_schedule(monkeypatch):
    real = lower_to_pe_isa.loop
    # a loop builder that drops one iteration: sends and recvs still match each other (pe-isa-check
    # alone would pass), but they no longer move what the streams say
    monkeypatch.setattr(lower_to_pe_isa, "loop", lambda n, body: real(n - 1 if n > 2 else n, body))
    module = parse(lit_cases()[0])
    with pytest.raises(FocusError, match=r"lower-to-pe-isa: self-check failed: tag \d+ \(l1\.\w+\): "):
        lower_module(module)


def _one_layer(worker_pe="<1, 0>", sink_pe="<1, 1>", sink_attrs="", batch=1, packets=4, flits=1,
               extra_msgs="", dsts="[<1, 0>]", route="<<0, 0> -> <1, 0>>", src_iters=4):
    return f"""{HEADER}
{LAYER.format(batch=batch)}
%w = placed_subop.source @l.src.Weights layer @l space "Weights" iterations {src_iters} cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 64, 4>
%o = placed_subop.worker @l.w0 layer @l index 0 iterations 4 cycles 2 macs 512 buffer 128 on {worker_pe} (%w : !tiled_subop.stream<"Weights", 64, 4>) -> !tiled_subop.stream<"Outputs", 8, 1>
%a = placed_subop.sink @l.sink layer @l on {sink_pe} {sink_attrs}(%o : !tiled_subop.stream<"Outputs", 8, 1>) -> tensor<8xi8>
routed_message.message @l.W %w from <0, 0> to {dsts} flits {flits} packets {packets} priority 0 vc 0 mode "tree" route {route} : !tiled_subop.stream<"Weights", 64, 4>
{extra_msgs}"""


OUT_MSG = ('routed_message.message @l.O %o from <1, 0> to [<1, 1>] flits 1 packets 1 priority 0 vc 0 mode "tree" '
           'route <<1, 0> -> <1, 1>> : !tiled_subop.stream<"Outputs", 8, 1>')


def test_one_layer_input_builds():
    module = lowered(_one_layer(extra_msgs=OUT_MSG))
    assert check_module(module) == []


@pytest.mark.parametrize("kw, message", [
    ({'extra_msgs': ""}, "no routed_message.message reaches it"),
    ({'extra_msgs': OUT_MSG, 'packets': 2}, "has 2 packets per batch but its stream has 4 transfers"),
    ({'extra_msgs': OUT_MSG, 'sink_attrs': "writeback "}, "is not a memory PE of the device"),
    ({'extra_msgs': OUT_MSG, 'src_iters': 3}, "neither divides nor is a multiple of its 3 iterations"),
    ({'extra_msgs': OUT_MSG, 'dsts': "[<1, 0>, <0, 1>]", 'route': "<<0, 0> -> <1, 0>, <0, 0> -> <0, 1>>"},
     "delivers to <0, 1>, where no op consumes its stream"),
])
def test_bad_inputs_raise_one_line(kw, message):
    module = parse(_one_layer(**kw))
    with pytest.raises(FocusError) as err:
        lower_module(module)
    text = str(err.value)
    assert message in text and "\n" not in text and text.startswith("lower-to-pe-isa: ")


def test_too_few_flits():
    header = HEADER.replace("flit 512", "flit 256")
    text = _one_layer(extra_msgs=OUT_MSG).replace(HEADER, header)
    with pytest.raises(FocusError, match=r"has 1 flits of 256 bits per packet, too few for 64 words of 8 bits \(need 2\)"):
        lower_module(parse(text))


def test_producer_source_must_share_the_sink_pe():
    text = lit_cases()[-2].replace('iterations 2 cycles 3 on <1, 1> from %a1',
                                   'iterations 2 cycles 3 on <0, 1> from %a1')
    text = text.replace("@l2.I %i2 from <1, 1> to [<2, 1>] flits 1 packets 2 priority 0 vc 0 mode \"tree\" "
                        "route <<1, 1> -> <2, 1>>",
                        "@l2.I %i2 from <0, 1> to [<2, 1>] flits 1 packets 2 priority 0 vc 0 mode \"tree\" "
                        "route <<0, 1> -> <1, 1>, <1, 1> -> <2, 1>>")
    with pytest.raises(FocusError, match=r"producer source @l2.src.Inputs is on <0, 1> but its sink @l1.sink "
                                         r"is on <1, 1>; the placer must put them on one PE"):
        lower_module(parse(text))


def test_no_device():
    text = _one_layer(extra_msgs=OUT_MSG).replace(HEADER, "")
    module = parse(text.replace("on <0, 0> memory", "on <0, 0> memory"))
    with pytest.raises(FocusError, match="the module has no chip.device op"):
        lower_module(module)




def test_time_shared_workers_become_one_block():
    module = lowered(TIME_SHARED)
    prog = next(p for p in module.ops if isinstance(p, pe_isa.ProgramOp) and p.pe.xy == (1, 0))
    names = [b.block_name.data for b in prog.body.block.ops]
    assert names == ["l.w0+w1", "l.sink"]
    merged = next(iter(prog.body.block.ops))
    assert merged.attributes["buffer"].value.data == 200
    flat = [(op.name, getattr(op, "tag", None) or getattr(op, "cycles", None) or getattr(op, "count", None))
            for op in merged.walk()][1:]
    # one recv per weight packet feeds both workers; their compute adds up; the outputs stay local
    assert [n for n, _ in flat] == ["pe_isa.loop", "pe_isa.recv", "pe_isa.compute"]
    assert flat[2][1].value.data == 6
    counts = count_module(module)
    assert counts.recvs[0] == {(1, 0): 4, (0, 1): 4}
    assert check_module(module) == []


def test_reduction_cycles_and_writeback():
    module = lowered(lit_cases()[2])
    sink = next(b for b in module.walk() if isinstance(b, pe_isa.BlockOp) and b.block_name.data == "fc.sink")
    ops = {op.name: op for op in sink.walk()}
    # 2 x 64 received words - 64 output words = 64 additions at 64 MACs/cycle
    assert ops["pe_isa.compute"].cycles.value.data == math.ceil(64 / 64)
    assert ops["pe_isa.mem_write"].bytes.value.data == 64


def test_plan_op_count_matches_ir():
    text = lit_cases()[0]
    plan = plan_lowering(parse(text))
    module = lowered(text)
    instrs = sum(lower_to_pe_isa.count_instrs(b.body) for b in plan.blocks)
    ir_instrs = sum(1 for op in module.walk() if op.name in (
        "pe_isa.send", "pe_isa.recv", "pe_isa.compute", "pe_isa.mem_read", "pe_isa.mem_write", "pe_isa.loop"))
    assert instrs == ir_instrs

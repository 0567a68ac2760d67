"""Every op and attribute of the six dialects built through its Python constructor: it verifies, its
accessors return what was put in, and it survives a custom and a generic print/parse round trip."""

from __future__ import annotations

import pytest
from ir_helpers import make_context, module_of, parse, print_op
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ModuleOp,
    StringAttr,
    SymbolRefAttr,
    TensorType,
    UnitAttr,
    i8,
)
from xdsl.ir import Block, Region

from focus_dialects import pe_isa, placed_subop, routed_message, tensor_op, tiled_subop
from focus_dialects.chip import DeviceOp, PEAttr, PEListAttr, RouteAttr, device_of, find_device
from focus_dialects.subop_common import StreamType, i64
from frontend.problem import conv2d, elementwise

CTX = make_context()


def roundtrip(module: ModuleOp) -> None:
    """Verify, then custom and generic print -> parse -> structurally equal, printing identically."""
    module.verify()
    for generic in (False, True):
        text = print_op(module, generic)
        back = parse(CTX, text)
        back.verify()
        assert back.is_structurally_equivalent(module), text
        assert print_op(back, generic) == text


def device(**kw) -> DeviceOp:
    return DeviceOp("d", 4, 4, [(0, 0), (3, 3)], **kw)


# ---- chip ---------------------------------------------------------------------------------------
def test_pe_attr():
    pe = PEAttr(3, 1)
    assert pe.xy == (3, 1)
    assert str(pe) == "<3, 1>"
    assert parse(CTX, '"test.op"() {p = #chip.pe<3, 1>} : () -> ()').body.block.first_op.attributes["p"] == pe


def test_pe_list_attr():
    pes = PEListAttr([(0, 0), (1, 0), (1, 1)])
    assert pes.coords == [(0, 0), (1, 0), (1, 1)]
    assert len(pes) == 3
    assert len(PEListAttr([])) == 0


def test_route_attr_links_keep_order():
    tree = [((0, 0), (1, 0)), ((1, 0), (1, 1)), ((1, 0), (2, 0))]
    route = RouteAttr(tree)
    assert route.links == tree
    assert len(route.edges.data) == 6
    assert RouteAttr([]).links == []


def test_device_op_defaults_and_accessors():
    dev = device()
    dev.verify()
    assert dev.sym_name.data == "d"
    assert dev.mesh == (4, 4)
    assert dev.memory == [(0, 0), (3, 3)]
    assert dev.link_bits.value.data == 1024 and dev.flit_bits.value.data == 1024
    assert dev.word_bits.value.data == 8 and dev.macs_per_cycle.value.data == 256
    assert dev.num_vcs.value.data == 4 and dev.vc_buf_flits.value.data == 4
    assert dev.injection_queue.value.data == 16
    assert dev.dram_bytes_per_cycle.value.data == 64.0 and dev.dram_latency.value.data == 100
    assert dev.memory_compute is not None
    assert dev.buffer_bytes == 131072
    assert dev.contains(PEAttr(3, 3)) and dev.contains((0, 3))
    assert not dev.contains((4, 0)) and not dev.contains(PEAttr(0, 4))


def test_device_op_custom_values_roundtrip():
    dev = DeviceOp("mesh8x2", 8, 2, [(0, 0), (7, 1)], link_bits=512, flit_bits=256, word_bits=16,
                   macs_per_cycle=128, num_vcs=2, vc_buf_flits=8, injection_queue=32,
                   dram_bytes_per_cycle=12.5, dram_latency=7, memory_compute=False, pe_buffer_bytes=4096)
    assert dev.memory_compute is None
    assert dev.buffer_bytes == 4096
    assert dev.mesh == (8, 2)
    roundtrip(module_of(dev))


def test_device_without_pe_buffer_bytes_uses_the_default():
    text = ("chip.device @d mesh 2 x 1 memory [<0, 0>] link 64 flit 64 macs 16 {word_bits = 8 : i64, "
            "num_vcs = 1 : i64, vc_buf_flits = 2 : i64, injection_queue = 4 : i64, "
            "dram_bytes_per_cycle = 8.0 : f64, dram_latency = 20 : i64}")
    dev = parse(CTX, text).body.block.first_op
    assert isinstance(dev, DeviceOp)
    assert dev.pe_buffer_bytes is None and dev.buffer_bytes == 131072


def test_find_device_from_nested_op():
    dev = device()
    body = Block(arg_types=[])
    fn = func.FuncOp("f", ((), ()), Region(body))
    prog = pe_isa.ProgramOp((1, 1), [pe_isa.BlockOp("b", [pe_isa.ComputeOp(1)])])
    body.add_ops([prog, func.ReturnOp()])
    module = module_of(dev, fn)
    module.verify()
    compute = prog.body.block.first_op.body.block.first_op
    assert find_device(compute) is dev
    assert device_of(prog) is dev
    assert find_device(module) is dev
    assert find_device(module_of(pe_isa.ComputeOp(1))) is None


# ---- tensor_op ----------------------------------------------------------------------------------
def tensor_graph() -> tuple[ModuleOp, tensor_op.LayerOp, tensor_op.LayerOp]:
    img = tensor_op.InputOp("img", "cnn", TensorType(i8, [1, 3, 8, 8]))
    conv = tensor_op.LayerOp("conv1", "conv2d", "cnn", 4, conv2d("conv1", C=3, M=4, P=6, Q=6, R=3, S=3),
                             [img.out], ["Inputs"], TensorType(i8, [1, 4, 6, 6]))
    add = tensor_op.LayerOp("res1", "add", "cnn", 0, elementwise("res1", {"N": 1, "M": 4, "Q": 6, "P": 6}),
                            [conv.out, conv.out], ["A", "B"], TensorType(i8, [1, 4, 6, 6]))
    out = tensor_op.OutputOp(add.out, "cnn")
    return module_of(device(), img, conv, add, out), conv, add


def test_tensor_op_graph():
    module, conv, add = tensor_graph()
    roundtrip(module)
    assert conv.layer_problem.to_text() == conv2d("x", C=3, M=4, P=6, Q=6, R=3, S=3).to_text()
    assert conv.layer_problem.macs == 3 * 4 * 6 * 6 * 3 * 3
    assert conv.bound_spaces == ["Inputs"]
    assert add.bound_spaces == ["A", "B"]
    assert add.cores.value.data == 0
    assert list(add.inputs) == [conv.out, conv.out]
    assert add.out.uses and isinstance(next(iter(add.out.uses)).operation, tensor_op.OutputOp)


def test_problem_attr_from_text_and_problem():
    p = conv2d("c", C=2, M=2, P=3, Q=3, R=3, S=3, stride=2)
    from_problem = tensor_op.ProblemAttr(p)
    from_text = tensor_op.ProblemAttr(p.to_text())
    assert from_problem == from_text
    assert from_text.text.data == "C=2 M=2 R=3 S=3 N=1 P=3 Q=3 | Weights[C][M][R][S] Inputs[N][C][R+2*P][S+2*Q] " \
                                  "Outputs[N][M][Q][P]*"
    assert [ds.name for ds in from_text.problem.data_spaces] == ["Weights", "Inputs", "Outputs"]
    assert from_text.problem.tensor_size("Inputs") == 2 * 7 * 7


def test_layer_op_with_text_problem_and_no_operand():
    layer = tensor_op.LayerOp("outer", "einsum", "m", 1, "I=4 J=4 | A[I] B[J] Out[I][J]*", [], [],
                              TensorType(i8, [4, 4]))
    roundtrip(module_of(device(), layer))
    assert layer.bound_spaces == [] and not layer.inputs


# ---- tiled_subop / placed_subop ------------------------------------------------------------------
def subop_graph(d, placed: bool):
    """conv1 on 2 workers: a Weights multicast source, an Inputs source, two workers, a sink, and a
    producer source of the next layer reading the sink."""
    def at(pe, props):
        if placed:
            props["pe"] = PEAttr(*pe)
        return props

    layer = d.LayerOp(properties={
        "sym_name": StringAttr("conv1"), "kind": StringAttr("conv2d"), "model": StringAttr("m"),
        "workers": i64(2), "cycles": i64(48), "macs": i64(3888), "batch": i64(1),
        "mapping": StringAttr("M2 | P6 C3 R3 S3 Q6")})
    w_t, i_t, o_t = StreamType("Weights", 54, 1), StreamType("Inputs", 72, 6), StreamType("Outputs", 12, 6)
    src_w = d.SourceOp(operands=[[]], result_types=[[w_t, w_t]], properties=at((0, 0), {
        "sym_name": StringAttr("conv1.src.Weights"), "layer": SymbolRefAttr("conv1"),
        "space": StringAttr("Weights"), "iterations": i64(1), "cycles": i64(0), "memory": UnitAttr()}))
    src_i = d.SourceOp(operands=[[]], result_types=[[i_t]], properties=at((3, 3), {
        "sym_name": StringAttr("conv1.src.Inputs"), "layer": SymbolRefAttr("conv1"),
        "space": StringAttr("Inputs"), "iterations": i64(6), "cycles": i64(0), "memory": UnitAttr()}))
    workers = [
        d.WorkerOp(operands=[[src_w.streams[k], src_i.streams[0]]], result_types=[[o_t]], properties=at((1, k), {
            "sym_name": StringAttr(f"conv1.w{k}"), "layer": SymbolRefAttr("conv1"), "index": i64(k),
            "iterations": i64(6), "cycles": i64(8), "macs": i64(1944), "buffer": i64(198)}))
        for k in range(2)
    ]
    sink = d.SinkOp(operands=[[w.outputs[0] for w in workers]], result_types=[TensorType(i8, [1, 4, 6, 6])],
                    properties=at((2, 0), {"sym_name": StringAttr("conv1.sink"), "layer": SymbolRefAttr("conv1"),
                                           "writeback": UnitAttr()}))
    next_src = d.SourceOp(operands=[[sink.out]], result_types=[[StreamType("Inputs", 144, 1)]],
                          properties=at((2, 1), {
                              "sym_name": StringAttr("dw1.src.Inputs"), "layer": SymbolRefAttr("dw1"),
                              "space": StringAttr("Inputs"), "iterations": i64(1), "cycles": i64(0)}))
    ops = [device(), layer, src_w, src_i, *workers, sink, next_src]
    return module_of(*ops), layer, src_w, src_i, workers, sink, next_src


@pytest.mark.parametrize("d, placed", [(tiled_subop, False), (placed_subop, True)], ids=["tiled", "placed"])
def test_subop_graph(d, placed):
    module, layer, src_w, src_i, workers, sink, next_src = subop_graph(d, placed)
    roundtrip(module)
    assert layer.name == f"{d.__name__.split('.')[-1]}.layer"
    assert layer.mapping.data == "M2 | P6 C3 R3 S3 Q6"
    assert len(src_w.streams) == 2 and src_w.memory is not None and src_w.producer is None
    assert next_src.producer is sink.out and next_src.memory is None
    assert [w.index.value.data for w in workers] == [0, 1]
    assert list(sink.inputs) == [w.outputs[0] for w in workers]
    assert sink.reduce is None and sink.writeback is not None
    stream = src_i.streams[0].type
    assert isinstance(stream, StreamType)
    assert (stream.space.data, stream.words.data, stream.transfers.data) == ("Inputs", 72, 6)
    if placed:
        assert [w.pe.xy for w in workers] == [(1, 0), (1, 1)]
        assert src_w.pe.xy in find_device(src_w).memory


def test_the_stream_type_is_shared_by_both_levels():
    assert list(tiled_subop.TiledSubop.attributes) == [StreamType]
    assert list(placed_subop.PlacedSubop.attributes) == []
    assert {op.name for op in placed_subop.PlacedSubop.operations} == {
        "placed_subop.layer", "placed_subop.source", "placed_subop.worker", "placed_subop.sink"}


# ---- routed_message ------------------------------------------------------------------------------
def test_routed_message():
    module, _, src_w, src_i, _, _, _ = subop_graph(placed_subop, True)
    tree = RouteAttr([((3, 3), (2, 3)), ((2, 3), (1, 3)), ((1, 3), (1, 2)), ((1, 2), (1, 1)), ((1, 1), (1, 0))])
    multicast = routed_message.MessageOp("conv1.Inputs", src_i.streams[0], (3, 3), [(1, 0), (1, 1)], 2, 6, tree,
                                         priority=1, vc=2)
    copies = routed_message.MessageOp("conv1.Weights.1", src_w.streams[1], (0, 0), [(1, 1)], 1, 1,
                                      RouteAttr([((0, 0), (0, 1)), ((0, 1), (1, 1))]), mode="copies",
                                      waypoints=[(0, 1)])
    plain = routed_message.MessageOp("conv1.Weights.0", src_w.streams[0], (0, 0), [(1, 0)], 1, 1,
                                     RouteAttr([((0, 0), (1, 0))]))
    module.body.block.add_ops([multicast, copies, plain])
    roundtrip(module)
    assert multicast.destinations == [(1, 0), (1, 1)]
    assert multicast.src.xy == (3, 3) and multicast.route == tree
    assert (multicast.priority.value.data, multicast.vc.value.data, multicast.mode.data) == (1, 2, "tree")
    assert multicast.waypoints is None
    assert copies.waypoints.coords == [(0, 1)] and copies.mode.data == "copies"
    assert (plain.priority.value.data, plain.vc.value.data) == (0, 0)
    assert plain.stream is src_w.streams[0]


# ---- pe_isa --------------------------------------------------------------------------------------
def test_pe_isa_programs():
    table = [
        pe_isa.MessageOp(0, (0, 0), [(1, 0), (1, 1)], 1, RouteAttr([((0, 0), (1, 0)), ((1, 0), (1, 1))]),
                         label="conv1.Weights"),
        pe_isa.MessageOp(1, (1, 0), [(3, 3)], 2, RouteAttr([((1, 0), (2, 0)), ((2, 0), (3, 0)), ((3, 0), (3, 1)),
                                                            ((3, 1), (3, 2)), ((3, 2), (3, 3))]), vc=3, mode="copies"),
    ]
    src = pe_isa.ProgramOp((0, 0), [pe_isa.BlockOp("src", [pe_isa.MemReadOp(108), pe_isa.SendOp(0)])])
    worker = pe_isa.ProgramOp((1, 0), [
        pe_isa.BlockOp("w0", [pe_isa.RecvOp(0), pe_isa.LoopOp(2, [pe_isa.LoopOp(3, [
            pe_isa.ComputeOp(8), pe_isa.SendOp(1)])])]),
        pe_isa.BlockOp("idle", [pe_isa.ComputeOp(0)]),
    ])
    sink = pe_isa.ProgramOp((3, 3), [pe_isa.BlockOp("sink", [pe_isa.LoopOp(6, [pe_isa.RecvOp(1),
                                                                              pe_isa.MemWriteOp(24)])])])
    module = module_of(device(), *table, src, worker, sink)
    roundtrip(module)
    assert table[0].label.data == "conv1.Weights" and table[1].label is None
    assert table[1].mode.data == "copies" and table[1].vc.value.data == 3
    assert table[0].dsts.coords == [(1, 0), (1, 1)]
    assert worker.pe.xy == (1, 0)
    assert [b.block_name.data for b in worker.body.block.ops] == ["w0", "idle"]
    outer = list(worker.body.block.first_op.body.block.ops)[1]
    assert isinstance(outer, pe_isa.LoopOp) and outer.count.value.data == 2
    inner = outer.body.block.first_op
    assert [type(op) for op in inner.body.block.ops] == [pe_isa.ComputeOp, pe_isa.SendOp]
    assert inner.body.block.first_op.cycles.value.data == 8
    assert src.body.block.first_op.body.block.first_op.bytes.value.data == 108


def test_empty_program_and_block_roundtrip():
    """Empty regions print with an explicit `^bb0:` so they parse back as one (empty) block."""
    module = module_of(device(), pe_isa.ProgramOp((1, 1), []), pe_isa.ProgramOp((1, 0), [pe_isa.BlockOp("e")]))
    roundtrip(module)
    assert "^bb0:" in print_op(module)


def test_dialect_objects_list_every_op():
    names = {d.name: {op.name for op in d.operations} for d in (
        tensor_op.TensorOp, tiled_subop.TiledSubop, routed_message.RoutedMessage, pe_isa.PeIsa)}
    assert names["tensor_op"] == {"tensor_op.input", "tensor_op.layer", "tensor_op.output"}
    assert names["tiled_subop"] == {"tiled_subop.layer", "tiled_subop.source", "tiled_subop.worker",
                                    "tiled_subop.sink"}
    assert names["routed_message"] == {"routed_message.message"}
    assert names["pe_isa"] == {"pe_isa.message", "pe_isa.program", "pe_isa.block", "pe_isa.loop", "pe_isa.send",
                               "pe_isa.recv", "pe_isa.compute", "pe_isa.mem_read", "pe_isa.mem_write"}

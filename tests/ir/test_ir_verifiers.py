"""Verifier messages, exactly: ops built in Python with one bad value each, every chunk of
test_lit/dialects/*_invalid.mlir in-process, and a guard that every `raise VerifyException(` in
focus_dialects/ is reached by those chunks (so a new verifier message cannot go untested)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from ir_helpers import REPO, Chunk, invalid_chunks, make_context, module_of, parse
from xdsl.dialects.builtin import ArrayAttr, ModuleOp, StringAttr, SymbolRefAttr, TensorType, UnitAttr, i8
from xdsl.ir import Operation
from xdsl.utils.exceptions import VerifyException

from focus_dialects import pe_isa, placed_subop, routed_message, tensor_op, tiled_subop
from focus_dialects.chip import DeviceOp, PEAttr, RouteAttr
from focus_dialects.subop_common import StreamType, i64
from frontend.problem import conv2d

CTX = make_context()
CONV = conv2d("conv1", C=3, M=4, P=6, Q=6, R=3, S=3)
OUT = TensorType(i8, [1, 4, 6, 6])
IMG = TensorType(i8, [1, 3, 8, 8])


def dev(**kw) -> DeviceOp:
    return DeviceOp("d", 4, 4, kw.pop("memory", [(0, 0), (3, 3)]), **kw)


def verify_error(*ops: Operation) -> str:
    """Verify a module of `ops` (after a device unless one is given) and return the message."""
    if not any(isinstance(op, DeviceOp) for op in ops):
        ops = (dev(), *ops)
    with pytest.raises(VerifyException) as exc:
        module_of(*ops).verify()
    return str(exc.value)


def construction_error(build: Callable[[], object]) -> str:
    with pytest.raises(VerifyException) as exc:
        build()
    return str(exc.value)


# ---- builders for one bad value at a time ---------------------------------------------------------
def layer(kind="conv2d", cores=2, bind=("Inputs",), n_inputs=1, out=OUT, problem=CONV, name="conv1"):
    img = tensor_op.InputOp("img", "m", IMG)
    op = tensor_op.LayerOp(name, kind, "m", cores, problem, [img.out] * n_inputs, list(bind), out)
    return img, op


def subop(d, op: str, placed_pe=None, operands=([],), results=([],), **props):
    base = {"sym_name": StringAttr(props.pop("sym", "l.op")), "layer": SymbolRefAttr("l")}
    base.update(props)
    if placed_pe is not None:
        base["pe"] = PEAttr(*placed_pe)
    cls = {"source": d.SourceOp, "worker": d.WorkerOp, "sink": d.SinkOp}[op]
    return cls(operands=list(operands), result_types=list(results), properties=base)


A_STREAMS = (StreamType("A", 4, 2),)
O_STREAMS = (StreamType("O", 1, 2),)


def source(d=tiled_subop, pe=None, streams=A_STREAMS, memory=True, producer=None, iterations=2,
           space="A", sym="l.src.A"):
    props = {"space": StringAttr(space), "iterations": i64(iterations), "cycles": i64(0), "sym": sym}
    if memory:
        props["memory"] = UnitAttr()
    return subop(d, "source", pe, operands=[[producer] if producer is not None else []], results=[list(streams)], **props)


def worker(d=tiled_subop, pe=None, inputs=(), outputs=O_STREAMS, iterations=2, index=0, sym="l.w0"):
    return subop(d, "worker", pe, operands=[list(inputs)], results=[list(outputs)], sym=sym, index=i64(index),
                 iterations=i64(iterations), cycles=i64(3), macs=i64(5), buffer=i64(8))


def sub_layer(d=tiled_subop, workers=1, batch=1, cycles=4, macs=8, name="l"):
    return d.LayerOp(properties={"sym_name": StringAttr(name), "kind": StringAttr("conv2d"), "model": StringAttr("m"),
                                 "workers": i64(workers), "cycles": i64(cycles), "macs": i64(macs),
                                 "batch": i64(batch)})


def rm_message(src=(0, 0), dsts=((1, 0),), flits=1, packets=1, vc=0, mode="tree", waypoints=None, name="msg"):
    s = source(placed_subop, pe=(0, 0))
    m = routed_message.MessageOp(name, s.streams[0], src, list(dsts), flits, packets, RouteAttr([((0, 0), (1, 0))]),
                                 vc=vc, mode=mode, waypoints=waypoints)
    return s, m


def pe_message(tag=0, src=(0, 0), dsts=((1, 0),), flits=1, mode="tree"):
    return pe_isa.MessageOp(tag, src, list(dsts), flits, RouteAttr([((0, 0), (1, 0))]), mode=mode)


def in_program(pe, *ops):
    return pe_isa.ProgramOp(pe, [pe_isa.BlockOp("b", list(ops))])


CASES: list[tuple[str, Callable[[], str], str]] = [
    # chip
    ("device mesh", lambda: verify_error(DeviceOp("d", 0, 4, [])), "'chip.device' mesh 0x4 must be at least 1x1"),
    ("device memory outside", lambda: verify_error(dev(memory=[(0, 4)])),
     "'chip.device' memory PE <0, 4> is outside the 4x4 mesh"),
    ("device memory twice", lambda: verify_error(dev(memory=[(3, 3), (3, 3)])),
     "'chip.device' memory PE <3, 3> is listed twice"),
    ("device num_vcs", lambda: verify_error(dev(num_vcs=0)), "'chip.device' num_vcs (0) must be at least 1"),
    ("device injection queue", lambda: verify_error(dev(injection_queue=-1)),
     "'chip.device' injection_queue (-1) must be at least 1"),
    ("device pe buffer", lambda: verify_error(dev(pe_buffer_bytes=0)),
     "'chip.device' pe_buffer_bytes (0) must be at least 1"),
    ("device dram", lambda: verify_error(dev(dram_bytes_per_cycle=0)),
     "'chip.device' dram_bytes_per_cycle (0.0) must be positive"),
    ("route non-unit link", lambda: construction_error(lambda: RouteAttr([((0, 0), (1, 0)), ((1, 0), (1, 2))])),
     "'chip.route' link <1, 0> -> <1, 2> is not a unit mesh link"),
    ("route odd pairs (Python only: the text syntax always yields pairs)",
     lambda: construction_error(lambda: RouteAttr.new([ArrayAttr([PEAttr(0, 0), PEAttr(1, 0), PEAttr(1, 1)])])),
     "'chip.route' expects (from, to) pairs of PEs"),
    # tensor_op
    ("problem text", lambda: construction_error(lambda: tensor_op.ProblemAttr("C=3 | W[C]")),
     "'tensor_op.problem' no read-write (output) data space"),
    ("layer kind", lambda: verify_error(*layer(kind="conv3d")),
     "'tensor_op.layer' @conv1 kind 'conv3d' is not one of conv2d, depthwise, matmul, add, concat, pool, einsum"),
    ("layer cores", lambda: verify_error(*layer(cores=-3)),
     "'tensor_op.layer' @conv1 cores (-3) must be >= 0 (0 means auto)"),
    ("layer operands vs bind", lambda: verify_error(*layer(n_inputs=2)),
     "'tensor_op.layer' @conv1 has 2 operands but binds 1 data spaces"),
    ("layer unknown space", lambda: verify_error(*layer(bind=("Input",))),
     "'tensor_op.layer' @conv1 binds unknown data space 'Input' (the problem has Weights, Inputs, Outputs)"),
    ("layer binds output", lambda: verify_error(*layer(bind=("Outputs",))),
     "'tensor_op.layer' @conv1 binds its output data space 'Outputs' to an operand"),
    ("layer binds twice", lambda: verify_error(*layer(bind=("Weights", "Weights"), n_inputs=2)),
     "'tensor_op.layer' @conv1 binds a data space twice: ['Weights', 'Weights']"),
    ("layer two outputs", lambda: verify_error(*layer(problem="I=4 | A[I] X[I]* Y[I]*", bind=(), n_inputs=0,
                                                      out=TensorType(i8, [4]))),
     "'tensor_op.layer' @conv1 problem must have exactly one read-write data space, has 2"),
    ("layer result size", lambda: verify_error(*layer(out=TensorType(i8, [1, 4, 6, 5]))),
     "'tensor_op.layer' @conv1 result has 120 elements but its output data space Outputs has 144"),
    # tiled_subop / placed_subop
    ("stream words", lambda: construction_error(lambda: StreamType("A", 0, 2)),
     "'tiled_subop.stream' needs words >= 1 and transfers >= 1, got 0 and 2"),
    ("layer workers", lambda: verify_error(sub_layer(workers=0)), "'tiled_subop.layer' @l workers (0) must be at least 1"),
    ("layer batch", lambda: verify_error(sub_layer(placed_subop, batch=0)),
     "'placed_subop.layer' @l batch (0) must be at least 1"),
    ("layer macs", lambda: verify_error(sub_layer(macs=-1)), "'tiled_subop.layer' @l cycles and macs must be >= 0"),
    ("source iterations", lambda: verify_error(source(iterations=0)),
     "'tiled_subop.source' @l.src.A iterations (0) must be at least 1"),
    ("source neither", lambda: verify_error(source(memory=False)),
     "'tiled_subop.source' @l.src.A must read either memory or a producer tensor, not both or neither"),
    ("source space", lambda: verify_error(source(streams=(StreamType("A", 4, 2), StreamType("B", 4, 2)))),
     "'tiled_subop.source' @l.src.A streams space 'A' but a result is a 'B' stream"),
    ("worker index", lambda: verify_error(worker(index=-1)), "'tiled_subop.worker' @l.w0 index (-1) must be >= 0"),
    ("worker iterations", lambda: verify_error(worker(placed_subop, pe=(1, 1), iterations=0)),
     "'placed_subop.worker' @l.w0 iterations (0) must be at least 1"),
    ("worker transfers", lambda: verify_error(worker(iterations=4, outputs=(StreamType("O", 1, 6),))),
     ("'tiled_subop.worker' @l.w0 stream 0 has 6 transfers, which neither divides nor is a multiple of its 4 "
      "iterations")),
    ("sink no streams", lambda: verify_error(subop(tiled_subop, "sink", sym="l.sink", results=[IMG])),
     "'tiled_subop.sink' @l.sink gathers no streams"),
    ("placed memory source off a memory PE", lambda: verify_error(source(placed_subop, pe=(1, 0))),
     "'placed_subop.source' @l.src.A reads off-chip memory but <1, 0> is not a memory PE of the device"),
    ("placed worker outside", lambda: verify_error(worker(placed_subop, pe=(4, 4))),
     "'placed_subop.worker' PE <4, 4> is outside the 4x4 mesh"),
    # routed_message
    ("message no destination", lambda: verify_error(*rm_message(dsts=())),
     "'routed_message.message' @msg has no destination"),
    ("message own source", lambda: verify_error(*rm_message(dsts=((1, 0), (0, 0)))),
     "'routed_message.message' @msg sends to its own source PE <0, 0>"),
    ("message destination twice", lambda: verify_error(*rm_message(dsts=((1, 0), (1, 0)))),
     "'routed_message.message' @msg lists destination <1, 0> twice"),
    ("message packets", lambda: verify_error(*rm_message(packets=0)),
     "'routed_message.message' @msg packets (0) must be at least 1"),
    ("message vc", lambda: verify_error(*rm_message(vc=-2)), "'routed_message.message' @msg vc (-2) must be >= 0"),
    ("message mode", lambda: verify_error(*rm_message(mode="star")),
     "'routed_message.message' @msg mode 'star' is not one of tree, copies"),
    ("message waypoint", lambda: verify_error(*rm_message(waypoints=[(9, 0)])),
     "'routed_message.message' waypoint <9, 0> is outside the 4x4 mesh"),
    ("message source outside", lambda: verify_error(*rm_message(src=(0, 9))),
     "'routed_message.message' source <0, 9> is outside the 4x4 mesh"),
    # pe_isa
    ("pe message tag", lambda: verify_error(pe_message(tag=-1)), "'pe_isa.message' tag -1 must be >= 0"),
    ("pe message flits", lambda: verify_error(pe_message(tag=3, flits=0)),
     "'pe_isa.message' tag 3 flits (0) must be at least 1"),
    ("pe message destination outside", lambda: verify_error(pe_message(dsts=((1, 0), (0, 7)))),
     "'pe_isa.message' destination <0, 7> is outside the 4x4 mesh"),
    ("program holds a loop", lambda: verify_error(pe_isa.ProgramOp((1, 1), [pe_message()])),
     "'pe_isa.program' on <1, 1> may only hold pe_isa.block ops, found pe_isa.message"),
    ("send outside a block", lambda: verify_error(pe_isa.SendOp(0)),
     "'pe_isa.send' must be inside a pe_isa.block or pe_isa.loop"),
    ("loop count", lambda: verify_error(in_program((1, 1), pe_isa.LoopOp(0, [pe_isa.ComputeOp(1)]))),
     "'pe_isa.loop' count (0) must be at least 1"),
    ("recv tag", lambda: verify_error(in_program((1, 1), pe_isa.LoopOp(2, [pe_isa.RecvOp(-1)]))),
     "'pe_isa.recv' tag (-1) must be >= 0"),
    ("compute cycles", lambda: verify_error(in_program((1, 1), pe_isa.ComputeOp(-5))),
     "'pe_isa.compute' cycles (-5) must be >= 0"),
    ("mem bytes", lambda: verify_error(in_program((0, 0), pe_isa.MemWriteOp(0))),
     "'pe_isa.mem_write' bytes (0) must be at least 1"),
    ("mem on a compute PE", lambda: verify_error(in_program((2, 2), pe_isa.LoopOp(3, [pe_isa.MemReadOp(8)]))),
     "'pe_isa.mem_read' on <2, 2>, which is not a memory PE of the device"),
    ("program outside", lambda: verify_error(in_program((5, 0), pe_isa.ComputeOp(1))),
     "'pe_isa.program' PE <5, 0> is outside the 4x4 mesh"),
]


@pytest.mark.parametrize("what, run, message", CASES, ids=[c[0] for c in CASES])
def test_python_built_op_message(what, run, message):
    assert run() == message


def test_verifiers_without_a_device_skip_the_mesh_checks():
    """With no chip.device in the module there is no mesh to check PEs against (the ops still verify)."""
    module_of(worker(placed_subop, pe=(40, 40)), in_program((9, 9), pe_isa.MemReadOp(4))).verify()


# ---- the lit invalid files, in-process --------------------------------------------------------------
def run_chunk(chunk: Chunk) -> str | None:
    """The VerifyException message of a chunk (raised while parsing attributes or verifying), or None."""
    try:
        module: ModuleOp = parse(CTX, chunk.text)
        module.verify()
    except VerifyException as exc:
        return str(exc)
    return None


CHUNKS = invalid_chunks()


def test_every_dialect_has_an_invalid_file():
    names = {c.path.name for c in CHUNKS}
    assert names == {f"{d}_invalid.mlir" for d in ("chip", "tensor_op", "tiled_subop", "placed_subop",
                                                    "routed_message", "pe_isa")}


@pytest.mark.parametrize("chunk", CHUNKS, ids=[f"{c.path.stem}-{c.index}" for c in CHUNKS])
def test_invalid_chunk_message(chunk):
    assert run_chunk(chunk) == chunk.message


def _raise_lines() -> dict[str, set[int]]:
    out = {}
    for path in sorted((REPO / "focus_dialects").glob("*.py")):
        lines = {i for i, line in enumerate(path.read_text().splitlines(), 1) if "raise VerifyException(" in line}
        if lines:
            out[str(path)] = lines
    return out


def test_every_verifier_message_is_exercised():
    """Each `raise VerifyException(` line of focus_dialects/ is reached by a lit invalid chunk (the one
    exception, odd route pairs, is unreachable from text and is built in Python)."""
    targets = _raise_lines()
    hit: set[tuple[str, int]] = set()

    def local(frame, event, arg):
        if event == "line" and frame.f_lineno in targets[frame.f_code.co_filename]:
            hit.add((frame.f_code.co_filename, frame.f_lineno))
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename in targets else None

    python_only = [c for c in CASES if c[0].startswith("route odd pairs")]
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        for chunk in CHUNKS:
            run_chunk(chunk)
        for _, run, _ in python_only:
            run()
    finally:
        sys.settrace(previous)
    missing = [
        f"{Path(f).relative_to(REPO)}:{n}: {Path(f).read_text().splitlines()[n - 1].strip()}"
        for f, n in sorted((f, n) for f, lines in targets.items() for n in lines) if (f, n) not in hit
    ]
    assert not missing, "verifier messages no test_lit/dialects/*_invalid.mlir chunk reaches:\n" + "\n".join(missing)


def test_invalid_files_check_full_messages():
    """No elided message: CHECK lines carry no FileCheck regex blocks."""
    for chunk in CHUNKS:
        assert not re.search(r"\{\{|\[\[", chunk.message), f"{chunk.path.name} chunk {chunk.index}: {chunk.message}"

"""Shared helpers for the lowering tests: parsing, the lit cases as inputs, flattening programs."""

from __future__ import annotations

from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser

from focus_tools.driver import make_context as driver_context

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
LIT_LOWERING = REPO / "test_lit" / "passes" / "lower-to-pe-isa.mlir"

DEVICE = (
    'chip.device @d mesh {w} x {h} memory [{mem}] link 512 flit 512 macs 256 {{word_bits = 8 : i64, '
    'num_vcs = 4 : i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, '
    'dram_latency = 100 : i64{extra}}}'
)


def device(w: int = 3, h: int = 3, memory: str = "<0, 0>, <2, 2>", extra: str = "") -> str:
    return DEVICE.format(w=w, h=h, mem=memory, extra=extra)


# three workers of one layer share a weight stream; two of them time-share PE <1, 0> with the sink
TIME_SHARED = f"""{device(extra=", memory_compute")}
placed_subop.layer @l kind "matmul" model "m" workers 3 cycles 12 macs 3072 batch 1
%w = placed_subop.source @l.src.Weights layer @l space "Weights" iterations 4 cycles 0 on <0, 0> memory -> !tiled_subop.stream<"Weights", 64, 4>
%o0 = placed_subop.worker @l.w0 layer @l index 0 iterations 4 cycles 3 macs 1024 buffer 100 on <1, 0> (%w : !tiled_subop.stream<"Weights", 64, 4>) -> !tiled_subop.stream<"Outputs", 8, 1>
%o1 = placed_subop.worker @l.w1 layer @l index 1 iterations 4 cycles 3 macs 1024 buffer 100 on <1, 0> (%w : !tiled_subop.stream<"Weights", 64, 4>) -> !tiled_subop.stream<"Outputs", 8, 1>
%o2 = placed_subop.worker @l.w2 layer @l index 2 iterations 4 cycles 3 macs 1024 buffer 100 on <0, 1> (%w : !tiled_subop.stream<"Weights", 64, 4>) -> !tiled_subop.stream<"Outputs", 8, 1>
%a = placed_subop.sink @l.sink layer @l on <1, 0> (%o0, %o1, %o2 : !tiled_subop.stream<"Outputs", 8, 1>, !tiled_subop.stream<"Outputs", 8, 1>, !tiled_subop.stream<"Outputs", 8, 1>) -> tensor<24xi8>
routed_message.message @l.W %w from <0, 0> to [<1, 0>, <0, 1>] flits 1 packets 4 priority 0 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <0, 0> -> <0, 1>> : !tiled_subop.stream<"Weights", 64, 4>
routed_message.message @l.O2 %o2 from <0, 1> to [<1, 0>] flits 1 packets 1 priority 0 vc 0 mode "tree" route <<0, 1> -> <1, 1>, <1, 1> -> <1, 0>> : !tiled_subop.stream<"Outputs", 8, 1>
"""


def make_context() -> Context:
    """A context with every focus dialect (the driver's)."""
    return driver_context()


def parse(text: str) -> ModuleOp:
    module = Parser(make_context(), text, "test").parse_module()
    module.verify()
    return module


def lit_cases() -> list[str]:
    """The routed_message inputs of test_lit/passes/lower-to-pe-isa.mlir (one per split chunk)."""
    text = LIT_LOWERING.read_text()
    return [c for c in text.split("// -----\n") if "routed_message.message" in c]


def lowered(text: str) -> ModuleOp:
    from passes.lower_to_pe_isa import lower_module

    module = parse(text)
    lower_module(module)
    module.verify()
    return module

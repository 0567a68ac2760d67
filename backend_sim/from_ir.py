"""pe_isa modules -> simulator inputs: the PackedProgram and a SimConfig from the module's chip.device.

The op-by-op conversion (pe_isa.MessageOp / ProgramOp / BlockOp / LoopOp / SendOp / RecvOp / ComputeOp /
MemReadOp / MemWriteOp, matched by their Python classes) is `backend_sim.lower_packed.pack_module`, the
lowering the compiler driver and the `-t pe-packed` target use; this module adds file loading, the
device-derived configuration and checks that the module is at the pe_isa level.
"""

from __future__ import annotations

from pathlib import Path

from backend_sim.config import SimConfig
from backend_sim.program import PackedProgram
from focus_tools.errors import FocusError


def load_module(path: str | Path):
    """Parse and verify a .mlir file with focus's dialects; FocusError (one line) on bad input."""
    from xdsl.parser import Parser

    from focus_tools.driver import make_context

    p = Path(path)
    if not p.is_file():
        raise FocusError(f"{p}: no such file, expected a .mlir module or a .npz packed program")
    try:
        text = p.read_text()
    except (OSError, UnicodeDecodeError):
        raise FocusError(f"{p}: not a readable text file, expected an MLIR module") from None
    try:
        module = Parser(make_context(), text, str(p)).parse_module()
        module.verify()
    except Exception as exc:  # noqa: BLE001 - any parse/verify failure is bad input
        line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise FocusError(line if line.startswith(str(p)) else f"{p}: {line}") from None
    return module


def device_of(module):
    from focus_dialects.chip import find_device

    dev = find_device(module)
    if dev is None:
        raise FocusError("pe_isa module: no chip.device op, expected one device per module")
    return dev


def program_from_module(module) -> PackedProgram:
    """The packed program of a pe_isa module (messages by tag, blocks in module order)."""
    from focus_dialects import pe_isa

    if not any(isinstance(op, (pe_isa.ProgramOp, pe_isa.MessageOp)) for op in module.ops):
        names = sorted({op.name for op in module.ops})
        raise FocusError(f"module: no pe_isa.program or pe_isa.message op (found {', '.join(names)}), "
                         "expected a module lowered to pe_isa (focus compile ... -t pe-isa)")
    from backend_sim.lower_packed import pack_module

    return pack_module(module)


def config_from_module(module, **overrides) -> SimConfig:
    """SimConfig from the module's chip.device (mesh, VCs, buffers, injection queue, flit/link bits, DRAM)."""
    return SimConfig.from_device(device_of(module), **overrides)


def load_program(path: str | Path, **overrides) -> tuple[PackedProgram, SimConfig]:
    """A .mlir (pe_isa) or .npz (PackedProgram.save) file -> (program, config)."""
    p = Path(path)
    if p.suffix == ".npz":
        prog = PackedProgram.load(p)
        return prog, SimConfig(width=prog.width, height=prog.height, **overrides).validated()
    module = load_module(p)
    return program_from_module(module), config_from_module(module, **overrides)

"""Shared helpers for the IR tests: a context with every dialect, parse/print, lit chunk reading."""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects import get_all_dialects as xdsl_dialects
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.parser import Parser
from xdsl.printer import Printer

from focus_dialects import get_all_dialects

REPO = Path(__file__).resolve().parents[2]
LIT_DIALECTS = REPO / "test_lit" / "dialects"
VENV_BIN = REPO / ".venv" / "bin"


def make_context() -> Context:
    """xDSL's dialects (builtin, func, arith, test, ...) plus focus's six."""
    ctx = Context()
    for name, factory in {**xdsl_dialects(), **get_all_dialects()}.items():
        if name not in ctx.registered_dialect_names:
            ctx.register_dialect(name, factory)
    return ctx


def parse(ctx: Context, text: str) -> ModuleOp:
    return Parser(ctx, text, "test").parse_module()


def print_op(op: Operation, generic: bool = False) -> str:
    out = StringIO()
    Printer(stream=out, print_generic_format=generic).print_op(op)
    return out.getvalue()


def module_of(*ops: Operation) -> ModuleOp:
    return ModuleOp(list(ops))


@dataclass(frozen=True)
class Chunk:
    path: Path
    index: int
    text: str
    message: str  # the `// CHECK:` line: the full verifier message


def invalid_chunks() -> list[Chunk]:
    """Every `// -----` chunk of test_lit/dialects/*_invalid.mlir with its expected message."""
    chunks = []
    for path in sorted(LIT_DIALECTS.glob("*_invalid.mlir")):
        for i, text in enumerate(path.read_text().split("// -----")):
            checks = re.findall(r"^// CHECK: (.*)$", text, flags=re.MULTILINE)
            assert len(checks) == 1, f"{path.name} chunk {i}: expected one CHECK line, found {len(checks)}"
            chunks.append(Chunk(path, i, text, checks[0]))
    return chunks

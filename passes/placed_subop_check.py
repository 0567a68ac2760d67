"""`placed-subop-check{print=true}`: check the placement rules of a placed_subop module.

Rules: no tiled_subop op is left; memory sources sit on memory PEs of the device; a producer source
sits on the PE of the sink it reads; `writeback` sinks (they `mem_write`) sit on memory PEs; workers
and sinks sit on memory PEs only when the device has `memory_compute`; no PE hosts more workers/sinks
than an even spread needs (1 when they fit).
`print=true` writes one summary line to stdout (before the module); a violated rule is a FocusError.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from focus_dialects import placed_subop, tiled_subop
from focus_dialects.chip import find_device
from focus_tools.errors import FocusError
from passes.place_subops import subop_problem
from passes.placement import placement_cost


def _yes(ok: bool) -> str:
    return "yes" if ok else "no"


@dataclass(frozen=True)
class PlacedSubopCheckPass(ModulePass):
    """Check (and optionally summarise) a placed sub-operator module."""

    name = "placed-subop-check"

    print: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        where = "placed-subop-check"
        dev = find_device(op)
        if dev is None:
            raise FocusError(f"{where}: the module has no chip.device op")
        errors: list[str] = []
        left = [o for o in op.ops if o.dialect_name() == "tiled_subop" and not isinstance(o, tiled_subop.LayerOp)]
        if left:
            errors.append(f"'{left[0].name}' @{left[0].sym_name.data} is not placed")
        memory = set(dev.memory)
        hosts = dev.memory_compute is not None
        subops = [o for o in op.ops if isinstance(o, (placed_subop.SourceOp, placed_subop.WorkerOp,
                                                      placed_subop.SinkOp))]
        sources_ok = producers_ok = writeback_ok = True
        per_pe: dict[tuple[int, int], int] = {}
        for o in subops:
            pe = o.pe.xy
            name = o.sym_name.data
            if isinstance(o, placed_subop.SourceOp):
                if o.memory is not None and pe not in memory:
                    sources_ok = False
                    errors.append(f"memory source @{name} sits on {pe}, not a memory PE")
                if o.producer is not None:
                    owner = o.producer.owner
                    if not isinstance(owner, placed_subop.SinkOp) or owner.pe.xy != pe:
                        producers_ok = False
                        errors.append(f"producer source @{name} on {pe} is not on the PE of the sink it reads")
                continue
            per_pe[pe] = per_pe.get(pe, 0) + 1
            if isinstance(o, placed_subop.SinkOp) and o.writeback is not None and pe not in memory:
                writeback_ok = False
                errors.append(f"writeback sink @{name} sits on {pe}, not a memory PE (it writes to memory)")
            if pe in memory and not hosts:
                errors.append(f"@{name} computes on memory PE {pe}, but the device has no memory_compute")
        w, h = dev.mesh
        eligible = w * h if hosts else w * h - len(memory)
        need = sum(per_pe.values())
        limit = max(1, -(-need // eligible)) if eligible > 0 else 1
        worst = max(per_pe.values(), default=0)
        if worst > limit:
            crowded = min(pe for pe, n in per_pe.items() if n == worst)
            errors.append(f"PE <{crowded[0]}, {crowded[1]}> hosts {worst} workers/sinks, an even spread of {need} "
                          f"over {eligible} PEs needs {limit}")
        shared = sum(1 for c in per_pe.values() if c > 1)
        if self.print:
            cost = "n/a"
            if not left and subops and not errors:
                problem, group_of = subop_problem(op, dev.memory, hosts, where)
                pe_of = {group_of[o]: o.pe.xy for o in subops}
                cost = str(placement_cost(problem, pe_of))
            used = len({o.pe.xy for o in subops})
            sys.stdout.write(
                f"{where}: placed {len(subops)} subops on {used} PEs, sources on memory PEs: {_yes(sources_ok)}, "
                f"producer sources with their sinks: {_yes(producers_ok)}, writeback sinks on memory PEs: "
                f"{_yes(writeback_ok)}, max compute groups per PE: {worst} "
                f"(limit {limit}), time-shared PEs: {shared}, estimated cost: {cost}\n"
            )
            sys.stdout.flush()
        if errors:
            raise FocusError(f"{where}: {errors[0]}")

"""`focus-opt -t sim`: simulate a pe_isa module and print the simulator's JSON result.

Options: `-t 'sim{max-cycles=1000000 recv-at-head=false summary=false}'`. A deadlock or a hang raises
`SimulationDeadlock` (focus-opt prints one line and exits 3).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.target import Target

from focus_dialects.chip import find_device
from focus_tools.errors import FocusError


@dataclass(frozen=True)
class SimTarget(Target):
    name = "sim"

    max_cycles: int = 0
    recv_at_head: bool = False
    summary: bool = False

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from backend_sim.config import SimConfig
        from backend_sim.engine import simulate
        from backend_sim.lower_packed import pack_module

        dev = find_device(module)
        if dev is None:
            raise FocusError("sim: the module has no chip.device op")
        over: dict = {"recv_at_head": self.recv_at_head}
        if self.max_cycles:
            over["max_cycles"] = self.max_cycles
        result = simulate(pack_module(module), SimConfig.from_device(dev, **over)).raise_if_failed()
        data = result.to_json()
        if self.summary:
            data = {k: data[k] for k in ("total_cycles", "finished", "flits", "layers")}
        data.pop("sim_seconds", None)  # wall time: keep the output deterministic
        output.write(json.dumps(data, indent=1, sort_keys=True) + "\n")

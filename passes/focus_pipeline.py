"""`focus-pipeline{preset=focus seed=0}`: the whole compile flow tensor_op -> pe_isa as one named pass."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline

from focus_tools.presets import get_preset
from focus_tools.registry import get_all_passes


@dataclass(frozen=True)
class FocusPipelinePass(ModulePass):
    name = "focus-pipeline"

    preset: str = "focus"
    seed: int = 0
    allow_time_sharing: bool = False
    fit_mesh: bool = True  # the module's chip.device is the target: `cores: auto` layers share its PEs

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        spec = get_preset(self.preset).pipeline(self.seed, self.allow_time_sharing, self.fit_mesh)
        passes = {k: v for k, v in get_all_passes().items() if k != self.name}
        PassPipeline.parse_spec(passes, spec).apply(ctx, op)

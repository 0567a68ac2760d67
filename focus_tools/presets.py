"""Named compiler presets: `focus` (our best choices) and `focus-original` (the original toolchain's)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Preset:
    name: str
    device_preset: str  # frontend.device preset: memory-PE layout and whether memory PEs compute
    placement: str
    unicast: str
    multicast: str
    search: str
    writeback: bool
    objective: str = "delay"
    split_sources: bool = False  # one memory source per multicast group (parallel DRAM channels)

    def pipeline(self, seed: int = 0, allow_time_sharing: bool = False, fit_mesh: bool = False) -> str:
        """The pass pipeline text for focus-opt / PassPipeline.parse_spec."""
        wb = "true" if self.writeback else "false"
        split = "true" if self.split_sources else "false"
        fit = "true" if fit_mesh else "false"
        ts = "true" if allow_time_sharing else "false"
        return (
            f"dataflow-search{{objective={self.objective} writeback={wb} split-sources={split} fit-mesh={fit}}},"
            f"place-subops{{strategy={self.placement} seed={seed} allow-time-sharing={ts}}},"
            f"route-messages{{unicast={self.unicast} multicast={self.multicast} search={self.search} seed={seed}}},"
            f"lower-to-pe-isa"
        )

    def with_options(self, **kw) -> "Preset":
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


PRESETS: dict[str, Preset] = {
    "focus": Preset("focus", "focus", "anneal", "adaptive", "steiner", "anneal", True, split_sources=True),
    "focus-original": Preset("focus-original", "focus-original", "hilbert", "xy", "star", "none", False),
}


def get_preset(name: str) -> Preset:
    from focus_tools.errors import FocusError

    if name not in PRESETS:
        raise FocusError(f"preset '{name}' is unknown (valid: {', '.join(PRESETS)})")
    return PRESETS[name]

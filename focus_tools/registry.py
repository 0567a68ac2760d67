"""Lazy registries of focus's passes and targets (name -> factory importing the module on first use)."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

# pass name -> (module, class); module files are named after the pass
PASSES: dict[str, tuple[str, str]] = {
    "dataflow-search": ("passes.dataflow_search", "DataflowSearchPass"),
    "place-subops": ("passes.place_subops", "PlaceSubopsPass"),
    "placed-subop-check": ("passes.placed_subop_check", "PlacedSubopCheckPass"),
    "route-messages": ("passes.route_messages", "RouteMessagesPass"),
    "routed-message-check": ("passes.routed_message_check", "RoutedMessageCheckPass"),
    "lower-to-pe-isa": ("passes.lower_to_pe_isa", "LowerToPeIsaPass"),
    "pe-isa-check": ("passes.pe_isa_check", "PeIsaCheckPass"),
    "focus-pipeline": ("passes.focus_pipeline", "FocusPipelinePass"),
}

# target name -> (module, class)
TARGETS: dict[str, tuple[str, str]] = {
    "pe-asm": ("backend_sim.targets", "PeAsmTarget"),
    "pe-packed": ("backend_sim.targets", "PePackedTarget"),
    "spatial-sim": ("backend_sim.targets", "SpatialSimTarget"),
    "sim": ("backend_sim.sim_target", "SimTarget"),
}


def _available(module: str) -> bool:
    """Whether the module exists (found without importing it, so one broken file breaks no start-up)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _factory(module: str, cls: str) -> Callable[[], type]:
    def load() -> type:
        return getattr(importlib.import_module(module), cls)

    return load


def get_all_passes() -> dict[str, Callable[[], type]]:
    return {name: _factory(m, c) for name, (m, c) in PASSES.items() if _available(m)}


def get_all_targets() -> dict[str, Callable[[], type]]:
    return {name: _factory(m, c) for name, (m, c) in TARGETS.items() if _available(m)}

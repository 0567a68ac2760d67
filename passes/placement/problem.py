"""The placement problem and its result as plain data (no IR).

A W x H mesh, coordinates `(x, y)` with x = column (0 = west) and y = row (0 = north), linear id
`y * width + x`. Memory PEs reach off-chip memory. Placement *groups* (sub-operators that must share a
PE) come in task order; messages carry traffic between groups in flits (summed over batches).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from focus_tools.errors import FocusError

PE = tuple[int, int]
KINDS = ("source", "worker", "sink")


@dataclass(frozen=True)
class Group:
    """Sub-operators that share one PE.

    `kind`: source (streams from off-chip memory; needs a memory PE, takes no compute slot),
    worker, or sink (a sink group may also hold the consumer layers' input sources).
    `needs_memory`: the group sits on a memory PE: it reads off-chip memory (weight sources,
    first-layer input sources) or writes back to it (a `writeback` sink, which still takes a compute
    slot, so it needs a memory PE that may host compute).
    """

    name: str
    layer: str
    model: str
    kind: str
    needs_memory: bool = False

    @property
    def is_compute(self) -> bool:
        return self.kind != "source"


@dataclass(frozen=True)
class Message:
    """`volume` flits from group `src` to every group in `dsts` (a multicast when several)."""

    src: str
    dsts: tuple[str, ...]
    volume: int


@dataclass(frozen=True)
class PlacementProblem:
    width: int
    height: int
    memory_pes: tuple[PE, ...]
    groups: tuple[Group, ...]
    messages: tuple[Message, ...] = ()
    memory_hosts_compute: bool = False  # memory PEs may also host worker/sink groups
    where: str = "placement"  # names the input in error messages (a file or an op)

    def __post_init__(self) -> None:
        object.__setattr__(self, "memory_pes", tuple(tuple(p) for p in self.memory_pes))
        object.__setattr__(self, "groups", tuple(self.groups))
        object.__setattr__(self, "messages", tuple(self.messages))
        self._validate()

    # ---- derived ---------------------------------------------------------------------------------
    @property
    def pe_count(self) -> int:
        return self.width * self.height

    def pe_id(self, pe: PE) -> int:
        return pe[1] * self.width + pe[0]

    def pe_of_id(self, pid: int) -> PE:
        return (pid % self.width, pid // self.width)

    def compute_pes(self) -> tuple[PE, ...]:
        """PEs that may host worker/sink groups, in linear-id order."""
        mem = set(self.memory_pes)
        return tuple(
            (x, y)
            for y in range(self.height)
            for x in range(self.width)
            if self.memory_hosts_compute or (x, y) not in mem
        )

    def compute_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.is_compute)

    def source_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if not g.is_compute)

    def writeback_groups(self) -> tuple[Group, ...]:
        """Compute groups that must sit on a (compute-capable) memory PE: writeback sinks."""
        return tuple(g for g in self.groups if g.is_compute and g.needs_memory)

    def group(self, name: str) -> Group:
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(name)

    def capacity_error(self) -> str | None:
        """Why the compute groups do not fit one per PE, or None."""
        need = len(self.compute_groups())
        pes = self.compute_pes()
        if need <= len(pes):
            return None
        mesh = f"the {self.width}x{self.height} mesh has {len(pes)}"
        if not self.memory_hosts_compute:
            mesh += f" ({self.pe_count} minus {len(self.memory_pes)} memory PEs)"
        return (
            f"{self.where}: needs {need} compute PEs, {mesh}; use a larger mesh or allow time sharing"
        )

    # ---- validation ------------------------------------------------------------------------------
    def _validate(self) -> None:
        w = self.where
        if not (isinstance(self.width, int) and isinstance(self.height, int)) or self.width < 1 or self.height < 1:
            raise FocusError(f"{w}: mesh {self.width}x{self.height}, expected positive integer sides")
        seen_pe: set[PE] = set()
        for pe in self.memory_pes:
            if len(pe) != 2 or not (0 <= pe[0] < self.width and 0 <= pe[1] < self.height):
                raise FocusError(
                    f"{w}: memory PE {pe} lies outside the {self.width}x{self.height} mesh "
                    f"(x in 0..{self.width - 1}, y in 0..{self.height - 1})"
                )
            if pe in seen_pe:
                raise FocusError(f"{w}: memory PE {pe} listed twice")
            seen_pe.add(pe)
        names: set[str] = set()
        for g in self.groups:
            if g.name in names:
                raise FocusError(f"{w}: group '{g.name}' defined twice; group names must be unique")
            names.add(g.name)
            if g.kind not in KINDS:
                raise FocusError(f"{w}: group '{g.name}' has kind '{g.kind}', expected one of {', '.join(KINDS)}")
            if g.kind == "source" and not g.needs_memory:
                raise FocusError(
                    f"{w}: source group '{g.name}' does not read memory; a source fed by a producer "
                    "belongs to that producer's sink group"
                )
            if g.kind == "worker" and g.needs_memory:
                raise FocusError(
                    f"{w}: worker group '{g.name}' has needs_memory=True; only sources and writeback "
                    "sinks use memory"
                )
            if g.kind == "sink" and g.needs_memory and not self.memory_hosts_compute:
                raise FocusError(
                    f"{w}: sink '{g.name}' writes back to memory, but memory PEs may not host compute; "
                    "use memory-compute (a device with memory_compute) or dataflow-search writeback=false"
                )
        if any(g.needs_memory for g in self.groups) and not self.memory_pes:
            raise FocusError(f"{w}: groups read off-chip memory but the device has no memory PEs")
        for m in self.messages:
            if m.src not in names:
                raise FocusError(f"{w}: message source '{m.src}' is not a group")
            if not m.dsts:
                raise FocusError(f"{w}: message from '{m.src}' has no destination")
            for d in m.dsts:
                if d not in names:
                    raise FocusError(f"{w}: message destination '{d}' (from '{m.src}') is not a group")
            if isinstance(m.volume, bool) or not isinstance(m.volume, int) or m.volume < 0:
                raise FocusError(
                    f"{w}: message '{m.src}' -> {list(m.dsts)} has volume {m.volume!r}, "
                    "expected a non-negative integer number of flits"
                )


@dataclass(frozen=True, eq=False)
class Placement:
    """Group -> PE, plus the groups on every used PE (linear-id order) and the time-shared PEs."""

    strategy: str
    seed: int
    pe_of: Mapping[str, PE]
    groups_on: Mapping[PE, tuple[str, ...]]
    shared_pes: tuple[PE, ...]  # PEs hosting more than one compute group (time sharing)
    stats: Mapping[str, object] = field(default_factory=dict)

    @staticmethod
    def build(problem: PlacementProblem, strategy: str, seed: int, pe_of: Mapping[str, PE],
              stats: Mapping[str, object] | None = None) -> Placement:
        ordered = {g.name: tuple(pe_of[g.name]) for g in problem.groups}
        by_pe: dict[PE, list[str]] = {}
        compute_count: dict[PE, int] = {}
        for g in problem.groups:
            pe = ordered[g.name]
            by_pe.setdefault(pe, []).append(g.name)
            if g.is_compute:
                compute_count[pe] = compute_count.get(pe, 0) + 1
        keys = sorted(by_pe, key=problem.pe_id)
        groups_on = {pe: tuple(by_pe[pe]) for pe in keys}
        shared = tuple(pe for pe in keys if compute_count.get(pe, 0) > 1)
        return Placement(strategy, seed, ordered, groups_on, shared, dict(stats or {}))

    def max_compute_per_pe(self, problem: PlacementProblem) -> int:
        count: dict[PE, int] = {}
        for g in problem.groups:
            if g.is_compute:
                pe = self.pe_of[g.name]
                count[pe] = count.get(pe, 0) + 1
        return max(count.values(), default=0)

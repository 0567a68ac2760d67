"""Mesh geometry: coordinates, unit links, dimension-order paths."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from focus_tools.errors import FocusError

Coord = tuple[int, int]  # (x, y): x = column (west -> east), y = row (north -> south)
Link = tuple[Coord, Coord]  # a directed unit link between neighbouring PEs

NORTH, SOUTH, WEST, EAST = "N", "S", "W", "E"
STEP: dict[str, Coord] = {NORTH: (0, -1), SOUTH: (0, 1), WEST: (-1, 0), EAST: (1, 0)}


def fmt_pe(pe: Coord) -> str:
    """`<x, y>`, the IR spelling of a PE."""
    return f"<{pe[0]}, {pe[1]}>"


def fmt_link(link: Link) -> str:
    return f"{fmt_pe(link[0])} -> {fmt_pe(link[1])}"


def manhattan(a: Coord, b: Coord) -> int:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def direction(link: Link) -> str:
    """N/S/E/W of a unit link (ValueError if it is not one)."""
    (x0, y0), (x1, y1) = link
    dx, dy = x1 - x0, y1 - y0
    for name, step in STEP.items():
        if step == (dx, dy):
            return name
    raise ValueError(f"not a unit link: {fmt_link(link)}")


def is_unit_link(link: Link) -> bool:
    (x0, y0), (x1, y1) = link
    return abs(x1 - x0) + abs(y1 - y0) == 1


@dataclass(frozen=True)
class Mesh:
    """A width x height 2-D mesh of PEs."""

    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width < 1 or self.height < 1:
            raise FocusError(f"mesh {self.width} x {self.height}: both sides must be >= 1")

    def contains(self, pe: Coord) -> bool:
        return 0 <= pe[0] < self.width and 0 <= pe[1] < self.height

    def pes(self) -> list[Coord]:
        return [(x, y) for y in range(self.height) for x in range(self.width)]

    def neighbours(self, pe: Coord) -> list[Coord]:
        out = []
        for dx, dy in STEP.values():
            nxt = (pe[0] + dx, pe[1] + dy)
            if self.contains(nxt):
                out.append(nxt)
        return out

    def links(self) -> list[Link]:
        return [(pe, n) for pe in self.pes() for n in self.neighbours(pe)]

    def check_pe(self, pe: Coord, what: str = "PE") -> Coord:
        if (
            not isinstance(pe, tuple)
            or len(pe) != 2
            or not all(isinstance(v, int) for v in pe)
            or not self.contains(pe)
        ):
            shown = fmt_pe(pe) if isinstance(pe, tuple) and len(pe) == 2 else repr(pe)
            raise FocusError(
                f"{what} {shown}: outside the {self.width} x {self.height} mesh, "
                f"valid x in 0..{self.width - 1}, y in 0..{self.height - 1}"
            )
        return pe

    def __str__(self) -> str:
        return f"{self.width} x {self.height}"


def _walk(start: Coord, end: Coord, axis_order: str) -> list[Coord]:
    """PEs from start to end, moving along the axes in axis_order ("xy" or "yx")."""
    x, y = start
    nodes = [start]
    for axis in axis_order:
        if axis == "x":
            step = 1 if end[0] > x else -1
            while x != end[0]:
                x += step
                nodes.append((x, y))
        else:
            step = 1 if end[1] > y else -1
            while y != end[1]:
                y += step
                nodes.append((x, y))
    return nodes


def xy_nodes(start: Coord, end: Coord) -> list[Coord]:
    """Dimension-order path: first along x (the row), then along y (the column)."""
    return _walk(start, end, "xy")


def yx_nodes(start: Coord, end: Coord) -> list[Coord]:
    return _walk(start, end, "yx")


def path_links(nodes: Sequence[Coord]) -> list[Link]:
    return [(nodes[i], nodes[i + 1]) for i in range(len(nodes) - 1)]


def check_dsts(mesh: Mesh, src: Coord, dsts: Iterable[Coord]) -> tuple[Coord, ...]:
    """Validate a source and destination set; returns the sorted, de-duplicated destinations."""
    mesh.check_pe(src, "source")
    out = sorted(set(dsts))
    if not out:
        raise FocusError(f"message from {fmt_pe(src)}: no destination, need at least one PE")
    for d in out:
        mesh.check_pe(d, "destination")
        if d == src:
            raise FocusError(
                f"destination {fmt_pe(d)}: equals the source, only PEs other than the source are routed"
            )
    return tuple(out)

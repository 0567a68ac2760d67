"""Memory-PE layouts and PE visiting orders (Hilbert curve, snake)."""

from __future__ import annotations

from focus_tools.errors import FocusError

PE = tuple[int, int]


def original_memory_pes(d: int) -> tuple[PE, ...]:
    """The original FOCUS layout for a d x d mesh (`TaskCompiler._gen_physical_layout`): two PEs at the
    middle of each edge plus the four 'test' PEs; the device model's layout (`frontend.device`)."""
    from frontend.device import original_memory_pes as layout

    if not isinstance(d, int) or d < 2:
        raise FocusError(f"original memory layout: mesh side {d!r}, expected an integer >= 2")
    return layout(d, d)


def edge_memory_pes(width: int, height: int) -> tuple[PE, ...]:
    """DOJO-like: every PE on the mesh boundary reaches memory (linear-id order); see `frontend.device`."""
    from frontend.device import edge_memory_pes as layout

    if width < 1 or height < 1:
        raise FocusError(f"edge memory layout: mesh {width}x{height}, expected positive sides")
    return layout(width, height)


# Unit steps of the original's Hilbert grammar (`hilbert.py`), as (row, column) deltas.
_BASE = {
    "u": ((0, 1), (1, 0), (0, -1)),
    "d": ((0, -1), (-1, 0), (0, 1)),
    "r": ((1, 0), (0, 1), (-1, 0)),
    "l": ((-1, 0), (0, -1), (1, 0)),
}
_RULES = {  # orientation -> (sub-curves, connecting steps)
    "u": (("r", "u", "u", "l"), ((0, 1), (1, 0), (0, -1))),
    "d": (("l", "d", "d", "r"), ((0, -1), (-1, 0), (0, 1))),
    "r": (("u", "r", "r", "d"), ((1, 0), (0, 1), (-1, 0))),
    "l": (("d", "l", "l", "u"), ((-1, 0), (0, -1), (1, 0))),
}


def _hilbert_steps(order: int, orientation: str) -> list[tuple[int, int]]:
    if order <= 1:
        return list(_BASE[orientation])
    subs, links = _RULES[orientation]
    steps: list[tuple[int, int]] = []
    for i, sub in enumerate(subs):
        steps.extend(_hilbert_steps(order - 1, sub))
        if i < 3:
            steps.append(links[i])
    return steps


def hilbert_order(width: int, height: int) -> tuple[PE, ...]:
    """Every PE of the mesh in the original's Hilbert order.

    The curve covers the next power-of-two square (orientation 'u', starting at PE 0); the original
    reads a curve point (a, b) as PE id `a * d + b`, i.e. a = row, b = column. Points outside the
    mesh are skipped, so on a power-of-two square consecutive PEs are mesh neighbours.
    """
    side = 1
    while side < max(width, height):
        side *= 2
    if side == 1:
        return ((0, 0),)
    order = side.bit_length() - 1
    row = col = 0
    points = [(0, 0)]
    for dr, dc in _hilbert_steps(order, "u"):
        row += dr
        col += dc
        points.append((col, row))
    return tuple((x, y) for x, y in points if x < width and y < height)


def snake_order(width: int, height: int) -> tuple[PE, ...]:
    """Boustrophedon: row 0 west to east, row 1 east to west, ..."""
    out: list[PE] = []
    for y in range(height):
        xs = range(width) if y % 2 == 0 else range(width - 1, -1, -1)
        out.extend((x, y) for x in xs)
    return tuple(out)

from itertools import pairwise

import pytest

from focus_tools.errors import FocusError
from passes.placement import edge_memory_pes, hilbert_order, original_memory_pes, snake_order


def ids(pes, d):
    return [y * d + x for x, y in pes]


def test_original_memory_layout_matches_the_table():
    assert ids(original_memory_pes(4), 4) == [0, 1, 2, 4, 7, 8, 11, 13, 14, 15]
    assert ids(original_memory_pes(8), 8) == [0, 1, 3, 4, 24, 31, 32, 39, 59, 60, 62, 63]
    assert ids(original_memory_pes(16), 16) == [0, 1, 7, 8, 112, 127, 128, 143, 247, 248, 254, 255]


def test_original_memory_layout_rejects_tiny_mesh():
    with pytest.raises(FocusError, match="mesh side 1"):
        original_memory_pes(1)


def test_edge_memory_layout_is_the_boundary():
    pes = edge_memory_pes(5, 3)
    assert len(pes) == 5 * 3 - 3  # all but the 3x1 interior
    assert all(x in (0, 4) or y in (0, 2) for x, y in pes)
    assert (2, 1) not in pes


def neighbours(a, b):
    return abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1


@pytest.mark.parametrize("d", [2, 4, 8, 16])
def test_hilbert_adjacent_indices_are_mesh_neighbours(d):
    order = hilbert_order(d, d)
    assert len(order) == d * d and len(set(order)) == d * d
    assert order[0] == (0, 0)
    assert all(neighbours(a, b) for a, b in pairwise(order))


def test_hilbert_follows_the_original_orientation():
    # The original reads curve point (a, b) as PE a*d + b; its 'u' curve starts 0, 4, 5, 1 on 4x4.
    assert ids(hilbert_order(4, 4), 4) == [0, 4, 5, 1, 2, 3, 7, 6, 10, 11, 15, 14, 13, 9, 8, 12]


@pytest.mark.parametrize("w,h", [(6, 5), (3, 7), (1, 1), (9, 9)])
def test_hilbert_covers_non_power_of_two_meshes(w, h):
    order = hilbert_order(w, h)
    assert sorted(order) == sorted((x, y) for x in range(w) for y in range(h))


def test_snake_order_is_a_neighbour_walk():
    order = snake_order(5, 4)
    assert len(set(order)) == 20
    assert all(neighbours(a, b) for a, b in pairwise(order))

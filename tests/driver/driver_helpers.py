"""Helpers of the driver-output tests."""

from __future__ import annotations

import contextlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
TINY_TASK = HERE / "data" / "tiny_task.yaml"
REPO = HERE.parents[1]


def png_ok(path: Path) -> tuple[int, int]:
    """Assert `path` is a valid PNG image; return its (width, height)."""
    from PIL import Image

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        im.load()
        assert im.format == "PNG"
        w, h = im.size
    assert w >= 100 and h >= 100, (path, w, h)
    return w, h


@contextlib.contextmanager
def cache_env(path: Path):
    """FOCUS_CACHE_DIR=path inside the block (for fixtures wider than one test)."""
    import pytest

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOCUS_CACHE_DIR", str(path))
        yield path

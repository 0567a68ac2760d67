"""A BookSim configuration whose fixed warm-up leaves no sample to measure is an error, not garbage rates."""

from pathlib import Path

import pytest

from focus_tools.errors import FocusError

CFG = Path(__file__).parent / "data" / "mesh88_iq.cfg"


def test_max_samples_not_above_warmup_is_an_error():
    from backend_sim.booksim_cfg import build, read_config

    with pytest.raises(FocusError, match=r"max_samples = 2 with warmup_periods = 3 .* measures nothing"):
        build(read_config(CFG, ["max_samples=2"]), str(CFG))

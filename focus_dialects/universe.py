"""The `xdsl.universe` entry point: makes focus's dialects, passes and targets visible to plain `xdsl-opt`."""

from xdsl.universe import Universe

from focus_dialects import get_all_dialects
from focus_tools.registry import get_all_passes, get_all_targets

FOCUS_UNIVERSE = Universe(
    all_dialects=get_all_dialects(),
    all_passes=get_all_passes(),
    all_targets=get_all_targets(),
)

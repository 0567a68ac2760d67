"""Helpers shared by the bench scripts."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> str:
    """`nproc N, CPU model, Python x.y.z` of this machine, for the results tables."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"nproc {os.cpu_count()}, {model}, Python {platform.python_version()}"

"""Helpers for the timeloop tests: locate ../shared (skip cleanly when absent), list the reference runs."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
REF = SHARED / "timeloop-ref"
FOCUS_DB = SHARED / "focus-data" / "database"

def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running test (deselect with -m 'not slow')")

def ref_variants() -> list[str]:
    """All variant folders with an expected.yaml, as 'NN_case/variant' (empty when ../shared is absent)."""
    if not REF.exists():
        return []
    out = []
    for f in sorted(REF.glob("*/*/expected.yaml")):
        out.append(f"{f.parent.parent.name}/{f.parent.name}")
    return out

def need_refs() -> Path:
    if not REF.exists():
        pytest.skip("../shared/timeloop-ref is absent")
    return REF

def variant_files(variant: str, *, with_mapping: bool = True, with_ert: bool = True) -> list[str]:
    d = need_refs() / variant
    files = sorted(glob.glob(str(d / "parsed-processed-input.yaml"))) or sorted(glob.glob(str(d / "inputs" / "*.yaml")))
    if with_mapping:
        files += sorted(glob.glob(str(d / "*.map.yaml")))
    if with_ert:
        files += sorted(glob.glob(str(d / "*.ERT.yaml")))
    return files

def expected(variant: str) -> dict:
    return yaml.safe_load((need_refs() / variant / "expected.yaml").read_text())

def is_mapper_run(variant: str) -> bool:
    return str(expected(variant).get("tool", "")).startswith("timeloop-mapper")

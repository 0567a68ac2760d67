"""Shared plumbing of `focus timeloop-model` / `focus timeloop-mapper` (inputs, outputs, real Timeloop)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from focus_tools.errors import FocusError
from frontend.problem import Problem

from .model import EnergyTable, make_energy_table
from .spec import (
    Architecture,
    Constraints,
    TileMapping,
    load_art,
    load_ert,
    load_yaml_files,
    parse_architecture,
    parse_constraints,
    parse_map_txt,
    parse_mapping,
    parse_problem,
)


@dataclass
class Inputs:
    doc: dict
    origin: dict[str, str]
    problem: Problem
    arch: Architecture
    constraints: Constraints
    energy: EnergyTable
    map_txt: tuple[str, str] | None  # (text, file) of a *.map.txt given on the command line
    files: list[Path]
    art: dict[str, float]

    def area_um2(self) -> dict[str, float]:
        """Total area per component from an Accelergy ART (empty when none was given)."""
        out = {}
        for lv in self.arch.levels:
            if lv.name in self.art:
                out[lv.name] = self.art[lv.name] * lv.instances
        a = self.arch.arithmetic
        if a.name in self.art:
            out[a.name] = self.art[a.name] * a.instances
        if out:
            out["Total"] = sum(out.values())
        return out

    def mapping(self) -> TileMapping:
        node = self.doc.get("mapping")
        if node:
            return parse_mapping(self.doc, self.arch, self.problem, self.origin.get("mapping", "<mapping>"))
        if self.map_txt is not None:
            return parse_map_txt(self.map_txt[0], self.arch, self.problem, self.map_txt[1])
        raise FocusError("no mapping given: pass a YAML file with a 'mapping:' list or a Timeloop *.map.txt")


def load_inputs(paths: Sequence[str]) -> Inputs:
    """Merge the YAML files the way Timeloop does (top-level keys from every file, later files win)."""
    files: list[Path] = []
    yaml_files: list[Path] = []
    map_txt = None
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise FocusError(f"{p}: no such file")
        if path.is_dir():
            found = sorted(q for q in path.rglob("*") if q.suffix in (".yaml", ".yml"))
            if not found:
                raise FocusError(f"{p}: directory holds no YAML file")
            yaml_files += found
            files += found
        elif path.name.endswith(".map.txt") or path.suffix == ".txt":
            map_txt = (path.read_text(), str(path))
            files.append(path)
        else:
            yaml_files.append(path)
            files.append(path)
    doc, origin = load_yaml_files(yaml_files)
    arch_src = origin.get("architecture", "<architecture>")
    arch = parse_architecture(doc, arch_src)
    problem = parse_problem(doc, origin.get("problem", "<problem>"))
    cons_src = next((origin[k] for k in ("architecture_constraints", "mapspace_constraints", "mapspace")
                     if k in origin), arch_src)
    constraints = parse_constraints(doc, arch, problem, cons_src)
    ert = load_ert(doc) if "ERT" in doc else {}
    energy = make_energy_table(arch, ert, f"ERT {origin.get('ERT', '')}".strip())
    return Inputs(doc, origin, problem, arch, constraints, energy, map_txt, files, load_art(doc) if "ART" in doc else {})


def check_mapping_constraints(mapping: TileMapping, inp: Inputs, source: str) -> None:
    """timeloop-model rejects mappings that break exact/max/min factors or keep/bypass constraints."""
    prob, arch, cons = inp.problem, inp.arch, inp.constraints
    for L, lc in enumerate(cons.levels):
        lm = mapping.levels[L]
        name = arch.levels[L].name
        for kind, c, vals in (("temporal", lc.temporal, lm.temporal), ("spatial", lc.spatial, lm.spatial)):
            for d, v in c.exact.items():
                b = prob.bounds[d]
                want = b if v == 0 or v > b else v
                if vals.get(d, 1) != want:
                    raise FocusError(f"{source}: {name} {kind} factor {d}={vals.get(d, 1)} breaks the "
                                     f"constraint {d}={want}")
            for d, v in c.max.items():
                if vals.get(d, 1) > v:
                    raise FocusError(f"{source}: {name} {kind} factor {d}={vals.get(d, 1)} exceeds the "
                                     f"constraint {d}<={v}")
            for d, v in c.min.items():
                if vals.get(d, 1) < v:
                    raise FocusError(f"{source}: {name} {kind} factor {d}={vals.get(d, 1)} is below the "
                                     f"constraint {d}>={v}")
        if L != arch.num_levels - 1:
            for s in lc.keep:
                if s not in lm.keep:
                    raise FocusError(f"{source}: {name} bypasses {s}, the constraints keep it there")
            for s in lc.bypass:
                if s in lm.keep:
                    raise FocusError(f"{source}: {name} keeps {s}, the constraints bypass it there")


def write_outputs(outdir: str | None, prefix: str, files: dict[str, str]) -> list[Path]:
    if not outdir:
        return []
    d = Path(outdir)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FocusError(f"{outdir}: cannot create output directory ({exc.strerror})") from None
    written = []
    for suffix, text in files.items():
        p = d / f"{prefix}.{suffix}"
        p.write_text(text)
        written.append(p)
    return written


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n"


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, (set, frozenset)):
        return sorted(o)
    raise TypeError(type(o).__name__)


# ---------------------------------------------------------------------------------------------------
# Real Timeloop (--engine timeloop)
# ---------------------------------------------------------------------------------------------------


def run_real_timeloop(tool: str, paths: Sequence[str], outdir: str | None) -> dict[str, Any]:
    """Run `timeloop-model` / `timeloop-mapper` on the given files and parse its stats file."""
    exe = shutil.which(tool)
    if exe is None:
        raise FocusError(f"{tool}: not found on PATH (--engine timeloop runs the real Timeloop; "
                         "use --engine focus for the built-in model)")
    abspaths = [str(Path(p).resolve()) for p in paths]
    with tempfile.TemporaryDirectory(prefix="focus-timeloop-") as tmp:
        work = Path(outdir).resolve() if outdir else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([exe, *abspaths], cwd=work, capture_output=True, text=True, check=False)
        stats = work / f"{tool}.stats.txt"
        if proc.returncode != 0 or not stats.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise FocusError(f"{tool}: exited with {proc.returncode}: {tail[0]}")
        parsed = parse_stats_txt(stats.read_text())
        mp = work / f"{tool}.map.txt"
        if mp.exists():
            parsed["map_txt"] = mp.read_text()
    parsed["engine"] = "timeloop"
    return parsed


def parse_stats_txt(text: str) -> dict[str, Any]:
    """Cycles, utilization, energy and per-level per-data-space counts of a Timeloop `*.stats.txt`."""
    out: dict[str, Any] = {"levels": []}
    m = re.search(r"^Cycles: (\d+)", text, re.MULTILINE)
    if m:
        out["cycles"] = int(m.group(1))
    m = re.search(r"^Utilization: ([\d.]+)%", text, re.MULTILINE)
    if m:
        out["utilization"] = float(m.group(1)) / 100
    m = re.search(r"^Computes = (\d+)", text, re.MULTILINE)
    if m:
        out["macs"] = int(m.group(1))
    m = re.search(r"^\s*Total\s*= ([\d.]+)", text, re.MULTILINE)
    unit = 1000.0 if re.search(r"^fJ/Compute", text, re.MULTILINE) else 1.0
    if m and "macs" in out:
        out["energy_pJ"] = float(m.group(1)) / unit * out["macs"]
    body = text.split("Networks")[0]
    parts = re.split(r"^=== (\S+) ===$", body, flags=re.MULTILINE)
    for name, sec in zip(parts[1::2], parts[2::2]):
        level: dict[str, Any] = {"name": name, "dataspaces": {}}
        for dm in re.finditer(r"^    (\w+):\n((?:        .*\n)+)", sec, re.MULTILINE):
            vals = {}
            for k, key in (("reads", "Scalar reads"), ("fills", "Scalar fills"), ("updates", "Scalar updates"),
                           ("tile_size", "Utilized capacity"), ("partition_size", "Partition size"),
                           ("energy_pJ", "Energy \\(total\\)")):
                mm = re.search(rf"{key}[^:]*: ([\d.]+)", dm.group(2))
                if mm:
                    vals[k] = float(mm.group(1))
            if vals:
                level["dataspaces"][dm.group(1)] = vals
        out["levels"].append(level)
    return out

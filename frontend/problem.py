"""Timeloop-style problem specifications (workloads) as plain, frozen data.

A problem is a perfectly nested loop over named dimensions with per-dimension bounds, and a list of
data spaces (tensors) whose ranks are affine projections of the dimensions (`sum coef * dim`).
This module reads the Timeloop v0.2/v0.3/v0.4 problem YAML (`problem: {shape, instance}`, with or
without `version: 0.4`) and writes it back; every stage of focus shares this one representation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from focus_tools.errors import FocusError

Term = tuple[str, int]  # (dimension, coefficient)
Rank = tuple[Term, ...]

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class DataSpace:
    name: str
    projection: tuple[Rank, ...]
    read_write: bool = False

    def dims(self) -> tuple[str, ...]:
        seen: list[str] = []
        for rank in self.projection:
            for d, _ in rank:
                if d not in seen:
                    seen.append(d)
        return tuple(seen)

    def rank_extents(self, extents: Mapping[str, int]) -> tuple[int, ...]:
        """Extent of every rank for a box with the given per-dimension extents (AAHR projection)."""
        return tuple(sum(abs(c) * (extents[d] - 1) for d, c in rank) + 1 for rank in self.projection)

    def size(self, extents: Mapping[str, int]) -> int:
        return math.prod(self.rank_extents(extents))


@dataclass(frozen=True)
class Problem:
    name: str
    dims: tuple[str, ...]
    bounds: Mapping[str, int]
    data_spaces: tuple[DataSpace, ...]
    coefficients: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bounds", dict(self.bounds))
        object.__setattr__(self, "coefficients", dict(self.coefficients))

    def __hash__(self) -> int:
        return hash((self.name, self.dims, tuple(sorted(self.bounds.items())), self.data_spaces))

    # ---- derived quantities ------------------------------------------------------------------
    @property
    def macs(self) -> int:
        return math.prod(self.bounds[d] for d in self.dims)

    def space(self, name: str) -> DataSpace:
        for ds in self.data_spaces:
            if ds.name == name:
                return ds
        raise KeyError(name)

    @property
    def output_spaces(self) -> tuple[DataSpace, ...]:
        return tuple(ds for ds in self.data_spaces if ds.read_write)

    @property
    def input_spaces(self) -> tuple[DataSpace, ...]:
        return tuple(ds for ds in self.data_spaces if not ds.read_write)

    def tensor_size(self, space: str) -> int:
        return self.space(space).size(self.bounds)

    def tensor_shape(self, space: str) -> tuple[int, ...]:
        return self.space(space).rank_extents(self.bounds)

    def with_bounds(self, **bounds: int) -> "Problem":
        b = dict(self.bounds)
        b.update(bounds)
        return Problem(self.name, self.dims, b, self.data_spaces, self.coefficients)

    # ---- text form used by the tensor_op.problem attribute -----------------------------------
    def to_text(self) -> str:
        """Compact form, e.g. `C=3 M=64 P=56 | Weights[C][M] Inputs[C][P+R] Outputs[M][P]*`."""
        dims = " ".join(f"{d}={self.bounds[d]}" for d in self.dims)
        spaces = []
        for ds in self.data_spaces:
            ranks = "".join(
                "[" + "+".join(d if c == 1 else f"{c}*{d}" for d, c in rank) + "]" for rank in ds.projection
            )
            spaces.append(f"{ds.name}{ranks}{'*' if ds.read_write else ''}")
        return f"{dims} | {' '.join(spaces)}"

    @staticmethod
    def from_text(text: str, name: str = "problem") -> "Problem":
        if text.count("|") != 1:
            raise ValueError("expected '<dim>=<bound> ... | <space>[<rank>]... ...'")
        dim_part, space_part = text.split("|")
        dims: list[str] = []
        bounds: dict[str, int] = {}
        for tok in dim_part.split():
            m = re.fullmatch(r"([A-Za-z][A-Za-z0-9_]*)=(-?\d+)", tok)
            if not m:
                raise ValueError(f"bad dimension '{tok}', expected <name>=<bound>")
            dims.append(m.group(1))
            bounds[m.group(1)] = int(m.group(2))
        spaces = []
        for tok in space_part.split():
            m = re.fullmatch(r"([A-Za-z][A-Za-z0-9_]*)((?:\[[^\]]*\])+)(\*?)", tok)
            if not m:
                raise ValueError(f"bad data space '{tok}', expected <name>[<rank>]...")
            ranks = []
            for rank_text in re.findall(r"\[([^\]]*)\]", m.group(2)):
                terms = []
                for term in rank_text.split("+"):
                    tm = re.fullmatch(r"(?:(-?\d+)\*)?([A-Za-z][A-Za-z0-9_]*)", term.strip())
                    if not tm:
                        raise ValueError(f"bad projection term '{term}' in '{tok}'")
                    terms.append((tm.group(2), int(tm.group(1) or 1)))
                ranks.append(tuple(terms))
            spaces.append(DataSpace(m.group(1), tuple(ranks), bool(m.group(3))))
        problem = Problem(name, tuple(dims), bounds, tuple(spaces))
        err = problem.validation_error()
        if err:
            raise ValueError(err)
        return problem

    def validation_error(self) -> str | None:
        """The first thing wrong with this problem, or None."""
        if not self.dims:
            return "no dimensions"
        if len(set(self.dims)) != len(self.dims):
            return f"duplicate dimension in {list(self.dims)}"
        for d in self.dims:
            if d not in self.bounds:
                return f"dimension {d} has no bound"
            b = self.bounds[d]
            if not isinstance(b, int) or isinstance(b, bool) or b <= 0:
                return f"dimension {d} has bound {b}, expected a positive integer"
        if not self.data_spaces:
            return "no data spaces"
        names = [ds.name for ds in self.data_spaces]
        if len(set(names)) != len(names):
            return f"duplicate data space in {names}"
        for ds in self.data_spaces:
            for rank in ds.projection:
                for d, _ in rank:
                    if d not in self.dims:
                        return (
                            f"data space {ds.name} uses unknown dimension '{d}' "
                            f"(dimensions are {', '.join(self.dims)})"
                        )
        if not any(ds.read_write for ds in self.data_spaces):
            return "no read-write (output) data space"
        return None

    # ---- Timeloop YAML -----------------------------------------------------------------------
    def to_timeloop(self) -> dict[str, Any]:
        """The v0.3 `problem:` node (coefficients folded into the projections)."""
        spaces = []
        for ds in self.data_spaces:
            proj = [[[d] if c == 1 else [d, f"_c{c}"] for d, c in rank] for rank in ds.projection]
            entry: dict[str, Any] = {"name": ds.name, "projection": proj}
            if ds.read_write:
                entry["read-write"] = True
            spaces.append(entry)
        coefs = sorted({c for ds in self.data_spaces for r in ds.projection for _, c in r if c != 1})
        shape: dict[str, Any] = {"name": self.name, "dimensions": list(self.dims), "data-spaces": spaces}
        if coefs:
            shape["coefficients"] = [{"name": f"_c{c}", "default": c} for c in coefs]
        return {"shape": shape, "instance": {d: self.bounds[d] for d in self.dims}}


def normalize_keys(node: Any) -> Any:
    """Timeloop rewrites hyphens in keys to underscores before reading a file."""
    if isinstance(node, dict):
        return {(k.replace("-", "_") if isinstance(k, str) else k): normalize_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [normalize_keys(v) for v in node]
    return node


def _projection(raw: Any, dims: Iterable[str], coefs: Mapping[str, int], where: str) -> tuple[Rank, ...]:
    dims = list(dims)
    if not isinstance(raw, list):
        raise FocusError(f"{where}: projection must be a list, got {raw!r}")
    if raw and all(isinstance(x, str) for x in raw):  # flat form [C, K]
        raw = [[[x]] for x in raw]
    ranks: list[Rank] = []
    for rank in raw:
        if not isinstance(rank, list):
            raise FocusError(f"{where}: projection rank must be a list of terms, got {rank!r}")
        terms: list[Term] = []
        for term in rank:
            if isinstance(term, str):
                term = [term]
            if not isinstance(term, list) or not 1 <= len(term) <= 2:
                raise FocusError(f"{where}: projection term must be [dim] or [dim, coefficient], got {term!r}")
            names = [str(t) for t in term]
            dim_names = [n for n in names if n in dims]
            if len(dim_names) != 1:
                unknown = [n for n in names if n not in dims and n not in coefs]
                bad = unknown[0] if unknown else names[0]
                raise FocusError(
                    f"{where}: unknown dimension '{bad}' in projection (dimensions are {', '.join(dims)})"
                )
            d = dim_names[0]
            c = 1
            for n in names:
                if n == d:
                    continue
                if n in coefs:
                    c = coefs[n]
                elif re.fullmatch(r"-?\d+", n):
                    c = int(n)
                else:
                    raise FocusError(f"{where}: unknown coefficient '{n}' in projection")
            terms.append((d, c))
        ranks.append(tuple(terms))
    return tuple(ranks)


def problem_from_yaml(data: Any, source: str = "<problem>", name: str | None = None) -> Problem:
    """Build a Problem from a parsed Timeloop problem YAML document (v0.2, v0.3 or v0.4)."""
    data = normalize_keys(data)
    if isinstance(data, dict) and "problem" in data:
        data = data["problem"]
    if not isinstance(data, dict) or "shape" not in data:
        raise FocusError(f"{source}: not a Timeloop problem (expected 'problem: {{shape, instance}}')")
    shape = data["shape"]
    if isinstance(shape, str) or shape is None:
        raise FocusError(f"{source}: problem shape '{shape}' by name is not supported; give the shape inline")
    dims = shape.get("dimensions")
    if not isinstance(dims, list) or not dims:
        raise FocusError(f"{source}: problem.shape.dimensions must be a non-empty list, got {dims!r}")
    dims = [str(d) for d in dims]
    instance = data.get("instance")
    if instance is None:
        instance = {k: v for k, v in data.items() if k not in ("shape", "version")}
    if not isinstance(instance, dict):
        raise FocusError(f"{source}: problem.instance must be a mapping, got {instance!r}")
    coefs: dict[str, int] = {}
    for c in shape.get("coefficients") or []:
        cname = str(c.get("name"))
        val = instance.get(cname, c.get("default", 1))
        coefs[cname] = int(val)
    bounds: dict[str, int] = {}
    for d in dims:
        if d not in instance:
            raise FocusError(f"{source}: dimension {d} has no bound in problem.instance")
        v = instance[d]
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise FocusError(f"{source}: dimension {d} = {v!r}, expected a positive integer")
        bounds[d] = v
    for k in instance:
        if k not in dims and k not in coefs and isinstance(k, str) and len(k) == 1 and k.isupper():
            raise FocusError(
                f"{source}: unknown dimension '{k}' in problem.instance (dimensions are {', '.join(dims)})"
            )
    spaces = []
    raw_spaces = shape.get("data_spaces") or []
    if not raw_spaces:
        raise FocusError(f"{source}: problem.shape.data-spaces is missing or empty")
    for ds in raw_spaces:
        ds_name = str(ds.get("name"))
        proj = _projection(ds.get("projection"), dims, coefs, f"{source}: data space {ds_name}")
        spaces.append(DataSpace(ds_name, proj, bool(ds.get("read_write", False))))
    problem = Problem(name or str(shape.get("name", "problem")), tuple(dims), bounds, tuple(spaces), coefs)
    err = problem.validation_error()
    if err:
        raise FocusError(f"{source}: {err}")
    return problem


# ---- standard problem builders (used by the model zoo and ONNX import) ----------------------------
def conv2d(name: str, C: int, M: int, P: int, Q: int, R: int, S: int, N: int = 1, stride: int = 1,
           dilation: int = 1) -> Problem:
    return Problem(
        name,
        ("C", "M", "R", "S", "N", "P", "Q"),
        dict(C=C, M=M, R=R, S=S, N=N, P=P, Q=Q),
        (
            DataSpace("Weights", ((("C", 1),), (("M", 1),), (("R", 1),), (("S", 1),))),
            DataSpace("Inputs", ((("N", 1),), (("C", 1),), (("R", dilation), ("P", stride)),
                                 (("S", dilation), ("Q", stride)))),
            DataSpace("Outputs", ((("N", 1),), (("M", 1),), (("Q", 1),), (("P", 1),)), True),
        ),
    )


def depthwise(name: str, C: int, P: int, Q: int, R: int, S: int, N: int = 1, stride: int = 1,
              dilation: int = 1) -> Problem:
    return Problem(
        name,
        ("C", "R", "S", "N", "P", "Q"),
        dict(C=C, R=R, S=S, N=N, P=P, Q=Q),
        (
            DataSpace("Weights", ((("C", 1),), (("R", 1),), (("S", 1),))),
            DataSpace("Inputs", ((("N", 1),), (("C", 1),), (("R", dilation), ("P", stride)),
                                 (("S", dilation), ("Q", stride)))),
            DataSpace("Outputs", ((("N", 1),), (("C", 1),), (("Q", 1),), (("P", 1),)), True),
        ),
    )


def matmul(name: str, M: int, K: int, N: int, a: str = "Inputs", b: str = "Weights", c: str = "Outputs",
           batch: int = 1, a_batched: bool = True, b_batched: bool = True) -> Problem:
    """C[B][M][N] = sum_K A[B][M][K] * B[B][K][N] (B omitted when batch == 1); an operand without the batch
    (`a_batched`/`b_batched` false) is shared by all batches."""
    dims = ("B", "M", "K", "N") if batch > 1 else ("M", "K", "N")
    bounds = dict(M=M, K=K, N=N)
    pre: tuple = ()
    if batch > 1:
        bounds["B"] = batch
        pre = ((("B", 1),),)
    return Problem(
        name,
        dims,
        bounds,
        (
            DataSpace(b, (pre if b_batched else ()) + ((("K", 1),), (("N", 1),))),
            DataSpace(a, (pre if a_batched else ()) + ((("M", 1),), (("K", 1),))),
            DataSpace(c, pre + ((("M", 1),), (("N", 1),)), True),
        ),
    )


def elementwise(name: str, shape: Mapping[str, int], inputs: tuple[str, ...] = ("A", "B"),
                output: str = "Outputs") -> Problem:
    """An elementwise op (residual add, ...) over the given dimensions; counts no MACs of a layer."""
    dims = tuple(shape)
    proj = tuple(((d, 1),) for d in dims)
    spaces = tuple(DataSpace(n, proj) for n in inputs) + (DataSpace(output, proj, True),)
    return Problem(name, dims, dict(shape), spaces)

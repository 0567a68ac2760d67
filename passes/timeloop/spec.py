"""Timeloop input files: YAML loading/merging, architecture, constraints, mappings, ERT.

Everything here is plain data parsed from the YAML documents Timeloop accepts:

* `load_yaml_files(paths)`: reads several YAML files (unknown tags such as `!Container` are accepted and
  kept on the node as `.tag`) and merges them the way Timeloop does: every top-level key of every file
  lands in one document; a key repeated in a later file replaces the earlier one. Hyphens in keys are
  rewritten to underscores.
* `parse_architecture(doc)`: the tree form (`version` 0.2/0.3/0.4 `subtree`/`local`, as in
  `parsed-processed-input.yaml`), the v0.4 `nodes` form (`!Container`/`!Component`/`!Parallel`,
  flattened as timeloopfe does: a container with a spatial mesh becomes a dummy storage level
  `inter_<name>_spatial`), and the classic `{arithmetic, storage[]}` form.
* `parse_constraints(doc, arch, problem)`: `architecture_constraints` + `mapspace_constraints`/`mapspace`
  (and v0.4 per-component constraints) as per-level `LevelConstraints`.
* `parse_mapping(doc, arch, problem)` / `parse_map_txt(text, arch, problem)`: a fixed `TileMapping`.
* `load_ert(doc)` / `load_art(doc)`: Accelergy energy / area reference tables.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from focus_tools.errors import FocusError
from frontend.problem import Problem, normalize_keys, problem_from_yaml

# ---------------------------------------------------------------------------------------------------
# YAML loading
# ---------------------------------------------------------------------------------------------------


class TaggedDict(dict):
    """A mapping that carried a YAML tag such as `!Container`."""

    tag: str = ""


class TaggedList(list):
    tag: str = ""


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that accepts any `!Tag` (Timeloop v0.4 uses !Container, !Component, ...)."""


def _construct_tagged(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = TaggedDict(loader.construct_mapping(node, deep=True))
    elif isinstance(node, yaml.SequenceNode):
        out = TaggedList(loader.construct_sequence(node, deep=True))
    else:
        return loader.construct_scalar(node)
    out.tag = tag_suffix
    return out


_TolerantLoader.add_multi_constructor("!", _construct_tagged)


def _normalize(node: Any) -> Any:
    """Hyphens in keys become underscores; tags are preserved."""
    if isinstance(node, dict):
        out: Any = TaggedDict() if isinstance(node, TaggedDict) else {}
        if isinstance(node, TaggedDict):
            out.tag = node.tag
        for k, v in node.items():
            out[k.replace("-", "_") if isinstance(k, str) else k] = _normalize(v)
        return out
    if isinstance(node, list):
        items = [_normalize(v) for v in node]
        if isinstance(node, TaggedList):
            t = TaggedList(items)
            t.tag = node.tag
            return t
        return items
    return node


def load_yaml_text(text: str, source: str) -> dict:
    if "{%" in text or "{{" in text:
        raise FocusError(
            f"{source}: Jinja templates are not supported, give the rendered YAML "
            "(e.g. timeloopfe's parsed-processed-input.yaml)"
        )
    try:
        data = yaml.load(text, Loader=_TolerantLoader)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" line {line + 1}" if line is not None else ""
        raise FocusError(f"{source}:{where} invalid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FocusError(f"{source}: top level must be a mapping, got {type(data).__name__}")
    return _normalize(data)


def load_yaml_files(paths: Sequence[str | Path]) -> tuple[dict, dict[str, str]]:
    """Merge the top-level keys of every file (later files win). Returns (doc, key -> source file)."""
    doc: dict = {}
    origin: dict[str, str] = {}
    if not paths:
        raise FocusError("no input files given, expected Timeloop YAML files (arch, problem, mapping, ...)")
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files = sorted(q for q in path.rglob("*") if q.suffix in (".yaml", ".yml"))
            sub, sub_origin = load_yaml_files(files) if files else ({}, {})
            doc.update(sub)
            origin.update(sub_origin)
            continue
        try:
            text = path.read_text()
        except OSError as exc:
            raise FocusError(f"{p}: cannot read ({exc.strerror})") from None
        data = load_yaml_text(text, str(p))
        for k, v in data.items():
            doc[k] = v
            origin[k] = str(p)
    return doc, origin


# ---------------------------------------------------------------------------------------------------
# Small safe expression evaluator for v0.4 attribute expressions (`datawidth * 3`, `max(32, width)`)
# ---------------------------------------------------------------------------------------------------

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
}
_FUNCS = {"max": max, "min": min, "ceil": math.ceil, "floor": math.floor, "log2": math.log2, "int": int,
          "round": round, "abs": abs}


def _eval_expr(text: str, names: Mapping[str, Any]) -> Any:
    def ev(n: ast.AST) -> Any:
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)):
            return n.value
        if isinstance(n, ast.Name):
            if n.id in names:
                v = names[n.id]
                if isinstance(v, str):
                    return _eval_expr(v, {k: x for k, x in names.items() if k != n.id})
                return v
            raise KeyError(n.id)
        if isinstance(n, ast.BinOp) and type(n.op) in _BINOPS:
            return _BINOPS[type(n.op)](ev(n.left), ev(n.right))
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            return -ev(n.operand)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in _FUNCS:
            return _FUNCS[n.func.id](*[ev(a) for a in n.args])
        raise ValueError("unsupported expression")

    return ev(ast.parse(text.strip(), mode="eval"))


def _resolve_attrs(attrs: Mapping[str, Any], variables: Mapping[str, Any]) -> dict[str, Any]:
    """Evaluate string attributes that are arithmetic expressions over variables/other attributes."""
    out = dict(attrs)
    for _ in range(3):
        changed = False
        for k, v in list(out.items()):
            if isinstance(v, str):
                names = {**variables, **{kk: vv for kk, vv in out.items() if kk != k}}
                try:
                    val = _eval_expr(v, names)
                except (KeyError, ValueError, TypeError, SyntaxError, ArithmeticError, RecursionError):
                    continue  # not an expression (e.g. "45nm", "LPDDR4"): keep the string
                if isinstance(val, float) and val.is_integer():
                    val = int(val)
                out[k] = val
                changed = True
        if not changed:
            break
    return out


# ---------------------------------------------------------------------------------------------------
# Architecture
# ---------------------------------------------------------------------------------------------------

_BUFFER_CLASSES = ("DRAM", "SRAM", "regfile", "smartbuffer", "storage")
_ARITH_CLASSES = ("mac", "intmac", "fpmac", "compute")
_NETWORK_CLASSES = ("XY_NoC", "Legacy", "ReductionTree", "SimpleMulticast")


def component_kind(cls: str) -> str:
    """'buffer', 'arithmetic', 'network' or 'other' from a class name (substring rules of Timeloop)."""
    if any(s in cls for s in _BUFFER_CLASSES):
        return "buffer"
    if any(s in cls for s in _ARITH_CLASSES):
        return "arithmetic"
    if any(s in cls for s in _NETWORK_CLASSES):
        return "network"
    return "other"


_RANGE_RE = re.compile(r"^(.*?)\[(\d+)\.\.(\d+)\]$")


def split_name(name: str) -> tuple[str, int]:
    """`PE[0..15]` -> ('PE', 16); `DRAM` -> ('DRAM', 1)."""
    m = _RANGE_RE.match(name.strip())
    if not m:
        return name.strip(), 1
    lo, hi = int(m.group(2)), int(m.group(3))
    if hi < lo:
        raise FocusError(f"architecture: bad range in name '{name}', expected Name[a..b] with a <= b")
    return m.group(1), hi - lo + 1


def _first(attrs: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if k in attrs and attrs[k] is not None:
            return attrs[k]
    return None


def _as_int(v: Any, what: str) -> int:
    if isinstance(v, bool):
        raise FocusError(f"{what}: {v!r}, expected an integer")
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            raise FocusError(f"{what}: {v!r}, expected an integer") from None
        if f.is_integer():
            return int(f)
    raise FocusError(f"{what}: {v!r}, expected an integer")


def _as_float(v: Any, what: str) -> float:
    if isinstance(v, bool):
        raise FocusError(f"{what}: {v!r}, expected a number")
    try:
        return float(v)
    except (TypeError, ValueError):
        raise FocusError(f"{what}: {v!r}, expected a number") from None


@dataclass(frozen=True)
class StorageLevel:
    """One storage level (index 0 = innermost). Sizes are in words; bandwidths in words/cycle/instance."""

    name: str
    cls: str
    instances: int
    mesh_x: int
    mesh_y: int
    word_bits: int
    block_size: int
    cluster_size: int
    size: int | None  # capacity in words, None = unlimited
    is_dram: bool
    read_bandwidth: float | None = None
    write_bandwidth: float | None = None
    shared_bandwidth: float | None = None
    multiple_buffering: float = 1.0
    min_utilization: float = 0.0
    num_ports: int = 2
    num_banks: int = 2
    vector_access_energy: float | None = None  # explicit override
    addr_gen_energy: float | None = None
    bandwidth_scale: Mapping[str, float] = field(default_factory=dict)
    network_fill_latency: int = 0
    network_drain_latency: int = 0

    @property
    def effective_size(self) -> int | None:
        if self.size is None:
            return None
        return int(math.floor(self.size / self.multiple_buffering))


@dataclass(frozen=True)
class ArithmeticLevel:
    name: str
    cls: str
    instances: int
    mesh_x: int
    mesh_y: int
    word_bits: int


@dataclass(frozen=True)
class Architecture:
    levels: tuple[StorageLevel, ...]  # index 0 = innermost
    arithmetic: ArithmeticLevel
    # spatial fanout of level i to its inner neighbour (level i-1, or the arithmetic units for i = 0)
    fanout_x: tuple[int, ...]
    fanout_y: tuple[int, ...]
    # constraints that come with the architecture itself (v0.4 per-component/container constraints)
    embedded_constraints: tuple[Mapping[str, Any], ...] = ()
    source: str = "<architecture>"

    @property
    def num_levels(self) -> int:
        return len(self.levels)

    def fanout(self, i: int) -> int:
        return self.fanout_x[i] * self.fanout_y[i]

    def level_index(self, name: Any, where: str = "") -> int:
        if isinstance(name, int) and not isinstance(name, bool):
            if 0 <= name < len(self.levels):
                return name
            raise FocusError(f"{where}target level {name} out of range 0..{len(self.levels) - 1}")
        base = split_name(str(name))[0]
        for i, lv in enumerate(self.levels):
            if lv.name == base:
                return i
        names = ", ".join(lv.name for lv in self.levels)
        raise FocusError(f"{where}unknown storage level '{name}' (levels are {names})")

    def with_top_instances(self, k: int) -> Architecture:
        """Set the top-level spatial fanout (instances of the level below the outermost) to k.

        Instance counts of every level below the outermost level are scaled by k / (old count of the
        level just below the top), as FOCUS does by rewriting `ws[0..255]` to `ws[0..k-1]`.
        """
        if len(self.levels) < 2:
            raise FocusError(f"{self.source}: architecture has a single storage level, no top fanout")
        if k < 1:
            raise FocusError(f"workers: {k}, expected a positive integer")
        top = self.levels[-1]
        child = self.levels[-2]
        old = child.instances // top.instances
        if old < 1 or child.instances % top.instances:
            raise FocusError(f"{self.source}: level {child.name} has no whole top-level fanout")
        new_levels = []
        for lv in self.levels[:-1]:
            if lv.instances % old:
                raise FocusError(f"{self.source}: level {lv.name} instances not a multiple of {old}")
            inst = lv.instances // old * k
            # the top fanout is along Y when the child mesh grows along Y, else along X
            if self.fanout_y[-1] > 1 or self.fanout_x[-1] == 1:
                mx, my = lv.mesh_x, inst // lv.mesh_x
            else:
                my, mx = lv.mesh_y, inst // lv.mesh_y
            new_levels.append(_replace(lv, instances=inst, mesh_x=mx, mesh_y=my))
        new_levels.append(top)
        a = self.arithmetic
        if a.instances % old:
            raise FocusError(f"{self.source}: arithmetic instances not a multiple of {old}")
        ainst = a.instances // old * k
        if self.fanout_y[-1] > 1 or self.fanout_x[-1] == 1:
            amx, amy = a.mesh_x, ainst // a.mesh_x
        else:
            amy, amx = a.mesh_y, ainst // a.mesh_y
        arith = ArithmeticLevel(a.name, a.cls, ainst, amx, amy, a.word_bits)
        return build_architecture(new_levels, arith, self.embedded_constraints, self.source)


def _replace(obj: Any, **kw: Any) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **kw)


def build_architecture(levels: Sequence[StorageLevel], arith: ArithmeticLevel,
                       embedded: Sequence[Mapping[str, Any]] = (), source: str = "<architecture>"
                       ) -> Architecture:
    """Compute fanouts (inner mesh / outer mesh) and check that they divide."""
    if not levels:
        raise FocusError(f"{source}: architecture has no storage level")
    fx, fy = [], []
    for i, lv in enumerate(levels):
        inner_x, inner_y = (arith.mesh_x, arith.mesh_y) if i == 0 else (levels[i - 1].mesh_x,
                                                                          levels[i - 1].mesh_y)
        inner_name = arith.name if i == 0 else levels[i - 1].name
        if inner_x % lv.mesh_x or inner_y % lv.mesh_y:
            raise FocusError(
                f"{source}: mesh of {inner_name} ({inner_x}x{inner_y}) is not a multiple of the mesh of "
                f"{lv.name} ({lv.mesh_x}x{lv.mesh_y})"
            )
        fx.append(inner_x // lv.mesh_x)
        fy.append(inner_y // lv.mesh_y)
    return Architecture(tuple(levels), arith, tuple(fx), tuple(fy), tuple(embedded), source)


def _mesh(name: str, attrs: Mapping[str, Any], instances: int, source: str) -> tuple[int, int]:
    mx = attrs.get("meshX")
    my = attrs.get("meshY")
    mx = None if mx is None else _as_int(mx, f"{source}: {name}.meshX")
    my = None if my is None else _as_int(my, f"{source}: {name}.meshY")
    if mx is None and my is None:
        return instances, 1
    if mx is not None and my is not None:
        if mx * my != instances:
            raise FocusError(f"{source}: {name}: meshX*meshY = {mx * my}, expected the instance count {instances}")
        return mx, my
    if mx is not None:
        if mx <= 0 or instances % mx:
            raise FocusError(f"{source}: {name}.meshX = {mx} does not divide its {instances} instances")
        return mx, instances // mx
    if my <= 0 or instances % my:
        raise FocusError(f"{source}: {name}.meshY = {my} does not divide its {instances} instances")
    return instances // my, my


def parse_storage(name: str, cls: str, attrs: Mapping[str, Any], instances: int, source: str) -> StorageLevel:
    """Buffer attributes with Timeloop's aliases and defaults (timeloop-model.md 2.1)."""
    where = f"{source}: {name}"
    if "instances" in attrs:
        instances = _as_int(attrs["instances"], f"{where}.instances")
    if instances <= 0:
        raise FocusError(f"{where}: instances = {instances}, expected a positive integer")
    wb = _first(attrs, "word_bits", "word_width", "datawidth")
    word_bits = 16 if wb is None else _as_int(wb, f"{where}.word_bits")
    if word_bits <= 0:
        raise FocusError(f"{where}: word bits = {word_bits}, expected a positive integer")
    bs = _first(attrs, "block_size", "n_words")
    cs = attrs.get("cluster_size")
    block = 1 if bs is None else _as_int(bs, f"{where}.block_size")
    cluster = 1 if cs is None else _as_int(cs, f"{where}.cluster_size")
    if block <= 0 or cluster <= 0:
        raise FocusError(f"{where}: block size {block} / cluster size {cluster}, expected positive integers")
    width = _first(attrs, "width", "memory_width", "data_storage_width")
    if width is not None:
        width = _as_int(width, f"{where}.width")
        if width % (word_bits * block):
            raise FocusError(
                f"{where}: width {width} is not a multiple of word bits x block size ({word_bits}x{block})"
            )
        if bs is not None and cs is not None:
            if block * word_bits * cluster != width:
                raise FocusError(f"{where}: block size x word bits x cluster size != width ({width})")
        elif cs is not None:
            if width % (cluster * word_bits):
                raise FocusError(f"{where}: width {width} not divisible by cluster size x word bits")
            block = width // cluster // word_bits
        elif bs is not None:
            cluster = width // (word_bits * block)
        else:
            block = width // word_bits
            cluster = 1
        if block <= 0 or cluster <= 0:
            raise FocusError(f"{where}: width {width} too small for word bits {word_bits}")
    size: int | None = None
    if attrs.get("entries") is not None:
        size = _as_int(attrs["entries"], f"{where}.entries")
    else:
        depth = _first(attrs, "depth", "memory_depth", "data_storage_depth")
        if depth is not None:
            size = _as_int(depth, f"{where}.depth") * block
        elif attrs.get("sizeKB") is not None:
            size = int(_as_float(attrs["sizeKB"], f"{where}.sizeKB") * 1024 * 8 // word_bits)
    is_dram = "DRAM" in cls or str(attrs.get("technology", "")) == "DRAM"
    if is_dram:
        size = None
    bw = attrs.get("bandwidth")
    rbw = wbw = None
    if bw is not None:
        rbw = wbw = _as_float(bw, f"{where}.bandwidth") / 2
    if attrs.get("read_bandwidth") is not None:
        rbw = _as_float(attrs["read_bandwidth"], f"{where}.read_bandwidth")
    if attrs.get("write_bandwidth") is not None:
        wbw = _as_float(attrs["write_bandwidth"], f"{where}.write_bandwidth")
    sbw = attrs.get("shared_bandwidth")
    sbw = None if sbw is None else _as_float(sbw, f"{where}.shared_bandwidth")
    mb = attrs.get("multiple_buffering")
    mb = 1.0 if mb is None else _as_float(mb, f"{where}.multiple_buffering")
    mu = attrs.get("min_utilization")
    mu = 0.0 if mu is None else _as_float(mu, f"{where}.min_utilization")
    ports = _first(attrs, "num_ports", "n_ports")
    ports = 2 if ports is None else _as_int(ports, f"{where}.num_ports")
    banks = _first(attrs, "num_banks", "n_banks")
    banks = 2 if banks is None else _as_int(banks, f"{where}.num_banks")
    vae = attrs.get("vector_access_energy")
    vae = None if vae is None else _as_float(vae, f"{where}.vector_access_energy")
    age = attrs.get("addr_gen_energy")
    age = None if age is None else _as_float(age, f"{where}.addr_gen_energy")
    scale_raw = attrs.get("per_dataspace_bandwidth_consumption_scale") or {}
    scale = {str(k): _as_float(v, f"{where}.per_dataspace_bandwidth_consumption_scale")
             for k, v in dict(scale_raw).items()}
    mx, my = _mesh(name, attrs, instances, source)
    nfl = attrs.get("network_fill_latency")
    ndl = attrs.get("network_drain_latency")
    return StorageLevel(
        name=name, cls=cls, instances=instances, mesh_x=mx, mesh_y=my, word_bits=word_bits,
        block_size=block, cluster_size=cluster, size=size, is_dram=is_dram, read_bandwidth=rbw,
        write_bandwidth=wbw, shared_bandwidth=sbw, multiple_buffering=mb, min_utilization=mu,
        num_ports=ports, num_banks=banks, vector_access_energy=vae, addr_gen_energy=age,
        bandwidth_scale=scale,
        network_fill_latency=0 if nfl is None else _as_int(nfl, f"{where}.network_fill_latency"),
        network_drain_latency=0 if ndl is None else _as_int(ndl, f"{where}.network_drain_latency"),
    )


def parse_arithmetic(name: str, cls: str, attrs: Mapping[str, Any], instances: int, source: str
                     ) -> ArithmeticLevel:
    where = f"{source}: {name}"
    if "instances" in attrs:
        instances = _as_int(attrs["instances"], f"{where}.instances")
    wb = _first(attrs, "word_bits", "datawidth")
    word_bits = 16 if wb is None else _as_int(wb, f"{where}.word_bits")
    mx, my = _mesh(name, attrs, instances, source)
    return ArithmeticLevel(name, cls, instances, mx, my, word_bits)


def parse_architecture(doc: Mapping[str, Any], source: str = "<architecture>") -> Architecture:
    """Architecture from a merged Timeloop document (tree, v0.4 nodes or classic form)."""
    arch = doc.get("architecture", doc)
    if not isinstance(arch, dict):
        raise FocusError(f"{source}: 'architecture' must be a mapping")
    variables = dict(doc.get("variables") or {}) if isinstance(doc.get("variables"), dict) else {}
    if "nodes" in arch:
        return _parse_v04_nodes(arch, variables, source)
    if "subtree" in arch:
        return _parse_tree(arch, variables, source)
    if "storage" in arch and "arithmetic" in arch:
        return _parse_classic(arch, source)
    raise FocusError(
        f"{source}: no architecture found (expected 'architecture' with 'subtree', 'nodes' or "
        "'storage'+'arithmetic')"
    )


def _parse_tree(arch: Mapping[str, Any], variables: Mapping[str, Any], source: str) -> Architecture:
    buffers: list[tuple[str, str, dict, int]] = []  # outermost first
    arith: list[tuple[str, str, dict, int]] = []

    def walk(node: Mapping[str, Any], mult: int, inherited: Mapping[str, Any]) -> None:
        attrs = {**inherited, **dict(node.get("attributes") or {})}
        for comp in node.get("local") or []:
            if not isinstance(comp, dict) or "name" not in comp:
                raise FocusError(f"{source}: every local component needs a name, got {comp!r}")
            base, count = split_name(str(comp["name"]))
            cls = str(comp.get("class", ""))
            cattrs = _resolve_attrs({**attrs, **dict(comp.get("attributes") or {})}, variables)
            kind = component_kind(cls)
            if kind == "buffer":
                buffers.append((base, cls, cattrs, mult * count))
            elif kind == "arithmetic":
                arith.append((base, cls, cattrs, mult * count))
        subs = node.get("subtree") or []
        if len(subs) > 1:
            raise FocusError(f"{source}: {len(subs)} subtrees at one level, Timeloop allows exactly one")
        for sub in subs:
            base, count = split_name(str(sub.get("name", "subtree")))
            walk(sub, mult * count, attrs)

    root = {"subtree": arch["subtree"]}
    walk(root, 1, {})
    return _assemble(buffers, arith, (), source)


def _assemble(buffers: list[tuple[str, str, dict, int]], arith: list[tuple[str, str, dict, int]],
              embedded: Sequence[Mapping[str, Any]], source: str) -> Architecture:
    if not arith:
        raise FocusError(f"{source}: no arithmetic (MAC) component found (class containing mac/compute)")
    if len(arith) > 1:
        raise FocusError(f"{source}: {len(arith)} arithmetic components, expected one")
    levels = [parse_storage(n, c, a, i, source) for n, c, a, i in reversed(buffers)]
    names = [lv.name for lv in levels]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise FocusError(f"{source}: duplicate storage level name {sorted(dup)[0]}")
    a = arith[0]
    return build_architecture(levels, parse_arithmetic(a[0], a[1], a[2], a[3], source), embedded, source)


def _parse_classic(arch: Mapping[str, Any], source: str) -> Architecture:
    storage = arch["storage"]
    if not isinstance(storage, list):
        raise FocusError(f"{source}: architecture.storage must be a list")
    levels = []
    for s in storage:
        attrs = dict(s)
        name = split_name(str(attrs.get("name", f"L{len(levels)}")))[0]
        inst = _as_int(attrs.get("instances", 1), f"{source}: {name}.instances")
        levels.append(parse_storage(name, str(attrs.get("class", "storage")), attrs, inst, source))
    a = dict(arch["arithmetic"])
    aname = split_name(str(a.get("name", "MAC")))[0]
    ainst = _as_int(a.get("instances", 1), f"{source}: {aname}.instances")
    return build_architecture(levels, parse_arithmetic(aname, "mac", a, ainst, source), (), source)


def _v04_constraint_text(v: Any) -> Any:
    """v0.4 lists (`[N=1, C=1]`, `[M, C]`) -> the string forms Timeloop parses."""
    if isinstance(v, list):
        if all(isinstance(x, str) and "=" in x for x in v):
            return ",".join(v)
        if all(isinstance(x, str) for x in v):
            return "".join(v)
    return v


def _parse_v04_nodes(arch: Mapping[str, Any], variables: Mapping[str, Any], source: str) -> Architecture:
    buffers: list[tuple[str, str, dict, int]] = []
    arith: list[tuple[str, str, dict, int]] = []
    constraints: list[dict] = []

    state = {"mx": 1, "my": 1}

    def add_constraints(target: str, cons: Mapping[str, Any] | None, spatial_ok: bool) -> None:
        if not cons:
            return
        for key, val in dict(cons).items():
            if not isinstance(val, dict):
                continue
            entry: dict[str, Any] = {"target": target}
            if key == "dataspace":
                entry["type"] = "bypass"
                for k in ("keep", "bypass"):
                    if k in val:
                        entry[k] = list(val[k])
                if "keep" in val and "bypass" not in val:
                    entry["bypass"] = "__REST__"  # timeloopfe: data spaces not kept are bypassed
            elif key in ("temporal", "spatial"):
                if key == "spatial" and not spatial_ok:
                    continue
                entry["type"] = key
                for k in ("factors", "permutation", "split"):
                    if k in val:
                        entry[k] = _v04_constraint_text(val[k])
                if isinstance(entry.get("split"), str):
                    try:
                        entry["split"] = int(entry["split"])
                    except ValueError:
                        entry["split"] = 999  # e.g. len(spec.problem.instance): all dims in X
            else:
                continue
            constraints.append(entry)

    def walk(nodes: Iterable[Any], inherited: Mapping[str, Any]) -> None:
        attrs = dict(inherited)
        for node in nodes:
            if not isinstance(node, dict):
                raise FocusError(f"{source}: architecture node must be a mapping, got {node!r}")
            tag = getattr(node, "tag", "")
            if tag == "Nothing":
                continue
            if tag == "Parallel" or ("nodes" in node and tag != "Container"):
                walk(node.get("nodes") or [], attrs)
                continue
            if tag == "Container" or ("spatial" in node and "class" not in node):
                cname = split_name(str(node.get("name", "container")))[0]
                attrs = {**attrs, **dict(node.get("attributes") or {})}
                sp = dict(node.get("spatial") or {})
                fx = _as_int(sp.get("meshX", 1), f"{source}: {cname}.spatial.meshX")
                fy = _as_int(sp.get("meshY", 1), f"{source}: {cname}.spatial.meshY")
                if fx * fy > 1:
                    dname = f"inter_{cname}_spatial"
                    inst = state["mx"] * state["my"]
                    buffers.append((dname, "dummy_storage",
                                    {"width": 1, "depth": 1, "datawidth": 1, "meshX": state["mx"],
                                     "meshY": state["my"]}, inst))
                    state["mx"] *= fx
                    state["my"] *= fy
                    constraints.append({"target": dname, "type": "bypass", "bypass": "__ALL__"})
                    constraints.append({"target": dname, "type": "temporal", "factors": "__ALL1__"})
                    add_constraints(dname, node.get("constraints"), True)
                if "nodes" in node:
                    walk(node["nodes"], attrs)
                continue
            # component
            cname = split_name(str(node.get("name", "component")))[0]
            cls = str(node.get("class", ""))
            cattrs = _resolve_attrs({**attrs, **dict(node.get("attributes") or {})}, variables)
            inst = state["mx"] * state["my"]
            cattrs.setdefault("meshX", state["mx"])
            cattrs.setdefault("meshY", state["my"])
            kind = component_kind(cls)
            if kind == "buffer":
                buffers.append((cname, cls, cattrs, inst))
                add_constraints(cname, node.get("constraints"), False)
            elif kind == "arithmetic":
                arith.append((cname, cls, cattrs, inst))

    walk(arch["nodes"], {})
    return _assemble(buffers, arith, tuple(constraints), source)


# ---------------------------------------------------------------------------------------------------
# Problem
# ---------------------------------------------------------------------------------------------------


def parse_problem(doc: Mapping[str, Any], source: str = "<problem>") -> Problem:
    """The problem of a merged document; instance keys that are neither dims nor coefficients are ignored."""
    if "problem" not in doc:
        raise FocusError(f"{source}: no 'problem' found (expected problem: {{shape, instance}})")
    prob = normalize_keys(doc["problem"])
    if not isinstance(prob, dict):
        raise FocusError(f"{source}: 'problem' must be a mapping")
    shape = prob.get("shape")
    if isinstance(shape, dict):
        dims = [str(d) for d in shape.get("dimensions") or []]
        coefs = [str(c.get("name")) for c in shape.get("coefficients") or [] if isinstance(c, dict)]
        inst = prob.get("instance")
        if isinstance(inst, dict):
            prob = dict(prob)
            prob["instance"] = {k: v for k, v in inst.items() if k in dims or k in coefs}
    return problem_from_yaml({"problem": prob}, source)


# ---------------------------------------------------------------------------------------------------
# Constraints and mappings
# ---------------------------------------------------------------------------------------------------

_FACTOR_RE = re.compile(r"([A-Za-z]+)\s*(<=|>=|=*)\s*([0-9]+)(?:,([0-9]+)(?![0-9]*\s*[=<>]))?")


def parse_factor_text(text: Any, dims: Sequence[str], where: str
                      ) -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
    """`R=3 P1 C<=4 K>=2` -> (exact, max, min, residual) dicts."""
    exact: dict[str, int] = {}
    mx: dict[str, int] = {}
    mn: dict[str, int] = {}
    res: dict[str, int] = {}
    if text is None:
        return exact, mx, mn, res
    if isinstance(text, list):
        text = ",".join(str(x) for x in text)
    if isinstance(text, dict):
        text = " ".join(f"{k}={v}" for k, v in text.items())
    s = str(text)
    pos = 0
    for m in _FACTOR_RE.finditer(s):
        gap = s[pos:m.start()].strip(" ,\t\n")
        if gap:
            raise FocusError(f"{where}: cannot parse factors '{s}' near '{gap}', expected e.g. 'R=3 P=1'")
        pos = m.end()
        d, op, val, resid = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        if d not in dims:
            raise FocusError(f"{where}: unknown dimension '{d}' in factors '{s}' (dimensions are {', '.join(dims)})")
        if op == "<=":
            mx[d] = val
        elif op == ">=":
            mn[d] = val
        else:
            exact[d] = val
            if resid is not None:
                res[d] = int(resid)
    tail = s[pos:].strip(" ,\t\n")
    if tail:
        raise FocusError(f"{where}: cannot parse factors '{s}' near '{tail}', expected e.g. 'R=3 P=1'")
    return exact, mx, mn, res


def parse_permutation_text(text: Any, dims: Sequence[str], where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Permutation (innermost first) -> (prefix, suffix); `_` separates them, otherwise all is prefix."""
    if text is None:
        return (), ()
    if isinstance(text, list):
        text = "".join(str(x) for x in text)
    s = re.sub(r"\s+", "", str(text))
    if "_" in s:
        pre, _, suf = s.partition("_")
    else:
        pre, suf = s, ""
    for ch in pre + suf:
        if ch not in dims:
            raise FocusError(f"{where}: unknown dimension '{ch}' in permutation '{text}' (dimensions are {', '.join(dims)})")
    seen = pre + suf
    if len(set(seen)) != len(seen):
        raise FocusError(f"{where}: repeated dimension in permutation '{text}'")
    return tuple(pre), tuple(suf)


@dataclass
class LoopConstraint:
    """Constraints of one tiling level (temporal or spatial) of one storage level."""

    exact: dict[str, int] = field(default_factory=dict)
    max: dict[str, int] = field(default_factory=dict)
    min: dict[str, int] = field(default_factory=dict)
    prefix: tuple[str, ...] = ()  # permutation pinned innermost (in order)
    suffix: tuple[str, ...] = ()  # permutation pinned outermost (in order)
    has_permutation: bool = False
    split: int | None = None


@dataclass
class LevelConstraints:
    temporal: LoopConstraint = field(default_factory=LoopConstraint)
    spatial: LoopConstraint = field(default_factory=LoopConstraint)
    keep: set[str] = field(default_factory=set)
    bypass: set[str] = field(default_factory=set)


@dataclass
class Constraints:
    levels: list[LevelConstraints]
    min_utilization: float = 0.0
    source: str = "<constraints>"
    # dims whose 'D=0' (full bound) spatial constraint FOCUS meant as "split D here" (see api.py)
    zero_as_free: set[tuple[int, str]] = field(default_factory=set)

    def describe(self, arch: Architecture) -> str:
        out = []
        for i, lc in enumerate(self.levels):
            bits = []
            for kind, c in (("T", lc.temporal), ("S", lc.spatial)):
                if c.exact or c.max or c.min or c.has_permutation or c.split is not None:
                    bits.append(f"{kind}{c.exact}{'max' + str(c.max) if c.max else ''}"
                                f"{'perm' + ''.join(c.prefix) + '_' + ''.join(c.suffix) if c.has_permutation else ''}")
            if lc.keep or lc.bypass:
                bits.append(f"keep{sorted(lc.keep)} bypass{sorted(lc.bypass)}")
            if bits:
                out.append(f"{arch.levels[i].name}: {' '.join(bits)}")
        return "; ".join(out)


def _constraint_lists(doc: Mapping[str, Any], keys: Sequence[str]) -> list[tuple[str, list]]:
    out = []
    for key in keys:
        node = doc.get(key)
        if node is None:
            continue
        if isinstance(node, list):
            out.append((key, node))
        elif isinstance(node, dict):
            for sub in ("targets", "constraints"):
                if isinstance(node.get(sub), list):
                    out.append((key, node[sub]))
                    break
    return out


def parse_constraints(doc: Mapping[str, Any], arch: Architecture, problem: Problem,
                      source: str = "<constraints>") -> Constraints:
    """Architecture + mapspace constraints (and those embedded in a v0.4 architecture)."""
    dims = list(problem.dims)
    spaces = [ds.name for ds in problem.data_spaces]
    cons = Constraints([LevelConstraints() for _ in arch.levels], source=source)
    seen: dict[tuple[int, str, str], str] = {}
    groups = [("architecture", list(arch.embedded_constraints))]
    groups += _constraint_lists(doc, ["architecture_constraints", "mapspace_constraints", "mapspace"])
    for group_name, items in groups:
        flat: list[Mapping[str, Any]] = []
        for item in items:
            if not isinstance(item, dict):
                raise FocusError(f"{source}: {group_name}: constraint must be a mapping, got {item!r}")
            if isinstance(item.get("constraints"), list):
                for c in item["constraints"]:
                    flat.append({**{k: v for k, v in item.items() if k != "constraints"}, **dict(c)})
            else:
                flat.append(item)
        for c in flat:
            _apply_constraint(c, cons, arch, dims, spaces, seen, f"{source}: {group_name}")
    return cons


def _apply_constraint(c: Mapping[str, Any], cons: Constraints, arch: Architecture, dims: list[str],
                      spaces: list[str], seen: dict, where: str) -> None:
    ctype = str(c.get("type", ""))
    target = c.get("target", c.get("name"))
    if target is None:
        raise FocusError(f"{where}: constraint without a target: {dict(c)!r}")
    lvl = arch.level_index(target, f"{where}: ")
    lname = arch.levels[lvl].name
    lc = cons.levels[lvl]
    attrs = dict(c.get("attributes") or c)
    for key in ("no_multicast_no_reduction", "no_link_transfer", "no_reuse", "no_temporal_reuse",
                "rmw_first_update", "no_coalesce", "remainders", "skew"):
        if attrs.get(key):
            raise FocusError(f"{where}: '{key}' at {lname} is not supported by this model "
                             "(dense Timeloop semantics without per-directive modifiers)")
    if ctype in ("temporal", "spatial"):
        if ctype == "spatial" and arch.fanout(lvl) == 1:
            raise FocusError(f"{where}: spatial constraint on {lname}, which has no spatial fanout")
        lp = lc.temporal if ctype == "temporal" else lc.spatial
        ftext = attrs.get("factors")
        if ftext == "__ALL1__":
            ftext = " ".join(f"{d}=1" for d in dims)
        exact, mx, mn, _ = parse_factor_text(ftext, dims, f"{where}: {lname} {ctype} factors")
        for d, v in exact.items():
            key = (lvl, ctype, "f" + d)
            if key in seen:
                raise FocusError(f"{where}: factor of {d} at {lname} ({ctype}) specified twice")
            seen[key] = where
            lp.exact[d] = v
        for d, v in mx.items():
            lp.max[d] = v
        for d, v in mn.items():
            lp.min[d] = v
        if "default_max_factor" in attrs:
            dm = _as_int(attrs["default_max_factor"], f"{where}: default_max_factor")
            for d in dims:
                if d not in lp.exact and d not in lp.max:
                    lp.max[d] = dm
        if "default_min_factor" in attrs:
            dm = _as_int(attrs["default_min_factor"], f"{where}: default_min_factor")
            for d in dims:
                if d not in lp.exact and d not in lp.min:
                    lp.min[d] = dm
        if attrs.get("permutation") is not None:
            key = (lvl, ctype, "perm")
            if key in seen:
                raise FocusError(f"{where}: permutation at {lname} ({ctype}) specified twice")
            seen[key] = where
            lp.prefix, lp.suffix = parse_permutation_text(attrs["permutation"], dims,
                                                          f"{where}: {lname} {ctype}")
            lp.has_permutation = True
        if ctype == "spatial" and attrs.get("split") is not None:
            lp.split = _as_int(attrs["split"], f"{where}: {lname} split")
    elif ctype in ("datatype", "bypass", "bypassing", "dataspace"):
        keep = attrs.get("keep") or []
        byp = attrs.get("bypass") or []
        if byp == "__ALL__":
            byp = list(spaces)
        elif byp == "__REST__":
            byp = [s for s in spaces if s not in keep]
        for name, dest, other in (("keep", keep, lc.bypass), ("bypass", byp, lc.keep)):
            for s in dest:
                if s not in spaces:
                    raise FocusError(f"{where}: {name} of unknown data space '{s}' at {lname} "
                                     f"(data spaces are {', '.join(spaces)})")
                if lvl != arch.num_levels - 1 and (s in lc.keep or s in lc.bypass):
                    raise FocusError(f"{where}: keep/bypass of {s} at {lname} specified twice")
                (lc.keep if name == "keep" else lc.bypass).add(s)
    elif ctype in ("utilization", "parallelism"):
        if lvl != 0:
            raise FocusError(f"{where}: utilization constraint on {lname}, only allowed on the innermost level")
        cons.min_utilization = _as_float(attrs.get("min", 0), f"{where}: utilization min")
    elif ctype == "max_overbooked_proportion":
        pass  # only affects sparse/overbooking analysis, not the dense model
    elif ctype in ("no_link_transfer", "no_multicast", "no_reduction", "no_multicast_no_reduction"):
        raise FocusError(f"{where}: constraint type '{ctype}' at {lname} is not supported by this model")
    else:
        raise FocusError(f"{where}: unknown constraint type '{ctype}' (temporal, spatial, bypass, utilization)")


@dataclass(frozen=True)
class LevelMapping:
    """Loops of one storage level. Permutations list every dim, innermost first."""

    temporal: Mapping[str, int]
    temporal_perm: tuple[str, ...]
    spatial: Mapping[str, int]
    spatial_perm: tuple[str, ...]
    split: int
    keep: frozenset[str]


@dataclass(frozen=True)
class TileMapping:
    levels: tuple[LevelMapping, ...]  # index 0 = innermost storage level

    def factor_product(self, d: str) -> int:
        p = 1
        for lm in self.levels:
            p *= lm.temporal.get(d, 1) * lm.spatial.get(d, 1)
        return p


def _full_perm(prefix: Sequence[str], dims: Sequence[str]) -> tuple[str, ...]:
    return tuple(prefix) + tuple(d for d in dims if d not in prefix)


def parse_mapping(doc: Mapping[str, Any], arch: Architecture, problem: Problem, source: str = "<mapping>"
                  ) -> TileMapping:
    """A `mapping:` list (timeloop-model input or a mapper's *.map.yaml)."""
    node = doc.get("mapping")
    if isinstance(node, dict) and isinstance(node.get("targets"), list):
        node = node["targets"]
    if not isinstance(node, list) or not node:
        raise FocusError(f"{source}: no mapping found (expected a non-empty 'mapping:' list)")
    dims = list(problem.dims)
    spaces = [ds.name for ds in problem.data_spaces]
    n = arch.num_levels
    temporal: list[dict[str, int]] = [dict() for _ in range(n)]
    tperm: list[tuple[str, ...] | None] = [None] * n
    spatial: list[dict[str, int]] = [dict() for _ in range(n)]
    sperm: list[tuple[str, ...] | None] = [None] * n
    split: list[int | None] = [None] * n
    keep: list[set[str]] = [set(spaces) for _ in range(n)]
    for entry in node:
        if not isinstance(entry, dict):
            raise FocusError(f"{source}: mapping entry must be a mapping, got {entry!r}")
        ctype = str(entry.get("type", ""))
        target = entry.get("target", entry.get("name"))
        if target is None:
            raise FocusError(f"{source}: mapping entry without a target: {dict(entry)!r}")
        lvl = arch.level_index(target, f"{source}: ")
        lname = arch.levels[lvl].name
        if ctype in ("temporal", "spatial"):
            exact, mx, mn, res = parse_factor_text(entry.get("factors"), dims, f"{source}: {lname} {ctype}")
            if mx or mn:
                raise FocusError(f"{source}: {lname} {ctype}: a mapping needs exact factors, got <=/>=")
            if res:
                d = next(iter(res))
                raise FocusError(f"{source}: {lname} {ctype}: imperfect factor {d}={exact[d]},{res[d]} "
                                 "is not supported, expected perfect factors")
            for d, v in exact.items():
                if v <= 0:
                    raise FocusError(f"{source}: {lname} {ctype}: factor {d}={v}, expected a positive integer")
            pre, suf = parse_permutation_text(entry.get("permutation"), dims, f"{source}: {lname} {ctype}")
            perm = _full_perm(pre + suf, dims)
            if ctype == "temporal":
                temporal[lvl] = exact
                tperm[lvl] = perm
            else:
                if arch.fanout(lvl) == 1 and any(v > 1 for v in exact.values()):
                    raise FocusError(f"{source}: spatial factors at {lname}, which has no spatial fanout")
                spatial[lvl] = exact
                sperm[lvl] = perm
                if entry.get("split") is not None:
                    split[lvl] = _as_int(entry["split"], f"{source}: {lname} split")
        elif ctype in ("datatype", "bypass", "bypassing", "dataspace"):
            for s in entry.get("keep") or []:
                if s not in spaces:
                    raise FocusError(f"{source}: keep of unknown data space '{s}' at {lname}")
                keep[lvl].add(s)
            for s in entry.get("bypass") or []:
                if s not in spaces:
                    raise FocusError(f"{source}: bypass of unknown data space '{s}' at {lname}")
                keep[lvl].discard(s)
        else:
            raise FocusError(f"{source}: unknown mapping entry type '{ctype}' at {lname} "
                             "(temporal, spatial, datatype/bypass)")
    levels = []
    for i in range(n):
        t = {d: temporal[i].get(d, 1) for d in dims}
        s = {d: spatial[i].get(d, 1) for d in dims}
        levels.append(LevelMapping(
            temporal=t, temporal_perm=tperm[i] or tuple(dims), spatial=s,
            spatial_perm=sperm[i] or tuple(dims),
            split=len(dims) if split[i] is None else split[i], keep=frozenset(keep[i])))
    mapping = TileMapping(tuple(levels))
    check_mapping_bounds(mapping, problem, source)
    return mapping


def check_mapping_bounds(mapping: TileMapping, problem: Problem, source: str) -> None:
    for d in problem.dims:
        p = mapping.factor_product(d)
        if p != problem.bounds[d]:
            raise FocusError(
                f"{source}: factors of {d} multiply to {p}, expected the problem bound {problem.bounds[d]}"
            )


_MAPTXT_LEVEL = re.compile(r"^([A-Za-z_][\w\-\.]*)\s*\[(.*)\]\s*$")
_MAPTXT_LOOP = re.compile(r"^\|\s*for\s+([A-Za-z]+)\s+in\s+\[(\d+):(\d+)\)(?:,\d+)?\s*(\(Spatial-([XY])\))?")


def parse_map_txt(text: str, arch: Architecture, problem: Problem, source: str = "<map.txt>") -> TileMapping:
    """Timeloop's `*.map.txt` (outer -> inner; spatial loops printed under the level they belong to)."""
    dims = list(problem.dims)
    spaces = [ds.name for ds in problem.data_spaces]
    n = arch.num_levels
    per_level: dict[int, list[tuple[str, int, str]]] = {i: [] for i in range(n)}
    keep: dict[int, set[str]] = {i: set() for i in range(n)}
    seen_levels: list[int] = []
    cur: int | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("---") or "<< Compute >>" in line:
            continue
        m = _MAPTXT_LEVEL.match(line)
        if m and not line.startswith("|"):
            cur = arch.level_index(m.group(1), f"{source}: ")
            seen_levels.append(cur)
            for tok in re.findall(r"([A-Za-z_]\w*):\d+", m.group(2)):
                if tok not in spaces:
                    raise FocusError(f"{source}: unknown data space '{tok}' at level {m.group(1)}")
                keep[cur].add(tok)
            continue
        lm = _MAPTXT_LOOP.match(line)
        if lm:
            if cur is None:
                raise FocusError(f"{source}: loop before any level header: '{line}'")
            d = lm.group(1)
            if d not in dims:
                raise FocusError(f"{source}: unknown dimension '{d}' in '{line}'")
            if int(lm.group(2)) != 0:
                raise FocusError(f"{source}: loop '{line}' does not start at 0")
            per_level[cur].append((d, int(lm.group(3)), lm.group(5) or "T"))
            continue
        raise FocusError(f"{source}: cannot parse line '{line}'")
    if not seen_levels:
        raise FocusError(f"{source}: no storage level found in map.txt")
    levels = []
    for i in range(n):
        loops = per_level[i]
        t = {d: 1 for d in dims}
        s = {d: 1 for d in dims}
        tp = [d for d, f, k in reversed(loops) if k == "T"]  # innermost first
        sx = [d for d, f, k in reversed(loops) if k == "X"]
        sy = [d for d, f, k in reversed(loops) if k == "Y"]
        for d, f, k in loops:
            tgt = t if k == "T" else s
            if tgt[d] != 1:
                raise FocusError(f"{source}: dimension {d} appears twice in one loop block of {arch.levels[i].name}")
            tgt[d] = f
        spatial_perm = tuple(sx + sy) + tuple(d for d in dims if d not in sx and d not in sy)
        levels.append(LevelMapping(
            temporal=t, temporal_perm=_full_perm(tp, dims), spatial=s, spatial_perm=spatial_perm,
            split=len(sx), keep=frozenset(keep[i]) if i in seen_levels else frozenset(spaces)))
    mapping = TileMapping(tuple(levels))
    check_mapping_bounds(mapping, problem, source)
    return mapping


# ---------------------------------------------------------------------------------------------------
# Energy reference tables
# ---------------------------------------------------------------------------------------------------


def load_ert(doc: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """`ERT: {tables: [{name: a.b.Buf[0..3], actions: [...]}]}` -> {component: {action: pJ (max over args)}}."""
    node = doc.get("ERT", doc)
    tables = node.get("tables") if isinstance(node, dict) else None
    if not isinstance(tables, list):
        return {}
    out: dict[str, dict[str, float]] = {}
    for t in tables:
        if not isinstance(t, dict):
            continue
        comp = re.sub(r"\[\d+\.\.\d+\]", "", str(t.get("name", ""))).split(".")[-1]
        acts = out.setdefault(comp, {})
        for a in t.get("actions") or []:
            if not isinstance(a, dict):
                continue
            name = str(a.get("name"))
            e = a.get("energy")
            if e is None and isinstance(a.get("arguments"), list):
                vals = [x.get("energy") for x in a["arguments"] if isinstance(x, dict)]
                vals = [float(v) for v in vals if v is not None]
                e = max(vals) if vals else None
            if e is None:
                continue
            acts[name] = max(float(e), acts.get(name, float("-inf")))
    return out


def load_art(doc: Mapping[str, Any]) -> dict[str, float]:
    """`ART: {tables: [{name: a.b.Buf[0..3], area: um^2}]}` -> {component: area of one instance, um^2}."""
    node = doc.get("ART", doc)
    tables = node.get("tables") if isinstance(node, dict) else None
    out: dict[str, float] = {}
    for t in tables if isinstance(tables, list) else []:
        if isinstance(t, dict) and t.get("area") is not None:
            comp = re.sub(r"\[\d+\.\.\d+\]", "", str(t.get("name", ""))).split(".")[-1]
            out[comp] = float(t["area"])
    return out


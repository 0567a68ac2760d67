"""The device model as data: one frozen `Device`, built from presets, our architecture YAML or a Timeloop arch.

A device is a `width x height` mesh of PEs (x = column from the west, y = row from the north). Memory PEs
reach off-chip DRAM (DOJO-like: only edge PEs do). Presets:

* `focus` (default): every PE on the mesh boundary is a memory PE, and memory PEs may also compute;
* `focus-original`: the original FOCUS layout (`TaskCompiler._gen_physical_layout`): two PEs at the middle
  of each edge plus the four 'test' PEs with linear ids 0, 1, n-2, n-1; memory PEs do not compute.

Per-PE compute and buffers default to the Simba-like core of the original FOCUS
(`database/arch/simba_512gops_256core.yaml`: 16 PEs x 16 MACs = 256 MAC/cycle, GlobalBuffer 128 KiB, ...).
`load_device()` reads our own `device:` YAML (docs/frontend.md) or a Timeloop architecture (v0.3
`subtree`/`local`, v0.4 `nodes`), where one instance of the top-level fanout below the outermost memory
(FOCUS's `ws[0..255]`) is one mesh PE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from focus_tools.errors import FocusError

if TYPE_CHECKING:  # pragma: no cover
    from focus_dialects.chip import DeviceOp

PE = tuple[int, int]
PRESETS = ("focus", "focus-original")
DEFAULT_MESH = (8, 8)


@dataclass(frozen=True)
class Buffer:
    """One on-PE buffer level: `instances` copies per mesh PE of `bytes` each (depth x width)."""

    name: str
    instances: int
    bytes: int
    word_bits: int = 8

    @property
    def total_bytes(self) -> int:
        return self.instances * self.bytes


# The Simba-like core of the original FOCUS arch (simba_512gops_256core.yaml, one `ws`), outermost first,
# as Timeloop reads it (capacity = depth x block words; bytes = depth x width / 8).
SIMBA_BUFFERS: tuple[Buffer, ...] = (
    Buffer("GlobalBuffer", 1, 131072, 8),
    Buffer("PEInputBuffer", 16, 8192, 8),
    Buffer("PEWeightBuffer", 64, 8192, 8),
    Buffer("PEAccuBuffer", 64, 48, 24),
    Buffer("PEWeightRegs", 256, 64, 8),
)
SIMBA_MACS = 256


def edge_memory_pes(width: int, height: int) -> tuple[PE, ...]:
    """DOJO-like: every PE on the mesh boundary reaches memory (in linear-id order)."""
    return tuple((x, y) for y in range(height) for x in range(width)
                 if x in (0, width - 1) or y in (0, height - 1))


def original_memory_pes(width: int, height: int) -> tuple[PE, ...]:
    """The original FOCUS layout, generalised to width x height (equal to it for a square d x d mesh).

    Two PEs at the middle of each edge (`D//2`, `D//2 + 1` along it, D = side - 1) plus the four 'test'
    PEs with linear ids 0, 1, n-2 and n-1; in linear-id order, duplicates removed.
    """
    if width < 2 or height < 2:
        raise FocusError(f"focus-original memory layout: mesh {width}x{height}, expected both sides >= 2")
    mx, my = (width - 1) // 2, (height - 1) // 2
    pts = {
        (mx, 0), (mx + 1, 0),                                  # north edge
        (0, my), (0, my + 1),                                  # west edge
        (width - 1, my), (width - 1, my + 1),                  # east edge
        (mx, height - 1), (mx + 1, height - 1),                # south edge
    }
    n = width * height
    for i in (0, 1, n - 2, n - 1):                             # the 'test' PEs
        pts.add((i % width, i // width))
    return tuple(sorted((p for p in pts if p[0] < width and p[1] < height), key=lambda p: (p[1], p[0])))


def memory_layout(layout: str, width: int, height: int) -> tuple[PE, ...]:
    if layout == "edge":
        return edge_memory_pes(width, height)
    if layout == "original":
        return original_memory_pes(width, height)
    raise FocusError(f"memory layout '{layout}' is unknown (valid: edge, original, or a list of [x, y])")


_PRESET_LAYOUT = {"focus": ("edge", True), "focus-original": ("original", False)}


def parse_mesh(text: Any, where: str = "mesh") -> tuple[int, int]:
    """`8x8`, `16 x 4`, `[8, 8]` or `{width: 8, height: 8}` -> (width, height)."""
    w = h = None
    if isinstance(text, str):
        parts = text.lower().replace(" ", "").split("x")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            w, h = int(parts[0]), int(parts[1])
    elif isinstance(text, (list, tuple)) and len(text) == 2:
        w, h = text
    elif isinstance(text, Mapping):
        w, h = text.get("width"), text.get("height")
    elif isinstance(text, int) and not isinstance(text, bool):
        w = h = text
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (w, h)) or w < 1 or h < 1:  # type: ignore[operator]
        raise FocusError(f"{where}: {text!r}, expected WIDTHxHEIGHT with positive integers, e.g. 8x8")
    return int(w), int(h)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Device:
    """A mesh of PEs with its memory PEs, links, routers, per-PE compute and buffers, and DRAM."""

    name: str = "focus"
    width: int = DEFAULT_MESH[0]
    height: int = DEFAULT_MESH[1]
    memory_pes: tuple[PE, ...] | None = None  # None: from `memory_layout`
    memory_layout: str = "edge"  # edge | original | custom (memory_pes given explicitly)
    memory_compute: bool = True
    preset: str = "focus"
    word_bits: int = 8
    link_bits: int = 1024
    flit_bits: int = 1024
    num_vcs: int = 4
    vc_buf_flits: int = 4
    injection_queue: int = 16
    router_delay: int = 1  # router pipeline cycles per hop
    link_delay: int = 1  # link traversal cycles per hop
    macs_per_cycle: int = SIMBA_MACS
    buffers: tuple[Buffer, ...] = SIMBA_BUFFERS
    dram_bytes_per_cycle: float = 64.0  # per memory PE
    dram_latency: int = 100  # cycles, per memory PE
    source: str = field(default="<default>", compare=False)

    def __post_init__(self) -> None:
        where = f"{self.source}: device"
        for f in ("width", "height", "word_bits", "link_bits", "flit_bits", "num_vcs", "vc_buf_flits",
                  "injection_queue", "macs_per_cycle", "dram_latency"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise FocusError(f"{where} {f} = {v!r}, expected a positive integer")
        for f in ("router_delay", "link_delay"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise FocusError(f"{where} {f} = {v!r}, expected an integer >= 0")
        if not isinstance(self.dram_bytes_per_cycle, (int, float)) or self.dram_bytes_per_cycle <= 0:
            raise FocusError(f"{where} dram_bytes_per_cycle = {self.dram_bytes_per_cycle!r}, expected a positive number")
        object.__setattr__(self, "dram_bytes_per_cycle", float(self.dram_bytes_per_cycle))
        if self.preset not in PRESETS:
            raise FocusError(f"{where} preset '{self.preset}' is unknown (valid: {', '.join(PRESETS)})")
        if self.memory_pes is None:
            object.__setattr__(self, "memory_pes", memory_layout(self.memory_layout, self.width, self.height))
        else:
            object.__setattr__(self, "memory_pes", tuple((int(x), int(y)) for x, y in self.memory_pes))
        seen: set[PE] = set()
        for p in self.memory_pes:  # type: ignore[union-attr]
            if not (0 <= p[0] < self.width and 0 <= p[1] < self.height):
                raise FocusError(f"{where} memory PE {list(p)} is outside the {self.width}x{self.height} mesh")
            if p in seen:
                raise FocusError(f"{where} memory PE {list(p)} is listed twice")
            seen.add(p)
        if not self.memory_pes:
            raise FocusError(f"{where} has no memory PE; at least one PE must reach off-chip memory")
        if not self.compute_pes:
            raise FocusError(f"{where} has no PE that can compute (every PE is a memory PE and "
                             "memory_compute is false)")
        for b in self.buffers:
            if b.instances < 1 or b.bytes < 1 or b.word_bits < 1:
                raise FocusError(f"{where} buffer {b.name}: instances {b.instances}, bytes {b.bytes}, word bits "
                                 f"{b.word_bits}, expected positive integers")

    # ---- derived ---------------------------------------------------------------------------------
    @property
    def mesh(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def pe_count(self) -> int:
        return self.width * self.height

    @property
    def compute_pes(self) -> tuple[PE, ...]:
        """PEs that may run workers (all of them when memory PEs compute)."""
        mem = set(self.memory_pes or ())
        return tuple((x, y) for y in range(self.height) for x in range(self.width)
                     if self.memory_compute or (x, y) not in mem)

    @property
    def pe_buffer_bytes(self) -> int:
        """Capacity of the outermost on-PE buffer level (all its instances), what a worker's tiles use."""
        return self.buffers[0].total_bytes if self.buffers else 131072

    # ---- constructors ----------------------------------------------------------------------------
    @classmethod
    def for_mesh(cls, width: int, height: int, preset: str = "focus", **overrides: Any) -> Device:
        """A preset device on a width x height mesh (memory layout and memory compute from the preset)."""
        if preset not in PRESETS:
            raise FocusError(f"device preset '{preset}' is unknown (valid: {', '.join(PRESETS)})")
        layout, compute = _PRESET_LAYOUT[preset]
        args: dict[str, Any] = dict(name=preset, width=width, height=height, memory_layout=layout,
                                    memory_compute=compute, preset=preset)
        args.update(overrides)
        return cls(**args)

    def with_mesh(self, width: int, height: int) -> Device:
        """The same device on another mesh (a preset memory layout is recomputed; a custom one must fit)."""
        pes = self.memory_pes if self.memory_layout == "custom" else None
        return replace(self, width=width, height=height, memory_pes=pes)

    # ---- IR --------------------------------------------------------------------------------------
    def to_op(self) -> DeviceOp:
        """The `chip.device` op (fields the op has no property for are extra attributes)."""
        from xdsl.dialects.builtin import ArrayAttr, IntegerAttr, StringAttr

        from focus_dialects.chip import DeviceOp

        op = DeviceOp(
            _symbol(self.name), self.width, self.height, list(self.memory_pes or ()),
            link_bits=self.link_bits, flit_bits=self.flit_bits, word_bits=self.word_bits,
            macs_per_cycle=self.macs_per_cycle, num_vcs=self.num_vcs, vc_buf_flits=self.vc_buf_flits,
            injection_queue=self.injection_queue, dram_bytes_per_cycle=self.dram_bytes_per_cycle,
            dram_latency=self.dram_latency, memory_compute=self.memory_compute,
            pe_buffer_bytes=self.pe_buffer_bytes,
        )
        i64 = lambda v: IntegerAttr(v, 64)
        op.attributes["preset"] = StringAttr(self.preset)
        op.attributes["memory_layout"] = StringAttr(self.memory_layout)
        op.attributes["router_delay"] = i64(self.router_delay)
        op.attributes["link_delay"] = i64(self.link_delay)
        op.attributes["buffers"] = ArrayAttr([
            ArrayAttr([StringAttr(b.name), i64(b.instances), i64(b.bytes), i64(b.word_bits)]) for b in self.buffers
        ])
        return op

    @classmethod
    def from_op(cls, op: DeviceOp) -> Device:
        """Rebuild the Device of a `chip.device` op (missing extra attributes take their defaults)."""
        from xdsl.dialects.builtin import ArrayAttr, IntegerAttr, StringAttr

        def ival(name: str, default: int) -> int:
            a = op.attributes.get(name)
            return a.value.data if isinstance(a, IntegerAttr) else default

        def sval(name: str, default: str) -> str:
            a = op.attributes.get(name)
            return a.data if isinstance(a, StringAttr) else default

        buffers: tuple[Buffer, ...] = ()
        battr = op.attributes.get("buffers")
        if isinstance(battr, ArrayAttr):
            out = []
            for b in battr.data:
                f = b.data  # type: ignore[attr-defined]
                out.append(Buffer(f[0].data, f[1].value.data, f[2].value.data, f[3].value.data))
            buffers = tuple(out)
        else:
            pb = op.pe_buffer_bytes.value.data if op.pe_buffer_bytes is not None else 131072
            buffers = (Buffer("PEBuffer", 1, pb, op.word_bits.value.data),)
        layout = sval("memory_layout", "custom")
        w, h = op.mesh
        return cls(
            name=op.sym_name.data, width=w, height=h, memory_pes=tuple(op.memory),
            memory_layout=layout, memory_compute=op.memory_compute is not None,
            preset=sval("preset", "focus"), word_bits=op.word_bits.value.data,
            link_bits=op.link_bits.value.data, flit_bits=op.flit_bits.value.data,
            num_vcs=op.num_vcs.value.data, vc_buf_flits=op.vc_buf_flits.value.data,
            injection_queue=op.injection_queue.value.data, router_delay=ival("router_delay", 1),
            link_delay=ival("link_delay", 1), macs_per_cycle=op.macs_per_cycle.value.data, buffers=buffers,
            dram_bytes_per_cycle=op.dram_bytes_per_cycle.value.data, dram_latency=op.dram_latency.value.data,
            source=f"chip.device @{op.sym_name.data}",
        )

    def to_yaml_dict(self) -> dict[str, Any]:
        """Our own architecture format (docs/frontend.md) describing this device."""
        d: dict[str, Any] = {
            "name": self.name, "preset": self.preset, "mesh": f"{self.width}x{self.height}",
            "memory-pes": self.memory_layout if self.memory_layout != "custom"
            else [list(p) for p in self.memory_pes or ()],
            "memory-compute": self.memory_compute, "word-bits": self.word_bits,
            "link-bits": self.link_bits, "flit-bits": self.flit_bits,
            "router": {"vcs": self.num_vcs, "vc-buffer-flits": self.vc_buf_flits,
                       "injection-queue": self.injection_queue, "pipeline-delay": self.router_delay,
                       "link-delay": self.link_delay},
            "pe": {"macs-per-cycle": self.macs_per_cycle,
                   "buffers": [{"name": b.name, "instances": b.instances, "bytes": b.bytes,
                                "word-bits": b.word_bits} for b in self.buffers]},
            "dram": {"bytes-per-cycle": self.dram_bytes_per_cycle, "latency": self.dram_latency},
        }
        return {"device": d}


def _symbol(name: str) -> str:
    return name or "device"


DEFAULT_DEVICE = Device()


# ---- reading architecture files -------------------------------------------------------------------------
def _norm_key(k: Any) -> str:
    return str(k).replace("_", "-")


def _int(v: Any, where: str, minimum: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise FocusError(f"{where}: {v!r}, expected an integer >= {minimum}")
    return v


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
        raise FocusError(f"{where}: {v!r}, expected a positive number")
    return float(v)


def _check_keys(node: Mapping[str, Any], valid: tuple[str, ...], where: str) -> dict[str, Any]:
    out = {}
    for k, v in node.items():
        nk = _norm_key(k)
        if nk not in valid:
            raise FocusError(f"{where}: unknown key '{k}' (valid: {', '.join(valid)})")
        out[nk] = v
    return out


def timeloop_pe(doc: Mapping[str, Any], source: str) -> tuple[int, tuple[Buffer, ...], int]:
    """(MACs per cycle, buffers, word bits) of one mesh PE of a Timeloop architecture document.

    One mesh PE = one instance of the fanout from the outermost memory to the next storage level
    (FOCUS's `ws[0..K-1]`); without such a fanout the whole architecture is one PE.
    """
    from frontend.timeloop_yaml import jinja_missing
    from passes.timeloop.spec import parse_architecture

    try:
        arch = parse_architecture(doc, source)
    except FocusError as exc:
        missing = jinja_missing(doc)
        if missing:
            raise FocusError(f"{exc} (Jinja variables without a value: {', '.join(missing)})") from None
        raise
    levels = list(arch.levels)  # innermost first
    fanout = levels[-2].instances // levels[-1].instances if len(levels) >= 2 else 1
    fanout = max(1, fanout)
    macs = max(1, arch.arithmetic.instances // fanout)
    buffers = []
    on_pe = levels[:-1] if len(levels) > 1 else levels  # a single level is the PE's own buffer
    for lv in reversed(on_pe):  # outermost on-PE level first; the outermost level is off-chip
        if lv.size is None or "dummy" in lv.cls:
            continue
        per_pe = max(1, lv.instances // fanout)
        nbytes = max(1, lv.size * lv.cluster_size * lv.word_bits // 8)
        buffers.append(Buffer(lv.name, per_pe, nbytes, lv.word_bits))
    return macs, tuple(buffers), arch.arithmetic.word_bits


def device_from_timeloop(doc: Mapping[str, Any], source: str, base: Device = DEFAULT_DEVICE) -> Device:
    """`base` with the per-PE compute and buffers of a Timeloop architecture."""
    macs, buffers, _ = timeloop_pe(doc, source)
    return replace(base, macs_per_cycle=macs, buffers=buffers, source=source)


_DEVICE_KEYS = ("name", "preset", "mesh", "memory-pes", "memory-compute", "word-bits", "link-bits",
                "flit-bits", "router", "pe", "dram")
_ROUTER_KEYS = ("vcs", "vc-buffer-flits", "injection-queue", "pipeline-delay", "link-delay")
_PE_KEYS = ("timeloop-arch", "macs-per-cycle", "buffers")
_DRAM_KEYS = ("bytes-per-cycle", "latency")
_BUFFER_KEYS = ("name", "bytes", "instances", "word-bits")


def device_from_yaml(data: Mapping[str, Any], source: str, base_dir: Path | None = None) -> Device:
    """Our own architecture format: a top-level `device:` mapping (docs/frontend.md)."""
    from frontend.timeloop_yaml import line_of

    node = data.get("device") if "device" in data else data
    if not isinstance(node, Mapping):
        raise FocusError(f"{source}: 'device' must be a mapping of device settings")
    where = f"{source}:{line_of(node, 1)}"
    d = _check_keys(node, _DEVICE_KEYS, where)
    preset = d.get("preset", "focus")
    if preset not in PRESETS:
        raise FocusError(f"{where}: preset '{preset}' is unknown (valid: {', '.join(PRESETS)})")
    layout, compute = _PRESET_LAYOUT[preset]
    w, h = parse_mesh(d["mesh"], f"{where}: mesh") if "mesh" in d else DEFAULT_MESH
    args: dict[str, Any] = dict(name=str(d.get("name", preset)), width=w, height=h, preset=preset,
                                memory_layout=layout, memory_compute=compute, source=source)
    mem = d.get("memory-pes")
    if isinstance(mem, str):
        if mem not in ("edge", "original"):
            raise FocusError(f"{where}: memory-pes '{mem}' is unknown (valid: edge, original, or a list of [x, y])")
        args["memory_layout"] = mem
    elif isinstance(mem, list):
        pes = []
        for p in mem:
            if not (isinstance(p, list) and len(p) == 2 and all(isinstance(c, int) and not isinstance(c, bool) and c >= 0
                                                                 for c in p)):
                raise FocusError(f"{where}: memory-pes entry {p!r}, expected [x, y] with integers >= 0")
            pes.append((p[0], p[1]))
        args["memory_pes"] = tuple(pes)
        args["memory_layout"] = "custom"
    elif mem is not None:
        raise FocusError(f"{where}: memory-pes {mem!r}, expected edge, original or a list of [x, y]")
    if "memory-compute" in d:
        if not isinstance(d["memory-compute"], bool):
            raise FocusError(f"{where}: memory-compute {d['memory-compute']!r}, expected true or false")
        args["memory_compute"] = d["memory-compute"]
    for key, attr in (("word-bits", "word_bits"), ("link-bits", "link_bits"), ("flit-bits", "flit_bits")):
        if key in d:
            args[attr] = _int(d[key], f"{where}: {key}")
    if "router" in d:
        r = _check_keys(d["router"] or {}, _ROUTER_KEYS, f"{where}: router")
        for key, attr, lo in (("vcs", "num_vcs", 1), ("vc-buffer-flits", "vc_buf_flits", 1),
                              ("injection-queue", "injection_queue", 1), ("pipeline-delay", "router_delay", 0),
                              ("link-delay", "link_delay", 0)):
            if key in r:
                args[attr] = _int(r[key], f"{where}: router.{key}", lo)
    if "pe" in d:
        pe = _check_keys(d["pe"] or {}, _PE_KEYS, f"{where}: pe")
        if "timeloop-arch" in pe:
            ref = Path(str(pe["timeloop-arch"]))
            if not ref.is_absolute() and base_dir is not None:
                ref = base_dir / ref
            from frontend.timeloop_yaml import load_timeloop

            if not ref.exists():
                raise FocusError(f"{where}: pe.timeloop-arch: no file or folder {ref}")
            tdoc, _ = load_timeloop([ref])
            macs, buffers, _wb = timeloop_pe(tdoc, str(ref))
            args["macs_per_cycle"], args["buffers"] = macs, buffers
        if "macs-per-cycle" in pe:
            args["macs_per_cycle"] = _int(pe["macs-per-cycle"], f"{where}: pe.macs-per-cycle")
        if "buffers" in pe:
            if not isinstance(pe["buffers"], list):
                raise FocusError(f"{where}: pe.buffers must be a list of {{name, bytes, instances}}")
            bufs = []
            for b in pe["buffers"]:
                bw = f"{where}: pe.buffers"
                if not isinstance(b, Mapping) or "name" not in b or "bytes" not in b:
                    raise FocusError(f"{bw}: entry {b!r}, expected {{name, bytes, instances, word-bits}}")
                bb = _check_keys(b, _BUFFER_KEYS, bw)
                bufs.append(Buffer(str(bb["name"]), _int(bb.get("instances", 1), f"{bw}.instances"),
                                   _int(bb["bytes"], f"{bw}.bytes"), _int(bb.get("word-bits", 8), f"{bw}.word-bits")))
            args["buffers"] = tuple(bufs)
    if "dram" in d:
        dr = _check_keys(d["dram"] or {}, _DRAM_KEYS, f"{where}: dram")
        if "bytes-per-cycle" in dr:
            args["dram_bytes_per_cycle"] = _number(dr["bytes-per-cycle"], f"{where}: dram.bytes-per-cycle")
        if "latency" in dr:
            args["dram_latency"] = _int(dr["latency"], f"{where}: dram.latency")
    return Device(**args)


def load_device(arch: str | Path | None = None, mesh: str | tuple[int, int] | None = None,
                preset: str | None = None) -> Device:
    """The device for `--arch` (a preset name, our `device:` YAML, or a Timeloop arch file or folder).

    `mesh` (`WxH`) overrides the mesh; `preset` picks the memory layout when `arch` does not say.
    """
    return load_device_info(arch, mesh, preset)[0]


def load_device_info(arch: str | Path | None = None, mesh: str | tuple[int, int] | None = None,
                     preset: str | None = None) -> tuple[Device, bool]:
    """`load_device`, plus whether the mesh was given (by `mesh` or a `mesh:` in our device YAML)."""
    from frontend.timeloop_yaml import load_timeloop, load_yaml, yaml_files

    dev: Device
    known = False
    if arch is None or (isinstance(arch, str) and arch in PRESETS and not Path(arch).exists()):
        p = str(arch) if arch is not None else (preset or "focus")
        dev = Device.for_mesh(*DEFAULT_MESH, preset=p)
    else:
        path = Path(arch)
        if not path.exists():
            raise FocusError(f"{arch}: no such architecture file or folder (or preset: {', '.join(PRESETS)})")
        files = yaml_files([path])
        ours = None
        for f in files:
            data = load_yaml(f)
            if isinstance(data, dict) and "device" in data:
                ours = (data, f)
                break
        if ours is not None:
            dev = device_from_yaml(ours[0], str(ours[1]), ours[1].parent)
            node = ours[0].get("device")
            known = isinstance(node, Mapping) and "mesh" in node
        else:
            doc, _ = load_timeloop([path])
            if "architecture" not in doc:
                raise FocusError(f"{arch}: not an architecture (expected a 'device:' section (focus format) or "
                                 "an 'architecture:' section (Timeloop))")
            base = Device.for_mesh(*DEFAULT_MESH, preset=preset or "focus")
            dev = device_from_timeloop(doc, str(arch), base)
    if mesh is not None:
        w, h = parse_mesh(mesh, "--mesh") if not isinstance(mesh, tuple) else mesh
        dev = dev.with_mesh(w, h)
        known = True
    return dev, known

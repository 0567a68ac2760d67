"""`chip`: the hardware vocabulary shared by every level (PE coordinates, the device, routes).

`#chip.pe<x, y>` names a PE (x = column from the west, y = row from the north); `chip.device` is the device
model as data (one per module); `#chip.route<...>` is a tree of directed unit mesh links.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    I64,
    ArrayAttr,
    Float64Type,
    FloatAttr,
    IntAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    SymbolNameConstraint,
    UnitAttr,
)
from xdsl.ir import Attribute, Dialect, Operation, ParametrizedAttribute
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    opt_prop_def,
    prop_def,
    traits_def,
)
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.traits import SymbolOpInterface
from xdsl.utils.exceptions import VerifyException


@irdl_attr_definition
class PEAttr(ParametrizedAttribute):
    """A PE coordinate `#chip.pe<x, y>`."""

    name = "chip.pe"
    x: IntAttr
    y: IntAttr

    def __init__(self, x: int, y: int):
        super().__init__(IntAttr(x), IntAttr(y))

    @property
    def xy(self) -> tuple[int, int]:
        return (self.x.data, self.y.data)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            x = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_punctuation(",")
            y = parser.parse_integer(allow_boolean=False, allow_negative=False)
        return (IntAttr(x), IntAttr(y))

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.x.data}, {self.y.data}>")

    def __str__(self) -> str:
        return f"<{self.x.data}, {self.y.data}>"


def _parse_pe(parser: AttrParser) -> tuple[int, int]:
    parser.parse_punctuation("<")
    x = parser.parse_integer(allow_boolean=False, allow_negative=False)
    parser.parse_punctuation(",")
    y = parser.parse_integer(allow_boolean=False, allow_negative=False)
    parser.parse_punctuation(">")
    return (x, y)


@irdl_attr_definition
class RouteAttr(ParametrizedAttribute):
    """A route: directed unit mesh links `#chip.route<<0, 0> -> <1, 0>, <1, 0> -> <1, 1>>`."""

    name = "chip.route"
    edges: ArrayAttr[PEAttr]  # flat (from, to) pairs

    def __init__(self, edges: Sequence[tuple[tuple[int, int], tuple[int, int]]]):
        flat: list[PEAttr] = []
        for a, b in edges:
            flat += [PEAttr(*a), PEAttr(*b)]
        super().__init__(ArrayAttr(flat))

    @property
    def links(self) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        e = self.edges.data
        return [(e[i].xy, e[i + 1].xy) for i in range(0, len(e), 2)]

    def verify(self) -> None:
        if len(self.edges.data) % 2:
            raise VerifyException("'chip.route' expects (from, to) pairs of PEs")
        for a, b in self.links:
            if abs(a[0] - b[0]) + abs(a[1] - b[1]) != 1:
                raise VerifyException(
                    f"'chip.route' link <{a[0]}, {a[1]}> -> <{b[0]}, {b[1]}> is not a unit mesh link"
                )

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        parser.parse_punctuation("<")
        flat: list[PEAttr] = []
        if parser.parse_optional_punctuation(">") is None:
            while True:
                a = _parse_pe(parser)
                parser.parse_punctuation("->")
                b = _parse_pe(parser)
                flat += [PEAttr(*a), PEAttr(*b)]
                if parser.parse_optional_punctuation(",") is None:
                    break
            parser.parse_punctuation(">")
        return (ArrayAttr(flat),)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(
            "<" + ", ".join(f"<{a[0]}, {a[1]}> -> <{b[0]}, {b[1]}>" for a, b in self.links) + ">"
        )


@irdl_attr_definition
class PEListAttr(ParametrizedAttribute):
    """A list of PEs, `#chip.pes[<1, 0>, <1, 1>]` (printed `[<1, 0>, <1, 1>]` inside op formats)."""

    name = "chip.pes"
    pes: ArrayAttr[PEAttr]

    def __init__(self, pes: Sequence[tuple[int, int]]):
        super().__init__(ArrayAttr([PEAttr(*p) for p in pes]))

    @property
    def coords(self) -> list[tuple[int, int]]:
        return [p.xy for p in self.pes.data]

    def __len__(self) -> int:
        return len(self.pes.data)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        parser.parse_punctuation("[")
        pes: list[PEAttr] = []
        if parser.parse_optional_punctuation("]") is None:
            while True:
                pes.append(PEAttr(*_parse_pe(parser)))
                if parser.parse_optional_punctuation(",") is None:
                    break
            parser.parse_punctuation("]")
        return (ArrayAttr(pes),)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string("[" + ", ".join(str(p) for p in self.pes.data) + "]")


@irdl_op_definition
class DeviceOp(IRDLOperation):
    """The device model as data: mesh, memory PEs, links, routers, compute and DRAM.

    Built from `frontend.device.Device`; every level's verifiers and passes read it.
    """

    name = "chip.device"
    sym_name = prop_def(SymbolNameConstraint())
    width = prop_def(IntegerAttr[I64])
    height = prop_def(IntegerAttr[I64])
    memory_pes = prop_def(PEListAttr)
    link_bits = prop_def(IntegerAttr[I64])
    flit_bits = prop_def(IntegerAttr[I64])
    word_bits = prop_def(IntegerAttr[I64])
    macs_per_cycle = prop_def(IntegerAttr[I64])
    num_vcs = prop_def(IntegerAttr[I64])
    vc_buf_flits = prop_def(IntegerAttr[I64])
    injection_queue = prop_def(IntegerAttr[I64])
    dram_bytes_per_cycle = prop_def(FloatAttr[Float64Type])
    dram_latency = prop_def(IntegerAttr[I64])
    pe_buffer_bytes = opt_prop_def(IntegerAttr[I64])
    memory_compute = opt_prop_def(UnitAttr)
    traits = traits_def(SymbolOpInterface())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$sym_name `mesh` $width `x` $height `memory` $memory_pes `link` $link_bits `flit` $flit_bits "
        "`macs` $macs_per_cycle attr-dict"
    )

    def __init__(self, name: str, width: int, height: int, memory_pes: Sequence[tuple[int, int]], *,
                 link_bits: int = 1024, flit_bits: int = 1024, word_bits: int = 8, macs_per_cycle: int = 256,
                 num_vcs: int = 4, vc_buf_flits: int = 4, injection_queue: int = 16,
                 dram_bytes_per_cycle: float = 64.0, dram_latency: int = 100, memory_compute: bool = True,
                 pe_buffer_bytes: int = 131072):
        i = lambda v: IntegerAttr(v, 64)  # noqa: E731
        props: dict[str, Attribute] = {
            "sym_name": StringAttr(name), "width": i(width), "height": i(height),
            "memory_pes": PEListAttr(memory_pes),
            "link_bits": i(link_bits), "flit_bits": i(flit_bits), "word_bits": i(word_bits),
            "macs_per_cycle": i(macs_per_cycle), "num_vcs": i(num_vcs), "vc_buf_flits": i(vc_buf_flits),
            "injection_queue": i(injection_queue),
            "dram_bytes_per_cycle": FloatAttr(float(dram_bytes_per_cycle), Float64Type()),
            "dram_latency": i(dram_latency),
            "pe_buffer_bytes": i(pe_buffer_bytes),
        }
        if memory_compute:
            props["memory_compute"] = UnitAttr()
        super().__init__(properties=props)

    # convenient accessors
    @property
    def mesh(self) -> tuple[int, int]:
        return (self.width.value.data, self.height.value.data)

    @property
    def buffer_bytes(self) -> int:
        """Per-PE buffer capacity (the worker's tiles must fit, double-buffered)."""
        return self.pe_buffer_bytes.value.data if self.pe_buffer_bytes is not None else 131072

    @property
    def memory(self) -> list[tuple[int, int]]:
        return self.memory_pes.coords

    def contains(self, pe: PEAttr | tuple[int, int]) -> bool:
        x, y = pe.xy if isinstance(pe, PEAttr) else pe
        w, h = self.mesh
        return 0 <= x < w and 0 <= y < h

    def verify_(self) -> None:
        w, h = self.mesh
        if w < 1 or h < 1:
            raise VerifyException(f"'chip.device' mesh {w}x{h} must be at least 1x1")
        seen = set()
        for p in self.memory_pes.pes.data:
            if not self.contains(p):
                raise VerifyException(f"'chip.device' memory PE {p} is outside the {w}x{h} mesh")
            if p.xy in seen:
                raise VerifyException(f"'chip.device' memory PE {p} is listed twice")
            seen.add(p.xy)
        for field in ("link_bits", "flit_bits", "word_bits", "macs_per_cycle", "num_vcs", "vc_buf_flits",
                      "injection_queue"):
            v = getattr(self, field).value.data
            if v < 1:
                raise VerifyException(f"'chip.device' {field} ({v}) must be at least 1")
        if self.pe_buffer_bytes is not None and self.pe_buffer_bytes.value.data < 1:
            raise VerifyException(
                f"'chip.device' pe_buffer_bytes ({self.pe_buffer_bytes.value.data}) must be at least 1"
            )
        if self.dram_bytes_per_cycle.value.data <= 0:
            raise VerifyException(
                f"'chip.device' dram_bytes_per_cycle ({self.dram_bytes_per_cycle.value.data}) must be positive"
            )


def find_device(module: Operation) -> DeviceOp | None:
    """The `chip.device` of a module (searched among the top-level ops of the enclosing module)."""
    top = module
    while top.parent_op() is not None:
        top = top.parent_op()
    if isinstance(top, ModuleOp):
        for op in top.ops:
            if isinstance(op, DeviceOp):
                return op
    return None


def device_of(op: Operation) -> DeviceOp | None:
    return find_device(op)


def check_pe(op: Operation, pe: PEAttr, what: str = "PE") -> DeviceOp | None:
    """Raise the standard message when `pe` lies outside the module's device mesh."""
    dev = find_device(op)
    if dev is not None and not dev.contains(pe):
        w, h = dev.mesh
        raise VerifyException(f"'{op.name}' {what} {pe} is outside the {w}x{h} mesh")
    return dev


Chip = Dialect("chip", [DeviceOp], [PEAttr, PEListAttr, RouteAttr])

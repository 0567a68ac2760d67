"""`routed_message`: every inter-PE stream as a message with its route.

`routed_message.message @name %stream from <x, y> to [<x, y>, ...] flits F packets P priority p vc v
mode "tree" route <...>`: `flits` per packet, `packets` per batch; `mode "tree"` replicates flits in the routers
along the route tree, `mode "copies"` sends one unicast copy per destination (the original FOCUS "star"), the
route then being the union of the copies' paths. `routed-message-check` recovers what a route reaches.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import I64, IntegerAttr, StringAttr, SymbolNameConstraint
from xdsl.ir import Dialect, SSAValue
from xdsl.irdl import IRDLOperation, irdl_op_definition, operand_def, opt_prop_def, prop_def, traits_def
from xdsl.traits import SymbolOpInterface
from xdsl.utils.exceptions import VerifyException

from focus_dialects.chip import PEAttr, PEListAttr, RouteAttr, check_pe
from focus_dialects.subop_common import StreamType, i64

MODES = ("tree", "copies")


@irdl_op_definition
class MessageOp(IRDLOperation):
    name = "routed_message.message"
    sym_name = prop_def(SymbolNameConstraint())
    stream = operand_def(StreamType)
    src = prop_def(PEAttr)
    dsts = prop_def(PEListAttr)
    flits = prop_def(IntegerAttr[I64])
    packets = prop_def(IntegerAttr[I64])
    priority = prop_def(IntegerAttr[I64])
    vc = prop_def(IntegerAttr[I64])
    mode = prop_def(StringAttr)
    route = prop_def(RouteAttr)
    waypoints = opt_prop_def(PEListAttr)
    traits = traits_def(SymbolOpInterface())
    assembly_format = (
        "$sym_name $stream `from` $src `to` $dsts `flits` $flits `packets` $packets `priority` $priority "
        "`vc` $vc `mode` $mode `route` $route (`waypoints` $waypoints^)? attr-dict `:` type($stream)"
    )

    def __init__(self, name: str, stream: SSAValue, src: tuple[int, int], dsts: Sequence[tuple[int, int]],
                 flits: int, packets: int, route: RouteAttr, *, priority: int = 0, vc: int = 0,
                 mode: str = "tree", waypoints: Sequence[tuple[int, int]] | None = None):
        props = {
            "sym_name": StringAttr(name), "src": PEAttr(*src), "dsts": PEListAttr(dsts),
            "flits": i64(flits), "packets": i64(packets), "priority": i64(priority), "vc": i64(vc),
            "mode": StringAttr(mode), "route": route,
        }
        if waypoints:
            props["waypoints"] = PEListAttr(waypoints)
        super().__init__(operands=[stream], properties=props)

    @property
    def destinations(self) -> list[tuple[int, int]]:
        return self.dsts.coords

    def verify_(self) -> None:
        me = f"'routed_message.message' @{self.sym_name.data}"
        check_pe(self, self.src, "source")
        if not self.dsts.pes.data:
            raise VerifyException(f"{me} has no destination")
        seen = set()
        for d in self.dsts.pes.data:
            check_pe(self, d, "destination")
            if d.xy == self.src.xy:
                raise VerifyException(f"{me} sends to its own source PE {d}")
            if d.xy in seen:
                raise VerifyException(f"{me} lists destination {d} twice")
            seen.add(d.xy)
        for k in ("flits", "packets"):
            v = getattr(self, k).value.data
            if v < 1:
                raise VerifyException(f"{me} {k} ({v}) must be at least 1")
        if self.vc.value.data < 0:
            raise VerifyException(f"{me} vc ({self.vc.value.data}) must be >= 0")
        if self.mode.data not in MODES:
            raise VerifyException(f"{me} mode '{self.mode.data}' is not one of {', '.join(MODES)}")
        if self.waypoints is not None:
            for w in self.waypoints.pes.data:
                check_pe(self, w, "waypoint")


RoutedMessage = Dialect("routed_message", [MessageOp], [])

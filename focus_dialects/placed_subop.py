"""`placed_subop`: the tiled sub-operator graph with every sub-operator on a PE (`on #chip.pe<x, y>`).

Sources that read off-chip memory sit on memory PEs of the `chip.device`; verifiers check both.
"""

from xdsl.ir import Dialect

from focus_dialects.subop_common import make_subop_ops

LayerOp, SourceOp, WorkerOp, SinkOp = make_subop_ops("placed_subop", placed=True)

PlacedSubop = Dialect("placed_subop", [LayerOp, SourceOp, WorkerOp, SinkOp], [])

__all__ = ["LayerOp", "SourceOp", "WorkerOp", "SinkOp", "PlacedSubop"]

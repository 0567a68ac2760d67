"""`tiled_subop`: every layer split into memory/producer sources, K workers and a sink (dataflow search result).

Ops: `tiled_subop.layer` (the chosen mapping and its statistics), `tiled_subop.source`, `tiled_subop.worker`,
`tiled_subop.sink`; type `!tiled_subop.stream<"space", words, transfers>`. Semantics: docs/ir-design.md.
"""

from xdsl.ir import Dialect

from focus_dialects.subop_common import StreamType, make_subop_ops

LayerOp, SourceOp, WorkerOp, SinkOp = make_subop_ops("tiled_subop", placed=False)

TiledSubop = Dialect("tiled_subop", [LayerOp, SourceOp, WorkerOp, SinkOp], [StreamType])

__all__ = ["LayerOp", "SourceOp", "WorkerOp", "SinkOp", "StreamType", "TiledSubop"]

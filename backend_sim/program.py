"""The packed program format: per-PE programs as flat struct-of-arrays, plus the message table.

This is what the simulator executes (`backend_sim.engine` / `backend_sim.reference`) and what the
compiler's lowering produces (through `ProgramBuilder`, or `backend_sim.from_ir` for a `pe_isa` module).

Layout (all numpy arrays; PE ids are linear node ids ``y * width + x``, x = column from the west,
y = row from the north):

* mesh: ``width``, ``height``; ``memory_pes`` (node ids whose DRAM channel serves ``mem_read``/``mem_write``).
* blocks (``B`` of them; blocks of one PE run concurrently and share its compute unit):
  ``block_pe[b]`` node id, ``block_start[b]``/``block_end[b]`` half-open range into the instruction
  arrays, ``block_names[b]``, ``block_layers[b]`` (a label used for per-layer statistics, may be "").
* instructions: ``instr_op[i]`` (an ``OP_*`` code) and ``instr_arg[i]``:

  ==============  ===================================================================
  OP_COMPUTE      arg = cycles (>= 0) the PE's compute unit is occupied
  OP_SEND         arg = tag; enqueue one packet of the message into the injection queue
  OP_RECV         arg = tag; wait for and consume one delivered packet of the message
  OP_MEM_READ     arg = bytes read through the PE's DRAM channel (memory PEs only)
  OP_MEM_WRITE    arg = bytes written through the PE's DRAM channel (memory PEs only)
  OP_LOOP_BEGIN   arg = iteration count (>= 0); the body runs that many times
  OP_LOOP_END     arg = index of the matching OP_LOOP_BEGIN (a counted backward jump)
  ==============  ===================================================================

* messages (tag ``m`` = index): ``msg_src[m]``, ``msg_flits[m]`` (flits per packet, in ``flit_bits``
  units of the device), ``msg_vc[m]`` (the routing pass's VC class; with more than one class in use
  the simulator splits each port's VCs evenly between the classes, see ``config.vc_class_ranges``), ``msg_mode[m]`` (``MODE_TREE``: one packet
  replicated in the routers along the route tree; ``MODE_COPIES``: one unicast packet per destination,
  each XY-routed), destinations ``msg_dst[msg_dst_ptr[m]:msg_dst_ptr[m+1]]`` and the route tree as
  per-router output masks ``route_node[r]``/``route_mask[r]`` for ``r`` in
  ``msg_route_ptr[m]:msg_route_ptr[m+1]`` (sorted by node). A mask has bit ``PORT_E`` (+x), ``PORT_W``
  (-x), ``PORT_S`` (+y), ``PORT_N`` (-y) for each child link and ``PORT_L`` where a copy is delivered.
  ``msg_names``/``msg_layers`` label messages.

``PackedProgram.save(path.npz)`` / ``PackedProgram.load(path)`` store it (deterministic bytes).

Building programs (what the IR lowering calls)::

    b = ProgramBuilder(width=4, height=4, memory_pes=[(0, 0)])
    t = b.add_message(src=(0, 0), dsts=[(1, 0), (1, 1)], flits=2, tree_edges=None, name="m0")
    with b.block((0, 0), "src") as blk:
        with blk.loop(4):
            blk.mem_read(64)
            blk.send(t)
    for pe in [(1, 0), (1, 1)]:
        with b.block(pe, "w") as blk:
            with blk.loop(4):
                blk.recv(t)
                blk.compute(10)
    prog = b.build()          # validated PackedProgram

PEs are given as ``(x, y)`` tuples or node ids. ``tree_edges`` lists directed unit links ``(from, to)``
(coordinates or node ids) forming a tree rooted at ``src`` whose leaves are destinations; without it a
multi-destination message gets the union of the XY paths from the source, and a unicast the XY path.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import numpy as np

from focus_tools.errors import FocusError

OP_COMPUTE, OP_SEND, OP_RECV, OP_MEM_READ, OP_MEM_WRITE, OP_LOOP_BEGIN, OP_LOOP_END = range(7)
OP_NAMES = ("compute", "send", "recv", "mem_read", "mem_write", "loop_begin", "loop_end")
MODE_TREE, MODE_COPIES = 0, 1
MODE_NAMES = ("tree", "copies")
PORT_E, PORT_W, PORT_S, PORT_N, PORT_L = range(5)
PORT_NAMES = ("E", "W", "S", "N", "L")
FORMAT_VERSION = 1

_ARRAYS = (
    "memory_pes", "block_pe", "block_start", "block_end", "instr_op", "instr_arg",
    "msg_src", "msg_flits", "msg_vc", "msg_mode", "msg_dst_ptr", "msg_dst",
    "msg_route_ptr", "route_node", "route_mask",
)


def port_towards(width: int, cur: int, dst: int) -> int:
    """XY (dimension-order) output port from node `cur` towards node `dst` (PORT_L when there)."""
    cx, cy = cur % width, cur // width
    dx, dy = dst % width, dst // width
    if dx > cx:
        return PORT_E
    if dx < cx:
        return PORT_W
    if dy > cy:
        return PORT_S
    if dy < cy:
        return PORT_N
    return PORT_L


def neighbor(width: int, node: int, port: int) -> int:
    """The node reached from `node` through output `port` (no bounds check)."""
    return node + (1, -1, width, -width)[port]


def xy_path(width: int, src: int, dst: int) -> list[int]:
    """Nodes visited by XY routing from src to dst, both included."""
    path = [src]
    cur = src
    while cur != dst:
        cur = neighbor(width, cur, port_towards(width, cur, dst))
        path.append(cur)
    return path


@dataclass
class PackedProgram:
    """Per-PE programs and the message table as flat arrays (see the module docstring)."""

    width: int
    height: int
    memory_pes: np.ndarray
    block_pe: np.ndarray
    block_start: np.ndarray
    block_end: np.ndarray
    instr_op: np.ndarray
    instr_arg: np.ndarray
    msg_src: np.ndarray
    msg_flits: np.ndarray
    msg_vc: np.ndarray
    msg_mode: np.ndarray
    msg_dst_ptr: np.ndarray
    msg_dst: np.ndarray
    msg_route_ptr: np.ndarray
    route_node: np.ndarray
    route_mask: np.ndarray
    block_names: list[str] = field(default_factory=list)
    block_layers: list[str] = field(default_factory=list)
    msg_names: list[str] = field(default_factory=list)
    msg_layers: list[str] = field(default_factory=list)

    # ---- sizes ----
    @property
    def nodes(self) -> int:
        return self.width * self.height

    @property
    def num_blocks(self) -> int:
        return len(self.block_pe)

    @property
    def num_messages(self) -> int:
        return len(self.msg_src)

    def dsts(self, tag: int) -> np.ndarray:
        return self.msg_dst[self.msg_dst_ptr[tag]:self.msg_dst_ptr[tag + 1]]

    def route(self, tag: int) -> dict[int, int]:
        """node -> output mask of the message's route tree."""
        a, b = self.msg_route_ptr[tag], self.msg_route_ptr[tag + 1]
        return {int(n): int(m) for n, m in zip(self.route_node[a:b], self.route_mask[a:b])}

    def coord(self, node: int) -> tuple[int, int]:
        return (int(node) % self.width, int(node) // self.width)

    def pe_label(self, node: int) -> str:
        x, y = self.coord(node)
        return f"<{x}, {y}>"

    # ---- persistence ----
    def save(self, path: str | Path) -> None:
        meta = {
            "format_version": FORMAT_VERSION, "width": self.width, "height": self.height,
            "block_names": self.block_names, "block_layers": self.block_layers,
            "msg_names": self.msg_names, "msg_layers": self.msg_layers,
        }
        arrays = {name: getattr(self, name) for name in _ARRAYS}
        with open(path, "wb") as fh:
            np.savez(fh, meta=np.array(json.dumps(meta, sort_keys=True)), **arrays)

    @classmethod
    def load(cls, path: str | Path) -> PackedProgram:
        if not Path(path).is_file():
            raise FocusError(f"{path}: no such file, expected a .npz written by PackedProgram.save")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                arrays = {name: np.array(data[name]) for name in _ARRAYS}
        except (OSError, ValueError, KeyError) as exc:
            raise FocusError(f"{path}: not a packed program ({exc.__class__.__name__}: {exc}), "
                             "expected a .npz written by PackedProgram.save") from None
        if meta.get("format_version") != FORMAT_VERSION:
            raise FocusError(f"{path}: format_version {meta.get('format_version')}, expected {FORMAT_VERSION}")
        prog = cls(width=int(meta["width"]), height=int(meta["height"]), **arrays,
                   block_names=list(meta["block_names"]), block_layers=list(meta["block_layers"]),
                   msg_names=list(meta["msg_names"]), msg_layers=list(meta["msg_layers"]))
        prog.validate(str(path))
        return prog

    # ---- checks ----
    def validate(self, where: str = "program") -> PackedProgram:
        """Check every structural rule; raise FocusError naming the first violation."""
        w, h, n = self.width, self.height, self.width * self.height
        if w < 1 or h < 1:
            raise FocusError(f"{where}: mesh {w}x{h}, expected at least 1x1")
        mem = {int(p) for p in self.memory_pes}
        for p in mem:
            if not 0 <= p < n:
                raise FocusError(f"{where}: memory PE {p} outside the {w}x{h} mesh")
        M = self.num_messages
        if len(self.msg_dst_ptr) != M + 1 or len(self.msg_route_ptr) != M + 1:
            raise FocusError(f"{where}: message pointer arrays have wrong length, expected {M + 1}")
        for m in range(M):
            name = self.msg_names[m] if m < len(self.msg_names) else str(m)
            src = int(self.msg_src[m])
            if not 0 <= src < n:
                raise FocusError(f"{where}: message tag {m} ({name}) source {src} outside the mesh")
            if self.msg_flits[m] < 1:
                raise FocusError(f"{where}: message tag {m} ({name}) flits {self.msg_flits[m]}, expected >= 1")
            if self.msg_vc[m] < 0:
                raise FocusError(f"{where}: message tag {m} ({name}) vc {self.msg_vc[m]}, expected a VC class >= 0")
            if self.msg_mode[m] not in (MODE_TREE, MODE_COPIES):
                raise FocusError(f"{where}: message tag {m} ({name}) mode {self.msg_mode[m]}, expected 0 or 1")
            d = [int(x) for x in self.dsts(m)]
            if not d:
                raise FocusError(f"{where}: message tag {m} ({name}) has no destination")
            if len(set(d)) != len(d) or any(not 0 <= x < n for x in d) or src in d:
                raise FocusError(f"{where}: message tag {m} ({name}) destinations {d}, expected distinct "
                                 f"in-mesh PEs other than the source {src}")
            if self.msg_mode[m] == MODE_TREE:
                _check_masks(self, m, name, where)
        B = self.num_blocks
        I = len(self.instr_op)
        for b in range(B):
            pe, s, e = int(self.block_pe[b]), int(self.block_start[b]), int(self.block_end[b])
            bname = self.block_names[b] if b < len(self.block_names) else str(b)
            if not 0 <= pe < n:
                raise FocusError(f"{where}: block {bname} on PE {pe} outside the {w}x{h} mesh")
            if not 0 <= s <= e <= I:
                raise FocusError(f"{where}: block {bname} instruction range {s}..{e} outside 0..{I}")
            stack: list[int] = []
            for i in range(s, e):
                op, arg = int(self.instr_op[i]), int(self.instr_arg[i])
                loc = f"{where}: block {bname} on {self.pe_label(pe)} instruction {i - s} ({OP_NAMES[op] if 0 <= op < 7 else op})"
                if op == OP_LOOP_BEGIN:
                    if arg < 0:
                        raise FocusError(f"{loc}: count {arg}, expected >= 0")
                    stack.append(i)
                elif op == OP_LOOP_END:
                    if not stack or stack[-1] != arg:
                        raise FocusError(f"{loc}: jumps to {arg}, expected its matching loop_begin")
                    stack.pop()
                elif op in (OP_SEND, OP_RECV):
                    if not 0 <= arg < M:
                        raise FocusError(f"{loc}: tag {arg}, expected 0..{M - 1}")
                    if op == OP_SEND and int(self.msg_src[arg]) != pe:
                        raise FocusError(f"{loc}: tag {arg} is sent by {self.pe_label(int(self.msg_src[arg]))}, "
                                         f"not by this PE")
                    if op == OP_RECV and pe not in {int(x) for x in self.dsts(arg)}:
                        raise FocusError(f"{loc}: tag {arg} is not delivered to this PE")
                elif op == OP_COMPUTE:
                    if arg < 0:
                        raise FocusError(f"{loc}: cycles {arg}, expected >= 0")
                elif op in (OP_MEM_READ, OP_MEM_WRITE):
                    if arg < 1:
                        raise FocusError(f"{loc}: bytes {arg}, expected >= 1")
                    if pe not in mem:
                        raise FocusError(f"{loc}: PE {self.pe_label(pe)} is not a memory PE")
                else:
                    raise FocusError(f"{loc}: unknown opcode, expected 0..6")
            if stack:
                raise FocusError(f"{where}: block {bname}: loop_begin at {stack[-1] - s} has no loop_end")
        sends, recvs = self.static_counts()
        for m in range(M):
            for k, dst in enumerate(self.dsts(m)):
                if recvs[m][k] > sends[m]:
                    name = self.msg_names[m] if m < len(self.msg_names) else str(m)
                    raise FocusError(
                        f"{where}: message tag {m} ({name}): {recvs[m][k]} recvs on {self.pe_label(int(dst))} "
                        f"but only {sends[m]} sends, every recv must match a send")
        return self

    def static_counts(self) -> tuple[list[int], list[list[int]]]:
        """(sends per tag, recvs per tag and destination index), loops multiplied out."""
        M = self.num_messages
        sends = [0] * M
        dst_index = [{int(d): k for k, d in enumerate(self.dsts(m))} for m in range(M)]
        recvs = [[0] * len(dst_index[m]) for m in range(M)]
        for b in range(self.num_blocks):
            pe = int(self.block_pe[b])
            mult = [1]
            for i in range(int(self.block_start[b]), int(self.block_end[b])):
                op, arg = int(self.instr_op[i]), int(self.instr_arg[i])
                if op == OP_LOOP_BEGIN:
                    mult.append(mult[-1] * arg)
                elif op == OP_LOOP_END:
                    mult.pop()
                elif op == OP_SEND:
                    sends[arg] += mult[-1]
                elif op == OP_RECV:
                    k = dst_index[arg].get(pe)
                    if k is not None:
                        recvs[arg][k] += mult[-1]
        return sends, recvs

    def packets_per_message(self) -> list[int]:
        """Packets injected per tag: sends, times the destinations for `copies` messages."""
        sends, _ = self.static_counts()
        return [sends[m] * (len(self.dsts(m)) if self.msg_mode[m] == MODE_COPIES else 1)
                for m in range(self.num_messages)]

    def block_listing(self, b: int) -> list[str]:
        """Readable instructions of block b (for error messages)."""
        out = []
        for i in range(int(self.block_start[b]), int(self.block_end[b])):
            out.append(f"{OP_NAMES[int(self.instr_op[i])]} {int(self.instr_arg[i])}")
        return out


def _check_masks(prog: PackedProgram, m: int, name: str, where: str) -> None:
    """The stored masks must form a tree rooted at the source delivering exactly to the destinations."""
    route = prog.route(m)
    w, n = prog.width, prog.nodes
    src = int(prog.msg_src[m])
    dsts = {int(x) for x in prog.dsts(m)}
    if src not in route:
        raise FocusError(f"{where}: message tag {m} ({name}) route has no entry for its source")
    seen = {src}
    stack = [src]
    delivered = set()
    while stack:
        cur = stack.pop()
        mask = route[cur]
        if mask & (1 << PORT_L):
            delivered.add(cur)
        elif mask == 0:
            raise FocusError(f"{where}: message tag {m} ({name}) route ends at {prog.pe_label(cur)}, "
                             "which is not a destination")
        for port in range(4):
            if mask & (1 << port):
                nxt = neighbor(w, cur, port)
                x = cur % w
                if (port == PORT_E and x == w - 1) or (port == PORT_W and x == 0) or not 0 <= nxt < n:
                    raise FocusError(f"{where}: message tag {m} ({name}) route leaves the mesh at "
                                     f"{prog.pe_label(cur)}")
                if nxt in seen or nxt not in route:
                    raise FocusError(f"{where}: message tag {m} ({name}) route is not a tree at "
                                     f"{prog.pe_label(nxt)}")
                seen.add(nxt)
                stack.append(nxt)
    if seen != set(route):
        raise FocusError(f"{where}: message tag {m} ({name}) route has nodes unreachable from the source")
    if delivered != dsts:
        raise FocusError(f"{where}: message tag {m} ({name}) route delivers to {sorted(delivered)}, "
                         f"expected the destinations {sorted(dsts)}")


def route_masks(width: int, height: int, src: int, dsts: Sequence[int],
                tree_edges: Iterable[tuple[int, int]] | None, where: str) -> dict[int, int]:
    """node -> output mask for a message (tree from edges, else the union of XY paths)."""
    n = width * height
    dset = set(dsts)
    children: dict[int, list[int]] = {}
    if tree_edges is None:
        parent: dict[int, int] = {}
        for d in dsts:
            path = xy_path(width, src, d)
            for a, b in itertools.pairwise(path):
                parent[b] = a
        for b, a in parent.items():
            children.setdefault(a, []).append(b)
    else:
        parent = {}
        for a, b in tree_edges:
            if not (0 <= a < n and 0 <= b < n):
                raise FocusError(f"{where}: tree edge {a}->{b} outside the {width}x{height} mesh")
            ax, ay, bx, by = a % width, a // width, b % width, b // width
            if abs(ax - bx) + abs(ay - by) != 1:
                raise FocusError(f"{where}: tree edge <{ax}, {ay}> -> <{bx}, {by}> is not a unit mesh link")
            if b in parent or b == src:
                raise FocusError(f"{where}: tree edge <{ax}, {ay}> -> <{bx}, {by}>: node <{bx}, {by}> has "
                                 "two parents (or is the root), expected a tree rooted at the source")
            parent[b] = a
            children.setdefault(a, []).append(b)
    masks: dict[int, int] = {src: 0}
    stack = [src]
    while stack:
        cur = stack.pop()
        for nxt in children.get(cur, ()):
            masks[cur] |= 1 << port_towards(width, cur, nxt)
            masks[nxt] = 0
            stack.append(nxt)
    for node in masks:
        if node in dset:
            masks[node] |= 1 << PORT_L
    if set(parent) - set(masks):
        bad = min(set(parent) - set(masks))
        raise FocusError(f"{where}: tree node <{bad % width}, {bad // width}> is not reachable from the "
                         "source, expected a tree rooted at the source")
    missing = dset - set(masks)
    if missing:
        d = min(missing)
        raise FocusError(f"{where}: destination <{d % width}, {d // width}> is not on the route tree")
    for node, mask in masks.items():
        if mask == 0:
            raise FocusError(f"{where}: route tree leaf <{node % width}, {node // width}> is not a destination")
    return masks


class BlockBuilder:
    """Appends instructions to one block; obtained from `ProgramBuilder.block`."""

    def __init__(self, builder: ProgramBuilder, pe: int, name: str):
        self._b = builder
        self.pe = pe
        self.name = name
        self.ops: list[tuple[int, int]] = []
        self._open_loops: list[int] = []

    def _add(self, op: int, arg: int) -> BlockBuilder:
        self.ops.append((op, int(arg)))
        return self

    def send(self, tag: int) -> BlockBuilder:
        return self._add(OP_SEND, tag)

    def recv(self, tag: int) -> BlockBuilder:
        return self._add(OP_RECV, tag)

    def compute(self, cycles: int) -> BlockBuilder:
        return self._add(OP_COMPUTE, cycles)

    def mem_read(self, nbytes: int) -> BlockBuilder:
        return self._add(OP_MEM_READ, nbytes)

    def mem_write(self, nbytes: int) -> BlockBuilder:
        return self._add(OP_MEM_WRITE, nbytes)

    @contextmanager
    def loop(self, count: int):
        """`with blk.loop(n): ...` repeats the instructions added inside n times."""
        begin = len(self.ops)
        self._add(OP_LOOP_BEGIN, count)
        self._open_loops.append(begin)
        try:
            yield self
        finally:
            self._open_loops.pop()
            self._add(OP_LOOP_END, begin)  # relative to the block; made absolute by build()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        return None


class ProgramBuilder:
    """Python API to build a `PackedProgram` (see the module docstring)."""

    def __init__(self, width: int, height: int, memory_pes: Iterable = ()):
        if width < 1 or height < 1:
            raise FocusError(f"ProgramBuilder: mesh {width}x{height}, expected at least 1x1")
        self.width, self.height = int(width), int(height)
        self.memory_pes = sorted({self.pe_id(p) for p in memory_pes})
        self.blocks: list[tuple[BlockBuilder, str]] = []
        self.messages: list[dict] = []

    def pe_id(self, pe) -> int:
        """Node id of a PE given as (x, y) or as a node id; FocusError if outside the mesh."""
        if isinstance(pe, (tuple, list)):
            x, y = int(pe[0]), int(pe[1])
            if not (0 <= x < self.width and 0 <= y < self.height):
                raise FocusError(f"ProgramBuilder: PE <{x}, {y}> outside the {self.width}x{self.height} mesh")
            return y * self.width + x
        node = int(pe)
        if not 0 <= node < self.width * self.height:
            raise FocusError(f"ProgramBuilder: PE id {node} outside the {self.width}x{self.height} mesh")
        return node

    def add_message(self, src, dsts, flits: int, tree_edges=None, name: str | None = None, *,
                    layer: str = "", mode: str = "tree", vc: int = 0) -> int:
        """Register a message; returns its tag (the index in the message table)."""
        tag = len(self.messages)
        label = name if name is not None else f"msg{tag}"
        where = f"message {label}"
        s = self.pe_id(src)
        d = [self.pe_id(x) for x in dsts]
        if not d:
            raise FocusError(f"{where}: no destination, expected at least one PE")
        if len(set(d)) != len(d) or s in d:
            raise FocusError(f"{where}: destinations {d}, expected distinct PEs other than the source {s}")
        if int(flits) < 1:
            raise FocusError(f"{where}: flits {flits}, expected >= 1")
        if mode not in MODE_NAMES:
            raise FocusError(f"{where}: mode {mode!r}, expected one of {', '.join(MODE_NAMES)}")
        edges = None
        if tree_edges is not None:
            edges = [(self.pe_id(a), self.pe_id(b)) for a, b in tree_edges]
        masks = route_masks(self.width, self.height, s, d, edges, where) if mode == "tree" else {}
        self.messages.append({"src": s, "dsts": d, "flits": int(flits), "masks": masks, "name": label,
                                  "layer": layer or "", "mode": MODE_NAMES.index(mode), "vc": int(vc)})
        return tag

    def block(self, pe, name: str, layer: str = "") -> BlockBuilder:
        """A new block on `pe` (usable as a context manager)."""
        blk = BlockBuilder(self, self.pe_id(pe), name)
        self.blocks.append((blk, layer or ""))
        return blk

    def build(self) -> PackedProgram:
        ops: list[int] = []
        args: list[int] = []
        block_pe, block_start, block_end = [], [], []
        for blk, _layer in self.blocks:
            if blk._open_loops:
                raise FocusError(f"block {blk.name}: a loop is still open, expected it closed before build()")
            base = len(ops)
            block_pe.append(blk.pe)
            block_start.append(base)
            for op, arg in blk.ops:
                ops.append(op)
                args.append(arg + base if op == OP_LOOP_END else arg)
            block_end.append(len(ops))
        dst_ptr, dst, route_ptr, rnode, rmask = [0], [], [0], [], []
        for m in self.messages:
            dst.extend(m["dsts"])
            dst_ptr.append(len(dst))
            for node in sorted(m["masks"]):
                rnode.append(node)
                rmask.append(m["masks"][node])
            route_ptr.append(len(rnode))
        prog = PackedProgram(
            width=self.width, height=self.height,
            memory_pes=np.array(self.memory_pes, dtype=np.int32),
            block_pe=np.array(block_pe, dtype=np.int32),
            block_start=np.array(block_start, dtype=np.int64),
            block_end=np.array(block_end, dtype=np.int64),
            instr_op=np.array(ops, dtype=np.int8),
            instr_arg=np.array(args, dtype=np.int64),
            msg_src=np.array([m["src"] for m in self.messages], dtype=np.int32),
            msg_flits=np.array([m["flits"] for m in self.messages], dtype=np.int32),
            msg_vc=np.array([m["vc"] for m in self.messages], dtype=np.int32),
            msg_mode=np.array([m["mode"] for m in self.messages], dtype=np.int8),
            msg_dst_ptr=np.array(dst_ptr, dtype=np.int64),
            msg_dst=np.array(dst, dtype=np.int32),
            msg_route_ptr=np.array(route_ptr, dtype=np.int64),
            route_node=np.array(rnode, dtype=np.int32),
            route_mask=np.array(rmask, dtype=np.int8),
            block_names=[blk.name for blk, _ in self.blocks],
            block_layers=[layer for _, layer in self.blocks],
            msg_names=[m["name"] for m in self.messages],
            msg_layers=[m["layer"] for m in self.messages],
        )
        return prog.validate("ProgramBuilder")

"""Original spatial_sim task directories: a faithful reader, and conversion to a program for the
simulator's spatial_sim compatibility mode (docs/focus-original.md sections 5 and 6).

A task directory holds `task_spec` (BookSim config syntax: `tasks = {c0.inst, ...}`, `k`, `channel_width`,
`num_vcs`, `vc_buf_size`, `threshold`, `micro_instr_latency`, `routing_board`, ...), one `c<N>.inst` per
core (`operators:` with `{ ... }` blocks of `type # rest` lines, then `data:` with `tid # dests # dims`),
`routing_board` (blocks `pid src dsts...`, `u v` segment lines, blank line) and the instruction latency
table. Paths inside `task_spec` resolve against the directory (an absolute path that does not exist there
falls back to its file name inside the directory).

Compatibility mode (core_model "spatial_sim", see docs/simulator.md): single-issue cores whose blocks are
coroutines, `CPU.sleep` stalls every block of the core, `NI.send` rings a doorbell (each destination's
receive queue at most `threshold` when that destination last ran an NI instruction) and enqueues one
unicast packet per destination in an unbounded send queue, packets of `ceil(tensor_size / channel_width)`
flits, a receive completes when the head flit has arrived, routers use the lower half of the VCs.
`ACC.cal` (which spatial_sim's 2025 code aborts on) is rejected with a clear error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from backend_sim.booksim_cfg import parse_config_text
from backend_sim.config import ROUTERS, SimConfig
from backend_sim.program import PackedProgram, ProgramBuilder
from focus_tools.errors import FocusError


@dataclass
class SpatialCore:
    """One core file: blocks of (instruction, operands) pairs, and its data lines."""

    blocks: list[list[tuple[str, list[str]]]] = field(default_factory=list)
    data: dict[int, tuple[list[int], list[int]]] = field(default_factory=dict)  # tid -> (dests, dims)
    raw_blocks: list[list[str]] = field(default_factory=list)  # the operator lines as written


@dataclass
class SpatialTask:
    directory: Path
    spec: dict[str, str]
    k: int
    cores: list[SpatialCore]
    routing_board: dict[int, tuple[int, list[int], list[tuple[int, int]]]]  # pid -> (src, dsts, segments)
    instr_latency: dict[str, int]
    warnings: list[str] = field(default_factory=list)  # what the original also only warns about

    def tensor_size(self, tid: int) -> int | None:
        for core in self.cores:
            if tid in core.data:
                return math.prod(core.data[tid][1])
        return None


def _resolve(directory: Path, value: str, key: str, required: bool = True) -> Path | None:
    p = Path(value)
    if not p.is_absolute():
        return directory / p
    if p.exists():
        return p
    alt = directory / p.name
    if alt.exists():
        return alt
    if not required:
        return None
    raise FocusError(f"{directory / 'task_spec'}: {key} = {value} does not exist (nor {alt}), "
                     "expected a file of the task directory")


def _ints(text: str, where: str) -> list[int]:
    out = []
    for tok in re.split(r"[,\s]+", text.strip()):
        if not tok:
            continue
        try:
            out.append(int(float(tok)))
        except ValueError:
            raise FocusError(f"{where}: {tok!r} is not a number") from None
    return out


def parse_core_file(path: Path) -> SpatialCore:
    """spatial_sim's parser.cpp: `operators`/`data` sections, `{` opens a block, `//` lines skipped."""
    core = SpatialCore()
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise FocusError(f"{path}: cannot read core file ({exc.strerror})") from None
    section = None
    for n, line in enumerate(lines, 1):
        where = f"{path}:{n}"
        if "//" in line:
            continue
        s = line.strip()
        if not s:
            continue
        if "operators" in s:
            section = "ops"
            continue
        if "data" in s and "#" not in s:
            section = "data"
            continue
        if section == "ops":
            if s.startswith("{"):
                core.blocks.append([])
                core.raw_blocks.append([])
                continue
            if s.startswith("}"):
                continue
            if not core.blocks:
                raise FocusError(f"{where}: instruction outside a '{{ ... }}' operator block")
            parts = [x.strip() for x in s.split("#")]
            kind = parts[0]
            core.raw_blocks[-1].append(s)
            if kind == "assemble":
                if len(parts) != 2 or not parts[1]:
                    raise FocusError(f"{where}: {s!r}, expected 'assemble # <instruction> <operands>'")
                toks = parts[1].split()
                core.blocks[-1].append((toks[0], toks[1:]))
            elif kind in ("compute", "manipulate"):
                core.blocks[-1].append((kind, parts[1:]))
            else:
                raise FocusError(f"{where}: operator type {kind!r}, expected assemble, compute or manipulate")
        elif section == "data":
            parts = [x.strip() for x in s.split("#")]
            if len(parts) != 3:
                raise FocusError(f"{where}: data line {s!r}, expected 'tid # dests # dims'")
            tid = _ints(parts[0], where)
            if len(tid) != 1:
                raise FocusError(f"{where}: data line {s!r}, expected one tensor id")
            core.data[tid[0]] = (_ints(parts[1], where), _ints(parts[2], where))
        else:
            raise FocusError(f"{where}: {s!r} before an 'operators:' or 'data:' section")
    return core


def parse_routing_board(path: Path) -> dict[int, tuple[int, list[int], list[tuple[int, int]]]]:
    board: dict[int, tuple[int, list[int], list[tuple[int, int]]]] = {}
    try:
        text = path.read_text()
    except OSError as exc:
        raise FocusError(f"{path}: cannot read routing board ({exc.strerror})") from None
    cur = None
    for n, line in enumerate(text.splitlines(), 1):
        toks = line.split()
        if not toks:
            cur = None
            continue
        nums = _ints(line, f"{path}:{n}")
        if cur is None:
            if len(nums) < 3:
                raise FocusError(f"{path}:{n}: block header {line!r}, expected 'pid src dst...'")
            cur = nums[0]
            board[cur] = (nums[1], nums[2:], [])
        else:
            if len(nums) != 2:
                raise FocusError(f"{path}:{n}: segment {line!r} with intermediate nodes (spatial_sim crashes "
                                 "on them), expected 'u v'")
            board[cur][2].append((nums[0], nums[1]))
    return board


def parse_instr_latency(path: Path) -> dict[str, int]:
    table: dict[str, int] = {}
    try:
        text = path.read_text()
    except OSError as exc:
        raise FocusError(f"{path}: cannot read instruction latencies ({exc.strerror})") from None
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("//")[0].strip()
        if not line:
            continue
        toks = [t for t in re.split(r"[\s=:,;#]+", line) if t]
        if len(toks) != 2:
            raise FocusError(f"{path}:{n}: {line!r}, expected '<instruction> <cycles>'")
        try:
            table[toks[0]] = int(toks[1])
        except ValueError:
            raise FocusError(f"{path}:{n}: latency {toks[1]!r} is not an integer") from None
    return table


def read_spatial_sim_dir(directory: str | Path) -> SpatialTask:
    """Parse an original task directory (task_spec, c<N>.inst, routing_board, instruction latencies)."""
    d = Path(directory)
    spec_path = d / "task_spec"
    if not spec_path.is_file():
        raise FocusError(f"{d}: no task_spec file, expected a spatial_sim task directory")
    spec = parse_config_text(spec_path.read_text(), str(spec_path))
    if "tasks" not in spec:
        raise FocusError(f"{spec_path}: no 'tasks = {{...}};' entry")
    names = [x.strip() for x in spec["tasks"].strip("{}").split(",") if x.strip()]
    if not names:
        raise FocusError(f"{spec_path}: tasks = {spec['tasks']}, expected at least one core file")
    k = int(spec["k"]) if "k" in spec else math.isqrt(len(names))
    if k * k < len(names):
        raise FocusError(f"{spec_path}: k = {k} but {len(names)} core files, expected at most k*k")
    cores = []
    for name in names:
        cores.append(parse_core_file(_resolve(d, name, "tasks")))
    board = {}
    warnings = []
    if "routing_board" in spec:
        p = _resolve(d, spec["routing_board"], "routing_board", required=False) if spec["routing_board"] else None
        if p is not None and p.exists():
            board = parse_routing_board(p)
        else:
            # the original only warns ("the routing board is set empty") and routes by dimension order
            warnings.append(f"{spec_path}: routing_board = {spec['routing_board']} does not exist, "
                            "the routing board is empty (dimension-order routes), as in spatial_sim")
    lat = {}
    if "micro_instr_latency" in spec:
        lat = parse_instr_latency(_resolve(d, spec["micro_instr_latency"], "micro_instr_latency"))
    return SpatialTask(directory=d, spec=spec, k=k, cores=cores, routing_board=board, instr_latency=lat,
                       warnings=warnings)


def _xy_segment(k: int, a: int, b: int) -> list[tuple[int, int]]:
    links = []
    x, y = a % k, a // k
    bx, by = b % k, b // k
    while x != bx:
        nx = x + (1 if bx > x else -1)
        links.append((y * k + x, y * k + nx))
        x = nx
    while y != by:
        ny = y + (1 if by > y else -1)
        links.append((y * k + x, ny * k + x))
        y = ny
    return links


def to_program(task: SpatialTask, *, multicast: bool = False) -> PackedProgram:
    """The task as a PackedProgram for core_model "spatial_sim" (one message per tensor id)."""
    k = task.k
    b = ProgramBuilder(k, k)
    tags: dict[int, int] = {}
    width = int(task.spec.get("channel_width", "128"))
    if width < 1:
        raise FocusError(f"{task.directory}/task_spec: channel_width = {width}, expected >= 1")
    sends: dict[int, tuple[int, list[int]]] = {}
    lat = task.instr_latency

    def fixed(core: int, name: str, where: str) -> int:
        return lat.get(name, 1)

    def bus_cost(core: int, tid_text: str, where: str) -> int:
        tid = int(tid_text)
        size = task.tensor_size(tid)
        if size is None:
            raise FocusError(f"{where}: tensor {tid} has no data line in any core file")
        return size // 10240

    # first pass: expand compute/manipulate forms into micro-instructions
    programs: list[list[list[tuple[str, list[str]]]]] = []
    for c, core in enumerate(task.cores):
        blocks = []
        for bi, blk in enumerate(core.blocks):
            where = f"{task.directory}/c{c}.inst block {bi}"
            out: list[tuple[str, list[str]]] = []
            for ins, ops in blk:
                if ins == "compute":
                    if len(ops) != 3:
                        raise FocusError(f"{where}: compute line, expected 'compute # config # outs # ins'")
                    cfg_text, outs, ins_ = ops
                    if cfg_text.strip():
                        raise FocusError(f"{where}: 'compute # {cfg_text} # ...' lowers to ACC.cal, which "
                                         "spatial_sim aborts on (its accelerator component is named "
                                         "ACCELERATOR but looked up as ACC); not simulated")
                    in_ids, out_ids = _ints(ins_, where), _ints(outs, where)
                    for t in in_ids:
                        out += [("NI.recv", [str(t)]), ("BUS.trans", [str(t)]), ("BUFFER.write", [str(t)])]
                    for o in out_ids:
                        for t in in_ids:
                            out += [("BUFFER.read", [str(t)]), ("BUS.trans", [str(t)])]
                        out += [("CPU.sleep", ["1"]), ("BUS.trans", [str(o)]), ("BUFFER.write", [str(o)]),
                                ("BUFFER.read", [str(o)]), ("BUS.trans", [str(o)])]
                        if o not in core.data:
                            raise FocusError(f"{where}: output tensor {o} has no data line in c{c}.inst")
                        out.append(("NI.send", [str(o)] + [str(d) for d in core.data[o][0]]))
                elif ins == "manipulate":
                    if len(ops) != 3:
                        raise FocusError(f"{where}: manipulate line, expected 'manipulate # interval # iters # outs'")
                    interval, iters = _ints(ops[0], where), _ints(ops[1], where)
                    if len(interval) != 1 or len(iters) != 1:
                        raise FocusError(f"{where}: manipulate interval/iterations must be single numbers")
                    for _ in range(iters[0]):
                        for o in _ints(ops[2], where):
                            if o not in core.data:
                                raise FocusError(f"{where}: output tensor {o} has no data line in c{c}.inst")
                            out.append(("NI.send", [str(o)] + [str(d) for d in core.data[o][0]]))
                        out.append(("CPU.sleep", [str(interval[0])]))
                else:
                    out.append((ins, ops))
            blocks.append(out)
        programs.append(blocks)
    # messages: one per tensor id sent
    for c, blocks in enumerate(programs):
        for bi, blk in enumerate(blocks):
            where = f"{task.directory}/c{c}.inst block {bi}"
            for ins, ops in blk:
                if ins != "NI.send":
                    continue
                if not ops:
                    raise FocusError(f"{where}: NI.send without a tensor id")
                tid = int(ops[0])
                dsts = [int(x) for x in ops[1:] if int(x) != c]
                for d in dsts:
                    if not 0 <= d < k * k:
                        raise FocusError(f"{where}: NI.send {tid} to core {d}, outside the {k}x{k} mesh")
                if tid not in task.cores[c].data:
                    raise FocusError(f"{where}: NI.send {tid}: the tensor has no data line in c{c}.inst "
                                     "(spatial_sim asserts)")
                if not dsts:
                    continue
                prev = sends.get(tid)
                if prev is not None and (prev[0] != c or prev[1] != dsts):
                    raise FocusError(f"{where}: NI.send {tid} from core {c} to {dsts}, but tensor {tid} is also "
                                     f"sent from core {prev[0]} to {prev[1]}")
                sends[tid] = (c, dsts)
    for tid in sorted(sends):
        c, dsts = sends[tid]
        size = math.prod(task.cores[c].data[tid][1])
        flits = max(1, math.ceil(size / width))
        tree = None
        if multicast and len(dsts) > 1:
            entry = task.routing_board.get(tid)
            if entry is None:
                raise FocusError(f"{task.directory}: tensor {tid} goes to {len(dsts)} cores but has no "
                                 "routing_board tree (the MULTICAST simulator asserts)")
            tree = [link for a, bb in entry[2] for link in _xy_segment(k, a, bb)]
        tags[tid] = b.add_message(c, dsts, flits, tree_edges=tree, name=f"t{tid}",
                                  mode="tree" if tree is not None else "copies")
    for c, blocks in enumerate(programs):
        for bi, blk in enumerate(blocks):
            where = f"{task.directory}/c{c}.inst block {bi}"
            bb = b.block(c, f"c{c}.{bi}")
            for ins, ops in blk:
                if ins == "NI.send":
                    tid = int(ops[0])
                    if tid in tags:
                        bb.send(tags[tid])
                    else:  # every destination was the sender itself: completes at clk + 1
                        bb.compute(1)
                elif ins == "NI.recv":
                    tid = int(ops[0]) if ops else -1
                    if tid not in tags or c not in sends[tid][1]:
                        raise FocusError(f"{where}: NI.recv {tid}: no core sends tensor {tid} to core {c}, "
                                         "the receive would wait forever")
                    bb.recv(tags[tid])
                elif ins == "CPU.sleep":
                    n = _ints(" ".join(ops), where)
                    if len(n) != 1 or n[0] < 0:
                        raise FocusError(f"{where}: CPU.sleep {' '.join(ops)}, expected one cycle count >= 0")
                    bb.compute(n[0])
                elif ins in ("CPU.poll", "CPU.reshape"):
                    bb.compute(fixed(c, ins, where))
                elif ins in ("BUS.trans", "BUFFER.read", "BUFFER.write"):
                    if len(ops) != 1:
                        raise FocusError(f"{where}: {ins} {' '.join(ops)}, expected one tensor id")
                    bb.compute(bus_cost(c, ops[0], where))
                elif ins == "ACC.cal":
                    raise FocusError(f"{where}: ACC.cal: spatial_sim aborts on this instruction (its accelerator "
                                     "component is named ACCELERATOR but looked up as ACC); not simulated")
                else:
                    raise FocusError(f"{where}: unknown micro-instruction {ins!r}, expected NI.send, NI.recv, "
                                     "CPU.sleep, CPU.poll, CPU.reshape, BUS.trans, BUFFER.read or BUFFER.write")
    return b.build()


def spatial_config(task: SpatialTask, **overrides) -> SimConfig:
    """spatial_sim's router and interface parameters (spec values, else its defaults)."""
    s = task.spec

    def geti(key: str, default: int) -> int:
        try:
            return int(float(s.get(key, default)))
        except ValueError:
            raise FocusError(f"{task.directory}/task_spec: {key} = {s[key]}, expected a number") from None

    nv = geti("num_vcs", 4)
    router = s.get("router", "mc")  # spatial_sim's default since 2025 (before: iq)
    if router not in ROUTERS:
        raise FocusError(f"{task.directory}/task_spec: router = {router}, expected mc or iq")
    width = geti("channel_width", 128)
    vals = {
        "width": task.k, "height": task.k, "num_vcs": nv, "vc_buf_size": geti("vc_buf_size", 2),
        "routing_delay": geti("routing_delay", 1), "vc_alloc_delay": geti("vc_alloc_delay", 1),
        "sw_alloc_delay": geti("sw_alloc_delay", 1), "st_prepare_delay": geti("st_prepare_delay", 0),
        "st_final_delay": geti("st_final_delay", 1), "credit_delay": geti("credit_delay", 0),
        "alloc_iters": geti("alloc_iters", 1), "vc_lo": 0, "vc_hi": max(1, nv // 2) - 1,
        "multicast_mode": "sync", "router": router, "injection_queue": 0, "flit_bits": width, "link_bits": width, "recv_at_head": True,
        "core_model": "spatial_sim", "spatial_threshold": geti("threshold", 2),
        "deadlock_window": max(1, geti("deadlock_check_freq", 100000)),
    }
    vals.update(overrides)
    return SimConfig(**vals).validated()


def simulate_spatial_sim(directory: str | Path, *, multicast: bool = False, **overrides):
    """Read a task directory and run it in spatial_sim compatibility mode; returns the SimResult."""
    from backend_sim.engine import simulate

    task = read_spatial_sim_dir(directory)
    prog = to_program(task, multicast=multicast)
    return simulate(prog, spatial_config(task, **overrides))

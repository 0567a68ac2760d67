"""Export a pe_isa module as a task directory of the original spatial_sim simulator, and read one back.

Format (docs: focus-original.md section 5 and 6.2), PE id = y * k + x with k = max(width, height):
* `c<N>.inst` for every PE of the k x k mesh: `operators:` then one `{ ... }` per block with
  `assemble # NI.send <pid> <dst>...`, `assemble # NI.recv <pid>`, `assemble # CPU.sleep <cycles>` lines
  (loops unrolled), then `data:` with `<pid> # <dst>, <dst> # <size>` for every packet this PE sends;
* `routing_board`: `<pid> <src> <dst>...`, one `<u> <v>` line per route link, a blank line, for every packet
  of a multicast message or of a unicast whose route is not the XY path;
* `task_spec` (BookSim config syntax), `instr_latency`, and `focus_meta.json` (block names and message
  labels, vc and mode, for our reader; the simulator ignores it).
Every send of tag T gets a fresh pid (the original's one pid per packet): the k-th send of T and the
k-th recv of T at each destination share a pid, which is our matching rule. `compute N` becomes
`CPU.sleep N`; `mem_read`/`mem_write` of B bytes become `CPU.sleep ceil(B / dram_bytes_per_cycle)` preceded
by a `// mem_read B` comment line (the simulator skips lines containing `//`; our reader restores the op).
The data size is `flits * channel_width`, so the simulator's `ceil(size / channel_width)` gives our flits.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from focus_dialects import pe_isa
from focus_dialects.chip import find_device
from focus_tools.errors import FocusError

Coord = tuple[int, int]
Instr = tuple  # ("send"|"recv", tag) | ("compute"|"mem_read"|"mem_write", n)
META = "focus_meta.json"
INSTR_LATENCY = (
    ("NI.send", 1), ("NI.recv", 1), ("CPU.reshape", 1), ("CPU.poll", 1), ("CPU.sleep", 1), ("ACC.cal", 256),
    ("BUS.trans", 10240), ("BUFFER.read", 10240), ("BUFFER.write", 10240),
)


@dataclass
class TaskMessage:
    tag: int
    src: Coord
    dsts: list[Coord]
    flits: int
    route: list[tuple[Coord, Coord]]
    vc: int = 0
    mode: str = "tree"
    label: str = ""


@dataclass
class SpatialSimTask:
    """Flat per-PE programs: pe -> [(block name, [instructions])], plus the message table by tag."""

    width: int
    height: int
    programs: dict[Coord, list[tuple[str, list[Instr]]]] = field(default_factory=dict)
    messages: dict[int, TaskMessage] = field(default_factory=dict)
    memory_pes: list[Coord] = field(default_factory=list)


def flatten_block(ops) -> list[Instr]:
    """A block's instructions with loops unrolled."""
    out: list[Instr] = []
    for op in ops:
        if isinstance(op, pe_isa.LoopOp):
            body = flatten_block(op.body.block.ops)
            out.extend(body * op.count.value.data)
        elif isinstance(op, pe_isa.SendOp):
            out.append(("send", op.tag.value.data))
        elif isinstance(op, pe_isa.RecvOp):
            out.append(("recv", op.tag.value.data))
        elif isinstance(op, pe_isa.ComputeOp):
            out.append(("compute", op.cycles.value.data))
        elif isinstance(op, pe_isa.MemReadOp):
            out.append(("mem_read", op.bytes.value.data))
        elif isinstance(op, pe_isa.MemWriteOp):
            out.append(("mem_write", op.bytes.value.data))
        else:
            raise FocusError(f"spatial-sim: unexpected op {op.name} in a pe_isa.block")
    return out


def task_of_module(module: ModuleOp) -> SpatialSimTask:
    """The flat (unrolled) programs and message table of a pe_isa module."""
    dev = find_device(module)
    if dev is None:
        raise FocusError("spatial-sim: the module has no chip.device op")
    w, h = dev.mesh
    task = SpatialSimTask(w, h, memory_pes=list(dev.memory))
    for op in module.ops:
        if isinstance(op, pe_isa.MessageOp):
            tag = op.tag.value.data
            if tag in task.messages:
                raise FocusError(f"spatial-sim: message tag {tag} is defined twice")
            task.messages[tag] = TaskMessage(
                tag, op.src.xy, op.dsts.coords, op.flits.value.data, op.route.links, op.vc.value.data,
                op.mode.data, op.label.data if op.label is not None else "")
        elif isinstance(op, pe_isa.ProgramOp):
            blocks = task.programs.setdefault(op.pe.xy, [])
            for b in op.body.block.ops:
                assert isinstance(b, pe_isa.BlockOp)
                blocks.append((b.block_name.data, flatten_block(b.body.block.ops)))
    return task


def _xy_links(src: Coord, dst: Coord) -> list[tuple[Coord, Coord]]:
    nodes = [src]
    x, y = src
    while x != dst[0]:
        x += 1 if dst[0] > x else -1
        nodes.append((x, y))
    while y != dst[1]:
        y += 1 if dst[1] > y else -1
        nodes.append((x, y))
    return list(itertools.pairwise(nodes))


def export_spatial_sim(module: ModuleOp, out_dir: str | os.PathLike, *, channel_width: int = 128) -> dict:
    """Write the task directory; returns counts (cores, instructions, packets)."""
    dev = find_device(module)
    if dev is None:
        raise FocusError("spatial-sim: the module has no chip.device op")
    if channel_width < 1:
        raise FocusError(f"spatial-sim: channel_width ({channel_width}) must be at least 1")
    task = task_of_module(module)
    bw = dev.dram_bytes_per_cycle.value.data
    k = max(task.width, task.height)

    def pid_pe(pe: Coord) -> int:
        return pe[1] * k + pe[0]

    # pids: per tag, one per static send, in tag order
    sends: dict[int, int] = defaultdict(int)
    for pe, blocks in task.programs.items():
        for _, instrs in blocks:
            for ins in instrs:
                if ins[0] == "send":
                    if ins[1] not in task.messages:
                        raise FocusError(f"spatial-sim: send tag {ins[1]} on {pe}: no pe_isa.message has this tag")
                    sends[ins[1]] += 1
    base: dict[int, int] = {}
    nxt = 0
    for tag in sorted(task.messages):
        base[tag] = nxt
        nxt += sends.get(tag, 0)

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FocusError(f"spatial-sim: cannot create {out} ({exc.strerror}), expected a writable directory") from None
    root = out.resolve()

    n_instr = 0
    send_seen: dict[int, int] = defaultdict(int)
    data_lines: dict[Coord, list[str]] = defaultdict(list)  # filled by the PE's own sends, before its data:
    for y in range(k):
        for x in range(k):
            pe = (x, y)
            lines = ["operators:"]
            recv_seen: dict[int, int] = defaultdict(int)
            for _name, instrs in task.programs.get(pe, []):
                lines.append("{")
                for ins in instrs:
                    kind = ins[0]
                    if kind == "send":
                        m = task.messages[ins[1]]
                        pid = base[ins[1]] + send_seen[ins[1]]
                        send_seen[ins[1]] += 1
                        dsts = [pid_pe(d) for d in m.dsts]
                        lines.append(f"assemble # NI.send {pid} " + " ".join(map(str, dsts)))
                        data_lines[pe].append(f"{pid} # {', '.join(map(str, dsts))} # {m.flits * channel_width}")
                    elif kind == "recv":
                        if ins[1] not in task.messages:
                            raise FocusError(f"spatial-sim: recv tag {ins[1]} on {pe}: no pe_isa.message has this tag")
                        pid = base[ins[1]] + recv_seen[ins[1]]
                        recv_seen[ins[1]] += 1
                        lines.append(f"assemble # NI.recv {pid}")
                    elif kind == "compute":
                        lines.append(f"assemble # CPU.sleep {ins[1]}")
                    else:  # mem_read / mem_write: DRAM time at the device's bandwidth
                        lines.append(f"// {kind} {ins[1]}")
                        lines.append(f"assemble # CPU.sleep {math.ceil(ins[1] / bw)}")
                    n_instr += 1
                lines.append("}")
            lines.append("data:")
            lines.extend(data_lines.get(pe, []))
            (out / f"c{pid_pe(pe)}.inst").write_text("\n".join(lines) + "\n")
    board: list[str] = []
    for tag in sorted(task.messages):
        m = task.messages[tag]
        if len(m.dsts) == 1 and sorted(m.route) == sorted(_xy_links(m.src, m.dsts[0])):
            continue  # a unicast on the XY path: the simulator's default
        edges = [f"{pid_pe(a)} {pid_pe(b)}" for a, b in m.route]
        head_dsts = " ".join(str(pid_pe(d)) for d in m.dsts)
        for i in range(sends.get(tag, 0)):
            board.append(f"{base[tag] + i} {pid_pe(m.src)} {head_dsts}")
            board.extend(edges)
            board.append("")
    (out / "routing_board").write_text("".join(line + "\n" for line in board))

    (out / "instr_latency").write_text("".join(f"{n} {v}\n" for n, v in INSTR_LATENCY))
    tasks = ",".join(f"c{i}.inst" for i in range(k * k))
    spec = [
        "// spatial_sim task written by focus (-t spatial-sim)",
        "log_file = out.log;",
        "threshold = 10240;",
        "deadlock_check_freq = 100000;",
        "topology = mesh;",
        f"k = {k};",
        "n = 2;",
        "sim_type = throughput;",
        "sim_power = 0;",
        f"channel_width = {channel_width};",
        "routing_function = src_routing;",
        f"num_vcs = {dev.num_vcs.value.data};",
        f"vc_buf_size = {dev.vc_buf_flits.value.data};",
        f"tasks = {{{tasks}}};",
        f"working_directory = {root};",
        f"micro_instr_latency = {root / 'instr_latency'};",
        f"routing_board = {root / 'routing_board'};",
    ]
    (out / "task_spec").write_text("\n".join(spec) + "\n")

    meta = {
        "format": "focus spatial-sim export 1",
        "width": task.width, "height": task.height, "k": k, "channel_width": channel_width,
        "memory_pes": [list(p) for p in task.memory_pes],
        "messages": [
            {"tag": tag, "first_pid": base[tag], "packets": sends.get(tag, 0), "label": task.messages[tag].label,
             "vc": task.messages[tag].vc, "mode": task.messages[tag].mode, "flits": task.messages[tag].flits,
             "src": list(task.messages[tag].src), "dsts": [list(d) for d in task.messages[tag].dsts],
             "route": [[list(a), list(b)] for a, b in task.messages[tag].route]}
            for tag in sorted(task.messages)
        ],
        "blocks": {f"{pe[0]},{pe[1]}": [name for name, _ in blocks]
                   for pe, blocks in sorted(task.programs.items(), key=lambda kv: (kv[0][1], kv[0][0]))},
    }
    (out / META).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    return {"cores": k * k, "instructions": n_instr, "packets": nxt}


# ---- reader -------------------------------------------------------------------------------------------
def _parse_inst(path: Path) -> tuple[list[list[tuple[str, str]]], list[tuple[int, list[int], int]]]:
    """Blocks of (instruction, preceding comment) and data lines (pid, dsts, size) of one c<N>.inst."""
    section = None
    blocks: list[list[tuple[str, str]]] = []
    data: list[tuple[int, list[int], int]] = []
    comment = ""
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if "//" in line:
            comment = line.split("//", 1)[1].strip()
            continue
        if line.startswith("operators"):
            section = "operators"
            continue
        if line.startswith("data"):
            section = "data"
            continue
        where = f"{path.name}:{lineno}"
        if section == "operators":
            if line == "{":
                blocks.append([])
                continue
            if line == "}":
                continue
            kind, _, rest = (s.strip() for s in line.partition("#"))
            if kind != "assemble":
                raise FocusError(f"{where}: operator line '{line}', only 'assemble # <instruction>' is supported")
            if not blocks:
                raise FocusError(f"{where}: instruction outside a '{{ ... }}' block")
            blocks[-1].append((rest, comment))
            comment = ""
        elif section == "data":
            parts = [p.strip() for p in line.split("#")]
            if len(parts) != 3:
                raise FocusError(f"{where}: data line '{line}', expected '<pid> # <dsts> # <size>'")
            try:
                pid = int(parts[0])
                dsts = [int(d) for d in parts[1].split(",") if d.strip()]
                dims = [int(float(d)) for d in parts[2].replace(",", " ").split()]
            except ValueError:
                raise FocusError(f"{where}: data line '{line}', expected integers") from None
            data.append((pid, dsts, math.prod(dims) if dims else 0))
        else:
            raise FocusError(f"{where}: '{line}' before an 'operators:' or 'data:' section")
    return blocks, data


def _parse_board(path: Path) -> dict[int, list[tuple[int, int]]]:
    trees: dict[int, list[tuple[int, int]]] = {}
    if not path.is_file():
        return trees
    cur: int | None = None
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        parts = raw.split()
        if not parts:
            cur = None
            continue
        try:
            nums = [int(p) for p in parts]
        except ValueError:
            raise FocusError(f"{path.name}:{lineno}: '{raw}', expected integers") from None
        if cur is None:
            cur = nums[0]
            trees[cur] = []
        elif len(nums) == 2:
            trees[cur].append((nums[0], nums[1]))
        else:
            raise FocusError(f"{path.name}:{lineno}: segment '{raw}' with intermediate nodes is not supported")
    return trees


def _spec_values(path: Path) -> dict[str, str]:
    vals: dict[str, str] = {}
    if not path.is_file():
        return vals
    for raw in path.read_text().splitlines():
        line = raw.split("//", 1)[0].strip()
        if "=" in line:
            key, _, val = line.partition("=")
            vals[key.strip()] = val.strip().rstrip(";").strip()
    return vals


def read_spatial_sim_task(task_dir: str | os.PathLike) -> SpatialSimTask:
    """Parse a spatial_sim task directory into flat per-PE programs.

    With our `focus_meta.json`, pids map back to tags and names are restored; without it (a task written
    by the original FOCUS), every pid is its own message and blocks are named `c<N>.<i>`.
    """
    d = Path(task_dir)
    if not d.is_dir():
        raise FocusError(f"{d}: not a directory, expected a spatial_sim task directory")
    spec = _spec_values(d / "task_spec") or _spec_values(d / "spatial_spec")
    meta = json.loads((d / META).read_text()) if (d / META).is_file() else None
    k = int(meta["k"]) if meta else int(spec.get("k", "0") or 0)
    if k < 1:
        raise FocusError(f"{d}: mesh size k unknown, expected 'k = N;' in task_spec")
    channel_width = int(meta["channel_width"]) if meta else int(spec.get("channel_width", "128"))
    width, height = (int(meta["width"]), int(meta["height"])) if meta else (k, k)

    def coord(node: int) -> Coord:
        return (node % k, node // k)

    pid_tag: dict[int, int] = {}
    task = SpatialSimTask(width, height)
    if meta:
        task.memory_pes = [tuple(p) for p in meta["memory_pes"]]
        for m in meta["messages"]:
            tag = int(m["tag"])
            for i in range(int(m["packets"])):
                pid_tag[int(m["first_pid"]) + i] = tag
            task.messages[tag] = TaskMessage(
                tag, tuple(m["src"]), [tuple(x) for x in m["dsts"]], int(m["flits"]),
                [(tuple(a), tuple(b)) for a, b in m["route"]], int(m["vc"]), m["mode"], m["label"])
    board = _parse_board(d / "routing_board")
    files = sorted(d.glob("c*.inst"), key=lambda p: int(p.stem[1:]) if p.stem[1:].isdigit() else -1)
    for path in files:
        if not path.stem[1:].isdigit():
            continue
        node = int(path.stem[1:])
        pe = coord(node)
        blocks, data = _parse_inst(path)
        for pid, dsts, size in data:
            if pid in pid_tag:
                continue
            links: list[tuple[Coord, Coord]] = []
            segments = board.get(pid) or [(node, dd) for dd in dsts]
            for a, b in segments:  # a segment is XY-routed between its two ends
                links += [lk for lk in _xy_links(coord(a), coord(b)) if lk not in links]
            pid_tag[pid] = pid
            task.messages[pid] = TaskMessage(pid, pe, [coord(x) for x in dsts], max(1, math.ceil(size / channel_width)),
                                             links, label=f"pid{pid}")
        names = meta["blocks"].get(f"{pe[0]},{pe[1]}", []) if meta else []
        out_blocks = []
        for i, blk in enumerate(blocks):
            instrs: list[Instr] = []
            for text, comment in blk:
                parts = text.split()
                where = f"{path.name}: '{text}'"
                if not parts:
                    raise FocusError(f"{where}: empty instruction")
                try:
                    if parts[0] == "NI.send":
                        instrs.append(("send", pid_tag.get(int(parts[1]), int(parts[1]))))
                    elif parts[0] == "NI.recv":
                        instrs.append(("recv", pid_tag.get(int(parts[1]), int(parts[1]))))
                    elif parts[0] == "CPU.sleep":
                        c = comment.split()
                        if len(c) == 2 and c[0] in ("mem_read", "mem_write"):
                            instrs.append((c[0], int(c[1])))
                        else:
                            instrs.append(("compute", int(parts[1])))
                    else:
                        raise FocusError(f"{where}: unsupported instruction, expected NI.send, NI.recv or CPU.sleep")
                except (IndexError, ValueError):
                    raise FocusError(f"{where}: malformed instruction") from None
            out_blocks.append((names[i] if i < len(names) else f"c{node}.{i}", instrs))
        if out_blocks:
            task.programs[pe] = out_blocks
    if not meta:  # memory PEs: those that do DRAM transfers
        task.memory_pes = sorted({pe for pe, blocks in task.programs.items() for _, ins in blocks
                                  for i in ins if i[0] in ("mem_read", "mem_write")}, key=lambda p: (p[1], p[0]))
    return task


def task_to_module(task: SpatialSimTask) -> ModuleOp:
    """A pe_isa module (flat blocks, no loops) of a task; the device uses default link parameters."""
    from focus_dialects.chip import DeviceOp, RouteAttr

    ops = [DeviceOp("spatial_sim", task.width, task.height, task.memory_pes)]
    for tag in sorted(task.messages):
        m = task.messages[tag]
        ops.append(pe_isa.MessageOp(tag, m.src, m.dsts, m.flits, RouteAttr(m.route), vc=m.vc, mode=m.mode,
                                    label=m.label or None))
    for pe in sorted(task.programs, key=lambda p: (p[1], p[0])):
        blocks = []
        for name, instrs in task.programs[pe]:
            body = []
            for kind, v in instrs:
                cls = {"send": pe_isa.SendOp, "recv": pe_isa.RecvOp, "compute": pe_isa.ComputeOp,
                       "mem_read": pe_isa.MemReadOp, "mem_write": pe_isa.MemWriteOp}[kind]
                body.append(cls(v))
            blk = pe_isa.BlockOp(name, body)
            blocks.append(blk)
        ops.append(pe_isa.ProgramOp(pe, blocks))
    return ModuleOp(ops)


__all__ = ["SpatialSimTask", "export_spatial_sim", "read_spatial_sim_task", "task_of_module", "task_to_module"]

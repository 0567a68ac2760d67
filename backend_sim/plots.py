"""PNG plots of a compiled and simulated workload, and drawings of every IR level (matplotlib Agg, networkx).

Plot functions take plain data (dicts, lists, numpy arrays, networkx graphs) and a path; the `*_from_ir`
helpers turn a module of any level into that data. No pyplot: every figure is a standalone
`matplotlib.figure.Figure`, so nothing global is touched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

LEVELS = ("tensor_op", "tiled_subop", "placed_subop", "routed_message", "pe_isa")
DPI = 110
ARROW_LIMIT = 600  # above this many edges, draw plain lines (each arrow patch costs milliseconds)


# ---- common helpers ----------------------------------------------------------------------------------
def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(min(max(width, 3.0), 60.0), min(max(height, 2.5), 60.0)), dpi=DPI)


def _save(fig, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None})
    tmp.replace(path)
    return path


def layer_colors(names: Iterable[str]) -> dict[str, tuple]:
    """A stable colour per name (tab20 in first-seen order, cycling)."""
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    out: dict[str, tuple] = {}
    for name in names:
        if name not in out:
            out[name] = cmap(len(out) % 20)
    return out


def short(name: str, limit: int = 18) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "~"


def _patches(ax, patches: list, facecolors, edgecolors="none", linewidths=0.0, alpha=None, zorder=1.0) -> None:
    """Add many patches as one collection (ax.add_patch per patch is slow: it updates the data limits)."""
    from matplotlib.collections import PatchCollection

    if patches:
        ax.add_collection(PatchCollection(patches, facecolors=facecolors, edgecolors=edgecolors,
                                          linewidths=linewidths, alpha=alpha, zorder=zorder))


def _cells(cells: list[tuple[float, float, str, int, int]]) -> tuple[list, list]:
    """(x, y, colour, k, n) -> Rectangles: PE (x, y) split into n vertical stripes, this one the k-th."""
    from matplotlib.patches import Rectangle

    rects, colors = [], []
    for x, y, color, k, n in cells:
        rects.append(Rectangle((x - 0.45 + 0.9 * k / n, -y - 0.45), 0.9 / n, 0.9))
        colors.append(color)
    return rects, colors


def _mesh_axes(ax, width: int, height: int, memory: Iterable[tuple[int, int]] = ()) -> None:
    """PE (x, y) drawn as a unit square centred on (x, -y): north at the top, west at the left; memory PEs
    darker with an "M" in the corner."""
    from matplotlib.patches import Rectangle

    mem = set(map(tuple, memory))
    rects, face, edge, lw = [], [], [], []
    for y in range(height):
        for x in range(width):
            is_mem = (x, y) in mem
            rects.append(Rectangle((x - 0.45, -y - 0.45), 0.9, 0.9))
            face.append("#d5d5d5" if is_mem else "#f4f4f4")
            edge.append("#777777" if is_mem else "#aaaaaa")
            lw.append(0.9 if is_mem else 0.5)
            if is_mem and width * height <= 400:
                ax.text(x - 0.42, -y + 0.42, "M", fontsize=5, color="#555555", ha="left", va="top", zorder=2)
    _patches(ax, rects, face, edge, lw, zorder=0)
    _mesh_ticks(ax, width, height)
    ax.set_xlabel("x (column)")
    ax.set_ylabel("y (row)")


def _mesh_ticks(ax, width: int, height: int) -> None:
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(-height + 0.4, 0.6)
    ax.set_aspect("equal")
    ax.set_xticks(range(width))
    ax.set_yticks([-y for y in range(height)])
    ax.set_yticklabels([str(y) for y in range(height)])
    ax.tick_params(labelsize=7, left=True, bottom=True, labelleft=True, labelbottom=True)


def _legend(ax, colors: dict[str, tuple], limit: int = 24, **kw) -> None:
    from matplotlib.patches import Patch

    items = list(colors.items())
    handles = [Patch(color=c, label=short(n, 28)) for n, c in items[:limit]]
    if len(items) > limit:
        handles.append(Patch(color="white", label=f"... {len(items) - limit} more"))
    if handles:
        ax.legend(handles=handles, fontsize=7, **({"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)} | kw))


# ---- operator graph ----------------------------------------------------------------------------------
def layer_graph(layers: list[dict]):
    """networkx DiGraph of layers (rows with name, model, kind, workers, deps)."""
    import networkx as nx

    g = nx.DiGraph()
    for row in layers:
        g.add_node(row["name"], model=row.get("model", ""), kind=row.get("kind", ""),
                   workers=row.get("workers", 0))
    for row in layers:
        for d in row.get("deps", ()):
            if d in g:
                g.add_edge(d, row["name"])
    return g


def _layered_positions(g, group_attr: str | None = None) -> dict[Any, tuple[float, float]]:
    """x = topological generation, y = rank within the generation, groups (models) stacked vertically."""
    import networkx as nx

    groups: dict[str, list] = defaultdict(list)
    for n, data in g.nodes(data=True):
        groups[data.get(group_attr, "") if group_attr else ""].append(n)
    pos: dict[Any, tuple[float, float]] = {}
    y0 = 0.0
    for nodes in groups.values():
        sub = g.subgraph(nodes)
        height = 1
        for x, gen in enumerate(nx.topological_generations(sub)):
            for i, n in enumerate(sorted(gen, key=str)):
                pos[n] = (float(x), -(y0 + i))
            height = max(height, len(gen))
        y0 += height + 0.8
    return pos


def plot_layer_graph(layers: list[dict], path: Path, title: str = "operator graph (layers)") -> Path:
    """Layers as nodes (coloured by layer, labelled name/kind/workers), dependencies as arrows."""
    import networkx as nx

    g = layer_graph(layers)
    pos = _layered_positions(g, "model")
    colors = layer_colors(g.nodes)
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    fig = _figure(2.2 * (max(xs) - min(xs) + 1) + 1.5, 1.1 * (max(ys) - min(ys) + 1) + 1.2)
    ax = fig.add_subplot()
    nx.draw_networkx_edges(g, pos, ax=ax, arrows=True, arrowsize=12, edge_color="#555555", node_size=1600)
    nx.draw_networkx_nodes(g, pos, ax=ax, node_color=[colors[n] for n in g.nodes], node_size=1600,
                           edgecolors="#333333", node_shape="s")
    labels = {}
    for n, d in g.nodes(data=True):
        model = d.get("model", "")
        label = n[len(model) + 1:] if model and n.startswith(model + ".") else n
        w = f" x{d['workers']}" if d.get("workers") else ""
        labels[n] = f"{short(label, 14)}\n{d.get('kind', '')}{w}"
    nx.draw_networkx_labels(g, pos, labels, ax=ax, font_size=7)
    for model in sorted({d.get("model", "") for _, d in g.nodes(data=True)}):
        pts = [pos[n] for n, d in g.nodes(data=True) if d.get("model", "") == model]
        if model and pts:
            ax.text(min(p[0] for p in pts) - 0.45, max(p[1] for p in pts) + 0.45, model, fontsize=9,
                    fontweight="bold", va="bottom")
    ax.set_title(title, fontsize=10)
    ax.margins(0.12)
    ax.axis("off")
    fig.tight_layout()
    return _save(fig, path)


def plot_subop_graph(g, path: Path, title: str = "operator graph (sub-operators and streams)",
                     positions: dict | None = None, mesh: tuple[int, int] | None = None,
                     memory: Iterable[tuple[int, int]] = ()) -> Path:
    """Sub-operators (sources as squares, workers as circles, sinks as diamonds) coloured by layer; streams
    as arrows (multicast streams dashed). With `positions`/`mesh` the nodes sit on their PEs."""
    import networkx as nx

    layer_order = [d["layer"] for _, d in g.nodes(data=True)]
    colors = layer_colors(layer_order)
    if positions is None:
        pos = _subop_positions(g)
    else:
        pos = positions
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    if mesh is not None:
        fig = _figure(1.3 * mesh[0] + 3.5, 1.3 * mesh[1] + 0.8)
    else:
        fig = _figure(0.95 * (max(xs) - min(xs) + 1) + 3.5, 0.6 * (max(ys) - min(ys) + 1) + 1.5)
    ax = fig.add_subplot()
    if mesh is not None:
        _mesh_axes(ax, mesh[0], mesh[1], memory)
    n = g.number_of_nodes()
    size = 260 if n < 200 else 90
    uni = [(a, b) for a, b, d in g.edges(data=True) if not d.get("multicast")]
    multi = [(a, b) for a, b, d in g.edges(data=True) if d.get("multicast")]
    # arrow patches cost milliseconds each: large graphs get plain line segments
    arrows = g.number_of_edges() <= ARROW_LIMIT
    style = {"ax": ax, "arrows": arrows, "node_size": size, "width": 0.8}
    if arrows:
        style["arrowsize"] = 8
        if mesh is not None:
            style["connectionstyle"] = "arc3,rad=0.15"
    nx.draw_networkx_edges(g, pos, edgelist=uni, edge_color="#666666", **style)
    nx.draw_networkx_edges(g, pos, edgelist=multi, edge_color="#1f4e9c", style="dashed", **style)
    for role, shape in (("source", "s"), ("worker", "o"), ("sink", "D")):
        nodes = [v for v, d in g.nodes(data=True) if d.get("role") == role]
        if nodes:
            nx.draw_networkx_nodes(g, pos, nodelist=nodes, node_shape=shape, ax=ax, node_size=size,
                                   node_color=[colors[g.nodes[v]["layer"]] for v in nodes], edgecolors="#222222",
                                   linewidths=0.6)
    if n <= 120:
        labels = {v: short(v.rsplit(".", 1)[-1] if g.nodes[v].get("role") != "source" else
                           "src." + v.rsplit(".", 1)[-1], 10) for v in g.nodes}
        nx.draw_networkx_labels(g, pos, labels, ax=ax, font_size=5.5,
                                verticalalignment="bottom" if mesh is None else "center")
    _legend(ax, colors)
    ax.set_title(title + ("" if mesh is None else " on the mesh") + "  (square source, circle worker, "
                 "diamond sink; dashed = multicast)", fontsize=9)
    if mesh is None:
        ax.margins(0.05)
        ax.axis("off")
    else:
        _mesh_ticks(ax, mesh[0], mesh[1])
    fig.tight_layout()
    return _save(fig, path)


def _subop_positions(g) -> dict[str, tuple[float, float]]:
    """Per layer three columns (sources, workers, sink); layers left to right in topological order."""
    import networkx as nx

    layer_g = nx.DiGraph()
    for v, d in g.nodes(data=True):
        layer_g.add_node(d["layer"])
    for a, b in g.edges:
        la, lb = g.nodes[a]["layer"], g.nodes[b]["layer"]
        if la != lb:
            layer_g.add_edge(la, lb)
    try:
        gens = list(nx.topological_generations(layer_g))
    except nx.NetworkXUnfeasible:
        gens = [list(layer_g.nodes)]
    pos: dict[str, tuple[float, float]] = {}
    for gx, gen in enumerate(gens):
        y0 = 0.0
        for layer in sorted(gen, key=str):
            members = [v for v, d in g.nodes(data=True) if d["layer"] == layer]
            cols = {"source": [], "worker": [], "sink": []}
            for v in members:
                cols[g.nodes[v].get("role", "worker")].append(v)
            tallest = max(len(c) for c in cols.values())
            for ci, role in enumerate(("source", "worker", "sink")):
                col = cols[role]
                for i, v in enumerate(col):
                    pos[v] = (gx * 3.4 + ci, -(y0 + i + (tallest - len(col)) / 2))
            y0 += tallest + 1.2
    return pos


# ---- placement map -----------------------------------------------------------------------------------
def plot_placement(mesh: tuple[int, int], memory: Iterable[tuple[int, int]], placement: dict[str, tuple[int, int]],
                   subop_layer: dict[str, str], path: Path, title: str = "placement") -> Path:
    """Each PE coloured by the layer(s) of the sub-operators placed on it (split when shared), M =
    memory PE; labels name the sub-operators."""
    width, height = mesh
    colors = layer_colors(subop_layer[s] for s in placement)
    per_pe: dict[tuple[int, int], list[str]] = defaultdict(list)
    for sub, pe in placement.items():
        per_pe[tuple(pe)].append(sub)
    fig = _figure(1.0 * width + 3.8, 1.0 * height + 0.9)
    ax = fig.add_subplot()
    _mesh_axes(ax, width, height, memory)
    big = width * height > 256
    cells = []
    for (x, y), subs in sorted(per_pe.items()):
        computing = [s for s in subs if ".src." not in s] or subs
        layers = list(dict.fromkeys(subop_layer[s] for s in computing))
        cells += [(x, y, colors[layer], k, len(layers)) for k, layer in enumerate(layers)]
        if not big:
            text = "\n".join(short(s.rsplit(".", 2)[-2] + "." + s.rsplit(".", 1)[-1]
                                   if s.count(".") >= 2 else s, 12) for s in sorted(subs)[:4])
            if len(subs) > 4:
                text += f"\n+{len(subs) - 4}"
            ax.text(x, -y, text, ha="center", va="center", fontsize=5, zorder=2)
    _patches(ax, *_cells(cells), alpha=0.85, zorder=1)
    _legend(ax, colors)
    ax.set_title(f"{title} ({width}x{height}, M = memory PE)", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


# ---- link utilization --------------------------------------------------------------------------------
_DIRS = {"E": (1, 0), "W": (-1, 0), "S": (0, 1), "N": (0, -1)}


def plot_link_heatmap(mesh: tuple[int, int], links: list[dict], pe_util: dict[tuple[int, int], float],
                      path: Path, title: str = "link utilization") -> Path:
    """Every directed mesh link as an arrow coloured by its utilization (flits / cycle); PEs shaded by their
    busy fraction. `links`: dicts with `from` (x, y), `port` E/W/S/N, `utilization`."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.patches import FancyArrow, Rectangle

    width, height = mesh
    fig = _figure(1.1 * width + 2.6, 1.1 * height + 0.9)
    ax = fig.add_subplot()
    greys = colormaps["Greys"]
    squares, shades = [], []
    for y in range(height):
        for x in range(width):
            u = pe_util.get((x, y), 0.0)
            squares.append(Rectangle((x - 0.3, -y - 0.3), 0.6, 0.6))
            shades.append(greys(0.05 + 0.6 * u))
            if width * height <= 144:
                ax.text(x, -y, f"{u:.2f}", ha="center", va="center", fontsize=5, zorder=2,
                        color="white" if u > 0.6 else "black")
    vmax = max([lk["utilization"] for lk in links] + [1e-9])
    norm = Normalize(0.0, max(vmax, 1e-6))
    cmap = colormaps["inferno_r"]
    _patches(ax, squares, shades, "#999999", 0.5, zorder=1)
    arrows, arrow_colors = [], []
    for lk in links:
        if lk["port"] not in _DIRS:
            continue
        (x, y), (dx, dy) = lk["from"], _DIRS[lk["port"]]
        # the two directions of a link sit side by side (offset to the right of travel)
        ox, oy = -dy * 0.12, dx * 0.12
        sx, sy = x + dx * 0.32 + ox, -(y + dy * 0.32) - oy
        u = lk["utilization"]
        arrows.append(FancyArrow(sx, sy, dx * 0.36, -dy * 0.36, width=0.07, head_width=0.14, head_length=0.08,
                                 length_includes_head=True))
        arrow_colors.append(cmap(norm(u)) if u > 0 else "#e8e8e8")
    _patches(ax, arrows, arrow_colors, zorder=3)
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(-height + 0.4, 0.6)
    ax.set_aspect("equal")
    ax.set_xticks(range(width))
    ax.set_yticks([-y for y in range(height)])
    ax.set_yticklabels([str(y) for y in range(height)])
    ax.tick_params(labelsize=7)
    fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, fraction=0.04, pad=0.02,
                 label="link utilization (flits/cycle)")
    ax.set_title(f"{title} (busiest {vmax:.3f}; PE shade and number = busy fraction)", fontsize=9)
    fig.tight_layout()
    return _save(fig, path)


# ---- Gantt -------------------------------------------------------------------------------------------
def plot_gantt(layers: list[dict], total_cycles: int, path: Path, lower_bound: int | None = None,
               title: str = "per-layer timeline") -> Path:
    """One bar per layer from its first to its last simulated activity (all batches), with its compute
    cycles (per batch x batches) as an inner bar; coloured by model."""
    models = layer_colors(row.get("model", "") for row in layers)
    rows = [r for r in layers if r.get("start", -1) >= 0]
    fig = _figure(12.0, 0.32 * len(rows) + 1.8)
    ax = fig.add_subplot()
    for i, row in enumerate(rows):
        s, f = row["start"], row["finish"]
        ax.barh(i, f - s, left=s, height=0.7, color=models[row.get("model", "")], edgecolor="#333333",
                linewidth=0.4)
        cc = row.get("compute_cycles", 0) * row.get("batch", 1)
        if cc:
            ax.barh(i, min(cc, f - s), left=s, height=0.25, color="#222222", alpha=0.55)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([short(r["name"], 30) for r in rows], fontsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first layer on top, no blank margin
    ax.axvline(total_cycles, color="#c0392b", linewidth=1, label=f"total {total_cycles:,} cycles")
    if lower_bound:
        ax.axvline(lower_bound, color="#27ae60", linewidth=1, linestyle="--",
                   label=f"compute lower bound {lower_bound:,}")
    ax.set_xlabel("cycle")
    ax.set_xlim(0, max(total_cycles, 1) * 1.02)
    handles, _ = ax.get_legend_handles_labels()
    from matplotlib.patches import Patch

    handles += [Patch(color=c, label=m or "(no model)") for m, c in models.items()]
    handles.append(Patch(color="#222222", alpha=0.55, label="compute cycles"))
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


# ---- latency histogram -------------------------------------------------------------------------------
def plot_latency_histogram(latencies: np.ndarray, path: Path, title: str = "packet latency") -> Path:
    """Histogram of per-delivery latency (send to tail-flit delivery, cycles), log-scaled counts."""
    lat = np.asarray(latencies, dtype=np.float64)
    fig = _figure(7.0, 4.0)
    ax = fig.add_subplot()
    if lat.size:
        bins = min(60, max(5, int(np.sqrt(lat.size))))
        ax.hist(lat, bins=bins, color="#2e86c1", edgecolor="#1b4f72", linewidth=0.4)
        ax.set_yscale("log")
        for q, style in ((50, "--"), (99, ":")):
            v = float(np.percentile(lat, q))
            ax.axvline(v, color="#c0392b", linestyle=style, linewidth=1, label=f"p{q} = {v:,.0f}")
        ax.axvline(float(lat.mean()), color="#27ae60", linewidth=1, label=f"mean = {lat.mean():,.1f}")
        ax.legend(fontsize=8)
        ax.set_title(f"{title} ({lat.size:,} deliveries, max {lat.max():,.0f})", fontsize=10)
    else:
        ax.text(0.5, 0.5, "no inter-PE messages", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(title, fontsize=10)
    ax.set_xlabel("latency (cycles, send to delivery)")
    ax.set_ylabel("deliveries")
    fig.tight_layout()
    return _save(fig, path)


# ---- sweep -------------------------------------------------------------------------------------------
def plot_sweep(points: list[dict], x_param: str, other_params: list[str], path: Path,
               y_key: str = "slowdown", title: str = "sweep") -> Path:
    """`y_key` against `x_param`, one line per combination of the other parameters; failed points marked x."""
    fig = _figure(7.5, 4.5)
    ax = fig.add_subplot()
    xs_all = [p["params"][x_param] for p in points]
    numeric = all(isinstance(v, (int, float)) for v in xs_all)
    cats = list(dict.fromkeys(xs_all))

    def xval(v):
        return v if numeric else cats.index(v)

    lines: dict[tuple, list[dict]] = defaultdict(list)
    for p in points:
        lines[tuple(p["params"][k] for k in other_params)].append(p)
    for key, pts in lines.items():
        pts = sorted(pts, key=lambda p: xval(p["params"][x_param]))
        ok = [p for p in pts if p.get("status") == "ok" and p.get(y_key) is not None]
        label = ", ".join(f"{k}={v}" for k, v in zip(other_params, key)) or y_key
        if ok:
            ax.plot([xval(p["params"][x_param]) for p in ok], [p[y_key] for p in ok], marker="o", label=label)
        bad = [p for p in pts if p.get("status") != "ok"]
        if bad:
            ax.plot([xval(p["params"][x_param]) for p in bad], [0.0] * len(bad), "x", color="#c0392b",
                    markersize=9, label=f"failed ({label})")
    if not numeric:
        ax.set_xticks(range(len(cats)))
        ax.set_xticklabels([str(c) for c in cats])
    elif len(set(xs_all)) > 1 and min(xs_all) > 0 and max(xs_all) / min(xs_all) >= 4:
        ax.set_xscale("log", base=2)
        ax.set_xticks(sorted(set(xs_all)))
        ax.set_xticklabels([str(v) for v in sorted(set(xs_all))])
    ax.set_xlabel(x_param)
    ax.set_ylabel(y_key)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


# ---- routed messages on the mesh ---------------------------------------------------------------------
def plot_routes(mesh: tuple[int, int], memory: Iterable[tuple[int, int]], messages: list[dict], path: Path,
                placement: dict[str, tuple[int, int]] | None = None, subop_layer: dict[str, str] | None = None,
                title: str = "routed messages") -> Path:
    """Each message's route tree drawn on the mesh in its layer's colour (source = triangle, destinations =
    dots); parallel routes over one link are offset so they stay visible."""
    width, height = mesh
    colors = layer_colors([m.get("layer", "") for m in messages] +
                          [(subop_layer or {}).get(s, "") for s in (placement or {})])
    fig = _figure(1.3 * width + 3.8, 1.3 * height + 0.9)
    ax = fig.add_subplot()
    _mesh_axes(ax, width, height, memory)
    if placement and subop_layer:
        cells = [(x, y, colors[subop_layer[sub]], 0, 1) for sub, (x, y) in sorted(placement.items())
                 if ".src." not in sub]
        _patches(ax, *_cells(cells), alpha=0.25, zorder=0.5)
    from matplotlib.collections import LineCollection

    use: dict[tuple, int] = defaultdict(int)
    arrows = sum(len(m["links"]) for m in messages) <= ARROW_LIMIT
    segments, seg_colors, srcs, dsts = [], [], defaultdict(list), defaultdict(list)
    for m in messages:
        c = colors[m.get("layer", "")]
        for (ax_, ay), (bx, by) in m["links"]:
            key = (min((ax_, ay), (bx, by)), max((ax_, ay), (bx, by)))
            k = use[key]
            use[key] += 1
            off = ((k % 7) - 3) * 0.05
            ox, oy = (0.0, off) if ay == by else (off, 0.0)
            if arrows:
                ax.annotate("", xy=(bx + ox, -by + oy), xytext=(ax_ + ox, -ay + oy),
                            arrowprops={"arrowstyle": "-|>", "color": c, "lw": 1.0, "shrinkA": 0, "shrinkB": 0,
                                        "mutation_scale": 7}, zorder=2)
            else:
                segments.append([(ax_ + ox, -ay + oy), (bx + ox, -by + oy)])
                seg_colors.append(c)
        srcs[c].append(m["src"])
        dsts[c].extend(m["dsts"])
    if segments:
        ax.add_collection(LineCollection(segments, colors=seg_colors, linewidths=0.8, zorder=2))
    for c, pts in srcs.items():  # hollow triangles, so a PE that also receives shows its dot inside
        ax.plot([x for x, _ in pts], [-y for _, y in pts], "^", markerfacecolor="none", markeredgecolor=c,
                markeredgewidth=1.2, markersize=9, zorder=3)
    for c, pts in dsts.items():
        ax.plot([x for x, _ in pts], [-y for _, y in pts], "o", color=c, markersize=3.5, markeredgecolor="#222222",
                markeredgewidth=0.5, zorder=4)
    _legend(ax, colors)
    ax.set_title(f"{title}: {len(messages)} messages, {sum(len(m['links']) for m in messages)} link hops "
                 "(hollow triangle = source, dot = destination)", fontsize=9)
    fig.tight_layout()
    return _save(fig, path)


# ---- pe_isa programs per PE --------------------------------------------------------------------------
def plot_programs(mesh: tuple[int, int], memory: Iterable[tuple[int, int]], programs: dict[tuple[int, int], list[dict]],
                  path: Path, title: str = "pe_isa programs") -> Path:
    """One cell per PE listing its blocks (name, compute cycles, sends, recvs, DRAM bytes, loops multiplied
    out), coloured by the blocks' layers."""
    width, height = mesh
    colors = layer_colors(b.get("layer", "") for blocks in programs.values() for b in blocks)
    detailed = width * height <= 64
    cell = 2.0 if detailed else 0.8
    fig = _figure(cell * width + 3.8, cell * height + 0.9)
    ax = fig.add_subplot()
    _mesh_axes(ax, width, height, memory)
    cells = []
    for (x, y), blocks in sorted(programs.items()):
        layers = list(dict.fromkeys(b.get("layer", "") for b in blocks))
        cells += [(x, y, colors[layer], k, len(layers)) for k, layer in enumerate(layers)]
        if detailed:
            lines = []
            for b in blocks[:3]:
                parts = [f"c{b['compute']}" if b["compute"] else "", f"s{b['sends']}" if b["sends"] else "",
                         f"r{b['recvs']}" if b["recvs"] else "",
                         f"m{b['mem_bytes']}B" if b["mem_bytes"] else ""]
                lines.append(short(b["name"], 18) + "\n" + " ".join(p for p in parts if p))
            if len(blocks) > 3:
                lines.append(f"+{len(blocks) - 3} blocks")
            ax.text(x, -y, "\n".join(lines), ha="center", va="center", fontsize=5.5, zorder=2)
        else:
            ax.text(x, -y, str(len(blocks)), ha="center", va="center", fontsize=6, zorder=2)
    _patches(ax, *_cells(cells), alpha=0.35, zorder=0.5)
    _legend(ax, colors)
    ax.set_title(f"{title}: {len(programs)} PEs, {sum(len(b) for b in programs.values())} blocks "
                 "(c = compute cycles, s = sends, r = recvs, m = DRAM bytes; loops multiplied out)", fontsize=8)
    fig.tight_layout()
    return _save(fig, path)


# ---- IR -> drawable data -----------------------------------------------------------------------------
def level_of(module) -> str:
    """The IR level of a module: the dialect of its ops other than chip/builtin."""
    found = []
    for op in module.ops:
        d = op.name.split(".")[0]
        if d in LEVELS and d not in found:
            found.append(d)
    for level in reversed(LEVELS):  # routed_message modules still hold placed_subop ops
        if level in found:
            return level
    return ""


def device_info(module) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    from focus_dialects.chip import find_device

    dev = find_device(module)
    if dev is None:
        return (0, 0), []
    return tuple(dev.mesh), list(dev.memory)


def layers_from_ir(module) -> list[dict]:
    """Layer rows (name, model, kind, workers, deps) from a tensor_op or sub-operator module."""
    rows: list[dict] = []
    producer: dict[Any, str] = {}
    deps: dict[str, list[str]] = defaultdict(list)
    for op in module.ops:
        name = op.name
        if name == "tensor_op.layer":
            sym = op.sym_name.data
            rows.append({"name": sym, "model": op.model.data, "kind": op.kind.data, "workers": op.cores.value.data,
                         "deps": [producer[v] for v in op.inputs if v in producer]})
            producer[op.out] = sym
        elif name.endswith(".layer"):
            rows.append({"name": op.sym_name.data, "model": op.model.data, "kind": op.kind.data,
                         "workers": op.workers.value.data, "cycles": op.cycles.value.data, "deps": []})
        elif name.endswith(".sink"):
            producer[op.out] = op.layer.root_reference.data
    for op in module.ops:
        if op.name.endswith(".source") and op.producer is not None and op.producer in producer:
            deps[op.layer.root_reference.data].append(producer[op.producer])
    for row in rows:
        if row["name"] in deps:
            row["deps"] = sorted(set(deps[row["name"]]))
    return rows


def subop_graph_from_ir(module):
    """DiGraph of sub-operators (role, layer, pe) with stream edges (space, words, transfers, multicast);
    a producer-sink -> source tensor edge is a stream too (space "tensor")."""
    import networkx as nx

    g = nx.DiGraph()
    owner: dict[Any, str] = {}
    for op in module.ops:
        kind = op.name.rsplit(".", 1)[-1]
        if op.name.split(".")[0] not in ("tiled_subop", "placed_subop") or kind == "layer":
            continue
        sym = op.sym_name.data
        pe = op.pe.xy if getattr(op, "pe", None) is not None else None
        g.add_node(sym, role=kind, layer=op.layer.root_reference.data, pe=pe)
        for r in op.results:
            owner[r] = sym
    for op in module.ops:
        kind = op.name.rsplit(".", 1)[-1]
        if op.name.split(".")[0] not in ("tiled_subop", "placed_subop") or kind == "layer":
            continue
        sym = op.sym_name.data
        operands = list(op.inputs) if kind in ("worker", "sink") else ([op.producer] if op.producer is not None else [])
        for v in operands:
            if v not in owner:
                continue
            t = v.type
            space = getattr(t, "space", None)
            g.add_edge(owner[v], sym, space=space.data if space is not None else "tensor",
                       words=getattr(getattr(t, "words", None), "data", 0),
                       transfers=getattr(getattr(t, "transfers", None), "data", 0),
                       multicast=len(list(v.uses)) > 1)
    return g


def placed_positions(g, mesh: tuple[int, int]) -> dict[str, tuple[float, float]]:
    """Nodes at their PEs; several sub-operators on one PE are spread on a small circle."""
    per_pe: dict[tuple[int, int], list[str]] = defaultdict(list)
    for v, d in g.nodes(data=True):
        if d.get("pe") is not None:
            per_pe[d["pe"]].append(v)
    pos = {}
    for (x, y), subs in per_pe.items():
        subs = sorted(subs)
        for k, v in enumerate(subs):
            if len(subs) == 1:
                pos[v] = (float(x), float(-y))
            else:
                a = 2 * np.pi * k / len(subs)
                pos[v] = (x + 0.28 * float(np.cos(a)), -y + 0.28 * float(np.sin(a)))
    return pos


def messages_from_ir(module) -> list[dict]:
    """routed_message.message or pe_isa.message ops as dicts (name, src, dsts, links, layer)."""
    out = []
    for op in module.ops:
        if op.name == "routed_message.message":
            owner = op.stream.owner
            layer = getattr(owner, "layer", None)
            out.append({"name": op.sym_name.data, "src": op.src.xy, "dsts": op.dsts.coords, "links": op.route.links,
                        "flits": op.flits.value.data,
                        "layer": layer.root_reference.data if layer is not None else ""})
        elif op.name == "pe_isa.message":
            layer = op.attributes.get("layer")
            label = op.label.data if op.label is not None else f"tag{op.tag.value.data}"
            out.append({"name": label, "src": op.src.xy, "dsts": op.dsts.coords, "links": op.route.links,
                        "flits": op.flits.value.data, "layer": layer.data if layer is not None else ""})
    return out


def programs_from_ir(module) -> dict[tuple[int, int], list[dict]]:
    """PE -> blocks with instruction totals (loops multiplied out)."""
    programs: dict[tuple[int, int], list[dict]] = {}
    for op in module.ops:
        if op.name != "pe_isa.program":
            continue
        blocks = []
        for blk in op.body.block.ops:
            tot = {"compute": 0, "sends": 0, "recvs": 0, "mem_bytes": 0}
            _count_instructions(blk.body.block.ops, 1, tot)
            layer = blk.attributes.get("layer")
            blocks.append({"name": blk.block_name.data, "layer": layer.data if layer is not None else "", **tot})
        programs[op.pe.xy] = blocks
    return programs


def _count_instructions(ops, mult: int, tot: dict[str, int]) -> None:
    for o in ops:
        if o.name == "pe_isa.loop":
            _count_instructions(o.body.block.ops, mult * o.count.value.data, tot)
        elif o.name == "pe_isa.compute":
            tot["compute"] += mult * o.cycles.value.data
        elif o.name == "pe_isa.send":
            tot["sends"] += mult
        elif o.name == "pe_isa.recv":
            tot["recvs"] += mult
        elif o.name in ("pe_isa.mem_read", "pe_isa.mem_write"):
            tot["mem_bytes"] += mult * o.bytes.value.data


def draw_module(module, path: Path, *, level: str | None = None) -> tuple[str, Path]:
    """Draw a module of any level; returns (level, path)."""
    from focus_tools.errors import FocusError

    level = level or level_of(module)
    mesh, memory = device_info(module)
    if level == "tensor_op":
        return level, plot_layer_graph(layers_from_ir(module), path, "tensor_op: layers and tensor dependencies")
    if level == "tiled_subop":
        return level, plot_subop_graph(subop_graph_from_ir(module), path, "tiled_subop: sub-operators and streams")
    if level == "placed_subop":
        g = subop_graph_from_ir(module)
        return level, plot_subop_graph(g, path, "placed_subop: sub-operators and streams",
                                       positions=placed_positions(g, mesh), mesh=mesh, memory=memory)
    if level == "routed_message":
        g = subop_graph_from_ir(module)
        placement = {v: d["pe"] for v, d in g.nodes(data=True) if d.get("pe") is not None}
        layers = {v: d["layer"] for v, d in g.nodes(data=True)}
        return level, plot_routes(mesh, memory, messages_from_ir(module), path, placement, layers,
                                  "routed_message")
    if level == "pe_isa":
        return level, plot_programs(mesh, memory, programs_from_ir(module), path)
    raise FocusError(f"the module has no ops of a focus level, expected one of {', '.join(LEVELS)}")


__all__ = ["draw_module", "layer_colors", "layers_from_ir", "level_of", "messages_from_ir", "plot_gantt", "plot_latency_histogram", "plot_layer_graph", "plot_link_heatmap", "plot_placement", "plot_programs", "plot_routes", "plot_subop_graph", "plot_sweep", "programs_from_ir", "subop_graph_from_ir"]

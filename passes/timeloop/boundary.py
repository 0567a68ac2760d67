"""What crosses the spatial fanout below a storage level (e.g. DRAM <-> ws instances), per data space.

Built from the same closed form as the model: the level's multicast histogram after bypass folding gives
the words (parent reads counted once, words per child), the spatial offsets of the child instances give
the multicast / reduction groups (children whose tiles project to the same tensor coordinates receive
identical data, or, for a read-write space, hold partial sums of the same outputs), and the delivery
recursion counts how many tile transfers each child receives.
"""

from __future__ import annotations

from .fastmodel import FastAnalysis
from .model import BoundaryFlow, ModelResult
from .nest import T


def boundary_flows(result: ModelResult, level: int) -> dict[str, BoundaryFlow]:
    nest = result.nest
    loops = nest.loops
    fa = FastAnalysis(nest, result.problem, result.arch, result.legacy_stride, result.link_transfers)
    rng = list(nest.level_loops(level))
    spatial = [l for l in rng if loops[l].kind != T]
    delivery = spatial[-1] if spatial else rng[0]
    lv = result.levels[level]
    out: dict[str, BoundaryFlow] = {}
    for t, ds in enumerate(result.problem.data_spaces):
        st = lv.dataspaces[ds.name]
        if spatial:
            offs = fa.instance_offsets(delivery, t)
        else:
            offs = [()]
        groups: dict[tuple, list[int]] = {}
        for i, o in enumerate(offs):
            groups.setdefault(o, []).append(i)
        group_list = tuple(tuple(g) for g in sorted(groups.values()))
        children = len(offs)
        _, _, transfers = fa.delivery(delivery, t)
        weighted = sum(w * m for m, w in st.multicast.items())
        per_child = weighted / st.fanout if st.fanout else 0.0
        content = sum(st.multicast.values())  # words read (multicast once) / reduced into the parent
        mult = max(len(g) for g in group_list) if group_list else 1
        out[ds.name] = BoundaryFlow(
            data_space=ds.name, read_write=ds.read_write, children=children, groups=group_list,
            words_per_child=per_child, transfers=int(transfers),
            words_per_transfer=per_child / transfers if transfers else 0.0,
            parent_reads=0.0 if ds.read_write else content,
            parent_updates=content if ds.read_write else 0.0,
            reduction_factor=mult if ds.read_write else 1,
            multicast_factor=1 if ds.read_write else mult,
        )
    return out

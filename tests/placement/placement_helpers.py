"""Small placement problems for the tests (two models, chained layers, several workers)."""

from __future__ import annotations

from passes.placement import Group, Message, PlacementProblem, original_memory_pes


def chain_problem(layers: list[tuple[str, str, int, int]], width: int = 8, height: int = 8,
                  memory_pes=None, memory_hosts_compute: bool = False, writeback: bool = False) -> PlacementProblem:
    """`layers`: (model, layer, workers, base volume); consecutive layers of a model are chained.
    `writeback`: the sink of every model's last layer writes the model output back to memory."""
    if memory_pes is None:
        memory_pes = original_memory_pes(width)
    groups: list[Group] = []
    messages: list[Message] = []
    last_sink: dict[str, str] = {}
    for model, layer, k, vol in layers:
        wsrc = f"{layer}.wsrc"
        groups.append(Group(wsrc, layer, model, "source", True))
        insrc = last_sink.get(model)
        if insrc is None:
            insrc = f"{layer}.insrc"
            groups.append(Group(insrc, layer, model, "source", True))
        workers = [f"{layer}.w{i}" for i in range(k)]
        groups += [Group(w, layer, model, "worker") for w in workers]
        sink = f"{layer}.sink"
        last = not any(m == model for m, *_ in layers[layers.index((model, layer, k, vol)) + 1:])
        groups.append(Group(sink, layer, model, "sink", writeback and last))
        last_sink[model] = sink
        messages += [Message(wsrc, (w,), vol + 7 * i) for i, w in enumerate(workers)]
        messages.append(Message(insrc, tuple(workers), 2 * vol))
        messages += [Message(w, (sink,), vol // 2 + i) for i, w in enumerate(workers)]
    return PlacementProblem(width, height, tuple(memory_pes), tuple(groups), tuple(messages),
                            memory_hosts_compute, "test-problem")


def two_models(width: int = 8, height: int = 8, **kw) -> PlacementProblem:
    layers = [("alpha", f"alpha_l{i}", 3, 100 + 40 * i) for i in range(1, 6)]
    layers += [("beta", f"beta_l{i}", 2, 300 - 20 * i) for i in range(1, 5)]
    return chain_problem(layers, width, height, **kw)

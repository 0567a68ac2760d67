"""The route-messages / routed-message-check pass glue (module-level behaviour not covered by lit)."""

from io import StringIO

import pytest
from xdsl.context import Context
from xdsl.parser import Parser
from xdsl.printer import Printer

from focus_dialects import routed_message
from focus_tools.driver import make_context as driver_context
from focus_tools.errors import FocusError
from passes.route_messages import RouteMessagesPass
from passes.routed_message_check import RoutedMessageCheckPass

DEVICE = (
    'chip.device @d mesh {w} x {h} memory [<0, 0>] link 256 flit 256 macs 16 {{word_bits = 8 : i64, num_vcs = 4 '
    ": i64, vc_buf_flits = 4 : i64, injection_queue = 8 : i64, dram_bytes_per_cycle = 6.4e+01 : f64, "
    "dram_latency = 100 : i64, memory_compute}}"
)
STREAM = '!tiled_subop.stream<"Outputs", 32, 2>'


def context() -> Context:
    """A context with every focus dialect (the driver's)."""
    return driver_context()


def transfers_module(w, h, transfers, user=()):
    """One layer per (src, dst, waypoints): a worker on src streaming to a sink on dst."""
    lines = [DEVICE.format(w=w, h=h)]
    for k, (src, dst, _) in enumerate(transfers):
        lines += [
            f'placed_subop.layer @t{k} kind "matmul" model "m" workers 1 cycles 4 macs 4 batch 1',
            (f"%s{k} = placed_subop.worker @t{k}.w0 layer @t{k} index 0 iterations 2 cycles 2 macs 2 buffer 8 "
            f"on <{src[0]}, {src[1]}> -> {STREAM}"),
            (f"%r{k} = placed_subop.sink @t{k}.sink layer @t{k} on <{dst[0]}, {dst[1]}> (%s{k} : {STREAM}) "
            "-> tensor<1x64xi8>"),
        ]
    for k, (src, dst, waypoints) in enumerate(transfers):
        if waypoints:
            wp = ", ".join(f"<{x}, {y}>" for x, y in waypoints)
            lines.append(
                f"routed_message.message @t{k}.Outputs %s{k} from <{src[0]}, {src[1]}> to [<{dst[0]}, {dst[1]}>] "
                f'flits 1 packets 2 priority 0 vc 0 mode "tree" route <> waypoints [{wp}] : {STREAM}'
            )
    return Parser(context(), "\n".join(lines), "test").parse_module()


def messages(module):
    return {m.sym_name.data: m for m in module.walk() if isinstance(m, routed_message.MessageOp)}


def text(module) -> str:
    out = StringIO()
    Printer(stream=out).print_op(module)
    return out.getvalue()


# On a 4 x 3 mesh: the user route <0, 1> -> <1, 0> -> <2, 2> -> <3, 2> turns E>N, N>E, E>S, S>E (no class
# fits it); the other routes crowd VC class 0 (south-last) and class 1 (north-last) so that it closes a
# channel dependency cycle in each.
CLASS0 = [((2, 2), (3, 1), None), ((3, 2), (2, 2), [(3, 1), (2, 1)])]
CLASS1 = [((1, 0), (1, 1), [(2, 0), (2, 1)]), ((2, 0), (1, 0), [(2, 1), (1, 1)])]
USER = [((0, 1), (3, 2), [(1, 0), (2, 2)])]


def test_user_route_that_could_deadlock_is_an_error_naming_the_cycle():
    module = transfers_module(4, 3, CLASS0 + CLASS1 + USER)
    with pytest.raises(FocusError) as err:
        RouteMessagesPass().apply(context(), module)
    msg = str(err.value)
    assert msg.startswith("route-messages: message @t4.Outputs: route could deadlock, channel dependency cycle <")
    assert "\n" not in msg


def test_user_route_is_accepted_in_the_class_it_does_not_close_a_cycle_in():
    module = transfers_module(4, 3, CLASS0 + USER)
    RouteMessagesPass().apply(context(), module)
    msgs = messages(module)
    user = msgs["t2.Outputs"]
    assert user.vc.value.data == 1 and user.waypoints.coords == [(1, 0), (2, 2)]
    assert user.route.links[:3] == [((0, 1), (1, 1)), ((1, 1), (1, 0)), ((1, 0), (2, 0))]
    RoutedMessageCheckPass().apply(context(), module)  # also deadlock-free per VC


def test_search_is_deterministic_and_keeps_user_routes(capsys):
    transfers = [((0, 0), (3, 0), None), ((1, 0), (3, 1), None), ((0, 1), (3, 1), None), ((2, 2), (0, 0), None),
                 ((0, 2), (3, 2), [(1, 2), (1, 1), (3, 1)])]
    outs = []
    for _ in range(2):
        module = transfers_module(4, 3, transfers)
        RouteMessagesPass(search="evolve", seed=3, budget=60).apply(context(), module)
        RoutedMessageCheckPass(print=True).apply(context(), module)
        outs.append(text(module))
        user = messages(module)["t4.Outputs"]
        assert user.waypoints is not None
        assert [b for _, b in user.route.links] == [(1, 2), (1, 1), (2, 1), (3, 1), (3, 2)]
    assert outs[0] == outs[1]
    printed = capsys.readouterr().out.splitlines()
    assert printed[:5] == [
        "@t0.Outputs: <0, 0> -> {<3, 0>}",
        "@t1.Outputs: <1, 0> -> {<3, 1>}",
        "@t2.Outputs: <0, 1> -> {<3, 1>}",
        "@t3.Outputs: <2, 2> -> {<0, 0>}",
        "@t4.Outputs: <0, 2> -> {<3, 2>}",
    ]


def test_bad_inputs():
    module = transfers_module(3, 3, [((0, 0), (2, 2), [(5, 0)])])
    with pytest.raises(FocusError, match=r"route-messages: message @t0.Outputs: waypoint <5, 0>: outside the 3 x 3"):
        RouteMessagesPass().apply(context(), module)
    module = transfers_module(3, 3, [((0, 0), (2, 2), None)])
    with pytest.raises(FocusError, match="budget -1"):
        RouteMessagesPass(budget=-1).apply(context(), module)

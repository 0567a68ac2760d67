"""pe-isa-check: error lines for inconsistent programs, exit code 2 from focus-opt, clean pass otherwise."""

from __future__ import annotations

import re
import subprocess

import pytest
from lowering_helpers import REPO, VENV_BIN, device, lit_cases, lowered, parse

from focus_tools.errors import FocusError
from passes.pe_isa_check import PeIsaCheckPass, check_module, count_module

ERRORS_FILE = REPO / "test_lit" / "passes" / "pe-isa-check-errors.mlir"
VALID_FILE = REPO / "test_lit" / "passes" / "pe-isa-check.mlir"


def error_case(name: str) -> str:
    text = ERRORS_FILE.read_text()
    m = re.search(rf"^// case {name}\n(.*?)^// end$", text, re.DOTALL | re.MULTILINE)
    assert m, name
    return m.group(1)


@pytest.mark.parametrize("name, expected", [
    ("unmatched-send", "tag 0 (w): unmatched send, 4 sends on <0, 0> but 3 recvs on <1, 0>"),
    ("unmatched-recv", "tag 7: unmatched recv, 6 recvs on <1, 1> but 5 sends on <0, 0>"),
    ("size-mismatch", "size mismatch, 3 flits but message tag 0 (w) carries 2"),
    ("unreached-recv", "no route of tag 1 (out) reaches <0, 1> (destinations <1, 1>)"),
])
def test_focus_opt_exits_2_with_one_line(name, expected):
    proc = subprocess.run([str(VENV_BIN / "focus-opt"), "-p", "pe-isa-check"], input=error_case(name),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_valid_file_and_lowered_programs_pass():
    module = parse(VALID_FILE.read_text())
    assert check_module(module) == []
    counts = count_module(module)
    assert counts.sends[1] == {(1, 0): 6} and counts.recvs[1] == {(2, 0): 6}
    assert counts.recvs[0] == {(1, 0): 4, (1, 1): 4}
    for text in lit_cases():
        assert check_module(lowered(text)) == []


PROGRAMS = """{device}
pe_isa.message tag 0 from <0, 0> to [<2, 0>] flits 1 vc 0 mode "tree" route <<0, 0> -> <1, 0>, <1, 0> -> <2, 0>>
{extra}
pe_isa.program on <0, 0> {{
  pe_isa.block "a" {{
    pe_isa.send tag 0
  }}
}}
pe_isa.program on <2, 0> {{
  pe_isa.block "b" {{
    pe_isa.recv tag 0
  }}
}}
{more}
"""


def errors(extra: str = "", more: str = "") -> list[str]:
    return check_module(parse(PROGRAMS.format(device=device(), extra=extra, more=more)))


def test_consistent_base_program():
    assert errors() == []


def test_duplicate_tag():
    extra = 'pe_isa.message tag 0 from <0, 0> to [<0, 1>] flits 1 vc 0 mode "tree" route <<0, 0> -> <0, 1>>'
    assert "message tag 0 is defined twice" in errors(extra)


def test_route_missing_a_destination():
    extra = 'pe_isa.message tag 1 from <0, 0> to [<0, 2>] flits 1 vc 0 mode "tree" route <<0, 0> -> <0, 1>>'
    assert errors(extra) == ["message tag 1: the route does not reach destination <0, 2>"]


def test_recv_where_the_route_only_passes():
    more = 'pe_isa.program on <1, 0> {\n  pe_isa.block "c" {\n    pe_isa.recv tag 0\n  }\n}'
    assert errors(more=more) == [
        'recv tag 0 on <1, 0> (block "c"): the route of tag 0 passes <1, 0> but delivers only to <2, 0>']


def test_two_programs_on_one_pe():
    more = 'pe_isa.program on <2, 0> {\n  pe_isa.block "c" {\n    pe_isa.compute cycles 1\n  }\n}'
    assert errors(more=more) == ["two pe_isa.program ops on <2, 0>"]


def test_payload_larger_than_the_flits():
    extra = ('pe_isa.message tag 1 from <0, 0> to [<0, 1>] flits 1 vc 0 mode "tree" route <<0, 0> -> <0, 1>> '
             '{bytes = 65 : i64}')
    assert errors(extra) == ["message tag 1: 65 bytes per packet do not fit in 1 flits of 512 bits"]


def test_pass_raises_focus_error_with_all_lines():
    more = 'pe_isa.program on <1, 1> {\n  pe_isa.block "c" {\n    pe_isa.recv tag 0\n    pe_isa.send tag 0\n  }\n}'
    module = parse(PROGRAMS.format(device=device(), extra="", more=more))
    with pytest.raises(FocusError) as err:
        PeIsaCheckPass().apply(None, module)  # type: ignore[arg-type]
    lines = str(err.value).splitlines()
    assert len(lines) == 2 and all(line.startswith("pe-isa-check: ") for line in lines)
    assert "no route of tag 0 reaches <1, 1>" in lines[0] and "is sent from <0, 0>" in lines[1]
    assert "unmatched send, 2 sends" not in str(err.value)  # sends are counted at the source PE only

"""YAML reading: line numbers, Timeloop tags, Jinja templates, one-line errors, problems v0.3/v0.4."""

from __future__ import annotations

import pytest
from frontend_testutil import FOCUS_DATA, TIMELOOP_REF, need

from focus_tools.errors import FocusError
from frontend.timeloop_yaml import (
    doc_kinds,
    jinja_missing,
    line_of,
    load_problem,
    load_timeloop,
    load_yaml,
    normalize,
    parse_yaml_text,
)


def test_syntax_error_names_file_and_line(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("resnet50:\n- resnet50_layer1: 4\n- resnet50_layer2: 4: 2\n")
    with pytest.raises(FocusError) as e:
        load_yaml(f)
    assert str(e.value).startswith(f"{f}:3: mapping values are not allowed")
    assert "\n" not in str(e.value)


def test_unclosed_flow_sequence_is_one_line(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("a: [1, 2\nb: 3\n")
    with pytest.raises(FocusError) as e:
        load_yaml(f)
    msg = str(e.value)
    assert msg.startswith(f"{f}:") and "\n" not in msg


def test_missing_file(tmp_path):
    with pytest.raises(FocusError, match="no such file"):
        load_yaml(tmp_path / "nope.yaml")


def test_lines_and_tags_are_kept():
    doc = parse_yaml_text(
        "architecture:\n  nodes:\n  - !Container\n    name: System\n  - !Component\n    name: DRAM\n"
        "  - !Nothing {constraints: {}}\n",
        "arch.yaml",
    )
    nodes = doc["architecture"]["nodes"]
    assert [n.tag for n in nodes] == ["Container", "Component", "Nothing"]
    assert [line_of(n) for n in nodes] == [3, 5, 7]  # where each list item starts
    assert isinstance(doc, dict) and doc.line == 1


def test_normalize_rewrites_hyphens_keeps_tags():
    doc = normalize(parse_yaml_text("a-b:\n  - !X {c-d: 1}\n", "t"))
    assert doc["a_b"][0]["c_d"] == 1 and doc["a_b"][0].tag == "X"


def test_jinja_defaults_render_and_missing_names_are_recorded():
    doc = parse_yaml_text("variables:\n  W: {{width|default(8)}}\n  C: {{mac_class}}\n{% if regs|default(True) %}"
                          "\nregs: 1\n{% endif %}\n", "t.yaml")
    assert doc["variables"]["W"] == 8 and doc["regs"] == 1
    assert doc["variables"]["C"] is None
    assert jinja_missing(doc) == ("mac_class",)


def test_jinja_syntax_error_has_line():
    with pytest.raises(FocusError, match=r"^t.yaml:2: Jinja template error"):
        parse_yaml_text("a: 1\nb: {% if %}\n", "t.yaml")


def test_problem_unknown_dimension_and_bad_sizes(tmp_path):
    base = "problem:\n  shape:\n    dimensions: [M, K, N]\n    data-spaces:\n" \
           "    - {name: A, projection: [[[M]], [[K]]]}\n    - {name: B, projection: [[[K]], [[N]]]}\n" \
           "    - {name: Z, projection: [[[M]], [[N]]], read-write: true}\n"
    f = tmp_path / "layer.yaml"
    f.write_text(base + "  instance: {M: 4, K: 4, N: 4, Z: 2}\n")
    with pytest.raises(FocusError) as e:
        load_problem(f)
    assert str(e.value) == f"{f}: unknown dimension 'Z' in problem.instance (dimensions are M, K, N)"
    f.write_text(base + "  instance: {M: 4, K: 0, N: 4}\n")
    with pytest.raises(FocusError, match=r"dimension K = 0, expected a positive integer"):
        load_problem(f)
    f.write_text(base + "  instance: {M: 4, K: -2, N: 4}\n")
    with pytest.raises(FocusError, match=r"dimension K = -2"):
        load_problem(f)
    f.write_text(base.replace("[[[K]], [[N]]]", "[[[K]], [[Y]]]") + "  instance: {M: 4, K: 2, N: 4}\n")
    with pytest.raises(FocusError, match=r"unknown dimension 'Y' in projection"):
        load_problem(f)


def test_v04_conv_input_size_parameters_are_ignored(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("problem:\n  version: 0.4\n  instance: {C: 2, M: 3, P: 4, H: 9, W: 9, Hpad: 1}\n  shape:\n"
                 "    dimensions: [C, M, P]\n    data_spaces:\n    - {name: Weights, projection: [[[C]], [[M]]]}\n"
                 "    - {name: Inputs, projection: [[[C]], [[P]]]}\n"
                 "    - {name: Outputs, projection: [[[M]], [[P]]], read_write: true}\n")
    p = load_problem(f)
    assert p.bounds == {"C": 2, "M": 3, "P": 4} and p.macs == 24


def test_every_yaml_file_of_the_reference_data_parses():
    root = need(FOCUS_DATA).parent
    files = sorted(root.rglob("*.yaml"))
    assert len(files) > 900
    for f in files:
        load_yaml(f)  # raises on any syntax or tag problem


def test_every_timeloop_ref_problem_loads():
    ref = need(TIMELOOP_REF)
    seen = 0
    for f in sorted(ref.rglob("*.yaml")):
        doc = load_yaml(f)
        if "problem" not in doc_kinds(doc):
            continue
        p = load_problem(f)
        assert p.macs > 0
        seen += 1
    assert seen >= 30  # every prob file, every parsed-processed-input, the v0.4 workloads


def test_every_layer_bank_problem_loads():
    db = need(FOCUS_DATA / "database")
    n = 0
    for f in sorted(db.glob("*/*_layer*.yaml")):
        if f.parent.name in ("constraints", "arch", "arch_bu", "mapper"):
            continue
        p = load_problem(f)
        assert p.output_spaces and p.macs > 0
        n += 1
    assert n == 765  # the 15 model folders (prob/ included)


def test_load_timeloop_merges_files_and_folders():
    ref = need(TIMELOOP_REF / "08_gemm_and_link_transfer_cases" / "tutorial2024_8mac" / "inputs")
    doc, origin = load_timeloop([ref])
    assert {"architecture", "problem", "variables", "mapper", "components"} <= set(doc)
    assert origin["variables"].endswith("variables.yaml")
    assert doc["variables"]["DATAWIDTH"] == 8  # {{datawidth_jinja|default(8)}}

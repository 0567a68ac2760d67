"""Parsing: YAML merging and tags, architecture forms, buffer attributes, constraints, mappings."""

from __future__ import annotations

import pytest
import yaml
from timeloop_testutil import need_refs, variant_files

from focus_tools.errors import FocusError
from passes.timeloop.spec import (
    load_yaml_files,
    load_yaml_text,
    parse_architecture,
    parse_constraints,
    parse_factor_text,
    parse_map_txt,
    parse_mapping,
    parse_permutation_text,
    parse_problem,
    parse_storage,
    split_name,
)

DIMS = ["C", "M", "R", "S", "N", "P", "Q"]


def test_tagged_yaml_and_hyphen_keys():
    doc = load_yaml_text("a:\n  - !Container {name: x, block-size: 4}\n  - !Nothing {}\n", "t.yaml")
    node = doc["a"][0]
    assert node.tag == "Container" and node["block_size"] == 4
    assert doc["a"][1].tag == "Nothing"


def test_later_files_override_top_level_keys(tmp_path):
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text("x: 1\ny: {k: 1}\n")
    b.write_text("y: {j: 2}\nz: 3\n")
    doc, origin = load_yaml_files([a, b])
    assert doc == {"x": 1, "y": {"j": 2}, "z": 3}
    assert origin["y"] == str(b) and origin["x"] == str(a)


def test_bad_yaml_and_templates_are_one_line_errors(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("a: [1, 2\n")
    with pytest.raises(FocusError, match="bad.yaml.*invalid YAML"):
        load_yaml_files([p])
    with pytest.raises(FocusError, match="Jinja"):
        load_yaml_text("{% if x %}\na: 1\n{% endif %}\n", "t.yaml")


def test_name_ranges():
    assert split_name("PE[0..15]") == ("PE", 16)
    assert split_name("DRAM[1..1]") == ("DRAM", 1)
    assert split_name("Buf") == ("Buf", 1)


@pytest.mark.parametrize("attrs,block,cluster,size", [
    ({"width": 64, "depth": 1024, "datawidth": 8}, 8, 1, 8192),  # neither: block = width / word bits
    ({"width": 512, "depth": 1, "cluster_size": 64, "datawidth": 8}, 1, 64, 1),  # only cluster
    ({"width": 512, "depth": 2048, "block_size": 32, "word_bits": 8}, 32, 2, 65536),  # only block
    ({"depth": 16, "word_bits": 24}, 1, 1, 16),  # no width
    ({"sizeKB": 2, "word_bits": 16}, 1, 1, 1024),
    ({"entries": 100}, 1, 1, 100),
])
def test_buffer_attribute_rules(attrs, block, cluster, size):
    lv = parse_storage("B", "storage", attrs, 1, "t")
    assert (lv.block_size, lv.cluster_size, lv.size) == (block, cluster, size)


def test_buffer_errors():
    with pytest.raises(FocusError, match="width 60 is not a multiple"):
        parse_storage("B", "SRAM", {"width": 60, "datawidth": 8}, 1, "t")
    with pytest.raises(FocusError, match="meshX = 3 does not divide"):
        parse_storage("B", "SRAM", {"meshX": 3}, 16, "t")
    dram = parse_storage("D", "DRAM", {"width": 64, "datawidth": 8, "depth": 4}, 1, "t")
    assert dram.is_dram and dram.size is None and dram.block_size == 8


def test_factor_and_permutation_syntax():
    assert parse_factor_text("R=3 P1 C=0", DIMS, "t")[0] == {"R": 3, "P": 1, "C": 0}
    assert parse_factor_text("R=3,P=16", DIMS, "t")[0] == {"R": 3, "P": 16}
    exact, mx, mn, _ = parse_factor_text("C<=4 M>=2 Q=7", DIMS, "t")
    assert (exact, mx, mn) == ({"Q": 7}, {"C": 4}, {"M": 2})
    assert parse_factor_text(["N=1", "C=1"], DIMS, "t")[0] == {"N": 1, "C": 1}
    with pytest.raises(FocusError, match="unknown dimension 'K'"):
        parse_factor_text("K=2", DIMS, "t")
    assert parse_permutation_text("RS_CN", DIMS, "t") == (("R", "S"), ("C", "N"))
    assert parse_permutation_text("N PQ", DIMS, "t") == (("N", "P", "Q"), ())
    with pytest.raises(FocusError, match="unknown dimension 'Z'"):
        parse_permutation_text("ZC", DIMS, "t")


def test_tree_architecture_of_parsed_inputs():
    doc, _ = load_yaml_files(variant_files("07_example_designs_conv_c3m32_224/simba_like", with_mapping=False))
    arch = parse_architecture(doc)
    names = [lv.name for lv in arch.levels]
    assert names == ["PEWeightRegs", "inter_reg_mac_spatial", "PEAccuBuffer", "PEWeightBuffer",
                     "inter_distributed_buffers_spatial", "PEInputBuffer", "inter_PE_spatial", "GlobalBuffer", "DRAM"]
    assert arch.fanout_x == (1, 1, 1, 1, 1, 1, 16, 1, 1)
    assert arch.fanout_y == (1, 4, 1, 1, 4, 1, 1, 1, 1)
    assert arch.arithmetic.instances == 256 and arch.arithmetic.word_bits == 8


@pytest.mark.parametrize("design", ["simba_like", "eyeriss_like", "simple_weight_stationary"])
def test_v04_nodes_flatten_like_timeloopfe(design):
    """The human v0.4 input (!Container/!Component/!Parallel) flattens to the parsed-processed arch."""
    base = need_refs() / "07_example_designs_conv_c3m32_224"
    raw, _ = load_yaml_files([base / "inputs" / design / "arch.yaml"])
    parsed, _ = load_yaml_files([base / design / "parsed-processed-input.yaml"])
    a = parse_architecture(raw)
    b = parse_architecture(parsed)
    key = lambda lv: (lv.name, lv.instances, lv.mesh_x, lv.mesh_y, lv.word_bits, lv.block_size,
                      lv.cluster_size, lv.size, lv.is_dram)
    assert [key(lv) for lv in a.levels] == [key(lv) for lv in b.levels]
    assert (a.fanout_x, a.fanout_y) == (b.fanout_x, b.fanout_y)
    prob = parse_problem(parsed)
    ca = parse_constraints({}, a, prob)  # embedded (per-component) constraints only
    cb = parse_constraints(parsed, b, prob)
    for la, lb in zip(ca.levels, cb.levels):
        assert (la.keep, la.bypass) == (lb.keep, lb.bypass)
        assert la.spatial.exact == lb.spatial.exact
        assert la.temporal.exact == lb.temporal.exact


def test_problem_ignores_extra_instance_keys():
    doc, _ = load_yaml_files(variant_files("07_example_designs_conv_c3m32_224/simba_like", with_mapping=False))
    prob = parse_problem(doc)  # instance has H, W, Hpad, ...
    assert prob.tensor_size("Inputs") == 3 * 225 * 225
    assert prob.macs == 10838016


def test_map_txt_equals_map_yaml():
    variant = "06_eyeriss_like_vgg02_layer5/ex06_int16"
    doc, _ = load_yaml_files(variant_files(variant))
    arch = parse_architecture(doc)
    prob = parse_problem(doc)
    a = parse_mapping(doc, arch, prob)
    b = parse_map_txt((need_refs() / variant / "timeloop-mapper.map.txt").read_text(), arch, prob)
    for la, lb in zip(a.levels, b.levels):
        assert la.temporal == lb.temporal and la.spatial == lb.spatial and la.keep == lb.keep


def test_mapping_errors():
    doc, _ = load_yaml_files(variant_files("01_ex00_conv1d_1level/ref"))
    arch = parse_architecture(doc)
    prob = parse_problem(doc)
    bad = {"mapping": [{"target": "Buffer", "type": "temporal", "factors": "R=3 P=8"}]}
    with pytest.raises(FocusError, match="factors of P multiply to 8, expected the problem bound 16"):
        parse_mapping(bad, arch, prob)
    bad = {"mapping": [{"target": "Nope", "type": "temporal", "factors": "R=3 P=16"}]}
    with pytest.raises(FocusError, match="unknown storage level 'Nope' \\(levels are Buffer\\)"):
        parse_mapping(bad, arch, prob)
    bad = {"mapping": [{"target": "Buffer", "type": "temporal", "factors": "R=3 P=4,3"}]}
    with pytest.raises(FocusError, match="imperfect factor"):
        parse_mapping(bad, arch, prob)


def test_constraint_errors():
    doc, _ = load_yaml_files(variant_files("03_ex02_ex03_conv1d_oc_2level_3level/3level_nobypass"))
    arch = parse_architecture(doc)
    prob = parse_problem(doc)
    with pytest.raises(FocusError, match="spatial constraint on GlobalBuffer, which has no spatial fanout"):
        parse_constraints({"mapspace_constraints": [{"target": "GlobalBuffer", "type": "spatial",
                                                      "factors": "K=2"}]}, arch, prob)
    with pytest.raises(FocusError, match="factor of K at GlobalBuffer \\(temporal\\) specified twice"):
        parse_constraints({"architecture_constraints": {"targets": [
            {"target": "GlobalBuffer", "type": "temporal", "factors": "K=2"}]},
            "mapspace_constraints": {"targets": [{"target": "GlobalBuffer", "type": "temporal", "factors": "K=4"}]}},
            arch, prob)
    with pytest.raises(FocusError, match="unknown data space 'Psums'"):
        parse_constraints({"mapspace": [{"target": "GlobalBuffer", "type": "bypass", "keep": ["Psums"]}]}, arch, prob)


def test_ert_component_names(tmp_path):
    from passes.timeloop.spec import load_ert

    doc = yaml.safe_load("""
ERT:
  tables:
    - name: System_top_level.PE[1..16].Buf[1..4]
      actions:
        - {name: read, arguments: {}, energy: 2.0}
        - {name: read, arguments: {x: 1}, energy: 3.0}
        - name: write
          arguments: [{energy: 1.0}, {energy: 1.5}]
""")
    assert load_ert(doc) == {"Buf": {"read": 3.0, "write": 1.5}}


def test_classic_architecture_form():
    doc = load_yaml_text("""
architecture:
  arithmetic: {name: MAC, instances: 16, word-bits: 8, meshX: 4}
  storage:
    - {name: RF, entries: 32, instances: 16, meshX: 4, word-bits: 8}
    - {name: GLB, sizeKB: 64, instances: 1, word-bits: 8, block-size: 4}
    - {name: DRAM, technology: DRAM, instances: 1, word-bits: 8, block-size: 8}
""", "classic.yaml")
    arch = parse_architecture(doc)
    assert [lv.name for lv in arch.levels] == ["RF", "GLB", "DRAM"]
    assert arch.levels[1].size == 65536 and arch.levels[2].is_dram
    assert (arch.fanout_x, arch.fanout_y) == ((1, 4, 1), (1, 4, 1))


def test_v04_eyeriss_exercise_input():
    base = need_refs() / "06_eyeriss_like_vgg02_layer5"
    raw, _ = load_yaml_files([base / "inputs_ex06" / "arch" / "eyeriss_like.yaml"])
    parsed, _ = load_yaml_files([base / "ex06_int16" / "parsed-processed-input.yaml"])
    a, b = parse_architecture(raw), parse_architecture(parsed)
    assert [(lv.name, lv.instances, lv.size) for lv in a.levels] == [(lv.name, lv.instances, lv.size)
                                                                     for lv in b.levels]
    assert (a.fanout_x, a.fanout_y) == (b.fanout_x, b.fanout_y)

"""The device model: presets, memory layouts, our architecture YAML, Timeloop architectures, chip.device."""

from __future__ import annotations

import dataclasses

import pytest
from frontend_testutil import FOCUS_DATA, REPO, TIMELOOP_REF, need

from focus_tools.errors import FocusError
from frontend.device import (
    DEFAULT_DEVICE,
    SIMBA_BUFFERS,
    Buffer,
    Device,
    edge_memory_pes,
    load_device,
    load_device_info,
    original_memory_pes,
    parse_mesh,
)


def ids(pes, d):
    return sorted(y * d + x for x, y in pes)


@pytest.mark.parametrize("d, mem", [
    (4, [0, 1, 2, 4, 7, 8, 11, 13, 14, 15]),
    (8, [0, 1, 3, 4, 24, 31, 32, 39, 59, 60, 62, 63]),
    (16, [0, 1, 7, 8, 112, 127, 128, 143, 247, 248, 254, 255]),
])
def test_original_layout_matches_the_original_table(d, mem):
    assert ids(original_memory_pes(d, d), d) == mem
    dev = Device.for_mesh(d, d, "focus-original")
    assert not dev.memory_compute
    assert len(dev.compute_pes) == d * d - len(mem)


def test_focus_preset_edge_memory_pes_compute():
    dev = Device.for_mesh(5, 3)
    assert dev.memory_pes == edge_memory_pes(5, 3)
    assert len(dev.memory_pes) == 5 * 3 - 3  # every PE but the 3 interior ones
    assert dev.memory_compute and len(dev.compute_pes) == 15


def test_defaults():
    d = DEFAULT_DEVICE
    assert (d.width, d.height, d.preset) == (8, 8, "focus")
    assert (d.link_bits, d.flit_bits, d.num_vcs, d.vc_buf_flits) == (1024, 1024, 4, 4)
    assert (d.router_delay, d.link_delay, d.dram_bytes_per_cycle, d.dram_latency) == (1, 1, 64.0, 100)
    assert d.macs_per_cycle == 256 and d.pe_buffer_bytes == 131072


def test_frozen_and_validated():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_DEVICE.width = 3  # type: ignore[misc]
    with pytest.raises(FocusError, match="outside the 2x2 mesh"):
        Device(width=2, height=2, memory_pes=((2, 0),), memory_layout="custom")
    with pytest.raises(FocusError, match="listed twice"):
        Device(width=2, height=2, memory_pes=((0, 0), (0, 0)), memory_layout="custom")
    with pytest.raises(FocusError, match="link_bits = 0"):
        Device(link_bits=0)
    with pytest.raises(FocusError, match="no PE that can compute"):
        Device(width=2, height=2, memory_compute=False)


def test_with_mesh_recomputes_preset_layout():
    d = Device.for_mesh(8, 8, "focus-original").with_mesh(4, 4)
    assert ids(d.memory_pes, 4) == [0, 1, 2, 4, 7, 8, 11, 13, 14, 15]


@pytest.mark.parametrize("text, wh", [("8x8", (8, 8)), ("16 x 4", (16, 4)), ([3, 5], (3, 5)),
                                      ({"width": 2, "height": 7}, (2, 7))])
def test_parse_mesh(text, wh):
    assert parse_mesh(text) == wh


@pytest.mark.parametrize("bad", ["8", "0x4", "axb", [1], -3])
def test_parse_mesh_rejects(bad):
    with pytest.raises(FocusError, match="expected WIDTHxHEIGHT"):
        parse_mesh(bad)


def test_op_round_trip_through_text():
    from xdsl.context import Context
    from xdsl.dialects.builtin import Builtin, ModuleOp
    from xdsl.parser import Parser

    from focus_dialects.chip import Chip, DeviceOp
    from frontend.to_ir import module_text

    dev = Device(name="c", width=5, height=4, memory_pes=((0, 0), (4, 3)), memory_layout="custom",
                 memory_compute=False, link_bits=512, flit_bits=256, num_vcs=2, vc_buf_flits=8, router_delay=2,
                 link_delay=3, macs_per_cycle=64, buffers=(Buffer("G", 1, 4096), Buffer("R", 4, 64, 16)),
                 dram_bytes_per_cycle=12.5, dram_latency=70)
    op = dev.to_op()
    op.verify()
    assert op.buffer_bytes == 4096 and not op.memory_compute
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(Chip)
    parsed = Parser(ctx, module_text(ModuleOp([op]))).parse_module()
    back = next(o for o in parsed.ops if isinstance(o, DeviceOp))
    assert Device.from_op(back) == dev


def test_simba_arch_gives_the_default_pe():
    arch = need(FOCUS_DATA / "database" / "arch")
    dev = load_device(arch)
    assert dev.macs_per_cycle == 256  # ws = 16 PEs x 16 MACs
    assert dev.buffers == SIMBA_BUFFERS  # the embedded default is this file, as Timeloop reads it
    assert dev.buffers[0] == Buffer("GlobalBuffer", 1, 2048 * 512 // 8, 8)
    assert dev == dataclasses.replace(DEFAULT_DEVICE)
    # the single file gives the same (components/ only add energy classes)
    assert load_device(arch / "simba_512gops_256core.yaml").macs_per_cycle == 256


@pytest.mark.parametrize("rel, macs", [
    ("07_example_designs_conv_c3m32_224/inputs/simba_like/arch.yaml", 256),
    ("07_example_designs_conv_c3m32_224/simba_like/parsed-processed-input.yaml", 256),
    ("07_example_designs_conv_c3m32_224/inputs/eyeriss_like/arch.yaml", 168),
    ("06_eyeriss_like_vgg02_layer5/ex06_int16/parsed-processed-input.yaml", 168),
    ("04_ex04_conv1d_oc_ic_spatial/kp/parsed-processed-input.yaml", 16),
    ("04_ex04_conv1d_oc_ic_spatial/legacy_v02_2022/inputs/arch/3levelspatial.arch.yaml", 16),
    ("08_gemm_and_link_transfer_cases/tutorial2024_8mac/inputs", 8),
    ("08_gemm_and_link_transfer_cases/pytimeloop_two_level_mm/inputs/two_level.arch.yaml", 1),
    ("01_ex00_conv1d_1level/inputs/arch/1level.arch.yaml", 1),
])
def test_timeloop_ref_architectures(rel, macs):
    dev = load_device(need(TIMELOOP_REF / rel))
    assert dev.macs_per_cycle == macs
    assert dev.mesh == (8, 8)  # a Timeloop arch describes a PE, not the mesh


def test_every_timeloop_ref_architecture_loads_or_names_missing_jinja_variables():
    ref = need(TIMELOOP_REF)
    from frontend.timeloop_yaml import doc_kinds, load_yaml

    n = 0
    for f in sorted(ref.rglob("*.yaml")):
        if "architecture" not in doc_kinds(load_yaml(f)):
            continue
        target = f.parent if (f.parent / "variables.yaml").exists() else f
        try:
            dev = load_device(target)
        except FocusError as exc:  # a template whose variables have no default (e.g. {{mac_class}})
            assert "Jinja variables without a value" in str(exc), exc
            continue
        assert dev.macs_per_cycle >= 1 and dev.buffers
        n += 1
    assert n >= 25


def test_our_arch_format(tmp_path):
    tl = need(FOCUS_DATA / "database" / "arch")
    f = tmp_path / "chip.yaml"
    f.write_text(
        "device:\n  name: c1\n  preset: focus-original\n  mesh: 6x4\n  link-bits: 256\n  flit_bits: 128\n"
        "  router: {vcs: 2, vc-buffer-flits: 8, injection-queue: 4, pipeline-delay: 3, link-delay: 2}\n"
        f"  pe: {{timeloop-arch: {tl}}}\n  dram: {{bytes-per-cycle: 16, latency: 40}}\n")
    dev, known = load_device_info(f)
    assert known and dev.mesh == (6, 4) and dev.preset == "focus-original" and not dev.memory_compute
    assert dev.memory_pes == original_memory_pes(6, 4)
    assert (dev.link_bits, dev.flit_bits, dev.num_vcs, dev.vc_buf_flits, dev.injection_queue) == (256, 128, 2, 8, 4)
    assert (dev.router_delay, dev.link_delay, dev.dram_bytes_per_cycle, dev.dram_latency) == (3, 2, 16.0, 40)
    assert dev.macs_per_cycle == 256 and dev.buffers == SIMBA_BUFFERS
    dev2, known2 = load_device_info(f, mesh="3x3")
    assert dev2.mesh == (3, 3) and known2


def test_our_arch_format_round_trips_through_yaml(tmp_path):
    import yaml

    dev = Device.for_mesh(5, 5, "focus-original", link_bits=512, buffers=(Buffer("B", 2, 1000),))
    f = tmp_path / "d.yaml"
    f.write_text(yaml.safe_dump(dev.to_yaml_dict()))
    assert dataclasses.replace(load_device(f), source="") == dataclasses.replace(dev, source="")


def test_examples_chip():
    dev = load_device(REPO / "examples" / "tasks" / "chip-6x6.yaml")
    assert dev.mesh == (6, 6) and dev.macs_per_cycle == 64 and dev.pe_buffer_bytes == 65536


@pytest.mark.parametrize("body, msg", [
    ("device:\n  mesh: 4x4\n  colour: red\n", "unknown key 'colour'"),
    ("device:\n  preset: fast\n", "preset 'fast' is unknown"),
    ("device:\n  mesh: 4x4\n  memory-pes: [[0, 9]]\n", "outside the 4x4 mesh"),
    ("device:\n  router: {vcs: 0}\n", "router.vcs: 0"),
    ("device:\n  pe: {buffers: [{name: G}]}\n", "expected {name, bytes"),
    ("device:\n  pe: {timeloop-arch: nowhere.yaml}\n", "no file or folder"),
    ("something: 1\n", "not an architecture"),
])
def test_our_arch_format_errors(tmp_path, body, msg):
    f = tmp_path / "a.yaml"
    f.write_text(body)
    with pytest.raises(FocusError, match=msg):
        load_device(f)


def test_presets_by_name_and_unknown():
    assert load_device("focus-original").preset == "focus-original"
    with pytest.raises(FocusError, match="no such architecture file"):
        load_device("no-such-arch")

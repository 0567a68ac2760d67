"""The model zoo: shapes from formulas, residual dependencies, known MAC counts, the FOCUS layer bank."""

from __future__ import annotations

import pytest
from frontend_testutil import FOCUS_DATA, need

from focus_tools.errors import FocusError
from frontend.timeloop_yaml import load_problem
from frontend.to_ir import module_stats, workload_to_module
from frontend.zoo import ZOO, zoo_workload


def test_resnet50_counts_macs_and_residuals():
    wl = zoo_workload("resnet50")
    stats = module_stats(workload_to_module(wl), per_layer=False)["models"]["resnet50"]
    assert stats == {"layers": 70, "macs": 4089184256, "ops": {"conv2d": 53, "matmul": 1, "add": 16}}
    # every bottleneck adds its conv3 output to the block input (or to the downsample projection)
    add = wl.layer("resnet50.layer1.1.add")
    assert add.inputs == (("resnet50.layer1.1.conv3", "A"), ("resnet50.layer1.0.add", "B"))
    first = wl.layer("resnet50.layer2.0.add")
    assert first.inputs == (("resnet50.layer2.0.conv3", "A"), ("resnet50.layer2.0.downsample", "B"))
    assert wl.layer("resnet50.layer2.0.downsample").inputs == (("resnet50.layer1.2.add", "Inputs"),)
    assert wl.layer("resnet50.fc").problem.bounds == {"M": 1, "K": 2048, "N": 1000}
    assert wl.layer("resnet50.layer4.2.conv2").problem.bounds == dict(C=512, M=512, R=3, S=3, N=1, P=7, Q=7)


def test_bert_base_gemm_shapes_at_seq_128():
    wl = zoo_workload("bert-base", seq_len=128)
    stats = wl.stats()["models"]["bert-base"]
    assert stats["ops"] == {"matmul": 12 * 8 + 1, "add": 12 * 2}
    dims = {r["name"]: r["dims"] for r in stats["per_layer"]}
    for i in range(12):
        p = f"bert-base.layer{i}"
        for proj in ("query", "key", "value", "attn_output"):
            assert dims[f"{p}.{proj}"] == {"M": 128, "K": 768, "N": 768}
        assert dims[f"{p}.scores"] == {"B": 12, "M": 128, "K": 64, "N": 128}  # per head: Q K^T
        assert dims[f"{p}.context"] == {"B": 12, "M": 128, "K": 128, "N": 64}  # per head: P V
        assert dims[f"{p}.ffn1"] == {"M": 128, "K": 768, "N": 3072}
        assert dims[f"{p}.ffn2"] == {"M": 128, "K": 3072, "N": 768}
    assert stats["macs"] == 12 * (4 * 128 * 768 * 768 + 2 * 128 * 128 * 768 + 2 * 128 * 768 * 3072) + 768 * 768
    scores = wl.layer("bert-base.layer3.scores")
    assert scores.inputs == (("bert-base.layer3.query", "Query"), ("bert-base.layer3.key", "Key"))
    ctx = wl.layer("bert-base.layer3.context")
    assert ctx.inputs == (("bert-base.layer3.scores", "Probs"), ("bert-base.layer3.value", "Value"))
    assert wl.layer("bert-base.layer3.attn_add").inputs == (("bert-base.layer3.attn_output", "A"),
                                                            ("bert-base.layer2.ffn_add", "B"))


def test_bert_large_and_seq_len_parameter():
    wl = zoo_workload("bert-large", seq_len=384)
    assert wl.layer("bert-large.layer23.ffn1").problem.bounds == {"M": 384, "K": 1024, "N": 4096}
    assert wl.layer("bert-large.layer0.scores").problem.bounds == {"B": 16, "M": 384, "K": 64, "N": 384}
    assert len(wl.layers) == 24 * 10 + 1
    with pytest.raises(FocusError, match="sequence length 0"):
        zoo_workload("bert-base", seq_len=0)


@pytest.mark.parametrize("name, layers, macs", [
    ("resnet18", 29, 1814073344), ("vgg16", 16, 15470264320), ("alexnet", 8, 714188480),
    ("mobilenet_v3_large", 82, 217187168),
])
def test_known_totals(name, layers, macs):
    stats = zoo_workload(name).stats()["models"][name]
    assert (stats["layers"], stats["macs"]) == (layers, macs)


def test_mobilenet_v3_large_squeeze_excite_and_residuals():
    wl = zoo_workload("mobilenet_v3_large")
    scale = wl.layer("mobilenet_v3_large.features.4.se.scale")
    assert scale.kind == "einsum"
    assert scale.inputs == (("mobilenet_v3_large.features.4.depthwise", "Inputs"),
                            ("mobilenet_v3_large.features.4.se.fc2", "Scale"))
    assert wl.layer("mobilenet_v3_large.features.4.se.fc1").problem.bounds == {"M": 1, "K": 72, "N": 24}
    assert wl.layer("mobilenet_v3_large.features.4.project").inputs[0][0] == "mobilenet_v3_large.features.4.se.scale"
    assert sum(layer.kind == "depthwise" for layer in wl.layers) == 15


@pytest.mark.parametrize("name", sorted(ZOO))
def test_every_zoo_model_builds_a_verified_module(name):
    wl = zoo_workload(name, seq_len=32)
    module = workload_to_module(wl)
    assert module_stats(module, per_layer=False)["models"][name]["layers"] == len(wl.layers)


@pytest.mark.parametrize("name, image, n", [
    ("resnet50", 224, 54), ("wide_resnet50_2", 224, 54), ("vgg16", 256, 16), ("alexnet", 256, 8),
    ("mobilenet_v3_large", 224, 64),
])
def test_zoo_matches_the_focus_layer_bank(name, image, n):
    """The compute layers, in order, have the MACs of the original bank's files (same shapes, same order)."""
    db = need(FOCUS_DATA / "database" / name)
    mine = [layer for layer in zoo_workload(name, image_size=image).layers if layer.kind != "add"
            and layer.kind != "einsum"]
    assert len(mine) == n
    for i, layer in enumerate(mine, start=1):
        ref = load_problem(db / f"{name}_layer{i}.yaml")
        assert layer.problem.macs == ref.macs, (i, layer.name)
        if layer.kind in ("conv2d", "depthwise"):
            assert layer.problem.bounds == {d: ref.bounds[d] for d in layer.problem.dims}, (i, layer.name)

"""ONNX import: layers, pass-through ops, symbolic dims, and one clear error for unsupported ops."""

from __future__ import annotations

import pytest
from onnx import helper
from onnx_graphs import attention, save, tensor, tiny_cnn, weight

from focus_tools.errors import FocusError
from frontend.load import load_workload
from frontend.onnx_import import load_onnx
from frontend.to_ir import module_stats, workload_to_module


def test_tiny_cnn(tmp_path):
    wl = load_onnx(tiny_cnn(tmp_path / "tiny.onnx"))
    assert wl.models == ("tiny",)
    kinds = {layer.name: layer.kind for layer in wl.layers}
    assert kinds == {"tiny.conv1": "conv2d", "tiny.dw": "depthwise", "tiny.grouped": "conv2d",
                     "tiny.residual": "add", "tiny.pool": "pool", "tiny.gap": "pool", "tiny.fc": "matmul"}
    assert wl.inputs[0].shape == (1, 3, 16, 16)  # symbolic batch -> 1
    assert wl.layer("tiny.conv1").problem.bounds == dict(C=3, M=8, R=3, S=3, N=1, P=8, Q=8)
    assert "Inputs[N][C][R+2*P][S+2*Q]" in wl.layer("tiny.conv1").problem.to_text()
    assert wl.layer("tiny.grouped").problem.bounds == dict(G=2, C=4, M=4, R=3, S=3, N=1, P=8, Q=8)
    # relu and batch norm pass through: the depthwise conv reads conv1, the grouped conv reads dw
    assert wl.layer("tiny.dw").inputs == (("tiny.conv1", "Inputs"),)
    assert wl.layer("tiny.grouped").inputs == (("tiny.dw", "Inputs"),)
    # the residual add reads both producers; the bias add (a constant operand) passes through
    assert wl.layer("tiny.residual").inputs == (("tiny.grouped", "A"), ("tiny.conv1", "B"))
    assert wl.layer("tiny.pool").inputs == (("tiny.residual", "Inputs"),)
    assert wl.layer("tiny.fc").problem.bounds == {"M": 1, "K": 8, "N": 10}  # transB handled
    assert wl.output_layers() == ["tiny.fc"]
    s = module_stats(workload_to_module(load_workload(tmp_path / "tiny.onnx")))["models"]["tiny"]
    assert s["macs"] == 3 * 8 * 9 * 64 + 8 * 9 * 64 + 2 * 4 * 4 * 9 * 64 + 80


def test_attention_matmuls_and_seq_len(tmp_path):
    f = attention(tmp_path / "attn.onnx")
    with pytest.raises(FocusError, match=r"input 'x' has a symbolic dimension 'seq' \(axis 1\); pass --seq-len"):
        load_onnx(f)
    wl = load_onnx(f, seq_len=8)
    assert wl.layer("attn.q_proj").problem.bounds == {"M": 8, "K": 16, "N": 16}
    scores = wl.layer("attn.scores")
    assert scores.problem.bounds == {"B": 2, "M": 8, "K": 8, "N": 8}  # per head, two activations
    assert scores.inputs == (("attn.q_proj", "A"), ("attn.k_proj", "B"))
    ctx = wl.layer("attn.context")
    assert ctx.inputs == (("attn.scores", "A"), ("attn.v_proj", "B"))  # Div by a constant + Softmax fused
    assert ctx.problem.bounds == {"B": 2, "M": 8, "K": 8, "N": 8}
    workload_to_module(wl.with_())


def test_concat_and_broadcast_mul(tmp_path):
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["a"], name="a"),
        helper.make_node("Conv", ["x", "w2"], ["b"], name="b"),
        helper.make_node("Concat", ["a", "b"], ["cat"], name="cat", axis=1),
        helper.make_node("GlobalAveragePool", ["cat"], ["g"], name="squeeze"),
        helper.make_node("Sigmoid", ["g"], ["sg"], name="gate"),
        helper.make_node("Mul", ["cat", "sg"], ["y"], name="excite"),
    ]
    f = save(nodes, [tensor("x", [1, 4, 6, 6])], [tensor("y", None)],
             [weight("w1", (4, 4, 1, 1)), weight("w2", (2, 4, 1, 1))], tmp_path / "c.onnx")
    wl = load_onnx(f)
    cat = wl.layer("c.cat")
    assert cat.kind == "concat" and cat.inputs == (("c.a", "In0"), ("c.b", "In1"))
    assert cat.problem.bounds == {"J": 2, "N": 1, "C": 4, "Q": 6, "P": 6}
    ex = wl.layer("c.excite")
    assert ex.kind == "einsum" and ex.inputs == (("c.cat", "A"), ("c.squeeze", "B"))
    assert "B[N][C]" in ex.problem.to_text()  # the gate broadcasts over the spatial dims
    workload_to_module(wl)


def test_unsupported_ops_are_listed_in_one_error(tmp_path):
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("TopK", ["c", "k"], ["v", "i"], name="topk", axis=1),
        helper.make_node("ConvTranspose", ["c", "wt"], ["u"], name="up1"),
        helper.make_node("ConvTranspose", ["u", "wt2"], ["u2"], name="up2"),
        helper.make_node("Conv", ["u2", "w3"], ["y"], name="conv3d_like"),
    ]
    import numpy as np
    from onnx import numpy_helper

    f = save(nodes, [tensor("x", [1, 2, 4, 4])], [tensor("y", None), tensor("v", None)],
             [weight("w", (2, 2, 1, 1)), numpy_helper.from_array(np.array([1], dtype=np.int64), "k"),
              weight("wt", (2, 2, 2, 2)), weight("wt2", (2, 2, 2, 2)), weight("w3", (2, 2, 1, 1))],
             tmp_path / "bad.onnx")
    with pytest.raises(FocusError) as e:
        load_onnx(f)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith(f"{f}: unsupported ONNX ops: ConvTranspose (2 nodes: up1, up2); TopK (1 node: topk).")
    assert "Supported compute ops: " in msg


def test_conv3d_is_unsupported(tmp_path):
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="c3")]
    f = save(nodes, [tensor("x", [1, 2, 4, 4, 4])], [tensor("y", None)], [weight("w", (2, 2, 1, 1, 1))],
             tmp_path / "c3.onnx")
    with pytest.raises(FocusError, match=r"unsupported ONNX ops: Conv \(3-D\) \(1 node: c3\)"):
        load_onnx(f)


def test_conv1d_and_asymmetric_stride(tmp_path):
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="c1d", strides=[2]),
             helper.make_node("Unsqueeze", ["c", "ax"], ["c4"], name="unsq"),
             helper.make_node("Conv", ["c4", "w2"], ["y"], name="c2d", strides=[1, 2])]
    import numpy as np
    from onnx import numpy_helper

    f = save(nodes, [tensor("x", [1, 2, 9])], [tensor("y", None)],
             [weight("w", (4, 2, 3)), numpy_helper.from_array(np.array([2], dtype=np.int64), "ax"),
              weight("w2", (4, 4, 1, 1))], tmp_path / "s.onnx")
    wl = load_onnx(f)
    assert wl.layer("s.c1d").problem.bounds == dict(C=2, M=4, R=3, S=1, N=1, P=4, Q=1)
    text = wl.layer("s.c2d").problem.to_text()
    assert "Inputs[N][C][R+2*P][S+Q]" in text
    workload_to_module(wl)


def test_not_onnx_and_no_layers(tmp_path):
    f = tmp_path / "junk.onnx"
    f.write_bytes(b"\x00\x01not a protobuf at all\xff" * 3)
    with pytest.raises(FocusError, match=r"junk.onnx: not a valid ONNX model"):
        load_onnx(f)
    g = save([helper.make_node("Relu", ["x"], ["y"], name="r")], [tensor("x", [1, 4])], [tensor("y", None)], [],
             tmp_path / "relu.onnx")
    with pytest.raises(FocusError, match="no compute layer"):
        load_onnx(g)

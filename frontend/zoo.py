"""Model zoo: layer shapes generated from the architectures' formulas (torchvision / BERT), offline.

CNNs take an `image_size` (default 224) and follow torchvision's definitions; transformers take a
sequence length (default 128) and emit real GEMMs (tokens x hidden), not the original's one-token
matrix-vector products. Residual connections are `add` layers reading both operands, MobileNetV3's
squeeze-excite is two FC layers plus a channel-scale `einsum`, BERT's attention is two batched matmuls
per block (one batch entry per head). Pooling, activations, normalisation and softmax are fused into the
neighbouring layers (no layer of their own), as in the original layer bank.

Layer names are `<model>.<path>`, e.g. `resnet50.layer1.0.conv2`, `bert-base.layer0.query`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from focus_tools.errors import FocusError
from frontend.problem import Problem
from frontend.workload import (
    Layer,
    TensorInput,
    Workload,
    conv_problem,
    elementwise_problem,
    matmul_problem,
)

DEFAULT_SEQ_LEN = 128
DEFAULT_IMAGE = 224


@dataclass
class Act:
    """An activation: the symbol producing it and its (C, H, W) or (rows, features) shape."""

    name: str
    shape: tuple[int, ...]


@dataclass
class _Net:
    model: str
    cores: int
    inputs: list[TensorInput] = field(default_factory=list)
    layers: list[Layer] = field(default_factory=list)

    def sym(self, path: str) -> str:
        return f"{self.model}.{path}"

    def input(self, shape: tuple[int, ...], act_shape: tuple[int, ...]) -> Act:
        name = self.sym("input")
        self.inputs.append(TensorInput(name, self.model, shape))
        return Act(name, act_shape)

    def add_layer(self, path: str, kind: str, problem: Problem, operands: list[tuple[Act, str]]) -> str:
        name = self.sym(path)
        self.layers.append(Layer(name, self.model, kind, problem, self.cores,
                                 tuple((a.name, s) for a, s in operands), f"zoo:{self.model}"))
        return name

    # ---- CNN pieces (activations are (C, H, W)) ----
    def conv(self, path: str, x: Act, cout: int, k: int, stride: int = 1, pad: int | None = None,
             groups: int = 1) -> Act:
        c, h, w = x.shape
        pad = (k - 1) // 2 if pad is None else pad
        ho, wo = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
        if ho < 1 or wo < 1:
            raise FocusError(f"zoo {self.model}: {path}: input {h}x{w} is too small for a {k}x{k} stride-{stride} "
                             "convolution")
        problem = conv_problem(self.sym(path), c, cout, wo, ho, k, k, 1, stride, 1, groups)
        kind = "depthwise" if groups == c == cout and groups > 1 else "conv2d"
        name = self.add_layer(path, kind, problem, [(x, "Inputs")])
        return Act(name, (cout, ho, wo))

    def fc(self, path: str, x: Act, nout: int, rows: int = 1) -> Act:
        k = x.shape[-1]
        problem = matmul_problem(self.sym(path), rows, k, nout)
        name = self.add_layer(path, "matmul", problem, [(x, "Inputs")])
        return Act(name, (rows, nout))

    def add(self, path: str, a: Act, b: Act) -> Act:
        problem = elementwise_problem(self.sym(path), (1,) + a.shape, [(1,) + a.shape, (1,) + b.shape])
        name = self.add_layer(path, "add", problem, [(a, "A"), (b, "B")])
        return Act(name, a.shape)

    def workload(self, name: str) -> Workload:
        return Workload((self.model,), tuple(self.inputs), tuple(self.layers), (), 1, source=f"zoo:{name}")


def _pool(x: Act, k: int, stride: int, pad: int = 0, ceil: bool = False) -> Act:
    """A fused pooling step: only the shape changes."""
    c, h, w = x.shape

    def out(n: int) -> int:
        num = n + 2 * pad - k
        return (-(-num // stride) if ceil else num // stride) + 1

    return Act(x.name, (c, out(h), out(w)))


def _flatten(x: Act) -> Act:
    n = 1
    for d in x.shape:
        n *= d
    return Act(x.name, (1, n))


def _global_pool(x: Act) -> Act:
    return Act(x.name, (1, x.shape[0]))


def _image(net: _Net, size: int) -> Act:
    if size < 32:
        raise FocusError(f"zoo {net.model}: image size {size}, expected at least 32")
    return net.input((1, 3, size, size), (3, size, size))


# ---- ResNet family (torchvision v1.5: the stride sits on the 3x3 conv) ----
def _resnet(net: _Net, size: int, block: str, layers: tuple[int, ...], width: int = 64, groups: int = 1,
            num_classes: int = 1000) -> None:
    x = _image(net, size)
    x = net.conv("conv1", x, 64, 7, 2, 3)
    x = _pool(x, 3, 2, 1)
    expansion = 4 if block == "bottleneck" else 1
    inplanes = 64
    for stage, (planes, blocks) in enumerate(zip((64, 128, 256, 512), layers), start=1):
        for b in range(blocks):
            stride = 2 if (b == 0 and stage > 1) else 1
            p = f"layer{stage}.{b}"
            identity = x
            if block == "bottleneck":
                mid = int(planes * (width / 64.0)) * groups
                y = net.conv(f"{p}.conv1", x, mid, 1)
                y = net.conv(f"{p}.conv2", y, mid, 3, stride, 1, groups)
                y = net.conv(f"{p}.conv3", y, planes * expansion, 1)
            else:
                y = net.conv(f"{p}.conv1", x, planes, 3, stride, 1)
                y = net.conv(f"{p}.conv2", y, planes, 3, 1, 1)
            if stride != 1 or inplanes != planes * expansion:
                identity = net.conv(f"{p}.downsample", x, planes * expansion, 1, stride, 0)
            x = net.add(f"{p}.add", y, identity)
            inplanes = planes * expansion
    x = _global_pool(x)
    net.fc("fc", x, num_classes)


# ---- VGG ----
_VGG = {
    "vgg11": (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "vgg13": (64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "vgg16": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"),
    "vgg19": (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"),
}


def _vgg(net: _Net, size: int, cfg: tuple) -> None:
    x = _image(net, size)
    i = 0
    for v in cfg:
        if v == "M":
            x = _pool(x, 2, 2)
        else:
            x = net.conv(f"features.{i}", x, int(v), 3, 1, 1)
            i += 1
    # torchvision's adaptive average pool to 7x7 (identity at 224): the classifier reads 512*7*7
    x = Act(x.name, (1, 512 * 7 * 7))
    x = net.fc("classifier.0", x, 4096)
    x = net.fc("classifier.3", x, 4096)
    net.fc("classifier.6", x, 1000)


def _alexnet(net: _Net, size: int) -> None:
    x = _image(net, size)
    x = net.conv("features.0", x, 64, 11, 4, 2)
    x = _pool(x, 3, 2)
    x = net.conv("features.3", x, 192, 5, 1, 2)
    x = _pool(x, 3, 2)
    x = net.conv("features.6", x, 384, 3, 1, 1)
    x = net.conv("features.8", x, 256, 3, 1, 1)
    x = net.conv("features.10", x, 256, 3, 1, 1)
    x = _pool(x, 3, 2)
    x = Act(x.name, (1, 256 * 6 * 6))  # adaptive average pool to 6x6
    x = net.fc("classifier.1", x, 4096)
    x = net.fc("classifier.4", x, 4096)
    net.fc("classifier.6", x, 1000)


# ---- MobileNetV3 (torchvision) ----
def _make_divisible(v: float, divisor: int = 8) -> int:
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


# (input, kernel, expanded, out, use_se, stride)
_MBV3_LARGE = (
    (16, 3, 16, 16, False, 1), (16, 3, 64, 24, False, 2), (24, 3, 72, 24, False, 1),
    (24, 5, 72, 40, True, 2), (40, 5, 120, 40, True, 1), (40, 5, 120, 40, True, 1),
    (40, 3, 240, 80, False, 2), (80, 3, 200, 80, False, 1), (80, 3, 184, 80, False, 1),
    (80, 3, 184, 80, False, 1), (80, 3, 480, 112, True, 1), (112, 3, 672, 112, True, 1),
    (112, 5, 672, 160, True, 2), (160, 5, 960, 160, True, 1), (160, 5, 960, 160, True, 1),
)
_MBV3_SMALL = (
    (16, 3, 16, 16, True, 2), (16, 3, 72, 24, False, 2), (24, 3, 88, 24, False, 1),
    (24, 5, 96, 40, True, 2), (40, 5, 240, 40, True, 1), (40, 5, 240, 40, True, 1),
    (40, 5, 120, 48, True, 1), (48, 5, 144, 48, True, 1), (48, 5, 288, 96, True, 2),
    (96, 5, 576, 96, True, 1), (96, 5, 576, 96, True, 1),
)


def _mobilenet_v3(net: _Net, size: int, cfg: tuple, last_channel: int) -> None:
    x = _image(net, size)
    x = net.conv("features.0", x, 16, 3, 2, 1)
    for i, (cin, k, exp, cout, se, stride) in enumerate(cfg, start=1):
        p = f"features.{i}"
        inp = x
        if exp != cin:
            x = net.conv(f"{p}.expand", x, exp, 1)
        x = net.conv(f"{p}.depthwise", x, exp, k, stride, (k - 1) // 2, groups=exp)
        if se:
            sq = _make_divisible(exp // 4, 8)
            s = net.fc(f"{p}.se.fc1", _global_pool(x), sq)
            s = net.fc(f"{p}.se.fc2", s, exp)
            c, h, w = x.shape
            problem = elementwise_problem(net.sym(f"{p}.se.scale"), (1, c, h, w), [(1, c, h, w), (1, c, 1, 1)],
                                          ("Inputs", "Scale"))
            name = net.add_layer(f"{p}.se.scale", "einsum", problem, [(x, "Inputs"), (s, "Scale")])
            x = Act(name, (c, h, w))
        x = net.conv(f"{p}.project", x, cout, 1)
        if stride == 1 and cin == cout:
            x = net.add(f"{p}.add", x, inp)
    x = net.conv(f"features.{len(cfg) + 1}", x, 6 * cfg[-1][3], 1)
    x = _global_pool(x)
    x = net.fc("classifier.0", x, last_channel)
    net.fc("classifier.3", x, 1000)


# ---- BERT encoder ----
def _bert(net: _Net, seq_len: int, blocks: int, hidden: int, heads: int, ffn: int) -> None:
    if isinstance(seq_len, bool) or not isinstance(seq_len, int) or seq_len < 1:
        raise FocusError(f"zoo {net.model}: sequence length {seq_len!r}, expected a positive integer")
    L, H, A = seq_len, hidden, heads
    d = H // A
    x = net.input((L, H), (L, H))  # the embeddings (token + position + segment, layer-normed)

    def gemm(path: str, a: Act, k: int, n: int) -> Act:
        problem = matmul_problem(net.sym(path), L, k, n)
        return Act(net.add_layer(path, "matmul", problem, [(a, "Inputs")]), (L, n))

    for i in range(blocks):
        p = f"layer{i}"
        q = gemm(f"{p}.query", x, H, H)
        k = gemm(f"{p}.key", x, H, H)
        v = gemm(f"{p}.value", x, H, H)
        scores = matmul_problem(net.sym(f"{p}.scores"), L, d, L, batch=A, a="Query", b="Key")
        s = Act(net.add_layer(f"{p}.scores", "matmul", scores, [(q, "Query"), (k, "Key")]), (A, L, L))
        context = matmul_problem(net.sym(f"{p}.context"), L, L, d, batch=A, a="Probs", b="Value")
        c = Act(net.add_layer(f"{p}.context", "matmul", context, [(s, "Probs"), (v, "Value")]), (L, H))
        o = gemm(f"{p}.attn_output", c, H, H)
        x1 = _add2(net, f"{p}.attn_add", o, x)
        f1 = gemm(f"{p}.ffn1", x1, H, ffn)
        f2 = gemm(f"{p}.ffn2", f1, ffn, H)
        x = _add2(net, f"{p}.ffn_add", f2, x1)
    pooler = matmul_problem(net.sym("pooler"), 1, H, H)  # dense on the [CLS] token
    net.add_layer("pooler", "matmul", pooler, [(x, "Inputs")])


def _add2(net: _Net, path: str, a: Act, b: Act) -> Act:
    problem = elementwise_problem(net.sym(path), a.shape, [a.shape, b.shape])
    return Act(net.add_layer(path, "add", problem, [(a, "A"), (b, "B")]), a.shape)


_Builder = Callable[[_Net, int, int], None]  # (net, image size, seq len)

ZOO: dict[str, tuple[str, _Builder]] = {
    "alexnet": ("cnn", lambda n, s, L: _alexnet(n, s)),
    "vgg11": ("cnn", lambda n, s, L: _vgg(n, s, _VGG["vgg11"])),
    "vgg13": ("cnn", lambda n, s, L: _vgg(n, s, _VGG["vgg13"])),
    "vgg16": ("cnn", lambda n, s, L: _vgg(n, s, _VGG["vgg16"])),
    "vgg19": ("cnn", lambda n, s, L: _vgg(n, s, _VGG["vgg19"])),
    "resnet18": ("cnn", lambda n, s, L: _resnet(n, s, "basic", (2, 2, 2, 2))),
    "resnet34": ("cnn", lambda n, s, L: _resnet(n, s, "basic", (3, 4, 6, 3))),
    "resnet50": ("cnn", lambda n, s, L: _resnet(n, s, "bottleneck", (3, 4, 6, 3))),
    "resnet101": ("cnn", lambda n, s, L: _resnet(n, s, "bottleneck", (3, 4, 23, 3))),
    "resnet152": ("cnn", lambda n, s, L: _resnet(n, s, "bottleneck", (3, 8, 36, 3))),
    "wide_resnet50_2": ("cnn", lambda n, s, L: _resnet(n, s, "bottleneck", (3, 4, 6, 3), width=128)),
    "resnext50_32x4d": ("cnn", lambda n, s, L: _resnet(n, s, "bottleneck", (3, 4, 6, 3), width=4, groups=32)),
    "mobilenet_v3_large": ("cnn", lambda n, s, L: _mobilenet_v3(n, s, _MBV3_LARGE, 1280)),
    "mobilenet_v3_small": ("cnn", lambda n, s, L: _mobilenet_v3(n, s, _MBV3_SMALL, 1024)),
    "bert-base": ("transformer", lambda n, s, L: _bert(n, L, 12, 768, 12, 3072)),
    "bert-large": ("transformer", lambda n, s, L: _bert(n, L, 24, 1024, 16, 4096)),
}
ALIASES = {"bert": "bert-base", "bert_base": "bert-base", "bert_large": "bert-large", "wrn50": "wide_resnet50_2",
           "resnext50": "resnext50_32x4d"}


def zoo_names() -> list[str]:
    return list(ZOO)


def is_zoo_model(name: str) -> bool:
    return name in ZOO or name in ALIASES


def zoo_workload(name: str, model: str | None = None, *, seq_len: int | None = None, cores: int = 0,
                 image_size: int | None = None) -> Workload:
    """One zoo model as a Workload (model key `model`, default the zoo name)."""
    key = ALIASES.get(name, name)
    if key not in ZOO:
        raise FocusError(f"zoo: unknown model '{name}' (models: {', '.join(ZOO)})")
    net = _Net(model or key, cores)
    _, build = ZOO[key]
    build(net, DEFAULT_IMAGE if image_size is None else image_size, DEFAULT_SEQ_LEN if seq_len is None else seq_len)
    return net.workload(key)

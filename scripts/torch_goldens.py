#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures under test/fixtures/torch/ (see scripts/README.md).

Deterministic (fixed seeds): torchvision MobileNets with random weights and random batch-norm
statistics, saved with torch.save in the zip container and the legacy container, fixed inputs, the
reference logits, and a JSON index with a per-tensor digest (shape, dtype, sum, first values).
Also small state dicts exercising dtypes, views, shared storages and checkpoint wrappers.

Run with a Python that has torch and torchvision (Debian: python3-torch python3-torchvision):
    /usr/bin/python3 scripts/torch_goldens.py
"""

import json
import os
import sys
from collections import OrderedDict

import torch
import torchvision
from torchvision.models import mobilenet_v2
from torchvision.models.mobilenetv3 import MobileNetV3, _mobilenet_v3_conf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "torch")
NUM_CLASSES = 10
RESOLUTION = 64
BATCH = 2

# (name, family, width_mult, also saved in the legacy container)
MODELS = [
    ("mobilenet_v2_0.1", "v2", 0.1, False),
    ("mobilenet_v3_large_0.1", "v3-large", 0.1, False),
    ("mobilenet_v3_small_0.1", "v3-small", 0.1, True),
]


def build(family, width):
    if family == "v2":
        return mobilenet_v2(width_mult=width, num_classes=NUM_CLASSES)
    arch = "mobilenet_v3_large" if family == "v3-large" else "mobilenet_v3_small"
    setting, last_channel = _mobilenet_v3_conf(arch, width_mult=width)
    return MobileNetV3(setting, last_channel, num_classes=NUM_CLASSES)


def randomize(model, gen):
    """Fan-in scaled weights, random biases and affine batch-norm parameters, then running statistics
    measured on random images, so that activations stay O(1) and the logits depend on the input."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)
            elif isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.2)
                m.momentum = None
                m.reset_running_stats()
        model.train()
        model(torch.randn(8, 3, RESOLUTION, RESOLUTION, generator=gen) * 1.5 + 0.3)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.add_(torch.randn(m.num_features, generator=gen) * 0.05)
                m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=gen)))


def digest(t):
    flat = t.detach().reshape(-1)
    as_f64 = flat.to(torch.float64) if flat.dtype != torch.bool else flat.to(torch.float64)
    return {
        "shape": list(t.shape),
        "dtype": str(t.dtype).replace("torch.", ""),
        "sum": float(as_f64.sum()),
        "first": [float(v) for v in as_f64[:2]],
    }


def save_both(obj, name, legacy):
    torch.save(obj, os.path.join(OUT, name + ".pt"))
    files = {"zip": name + ".pt"}
    if legacy:
        torch.save(obj, os.path.join(OUT, name + ".legacy.pt"), _use_new_zipfile_serialization=False)
        files["legacy"] = name + ".legacy.pt"
    return files


def write_f32(path, t):
    t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tofile(path)


def dtype_state_dict():
    g = torch.Generator().manual_seed(7)
    base = torch.randn(4, 6, generator=g)
    shared = torch.arange(24, dtype=torch.float32)
    return OrderedDict(
        [
            ("f32", torch.randn(2, 3, generator=g)),
            ("f32_transposed", base.t()),
            ("f32_slice", base[1:3, 2:5]),
            ("f32_strided", base[:, ::2]),
            ("shared_a", shared[:12].view(3, 4)),
            ("shared_b", shared[12:].view(2, 6)),
            ("f16", torch.randn(5, generator=g).half()),
            ("bf16", torch.randn(5, generator=g).bfloat16()),
            ("f64", torch.randn(3, generator=g).double()),
            ("i64", torch.tensor([-3, 0, 2**40, 7], dtype=torch.int64)),
            ("i32", torch.tensor([-2**31, 5, 2**31 - 1], dtype=torch.int32)),
            ("i16", torch.tensor([-300, 300], dtype=torch.int16)),
            ("i8", torch.tensor([-128, 127, 0], dtype=torch.int8)),
            ("u8", torch.tensor([0, 200, 255], dtype=torch.uint8)),
            ("bool", torch.tensor([True, False, True])),
            ("scalar", torch.tensor(3.5)),
            ("empty", torch.zeros(0, 4)),
            ("param", torch.nn.Parameter(torch.randn(2, 2, generator=g))),
        ]
    )


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    index = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "num_classes": NUM_CLASSES,
        "resolution": RESOLUTION,
        "inputs": {"file": "inputs.bin", "shape": [BATCH, 3, RESOLUTION, RESOLUTION], "layout": "NCHW"},
        "models": [],
        "extra": [],
    }
    gen = torch.Generator().manual_seed(1234)
    inputs = torch.randn(BATCH, 3, RESOLUTION, RESOLUTION, generator=gen)
    write_f32(os.path.join(OUT, "inputs.bin"), inputs)

    for i, (name, family, width, legacy) in enumerate(MODELS):
        torch.manual_seed(100 + i)
        model = build(family, width)
        randomize(model, torch.Generator().manual_seed(200 + i))
        model.eval()
        with torch.no_grad():
            logits = model(inputs)
        sd = model.state_dict()
        files = save_both(sd, name, legacy)
        write_f32(os.path.join(OUT, name + ".logits.bin"), logits)
        index["models"].append(
            {
                "name": name,
                "family": family,
                "width_mult": width,
                "files": files,
                "logits": {"file": name + ".logits.bin", "shape": list(logits.shape)},
                "tensors": {k: digest(v) for k, v in sd.items()},
            }
        )

    dsd = dtype_state_dict()
    index["extra"].append(
        {"name": "dtypes", "files": save_both(dsd, "dtypes", True), "tensors": {k: digest(v) for k, v in dsd.items()}}
    )
    inner = OrderedDict(("module." + k, v) for k, v in list(dsd.items())[:3])
    layer = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(layer.parameters(), lr=0.01, betas=(0.9, 0.99))
    layer(torch.ones(1, 3)).sum().backward()
    opt.step()
    wrapped = {"epoch": 3, "best_acc": 0.75, "arch": "test", "state_dict": inner, "optimizer": opt.state_dict()}
    index["extra"].append(
        {
            "name": "wrapped",
            "files": save_both(wrapped, "wrapped", True),
            "tensors": {k[len("module."):]: digest(v) for k, v in inner.items()},
        }
    )

    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump(index, f, separators=(",", ":"))
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes to {os.path.relpath(OUT, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()

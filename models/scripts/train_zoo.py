#!/usr/bin/python3
"""Train the Fashion-MNIST model zoo and export each variant to ONNX.

Runs on Debian's own packages only (python3-torch, python3-onnx, python3-numpy,
dataset-fashion-mnist; add libopenblas0-pthread for a fast BLAS). CPU only.

    /usr/bin/python3 models/scripts/train_zoo.py [--only linear,mlp] [--threads 2]

`vgg-b` (and its `vgg-b-tta`) is vgg trained again from another seed, an independent strong member
for ensembles. `--only resnet` trains a member built to differ from vgg (residual blocks, global pooling), to
test whether a diverse member lifts the ensembles; it is not in the catalog (on validation it
did not: see README, "Ensembles, cascades and early answers").

Splits: the last 5,000 images of a fixed permutation of the 60k training set are
the validation split (used for choosing the best epoch); the 10k test set is only
evaluated once, for the report. Every exported model takes input "input"
[N,1,28,28] float32 in [0,1] (normalisation lives inside the model) and returns
"logits" [N,10], with a dynamic batch axis.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
MEAN, STD = 0.2860, 0.3530
VAL_SIZE = 5000
SEED = 20261128


def read_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_splits():
    x = read_idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = read_idx("train-labels-idx1-ubyte.gz").astype(np.int64)
    xt = read_idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    yt = read_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64)
    perm = np.random.RandomState(SEED).permutation(len(x))
    tr, va = perm[:-VAL_SIZE], perm[-VAL_SIZE:]
    # the Java side (ensemble accuracy on the validation split) reads the same split
    os.makedirs(os.path.join(MODELS, "splits"), exist_ok=True)
    with open(os.path.join(MODELS, "splits", "validation-indices.txt"), "w") as f:
        f.write(f"# indices into the 60k Fashion-MNIST training set held out for validation "
                f"(numpy RandomState({SEED}).permutation(60000)[-{VAL_SIZE}:], as train_zoo.py)\n")
        f.write("\n".join(map(str, va)))
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    return ((t(x[tr]).unsqueeze(1), t(y[tr])), (t(x[va]).unsqueeze(1), t(y[va])),
            (t(xt).unsqueeze(1), t(yt)))


class Normalize(nn.Module):
    def forward(self, x):
        return (x - MEAN) / STD


def conv_bn(i, o):
    return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]


def vgg(c1, c2, c3=None, fc=256, dropout=0.3):
    layers = [Normalize(), *conv_bn(1, c1), *conv_bn(c1, c1), nn.MaxPool2d(2),
              *conv_bn(c1, c2), *conv_bn(c2, c2), nn.MaxPool2d(2)]
    spatial, ch = 7 * 7, c2
    if c3:
        layers += [*conv_bn(c2, c3), *conv_bn(c3, c3), nn.MaxPool2d(2, ceil_mode=True)]
        spatial, ch = 4 * 4, c3
    layers += [nn.Flatten(), nn.Dropout(dropout), nn.Linear(ch * spatial, fc),
               nn.ReLU(inplace=True), nn.Dropout(dropout), nn.Linear(fc, 10)]
    return nn.Sequential(*layers)


class Residual(nn.Module):
    """Two 3x3 convolutions with batch norm and a shortcut (a strided 1x1 when the shape changes)."""

    def __init__(self, i, o, stride):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(i, o, 3, stride, 1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True),
                                  nn.Conv2d(o, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o))
        self.skip = nn.Identity() if i == o and stride == 1 else nn.Sequential(
            nn.Conv2d(i, o, 1, stride, bias=False), nn.BatchNorm2d(o))

    def forward(self, x):
        return F.relu(self.body(x) + self.skip(x))


def resnet(c1, c2, c3):
    """A member built to differ from vgg (residual blocks, strided convolutions, global average
    pooling instead of max pooling and a wide dense head): ensembles gain from members whose
    errors differ (../shared/research/model-zoo.md: a small ResNet lifted a wide CNN's vote)."""
    return nn.Sequential(Normalize(), *conv_bn(1, c1), Residual(c1, c1, 1), Residual(c1, c2, 2),
                         Residual(c2, c3, 2), Residual(c3, c3, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(c3, 10))


def build(name):
    if name == "linear":
        return nn.Sequential(Normalize(), nn.Flatten(), nn.Linear(784, 10))
    if name == "mlp":
        return nn.Sequential(Normalize(), nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
                             nn.Dropout(0.2), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "cnn-small":
        return nn.Sequential(Normalize(), nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(32 * 49, 64), nn.ReLU(), nn.Linear(64, 10))
    if name in ("vgg", "vgg-b"):
        return vgg(32, 64, 128, fc=256)
    if name == "resnet":
        return resnet(24, 48, 96)
    raise ValueError(name)


class TestTimeAugmented(nn.Module):
    """The heavy rung: one network run on several views of each image (shifts and flips that
    match its training augmentation), probabilities averaged. Returns log of the mean
    probability, so argmax and softmax downstream behave like logits."""

    def __init__(self, base, views):
        super().__init__()
        self.base = base
        self.views = views  # list of (dy, dx, flip)

    def forward(self, x):
        n = x.shape[0]
        padded = F.pad(x, (1, 1, 1, 1))
        rev = torch.arange(27, -1, -1)
        batch = []
        for dy, dx, flip in self.views:
            v = padded[:, :, 1 + dy:29 + dy, 1 + dx:29 + dx]
            if flip:
                v = torch.index_select(v, 3, rev)
            batch.append(v)
        probs = F.softmax(self.base(torch.cat(batch, 0)), dim=1).reshape(len(self.views), n, 10)
        return torch.log(probs.mean(0) + 1e-12)


TTA_VIEWS = [(0, 0, False), (0, 0, True), (0, 1, False), (0, -1, False), (1, 0, False), (-1, 0, False),
             (0, 1, True), (0, -1, True)]


# variant -> (epochs, optimizer, lr, augment, label smoothing)
RECIPES = {
    "linear": (8, "adam", 2e-3, False, 0.0),
    "mlp": (12, "adam", 1e-3, False, 0.0),
    "cnn-small": (8, "adam", 2e-3, False, 0.0),
    "vgg": (10, "sgd", 0.05, True, 0.1),
    "vgg-b": (10, "sgd", 0.05, True, 0.1),
    "resnet": (8, "sgd", 0.05, True, 0.1),
}


def augment(x):
    """Random shift of up to 2 pixels and a horizontal flip, per sample."""
    b = x.shape[0]
    padded = F.pad(x, (2, 2, 2, 2))
    dy = torch.randint(0, 5, (b,))
    dx = torch.randint(0, 5, (b,))
    ar = torch.arange(28)
    iy = (dy[:, None] + ar)[:, :, None]
    ix = (dx[:, None] + ar)[:, None, :]
    out = padded[torch.arange(b)[:, None, None], 0, iy, ix].unsqueeze(1)
    flip = torch.rand(b) < 0.5
    out[flip] = out[flip].flip(-1)
    return out


@torch.no_grad()
def accuracy(model, x, y, bs=1000):
    model.eval()
    correct = 0
    for i in range(0, len(x), bs):
        correct += (model(x[i:i + bs]).argmax(1) == y[i:i + bs]).sum().item()
    return correct / len(x)


def export(model, name):
    model.eval()
    path = os.path.join(MODELS, name + ".onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=17,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return path


# vgg-b is vgg trained again from another seed: an independent strong member for ensembles
SEEDS = {"vgg-b": SEED + 1}


def train(name, splits, threads):
    torch.manual_seed(SEEDS.get(name, SEED))
    (xtr, ytr), (xva, yva), (xte, yte) = splits
    epochs, opt_name, lr, aug, smooth = RECIPES[name]
    model = build(name)
    bs = 128
    steps = epochs * ((len(xtr) + bs - 1) // bs)
    if opt_name == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    # the schedule spans exactly the steps that run (a schedule cut short under-trains)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.2)
    best_val, best_state, start = -1.0, None, time.time()
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), bs):
            idx = perm[i:i + bs]
            xb = xtr[idx]
            if aug:
                xb = augment(xb)
            loss = F.cross_entropy(model(xb), ytr[idx], label_smoothing=smooth)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        val = accuracy(model, xva, yva)
        if val >= best_val:
            best_val = val
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
            export(model, name)  # a usable model exists after every improving epoch
        print(f"{name} epoch {epoch + 1}/{epochs} loss {loss.item():.3f} val {val:.4f} "
              f"elapsed {time.time() - start:.0f}s", flush=True)
    model.load_state_dict(best_state)
    export(model, name)
    test = accuracy(model, xte, yte, bs=250)
    write_report(name, best_val, test, epochs, start, threads, model)
    if name in ("vgg", "vgg-b"):
        # the heavy rung: the same network run on several augmented views of each image
        model.eval()
        # the number of views is tuned on the validation split, among those costly enough for the
        # heavy rung (>= 6 views, about 1 ms per sample at batch 1 on two cores)
        val_by_k = {}
        for k in (1, 2, 4, 6, 8):
            val_by_k[k] = accuracy(TestTimeAugmented(model, TTA_VIEWS[:k]), xva, yva, bs=250)
            print(f"{name}-tta views {k} val {val_by_k[k]:.4f}", flush=True)
        k = max((6, 8), key=lambda n: (val_by_k[n], -n))
        tta = TestTimeAugmented(model, TTA_VIEWS[:k])
        export(tta, name + "-tta")
        write_report(name + "-tta", val_by_k[k], accuracy(tta, xte, yte, bs=250), epochs, start, threads, tta,
                     base=name, views=k, val_by_views=val_by_k)


def write_report(name, val, test, epochs, start, threads, model, **extra):
    report = {"variant": name, "val_accuracy": val, "test_accuracy": test, "epochs": epochs,
              "train_seconds": round(time.time() - start, 1), "threads": threads,
              "params": sum(p.numel() for p in model.parameters()), "torch": torch.__version__, **extra}
    with open(os.path.join(MODELS, "reports", f"train-{name}.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report), flush=True)


def main():
    ap = argparse.ArgumentParser()
    # resnet is not in the catalog: an experiment in ensemble diversity, trained only when named
    ap.add_argument("--only", default=",".join(r for r in RECIPES if r != "resnet"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(os.path.join(MODELS, "reports"), exist_ok=True)
    splits = load_splits()
    for name in args.only.split(","):
        train(name, splits, args.threads)


if __name__ == "__main__":
    main()

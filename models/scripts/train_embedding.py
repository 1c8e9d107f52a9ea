#!/usr/bin/python3
"""Train the zoo's non-classifier task: Fashion-MNIST image embeddings, and export them to ONNX.

Runs on Debian's own packages only, like train_zoo.py (python3-torch, python3-onnx, python3-numpy,
dataset-fashion-mnist). CPU only.

    /usr/bin/python3 models/scripts/train_embedding.py [--threads 1] [--epochs 6]

Two variants of one task (`fashion-mnist-embedding`, models/catalog-embedding.yaml), both taking
"input" [N,1,28,28] float32 in [0,1] and returning "embedding" [N,64] float32, unit length, with a
dynamic batch axis. Neither returns class scores: Sluice serves their output tensor as it is.

- `embed-cnn`: cnn-small's convolutions with a 64-wide embedding instead of the class layer,
  trained with a cosine-softmax head (logits = 16 * cos(embedding, class weight); the head is
  dropped from the export), so that same-class images point the same way.
- `embed-mlp`: a cheaper MLP trained to reproduce embed-cnn's embeddings (cosine distance to the
  teacher's, on the training images): the same embedding space, so the two can be averaged
  (an ensemble plan with vote MEAN) and either can stand in for the other.

Quality of an embedding ("accuracy" in the catalog, measured again by the Java runtime with
./sluice profile): nearest class centroid on the 10k test set, the centroids the mean unit
embedding of each class over the even-indexed test images, scored on the odd-indexed ones.
Splits as train_zoo.py: the last 5,000 of a fixed permutation of the training set validate (best
epoch), the test set is evaluated once for the report.
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_zoo import MODELS, SEED, Normalize, load_splits, write_report  # noqa: E402

DIM = 64
SCALE = 16.0


class EmbedCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(Normalize(), nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Flatten(), nn.Linear(32 * 49, DIM))

    def forward(self, x):
        return F.normalize(self.body(x), dim=1)


class EmbedMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(Normalize(), nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, DIM))

    def forward(self, x):
        return F.normalize(self.body(x), dim=1)


@torch.no_grad()
def embed(model, x, bs=1000):
    model.eval()
    return torch.cat([model(x[i:i + bs]) for i in range(0, len(x), bs)])


@torch.no_grad()
def centroid_accuracy(model, x, y):
    """Nearest class centroid: centroids from the even-indexed samples, scored on the odd ones."""
    e = embed(model, x)
    fit, score = torch.arange(0, len(x), 2), torch.arange(1, len(x), 2)
    centroids = torch.stack([e[fit][y[fit] == c].mean(0) for c in range(10)])
    pred = (e[score] @ F.normalize(centroids, dim=1).T).argmax(1)
    return (pred == y[score]).float().mean().item()


def export(model, name):
    model.eval()
    path = os.path.join(MODELS, name + ".onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=17,
                      input_names=["input"], output_names=["embedding"],
                      dynamic_axes={"input": {0: "batch"}, "embedding": {0: "batch"}})
    import onnx
    onnx.checker.check_model(onnx.load(path))
    return path


def fit(name, model, loss_fn, splits, epochs, lr, params):
    (xtr, ytr), (xva, yva), (xte, yte) = splits
    opt = torch.optim.Adam(params, lr=lr)
    bs = 128
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * ((len(xtr) + bs - 1) // bs),
                                                pct_start=0.2)
    best, best_state, start = -1.0, None, time.time()
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), bs):
            idx = perm[i:i + bs]
            loss = loss_fn(xtr[idx], ytr[idx], idx)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        val = centroid_accuracy(model, xva, yva)
        if val >= best:
            best, best_state = val, {k: v.clone() for k, v in model.state_dict().items()}
        print(f"{name} epoch {epoch + 1}/{epochs} loss {loss.item():.4f} val {val:.4f} "
              f"elapsed {time.time() - start:.0f}s", flush=True)
    model.load_state_dict(best_state)
    export(model, name)
    write_report(name, best, centroid_accuracy(model, xte, yte), epochs, start, torch.get_num_threads(), model,
                 output="embedding [N,64], unit length",
                 accuracy_is="nearest class centroid on the test set (centroids: even-indexed images; scored: odd)")
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=6)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    splits = load_splits()
    (xtr, _), _, _ = splits

    teacher = EmbedCnn()
    head = nn.Parameter(torch.randn(10, DIM) * 0.1)

    def cosine_softmax(x, y, _):
        logits = SCALE * teacher(x) @ F.normalize(head, dim=1).T
        return F.cross_entropy(logits, y)

    fit("embed-cnn", teacher, cosine_softmax, splits, args.epochs, 2e-3, list(teacher.parameters()) + [head])

    targets = embed(teacher, xtr)
    student = EmbedMlp()

    def match_teacher(x, _, idx):
        return (1 - (student(x) * targets[idx]).sum(1)).mean()

    fit("embed-mlp", student, match_teacher, splits, args.epochs + 4, 2e-3, student.parameters())


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A model nobody in the zoo looks like, to show bringing your own: a new task,
``fashion-mnist-pooled``, whose requests carry 49 features (each Fashion-MNIST image
average-pooled 4x4 to 7x7), named ``features``, and whose output is named ``class_scores``.
A logistic regression trained here with Debian's python3-torch; it writes the ONNX file
beside this script and, with --labelled-out DIR, a labelled set for it as NumPy files
(features.npy, labels.npy: the 10,000 pooled test images) for ./sluice catalog add.

    /usr/bin/python3 examples/byo/make_pooled_model.py --labelled-out /tmp/pooled
"""
import argparse
import gzip
import os

import numpy as np
import torch
import torch.nn as nn

DATA = os.environ.get("SLUICE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def pooled(prefix):
    images = idx(os.path.join(DATA, prefix + "-images-idx3-ubyte.gz"), 16).reshape(-1, 28, 28).astype(np.float32) / 255
    labels = idx(os.path.join(DATA, prefix + "-labels-idx1-ubyte.gz"), 8).astype(np.int64)
    x = images.reshape(-1, 7, 4, 7, 4).mean(axis=(2, 4)).reshape(-1, 49)
    return x.astype(np.float32), labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--labelled-out", help="write features.npy and labels.npy of the pooled test set here")
    ap.add_argument("--epochs", type=int, default=30)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x, y = pooled("train")
    xt, yt = pooled("t10k")
    model = nn.Linear(49, 10)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    xs, ys = torch.from_numpy(x), torch.from_numpy(y)
    for epoch in range(args.epochs):
        for i in range(0, len(xs), 1000):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xs[i:i + 1000]), ys[i:i + 1000])
            loss.backward()
            opt.step()
    with torch.no_grad():
        acc = (model(torch.from_numpy(xt)).argmax(1).numpy() == yt).mean()
    print(f"pooled logistic regression: test accuracy {acc:.4f}")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pooled-linear.onnx")
    torch.onnx.export(model, torch.zeros(1, 49), out, input_names=["features"], output_names=["class_scores"],
                      dynamic_axes={"features": {0: "batch"}, "class_scores": {0: "batch"}}, opset_version=13)
    print("wrote", out)
    if args.labelled_out:
        os.makedirs(args.labelled_out, exist_ok=True)
        np.save(os.path.join(args.labelled_out, "features.npy"), xt)
        np.save(os.path.join(args.labelled_out, "labels.npy"), yt)
        print("wrote", args.labelled_out + "/features.npy and labels.npy")


if __name__ == "__main__":
    main()

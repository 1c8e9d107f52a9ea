#!/usr/bin/python3
"""Train the audio-only and image+audio fusion variants of spoken Fashion-MNIST, export ONNX.

Needs the features from make_spoken_fmnist.py (in ~/.cache/sluice/multimodal or $SLUICE_MULTIMODAL_DIR).

    /usr/bin/python3 models/scripts/multimodal/train_multimodal.py [--only audio-cnn,fusion-cnn] [--threads 1]

Variants (all: output "logits" [N,10], dynamic batch axis, opset 17):
  audio-cnn    input "audio" [N,1,40,64] log-mel; 3 conv blocks (16-32-64, BN), global average pool, linear.
  audio-tiny   the same with 8-16-32 channels, pooled 2x2 first: the cheap audio branch.
  fusion-cnn   inputs "image" [N,1,28,28] in [0,1] and "audio" [N,1,40,64]: the zoo's cnn-small as image
               branch (initialised from cnn-small.onnx) + the audio-cnn branch (initialised from audio-cnn),
               embeddings concatenated, a joint head; fine-tuned end to end with modality dropout.
  fusion-lite  the zoo's linear model as image branch + audio-tiny, joint head: the cheap fusion.
Normalisation lives inside every model (images: the zoo's mean/std; audio: the training split's
mean/std of the log-mel values). Validation chooses the epoch; test is evaluated once at the end.
Reports: models/reports/train-<variant>.json.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spoken as S  # noqa: E402

MODELS = S.MODELS
IMAGE_MEAN, IMAGE_STD = 0.2860, 0.3530


class Affine(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean, self.std = float(mean), float(std)

    def forward(self, x):
        return (x - self.mean) / self.std


def conv_bn(i, o):
    return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]


def audio_branch(mean, std, widths, pool_first):
    c1, c2, c3 = widths
    layers = [Affine(mean, std)]
    if pool_first:
        layers.append(nn.AvgPool2d(2))
    layers += [*conv_bn(1, c1), nn.MaxPool2d(2), *conv_bn(c1, c2), nn.MaxPool2d(2), *conv_bn(c2, c3),
               nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers)  # -> [N, c3]


class AudioOnly(nn.Module):
    def __init__(self, mean, std, widths, pool_first):
        super().__init__()
        self.branch = audio_branch(mean, std, widths, pool_first)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(widths[2], 10))

    def forward(self, audio):
        return self.head(self.branch(audio))


def cnn_small():
    """The zoo's cnn-small (train_zoo.py), layer for layer, so cnn-small.onnx's weights load into it."""
    return nn.Sequential(Affine(IMAGE_MEAN, IMAGE_STD), nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 49, 64), nn.ReLU(), nn.Linear(64, 10))


def linear_model():
    return nn.Sequential(Affine(IMAGE_MEAN, IMAGE_STD), nn.Flatten(), nn.Linear(784, 10))


def load_zoo_weights(model, name):
    """Copy the initializers of models/<name>.onnx (exported by train_zoo.py from the same layers)."""
    m = onnx.load(os.path.join(MODELS, name + ".onnx"))
    inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    state = model.state_dict()
    missing = [k for k in state if k not in inits]
    if missing:
        raise RuntimeError(f"{name}.onnx lacks {missing}; initializers: {sorted(inits)}")
    model.load_state_dict({k: inits[k] for k in state})
    return model


class Fusion(nn.Module):
    """Image branch embedding (or logits) and audio branch embedding, concatenated, joint head.
    Modality dropout in training: each sample loses one modality's embedding with probability p each."""

    def __init__(self, image_trunk, image_dim, audio, audio_dim, hidden=64, p_drop=0.15):
        super().__init__()
        self.image, self.audio = image_trunk, audio
        self.p_drop = p_drop
        self.head = nn.Sequential(nn.Linear(image_dim + audio_dim, hidden), nn.ReLU(), nn.Dropout(0.2),
                                  nn.Linear(hidden, 10))

    def forward(self, image, audio):
        ei, ea = self.image(image), self.audio(audio)
        if self.training and self.p_drop > 0:
            u = torch.rand(ei.shape[0], 1)
            ei = ei * (u >= self.p_drop).float()
            ea = ea * ((u < self.p_drop) | (u >= 2 * self.p_drop)).float()
        return self.head(torch.cat([ei, ea], 1))


def build(name, mean, std):
    if name == "audio-cnn":
        return AudioOnly(mean, std, (16, 32, 64), False)
    if name == "audio-tiny":
        return AudioOnly(mean, std, (8, 16, 32), True)
    if name == "fusion-cnn":
        img = load_zoo_weights(cnn_small(), "cnn-small")
        trunk = nn.Sequential(*list(img.children())[:-1])  # up to the 64-unit ReLU
        aud = AudioOnly(mean, std, (16, 32, 64), False)
        aud.load_state_dict(torch.load(checkpoint("audio-cnn")))
        return Fusion(trunk, 64, aud.branch, 64)
    if name == "fusion-lite":
        img = load_zoo_weights(linear_model(), "linear")  # its 10 logits are the image embedding
        aud = AudioOnly(mean, std, (8, 16, 32), True)
        aud.load_state_dict(torch.load(checkpoint("audio-tiny")))
        return Fusion(img, 10, aud.branch, 32, hidden=32)
    raise ValueError(name)


INPUTS = {"audio-cnn": ["audio"], "audio-tiny": ["audio"], "fusion-cnn": ["image", "audio"],
          "fusion-lite": ["image", "audio"]}
# variant -> (epochs, lr): Adam with a one-cycle schedule over exactly the steps run
RECIPES = {"audio-cnn": (10, 3e-3), "audio-tiny": (10, 3e-3), "fusion-cnn": (4, 1e-3), "fusion-lite": (4, 2e-3)}


def checkpoint(name):
    return os.path.join(S.cache_dir(), "checkpoints", name + ".pt")


def shift_audio(a):
    """Training augmentation: a random circular shift of up to 6 frames (the speech lands anywhere anyway)."""
    k = int(torch.randint(-6, 7, (1,)))
    return torch.roll(a, k, dims=3)


def run(model, name, x, bs=500):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x[0]), bs):
            out.append(model(*[t[i:i + bs] for t in x]))
    return torch.cat(out)


def inputs_of(name, split):
    img, aud, _ = split
    return [img if n == "image" else aud for n in INPUTS[name]]


def export(model, name):
    model.eval()
    path = os.path.join(MODELS, name + ".onnx")
    dummies = tuple(torch.zeros(1, 1, 28, 28) if n == "image" else torch.zeros(1, 1, S.N_MELS, S.N_FRAMES)
                    for n in INPUTS[name])
    axes = {n: {0: "batch"} for n in INPUTS[name] + ["logits"]}
    torch.onnx.export(model, dummies, path, opset_version=17, input_names=INPUTS[name], output_names=["logits"],
                      dynamic_axes=axes)
    onnx.checker.check_model(onnx.load(path))
    return path


def confusion(pred, y):
    m = np.zeros((10, 10), dtype=np.int64)
    np.add.at(m, (y, pred), 1)
    return m


def top_confusions(m, k=5):
    off = [(int(m[i, j]), S.CLASS_NAMES[i], S.CLASS_NAMES[j]) for i in range(10) for j in range(10) if i != j]
    return [{"true": t, "predicted": p, "count": c} for c, t, p in sorted(off, reverse=True)[:k]]


def train(name, data, mean, std, threads):
    torch.manual_seed(S.SEED)
    tr, va, te = data["train"], data["validation"], data["test"]
    epochs, lr = RECIPES[name]
    model = build(name, mean, std)
    bs = 128
    n = len(tr[2])
    steps = epochs * ((n + bs - 1) // bs)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.2)
    best_val, best_state, start, history = -1.0, None, time.time(), []
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(n)
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            xs = [t[idx] for t in inputs_of(name, tr)]
            xs = [shift_audio(t) if nm == "audio" else t for t, nm in zip(xs, INPUTS[name])]
            loss = F.cross_entropy(model(*xs), tr[2][idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        val = (run(model, name, inputs_of(name, va)).argmax(1) == va[2]).float().mean().item()
        history.append(round(val, 4))
        if val >= best_val:
            best_val, best_state = val, {k: v.clone() for k, v in model.state_dict().items()}
        print(f"{name} epoch {epoch + 1}/{epochs} loss {loss.item():.3f} val {val:.4f} "
              f"elapsed {time.time() - start:.0f}s", flush=True)
    model.load_state_dict(best_state)
    os.makedirs(os.path.dirname(checkpoint(name)), exist_ok=True)
    torch.save(best_state, checkpoint(name))
    export(model, name)
    train_seconds = time.time() - start
    test_pred = run(model, name, inputs_of(name, te)).argmax(1)
    test = (test_pred == te[2]).float().mean().item()
    report = {"variant": name, "inputs": INPUTS[name], "val_accuracy": round(best_val, 4), "test_accuracy": round(test, 4),
              "epochs": epochs, "val_by_epoch": history, "train_seconds": round(train_seconds, 1), "threads": threads,
              "params": sum(p.numel() for p in model.parameters()),
              "onnx_bytes": os.path.getsize(os.path.join(MODELS, name + ".onnx")),
              "audio_norm": {"mean": round(mean, 4), "std": round(std, 4)},
              "test_top_confusions": top_confusions(confusion(test_pred.numpy(), te[2].numpy())),
              "torch": torch.__version__, "features": os.path.join(S.cache_dir(), "features.json")}
    if "image" in INPUTS[name]:
        # each modality alone through the fused network (the other one's embedding zeroed, as in modality dropout)
        for drop in ("image", "audio"):
            model.eval()
            with torch.no_grad():
                def alone(xi, xa, drop=drop):
                    ei, ea = model.image(xi), model.audio(xa)
                    ei = ei * 0 if drop == "image" else ei
                    ea = ea * 0 if drop == "audio" else ea
                    return model.head(torch.cat([ei, ea], 1))
                p = torch.cat([alone(te[0][i:i + 500], te[1][i:i + 500]) for i in range(0, len(te[2]), 500)]).argmax(1)
            report[f"test_accuracy_{drop}_zeroed"] = round((p == te[2]).float().mean().item(), 4)
    with open(os.path.join(MODELS, "reports", f"train-{name}.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report), flush=True)
    return model


def analyse(data, mean, std):
    """Per-class accuracy and confusions of the zoo's cnn-small (images) vs audio-cnn, their overlap, and late
    fusion (sum of log-probabilities, no training) on the test split. Printed and written to a report."""
    te = data["test"]
    img = load_zoo_weights(cnn_small(), "cnn-small")
    aud = AudioOnly(mean, std, (16, 32, 64), False)
    aud.load_state_dict(torch.load(checkpoint("audio-cnn")))
    li = F.log_softmax(run(img, "", [te[0]]), 1)
    la = F.log_softmax(run(aud, "", [te[1]]), 1)
    y = te[2].numpy()
    pi, pa, pf = li.argmax(1).numpy(), la.argmax(1).numpy(), (li + la).argmax(1).numpy()
    ci, ca = confusion(pi, y), confusion(pa, y)
    out = {"split": "test", "image_model": "cnn-small (zoo)", "audio_model": "audio-cnn",
           "image_accuracy": round(float((pi == y).mean()), 4), "audio_accuracy": round(float((pa == y).mean()), 4),
           "late_fusion_sum_log_prob_accuracy": round(float((pf == y).mean()), 4),
           "both_wrong": round(float(((pi != y) & (pa != y)).mean()), 4),
           "either_right": round(float(((pi == y) | (pa == y)).mean()), 4),
           "per_class_accuracy": {S.CLASS_NAMES[c]: {"image": round(ci[c, c] / ci[c].sum(), 4),
                                                     "audio": round(ca[c, c] / ca[c].sum(), 4)} for c in range(10)},
           "image_top_confusions": top_confusions(ci, 6), "audio_top_confusions": top_confusions(ca, 6)}
    cond = np.load(os.path.join(S.cache_dir(), "test-conditions.npz"))
    right = pa == y
    snr = cond["snr_db"]
    clean = ~cond["dropped"] & ~cond["truncated"]
    out["audio_accuracy_by_condition"] = {
        "dropped_speech": round(float(right[cond["dropped"]].mean()), 4),
        "truncated_speech": round(float(right[cond["truncated"]].mean()), 4),
        **{f"snr_{lo}_{lo + 6}dB": round(float(right[clean & (snr >= lo) & (snr < lo + 6)].mean()), 4)
           for lo in range(-14, 10, 6)},
        **{f"noise_{t}": round(float(right[clean & (cond["noise"] == i)].mean()), 4)
           for i, t in enumerate(cond["noise_types"])}}
    with open(os.path.join(MODELS, "reports", "multimodal-analysis.json"), "w") as f:
        json.dump(out, f, indent=2)
    print(json.dumps(out, indent=1), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="audio-cnn,audio-tiny,fusion-cnn,fusion-lite,analyse")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    images = S.load_images_and_labels()
    data = {}
    for split in S.SPLITS:
        a, ya = S.load_features(split)
        xi, yi = images[split]
        assert np.array_equal(ya, yi), f"{split}: audio labels differ from image labels"
        data[split] = (torch.from_numpy(xi), torch.from_numpy(a), torch.from_numpy(yi))
    a = data["train"][1].numpy()
    mean, std = float(a.mean()), float(a.std())
    for name in args.only.split(","):
        if name == "analyse":
            analyse(data, mean, std)
        else:
            train(name, data, mean, std, args.threads)


if __name__ == "__main__":
    main()

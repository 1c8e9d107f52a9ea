#!/usr/bin/python3
"""Train the audio-only and image+audio fusion variants of spoken Fashion-MNIST, export ONNX.

Needs the features from make_spoken_fmnist.py (in ~/.cache/sluice/multimodal-v3 or $SLUICE_MULTIMODAL_DIR).

    /usr/bin/python3 models/scripts/multimodal/train_multimodal.py [--only audio-cnn,fusion-cnn] [--threads 1]
        [--audio-widths 32,64,128] [--audio-epochs 16] [--limit N]

Variants (all: output "logits" [N,10], dynamic batch axis, opset 17):
  audio-cnn    input "audio" [N,1,40,64] log-mel; per-sample standardisation, 2x2 average pool, 3 conv
               blocks (32-64-128 channels by default, BN), global max pool, linear. About 6.1M multiply-adds
               per sample (16-32-64, the first version's widths: 1.6M).
  fusion-cnn   inputs "image" [N,1,28,28] in [0,1] and "audio" [N,1,40,64]: the zoo's cnn-small (weights
               loaded from cnn-small.onnx, frozen) up to its 64-unit hidden layer + the audio-cnn branch (frozen)
               up to its pooled embedding (128-d), concatenated, and a joint head (192-64-10) trained with
               modality dropout (15% of samples lose the image embedding, 15% the audio one).
  fusion-lite  the zoo's linear model (its 10 logits, frozen) + the audio-cnn branch (frozen), joint head
               (138-32-10): the cheap fusion (the image side costs a 784x10 matmul instead of cnn-small's convs).
The fusion variants take the audio branch, and its widths, from audio-cnn's checkpoint.
Normalisation lives inside every model (images: the zoo's mean/std; audio: per-sample standardisation
of the log-mel matrix, so the clip's loudness does not matter). Validation chooses the epoch; test is
evaluated once at the end, after training.
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


class PerSampleStandardise(nn.Module):
    """Each log-mel matrix to zero mean and unit deviation (removes the clip's overall level)."""

    def forward(self, a):
        m = a.mean(dim=(1, 2, 3), keepdim=True)
        s = ((a - m) ** 2).mean(dim=(1, 2, 3), keepdim=True).sqrt()
        return (a - m) / (s + 1e-3)


AUDIO_WIDTHS = (32, 64, 128)  # channels of the three conv blocks (--audio-widths)


def audio_branch(widths):
    c1, c2, c3 = widths
    return nn.Sequential(PerSampleStandardise(), nn.AvgPool2d(2), *conv_bn(1, c1), nn.MaxPool2d(2),
                         *conv_bn(c1, c2), nn.MaxPool2d(2), *conv_bn(c2, c3),
                         nn.AdaptiveMaxPool2d(1), nn.Flatten())  # -> [N, c3]


class AudioOnly(nn.Module):
    def __init__(self, widths=None):
        super().__init__()
        widths = widths or AUDIO_WIDTHS
        self.branch = audio_branch(widths)
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


def load_audio_cnn():
    """The trained audio-cnn from its checkpoint; its widths are read from the conv weights' shapes."""
    state = torch.load(checkpoint("audio-cnn"))
    widths = tuple(v.shape[0] for k, v in state.items() if k.startswith("branch.") and v.dim() == 4)
    aud = AudioOnly(widths)
    aud.load_state_dict(state)
    return aud


def build(name):
    if name == "audio-cnn":
        return AudioOnly()
    aud = load_audio_cnn()
    dim = aud.head[-1].in_features
    if name == "fusion-cnn":
        img = load_zoo_weights(cnn_small(), "cnn-small")
        trunk = nn.Sequential(*list(img.children())[:-1])  # up to the 64-unit ReLU
        return Fusion(trunk, 64, aud.branch, dim)
    if name == "fusion-lite":
        img = load_zoo_weights(linear_model(), "linear")  # its 10 logits are the image embedding
        return Fusion(img, 10, aud.branch, dim, hidden=32)
    raise ValueError(name)


INPUTS = {"audio-cnn": ["audio"], "fusion-cnn": ["image", "audio"], "fusion-lite": ["image", "audio"]}
# variant -> (epochs, lr): Adam with a one-cycle schedule over exactly the steps run. The fusion
# variants train only their head (branches frozen), on embeddings computed once.
RECIPES = {"audio-cnn": (16, 3e-3), "fusion-cnn": (12, 2e-3), "fusion-lite": (12, 2e-3)}
AUDIO_EPOCHS = None  # --audio-epochs overrides audio-cnn's


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


def embed(model, data):
    """split -> (image embedding, audio embedding, labels), the frozen branches run once."""
    out = {}
    for split in ("train", "validation"):
        xi, xa, y = data[split]
        out[split] = (run(model.image, "", [xi]), run(model.audio, "", [xa]), y)
    return out


def fit(name, model, trainable, tr, va, epochs, lr, forward):
    """Adam, one-cycle schedule over exactly the steps run; keeps the epoch best on validation."""
    bs = 128
    n = len(tr[-1])
    steps = epochs * ((n + bs - 1) // bs)
    opt = torch.optim.Adam(trainable.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.2)
    best_val, best_state, start, history = -1.0, None, time.time(), []
    for epoch in range(epochs):
        trainable.train()
        perm = torch.randperm(n)
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(forward(*[t[idx] for t in tr[:-1]], train=True), tr[-1][idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        trainable.eval()
        with torch.no_grad():
            val = (forward(*va[:-1], train=False).argmax(1) == va[-1]).float().mean().item()
        history.append(round(val, 4))
        if val >= best_val:
            best_val, best_state = val, {k: v.clone() for k, v in model.state_dict().items()}
        print(f"{name} epoch {epoch + 1}/{epochs} loss {loss.item():.3f} val {val:.4f} "
              f"elapsed {time.time() - start:.0f}s", flush=True)
    model.load_state_dict(best_state)
    return best_val, history, time.time() - start


def train(name, data, threads):
    torch.manual_seed(S.SEED)
    epochs, lr = RECIPES[name]
    if name == "audio-cnn" and AUDIO_EPOCHS:
        epochs = AUDIO_EPOCHS
    model = build(name)
    start = time.time()
    if name == "audio-cnn":
        tr = (data["train"][1], data["train"][2])
        va = (data["validation"][1], data["validation"][2])
        best_val, history, _ = fit(name, model, model, tr, va, epochs, lr,
                                   lambda a, train: model(shift_audio(a)) if train else run(model, "", [a]))
    else:
        for p in list(model.image.parameters()) + list(model.audio.parameters()):
            p.requires_grad_(False)
        e = embed(model, data)
        print(f"{name}: embeddings in {time.time() - start:.0f}s", flush=True)

        def forward(ei, ea, train):
            if train:
                u = torch.rand(ei.shape[0], 1)
                ei = ei * (u >= model.p_drop).float()
                ea = ea * ((u < model.p_drop) | (u >= 2 * model.p_drop)).float()
            return model.head(torch.cat([ei, ea], 1))
        best_val, history, _ = fit(name, model, model.head, e["train"], e["validation"], epochs, lr, forward)
    train_seconds = time.time() - start
    os.makedirs(os.path.dirname(checkpoint(name)), exist_ok=True)
    torch.save(model.state_dict(), checkpoint(name))
    export(model, name)
    te = data["test"]
    test_pred = run(model, name, inputs_of(name, te)).argmax(1)
    test = (test_pred == te[2]).float().mean().item()
    report = {"variant": name, "inputs": INPUTS[name], "val_accuracy": round(best_val, 4), "test_accuracy": round(test, 4),
              "epochs": epochs, "val_by_epoch": history, "train_seconds": round(train_seconds, 1), "threads": threads,
              "params": sum(p.numel() for p in model.parameters()),
              "onnx_bytes": os.path.getsize(os.path.join(MODELS, name + ".onnx")),
              "test_top_confusions": top_confusions(confusion(test_pred.numpy(), te[2].numpy())),
              "torch": torch.__version__, "lr": lr,
              "audio_widths": [m.out_channels for m in model.modules() if isinstance(m, nn.Conv2d)][-3:], "features": os.path.join(S.cache_dir(), "features.json")}
    if name != "audio-cnn":
        report["trained"] = "joint head only; branches frozen (image: zoo weights, audio: audio-cnn)"
        # each modality alone through the fused network (the other's embedding zeroed, as in modality dropout)
        model.eval()
        with torch.no_grad():
            for split in ("validation", "test"):
                ei, ea, y = run(model.image, "", [data[split][0]]), run(model.audio, "", [data[split][1]]), data[split][2]
                for drop in ("image", "audio"):
                    z = model.head(torch.cat([ei * (drop != "image"), ea * (drop != "audio")], 1)).argmax(1)
                    report[f"{split}_accuracy_{drop}_zeroed"] = round((z == y).float().mean().item(), 4)
    with open(os.path.join(MODELS, "reports", f"train-{name}.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report), flush=True)
    return model


def phrases_and_variants(split):
    """Per unique render of `split`: its carrier phrase and voice variant (arrays indexed by render id).
    Renders files written before the "template" field existed are matched by text."""
    with open(os.path.join(S.cache_dir(), f"{split}-renders.json")) as f:
        renders = json.load(f)
    template = np.array([r.get("template") or next(t for t in S.TEMPLATES[split] if t != "{}" and
                                                   any(r["text"] == t.format(n) for n in S.NOUNS[r["label"]]))
                         for r in renders])
    variant = np.array([(r["voice"].split("+") + [""])[1] for r in renders])
    return template, variant


def by_position(right, mask, template_per_sample, split):
    return {pos: round(float(right[mask & np.isin(template_per_sample, ts)].mean()), 4)
            for pos in ("first", "middle", "last")
            for ts in [[t for t in S.TEMPLATES[split] if S.NOUN_POSITION[t] == pos]] if ts}


def analyse(data):
    """Per-class accuracy and confusions of the zoo's cnn-small (images) vs audio-cnn, their overlap, and late
    fusion (sum of log-probabilities, no training) on the test split. Printed and written to a report."""
    te = data["test"]
    img = load_zoo_weights(cnn_small(), "cnn-small")
    aud = load_audio_cnn()
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
        # effective SNR (babble's includes its 8 dB offset)
        **{f"snr_{lo}_{hi}dB": round(float(right[clean & (snr >= lo) & (snr < hi)].mean()), 4)
           for lo, hi in ((-10, -4), (-4, 2), (2, 8), (8, 14), (14, 20))},
        **{f"noise_{t}": round(float(right[clean & (cond["noise"] == i)].mean()), 4)
           for i, t in enumerate(cond["noise_types"])}}
    # by carrier phrase, noun position and voice variant of the test split (all unseen in training)
    template, variant = phrases_and_variants("test")
    k = cond["render"]
    out["audio_accuracy_by_test_phrase"] = {t: round(float(right[clean & (template[k] == t)].mean()), 4)
                                            for t in S.TEMPLATES["test"]}
    out["audio_accuracy_by_test_noun_position"] = by_position(right, clean, template[k], "test")
    out["audio_accuracy_by_test_variant"] = {v: round(float(right[clean & (variant[k] == v)].mean()), 4)
                                             for v in S.VARIANTS["test"]}
    # the same for validation (used for model selection: it should be about as hard as test)
    va = data["validation"]
    pav = run(aud, "", [va[1]]).argmax(1).numpy()
    yv = va[2].numpy()
    rv = pav == yv
    cv = np.load(os.path.join(S.cache_dir(), "validation-conditions.npz"))
    cleanv = ~cv["dropped"] & ~cv["truncated"]
    tv, vv = phrases_and_variants("validation")
    kv = cv["render"]
    out["validation_audio_accuracy"] = round(float(rv.mean()), 4)
    out["audio_accuracy_by_validation_phrase"] = {t: round(float(rv[cleanv & (tv[kv] == t)].mean()), 4)
                                                  for t in S.TEMPLATES["validation"]}
    out["audio_accuracy_by_validation_noun_position"] = by_position(rv, cleanv, tv[kv], "validation")
    out["audio_accuracy_by_validation_variant"] = {v: round(float(rv[cleanv & (vv[kv] == v)].mean()), 4)
                                                   for v in S.VARIANTS["validation"]}
    out["phrase_accuracies_count"] = "clean clips only (speech neither dropped nor truncated)"
    with open(os.path.join(MODELS, "reports", "multimodal-analysis.json"), "w") as f:
        json.dump(out, f, indent=2)
    print(json.dumps(out, indent=1), flush=True)


def main():
    global AUDIO_WIDTHS, AUDIO_EPOCHS
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="audio-cnn,fusion-cnn,fusion-lite,analyse")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit", type=int, help="only the first N samples of each split (a smoke test)")
    ap.add_argument("--audio-widths", default=",".join(map(str, AUDIO_WIDTHS)),
                    help="audio-cnn's conv channels (the fusion variants take them from its checkpoint)")
    ap.add_argument("--audio-epochs", type=int, help=f"audio-cnn's epochs (default {RECIPES['audio-cnn'][0]})")
    args = ap.parse_args()
    AUDIO_WIDTHS = tuple(int(w) for w in args.audio_widths.split(","))
    AUDIO_EPOCHS = args.audio_epochs
    torch.set_num_threads(args.threads)
    images = S.load_images_and_labels()

    class Splits(dict):
        """Loaded on first use: training can start while the generator is still writing the test split."""

        def __missing__(self, split):
            path = S.feature_path(split)
            if not os.path.exists(path):
                print(f"waiting for {path}", flush=True)
                while not os.path.exists(path):
                    time.sleep(10)
            a, ya = S.load_features(split, limit=args.limit)
            xi, yi = (t[:args.limit] for t in images[split])
            assert np.array_equal(ya, yi), f"{split}: audio labels differ from image labels"
            self[split] = (torch.from_numpy(xi), torch.from_numpy(a), torch.from_numpy(yi))
            return self[split]

    data = Splits()
    data["train"], data["validation"]
    for name in args.only.split(","):
        if name == "analyse":
            analyse(data)
        else:
            train(name, data, args.threads)


if __name__ == "__main__":
    main()

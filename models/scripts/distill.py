#!/usr/bin/python3
"""Train the distilled rung: a cnn-small-sized student on the soft targets of the zoo's best
ensemble (vgg-tta + vgg-b-tta, probability average), and export it to ONNX.

Runs on Debian's own packages only, like train_zoo.py (python3-torch, python3-onnx,
python3-numpy, dataset-fashion-mnist). CPU only.

    /usr/bin/python3 models/scripts/distill.py [--teacher-probs FILE] [--epochs 35] [--threads 1]

The teacher is read from the committed ONNX files (models/vgg-tta.onnx, models/vgg-b-tta.onnx):
their weights (batch norm already folded into the convolutions by the exporter) are loaded into
the same network in torch, run on the same test-time-augmented views, and the two members'
probabilities averaged, as the catalog's ensemble `vgg-tta + vgg-b-tta` (PROBABILITY_AVERAGE)
does. The script checks that each rebuilt member scores on the validation split what its
training report says before using it.

The teacher's probabilities on the 55k training images are computed once and cached in
models/scripts/.cache/ (not committed): in torch by default (16 vgg passes an image, two members of
8 views; about 15 minutes on two idle cores, hours on a shared one), or read from
`--teacher-probs FILE`, the same ONNX files run by ONNX Runtime (TeacherProbs.java beside this
script, about eight times less CPU), checked against the torch teacher on the validation split
first.

The committed student (models/cnn-distilled.onnx) trained on the soft targets of the training
images as they are, with dropout 0.2 before the dense layer, 35 epochs: the validation split chose
that recipe over two with the zoo's augmentation (`--augment`: random shifts and flips; the
teacher averages its probabilities over shifted and flipped views, so its answer for an image
stands for the augmented image too): 20 epochs with shifts of up to 2 pixels and dropout 0.1
(validation 0.9224), 35 epochs with shifts of 1 and no dropout (0.9306), no augmentation 0.9326.
A student this small gains more from fitting the teacher closely than from augmentation.

Loss: (1 - alpha) * cross entropy with the hard label + alpha * T^2 * KL(teacher_T || student_T),
where teacher_T = softmax(log p_teacher / T) and student_T = softmax(logits / T) (Hinton et al.,
"Distilling the knowledge in a neural network", 2015).

The student has cnn-small's shape exactly (conv 16, conv 32, dense 64: the same ONNX graph, op for
op and shape for shape, after batch norm folds into the convolutions), so it costs what cnn-small
costs per sample; what it gains comes from the teacher, longer training and batch norm. Splits, input and
output are the zoo's: input "input" [N,1,28,28] in [0,1], output "logits" [N,10], best epoch
chosen on the validation split, the test set evaluated once for the report.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import train_zoo as zoo

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, ".cache")
TEACHERS = ("vgg-tta", "vgg-b-tta")
NAME = "cnn-distilled"


def folded_vgg(c1=32, c2=64, c3=128, fc=256):
    """zoo.vgg with each conv + batch norm replaced by a conv with a bias, as the ONNX file holds it."""
    def conv(i, o):
        return [nn.Conv2d(i, o, 3, padding=1), nn.ReLU(inplace=True)]
    return nn.Sequential(zoo.Normalize(), *conv(1, c1), *conv(c1, c1), nn.MaxPool2d(2),
                         *conv(c1, c2), *conv(c2, c2), nn.MaxPool2d(2),
                         *conv(c2, c3), *conv(c3, c3), nn.MaxPool2d(2, ceil_mode=True),
                         nn.Flatten(), nn.Linear(c3 * 16, fc), nn.ReLU(inplace=True), nn.Linear(fc, 10))


def load_teacher(name):
    """The TTA member `name` rebuilt in torch from its ONNX file's weights."""
    import onnx
    from onnx import numpy_helper
    graph = onnx.load(os.path.join(zoo.MODELS, name + ".onnx")).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    conv = [(n.input[1], n.input[2]) for n in graph.node if n.op_type == "Conv"]
    gemm = [(n.input[1], n.input[2]) for n in graph.node if n.op_type == "Gemm"]
    base = folded_vgg().to(memory_format=torch.channels_last)  # about a quarter less CPU than contiguous
    layers = [m for m in base if isinstance(m, (nn.Conv2d, nn.Linear))]
    pairs = conv + gemm
    if len(pairs) != len(layers):
        raise SystemExit(f"{name}: {len(pairs)} weighted nodes in the ONNX graph, {len(layers)} in the network")
    with torch.no_grad():
        for layer, (w, b) in zip(layers, pairs):
            layer.weight.copy_(torch.from_numpy(inits[w].copy()))
            layer.bias.copy_(torch.from_numpy(inits[b].copy()))
    with open(os.path.join(zoo.MODELS, "reports", f"train-{name}.json")) as f:
        views = json.load(f)["views"]
    return zoo.TestTimeAugmented(base.eval(), zoo.TTA_VIEWS[:views]).eval()


def check_teacher(name, probs, y):
    """The rebuilt member scores on the validation split what the zoo's report says its ONNX file scores."""
    with open(os.path.join(zoo.MODELS, "reports", f"train-{name}.json")) as f:
        want = json.load(f)["val_accuracy"]
    got = (probs.argmax(1) == y).float().mean().item()
    if abs(got - want) > 1.5 / len(y):
        raise SystemExit(f"{name}: rebuilt teacher scores {got:.4f} on validation, its report says {want:.4f}")
    print(f"{name}: rebuilt teacher scores {got:.4f} on validation (report: {want:.4f})", flush=True)


@torch.no_grad()
def teacher_probs(teachers, x, split, chunk=2500, bs=250):
    """Each member's probabilities on x, [members, N, 10], cached per split in chunks (a run cut
    short keeps what it computed)."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, f"teacher-{'+'.join(TEACHERS)}-{split}.npy")
    if os.path.isfile(path):
        p = np.load(path)
        if p.shape == (len(teachers), len(x), 10):
            return torch.from_numpy(p)
    start, parts = time.time(), []
    for c in range(0, len(x), chunk):
        part = os.path.join(CACHE, f"teacher-{'+'.join(TEACHERS)}-{split}-{c}-{chunk}.npy")
        if os.path.isfile(part):
            parts.append(torch.from_numpy(np.load(part)))
            continue
        out = []
        for i in range(c, min(c + chunk, len(x)), bs):
            xb = x[i:i + bs].contiguous(memory_format=torch.channels_last)
            out.append(torch.stack([torch.exp(t(xb)) for t in teachers]))
        p = torch.cat(out, 1)
        np.save(part, p.numpy())
        parts.append(p)
        print(f"teacher {split} {min(c + chunk, len(x))}/{len(x)} elapsed {time.time() - start:.0f}s", flush=True)
    p = torch.cat(parts, 1)
    np.save(path, p.numpy())
    for c in range(0, len(x), chunk):
        os.remove(os.path.join(CACHE, f"teacher-{'+'.join(TEACHERS)}-{split}-{c}-{chunk}.npy")) if os.path.isfile(
            os.path.join(CACHE, f"teacher-{'+'.join(TEACHERS)}-{split}-{c}-{chunk}.npy")) else None
    return p


def onnx_runtime_teacher(path, members_va):
    """The training split's teacher probabilities from TeacherProbs.java's file, after checking its
    validation rows against the torch teacher's: the same ONNX files must give the same answers."""
    p = np.fromfile(path, dtype="<f4")
    if p.size != len(TEACHERS) * 60000 * 10:
        raise SystemExit(f"{path}: {p.size} floats, expected {len(TEACHERS)} x 60000 x 10")
    p = torch.from_numpy(p.reshape(len(TEACHERS), 60000, 10))
    perm = np.random.RandomState(zoo.SEED).permutation(60000)
    tr, va = torch.from_numpy(perm[:-zoo.VAL_SIZE]), torch.from_numpy(perm[-zoo.VAL_SIZE:])
    diff = (p[:, va] - members_va).abs().max().item()
    same = (p[:, va].argmax(2) == members_va.argmax(2)).float().mean().item()
    print(f"ONNX Runtime teacher vs torch on validation: max probability difference {diff:.2e}, same label {same:.4f}",
          flush=True)
    if diff > 1e-3:
        raise SystemExit(f"{path}: the ONNX Runtime teacher differs from the torch one by {diff} on validation")
    return p[:, tr].mean(0)


def build_student(dropout=0.1):
    """cnn-small's shape, with batch norm after each convolution (folded away at export)."""
    return nn.Sequential(zoo.Normalize(),
                         nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Dropout(dropout), nn.Linear(32 * 49, 64), nn.ReLU(), nn.Linear(64, 10))


def augment(x, max_shift):
    """The zoo's augmentation (a random shift and a horizontal flip per sample) with shifts of up to
    max_shift pixels; 0: flips only."""
    if max_shift == 2:
        return zoo.augment(x)
    b = x.shape[0]
    k = 2 * max_shift + 1
    padded = F.pad(x, (max_shift,) * 4)
    dy = torch.randint(0, k, (b,))
    dx = torch.randint(0, k, (b,))
    ar = torch.arange(28)
    iy = (dy[:, None] + ar)[:, :, None]
    ix = (dx[:, None] + ar)[:, None, :]
    out = padded[torch.arange(b)[:, None, None], 0, iy, ix].unsqueeze(1)
    flip = torch.rand(b) < 0.5
    out[flip] = out[flip].flip(-1)
    return out


def kd_loss(logits, target_probs, labels, temperature, alpha):
    soft_t = F.softmax(torch.log(target_probs + 1e-12) / temperature, dim=1)
    kl = F.kl_div(F.log_softmax(logits / temperature, dim=1), soft_t, reduction="batchmean")
    return (1 - alpha) * F.cross_entropy(logits, labels) + alpha * temperature ** 2 * kl


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=35)
    ap.add_argument("--temperature", type=float, default=4.0)
    ap.add_argument("--alpha", type=float, default=0.9, help="weight of the soft-target term")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=zoo.SEED + 7)
    ap.add_argument("--name", default=NAME)
    ap.add_argument("--augment", action="store_true", help="train on randomly shifted and flipped images")
    ap.add_argument("--max-shift", type=int, default=2, help="with --augment: shifts of up to this many pixels")
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--teacher-probs", metavar="FILE",
                    help="the teacher's probabilities on the 60k training images from ONNX Runtime (TeacherProbs.java: "
                         "float32 [members, 60000, 10]) instead of running it in torch; checked against the torch "
                         "teacher on the validation images first")
    ap.add_argument("--teacher-test", action="store_true",
                    help="also run the teacher on the test set (about 4 more minutes on two idle cores) for the report")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    (xtr, ytr), (xva, yva), (xte, yte) = zoo.load_splits()

    teachers = [load_teacher(n) for n in TEACHERS]
    members_va = teacher_probs(teachers, xva, "validation")
    for n, p in zip(TEACHERS, members_va):
        check_teacher(n, p, yva)
    pva = members_va.mean(0)
    if args.teacher_probs:
        ptr = onnx_runtime_teacher(args.teacher_probs, members_va)
    else:
        ptr = teacher_probs(teachers, xtr, "train").mean(0)
    teacher = {"val_accuracy": (pva.argmax(1) == yva).float().mean().item(),
               "train_accuracy": (ptr.argmax(1) == ytr).float().mean().item()}
    print(f"teacher {'+'.join(TEACHERS)}: {json.dumps(teacher)}", flush=True)

    model = build_student(args.dropout)
    bs = 128
    steps = args.epochs * ((len(xtr) + bs - 1) // bs)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.2)
    best_val, best_state, start = -1.0, None, time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), bs):
            idx = perm[i:i + bs]
            xb = augment(xtr[idx], args.max_shift) if args.augment else xtr[idx]
            loss = kd_loss(model(xb), ptr[idx], ytr[idx], args.temperature, args.alpha)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        val = zoo.accuracy(model, xva, yva)
        if val >= best_val:
            best_val = val
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        print(f"{args.name} epoch {epoch + 1}/{args.epochs} loss {loss.item():.3f} val {val:.4f} "
              f"elapsed {time.time() - start:.0f}s", flush=True)
    model.load_state_dict(best_state)
    model.eval()
    zoo.export(model, args.name)
    test = zoo.accuracy(model, xte, yte, bs=250)
    # agreement with the teacher (validation; test too when asked): how much of the teacher the student keeps
    with torch.no_grad():
        answers = lambda x: torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
        agree = {"validation": (answers(xva) == pva.argmax(1)).float().mean().item()}
        if args.teacher_test:
            pte = teacher_probs(teachers, xte, "test").mean(0)
            teacher["test_accuracy"] = (pte.argmax(1) == yte).float().mean().item()
            agree["test"] = (answers(xte) == pte.argmax(1)).float().mean().item()
    zoo.write_report(args.name, best_val, test, args.epochs, start, args.threads, model,
                     teacher_targets="ONNX Runtime (TeacherProbs.java)" if args.teacher_probs else "torch",
                     teacher="+".join(TEACHERS), teacher_vote="PROBABILITY_AVERAGE", teacher_accuracy=teacher,
                     temperature=args.temperature, alpha=args.alpha, lr=args.lr, augment=args.augment,
                     max_shift=args.max_shift, dropout=args.dropout,
                     seed=args.seed, student="cnn-small's shape (conv 16, conv 32, dense 64), batch norm folded",
                     agreement_with_teacher=agree)


if __name__ == "__main__":
    main()

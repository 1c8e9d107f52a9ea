#!/usr/bin/python3
"""Generate the spoken modality of Fashion-MNIST: every image gets a short, noisy spoken
description of its class, synthesised with espeak-ng, as a log-mel feature matrix [1, 40, 64].

    /usr/bin/python3 models/scripts/multimodal/make_spoken_fmnist.py [--out DIR] [--workers 2]
        [--splits train,validation,test] [--limit N]

--splits generates only the listed splits; an existing features.json in DIR keeps its entries for the
other splits (refused if its mel or corruption settings differ from this script's). --limit N generates
only the first N samples of each split (a CI smoke run): they are byte-identical to the first N samples
of a full run (same renders, same random draws); only the renders those samples use are synthesised.

Deterministic: fixed seeds per split; espeak-ng renders are byte-identical on re-run.
Output (default ~/.cache/sluice/multimodal-v3, or $SLUICE_MULTIMODAL_DIR; never committed):
  features.json                    header: shapes, counts, order of samples, mel parameters
  {train,validation,test}-audio-features.f32   little-endian float32 [N, 1, 40, 64], row-major
  {train,validation,test}-labels.u8            one uint8 class label per sample
  {split}-conditions.npz           per-sample render id, noise type, SNR, dropped/truncated flags
  {split}-renders.json             the unique espeak-ng renders of the split
  examples/*.wav                   the first 20 test clips, 16 kHz 16-bit, to listen to
Sample order: train = the 60k training images minus models/splits/validation-indices.txt, by
ascending index; validation = validation-indices.txt in file order; test = the 10k test images in order.

Splits differ in carrier phrase ("this is ...") and voice variant (timbre); see spoken.py.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import tempfile
import time
import wave

import numpy as np
from scipy.signal import resample_poly

import spoken as S

RENDERS = {"train": 4000, "validation": 800, "test": 1600}
SPLIT_ID = {"train": 1, "validation": 2, "test": 3}

# Corruption of each clip (the same distribution in every split; the random draws differ per split):
SNR_DB = (2.0, 20.0)         # speech-to-noise ratio, uniform, speech RMS over the voiced part
BABBLE_SNR_OFFSET = 8.0      # babble (other class words!) is 8 dB quieter than the drawn SNR says
P_DROPPED = 0.05             # the speech is missing entirely: noise only
P_TRUNCATED = 0.08           # only a prefix (30-70%) of the utterance survives
NOISE_TYPES = ["white", "pink", "brown", "babble"]
NOISE_P = [0.2, 0.35, 0.15, 0.3]
BABBLE_VOICES = (3, 6)       # babble = 3..5 other utterances of the split (any class) summed
LEVEL_DB = (-20.0, 0.0)      # overall level of the clip


def rng(split, purpose):
    return np.random.default_rng([S.SEED, SPLIT_ID[split], purpose])


def plan_renders(split):
    """Unique (class, phrase, accent, variant, speed, pitch), balanced over classes."""
    r = rng(split, 0)
    seen, out = set(), []
    while len(out) < RENDERS[split]:
        c = len(out) % 10
        noun = S.NOUNS[c][r.integers(len(S.NOUNS[c]))]
        template = S.TEMPLATES[split][r.integers(len(S.TEMPLATES[split]))]
        accent = S.ACCENTS[r.integers(len(S.ACCENTS))]
        variant = S.VARIANTS[split][r.integers(len(S.VARIANTS[split]))]
        speed = int(r.integers(S.SPEED[0], S.SPEED[1] + 1))
        pitch = int(r.integers(S.PITCH[0], S.PITCH[1] + 1))
        key = (c, template.format(noun), accent, variant, speed, pitch)
        if key in seen:
            continue
        seen.add(key)
        out.append({"label": c, "text": template.format(noun), "template": template, "voice": accent + ("+" + variant if variant else ""),
                    "speed": speed, "pitch": pitch})
    return out


def render(spec, tmp, i):
    path = os.path.join(tmp, f"{i}.wav")
    subprocess.run(["espeak-ng", "-v", spec["voice"], "-s", str(spec["speed"]), "-p", str(spec["pitch"]),
                    "-w", path, spec["text"]], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with wave.open(path) as w:
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
    os.remove(path)
    assert rate == 22050, rate
    x = resample_poly(x, 320, 441)  # 22.05 kHz -> 16 kHz
    # trim leading/trailing silence: 10 ms frames below -40 dB of the loudest frame
    frames = len(x) // 160
    e = (x[:frames * 160].reshape(frames, 160) ** 2).mean(1)
    on = np.nonzero(e > e.max() * 1e-4)[0]
    x = x[on[0] * 160:(on[-1] + 1) * 160]
    return (x / np.sqrt((x ** 2).mean())).astype(np.float32)  # unit RMS


class LazyRenders:
    """The renders of a split, each synthesised on first use (for --limit runs: only what is used)."""

    def __init__(self, renders, tmp, split):
        self.renders, self.tmp, self.split, self.audio = renders, tmp, split, {}

    def __len__(self):
        return len(self.renders)

    def __getitem__(self, k):
        k = int(k)
        if k not in self.audio:
            self.audio[k] = render(self.renders[k], self.tmp, f"{self.split}-{k}")
        return self.audio[k]


def noise_bank(r, kind, count=64, length=5 * S.SAMPLE_RATE):
    """Coloured noise: white, pink (1/f power) or brown (1/f^2), each sequence at unit RMS."""
    w = r.standard_normal((count, length))
    if kind == "white":
        out = w
    else:
        f = np.fft.rfftfreq(length, 1.0 / S.SAMPLE_RATE)
        f[0] = f[1]
        shape = f ** (-0.5 if kind == "pink" else -1.0)
        out = np.fft.irfft(np.fft.rfft(w, axis=1) * shape, n=length, axis=1)
    return out / np.sqrt((out ** 2).mean(1, keepdims=True))


def place(x, r, length):
    """x at a random offset in a clip of `length` samples (a random window of x when it is longer)."""
    clip = np.zeros(length)
    if len(x) <= length:
        o = r.integers(0, length - len(x) + 1)
        clip[o:o + len(x)] = x
    else:
        o = r.integers(0, len(x) - length + 1)
        clip[:] = x[o:o + length]
    return clip


def synthesise(split, labels, renders, audio, out_dir):
    """Clips for `labels` (the split's first len(labels) samples) from the renders `audio` (list or LazyRenders)."""
    r = rng(split, 1)
    banks = {k: noise_bank(rng(split, 2 + i), k) for i, k in enumerate(["white", "pink", "brown"])}
    by_class = [np.array([i for i, s in enumerate(renders) if s["label"] == c]) for c in range(10)]
    n = len(labels)
    cond = {"render": np.zeros(n, np.int32), "noise": np.zeros(n, np.int8), "snr_db": np.zeros(n, np.float32),
            "dropped": np.zeros(n, bool), "truncated": np.zeros(n, bool)}
    feats = np.zeros((n, 1, S.N_MELS, S.N_FRAMES), np.float32)
    chunk, clips = 250, []
    for i, y in enumerate(labels):
        k = int(by_class[y][r.integers(len(by_class[y]))])
        speech = audio[k]
        dropped = r.random() < P_DROPPED
        truncated = (not dropped) and r.random() < P_TRUNCATED
        if truncated:
            speech = speech[:max(1, int(len(speech) * r.uniform(0.3, 0.7)))]
        s = place(speech, r, S.CLIP) * (0.0 if dropped else 1.0)
        kind = int(r.choice(len(NOISE_TYPES), p=NOISE_P))
        if NOISE_TYPES[kind] == "babble":
            others = r.integers(0, len(audio), r.integers(*BABBLE_VOICES))
            noise = sum(place(audio[j], r, S.CLIP) for j in others)
            noise /= np.sqrt((noise ** 2).mean()) + 1e-9
        else:
            bank = banks[NOISE_TYPES[kind]]
            row, o = r.integers(bank.shape[0]), r.integers(bank.shape[1] - S.CLIP)
            noise = bank[row, o:o + S.CLIP]
        snr = r.uniform(*SNR_DB) + (BABBLE_SNR_OFFSET if NOISE_TYPES[kind] == "babble" else 0.0)
        clip = (s + noise * 10 ** (-snr / 20)) * 10 ** (r.uniform(*LEVEL_DB) / 20) * 0.05
        clips.append(clip)
        cond["render"][i], cond["noise"][i], cond["snr_db"][i] = k, kind, snr
        cond["dropped"][i], cond["truncated"][i] = dropped, truncated
        if split == "test" and i < 20:
            write_wav(os.path.join(out_dir, "examples", f"test-{i:05d}-{S.CLASS_NAMES[y].replace('/', '-')}.wav"), clip)
        if len(clips) == chunk or i == n - 1:
            feats[i + 1 - len(clips):i + 1, 0] = S.log_mel(np.stack(clips))
            clips = []
    np.savez(os.path.join(out_dir, f"{split}-conditions.npz"), noise_types=np.array(NOISE_TYPES), **cond)
    return feats


def write_wav(path, x):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pcm = np.clip(x / max(1e-9, np.abs(x).max()) * 0.9 * 32767, -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(S.SAMPLE_RATE)
        w.writeframes(pcm.tobytes())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=S.cache_dir())
    ap.add_argument("--workers", type=int, default=2, help="parallel espeak-ng processes")
    ap.add_argument("--splits", default=",".join(S.SPLITS),
                    help="comma-separated splits to generate (default all); features.json keeps the others' entries")
    ap.add_argument("--limit", type=int, help="only the first N samples of each split (a quick smoke run)")
    args = ap.parse_args()
    splits = args.splits.split(",")
    unknown = [s for s in splits if s not in S.SPLITS]
    if unknown or not splits:
        ap.error(f"unknown split(s) {unknown}; choose from {','.join(S.SPLITS)}")
    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    y_train = S.read_idx("train-labels-idx1-ubyte.gz")
    y_test = S.read_idx("t10k-labels-idx1-ubyte.gz")
    ys = {"train": y_train, "t10k": y_test}
    header = {
        "format": "little-endian float32, row-major [count, 1, n_mels, n_frames]; labels: one uint8 per sample",
        "shape_per_sample": [1, S.N_MELS, S.N_FRAMES],
        "features": "natural log of (mel-filtered power spectrum + log_floor); waveform scale as synthesised",
        "mel": {"sample_rate": S.SAMPLE_RATE, "n_fft": S.N_FFT, "win_length": S.WIN, "window": "hann (symmetric)",
                "hop_length": S.HOP, "n_mels": S.N_MELS, "n_frames": S.N_FRAMES, "f_min": S.F_MIN,
                "f_max": S.F_MAX, "mel_scale": "htk", "log_floor": S.LOG_FLOOR, "clip_samples": S.CLIP,
                "centered": False},
        "corruption": {"snr_db_uniform": SNR_DB, "babble_snr_offset_db": BABBLE_SNR_OFFSET, "p_dropped": P_DROPPED, "p_truncated": P_TRUNCATED,
                       "noise_types": dict(zip(NOISE_TYPES, NOISE_P)), "level_db_uniform": LEVEL_DB},
        "splits": {},
    }
    header_path = os.path.join(args.out, "features.json")
    if os.path.exists(header_path) and set(splits) != set(S.SPLITS):
        with open(header_path) as f:
            old = json.load(f)
        for k in ("mel", "corruption", "shape_per_sample"):
            if json.loads(json.dumps(header[k])) != old.get(k):
                raise SystemExit(f"{header_path}: its {k} differs from this script's; the splits would not match "
                                 f"(generate all splits, or into another --out)")
        header["splits"] = {k: v for k, v in old.get("splits", {}).items() if k not in splits}
    with tempfile.TemporaryDirectory() as tmp:
        for split, (src, idx) in S.image_split_indices().items():
            if split not in splits:
                continue
            t0 = time.time()
            renders = plan_renders(split)
            labels = ys[src][idx].astype(np.int64)[:args.limit]
            if args.limit is None:
                with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
                    audio = list(pool.map(lambda a: render(a[1], tmp, f"{split}-{a[0]}"), enumerate(renders)))
                t1 = time.time()
                feats = synthesise(split, labels, renders, audio, args.out)
            else:  # renders synthesised on first use, inside the (sequential) clip loop
                audio = LazyRenders(renders, tmp, split)
                t1 = time.time()
                feats = synthesise(split, labels, renders, audio, args.out)
                audio = [audio.audio.get(k) for k in range(len(renders))]
            t2 = time.time()
            # written under a temporary name and renamed: a reader never sees half a file
            labels.astype(np.uint8).tofile(os.path.join(args.out, f"{split}-labels.u8.tmp"))
            os.replace(os.path.join(args.out, f"{split}-labels.u8.tmp"), os.path.join(args.out, f"{split}-labels.u8"))
            feats.astype("<f4").tofile(S.feature_path(split, args.out) + ".tmp")
            os.replace(S.feature_path(split, args.out) + ".tmp", S.feature_path(split, args.out))
            for spec, a in zip(renders, audio):
                spec["seconds"] = None if a is None else round(len(a) / S.SAMPLE_RATE, 3)  # None: unused (--limit)
            with open(os.path.join(args.out, f"{split}-renders.json"), "w") as f:
                json.dump(renders, f, indent=0)
            header["splits"][split] = {
                "count": int(len(labels)), "features": os.path.basename(S.feature_path(split, args.out)),
                "labels": f"{split}-labels.u8",
                "order": {"train": "Fashion-MNIST training images not in validation-indices.txt, ascending index",
                          "validation": "models/splits/validation-indices.txt, in file order",
                          "test": "the 10k Fashion-MNIST test images, in order"}[split],
                "image_source": src, "unique_renders": len(renders),
                "templates": S.TEMPLATES[split], "variants": S.VARIANTS[split],
                "render_seconds": round(t1 - t0, 1), "feature_seconds": round(t2 - t1, 1),
                "workers": args.workers, "generated_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            if args.limit is not None:
                header["splits"][split]["limit"] = args.limit
                header["splits"][split]["render_seconds"] = None  # renders were made inside the clip loop
                header["splits"][split]["render_and_feature_seconds"] = header["splits"][split].pop("feature_seconds")
            used_audio = [a for a in audio if a is not None]
            durations = np.array([len(a) for a in used_audio]) / S.SAMPLE_RATE
            made = (f"{len(renders)} renders in {t1 - t0:.1f}s" if args.limit is None else
                    f"{len(used_audio)} of {len(renders)} renders used (made on first use)")
            print(f"{split}: {made} (speech {durations.mean():.2f}s mean, "
                  f"{(durations > S.CLIP / S.SAMPLE_RATE).mean():.1%} longer than the clip), "
                  f"{len(labels)} clips -> features in {t2 - t1:.1f}s", flush=True)
    header["splits"] = {k: header["splits"][k] for k in S.SPLITS if k in header["splits"]}
    header["generation_seconds"] = round(time.time() - start, 1)  # of the last run
    header["last_run_splits"] = splits
    with open(header_path + ".tmp", "w") as f:
        json.dump(header, f, indent=2)
    os.replace(header_path + ".tmp", header_path)
    used = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(args.out) for fn in fns)
    print(f"done in {time.time() - start:.1f}s; {used / 1e6:.0f} MB in {args.out}", flush=True)


if __name__ == "__main__":
    main()

"""Shared definitions of the spoken Fashion-MNIST task: class phrasings, voice pools per split,
the log-mel front end, the cache layout and the readers of the generated files.

Imported by make_spoken_fmnist.py (generation) and train_multimodal.py (training).
"""
import gzip
import os

import numpy as np
import scipy.fft

DATA = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(os.path.dirname(HERE))
SEED = 20261128  # the image zoo's seed (train_zoo.py)

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

# What is said for each class: several nouns per class, all used in every split (a model cannot
# know that an unheard word means "sneaker", so nouns are not held out; carrier phrases are).
NOUNS = [
    ["a t-shirt", "a top", "a tee shirt"],
    ["trousers", "a pair of trousers", "pants", "a pair of jeans"],
    ["a pullover", "a sweater", "a jumper"],
    ["a dress", "a summer dress"],
    ["a coat", "a winter coat"],
    ["a sandal", "sandals"],
    ["a shirt", "a button-up shirt"],
    ["a sneaker", "a trainer", "a running shoe"],
    ["a bag", "a handbag"],
    ["an ankle boot", "a boot"],
]

# Carrier phrases: disjoint between train, validation and test. The class noun sits first, in
# the middle or last, in every split, so that a model cannot learn "the class is the last word"
# (the first version's training phrases all ended with the noun: audio-cnn then got 23% on the
# test phrase "we have {} here"). No phrase of one split contains another split's phrase.
# The test phrases are those of the first version, unchanged (the test files were not regenerated).
TEMPLATES = {
    "train": [
        # noun last (or alone)
        "{}", "a picture of {}", "this is {}", "it's {}", "I see {}", "show me {}", "a photo of {}",
        "there is {}",
        # noun in the middle
        "there is {} on the left", "I see {} in this one", "here is {} for you", "is that {} or not",
        # noun first
        "{} on the right", "{}, please", "{} again", "{}, that's it",
    ],
    "validation": ["this one is {}", "I believe that's {}", "you can see {} there", "{}, I'd say"],
    "test": ["looks like {}", "this must be {}", "we have {} here", "{}, I think"],
}
# Position of the noun in each phrase (for the analysis): "last", "middle" or "first".
NOUN_POSITION = {t: ("last" if t.endswith("{}") else "first" if t.startswith("{}") else "middle")
                 for ts in TEMPLATES.values() for t in ts}

# espeak-ng English accents: shared by all splits. ("en" is British English; "en-gb+variant"
# silently ignores the variant in espeak-ng 1.51, "en+variant" does not.)
ACCENTS = ["en-us", "en", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd",
           "en-029", "en-us-nyc"]

# espeak-ng voice variants (timbre: formants, breathiness, pitch range): disjoint between splits.
# Fixed lists (not a shuffle) so that the split is readable here.
VARIANTS = {
    "train": ["", "m1", "m2", "m3", "m4", "m5", "f1", "f2", "f3", "klatt", "klatt2", "klatt3",
              "adam", "Alex", "Andy", "Annie", "anika", "antonio", "belinda", "benjamin", "boris",
              "Storm", "david", "ed", "edward", "iven", "john", "linda", "max", "michel", "paul",
              "rob", "steph", "travis", "victor", "zac", "whisper", "grandpa", "Lee", "Michael"],
    "validation": ["m6", "f4", "klatt4", "Alicia", "aunty", "pedro", "robert", "shelby"],
    "test": ["m7", "f5", "klatt5", "Andrea", "quincy", "norbert", "sandro", "steph2", "whisperf",
             "grandma", "Mike", "gustave"],
}

# Rendering: speed (words per minute) and pitch (0-99) drawn uniformly, the same ranges in every split.
SPEED = (130, 260)
PITCH = (20, 80)

# Log-mel front end
SAMPLE_RATE = 16000
N_FFT = 1024
WIN = 800      # 50 ms Hann window
HOP = 500      # 31.25 ms
N_MELS = 40
N_FRAMES = 64
F_MIN, F_MAX = 50.0, 8000.0
LOG_FLOOR = 1e-6
CLIP = (N_FRAMES - 1) * HOP + WIN  # 32300 samples = 2.02 s

SPLITS = ("train", "validation", "test")


def cache_dir():
    return os.environ.get("SLUICE_MULTIMODAL_DIR") or os.path.expanduser("~/.cache/sluice/multimodal-v3")


def read_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def read_validation_indices():
    """Indices into the 60k training set held out for validation, in the file's order."""
    out = []
    with open(os.path.join(MODELS, "splits", "validation-indices.txt")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(int(line))
    return np.array(out, dtype=np.int64)


def image_split_indices():
    """(split -> (source, indices)): train = the 60k training images minus the validation ones,
    ascending; validation = validation-indices.txt in its order; test = the 10k test set in order."""
    va = read_validation_indices()
    mask = np.ones(60000, dtype=bool)
    mask[va] = False
    return {"train": ("train", np.nonzero(mask)[0]), "validation": ("train", va),
            "test": ("t10k", np.arange(10000))}


def load_images_and_labels():
    """split -> (images float32 [N,1,28,28] in [0,1], labels int64 [N]) in the order of image_split_indices()."""
    x = {"train": read_idx("train-images-idx3-ubyte.gz"), "t10k": read_idx("t10k-images-idx3-ubyte.gz")}
    y = {"train": read_idx("train-labels-idx1-ubyte.gz"), "t10k": read_idx("t10k-labels-idx1-ubyte.gz")}
    out = {}
    for split, (src, idx) in image_split_indices().items():
        out[split] = ((x[src][idx].astype(np.float32) / 255.0)[:, None], y[src][idx].astype(np.int64))
    return out


def mel_filterbank():
    """[N_MELS, N_FFT//2+1] triangular filters on the HTK mel scale, unit peak."""
    hz_to_mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)
    mel_to_hz = lambda m: 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    edges = mel_to_hz(np.linspace(hz_to_mel(F_MIN), hz_to_mel(F_MAX), N_MELS + 2))
    bins = np.linspace(0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    fb = np.zeros((N_MELS, len(bins)), dtype=np.float64)
    for m in range(N_MELS):
        lo, c, hi = edges[m], edges[m + 1], edges[m + 2]
        up = (bins - lo) / (c - lo)
        down = (hi - bins) / (hi - c)
        fb[m] = np.maximum(0.0, np.minimum(up, down))
    return fb


_FB = None
_WINDOW = np.hanning(WIN + 2)[1:-1]  # symmetric Hann without the zero end points


def log_mel(clips):
    """clips float [B, CLIP] at SAMPLE_RATE -> float32 [B, N_MELS, N_FRAMES]: natural log of
    (mel-filtered power spectrum + LOG_FLOOR); frame t covers samples [t*HOP, t*HOP+WIN), zero-padded to N_FFT."""
    global _FB
    if _FB is None:
        _FB = mel_filterbank()
    b = clips.shape[0]
    idx = np.arange(N_FRAMES)[:, None] * HOP + np.arange(WIN)[None, :]
    frames = (clips[:, idx] * _WINDOW).astype(np.float32)  # [B, T, WIN]
    spec = scipy.fft.rfft(frames, n=N_FFT, axis=-1)
    power = (spec.real ** 2 + spec.imag ** 2)  # [B, T, F]
    mel = power @ _FB.T.astype(np.float32)  # [B, T, M]
    return np.log(mel + LOG_FLOOR).transpose(0, 2, 1).astype(np.float32).reshape(b, N_MELS, N_FRAMES)


def feature_path(split, directory=None):
    return os.path.join(directory or cache_dir(), f"{split}-audio-features.f32")


def load_features(split, directory=None, limit=None):
    """float32 [N, 1, N_MELS, N_FRAMES] and labels int64 [N] of one split (its first `limit` samples), from the cache."""
    d = directory or cache_dir()
    x = np.fromfile(feature_path(split, d), dtype="<f4", count=-1 if limit is None else limit * N_MELS * N_FRAMES)
    x = x.reshape(-1, 1, N_MELS, N_FRAMES)
    y = np.fromfile(os.path.join(d, f"{split}-labels.u8"), dtype=np.uint8, count=-1 if limit is None else limit)
    y = y.astype(np.int64)
    return x, y

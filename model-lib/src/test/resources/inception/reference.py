"""Independent numpy reference for io.sparkgen.model.features.FidInceptionV3.

Rebuilds pytorch-fid's FID Inception-v3 (torchvision Inception3 with FIDInceptionA/C/E_1/E_2
blocks, BasicConv2d = conv without bias + BatchNorm(eps=1e-3, inference) + ReLU) in float64 with
its own im2col convolution, pooling and bilinear resize, on the deterministic random weights that
FidInceptionV3.randomWeights(seed) also makes, and writes the golden files the Java tests read:

  features.npy  [3, 2048] float32  pool3 features of the three test images
  logits.npy    [3, 1008] float32  fc logits of the same
  resize.npy    [R] float32        bilinear resizes of small images (see RESIZE_CASES)

Run: python3 reference.py   (numpy only; writes next to this file)
"""
import os
import numpy as np

SEED = 20260505
EPS = 1e-3
MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
STREAM = 0xD1B54A32D192ED03


# ---- the network's layers, in the canonical order the Java class uses ----

def basic(name, cin, cout, kh, kw, sh=1, sw=1, ph=0, pw=0):
    return dict(name=name, cin=cin, cout=cout, kh=kh, kw=kw, sh=sh, sw=sw, ph=ph, pw=pw)


def block_a(p, cin, pool):
    return [basic(p + ".branch1x1", cin, 64, 1, 1),
            basic(p + ".branch5x5_1", cin, 48, 1, 1),
            basic(p + ".branch5x5_2", 48, 64, 5, 5, ph=2, pw=2),
            basic(p + ".branch3x3dbl_1", cin, 64, 1, 1),
            basic(p + ".branch3x3dbl_2", 64, 96, 3, 3, ph=1, pw=1),
            basic(p + ".branch3x3dbl_3", 96, 96, 3, 3, ph=1, pw=1),
            basic(p + ".branch_pool", cin, pool, 1, 1)]


def block_b(p, cin):
    return [basic(p + ".branch3x3", cin, 384, 3, 3, 2, 2),
            basic(p + ".branch3x3dbl_1", cin, 64, 1, 1),
            basic(p + ".branch3x3dbl_2", 64, 96, 3, 3, ph=1, pw=1),
            basic(p + ".branch3x3dbl_3", 96, 96, 3, 3, 2, 2)]


def block_c(p, cin, c7):
    return [basic(p + ".branch1x1", cin, 192, 1, 1),
            basic(p + ".branch7x7_1", cin, c7, 1, 1),
            basic(p + ".branch7x7_2", c7, c7, 1, 7, pw=3),
            basic(p + ".branch7x7_3", c7, 192, 7, 1, ph=3),
            basic(p + ".branch7x7dbl_1", cin, c7, 1, 1),
            basic(p + ".branch7x7dbl_2", c7, c7, 7, 1, ph=3),
            basic(p + ".branch7x7dbl_3", c7, c7, 1, 7, pw=3),
            basic(p + ".branch7x7dbl_4", c7, c7, 7, 1, ph=3),
            basic(p + ".branch7x7dbl_5", c7, 192, 1, 7, pw=3),
            basic(p + ".branch_pool", cin, 192, 1, 1)]


def block_d(p, cin):
    return [basic(p + ".branch3x3_1", cin, 192, 1, 1),
            basic(p + ".branch3x3_2", 192, 320, 3, 3, 2, 2),
            basic(p + ".branch7x7x3_1", cin, 192, 1, 1),
            basic(p + ".branch7x7x3_2", 192, 192, 1, 7, pw=3),
            basic(p + ".branch7x7x3_3", 192, 192, 7, 1, ph=3),
            basic(p + ".branch7x7x3_4", 192, 192, 3, 3, 2, 2)]


def block_e(p, cin):
    return [basic(p + ".branch1x1", cin, 320, 1, 1),
            basic(p + ".branch3x3_1", cin, 384, 1, 1),
            basic(p + ".branch3x3_2a", 384, 384, 1, 3, pw=1),
            basic(p + ".branch3x3_2b", 384, 384, 3, 1, ph=1),
            basic(p + ".branch3x3dbl_1", cin, 448, 1, 1),
            basic(p + ".branch3x3dbl_2", 448, 384, 3, 3, ph=1, pw=1),
            basic(p + ".branch3x3dbl_3a", 384, 384, 1, 3, pw=1),
            basic(p + ".branch3x3dbl_3b", 384, 384, 3, 1, ph=1),
            basic(p + ".branch_pool", cin, 192, 1, 1)]


LAYERS = ([basic("Conv2d_1a_3x3", 3, 32, 3, 3, 2, 2),
           basic("Conv2d_2a_3x3", 32, 32, 3, 3),
           basic("Conv2d_2b_3x3", 32, 64, 3, 3, ph=1, pw=1),
           basic("Conv2d_3b_1x1", 64, 80, 1, 1),
           basic("Conv2d_4a_3x3", 80, 192, 3, 3)]
          + block_a("Mixed_5b", 192, 32) + block_a("Mixed_5c", 256, 64) + block_a("Mixed_5d", 288, 64)
          + block_b("Mixed_6a", 288)
          + block_c("Mixed_6b", 768, 128) + block_c("Mixed_6c", 768, 160)
          + block_c("Mixed_6d", 768, 160) + block_c("Mixed_6e", 768, 192)
          + block_d("Mixed_7a", 768) + block_e("Mixed_7b", 1280) + block_e("Mixed_7c", 2048))
CLASSES = 1008


def keys_and_shapes():
    out = []
    for l in LAYERS:
        out.append((l["name"] + ".conv.weight", (l["cout"], l["cin"], l["kh"], l["kw"])))
        for s in ("weight", "bias", "running_mean", "running_var"):
            out.append((l["name"] + ".bn." + s, (l["cout"],)))
    out.append(("fc.weight", (CLASSES, 2048)))
    out.append(("fc.bias", (CLASSES,)))
    return out


# ---- deterministic weights: SplitMix64 per array, uniform in [-1, 1) with 24 bits ----

def uniform(seed, k, n):
    i = np.arange(1, n + 1, dtype=np.uint64)
    base = np.uint64((seed + (k + 1) * STREAM) & MASK)
    z = base + i * np.uint64(GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) / float(1 << 24) * 2.0 - 1.0


def random_weights(seed):
    w = {}
    for k, (key, shape) in enumerate(keys_and_shapes()):
        u = uniform(seed, k, int(np.prod(shape)))
        if key.endswith("conv.weight"):
            v = u * np.sqrt(6.0 / (shape[1] * shape[2] * shape[3]))  # He-uniform: variance 2 / fan_in
        elif key.endswith("bn.weight"):
            v = 1.0 + 0.2 * u
        elif key.endswith("bn.bias"):
            v = 0.1 * u
        elif key.endswith("running_mean"):
            v = 0.2 * u
        elif key.endswith("running_var"):
            v = 1.0 + 0.5 * u
        elif key == "fc.weight":
            v = u * np.sqrt(3.0 / shape[1])
        else:
            v = 0.1 * u
        w[key] = v.astype(np.float32).reshape(shape)
    return w


# ---- the network, float64 ----

def conv(x, w, sh, sw, ph, pw):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (h + 2 * ph - kh) // sh + 1
    ow = (wd + 2 * pw - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow))
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
    return np.einsum("nckloq,dckl->ndoq", cols, w, optimize=True)


def basic_conv(x, wts, l):
    y = conv(x, wts[l["name"] + ".conv.weight"].astype(np.float64), l["sh"], l["sw"], l["ph"], l["pw"])
    bn = lambda s: wts[l["name"] + ".bn." + s].astype(np.float64)[None, :, None, None]
    y = (y - bn("running_mean")) / np.sqrt(bn("running_var") + EPS) * bn("weight") + bn("bias")
    return np.maximum(y, 0.0)


def windows(x, k, s, p, fill):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=fill)
    oh = (h + 2 * p - k) // s + 1
    ow = (w + 2 * p - k) // s + 1
    return np.stack([xp[:, :, i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s]
                     for i in range(k) for j in range(k)])


def max_pool(x, k, s, p=0):
    return windows(x, k, s, p, -np.inf).max(axis=0)


def avg_pool_exclude_pad(x):
    """3x3, stride 1, padding 1, count_include_pad=False (TensorFlow's average pooling)."""
    total = windows(x, 3, 1, 1, 0.0).sum(axis=0)
    count = windows(np.ones((1, 1) + x.shape[2:]), 3, 1, 1, 0.0).sum(axis=0)
    return total / count


def resize_bilinear(x, oh, ow):
    """F.interpolate(mode='bilinear', align_corners=False): half-pixel centres, source clamped at 0."""
    def axis(n_in, n_out):
        m = np.zeros((n_out, n_in))
        scale = n_in / n_out
        for o in range(n_out):
            src = max((o + 0.5) * scale - 0.5, 0.0)
            i0 = min(int(np.floor(src)), n_in - 1)
            i1 = min(i0 + 1, n_in - 1)
            lam = src - i0
            m[o, i0] += 1.0 - lam
            m[o, i1] += lam
        return m
    rh = axis(x.shape[2], oh)
    rw = axis(x.shape[3], ow)
    return np.einsum("oh,nchw,pw->ncop", rh, x, rw)


def forward(images, wts):
    x = images.astype(np.float64)
    if x.shape[1] == 1:
        x = np.repeat(x, 3, axis=1)
    x = resize_bilinear(x, 299, 299)
    layer = {l["name"]: l for l in LAYERS}
    f = lambda name, t: basic_conv(t, wts, layer[name])
    for name in ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3"):
        x = f(name, x)
    x = max_pool(x, 3, 2)
    x = f("Conv2d_3b_1x1", x)
    x = f("Conv2d_4a_3x3", x)
    x = max_pool(x, 3, 2)
    for p in ("Mixed_5b", "Mixed_5c", "Mixed_5d"):
        b1 = f(p + ".branch1x1", x)
        b5 = f(p + ".branch5x5_2", f(p + ".branch5x5_1", x))
        b3 = f(p + ".branch3x3dbl_3", f(p + ".branch3x3dbl_2", f(p + ".branch3x3dbl_1", x)))
        bp = f(p + ".branch_pool", avg_pool_exclude_pad(x))
        x = np.concatenate([b1, b5, b3, bp], axis=1)
    p = "Mixed_6a"
    b3 = f(p + ".branch3x3", x)
    bd = f(p + ".branch3x3dbl_3", f(p + ".branch3x3dbl_2", f(p + ".branch3x3dbl_1", x)))
    x = np.concatenate([b3, bd, max_pool(x, 3, 2)], axis=1)
    for p in ("Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"):
        b1 = f(p + ".branch1x1", x)
        b7 = x
        for s in ("_1", "_2", "_3"):
            b7 = f(p + ".branch7x7" + s, b7)
        bd = x
        for s in ("_1", "_2", "_3", "_4", "_5"):
            bd = f(p + ".branch7x7dbl" + s, bd)
        bp = f(p + ".branch_pool", avg_pool_exclude_pad(x))
        x = np.concatenate([b1, b7, bd, bp], axis=1)
    p = "Mixed_7a"
    b3 = f(p + ".branch3x3_2", f(p + ".branch3x3_1", x))
    b7 = x
    for s in ("_1", "_2", "_3", "_4"):
        b7 = f(p + ".branch7x7x3" + s, b7)
    x = np.concatenate([b3, b7, max_pool(x, 3, 2)], axis=1)
    for p, pool in (("Mixed_7b", avg_pool_exclude_pad), ("Mixed_7c", lambda t: max_pool(t, 3, 1, 1))):
        b1 = f(p + ".branch1x1", x)
        b3 = f(p + ".branch3x3_1", x)
        b3 = np.concatenate([f(p + ".branch3x3_2a", b3), f(p + ".branch3x3_2b", b3)], axis=1)
        bd = f(p + ".branch3x3dbl_2", f(p + ".branch3x3dbl_1", x))
        bd = np.concatenate([f(p + ".branch3x3dbl_3a", bd), f(p + ".branch3x3dbl_3b", bd)], axis=1)
        bp = f(p + ".branch_pool", pool(x))
        x = np.concatenate([b1, b3, bd, bp], axis=1)
    assert x.shape[1:] == (2048, 8, 8), x.shape
    features = x.mean(axis=(2, 3))
    logits = features @ wts["fc.weight"].astype(np.float64).T + wts["fc.bias"].astype(np.float64)
    return features, logits


def test_image(n, c, h, w):
    """Exact float32 values in [-1, 1] that the Java test makes by the same formula."""
    i = np.arange(n)[:, None, None, None]
    ch = np.arange(c)[None, :, None, None]
    y = np.arange(h)[None, None, :, None]
    x = np.arange(w)[None, None, None, :]
    v = ((3 * y + 5 * x + 7 * ch + 11 * i + (y * x) // 4) % 32) / 15.5 - 1.0
    return v.astype(np.float32)


RESIZE_CASES = [(5, 7, 11, 3), (4, 4, 9, 9), (13, 6, 5, 17), (28, 28, 299, 299)]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    wts = random_weights(SEED)
    grey = test_image(2, 1, 28, 28)
    rgb = test_image(1, 3, 32, 32)
    f1, l1 = forward(grey, wts)
    f2, l2 = forward(rgb, wts)
    features = np.ascontiguousarray(np.concatenate([f1, f2]), dtype=np.float32)
    logits = np.ascontiguousarray(np.concatenate([l1, l2]), dtype=np.float32)
    print("features mean %.4f std %.4f max %.4f" % (features.mean(), features.std(), features.max()))
    print("logits mean %.4f std %.4f" % (logits.mean(), logits.std()))
    np.save(os.path.join(here, "features.npy"), features)
    np.save(os.path.join(here, "logits.npy"), logits)
    resized = []
    for h, w, oh, ow in RESIZE_CASES:
        r = resize_bilinear(test_image(1, 1, h, w).astype(np.float64), oh, ow)
        resized.append(r[:, :, :7, :7].ravel() if oh > 20 else r.ravel())  # the 299 case: its top-left 7x7 only
    np.save(os.path.join(here, "resize.npy"), np.ascontiguousarray(np.concatenate(resized), dtype=np.float32))


if __name__ == "__main__":
    main()

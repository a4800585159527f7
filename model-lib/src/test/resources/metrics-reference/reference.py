#!/usr/bin/env python3
"""Reference values for sparkgen's metrics (ReferenceValuesTest), from numpy/scipy ports of the
reference implementations:

  FID   pytorch-fid, calculate_frechet_distance (mu, np.cov, scipy.linalg.sqrtm of sigma1 @ sigma2)
  KID   torch-fidelity, kid_features_to_metric (polynomial kernel (x.y / d + 1)^3, unbiased MMD^2
        over subsets drawn by np.random.RandomState(seed).choice; mean and np.std)
  P&R   Kynkaanniemi et al. 2019, improved-precision-recall-metric ManifoldEstimator (squared
        distances, radius = k-th neighbour via np.partition, k = 3; <= radius is inside)
  SWD   ProGAN (Karras et al. 2018) metrics/sliced_wasserstein.py: sliced_wasserstein on features
        and the multi-scale version on Laplacian-pyramid 7x7 patches

Where the reference draws random numbers (KID subsets, SWD directions, patch positions), the
draws are written next to the values so that Java is fed the same ones through package-private
entries. Everything is computed in float64 (sparkgen's precision); ProGAN computes the pyramid,
descriptors and projections in float32 and torch-fidelity the kernels in the features' float32:
their values for the same inputs are recorded too ("*_float32"), to show the size of that
difference, but the test compares against the float64 ones.

Run from this directory: python3 reference.py (numpy >= 1.26, scipy >= 1.11; written with numpy
2.4.6 and scipy 1.17.1). It rewrites the .npy files and reference.json; the outputs are
deterministic for a given numpy version.
"""
import json
import os

import numpy as np
import scipy
import scipy.linalg
import scipy.ndimage

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, array):
    np.save(os.path.join(HERE, name), array)


# ---------------------------------------------------------------- pytorch-fid

def calculate_frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid src/pytorch_fid/fid_score.py, as published (disp=False dropped: deprecated in scipy 1.16)."""
    mu1 = np.atleast_1d(mu1)
    mu2 = np.atleast_1d(mu2)
    sigma1 = np.atleast_2d(sigma1)
    sigma2 = np.atleast_2d(sigma2)
    diff = mu1 - mu2
    covmean = scipy.linalg.sqrtm(sigma1.dot(sigma2))
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("Imaginary component {}".format(np.max(np.abs(covmean.imag))))
        covmean = covmean.real
    tr_covmean = np.trace(covmean)
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean


def fid_of_features(a, b):
    # pytorch-fid keeps activations in a float64 array (np.empty((n, dims))), then np.mean / np.cov.
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return calculate_frechet_distance(a.mean(axis=0), np.cov(a, rowvar=False), b.mean(axis=0), np.cov(b, rowvar=False))


# ---------------------------------------------------------------- torch-fidelity KID

def mmd2(K_XX, K_XY, K_YY):
    """torch-fidelity metric_kid.mmd2, unbiased estimate, unit_diagonal=False."""
    m = K_XX.shape[0]
    diag_X = np.diagonal(K_XX)
    diag_Y = np.diagonal(K_YY)
    Kt_XX_sums = K_XX.sum(axis=1) - diag_X
    Kt_YY_sums = K_YY.sum(axis=1) - diag_Y
    K_XY_sums_0 = K_XY.sum(axis=0)
    Kt_XX_sum = Kt_XX_sums.sum()
    Kt_YY_sum = Kt_YY_sums.sum()
    K_XY_sum = K_XY_sums_0.sum()
    value = (Kt_XX_sum + Kt_YY_sum) / (m * (m - 1))
    value -= 2 * K_XY_sum / (m * m)
    return value


def kernel_poly(X, Y, degree=3, gamma=None, coef0=1):
    if gamma is None:
        gamma = 1.0 / X.shape[1]
    return (np.matmul(X, Y.T) * gamma + coef0) ** degree


def polynomial_mmd(f1, f2):
    return mmd2(kernel_poly(f1, f1), kernel_poly(f1, f2), kernel_poly(f2, f2))


def kid(features_1, features_2, subsets, subset_size, seed):
    """torch-fidelity kid_features_to_metric; returns mean, std and the subsets drawn."""
    n1, n2 = len(features_1), len(features_2)
    rng = np.random.RandomState(seed)
    mmds = np.zeros(subsets)
    idx1 = np.zeros((subsets, subset_size), dtype=np.int64)
    idx2 = np.zeros((subsets, subset_size), dtype=np.int64)
    for i in range(subsets):
        idx1[i] = rng.choice(n1, subset_size, replace=False)
        idx2[i] = rng.choice(n2, subset_size, replace=False)
        mmds[i] = polynomial_mmd(features_1[idx1[i]], features_2[idx2[i]])
    return float(np.mean(mmds)), float(np.std(mmds)), idx1, idx2


# ---------------------------------------------------------------- improved precision and recall

def squared_distances(a, b):
    # DistanceBlock.pairwise_distances: |a|^2 + |b|^2 - 2 a.b (squared distances, no sqrt)
    na = np.sum(np.square(a), axis=1, keepdims=True)
    nb = np.sum(np.square(b), axis=1, keepdims=True)
    return np.maximum(na - 2 * np.matmul(a, b.T) + nb.T, 0.0)


def manifold_radii(features, k):
    # ManifoldEstimator.__init__: np.partition over each row (self at 0), column k
    d = squared_distances(features, features)
    return np.partition(d, np.arange(k + 1), axis=1)[:, k]


def manifold_contains(radii, manifold, probes):
    # ManifoldEstimator.evaluate: inside when within the radius of some manifold point
    d = squared_distances(probes, manifold)
    return np.any(d <= radii[None, :], axis=1)


def precision_recall(real, fake, k):
    precision = float(np.mean(manifold_contains(manifold_radii(real, k), real, fake)))
    recall = float(np.mean(manifold_contains(manifold_radii(fake, k), fake, real)))
    return precision, recall


# ---------------------------------------------------------------- ProGAN sliced Wasserstein

def random_directions(rng, components, repeats, dirs_per_repeat):
    # sliced_wasserstein: np.random.randn, normalised per direction, cast to float32
    out = np.zeros((repeats, components, dirs_per_repeat), dtype=np.float32)
    for r in range(repeats):
        dirs = rng.randn(components, dirs_per_repeat)
        dirs /= np.sqrt(np.sum(np.square(dirs), axis=0, keepdims=True))
        out[r] = dirs.astype(np.float32)
    return out


def sliced_wasserstein(A, B, directions, dtype=np.float64):
    """ProGAN sliced_wasserstein with the directions given ([repeats, components, dirs])."""
    assert A.ndim == 2 and A.shape == B.shape
    A = A.astype(dtype)
    B = B.astype(dtype)
    results = []
    for dirs in directions:
        dirs = dirs.astype(dtype)
        projA = np.sort(np.matmul(A, dirs), axis=0)
        projB = np.sort(np.matmul(B, dirs), axis=0)
        results.append(np.mean(np.abs(projA - projB)))
    return float(np.mean(results))


gaussian_filter = np.float64([
    [1, 4, 6, 4, 1],
    [4, 16, 24, 16, 4],
    [6, 24, 36, 24, 6],
    [4, 16, 24, 16, 4],
    [1, 4, 6, 4, 1]]) / 256.0


def pyr_down(minibatch):  # matches cv2.pyrDown()
    f = gaussian_filter.astype(minibatch.dtype)
    return scipy.ndimage.convolve(minibatch, f[np.newaxis, np.newaxis, :, :], mode='mirror')[:, :, ::2, ::2]


def pyr_up(minibatch):  # matches cv2.pyrUp()
    S = minibatch.shape
    res = np.zeros((S[0], S[1], S[2] * 2, S[3] * 2), minibatch.dtype)
    res[:, :, ::2, ::2] = minibatch
    f = gaussian_filter.astype(minibatch.dtype)
    return scipy.ndimage.convolve(res, f[np.newaxis, np.newaxis, :, :] * 4.0, mode='mirror')


def generate_laplacian_pyramid(minibatch, num_levels, dtype):
    pyramid = [minibatch.astype(dtype)]
    for i in range(1, num_levels):
        pyramid.append(pyr_down(pyramid[-1]))
        pyramid[-2] -= pyr_up(pyramid[-1])
    return pyramid


def random_positions(rng, n_images, level_shape, nhood_size, nhoods_per_image):
    # get_descriptors_for_minibatch: centres x, y = np.random.randint(H, S - H); stored as (y, x)
    H = nhood_size // 2
    N = nhoods_per_image * n_images
    x = rng.randint(H, level_shape[1] - H, size=N)
    y = rng.randint(H, level_shape[0] - H, size=N)
    return np.stack([y, x], axis=1).astype(np.int32)


def get_descriptors(level, positions, nhood_size, nhoods_per_image):
    """get_descriptors_for_minibatch with the centres given ([N * nhoods, 2] as (y, x)); any channel count."""
    S = level.shape
    N = nhoods_per_image * S[0]
    H = nhood_size // 2
    nhood, chan, x, y = np.ogrid[0:N, 0:S[1], -H:H + 1, -H:H + 1]
    img = nhood // nhoods_per_image
    x = x + positions[:, 1].reshape(N, 1, 1, 1)
    y = y + positions[:, 0].reshape(N, 1, 1, 1)
    idx = ((img * S[1] + chan) * S[2] + y) * S[3] + x
    return level.flat[idx]


def finalize_descriptors(desc):
    desc = desc - np.mean(desc, axis=(0, 2, 3), keepdims=True)
    desc = desc / np.std(desc, axis=(0, 2, 3), keepdims=True)
    return desc.reshape(desc.shape[0], -1)


def resolutions(size, min_resolution):
    # ProGAN: while res >= 16 (see MultiScaleSlicedWasserstein for sparkgen's 14)
    out = []
    res = size
    while res >= min_resolution:
        out.append(res)
        res //= 2
    return out


def multiscale_swd(real, fake, positions_real, positions_fake, directions, nhood_size, nhoods, levels, dtype):
    """API.feed/end of ProGAN's sliced_wasserstein.py on whole sets: values x 1e3 per level, then their mean."""
    pyr_real = generate_laplacian_pyramid(real, levels, dtype)
    pyr_fake = generate_laplacian_pyramid(fake, levels, dtype)
    dist = []
    for lod in range(levels):
        dr = finalize_descriptors(get_descriptors(pyr_real[lod], positions_real[lod], nhood_size, nhoods))
        df = finalize_descriptors(get_descriptors(pyr_fake[lod], positions_fake[lod], nhood_size, nhoods))
        dist.append(sliced_wasserstein(dr, df, directions[lod], dtype) * 1e3)
    return dist + [float(np.mean(dist))]


def multiscale_case(name, real, fake, min_resolution, nhoods, repeats, dirs_per_repeat, seed):
    rng = np.random.RandomState(seed)
    levels = len(resolutions(real.shape[2], min_resolution))
    shapes = [(real.shape[2] >> l, real.shape[3] >> l) for l in range(levels)]
    pos_real = np.stack([random_positions(rng, len(real), s, 7, nhoods) for s in shapes])
    pos_fake = np.stack([random_positions(rng, len(fake), s, 7, nhoods) for s in shapes])
    directions = np.stack([random_directions(rng, real.shape[1] * 49, repeats, dirs_per_repeat) for _ in shapes])
    save(name + "-real.npy", real)
    save(name + "-fake.npy", fake)
    save(name + "-positions-real.npy", pos_real)
    save(name + "-positions-fake.npy", pos_fake)
    save(name + "-directions.npy", directions)
    values = multiscale_swd(real, fake, pos_real, pos_fake, directions, 7, nhoods, levels, np.float64)
    values32 = multiscale_swd(real, fake, pos_real, pos_fake, directions, 7, nhoods, levels, np.float32)
    return {"resolutions": resolutions(real.shape[2], min_resolution), "minResolution": min_resolution,
            "patchesPerImage": nhoods, "repeats": repeats, "directionsPerRepeat": dirs_per_repeat,
            "swdx1e3": values, "swdx1e3_float32": [float(v) for v in values32]}


def smooth_images(rng, n, channels, size, brightness):
    """uint8 images with structure at several scales: blurred noise plus a brightness offset."""
    noise = rng.normal(size=(n, channels, size, size))
    smooth = scipy.ndimage.gaussian_filter(noise, sigma=(0, 0, 1.5, 1.5), mode='wrap')
    img = 128 + brightness + 60 * smooth / smooth.std() + 10 * noise
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def main():
    rng = np.random.default_rng(20261205)
    d = 64
    mix_real = np.eye(d) + 0.15 * rng.normal(size=(d, d))
    mix_fake = 0.9 * np.eye(d) + 0.15 * rng.normal(size=(d, d))
    real = (rng.normal(size=(400, d)) @ mix_real).astype(np.float32)
    fake = (0.1 + rng.normal(size=(300, d)) @ mix_fake).astype(np.float32)
    save("real.npy", real)
    save("fake.npy", fake)
    out = {"numpy": np.__version__, "scipy": scipy.__version__}

    out["fid"] = float(fid_of_features(real, fake))
    out["fid_float32_moments"] = float(calculate_frechet_distance(
        real.mean(axis=0), np.cov(real, rowvar=False), fake.mean(axis=0), np.cov(fake, rowvar=False)))

    kid_subsets, kid_size, kid_seed = 10, 200, 1234
    k_mean, k_std, idx_real, idx_fake = kid(real.astype(np.float64), fake.astype(np.float64), kid_subsets, kid_size,
                                            kid_seed)
    k32_mean, k32_std, _, _ = kid(real, fake, kid_subsets, kid_size, kid_seed)
    save("kid-subsets-real.npy", idx_real)
    save("kid-subsets-fake.npy", idx_fake)
    out["kid"] = {"subsets": kid_subsets, "subsetSize": kid_size, "seed": kid_seed, "mean": k_mean, "std": k_std,
                  "mean_float32": k32_mean, "std_float32": k32_std}

    k = 3
    precision, recall = precision_recall(real.astype(np.float64), fake.astype(np.float64), k)
    p32, r32 = precision_recall(real, fake, k)
    assert (p32, r32) == (precision, recall), "float32 and float64 P&R differ on these sets"
    out["precisionRecall"] = {"k": k, "precision": precision, "recall": recall}

    # ProGAN's sliced_wasserstein needs equal sets: the first 300 real rows against the 300 fake ones.
    directions = random_directions(np.random.RandomState(99), d, 4, 32)
    save("swd-directions.npy", directions)
    out["swd"] = {"realRows": 300, "repeats": 4, "directionsPerRepeat": 32,
                  "value": sliced_wasserstein(real[:300], fake, directions),
                  "value_float32": sliced_wasserstein(real[:300], fake, directions, np.float32)}

    # Multi-scale SWD on images: ProGAN's 3-channel power-of-two case (levels 32, 16) and a
    # Fashion-MNIST-shaped one (1 x 28 x 28: levels 28, 14 with sparkgen's minimum resolution 14).
    img_rng = np.random.default_rng(7)
    rgb_real = smooth_images(img_rng, 6, 3, 32, 0)
    rgb_fake = smooth_images(img_rng, 6, 3, 32, 20)
    out["msswd32"] = multiscale_case("msswd32", rgb_real, rgb_fake, 16, 16, 2, 32, 5)
    gray_real = smooth_images(img_rng, 6, 1, 28, 0)
    gray_fake = np.clip(np.round(scipy.ndimage.gaussian_filter(
        smooth_images(img_rng, 6, 1, 28, 0).astype(np.float64), sigma=(0, 0, 1, 1))), 0, 255).astype(np.uint8)
    out["msswd28"] = multiscale_case("msswd28", gray_real, gray_fake, 14, 16, 2, 32, 6)

    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

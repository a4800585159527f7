package io.sparkgen.model.metrics;

import io.sparkgen.model.random.Rng;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Sliced Wasserstein distance as ProGAN computes it (Karras et al. 2018,
 * metrics/sliced_wasserstein.py): for each repeat, random unit directions; project both sets on
 * them, sort each projection, and average |a_(i) - b_(i)| (the 1-D Wasserstein-1 distance between
 * equal-sized samples); the mean over directions and repeats. Sets of different sizes are cut to
 * the smaller size with a seeded random choice.
 */
public final class SlicedWasserstein {

  /** Projections held at once (descriptors x directions), 128 MiB of doubles per set. */
  private static final long PROJECTIONS_AT_ONCE = 1L << 24;

  private SlicedWasserstein() {}

  public static double of(INDArray a, INDArray b, int repeats, int directionsPerRepeat, long seed) {
    if (a.rank() != 2 || b.rank() != 2 || a.size(1) != b.size(1)) {
      throw new IllegalArgumentException("descriptors must be [n, d] of one d, got " + Arrays.toString(a.shape())
          + " and " + Arrays.toString(b.shape()));
    }
    Rng rng = new Rng(seed);
    int n = (int) Math.min(a.size(0), b.size(0));
    if (n < 1 || repeats < 1 || directionsPerRepeat < 1) {
      throw new IllegalArgumentException("sliced Wasserstein needs non-empty sets and at least one direction, got sets of "
          + a.size(0) + " and " + b.size(0) + ", " + repeats + " x " + directionsPerRepeat + " directions");
    }
    INDArray x = subset(a.castTo(DataType.DOUBLE), n, rng);
    INDArray y = subset(b.castTo(DataType.DOUBLE), n, rng);
    int d = (int) a.size(1);
    INDArray[] directions = new INDArray[repeats];
    for (int r = 0; r < repeats; r++) {
      directions[r] = unitDirections(rng, d, directionsPerRepeat);
    }
    return of(x, y, directions);
  }

  /** d x k standard normal draws, each column scaled to unit length. */
  static INDArray unitDirections(Rng rng, int d, int k) {
    INDArray dirs = rng.gaussian(DataType.DOUBLE, d, k);
    return dirs.diviRowVector(dirs.norm2(0).reshape(1, k));
  }

  /**
   * With the directions given ([d, k] per repeat, used as they are): ProGAN's sliced_wasserstein on
   * two sets of equal size, the mean over repeats of the mean over directions and sorted pairs of
   * |a_(i) - b_(i)|. Projections are computed a few directions at a time, so that a million
   * descriptors need not hold all k projections at once.
   */
  static double of(INDArray a, INDArray b, INDArray[] directions) {
    if (a.rank() != 2 || !Arrays.equals(a.shape(), b.shape())) {
      throw new IllegalArgumentException("descriptor sets must be [n, d] of one shape, got " + Arrays.toString(a.shape())
          + " and " + Arrays.toString(b.shape()));
    }
    // Transposed once, so that each chunk's projections come out as rows [directions, n] to sort in place.
    INDArray xt = a.castTo(DataType.DOUBLE).transpose().dup('c');
    INDArray yt = b.castTo(DataType.DOUBLE).transpose().dup('c');
    int n = (int) a.size(0);
    int chunk = (int) Math.max(1, Math.min(Integer.MAX_VALUE, PROJECTIONS_AT_ONCE / Math.max(1, n)));
    double total = 0;
    for (INDArray dirs : directions) {
      if (dirs.rank() != 2 || dirs.size(0) != a.size(1)) {
        throw new IllegalArgumentException("directions must be [" + a.size(1) + ", k], got "
            + Arrays.toString(dirs.shape()));
      }
      int k = (int) dirs.size(1);
      INDArray d = dirs.castTo(DataType.DOUBLE);
      double repeat = 0;
      for (int from = 0; from < k; from += chunk) {
        int to = Math.min(k, from + chunk);
        INDArray some = d.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).transpose().dup('c');
        double[] px = some.mmul(xt).dup('c').data().asDouble();
        double[] py = some.mmul(yt).dup('c').data().asDouble();
        // Directions are independent: sorted on all cores, summed in order (the same value whatever the core count).
        double[] perDirection = new double[to - from];
        IntStream.range(0, to - from).parallel().forEach(j -> {
          Arrays.sort(px, j * n, (j + 1) * n);
          Arrays.sort(py, j * n, (j + 1) * n);
          double sum = 0;
          for (int i = j * n; i < (j + 1) * n; i++) {
            sum += Math.abs(px[i] - py[i]);
          }
          perDirection[j] = sum / n;
        });
        for (double v : perDirection) {
          repeat += v;
        }
      }
      total += repeat / k;
    }
    return total / directions.length;
  }

  private static INDArray subset(INDArray x, int n, Rng rng) {
    if (x.size(0) == n) {
      return x;
    }
    return x.getRows(Subsets.draw(rng, (int) x.size(0), n));
  }
}

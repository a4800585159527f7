package io.sparkgen.model.metrics;

import io.sparkgen.model.random.Rng;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sliced Wasserstein distance as ProGAN computes it (Karras et al. 2018,
 * metrics/sliced_wasserstein.py): for each repeat, random unit directions; project both sets on
 * them, sort each projection, and average |a_(i) - b_(i)| (the 1-D Wasserstein-1 distance between
 * equal-sized samples); the mean over directions and repeats. Sets of different sizes are cut to
 * the smaller size with a seeded random choice.
 */
public final class SlicedWasserstein {

  private SlicedWasserstein() {}

  public static double of(INDArray a, INDArray b, int repeats, int directionsPerRepeat, long seed) {
    if (a.rank() != 2 || b.rank() != 2 || a.size(1) != b.size(1)) {
      throw new IllegalArgumentException("descriptors must be [n, d] of one d, got " + Arrays.toString(a.shape())
          + " and " + Arrays.toString(b.shape()));
    }
    Rng rng = new Rng(seed);
    int n = (int) Math.min(a.size(0), b.size(0));
    if (n < 1) {
      throw new IllegalArgumentException("sliced Wasserstein needs non-empty sets");
    }
    INDArray x = subset(a.castTo(DataType.DOUBLE), n, rng);
    INDArray y = subset(b.castTo(DataType.DOUBLE), n, rng);
    int d = (int) a.size(1);
    double total = 0;
    for (int r = 0; r < repeats; r++) {
      INDArray dirs = rng.gaussian(DataType.DOUBLE, d, directionsPerRepeat);
      dirs.diviRowVector(dirs.norm2(0).reshape(1, directionsPerRepeat));
      double[][] px = x.mmul(dirs).transpose().toDoubleMatrix();
      double[][] py = y.mmul(dirs).transpose().toDoubleMatrix();
      double repeat = 0;
      for (int j = 0; j < directionsPerRepeat; j++) {
        Arrays.sort(px[j]);
        Arrays.sort(py[j]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
          sum += Math.abs(px[j][i] - py[j][i]);
        }
        repeat += sum / n;
      }
      total += repeat / directionsPerRepeat;
    }
    return total / repeats;
  }

  private static INDArray subset(INDArray x, int n, Rng rng) {
    if (x.size(0) == n) {
      return x;
    }
    return x.getRows(Subsets.draw(rng, (int) x.size(0), n));
  }
}

package io.sparkgen.model.metrics;

import io.sparkgen.model.random.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * KID (Bińkowski et al. 2018): the unbiased estimate of MMD^2 between real and generated features
 * with the polynomial kernel k(x, y) = (x^T y / d + 1)^3, averaged over random subsets as
 * torch-fidelity does (100 subsets of 1000 by default, capped at the smaller set), mean and
 * standard deviation over the subsets.
 */
public final class KernelInceptionDistance {

  private KernelInceptionDistance() {}

  public record Result(double mean, double std, int subsets, int subsetSize) {}

  /** Subsets drawn without replacement from {@code seed}; the same seed gives the same subsets. */
  public static Result of(INDArray real, INDArray fake, int subsets, int subsetSize, long seed) {
    if (real.rank() != 2 || fake.rank() != 2 || real.size(1) != fake.size(1)) {
      throw new IllegalArgumentException("features must be [n, d] of one d, got " + java.util.Arrays.toString(real.shape())
          + " and " + java.util.Arrays.toString(fake.shape()));
    }
    int m = (int) Math.min(subsetSize, Math.min(real.size(0), fake.size(0)));
    if (m < 2 || subsets < 1) {
      throw new IllegalArgumentException("KID needs at least 2 features per set and 1 subset, got sets of "
          + real.size(0) + " and " + fake.size(0) + ", " + subsets + " subsets");
    }
    Rng rng = new Rng(seed);
    int[][] realSubsets = new int[subsets][];
    int[][] fakeSubsets = new int[subsets][];
    for (int s = 0; s < subsets; s++) {
      realSubsets[s] = Subsets.draw(rng, (int) real.size(0), m);
      fakeSubsets[s] = Subsets.draw(rng, (int) fake.size(0), m);
    }
    return of(real, fake, realSubsets, fakeSubsets);
  }

  /**
   * Over the given subsets (row indices of equal size, one real and one fake per subset): the entry
   * the reference test feeds torch-fidelity's own draws through.
   */
  static Result of(INDArray real, INDArray fake, int[][] realSubsets, int[][] fakeSubsets) {
    int subsets = realSubsets.length;
    int m = realSubsets[0].length;
    if (fakeSubsets.length != subsets) {
      throw new IllegalArgumentException(subsets + " real subsets but " + fakeSubsets.length + " fake ones");
    }
    INDArray x = real.castTo(DataType.DOUBLE);
    INDArray y = fake.castTo(DataType.DOUBLE);
    double[] values = new double[subsets];
    for (int s = 0; s < subsets; s++) {
      if (realSubsets[s].length != m || fakeSubsets[s].length != m) {
        throw new IllegalArgumentException("subset " + s + " holds " + realSubsets[s].length + " real and "
            + fakeSubsets[s].length + " fake rows; every subset must hold " + m);
      }
      values[s] = mmd2Unbiased(x.getRows(realSubsets[s]), y.getRows(fakeSubsets[s]));
    }
    double mean = 0;
    for (double v : values) {
      mean += v / subsets;
    }
    double var = 0;
    for (double v : values) {
      var += (v - mean) * (v - mean) / subsets;
    }
    return new Result(mean, Math.sqrt(var), subsets, m);
  }

  /** MMD^2_u of two equal-sized sets: off-diagonal means of k(x, x') and k(y, y') minus twice the mean of k(x, y). */
  static double mmd2Unbiased(INDArray x, INDArray y) {
    int m = (int) x.size(0);
    double d = x.size(1);
    INDArray kxx = kernel(x, x, d);
    INDArray kyy = kernel(y, y, d);
    INDArray kxy = kernel(x, y, d);
    double sumXx = kxx.sumNumber().doubleValue() - trace(kxx);
    double sumYy = kyy.sumNumber().doubleValue() - trace(kyy);
    return (sumXx + sumYy) / ((double) m * (m - 1)) - 2 * kxy.sumNumber().doubleValue() / ((double) m * m);
  }

  private static double trace(INDArray k) {
    double t = 0;
    for (int i = 0; i < k.size(0); i++) {
      t += k.getDouble(i, i);
    }
    return t;
  }

  private static INDArray kernel(INDArray a, INDArray b, double d) {
    INDArray k = a.mmul(b.transpose()).divi(d).addi(1.0);
    return k.mul(k).muli(k);
  }
}

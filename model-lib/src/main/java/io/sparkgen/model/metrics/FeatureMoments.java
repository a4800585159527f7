package io.sparkgen.model.metrics;

import java.io.Serializable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mean and covariance of feature vectors as a mergeable float64 statistic (Spark's zero, add,
 * merge, finish): count, mean and the centred co-moment matrix C = sum (x - mean)(x - mean)^T,
 * merged pairwise with Chan, Golub &amp; LeVeque's update (1979), so that any split of the rows
 * gives the same moments up to rounding, without the cancellation of raw sums.
 */
public final class FeatureMoments implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int dimension;
  private long count;
  private final double[] mean;
  private final double[] comoment; // d x d, row-major

  public FeatureMoments(int dimension) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("feature dimension must be > 0, got " + dimension);
    }
    this.dimension = dimension;
    this.mean = new double[dimension];
    this.comoment = new double[dimension * dimension];
  }

  /** Moments as saved: count, mean [d] and the co-moment matrix [d * d] row-major (see {@link #comoment()}). */
  public static FeatureMoments restore(long count, double[] mean, double[] comoment) {
    FeatureMoments m = new FeatureMoments(mean.length);
    if (comoment.length != mean.length * mean.length || count < 0) {
      throw new IllegalArgumentException("moments of dimension " + mean.length + " need " + mean.length * mean.length
          + " co-moment values and count >= 0, got " + comoment.length + " and " + count);
    }
    m.count = count;
    System.arraycopy(mean, 0, m.mean, 0, mean.length);
    System.arraycopy(comoment, 0, m.comoment, 0, comoment.length);
    return m;
  }

  /** The centred co-moment matrix sum (x - mean)(x - mean)^T, d x d row-major. */
  public double[] comoment() {
    return comoment.clone();
  }

  /** Moments of the rows of {@code features} [n, d]. */
  public static FeatureMoments of(INDArray features) {
    return new FeatureMoments((int) features.size(1)).add(features);
  }

  public int dimension() {
    return dimension;
  }

  public long count() {
    return count;
  }

  /** Adds the rows of {@code features} [n, d]; a non-finite value is an error naming its row. */
  public FeatureMoments add(INDArray features) {
    if (features.rank() != 2 || features.size(1) != dimension) {
      throw new IllegalArgumentException("features must be [n, " + dimension + "], got "
          + java.util.Arrays.toString(features.shape()));
    }
    long n = features.size(0);
    if (n == 0) {
      return this;
    }
    INDArray x = features.castTo(DataType.DOUBLE).dup('c');
    double[] values = x.data().asDouble();
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("feature row " + (count + i / dimension) + " (of this batch's rows from "
            + count + ") holds " + values[i] + " at index " + (i % dimension));
      }
    }
    INDArray batchMean = x.mean(0);
    INDArray centred = x.subRowVector(batchMean);
    INDArray batchComoment = centred.transpose().mmul(centred);
    return merge(n, batchMean.data().asDouble(), batchComoment.dup('c').data().asDouble());
  }

  /** Merges {@code other} into this (the order of merges does not matter beyond rounding). */
  public FeatureMoments merge(FeatureMoments other) {
    if (other.dimension != dimension) {
      throw new IllegalArgumentException("cannot merge moments of dimension " + other.dimension + " into " + dimension);
    }
    return merge(other.count, other.mean, other.comoment);
  }

  private FeatureMoments merge(long nb, double[] meanB, double[] comomentB) {
    if (nb == 0) {
      return this;
    }
    long na = count;
    long n = na + nb;
    double[] delta = new double[dimension];
    for (int i = 0; i < dimension; i++) {
      delta[i] = meanB[i] - mean[i];
    }
    double w = (double) na * nb / n;
    for (int i = 0; i < dimension; i++) {
      int row = i * dimension;
      double di = delta[i] * w;
      for (int j = 0; j < dimension; j++) {
        comoment[row + j] += comomentB[row + j] + di * delta[j];
      }
    }
    for (int i = 0; i < dimension; i++) {
      mean[i] += delta[i] * nb / n;
    }
    count = n;
    return this;
  }

  public double[] mean() {
    return mean.clone();
  }

  /** The unbiased covariance (divided by n - 1, as numpy.cov), d x d row-major. */
  public double[] covariance() {
    if (count < 2) {
      throw new IllegalStateException("a covariance needs at least 2 feature rows, got " + count);
    }
    double[] cov = comoment.clone();
    for (int i = 0; i < cov.length; i++) {
      cov[i] /= count - 1;
    }
    return cov;
  }
}

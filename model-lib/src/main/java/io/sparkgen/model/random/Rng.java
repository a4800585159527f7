package io.sparkgen.model.random;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SplitMix64 generator (Steele et al. 2014) whose whole state is one long, seeded from {@link
 * Seeds}. All randomness of training and sampling comes from here, in Java, so that it is defined
 * by this file alone and not by a native library's generator or thread count.
 */
public final class Rng {

  private long state;

  public Rng(long seed) {
    this.state = seed;
  }

  public long nextLong() {
    state += Seeds.GAMMA;
    return Seeds.mix(state);
  }

  /** Uniform on [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** A Fisher-Yates (Durstenfeld) shuffle of 0..n-1. */
  public int[] permutation(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int k = nextInt(i + 1);
      int t = a[i];
      a[i] = a[k];
      a[k] = t;
    }
    return a;
  }

  /** Uniform on [0, bound). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    return (int) Math.floorMod(nextLong(), (long) bound);
  }

  /** One standard normal draw by Box-Muller (uses two uniforms, keeps no spare). */
  public double nextGaussian() {
    double u1 = 1.0 - nextDouble(); // (0, 1]: log is finite
    double u2 = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  /** Fills {@code out} with standard normal draws, two per Box-Muller pair. */
  public void fillGaussian(double[] out) {
    for (int i = 0; i < out.length; i += 2) {
      double u1 = 1.0 - nextDouble();
      double u2 = nextDouble();
      double r = Math.sqrt(-2.0 * Math.log(u1));
      out[i] = r * Math.cos(2.0 * Math.PI * u2);
      if (i + 1 < out.length) {
        out[i + 1] = r * Math.sin(2.0 * Math.PI * u2);
      }
    }
  }

  /** A standard normal array of the given type and shape (C order). */
  public INDArray gaussian(DataType type, long... shape) {
    double[] values = new double[Math.toIntExact(product(shape))];
    fillGaussian(values);
    return Nd4j.createFromArray(values).castTo(type).reshape(shape);
  }

  /** Uniform on [low, high) of the given type and shape. */
  public INDArray uniform(DataType type, double low, double high, long... shape) {
    double[] values = new double[Math.toIntExact(product(shape))];
    for (int i = 0; i < values.length; i++) {
      values[i] = low + (high - low) * nextDouble();
    }
    return Nd4j.createFromArray(values).castTo(type).reshape(shape);
  }

  /** Inverted-dropout mask: each entry is {@code 1/keep} with probability {@code keep}, else 0. */
  public INDArray dropoutMask(DataType type, double keep, long... shape) {
    if (!(keep > 0 && keep <= 1)) {
      throw new IllegalArgumentException("keep must be in (0, 1], got " + keep);
    }
    float[] values = new float[Math.toIntExact(product(shape))];
    float scale = (float) (1.0 / keep);
    for (int i = 0; i < values.length; i++) {
      values[i] = nextDouble() < keep ? scale : 0f;
    }
    return Nd4j.createFromArray(values).castTo(type).reshape(shape);
  }

  private static long product(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }
}

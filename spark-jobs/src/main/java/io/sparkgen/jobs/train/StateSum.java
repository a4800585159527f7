package io.sparkgen.jobs.train;

import java.io.Serializable;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Mergeable sum of the workers' states after a round, in float64 (zero, add, merge, then
 * {@link #mean}), with their step metrics and timings. Summing in float64 makes the mean independent
 * of the order partitions are merged in, up to float32 rounding of the result.
 */
public final class StateSum implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TreeMap<String, double[]> sums = new TreeMap<>();
  private final TreeMap<String, Double> metricSums = new TreeMap<>();
  private long workers;
  private long steps;
  private long images;
  private double computeSeconds;

  /** One worker's contribution. */
  public static StateSum of(Map<String, float[]> state, Map<String, Double> metricSums, long steps, long images,
      double computeSeconds) {
    StateSum sum = new StateSum();
    state.forEach((name, values) -> {
      double[] d = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        d[i] = values[i];
      }
      sum.sums.put(name, d);
    });
    sum.metricSums.putAll(metricSums);
    sum.workers = 1;
    sum.steps = steps;
    sum.images = images;
    sum.computeSeconds = computeSeconds;
    return sum;
  }

  public StateSum merge(StateSum other) {
    if (other.workers == 0) {
      return this;
    }
    if (workers == 0) {
      return other;
    }
    if (!sums.keySet().equals(other.sums.keySet())) {
      throw new IllegalStateException("workers returned different arrays: " + sums.keySet() + " vs " + other.sums.keySet());
    }
    other.sums.forEach((name, values) -> {
      double[] mine = sums.get(name);
      if (mine.length != values.length) {
        throw new IllegalStateException("array " + name + " has " + mine.length + " values on one worker, "
            + values.length + " on another");
      }
      for (int i = 0; i < mine.length; i++) {
        mine[i] += values[i];
      }
    });
    other.metricSums.forEach((k, v) -> metricSums.merge(k, v, Double::sum));
    workers += other.workers;
    steps += other.steps;
    images += other.images;
    computeSeconds += other.computeSeconds;
    return this;
  }

  /** The workers' mean state, as the next round starts from it. */
  public AveragedState mean(long step) {
    if (workers == 0) {
      throw new IllegalStateException("no worker reported: the training data has no partitions");
    }
    SortedMap<String, float[]> mean = new TreeMap<>();
    sums.forEach((name, values) -> {
      float[] m = new float[values.length];
      for (int i = 0; i < m.length; i++) {
        m[i] = (float) (values[i] / workers);
      }
      mean.put(name, m);
    });
    return new AveragedState(mean, step);
  }

  /** Mean of each step metric over all steps of all workers. */
  public SortedMap<String, Double> meanMetrics() {
    SortedMap<String, Double> mean = new TreeMap<>();
    metricSums.forEach((k, v) -> mean.put(k, v / Math.max(1, steps)));
    return mean;
  }

  public long workers() {
    return workers;
  }

  public long images() {
    return images;
  }

  public double computeSeconds() {
    return computeSeconds;
  }
}

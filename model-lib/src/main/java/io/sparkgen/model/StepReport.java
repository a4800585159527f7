package io.sparkgen.model;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Scalar metrics of one training step, by name (names carry units, e.g. {@code elbo_nats}). */
public record StepReport(SortedMap<String, Double> metrics) {

  public StepReport {
    metrics = Collections.unmodifiableSortedMap(new TreeMap<>(metrics));
  }

  public static StepReport of(Map<String, Double> metrics) {
    return new StepReport(new TreeMap<>(metrics));
  }

  public double get(String name) {
    Double v = metrics.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no metric '" + name + "'; have " + metrics.keySet());
    }
    return v;
  }

  /** True when every metric is a finite number. */
  public boolean allFinite() {
    return metrics.values().stream().allMatch(Double::isFinite);
  }
}

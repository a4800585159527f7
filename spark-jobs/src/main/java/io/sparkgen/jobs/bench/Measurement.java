package io.sparkgen.jobs.bench;

/**
 * One value of one run: {@code metric} names what (e.g. {@code n=1024}), {@code detail} says how it
 * was obtained (workload, iterations, checks) so that a reader can reproduce it.
 */
public record Measurement(String metric, double value, String unit, String detail) {

  public Measurement {
    if (metric == null || metric.isBlank()) {
      throw new IllegalArgumentException("a measurement needs a metric name");
    }
    if (!Double.isFinite(value)) {
      throw new IllegalStateException("measurement '" + metric + "' is " + value + " " + unit
          + ": not a finite number (" + detail + ")");
    }
    if (unit == null || unit.isBlank()) {
      throw new IllegalArgumentException("measurement '" + metric + "' needs a unit");
    }
    detail = detail == null ? "" : detail;
  }
}

package io.sparkgen.jobs.bench;

import java.util.List;

/**
 * One metric of one benchmark over its repeats: mean, sample standard deviation (NaN for a single
 * repeat), min and max. The detail is the last repeat's.
 */
public record Summary(String benchmark, String metric, String unit, int n, double mean, double sd, double min,
    double max, String detail) {

  /** Summarises the repeats of one metric; all must share the unit. */
  public static Summary of(String benchmark, List<Measurement> repeats) {
    if (repeats.isEmpty()) {
      throw new IllegalArgumentException("no measurements to summarise for " + benchmark);
    }
    Measurement first = repeats.get(0);
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (Measurement m : repeats) {
      if (!m.unit().equals(first.unit())) {
        throw new IllegalStateException(benchmark + " reported '" + m.metric() + "' in " + first.unit()
            + " and in " + m.unit());
      }
      sum += m.value();
      min = Math.min(min, m.value());
      max = Math.max(max, m.value());
    }
    int n = repeats.size();
    double mean = sum / n;
    double squares = 0;
    for (Measurement m : repeats) {
      squares += (m.value() - mean) * (m.value() - mean);
    }
    double sd = n > 1 ? Math.sqrt(squares / (n - 1)) : Double.NaN;
    return new Summary(benchmark, first.metric(), first.unit(), n, mean, sd, min, max,
        repeats.get(n - 1).detail());
  }

  /** Standard deviation relative to the mean, in percent; NaN when undefined. */
  public double relativeSdPercent() {
    return mean == 0 ? Double.NaN : 100 * sd / Math.abs(mean);
  }
}

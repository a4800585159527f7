package io.sparkgen.jobs.report;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Axis ranges and tick positions: "nice numbers" (1, 2, 5 x 10^k; Heckbert, Graphics Gems I, 1990)
 * for linear axes, powers of ten (with 2 and 5 inside a short range) for log axes.
 *
 * @param min lower end of the axis (a tick)
 * @param max upper end of the axis (a tick)
 * @param ticks tick values from min to max
 * @param log whether the axis is logarithmic
 */
public record Ticks(double min, double max, List<Double> ticks, boolean log) {

  /** A linear axis covering [lo, hi] with about {@code target} ticks, ends rounded out to ticks. */
  public static Ticks linear(double lo, double hi, int target) {
    checkRange(lo, hi);
    if (lo == hi) {
      double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
    double step = niceNumber(niceNumber(hi - lo, false) / Math.max(1, target - 1), true);
    double min = Math.floor(lo / step) * step;
    double max = Math.ceil(hi / step) * step;
    List<Double> ticks = new ArrayList<>();
    long n = Math.round((max - min) / step);
    for (long i = 0; i <= n; i++) {
      ticks.add(clean(min + i * step, step));
    }
    return new Ticks(ticks.get(0), ticks.get(ticks.size() - 1), List.copyOf(ticks), false);
  }

  /** A log axis covering [lo, hi] (both > 0) from the decade below lo to the decade above hi. */
  public static Ticks log(double lo, double hi) {
    checkRange(lo, hi);
    if (lo <= 0) {
      throw new IllegalArgumentException("a log axis needs positive values, got " + lo);
    }
    int first = (int) Math.floor(Math.log10(lo) + 1e-12);
    int last = (int) Math.ceil(Math.log10(hi) - 1e-12);
    if (last == first) {
      last++;
    }
    List<Double> ticks = new ArrayList<>();
    boolean fine = last - first <= 2;
    for (int e = first; e <= last; e++) {
      double decade = Math.pow(10, e);
      ticks.add(clean(decade, decade));
      if (fine && e < last) {
        ticks.add(clean(2 * decade, decade));
        ticks.add(clean(5 * decade, decade));
      }
    }
    return new Ticks(ticks.get(0), ticks.get(ticks.size() - 1), List.copyOf(ticks), true);
  }

  /** Where a value lies on the axis, 0 at min and 1 at max. */
  public double fraction(double value) {
    if (log) {
      return (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
    }
    return (value - min) / (max - min);
  }

  /** A tick label: plain decimals with no trailing zeros, scientific for very large or small values. */
  public static String label(double value) {
    if (value == 0) {
      return "0";
    }
    double abs = Math.abs(value);
    if (abs >= 1e6 || abs < 1e-4) {
      String s = String.format(Locale.ROOT, "%.3g", value);
      int e = s.indexOf('e');
      String mantissa = new BigDecimal(s.substring(0, e)).stripTrailingZeros().toPlainString();
      return mantissa + "e" + Integer.parseInt(s.substring(e + 1).replace("+", ""));
    }
    return new BigDecimal(String.format(Locale.ROOT, "%.6g", value)).stripTrailingZeros().toPlainString();
  }

  /** 1, 2, 5 or 10 times a power of ten: the nearest (round) or the next at or above (ceiling). */
  static double niceNumber(double x, boolean round) {
    double exp = Math.floor(Math.log10(x));
    double f = x / Math.pow(10, exp);
    double nice;
    if (round) {
      nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    } else {
      nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    }
    return nice * Math.pow(10, exp);
  }

  /** Removes the float noise of i * step (0.30000000000000004 becomes 0.3). */
  private static double clean(double value, double step) {
    int digits = Math.max(0, 1 - (int) Math.floor(Math.log10(step))) + 1;
    return new BigDecimal(value).setScale(digits, java.math.RoundingMode.HALF_EVEN).doubleValue();
  }

  private static void checkRange(double lo, double hi) {
    if (!Double.isFinite(lo) || !Double.isFinite(hi) || lo > hi) {
      throw new IllegalArgumentException("axis range [" + lo + ", " + hi + "] must be finite with lo <= hi");
    }
  }
}

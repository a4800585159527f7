package io.sparkgen.jobs.spark;

/** Formats remaining seconds the way progress lines show them. */
public final class Eta {

  private Eta() {}

  public static String format(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
      return "unknown";
    }
    long s = Math.round(seconds);
    if (s < 60) {
      return "~" + s + " s";
    }
    if (s < 3600) {
      return String.format("~%d min %02d s", s / 60, s % 60);
    }
    return String.format("~%d h %02d min", s / 3600, (s % 3600) / 60);
  }
}

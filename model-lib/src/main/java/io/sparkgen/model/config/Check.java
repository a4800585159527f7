package io.sparkgen.model.config;

/** Fail-fast validation for config records: the message names the field and its value. */
public final class Check {

  private Check() {}

  public static void positive(String field, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(field + " must be > 0, got " + value);
    }
  }

  public static void positive(String field, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + value);
    }
  }

  public static void nonNegative(String field, double value) {
    if (!(value >= 0)) {
      throw new IllegalArgumentException(field + " must be >= 0, got " + value);
    }
  }

  /** low &lt;= value &lt; high. */
  public static void inRange(String field, double value, double low, double high) {
    if (!(value >= low && value < high)) {
      throw new IllegalArgumentException(field + " must be in [" + low + ", " + high + "), got " + value);
    }
  }

  public static <T> T notNull(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }
}

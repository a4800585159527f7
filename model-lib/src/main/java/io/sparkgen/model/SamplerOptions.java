package io.sparkgen.model;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Sampler settings by name, as a user gives them on the command line (e.g. {@code sampler=ddim},
 * {@code steps=50}, {@code temperature=0.7}). Each sampler states the keys it knows, so the jobs
 * pass them through without knowing the family, and a misspelt key is an error, not ignored.
 */
public record SamplerOptions(Map<String, String> values) {

  public static final SamplerOptions NONE = new SamplerOptions(Map.of());

  public SamplerOptions {
    values = Map.copyOf(new TreeMap<>(values));
  }

  public static SamplerOptions of(Map<String, String> values) {
    return values.isEmpty() ? NONE : new SamplerOptions(values);
  }

  /** Fails naming the first key that {@code sampler} does not know, and the keys it does. */
  public SamplerOptions requireKnown(String sampler, Set<String> known) {
    for (String key : new TreeSet<>(values.keySet())) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException(
            "unknown sampler option '" + key + "' for " + sampler + "; known: " + new TreeSet<>(known));
      }
    }
    return this;
  }

  public String string(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }

  public double number(String key, double fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("sampler option " + key + " must be a number, got '" + v + "'");
    }
  }

  public int integer(String key, int fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("sampler option " + key + " must be an integer, got '" + v + "'");
    }
  }
}

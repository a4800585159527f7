package io.sparkgen.model;

import io.sparkgen.model.config.Check;

/**
 * Which images to draw: indices [firstIndex, firstIndex + count) of the stream of {@code seed},
 * with one class label per image for a conditional model (null otherwise).
 */
public record SampleRequest(long seed, long firstIndex, int count, int[] labels) {

  public SampleRequest {
    Check.positive("count", count);
    if (firstIndex < 0) {
      throw new IllegalArgumentException("firstIndex must be >= 0, got " + firstIndex);
    }
    if (labels != null && labels.length != count) {
      throw new IllegalArgumentException(labels.length + " labels for count " + count);
    }
  }

  public static SampleRequest unconditional(long seed, long firstIndex, int count) {
    return new SampleRequest(seed, firstIndex, count, null);
  }
}

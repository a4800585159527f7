package io.sparkgen.model;

import io.sparkgen.model.config.Check;

/**
 * Which images to draw: indices [firstIndex, firstIndex + count) of the stream of {@code seed},
 * with one class label per image for a conditional model (null otherwise), and the sampler's
 * settings (which sampler, step count, temperature...; empty for the family's defaults).
 */
public record SampleRequest(long seed, long firstIndex, int count, int[] labels, SamplerOptions options) {

  public SampleRequest(long seed, long firstIndex, int count, int[] labels) {
    this(seed, firstIndex, count, labels, SamplerOptions.NONE);
  }

  public SampleRequest {
    java.util.Objects.requireNonNull(options, "options");
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

  public SampleRequest withOptions(SamplerOptions newOptions) {
    return new SampleRequest(seed, firstIndex, count, labels, newOptions);
  }
}

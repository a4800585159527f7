package io.sparkgen.jobs.eval;

import java.io.Serializable;

/**
 * Features of images {@code first .. first + n - 1}: row-major [n, d] floats, and class logits
 * [n, k] where the extractor has them (else null), with the images' labels (null when none).
 */
public record FeatureBlock(long first, int n, int dimension, float[] features, int classes, float[] logits, int[] labels)
    implements Serializable {

  public FeatureBlock {
    if (features.length != (long) n * dimension) {
      throw new IllegalArgumentException(features.length + " feature values for " + n + " x " + dimension);
    }
    if (logits != null && logits.length != (long) n * classes) {
      throw new IllegalArgumentException(logits.length + " logits for " + n + " x " + classes);
    }
  }
}

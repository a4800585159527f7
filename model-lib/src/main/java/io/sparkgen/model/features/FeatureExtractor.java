package io.sparkgen.model.features;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network that maps images to the features metrics compare (FID, KID, precision/recall,
 * sliced Wasserstein on features). Numbers are comparable only between equal {@link #hash()}es
 * and {@link #protocol()}s; both are recorded with every metric.
 */
public interface FeatureExtractor {

  /** Short name for reports, e.g. {@code domain} or {@code inception-v3}. */
  String id();

  /** SHA-256 of the weights and the architecture: the extractor's identity. */
  String hash();

  /** Feature dimension d. */
  int dimension();

  /** How images are prepared before the network (range, channels, resize), as one string. */
  String protocol();

  /** Whether {@link Output#logits()} is present (class logits, for the Inception Score). */
  boolean hasLogits();

  /** Features [N, d] (and logits [N, K] where {@link #hasLogits()}) of images [N, C, H, W] in [-1, 1]. */
  Output apply(INDArray images);

  /** Features and, where the network has them, class logits (else null). */
  record Output(INDArray features, INDArray logits) {}
}

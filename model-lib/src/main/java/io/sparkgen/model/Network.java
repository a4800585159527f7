package io.sparkgen.model;

import io.sparkgen.model.params.NamedArrays;

/** A family's network: the arrays it owns. Graphs built on them read them by reference. */
public interface Network {

  /** Trainable parameters, sorted by name; live arrays updated in place by the objective. */
  NamedArrays parameters();

  /** Non-trainable state (batch-norm running statistics), sorted by name; may be empty. */
  NamedArrays buffers();

  /**
   * Floating-point operations of one training step per image, counted analytically as 2 per
   * multiply-add of the dense and (transposed) convolution layers, forward plus both backward
   * products (3x forward); elementwise ops are not counted. NaN when the network does not say.
   */
  default double trainingFlopsPerImage() {
    return Double.NaN;
  }
}

package io.sparkgen.model;

import io.sparkgen.model.params.NamedArrays;

/**
 * Draws images from a trained network. A pure function of the given weights (the live parameters
 * or their EMA), the network's buffers and the request: image {@code firstIndex + i} is drawn from
 * {@code Seeds.forImage(seed, firstIndex + i)}, so it is the same however a job splits the work.
 */
public interface Sampler {

  /** Images [count, C, H, W] in [-1, 1]. */
  org.nd4j.linalg.api.ndarray.INDArray sample(NamedArrays weights, SampleRequest request);
}

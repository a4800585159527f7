package io.sparkgen.model;

import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;

/**
 * One training step of a family on one batch, optimizer update(s) included — for a GAN, both
 * players'. It owns the optimizer state, so that the state can be exported and averaged.
 */
public interface Objective {

  /**
   * Performs exactly one training step, drawing any noise it needs from {@code rng} only, and
   * returns its metrics (family-specific names, e.g. {@code loss}, {@code d_loss}).
   */
  StepReport step(Batch batch, Rng rng);

  /** The optimizer state(s), sorted by name; live. */
  NamedArrays optimizerState();
}

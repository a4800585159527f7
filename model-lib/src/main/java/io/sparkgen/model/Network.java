package io.sparkgen.model;

import io.sparkgen.model.params.NamedArrays;

/** A family's network: the arrays it owns. Graphs built on them read them by reference. */
public interface Network {

  /** Trainable parameters, sorted by name; live arrays updated in place by the objective. */
  NamedArrays parameters();

  /** Non-trainable state (batch-norm running statistics), sorted by name; may be empty. */
  NamedArrays buffers();
}

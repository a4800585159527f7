package io.sparkgen.model;

/** What every family's config record has: the image shape and the optional conditioning. */
public interface ModelConfig {

  ImageShape image();

  /** Number of classes for label conditioning; 0 for an unconditional model. */
  int numClasses();
}

package io.sparkgen.jobs.image;

/** Colour of stored images. */
public enum ChannelMode {
  /** Keep the source's channel count; a collection with mixed counts is bad input. */
  AUTO,
  /** One channel, ITU-R BT.601 luma as PIL computes it. */
  GRAYSCALE,
  /** Three channels; gray images are replicated. */
  RGB;

  /** The stored channel count, or 0 for AUTO. */
  public int channels() {
    return switch (this) {
      case AUTO -> 0;
      case GRAYSCALE -> 1;
      case RGB -> 3;
    };
  }
}

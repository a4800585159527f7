package io.sparkgen.jobs.image;

/** How a source image is brought to the configured size. */
public enum ResizeMode {
  /** No resizing: an image of another size is bad input. */
  NONE,
  /** Stretch to exactly height x width (aspect ratio not kept). */
  SCALE,
  /** Cut the centred height x width region; a smaller image is bad input. */
  CENTER_CROP,
  /** Scale so the image covers height x width, keeping the aspect ratio, then center-crop. */
  SCALE_CROP
}

package io.sparkgen.model;

import io.sparkgen.model.config.Check;

/** Channels, height and width of the images a model reads and writes (NCHW). */
public record ImageShape(int channels, int height, int width) {

  public ImageShape {
    Check.positive("channels", channels);
    Check.positive("height", height);
    Check.positive("width", width);
  }

  /** 28x28x1, Fashion-MNIST. */
  public static ImageShape fashionMnist() {
    return new ImageShape(1, 28, 28);
  }

  /** C * H * W: the D of bits per dimension. */
  public long dimensions() {
    return (long) channels * height * width;
  }

  /** [n, C, H, W]. */
  public long[] batchShape(long n) {
    return new long[] {n, channels, height, width};
  }
}

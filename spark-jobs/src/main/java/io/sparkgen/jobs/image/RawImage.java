package io.sparkgen.jobs.image;

import java.io.Serializable;

/** An 8-bit image, pixels in height x width x channels (HWC) order, as stored in shards. */
public record RawImage(int height, int width, int channels, byte[] pixels) implements Serializable {

  public RawImage {
    if (height <= 0 || width <= 0 || channels <= 0) {
      throw new IllegalArgumentException("image shape must be positive: " + height + "x" + width + "x" + channels);
    }
    if (pixels.length != height * width * channels) {
      throw new IllegalArgumentException(
          "pixel buffer holds " + pixels.length + " bytes, shape " + height + "x" + width + "x" + channels + " needs "
              + height * width * channels);
    }
  }

  /** Sample (y, x, c) as 0..255. */
  public int at(int y, int x, int c) {
    return pixels[(y * width + x) * channels + c] & 0xff;
  }

  public String shape() {
    return height + "x" + width + "x" + channels;
  }
}

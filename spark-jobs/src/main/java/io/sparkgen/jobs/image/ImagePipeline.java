package io.sparkgen.jobs.image;

import java.io.Serializable;

/**
 * Brings a decoded image to the stored geometry: colour conversion first, then resize or crop.
 * Pure and deterministic, so a recomputed Spark partition yields the same bytes.
 */
public record ImagePipeline(ChannelMode channelMode, int height, int width, ResizeMode resize) implements Serializable {

  public RawImage apply(RawImage image) throws BadImageException {
    RawImage colour = convertChannels(image, channelMode);
    if (height == 0) {
      return colour;
    }
    return switch (resize) {
      case NONE -> {
        if (colour.height() != height || colour.width() != width) {
          throw new BadImageException(
              "wrong size: " + colour.height() + "x" + colour.width() + ", expected " + height + "x" + width
                  + " (image.resize = none)");
        }
        yield colour;
      }
      case SCALE -> Resampler.resize(colour, height, width);
      case CENTER_CROP -> {
        if (colour.height() < height || colour.width() < width) {
          throw new BadImageException(
              "too small to crop: " + colour.height() + "x" + colour.width() + " < " + height + "x" + width);
        }
        yield Resampler.centerCrop(colour, height, width);
      }
      case SCALE_CROP -> {
        double scale = Math.max((double) height / colour.height(), (double) width / colour.width());
        int h = Math.max(height, (int) Math.round(colour.height() * scale));
        int w = Math.max(width, (int) Math.round(colour.width() * scale));
        yield Resampler.centerCrop(Resampler.resize(colour, h, w), height, width);
      }
    };
  }

  /** Gray to RGB by replication; RGB to gray by PIL's integer BT.601 luma (L = R 299/1000 + G 587/1000 + B 114/1000). */
  static RawImage convertChannels(RawImage image, ChannelMode mode) {
    int target = mode.channels();
    if (target == 0 || target == image.channels()) {
      return image;
    }
    int n = image.height() * image.width();
    byte[] in = image.pixels();
    byte[] out = new byte[n * target];
    if (target == 3) {
      for (int i = 0; i < n; i++) {
        out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = in[i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        int r = in[3 * i] & 0xff;
        int g = in[3 * i + 1] & 0xff;
        int b = in[3 * i + 2] & 0xff;
        out[i] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
      }
    }
    return new RawImage(image.height(), image.width(), target, out);
  }
}

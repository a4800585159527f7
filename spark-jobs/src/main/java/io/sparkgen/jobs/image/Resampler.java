package io.sparkgen.jobs.image;

/**
 * Antialiased bilinear resampling as Pillow's {@code Image.resize(..., BILINEAR)} does it: a
 * triangle filter whose support widens with the downscale factor, applied separably, so that a
 * downscaled image is not aliased. Pixel centres sit at (i + 0.5) / scale.
 */
public final class Resampler {

  private Resampler() {}

  public static RawImage resize(RawImage image, int height, int width) {
    if (image.height() == height && image.width() == width) {
      return image;
    }
    int c = image.channels();
    float[] source = new float[image.pixels().length];
    for (int i = 0; i < source.length; i++) {
      source[i] = image.pixels()[i] & 0xff;
    }
    // Horizontal pass: (H, W, C) -> (H, width, C); vertical pass: -> (height, width, C).
    float[] horizontal = pass(source, image.height(), image.width(), c, width, true);
    float[] vertical = pass(horizontal, image.height(), width, c, height, false);
    byte[] out = new byte[vertical.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Math.max(0, Math.min(255, Math.round(vertical[i])));
    }
    return new RawImage(height, width, c, out);
  }

  public static RawImage centerCrop(RawImage image, int height, int width) {
    int top = (image.height() - height) / 2;
    int left = (image.width() - width) / 2;
    int c = image.channels();
    byte[] out = new byte[height * width * c];
    for (int y = 0; y < height; y++) {
      System.arraycopy(image.pixels(), ((top + y) * image.width() + left) * c, out, y * width * c, width * c);
    }
    return new RawImage(height, width, c, out);
  }

  /** Resamples along x (horizontal) or y; {@code h}, {@code w} are the input's dimensions. */
  private static float[] pass(float[] in, int h, int w, int c, int outSize, boolean horizontal) {
    int inSize = horizontal ? w : h;
    double scale = (double) inSize / outSize;
    double support = Math.max(1.0, scale);
    float[] out = new float[horizontal ? h * outSize * c : outSize * w * c];
    for (int o = 0; o < outSize; o++) {
      double centre = (o + 0.5) * scale;
      int lo = Math.max(0, (int) Math.floor(centre - support));
      int hi = Math.min(inSize, (int) Math.ceil(centre + support));
      double[] weights = new double[hi - lo];
      double total = 0;
      for (int i = lo; i < hi; i++) {
        double t = Math.abs((i + 0.5 - centre) / support);
        weights[i - lo] = t < 1 ? 1 - t : 0;
        total += weights[i - lo];
      }
      for (int k = 0; k < weights.length; k++) {
        weights[k] /= total;
      }
      if (horizontal) {
        for (int y = 0; y < h; y++) {
          for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = lo; i < hi; i++) {
              sum += weights[i - lo] * in[(y * w + i) * c + ch];
            }
            out[(y * outSize + o) * c + ch] = (float) sum;
          }
        }
      } else {
        for (int x = 0; x < w; x++) {
          for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = lo; i < hi; i++) {
              sum += weights[i - lo] * in[(i * w + x) * c + ch];
            }
            out[(o * w + x) * c + ch] = (float) sum;
          }
        }
      }
    }
    return out;
  }
}

package io.sparkgen.jobs.bench;

import io.sparkgen.jobs.image.BadImageException;
import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.image.RawImage;
import io.sparkgen.jobs.image.Resampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The per-image work of the shard job in one thread: PNG decode and encode (ImageCodec, i.e. ImageIO)
 * of Fashion-MNIST-sized gray and CIFAR-sized RGB images, and the antialiased resize (Resampler) from
 * 256x256 to 64x64. Images are synthetic but smooth with noise, like photos rather than white noise,
 * and derived from the master seed, so every machine decodes the same bytes.
 */
public final class ImageCodecBenchmark implements Benchmark {

  /** Distinct images cycled through, so caches see a set rather than one image. */
  static final int IMAGES = 64;

  /** Keeps the JIT from dropping work whose result is unused. */
  private static volatile long sink;

  @Override
  public String name() {
    return "image-codec";
  }

  @Override
  public String description() {
    return "PNG decode/encode images/s (28x28 gray, 32x32 RGB) and antialiased resize 256x256 to 64x64, one thread";
  }

  @Override
  public List<Measurement> run(BenchContext context) throws BadImageException {
    List<Measurement> out = new ArrayList<>();
    codec(context, 28, 28, 1, "gray", out);
    codec(context, 32, 32, 3, "rgb", out);

    RawImage[] large = images(context.seed() + 3, 256, 256, 3);
    long[] checksum = {0};
    BenchContext.Timing t = context.time(i -> {
      RawImage small = Resampler.resize(large[i % IMAGES], 64, 64);
      checksum[0] += small.pixels()[i % small.pixels().length];
    });
    sink += checksum[0];
    out.add(new Measurement("resize 256x256 to 64x64 rgb", t.rate(), "images/s",
        String.format(Locale.ROOT, "Resampler (antialiased bilinear), %d images, %d resizes in %.2f s",
            IMAGES, t.iterations(), t.seconds())));
    return out;
  }

  private static void codec(BenchContext context, int h, int w, int channels, String colour, List<Measurement> out)
      throws BadImageException {
    RawImage[] raw = images(context.seed() + channels, h, w, channels);
    byte[][] png = new byte[IMAGES][];
    long bytes = 0;
    for (int k = 0; k < IMAGES; k++) {
      png[k] = ImageCodec.encodePng(raw[k]);
      bytes += png[k].length;
      RawImage back = ImageCodec.decode(png[k]);
      if (!Arrays.equals(back.pixels(), raw[k].pixels()) || !back.shape().equals(raw[k].shape())) {
        throw new IllegalStateException("PNG round trip of a " + raw[k].shape() + " image changed its pixels");
      }
    }
    String shape = h + "x" + w + " " + colour;
    long[] checksum = {0};
    BenchContext.Timing decode = context.time(i -> {
      try {
        checksum[0] += ImageCodec.decode(png[i % IMAGES]).pixels()[0];
      } catch (BadImageException e) {
        throw new IllegalStateException(e);
      }
    });
    BenchContext.Timing encode = context.time(i -> checksum[0] += ImageCodec.encodePng(raw[i % IMAGES]).length);
    sink += checksum[0];
    String what = String.format(Locale.ROOT, "%d images, mean PNG %d bytes, round trip checked", IMAGES, bytes / IMAGES);
    out.add(new Measurement("png decode " + shape, decode.rate(), "images/s",
        what + String.format(Locale.ROOT, ", %d decodes in %.2f s", decode.iterations(), decode.seconds())));
    out.add(new Measurement("png encode " + shape, encode.rate(), "images/s",
        what + String.format(Locale.ROOT, ", %d encodes in %.2f s", encode.iterations(), encode.seconds())));
  }

  /** Smooth random waves plus a little noise per pixel, clamped to 0..255. */
  static RawImage[] images(long seed, int h, int w, int channels) {
    SplittableRandom random = new SplittableRandom(seed);
    RawImage[] images = new RawImage[IMAGES];
    for (int k = 0; k < IMAGES; k++) {
      byte[] pixels = new byte[h * w * channels];
      for (int c = 0; c < channels; c++) {
        double fx = random.nextDouble(0.05, 0.5);
        double fy = random.nextDouble(0.05, 0.5);
        double phase = random.nextDouble(0, 2 * Math.PI);
        double amplitude = random.nextDouble(40, 120);
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            double v = 128 + amplitude * Math.sin(fx * x + phase) * Math.cos(fy * y) + random.nextInt(-6, 7);
            pixels[(y * w + x) * channels + c] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
          }
        }
      }
      images[k] = new RawImage(h, w, channels, pixels);
    }
    return images;
  }
}

package io.sparkgen.jobs.testing;

import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.image.RawImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/** Small image collections in every input format, with contents the tests can predict. */
public final class Fixtures {

  private Fixtures() {}

  /** Image {@code i}'s pixels: a deterministic pattern that differs between images. */
  public static byte[] pattern(int i, int length) {
    SplittableRandom random = new SplittableRandom(1000L + i);
    byte[] pixels = new byte[length];
    for (int k = 0; k < length; k++) {
      pixels[k] = (byte) random.nextInt(256);
    }
    return pixels;
  }

  /** Label of image i in every fixture. */
  public static int label(int i) {
    return (i * 7) % 10;
  }

  /** IDX images and labels files named {@code <prefix>-images-idx3-ubyte[.gz]} and {@code <prefix>-labels-idx1-ubyte[.gz]}. */
  public static void idx(Path dir, String prefix, int n, int rows, int cols, boolean gzip) {
    ByteArrayOutputStream images = new ByteArrayOutputStream();
    ByteArrayOutputStream labels = new ByteArrayOutputStream();
    try (DataOutputStream img = new DataOutputStream(images); DataOutputStream lab = new DataOutputStream(labels)) {
      img.writeInt(0x00000803);
      img.writeInt(n);
      img.writeInt(rows);
      img.writeInt(cols);
      lab.writeInt(0x00000801);
      lab.writeInt(n);
      for (int i = 0; i < n; i++) {
        img.write(pattern(i, rows * cols));
        lab.writeByte(label(i));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String suffix = gzip ? ".gz" : "";
    write(dir.resolve(prefix + "-images-idx3-ubyte" + suffix), images.toByteArray(), gzip);
    write(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix), labels.toByteArray(), gzip);
  }

  /** A CIFAR-10 binary batch of n records; image i's HWC pixels are {@code pattern(i, 3072)}. */
  public static void cifar(Path file, int n) {
    byte[] out = new byte[n * 3073];
    for (int i = 0; i < n; i++) {
      byte[] hwc = pattern(i, 3072);
      out[i * 3073] = (byte) label(i);
      for (int p = 0; p < 1024; p++) {
        for (int c = 0; c < 3; c++) {
          out[i * 3073 + 1 + c * 1024 + p] = hwc[3 * p + c];
        }
      }
    }
    write(file, out, false);
  }

  /** PNG files {@code <dir>/<class>/img-<i>.png}; image i is {@code pattern(i, h*w*c)}, class "c<label(i)>". */
  public static void pngFolder(Path dir, int n, int h, int w, int channels) {
    for (int i = 0; i < n; i++) {
      png(dir.resolve("c" + label(i)).resolve(String.format("img-%04d.png", i)), image(i, h, w, channels));
    }
  }

  public static RawImage image(int i, int h, int w, int channels) {
    return new RawImage(h, w, channels, pattern(i, h * w * channels));
  }

  /**
   * An {@code .npz} of FID Inception-v3 weights drawn from {@code seed} (not a trained network: the
   * real weights cannot be fetched in tests), as {@code sparkgen features --extractor-kind inception} reads.
   */
  public static Path inceptionWeights(Path file, long seed) {
    write(file, io.sparkgen.model.features.FidInceptionV3.randomWeightsNpz(seed), false);
    return file;
  }

  public static void png(Path file, RawImage image) {
    write(file, ImageCodec.encodePng(image), false);
  }

  public static void write(Path file, byte[] bytes, boolean gzip) {
    try {
      Files.createDirectories(file.getParent());
      try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
        out.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

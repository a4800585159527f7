package io.sparkgen.jobs.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * PNG/JPEG bytes to {@link RawImage} and back. Gray sources stay one channel (their samples are taken
 * as they are, without Java2D's linear-gray conversion); everything else becomes sRGB, alpha dropped.
 * Truncation is checked structurally because ImageIO decodes a cut JPEG without complaint.
 */
public final class ImageCodec {

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final byte[] PNG_IEND = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xae, 0x42, 0x60, (byte) 0x82};

  static {
    ImageIO.setUseCache(false);
  }

  private ImageCodec() {}

  public static RawImage decode(byte[] bytes) throws BadImageException {
    if (bytes.length == 0) {
      throw new BadImageException("empty file");
    }
    checkComplete(bytes);
    BufferedImage image;
    try {
      image = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      throw new BadImageException("corrupt image: " + e.getMessage(), e);
    }
    if (image == null) {
      throw new BadImageException("not a PNG or JPEG image (" + bytes.length + " bytes)");
    }
    return fromBufferedImage(image);
  }

  /** Encodes as PNG (lossless): 1 channel as 8-bit gray, 3 as 8-bit RGB. */
  public static byte[] encodePng(RawImage image) {
    BufferedImage out = toBufferedImage(image);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(out, "png", bytes)) {
        throw new IllegalStateException("no PNG writer in this JVM");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static BufferedImage toBufferedImage(RawImage image) {
    int h = image.height();
    int w = image.width();
    if (image.channels() == 1) {
      BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      out.getRaster().setDataElements(0, 0, w, h, image.pixels());
      return out;
    } else if (image.channels() == 3) {
      BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
      int[] samples = new int[h * w * 3];
      byte[] pixels = image.pixels();
      for (int i = 0; i < samples.length; i++) {
        samples[i] = pixels[i] & 0xff;
      }
      out.getRaster().setPixels(0, 0, w, h, samples);
      return out;
    }
    throw new IllegalArgumentException("can encode 1 or 3 channels, not " + image.channels());
  }

  static RawImage fromBufferedImage(BufferedImage image) {
    int h = image.getHeight();
    int w = image.getWidth();
    boolean gray =
        !(image.getColorModel() instanceof IndexColorModel)
            && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    if (gray) {
      Raster raster = image.getRaster();
      int bits = image.getColorModel().getComponentSize(0);
      int max = (1 << bits) - 1;
      byte[] pixels = new byte[h * w];
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          pixels[y * w + x] = (byte) (bits == 8 ? row[x] : (row[x] * 255 + max / 2) / max);
        }
      }
      return new RawImage(h, w, 1, pixels);
    }
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    byte[] pixels = new byte[h * w * 3];
    for (int i = 0; i < argb.length; i++) {
      pixels[3 * i] = (byte) (argb[i] >> 16);
      pixels[3 * i + 1] = (byte) (argb[i] >> 8);
      pixels[3 * i + 2] = (byte) argb[i];
    }
    return new RawImage(h, w, 3, pixels);
  }

  private static void checkComplete(byte[] bytes) throws BadImageException {
    if (startsWith(bytes, PNG_SIGNATURE)) {
      if (bytes.length < PNG_SIGNATURE.length + PNG_IEND.length || indexOf(bytes, PNG_IEND, bytes.length - 64) < 0) {
        throw new BadImageException("truncated PNG: no IEND chunk (" + bytes.length + " bytes)");
      }
    } else if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8) {
      // JPEG: the end-of-image marker FFD9 must be there (some writers pad after it).
      int from = Math.max(2, bytes.length - 1024);
      boolean eoi = false;
      for (int i = bytes.length - 2; i >= from && !eoi; i--) {
        eoi = (bytes[i] & 0xff) == 0xff && (bytes[i + 1] & 0xff) == 0xd9;
      }
      if (!eoi) {
        throw new BadImageException("truncated JPEG: no end-of-image marker (" + bytes.length + " bytes)");
      }
    }
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static int indexOf(byte[] bytes, byte[] needle, int from) {
    for (int i = Math.max(0, from); i <= bytes.length - needle.length; i++) {
      if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}

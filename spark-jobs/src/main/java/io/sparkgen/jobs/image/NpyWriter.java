package io.sparkgen.jobs.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes NumPy {@code .npy} (format 1.0) headers, so that arrays can be streamed to any output
 * without building them in memory: the header, then the C-order data. Readable by numpy.load.
 */
public final class NpyWriter {

  private NpyWriter() {}

  /** Writes the header of a C-order array of {@code descr} (e.g. {@code |u1}, {@code <i4}, {@code <f4}). */
  public static void header(OutputStream out, String descr, long... shape) throws IOException {
    String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + (shape.length == 1 ? "," : "")
        + "), }";
    int unpadded = 10 + dict.length() + 1; // magic, version, length, dict, newline
    int padding = (64 - unpadded % 64) % 64;
    String text = dict + " ".repeat(padding) + "\n";
    out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    int length = text.length();
    out.write(new byte[] {(byte) (length & 0xff), (byte) (length >>> 8)});
    out.write(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** Little-endian int32 values. */
  public static void int32(OutputStream out, int[] values) throws IOException {
    byte[] bytes = new byte[values.length * 4];
    for (int i = 0; i < values.length; i++) {
      int v = values[i];
      bytes[4 * i] = (byte) v;
      bytes[4 * i + 1] = (byte) (v >>> 8);
      bytes[4 * i + 2] = (byte) (v >>> 16);
      bytes[4 * i + 3] = (byte) (v >>> 24);
    }
    out.write(bytes);
  }
}

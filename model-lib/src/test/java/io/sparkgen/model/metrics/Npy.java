package io.sparkgen.model.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A C-order .npy test resource (little-endian f4, f8, i4, i8 or u1) as doubles with its shape. */
record Npy(long[] shape, double[] values) {

  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<|])([fiu])(\\d)'");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  static Npy read(String resource) {
    try (InputStream in = Npy.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource);
      }
      ByteBuffer buf = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
      buf.position(6);
      int major = buf.get();
      buf.get();
      int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
      byte[] header = new byte[headerLength];
      buf.get(header);
      String text = new String(header, StandardCharsets.ISO_8859_1);
      if (text.contains("'fortran_order': True")) {
        throw new IllegalArgumentException(resource + " is in Fortran order");
      }
      Matcher descr = DESCR.matcher(text);
      Matcher shapeText = SHAPE.matcher(text);
      if (!descr.find() || !shapeText.find()) {
        throw new IllegalArgumentException(resource + ": unreadable header " + text);
      }
      long[] shape = Arrays.stream(shapeText.group(1).split(",")).map(String::trim).filter(t -> !t.isEmpty())
          .mapToLong(Long::parseLong).toArray();
      int count = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      double[] values = new double[count];
      String type = descr.group(2) + descr.group(3);
      for (int i = 0; i < count; i++) {
        values[i] = switch (type) {
          case "f4" -> buf.getFloat();
          case "f8" -> buf.getDouble();
          case "i4" -> buf.getInt();
          case "i8" -> buf.getLong();
          case "u1" -> Byte.toUnsignedInt(buf.get());
          default -> throw new IllegalArgumentException(resource + ": unsupported dtype " + type);
        };
      }
      return new Npy(shape, values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  INDArray array(DataType type) {
    return Nd4j.create(values, shape, DataType.DOUBLE).castTo(type);
  }

  /** Rows of a 2-D integer array. */
  int[][] intRows() {
    int rows = (int) shape[0];
    int cols = (int) (values.length / rows);
    int[][] out = new int[rows][cols];
    for (int i = 0; i < values.length; i++) {
      out[i / cols][i % cols] = (int) values[i];
    }
    return out;
  }
}

package io.sparkgen.model.features;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * numpy's {@code .npz} (a zip of {@code <key>.npy}, as {@code np.savez} and {@code np.savez_compressed}
 * write it) for float32 arrays: the format weights converted from PyTorch arrive in. Reads
 * little-endian float32 ({@code <f4}) and float64 ({@code <f8}, narrowed), C order only; every error
 * names the file and the key.
 */
public final class Npz {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npz() {}

  /** A float32 array: its shape and its values in C order. */
  public record Array(long[] shape, float[] data) {
    public Array {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      if (n != data.length) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got " + data.length);
      }
    }
  }

  /**
   * The arrays of {@code keys} (all arrays where {@code keys} is null) in the archive; other entries
   * are skipped unread, so integer buffers such as BatchNorm's {@code num_batches_tracked} do no harm.
   */
  public static Map<String, Array> read(InputStream in, String file, Set<String> keys) {
    Map<String, Array> out = new LinkedHashMap<>();
    int arrays = 0;
    try (ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        String name = e.getName();
        if (!name.endsWith(".npy")) {
          continue;
        }
        arrays++;
        String key = name.substring(0, name.length() - 4);
        if (keys == null || keys.contains(key)) {
          out.put(key, parseNpy(zip.readAllBytes(), file, key));
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not a readable .npz archive (" + e.getMessage() + ")", e);
    }
    if (arrays == 0) {
      throw new IllegalArgumentException(file + ": no .npy arrays found; expected an .npz archive (np.savez)");
    }
    return out;
  }

  public static Map<String, Array> read(byte[] npz, String file, Set<String> keys) {
    return read(new ByteArrayInputStream(npz), file, keys);
  }

  /** One {@code .npy} file's float array; {@code file} and {@code key} name it in errors. */
  public static Array parseNpy(byte[] b, String file, String key) {
    String where = file + ": array " + key;
    if (b.length < 10 || !Arrays.equals(Arrays.copyOf(b, 6), MAGIC)) {
      throw new IllegalArgumentException(where + " is not in .npy format");
    }
    int major = b[6] & 0xff;
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength;
    int headerStart;
    if (major == 1) {
      headerLength = buf.getShort(8) & 0xffff;
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      headerLength = buf.getInt(8);
      headerStart = 12;
    } else {
      throw new IllegalArgumentException(where + " has unknown .npy version " + major);
    }
    if (headerStart + headerLength > b.length) {
      throw new IllegalArgumentException(where + " is truncated (header)");
    }
    String header = new String(b, headerStart, headerLength, StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, where, "descr");
    if ("True".equals(group(FORTRAN, header, where, "fortran_order"))) {
      throw new IllegalArgumentException(where + " is in Fortran order; save it C-contiguous (np.ascontiguousarray)");
    }
    long[] shape = Arrays.stream(group(SHAPE, header, where, "shape").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
    long count = 1;
    for (long s : shape) {
      count *= s;
    }
    int width = switch (descr) {
      case "<f4" -> 4;
      case "<f8" -> 8;
      default -> throw new IllegalArgumentException(where + " has dtype " + descr + "; expected little-endian float32 (<f4)");
    };
    int dataStart = headerStart + headerLength;
    if (b.length - dataStart < count * width) {
      throw new IllegalArgumentException(where + " is truncated: shape " + Arrays.toString(shape) + " needs "
          + count * width + " bytes, has " + (b.length - dataStart));
    }
    float[] data = new float[Math.toIntExact(count)];
    buf.position(dataStart);
    if (width == 4) {
      buf.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
    } else {
      var doubles = buf.slice().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) doubles.get(i);
      }
    }
    return new Array(shape, data);
  }

  private static String group(Pattern p, String header, String where, String field) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(where + ": .npy header has no " + field + ": " + header.trim());
    }
    return m.group(1);
  }

  /** The {@code .npy} bytes (version 1.0, {@code <f4}, C order) of one array. */
  public static byte[] toNpy(Array a) {
    String shape = String.join(", ", Arrays.stream(a.shape()).mapToObj(Long::toString).toList())
        + (a.shape().length == 1 ? "," : ""); // numpy writes (5,) for one dimension
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
    int unpadded = 10 + dict.length() + 1;
    String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    ByteBuffer buf = ByteBuffer.allocate(10 + header.length() + 4 * a.data().length).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    buf.put(header.getBytes(StandardCharsets.ISO_8859_1));
    buf.asFloatBuffer().put(a.data());
    return buf.array();
  }

  /** An uncompressed (stored) {@code .npz} of the arrays, in the map's order, as {@code np.savez} writes. */
  public static byte[] write(Map<String, Array> arrays) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, Array> e : arrays.entrySet()) {
        byte[] npy = toNpy(e.getValue());
        ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(npy.length);
        CRC32 crc = new CRC32();
        crc.update(npy);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(npy);
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}

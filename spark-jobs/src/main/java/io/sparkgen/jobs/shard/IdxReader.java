package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.fs.SerializableHadoopConf;
import io.sparkgen.jobs.image.BadImageException;
import io.sparkgen.jobs.image.ImagePipeline;
import io.sparkgen.jobs.image.RawImage;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * MNIST-style IDX files (LeCun et al.; Fashion-MNIST uses the same format), gzipped or not: an
 * images file (magic 0x00000803: unsigned bytes, 3 dimensions) paired with the labels file
 * (0x00000801) whose name has "labels-idx1" for "images-idx3". One task per images file. Image id:
 * {@code <images file name>#<index>}.
 */
final class IdxReader implements CollectionReader {
  private static final long serialVersionUID = 1L;

  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;
  private static final Pattern IMAGES = Pattern.compile("(.*)images([-.])idx3-ubyte(\\.gz)?");
  private static final Pattern LABELS = Pattern.compile("(.*)labels([-.])idx1-ubyte(\\.gz)?");

  @Override
  public boolean accepts(String name) {
    String file = name.substring(name.lastIndexOf('/') + 1);
    return IMAGES.matcher(file).matches() || LABELS.matcher(file).matches();
  }

  @Override
  public JavaRDD<Decoded> read(SparkSession spark, InputListing listing, ImagePipeline pipeline, Broadcast<SerializableHadoopConf> conf) {
    Map<String, SourceFile> byName = new TreeMap<>();
    listing.files().forEach(f -> byName.put(f.name(), f));
    List<String[]> pairs = new ArrayList<>();
    for (SourceFile file : listing.files()) {
      String base = file.name().substring(file.name().lastIndexOf('/') + 1);
      Matcher m = IMAGES.matcher(base);
      if (m.matches()) {
        String dir = file.name().substring(0, file.name().length() - base.length());
        SourceFile labels = findLabels(byName, dir + m.group(1) + "labels" + m.group(2) + "idx1-ubyte");
        pairs.add(new String[] {file.uri(), idOf(file.name()), labels == null ? null : labels.uri()});
      }
    }
    return JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(pairs, Math.max(1, pairs.size()))
        .flatMap(pair -> decode(pair[0], pair[1], pair[2], pipeline, conf.value().get()).iterator());
  }

  private static SourceFile findLabels(Map<String, SourceFile> byName, String stem) {
    SourceFile plain = byName.get(stem);
    return plain != null ? plain : byName.get(stem + ".gz");
  }

  /** The id prefix: the images file's name without .gz, so compressing the file keeps ids. */
  private static String idOf(String name) {
    return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
  }

  static List<Decoded> decode(String imagesUri, String idPrefix, String labelsUri, ImagePipeline pipeline, Configuration conf)
      throws IOException {
    List<Decoded> out = new ArrayList<>();
    byte[] labels = null;
    if (labelsUri != null) {
      try {
        labels = readLabels(labelsUri, conf);
      } catch (BadImageException e) {
        out.add(new Decoded.Bad(labelsUri, e.getMessage()));
        return out;
      }
    }
    try (DataInputStream in = new DataInputStream(FileIo.open(imagesUri, conf))) {
      int magic;
      int n;
      int rows;
      int cols;
      try {
        magic = in.readInt();
        if (magic != IMAGES_MAGIC) {
          out.add(new Decoded.Bad(imagesUri, String.format(
              "not an IDX images file: magic 0x%08x, expected 0x%08x (unsigned bytes, 3 dimensions)", magic, IMAGES_MAGIC)));
          return out;
        }
        n = in.readInt();
        rows = in.readInt();
        cols = in.readInt();
      } catch (EOFException e) {
        out.add(new Decoded.Bad(imagesUri, "truncated: the file ends inside the IDX header"));
        return out;
      }
      if (n < 0 || rows <= 0 || cols <= 0) {
        out.add(new Decoded.Bad(imagesUri, "corrupt IDX header: " + n + " images of " + rows + "x" + cols));
        return out;
      }
      if (labels != null && labels.length != n) {
        out.add(new Decoded.Bad(imagesUri, "label count mismatch: " + labelsUri + " has " + labels.length
            + " labels for " + n + " images"));
        return out;
      }
      for (int i = 0; i < n; i++) {
        byte[] pixels = new byte[rows * cols];
        int read = FileIo.readFully(in, pixels);
        if (read < pixels.length) {
          out.add(new Decoded.Bad(imagesUri + "#" + i,
              "truncated: the file ends inside image " + i + " of " + n + " (" + (n - i) + " images missing)"));
          break;
        }
        try {
          RawImage image = pipeline.apply(new RawImage(rows, cols, 1, pixels));
          out.add(new Decoded.Image(idPrefix + "#" + i, labels == null ? -1 : labels[i] & 0xff, image));
        } catch (BadImageException e) {
          out.add(new Decoded.Bad(imagesUri + "#" + i, e.getMessage()));
        }
      }
    } catch (java.util.zip.ZipException e) {
      out.add(new Decoded.Bad(imagesUri, "corrupt gzip: " + e.getMessage()));
    } catch (EOFException e) {
      out.add(new Decoded.Bad(imagesUri, "truncated gzip stream: " + e.getMessage()));
    }
    return out;
  }

  private static byte[] readLabels(String uri, Configuration conf) throws IOException, BadImageException {
    try (DataInputStream in = new DataInputStream(FileIo.open(uri, conf))) {
      int magic = in.readInt();
      if (magic != LABELS_MAGIC) {
        throw new BadImageException(String.format(
            "not an IDX labels file: magic 0x%08x, expected 0x%08x", magic, LABELS_MAGIC));
      }
      int n = in.readInt();
      if (n < 0) {
        throw new BadImageException("corrupt IDX labels header: count " + n);
      }
      byte[] labels = new byte[n];
      int read = FileIo.readFully(in, labels);
      if (read < n) {
        throw new BadImageException("truncated: the labels file holds " + read + " of " + n + " labels");
      }
      return labels;
    } catch (EOFException | java.util.zip.ZipException e) {
      throw new BadImageException("truncated or corrupt labels file: " + e.getMessage());
    }
  }
}

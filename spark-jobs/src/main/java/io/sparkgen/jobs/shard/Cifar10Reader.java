package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.fs.SerializableHadoopConf;
import io.sparkgen.jobs.image.BadImageException;
import io.sparkgen.jobs.image.ImagePipeline;
import io.sparkgen.jobs.image.RawImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * CIFAR-10 binary batches (Krizhevsky 2009): records of 1 label byte and 3072 pixel bytes, the
 * 32x32 red plane, then green, then blue. One task per batch file; image id
 * {@code <file name>#<index>}. Class names come from {@code batches.meta.txt} beside the batches.
 */
final class Cifar10Reader implements CollectionReader {
  private static final long serialVersionUID = 1L;

  static final int SIDE = 32;
  static final int RECORD = 1 + 3 * SIDE * SIDE;
  static final int CLASSES = 10;

  @Override
  public boolean accepts(String name) {
    return name.endsWith(".bin") || name.endsWith("batches.meta.txt");
  }

  @Override
  public List<String> classNames(InputListing listing, Configuration conf) throws IOException {
    for (SourceFile file : listing.files()) {
      if (file.name().endsWith("batches.meta.txt")) {
        String text = new String(FileIo.readAll(file.uri(), conf), StandardCharsets.UTF_8);
        return Arrays.stream(text.split("\\R")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      }
    }
    return List.of();
  }

  @Override
  public JavaRDD<Decoded> read(SparkSession spark, InputListing listing, ImagePipeline pipeline, Broadcast<SerializableHadoopConf> conf) {
    List<SourceFile> batches = listing.files().stream().filter(f -> f.name().endsWith(".bin")).toList();
    return JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(batches, Math.max(1, batches.size()))
        .flatMap(file -> decode(file, pipeline, conf.value().get()).iterator());
  }

  static List<Decoded> decode(SourceFile file, ImagePipeline pipeline, Configuration conf) throws IOException {
    List<Decoded> out = new ArrayList<>();
    if (file.bytes() == 0) {
      out.add(new Decoded.Bad(file.uri(), "empty file"));
      return out;
    }
    byte[] record = new byte[RECORD];
    try (InputStream in = FileIo.open(file.uri(), conf)) {
      for (int i = 0; ; i++) {
        int read = FileIo.readFully(in, record);
        if (read == 0) {
          break;
        }
        if (read < RECORD) {
          out.add(new Decoded.Bad(file.uri() + "#" + i,
              "truncated: the file ends inside record " + i + " (" + read + " of " + RECORD + " bytes)"));
          break;
        }
        int label = record[0] & 0xff;
        if (label >= CLASSES) {
          out.add(new Decoded.Bad(file.uri() + "#" + i, "label out of range: " + label + " (CIFAR-10 has 10 classes)"));
          continue;
        }
        byte[] hwc = new byte[3 * SIDE * SIDE];
        int plane = SIDE * SIDE;
        for (int p = 0; p < plane; p++) {
          hwc[3 * p] = record[1 + p];
          hwc[3 * p + 1] = record[1 + plane + p];
          hwc[3 * p + 2] = record[1 + 2 * plane + p];
        }
        try {
          out.add(new Decoded.Image(file.name() + "#" + i, label, pipeline.apply(new RawImage(SIDE, SIDE, 3, hwc))));
        } catch (BadImageException e) {
          out.add(new Decoded.Bad(file.uri() + "#" + i, e.getMessage()));
        }
      }
    }
    return out;
  }
}

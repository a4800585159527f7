package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.fs.SerializableHadoopConf;
import io.sparkgen.jobs.image.BadImageException;
import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.image.ImagePipeline;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * A folder tree of PNG/JPEG files. The class of an image is its first sub-folder under the input
 * path (sorted class names give the label indices, as torchvision's ImageFolder does); images
 * directly under the input path are unlabelled (-1). Image id: the path relative to the input path.
 */
final class ImageFolderReader implements CollectionReader {
  private static final long serialVersionUID = 1L;
  private static final int FILES_PER_TASK = 512;

  @Override
  public boolean accepts(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg");
  }

  @Override
  public List<String> classNames(InputListing listing, Configuration conf) {
    TreeSet<String> classes = new TreeSet<>();
    for (SourceFile file : listing.files()) {
      int slash = file.name().indexOf('/');
      if (slash > 0) {
        classes.add(file.name().substring(0, slash));
      }
    }
    return List.copyOf(classes);
  }

  @Override
  public JavaRDD<Decoded> read(SparkSession spark, InputListing listing, ImagePipeline pipeline, Broadcast<SerializableHadoopConf> conf) {
    List<String> classes = classNames(listing, null);
    Map<String, Integer> labelOf = new java.util.HashMap<>();
    for (int i = 0; i < classes.size(); i++) {
      labelOf.put(classes.get(i), i);
    }
    List<SourceFile> files = listing.files();
    int parallelism = spark.sparkContext().defaultParallelism();
    int slices = Math.max(1, Math.max(parallelism, (files.size() + FILES_PER_TASK - 1) / FILES_PER_TASK));
    return JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(files, slices)
        .mapPartitions(it -> {
          Configuration hadoop = conf.value().get();
          List<Decoded> out = new ArrayList<>();
          while (it.hasNext()) {
            SourceFile file = it.next();
            int slash = file.name().indexOf('/');
            int label = slash > 0 ? labelOf.get(file.name().substring(0, slash)) : -1;
            out.add(decode(file, label, pipeline, hadoop));
          }
          return out.iterator();
        });
  }

  static Decoded decode(SourceFile file, int label, ImagePipeline pipeline, Configuration conf) throws IOException {
    try {
      return new Decoded.Image(file.name(), label, pipeline.apply(ImageCodec.decode(FileIo.readAll(file.uri(), conf))));
    } catch (BadImageException e) {
      return new Decoded.Bad(file.uri(), e.getMessage());
    }
  }
}

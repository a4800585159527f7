package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.cli.ConfigOptions;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.fs.HadoopFiles;
import io.sparkgen.jobs.image.ImageBlock;
import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.image.RawImage;
import io.sparkgen.jobs.shard.DataVersion;
import io.sparkgen.jobs.shard.ShardManifest;
import io.sparkgen.jobs.spark.SparkSessions;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparkgen features}: features of images, computed on the executors, into one .npy. */
@Command(name = "features", mixinStandardHelpOptions = true,
    description = {"Write the features of images — a shard set's split, a uint8 .npy from sparkgen sample, or a "
        + "folder of PNG/JPEG files — to a float32 .npy [N, d] (for sparkgen fid or other tools), computed on the "
        + "executors with the given extractor.",
        "Options below override the config keys in brackets; see --dry-run for all keys."})
public final class FeaturesCommand implements Callable<Integer> {

  @Mixin ConfigOptions config;

  @Option(names = "--input", paramLabel = "PATH", description = "Shard set, .npy or image folder [features.input].")
  String input;

  @Option(names = "--extractor", paramLabel = "FILE", description = "Feature extractor file [features.extractor].")
  String extractor;

  @Option(names = {"-n", "--count"}, paramLabel = "N", description = "First N images; 0: all [features.count].")
  Long count;

  @Option(names = "--out", paramLabel = "NPY", description = "Output .npy [features.output].")
  String output;

  @Override
  public Integer call() throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    ConfigOptions.option(o, "--input", "features.input", input);
    ConfigOptions.option(o, "--extractor", "features.extractor", extractor);
    ConfigOptions.option(o, "--count", "features.count", count);
    ConfigOptions.option(o, "--out", "features.output", output);
    ResolvedConfig resolved = config.resolve(o);
    if (config.printIfDryRun(resolved)) {
      return 0;
    }
    FeaturesConfig c = resolved.config().features();
    if (c.input().isBlank() || c.output().isBlank()) {
      throw new IllegalArgumentException("features needs --input and --out (features.input, features.output)");
    }
    try (SparkSession spark = SparkSessions.create(resolved.config().spark(), "features")) {
      INDArray features = run(JavaSparkContext.fromSparkContext(spark.sparkContext()), c);
      System.out.printf("features: %d x %d written to %s%n", features.size(0), features.size(1), c.output());
    }
    return 0;
  }

  /** Computes and writes the features; returns them. */
  public static INDArray run(JavaSparkContext sc, FeaturesConfig c) throws IOException {
    Configuration hadoop = sc.hadoopConfiguration();
    Extractor extractor = Extractor.load(sc, c.extractorKind(), c.extractor());
    int partitions = c.partitions() > 0 ? c.partitions() : Math.max(2, sc.defaultParallelism());
    Path in = new Path(c.input());
    FileSystem fs = in.getFileSystem(hadoop);
    JavaRDD<ImageBlock> images;
    if (fs.exists(new Path(in, ShardManifest.FILE_NAME)) || fs.exists(new Path(in, DataVersion.VERSIONS))) {
      DataVersion data = DataVersion.open(c.input(), hadoop);
      boolean test = c.split().equals("test");
      long n = c.count() > 0 ? c.count() : data.count(test);
      images = RealImages.firstN(sc, data, test, n, c.batchSize(), partitions);
    } else if (c.input().endsWith(".npy")) {
      images = sc.parallelize(npyBlocks(fs, in, c.count(), c.batchSize()), partitions);
    } else {
      images = folderBlocks(sc, fs, in, c.count(), c.batchSize(), partitions);
    }
    List<FeatureBlock> blocks = extractor.features(images, c.batchSize()).collect();
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException(c.input() + " holds no images");
    }
    INDArray features = Extractor.matrix(blocks);
    Path out = new Path(c.output());
    FileSystem outFs = out.getFileSystem(hadoop);
    HadoopFiles.write(outFs, out, Nd4j.toNpyByteArray(features));
    INDArray logits = Extractor.logits(blocks);
    if (logits != null) {
      String name = out.getName().endsWith(".npy") ? out.getName().substring(0, out.getName().length() - 4) : out.getName();
      HadoopFiles.write(outFs, new Path(out.getParent(), name + "-logits.npy"), Nd4j.toNpyByteArray(logits));
    }
    return features;
  }

  /** A uint8 [N, H, W, C] .npy (C order) cut into blocks. */
  private static List<ImageBlock> npyBlocks(FileSystem fs, Path file, long count, int batchSize) throws IOException {
    INDArray array;
    try (InputStream in = fs.open(file)) {
      array = Nd4j.createNpyFromByteArray(in.readAllBytes());
    }
    long[] s = array.shape();
    if (s.length != 4 || s[3] > 4) {
      throw new IllegalArgumentException(file + " holds an array of shape " + Arrays.toString(s)
          + "; images must be uint8 [N, H, W, C] as sparkgen sample --format npy writes");
    }
    int n = (int) (count > 0 ? Math.min(count, s[0]) : s[0]);
    int h = (int) s[1];
    int w = (int) s[2];
    int ch = (int) s[3];
    byte[] all = array.castTo(org.nd4j.linalg.api.buffer.DataType.UBYTE).data().asBytes();
    List<ImageBlock> blocks = new ArrayList<>();
    int size = h * w * ch;
    for (int from = 0; from < n; from += batchSize) {
      List<RawImage> images = new ArrayList<>();
      for (int i = from; i < Math.min(n, from + batchSize); i++) {
        images.add(new RawImage(h, w, ch, Arrays.copyOfRange(all, i * size, (i + 1) * size)));
      }
      blocks.add(new ImageBlock(from, images, null));
    }
    return blocks;
  }

  /** PNG/JPEG files of a folder (recursively, names sorted), decoded on the executors. */
  private static JavaRDD<ImageBlock> folderBlocks(JavaSparkContext sc, FileSystem fs, Path dir, long count, int batchSize,
      int partitions) throws IOException {
    List<String> files = new ArrayList<>();
    var it = fs.listFiles(dir, true);
    while (it.hasNext()) {
      FileStatus f = it.next();
      String name = f.getPath().getName().toLowerCase(java.util.Locale.ROOT);
      if (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg")) {
        files.add(f.getPath().toString());
      }
    }
    files.sort(null);
    if (count > 0 && count < files.size()) {
      files = new ArrayList<>(files.subList(0, (int) count));
    }
    List<long[]> ranges = new ArrayList<>();
    for (int from = 0; from < files.size(); from += batchSize) {
      ranges.add(new long[] {from, Math.min(files.size(), from + batchSize)});
    }
    List<String> names = files;
    var conf = new io.sparkgen.jobs.fs.SerializableHadoopConf(sc.hadoopConfiguration());
    return sc.parallelize(ranges, Math.max(1, Math.min(partitions, ranges.size()))).map(r -> {
      List<RawImage> images = new ArrayList<>();
      for (int i = (int) r[0]; i < r[1]; i++) {
        Path p = new Path(names.get(i));
        try (InputStream in = p.getFileSystem(conf.get()).open(p)) {
          images.add(ImageCodec.decode(in.readAllBytes()));
        }
      }
      return new ImageBlock(r[0], images, null);
    });
  }
}

package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.cli.ConfigOptions;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.fs.HadoopFiles;
import io.sparkgen.jobs.image.ImageBlock;
import io.sparkgen.jobs.shard.DataVersion;
import io.sparkgen.jobs.spark.SparkSessions;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.features.DomainClassifier;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.provenance.Versions;
import io.sparkgen.model.train.ImageDataset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkgen train-features}: trains the domain feature network on a shard set's labels
 * (on the driver: the network is small) and writes it, with its test accuracy and the data's
 * manifest hash, for {@code sparkgen evaluate --extractor}.
 */
@Command(name = "train-features", mixinStandardHelpOptions = true,
    description = {"Train the domain feature network (a small classifier of the shard set's labels) whose pooled "
        + "features FID and the other metrics use where no Inception weights are available; writes it atomically "
        + "with its test accuracy and provenance.",
        "Options below override the config keys in brackets; see --dry-run for all keys."})
public final class TrainFeaturesCommand implements Callable<Integer> {

  @Mixin ConfigOptions config;

  @Option(names = "--data", paramLabel = "DIR", description = "Shard set [train-features.data].")
  String data;

  @Option(names = "--out", paramLabel = "FILE", description = "Output file [train-features.output].")
  String output;

  @Option(names = "--epochs", paramLabel = "N", description = "Passes over the data [train-features.epochs].")
  Integer epochs;

  @Option(names = "--train-images", paramLabel = "N",
      description = "Train on the first N images only; 0: all [train-features.train-images].")
  Long trainImages;

  @Option(names = "--overwrite", description = "Replace an existing output [train-features.overwrite].")
  Boolean overwrite;

  @Override
  public Integer call() throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    ConfigOptions.option(o, "--data", "train-features.data", data);
    ConfigOptions.option(o, "--out", "train-features.output", output);
    ConfigOptions.option(o, "--epochs", "train-features.epochs", epochs);
    ConfigOptions.option(o, "--train-images", "train-features.train-images", trainImages);
    ConfigOptions.option(o, "--overwrite", "train-features.overwrite", overwrite);
    ResolvedConfig resolved = config.resolve(o);
    if (config.printIfDryRun(resolved)) {
      return 0;
    }
    TrainFeaturesConfig c = resolved.config().trainFeatures();
    try (SparkSession spark = SparkSessions.create(resolved.config().spark(), "train-features")) {
      System.out.println("train-features: wrote " + train(JavaSparkContext.fromSparkContext(spark.sparkContext()), c,
          resolved.config().seed(), resolved.hash()));
    }
    return 0;
  }

  /** Trains and writes the network; returns the output path. */
  public static Path train(JavaSparkContext sc, TrainFeaturesConfig c, long seed, String configHash) throws Exception {
    Path out = new Path(c.output());
    FileSystem fs = out.getFileSystem(sc.hadoopConfiguration());
    if (fs.exists(out) && !c.overwrite()) {
      throw new IllegalArgumentException(out + " exists; pass --overwrite (train-features.overwrite) to replace it");
    }
    DataVersion version = DataVersion.open(c.data(), sc.hadoopConfiguration());
    int classes = version.classCount();
    if (classes < 2) {
      throw new IllegalArgumentException(c.data() + " has " + classes + " classes; the domain feature network needs labels");
    }
    long trainCount = c.trainImages() > 0 ? Math.min(c.trainImages(), version.count(false)) : version.count(false);
    ImageDataset train = load(sc, version, false, trainCount);
    ImageDataset test = version.count(true) > 0 ? load(sc, version, true, version.count(true)) : null;
    var shape = version.shape();
    DomainClassifier.Config config = new DomainClassifier.Config(new ImageShape(shape.channels(), shape.height(),
        shape.width()), classes, c.channels(), AdamConfig.of(c.learningRate(), 0.9));
    DomainClassifier net = DomainClassifier.create(config, seed);
    long total = (long) c.epochs() * train.size();
    long start = System.nanoTime();
    long[] lastPrint = {start};
    int[] epoch = {0};
    List<DomainClassifier.EpochReport> reports = new ArrayList<>();
    for (int e = 0; e < c.epochs(); e++) {
      epoch[0] = e;
      reports.addAll(net.train(train, 1, c.batchSize(), seed + e, done -> {
        long now = System.nanoTime();
        if (now - lastPrint[0] > 5_000_000_000L) {
          lastPrint[0] = now;
          long seen = (long) epoch[0] * train.size() + done;
          double rate = seen / ((now - start) / 1e9);
          System.out.printf(Locale.ROOT, "train-features: epoch %d/%d, %d/%d images, %.0f images/s, ETA %.0f s%n",
              epoch[0] + 1, c.epochs(), done, train.size(), rate, (total - seen) / rate);
        }
      }));
      var last = reports.get(reports.size() - 1);
      System.out.printf(Locale.ROOT, "train-features: epoch %d/%d loss %.4f, train accuracy %.4f%n", e + 1, c.epochs(),
          last.loss(), last.accuracy());
    }
    double accuracy = test == null ? Double.NaN : net.accuracy(test.images(), test.labels(), 512);
    System.out.printf(Locale.ROOT, "train-features: test accuracy %.4f%n", accuracy);
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("dataManifestHash", version.sha256());
    extra.put("data", c.data());
    extra.put("trainImages", train.size());
    extra.put("testAccuracy", accuracy);
    extra.put("epochs", reports);
    extra.put("seed", seed);
    extra.put("configHash", configHash);
    extra.put("versions", Versions.all());
    HadoopFiles.write(fs, out, net.toBytes(extra));
    System.out.println("train-features: extractor hash " + net.hash());
    return fs.makeQualified(out);
  }

  private static ImageDataset load(JavaSparkContext sc, DataVersion version, boolean test, long count) {
    List<ImageBlock> blocks = new ArrayList<>(RealImages.firstN(sc, version, test, count, 4096,
        Math.max(1, sc.defaultParallelism())).collect());
    blocks.sort(Comparator.comparingLong(ImageBlock::first));
    List<INDArray> parts = new ArrayList<>();
    int n = blocks.stream().mapToInt(ImageBlock::size).sum();
    int[] labels = new int[n];
    int at = 0;
    for (ImageBlock b : blocks) {
      parts.add(b.toModelInput());
      if (b.labels() == null) {
        throw new IllegalArgumentException(version.uri() + " has unlabelled images; the domain feature network needs labels");
      }
      System.arraycopy(b.labels(), 0, labels, at, b.size());
      at += b.size();
    }
    return ImageDataset.of(Nd4j.concat(0, parts.toArray(new INDArray[0])), labels);
  }
}

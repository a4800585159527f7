package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.cli.ConfigOptions;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.spark.SparkSessions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparkgen shard}: options are shortcuts for keys of the {@code shard} config section. */
@Command(name = "shard", mixinStandardHelpOptions = true,
    description = {"Read an image collection (IDX, PNG/JPEG folder, CIFAR-10 binary, Parquet) and write "
        + "deterministic train/test Parquet shards with manifest.json.",
        "Options below override the config keys in brackets; see --dry-run for all keys."})
public final class ShardCommand implements Callable<Integer> {

  @Mixin ConfigOptions config;

  @Option(names = "--input", split = ",", paramLabel = "PATH", description = "Input files or directories [shard.input.paths].")
  List<String> input;

  @Option(names = "--format", paramLabel = "FORMAT", description = "idx, image-folder, cifar10 or parquet [shard.input.format].")
  String format;

  @Option(names = "--output", paramLabel = "DIR", description = "Output directory, a Hadoop URI or local path [shard.output].")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing output atomically [shard.overwrite].")
  Boolean overwrite;

  @Option(names = "--on-bad-input", paramLabel = "fail|skip", description = "What a bad input does [shard.on-bad-input].")
  String onBadInput;

  @Option(names = "--train-shards", paramLabel = "N", description = "Training shards, 0 = sized for the cluster [shard.shards.train].")
  Integer trainShards;

  @Option(names = "--test-shards", paramLabel = "N", description = "Test shards, 0 = by size [shard.shards.test].")
  Integer testShards;

  @Option(names = "--test-fraction", paramLabel = "F", description = "Fraction of images in test [shard.split.test-fraction].")
  Double testFraction;

  @Option(names = "--size", paramLabel = "HxW", description = "Stored size, e.g. 32x32 [shard.image.height, shard.image.width].")
  String size;

  @Option(names = "--channels", paramLabel = "MODE", description = "auto, grayscale or rgb [shard.image.channels].")
  String channels;

  @Option(names = "--resize", paramLabel = "MODE", description = "none, scale, center-crop or scale-crop [shard.image.resize].")
  String resize;

  @Override
  public Integer call() throws Exception {
    ResolvedConfig resolved = config.resolve(options());
    if (config.printIfDryRun(resolved)) {
      return 0;
    }
    try (SparkSession spark = SparkSessions.create(resolved.config().spark(), "shard")) {
      ShardManifest manifest = new ShardJob(spark, resolved).run();
      System.out.printf("sharded %d images (%d train in %d shards, %d test in %d shards, %d bad skipped)%n",
          manifest.images(), manifest.train().count(), manifest.train().shards().size(), manifest.test().count(),
          manifest.test().shards().size(), manifest.badInput().skipped());
      Path path = new Path(resolved.config().shard().output(), ShardManifest.FILE_NAME);
      System.out.println("manifest: " + path.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(path));
    }
    return 0;
  }

  private Map<String, String> options() {
    Map<String, String> options = new LinkedHashMap<>();
    if (input != null) {
      options.put("--input", "shard.input.paths=" + input.stream().map(ShardCommand::quote).collect(Collectors.joining(",", "[", "]")));
    }
    ConfigOptions.option(options, "--format", "shard.input.format", format);
    ConfigOptions.option(options, "--output", "shard.output", output);
    ConfigOptions.option(options, "--overwrite", "shard.overwrite", overwrite);
    ConfigOptions.option(options, "--on-bad-input", "shard.on-bad-input", onBadInput);
    ConfigOptions.option(options, "--train-shards", "shard.shards.train", trainShards);
    ConfigOptions.option(options, "--test-shards", "shard.shards.test", testShards);
    ConfigOptions.option(options, "--test-fraction", "shard.split.test-fraction", testFraction);
    if (size != null) {
      String[] hw = size.toLowerCase().split("x");
      if (hw.length != 2) {
        throw new IllegalArgumentException("--size " + size + " must be HEIGHTxWIDTH, e.g. 32x32");
      }
      options.put("--size", "shard.image.height=" + hw[0].trim());
      options.put("--size ", "shard.image.width=" + hw[1].trim());
    }
    ConfigOptions.option(options, "--channels", "shard.image.channels", channels);
    ConfigOptions.option(options, "--resize", "shard.image.resize", resize);
    return options;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}

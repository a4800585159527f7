package io.sparkgen.jobs.train;

import io.sparkgen.jobs.cli.ConfigOptions;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.spark.SparkSessions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparkgen train}: options are shortcuts for keys of the {@code train} config section. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train a generator on a shard set with parameter-averaged data parallelism: one worker per "
        + "training shard, averaging every averaging-frequency steps; checkpoints, sample grids and a stats "
        + "table go to the run directory.",
        "Options below override the config keys in brackets; see --dry-run for all keys."})
public final class TrainCommand implements Callable<Integer> {

  @Mixin ConfigOptions config;

  @Option(names = "--model", paramLabel = "FAMILY", description = "Generator family, e.g. vae or gan [train.model.family].")
  String family;

  @Option(names = "--data", paramLabel = "DIR", description = "Shard set to train on [train.data].")
  String data;

  @Option(names = "--run-dir", paramLabel = "DIR", description = "Run directory [train.run-dir].")
  String runDir;

  @Option(names = "--total-images", paramLabel = "N", description = "Images to train on [train.total-images].")
  Long totalImages;

  @Option(names = "--batch-size", paramLabel = "N", description = "Images per local step [train.batch-size].")
  Integer batchSize;

  @Option(names = "--averaging-frequency", paramLabel = "N",
      description = "Local steps between averagings [train.averaging-frequency].")
  Integer averagingFrequency;

  @Option(names = "--resume", description = "Continue from the newest checkpoint in the run directory [train.resume].")
  Boolean resume;

  @Override
  public Integer call() throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    ConfigOptions.option(options, "--model", "train.model.family", family);
    ConfigOptions.option(options, "--data", "train.data", data);
    ConfigOptions.option(options, "--run-dir", "train.run-dir", runDir);
    ConfigOptions.option(options, "--total-images", "train.total-images", totalImages);
    ConfigOptions.option(options, "--batch-size", "train.batch-size", batchSize);
    ConfigOptions.option(options, "--averaging-frequency", "train.averaging-frequency", averagingFrequency);
    ConfigOptions.option(options, "--resume", "train.resume", resume);
    ResolvedConfig resolved = config.resolve(options);
    if (config.printIfDryRun(resolved)) {
      return 0;
    }
    try (SparkSession spark = SparkSessions.create(resolved.config().spark(), "train")) {
      AveragedState state = new TrainJob(spark, resolved).run();
      System.out.printf("trained to step %d; run directory %s%n", state.step(), resolved.config().train().runDir());
    }
    return 0;
  }
}
